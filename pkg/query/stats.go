package query

import (
	"context"
	"time"

	"github.com/apifw/monitor/pkg/index"
	"github.com/apifw/monitor/pkg/model"
)

// StatsResult is the one-row answer of a stats query. Field names are the
// column names of the public contract.
type StatsResult struct {
	Total           int64
	Allowed         int64
	Blocked         int64
	WouldBlock      int64
	Unmatched       int64
	BlockedRatio    float64 // blocked / total, 0 when total is 0
	DistinctClients int64
	Instances       int64
	// Duration percentiles in µs over the matching transactions that carry a
	// duration (exact: nearest rank); 0 when none does.
	DurationP50 int64
	DurationP90 int64
	DurationP99 int64
}

// TimeRange is a half-open interval [From, To). A zero From or To is an open end.
type TimeRange struct {
	From, To time.Time
}

// Stats counts the transactions matching q's filters in tr (default limits).
func Stats(store *index.Store, q Query, tr TimeRange) (StatsResult, error) {
	return (&Engine{Store: store}).Stats(context.Background(), q, tr)
}

// Stats counts the transactions matching q's filters in tr.
func (e *Engine) Stats(ctx context.Context, q Query, tr TimeRange) (StatsResult, error) {
	var res StatsResult
	ctx, cancel, sn, _, err := e.start(ctx, tr)
	defer cancel()
	if err != nil {
		return res, err
	}
	p, err := e.prepare(sn, q.Filters, tr)
	if err != nil {
		return res, err
	}
	d := sn.Dicts()
	nw := index.Workers(e.Workers, len(sn.Blocks()))
	type acc struct {
		tuples  []uint32
		clients []uint64 // bitset over client codes
		durs    []uint32
	}
	accs := make([]acc, nw)
	err = sn.Scan(ctx, p, index.ScanOptions{Cols: index.ColTuple | index.ColClientIP | index.ColDuration, Workers: nw}, func(w int, c *index.Chunk) {
		a := &accs[w]
		if a.tuples == nil {
			a.tuples = make([]uint32, len(d.Tuples))
			a.clients = make([]uint64, (len(d.ClientIPs)+63)/64)
		}
		for _, i := range c.Sel {
			a.tuples[c.Tuple[i]]++
			ip := c.ClientIP[i]
			a.clients[ip>>6] |= 1 << (ip & 63)
			if du := c.Duration[i]; du != 0 {
				a.durs = append(a.durs, du-1)
			}
		}
	})
	if err != nil {
		return res, scanErr(err)
	}
	instances := map[uint32]bool{}
	clients := make([]uint64, (len(d.ClientIPs)+63)/64)
	var durs []uint32
	for _, a := range accs {
		if a.tuples == nil {
			continue
		}
		for code, n := range a.tuples {
			if n == 0 {
				continue
			}
			tu := d.Tuples[code]
			res.add(tu.Outcome, int64(n))
			instances[tu.Instance] = true
		}
		for i, w := range a.clients {
			clients[i] |= w
		}
		durs = append(durs, a.durs...)
	}
	for _, w := range clients {
		res.DistinctClients += int64(popcount(w))
	}
	res.Instances = int64(len(instances))
	if res.Total > 0 {
		res.BlockedRatio = float64(res.Blocked) / float64(res.Total)
	}
	if len(durs) > 0 {
		ps := percentiles(durs, 50, 90, 99)
		res.DurationP50, res.DurationP90, res.DurationP99 = int64(ps[0]), int64(ps[1]), int64(ps[2])
	}
	return res, nil
}

func (r *StatsResult) add(o model.Outcome, n int64) {
	addOutcome(o, n, &r.Allowed, &r.Blocked, &r.WouldBlock, &r.Unmatched)
	r.Total += n
}

// percentiles returns the exact nearest-rank percentiles of values (the
// smallest value with at least p% of the values at or below it) without
// sorting: a histogram of the high 16 bits finds each rank's bucket, a second
// one of the low 16 bits within it finds the value. Two linear passes.
func percentiles(values []uint32, ps ...int) []uint32 {
	n := len(values)
	ranks := make([]int, len(ps)) // 1-based
	for i, p := range ps {
		ranks[i] = max((p*n+99)/100, 1)
	}
	hist := make([]int, 1<<16)
	for _, v := range values {
		hist[v>>16]++
	}
	out := make([]uint32, len(ps))
	for i, r := range ranks {
		seen, hi := 0, 0
		for ; seen+hist[hi] < r; hi++ {
			seen += hist[hi]
		}
		low := make([]int, 1<<16)
		for _, v := range values {
			if int(v>>16) == hi {
				low[v&0xffff]++
			}
		}
		lo := 0
		for ; seen+low[lo] < r; lo++ {
			seen += low[lo]
		}
		out[i] = uint32(hi)<<16 | uint32(lo)
	}
	return out
}
