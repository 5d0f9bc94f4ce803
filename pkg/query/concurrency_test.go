package query

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/apifw/monitor/pkg/index"
)

// One writer appends while readers run every query type: run with -race.
// Each query sees one snapshot, so its own numbers agree, and totals only grow.
func TestQueriesWhileAppending(t *testing.T) {
	txs := randomTraffic(9, 30000)
	store := index.NewStore(index.Options{BlockSize: 1024})
	store.Append(txs[:1000])
	e := &Engine{Store: store, Workers: 2}
	ctx := context.Background()
	all := TimeRange{From: t0.Add(-2 * time.Hour), To: t0.Add(3 * time.Hour)}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for r := 0; r < 3; r++ {
		wg.Add(1)
		go func(r int) {
			defer wg.Done()
			var last int64
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				st, err := e.Stats(ctx, Query{}, all)
				if err != nil || st.Total < last {
					t.Errorf("stats %+v %v after %d", st, err, last)
					return
				}
				last = st.Total
				top, err := e.TopN(ctx, Query{Dimension: []string{"clientIp", "api", "path"}[(i+r)%3], Limit: 5}, all)
				var sum int64
				for _, row := range top.Rows {
					sum += row.Count
				}
				if err != nil || sum != top.Total {
					t.Errorf("topN rows add up to %d of %d (%v)", sum, top.Total, err)
					return
				}
				tr, err := e.Traffic(ctx, Query{IntervalMs: 600000}, all)
				var n float64
				for _, s := range tr.Series {
					for _, v := range s.Values {
						n += v
					}
				}
				if err != nil || int64(n) < last {
					t.Errorf("traffic counted %v, stats before %d (%v)", n, last, err)
					return
				}
				if _, err := e.Transactions(ctx, Query{Limit: 20}, all); err != nil {
					t.Error(err)
					return
				}
				if _, err := e.Trace(ctx, Query{UUID: txs[i%1000].UUID}); err != nil {
					t.Error(err)
					return
				}
				if _, err := e.Instances(ctx, Query{}, all); err != nil {
					t.Error(err)
					return
				}
			}
		}(r)
	}
	for i := 1000; i < len(txs); i += 250 {
		store.Append(txs[i : i+250])
	}
	close(stop)
	wg.Wait()
}
