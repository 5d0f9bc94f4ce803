package query

import (
	"container/heap"
	"context"
	"sort"
	"time"

	"github.com/apifw/monitor/pkg/index"
	"github.com/apifw/monitor/pkg/model"
)

// TransactionRow is one transaction of a transactions result.
type TransactionRow struct {
	UUID       string
	Time       time.Time
	Method     string
	Path       string
	Status     int
	Outcome    string
	Reason     string // the summary reason: message of the last error, "" when none
	ErrorStep  string // step of the last error
	Instance   string
	ClientIP   string
	APIID      string
	APIName    string
	Hostname   string
	Operation  string
	DurationUS int64 // -1 when unknown
}

// TransactionsResult lists matching transactions newest first (ties by uuid).
type TransactionsResult struct {
	Rows []TransactionRow
}

// Transactions answers a transactions query with the default limits.
func Transactions(ctx context.Context, store *index.Store, q Query, tr TimeRange) (TransactionsResult, error) {
	return (&Engine{Store: store}).Transactions(ctx, q, tr)
}

type hit struct {
	t   int64
	ref index.RowRef
	id  string // filled lazily, only to break ties
}

// newest is a min-heap of the best hits so far: its root is the oldest kept.
type newest struct {
	sn   *index.Snapshot
	hits []hit
}

func (h *newest) Len() int { return len(h.hits) }
func (h *newest) Less(i, j int) bool {
	return before(h.sn, &h.hits[j], &h.hits[i]) // root: the hit that sorts last
}
func (h *newest) Swap(i, j int) { h.hits[i], h.hits[j] = h.hits[j], h.hits[i] }
func (h *newest) Push(x any)    { h.hits = append(h.hits, x.(hit)) }
func (h *newest) Pop() any {
	x := h.hits[len(h.hits)-1]
	h.hits = h.hits[:len(h.hits)-1]
	return x
}

// Transactions lists the newest matching transactions (limit, default 100).
func (e *Engine) Transactions(ctx context.Context, q Query, tr TimeRange) (TransactionsResult, error) {
	var res TransactionsResult
	ctx, cancel, sn, lim, err := e.start(ctx, tr)
	defer cancel()
	if err != nil {
		return res, err
	}
	limit, err := limitOf(q.Limit, 100, lim.MaxRows)
	if err != nil {
		return res, err
	}
	p, err := e.prepare(sn, q.Filters, tr)
	if err != nil {
		return res, err
	}
	nw := index.Workers(e.Workers, len(sn.Blocks()))
	heaps := make([]*newest, nw)
	for i := range heaps {
		heaps[i] = &newest{sn: sn}
	}
	skip := func(w int, b index.BlockInfo) bool {
		h := heaps[w]
		return h.Len() == limit && b.MaxTime < h.hits[0].t
	}
	err = sn.Scan(ctx, p, index.ScanOptions{Cols: index.ColTime, Workers: nw, NewestFirst: true, Skip: skip}, func(w int, c *index.Chunk) {
		h := heaps[w]
		for _, i := range c.Sel {
			x := hit{t: c.Time[i], ref: c.Ref(i)}
			if h.Len() < limit {
				heap.Push(h, x)
			} else if before(sn, &x, &h.hits[0]) {
				h.hits[0] = x
				heap.Fix(h, 0)
			}
		}
	})
	if err != nil {
		return res, scanErr(err)
	}
	var all []hit
	for _, h := range heaps {
		all = append(all, h.hits...)
	}
	sort.Slice(all, func(i, j int) bool { return before(sn, &all[i], &all[j]) })
	if len(all) > limit {
		all = all[:limit]
	}
	for i := range all {
		tx := sn.Row(all[i].ref)
		last := model.LastError(tx.Errors)
		res.Rows = append(res.Rows, TransactionRow{
			UUID: tx.UUID, Time: tx.Time, Method: tx.Method, Path: tx.Path, Status: tx.Status,
			Outcome: tx.Outcome.String(), Reason: last.Message, ErrorStep: last.Step, Instance: tx.Instance,
			ClientIP: tx.ClientIP, APIID: tx.APIID, APIName: tx.APIName, Hostname: tx.Hostname,
			Operation: tx.Operation, DurationUS: tx.DurationUS,
		})
	}
	return res, nil
}

// before orders hits newest first, then by uuid.
func before(sn *index.Snapshot, a, b *hit) bool {
	if a.t != b.t {
		return a.t > b.t
	}
	if a.id == "" {
		a.id = sn.UUID(a.ref)
	}
	if b.id == "" {
		b.id = sn.UUID(b.ref)
	}
	return a.id < b.id
}
