package query

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/apifw/monitor/pkg/index"
	"github.com/apifw/monitor/pkg/model"
)

var (
	fuzzStoreOnce sync.Once
	fuzzStore     *index.Store
	fuzzT0        = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
)

// smallStore holds a few hundred varied transactions over six hours.
func smallStore() *index.Store {
	fuzzStoreOnce.Do(func() {
		s := index.NewStore(index.Options{BlockSize: 64})
		txs := make([]model.Transaction, 400)
		for i := range txs {
			txs[i] = model.Transaction{
				UUID:       fmt.Sprintf("%08x-0000-4000-8000-%012x", i, i*7),
				Time:       fuzzT0.Add(time.Duration(i*53) * time.Second),
				DurationUS: int64(i * 97 % 50000),
				Instance:   fmt.Sprintf("fw-%d", i%3),
				APIID:      fmt.Sprintf("api-%d", i%4), APIName: fmt.Sprintf("API %d", i%4),
				ClientIP: []string{"10.0.0.1", "10.0.1.7", "2001:db8::1", "not-an-ip", ""}[i%5],
				Hostname: "api.example.test", Method: []string{"GET", "POST", "DELETE"}[i%3],
				Path: fmt.Sprintf("/users/%d", i%17), Operation: "/users/{id}",
				Status: []int{200, 201, 403, 404, 500}[i%5], Outcome: model.Outcome(i % 4),
				BlockingLevel: i % 3, NonBlocking: i%7 == 0,
				FileID: 1, File: "/nonexistent/api-x.transaction.log", Line: i + 1, Offset: int64(i * 300), Length: 299,
			}
			if i%6 == 0 {
				txs[i].Errors = []model.TransactionError{{Step: "request_validation", Depth: 1, Message: "bad"}}
			}
		}
		s.Append(txs)
		fuzzStore = s
	})
	return fuzzStore
}

// FuzzQuery feeds arbitrary query JSON (as a panel or an alert rule would
// send it) through Parse and, when it parses, through the engine on a small
// store: no input may panic, hang past the query timeout, or return rows
// beyond the limits.
func FuzzQuery(f *testing.F) {
	seeds := []string{
		`{"refId":"A","queryType":"stats"}`,
		`{"queryType":"stats","columns":["total","blocked"],"filters":{"api":["api-1"],"outcome":["blocked","wouldBlock"]}}`,
		`{"queryType":"topN","dimension":"clientIp","limit":5,"filters":{"clientIp":"10.0.0.0/8"}}`,
		`{"queryType":"topN","dimension":"path","limit":1000000,"filters":{"path":"/users/*"}}`,
		`{"queryType":"topN","dimension":"errorStep","filters":{"status":["4xx","500"],"method":["get"]}}`,
		`{"queryType":"traffic","splitBy":"outcome","metric":"rate","intervalMs":1}`,
		`{"queryType":"traffic","splitBy":"api","metric":"blockedRatio","maxDataPoints":-5}`,
		`{"queryType":"transactions","limit":3,"filters":{"instance":["fw-1"],"errorStep":["request_validation"]}}`,
		`{"queryType":"trace","uuid":"00000001-0000-4000-8000-000000000007"}`,
		`{"queryType":"trace","uuid":"../../etc/passwd"}`,
		`{"queryType":"instances","silentAfter":"1ns"}`,
		`{"queryType":"instances","silentAfter":"-999999h"}`,
		`{"queryType":"stats","filters":{"adhoc":[{"key":"path","operator":"=~","value":"(a+)+$"}]}}`,
		`{"queryType":"topN","dimension":"api","filters":{"adhoc":[{"key":"clientIp","operator":"!~","value":"^10\\."},{"key":"api","operator":"!=","value":"api-2"}]}}`,
		`{"queryType":"transactions","filters":{"operation":["/users/{id}"],"hostname":["api.example.test"],"errorMessage":["bad"]}}`,
		`{"queryType":"auditScores","groupBy":"api"}`,
		`{"queryType":"nope"}`,
		`{"queryType":"topN","dimension":"nope"}`,
		`{"filters":{"path":"[["}}`,
		`{"filters":null}`,
		`null`,
		`[]`,
		``,
	}
	for _, s := range seeds {
		f.Add([]byte(s), int64(0), int64(6*3600))
	}
	f.Add([]byte(`{"queryType":"traffic"}`), int64(-1<<40), int64(1<<41))
	f.Fuzz(func(t *testing.T, raw []byte, fromSec, spanSec int64) {
		q, err := Parse(raw)
		if err != nil || !IsTransactionType(q.QueryType) {
			return
		}
		tr := TimeRange{From: fuzzT0.Add(time.Duration(fromSec%(1<<33)) * time.Second)}
		tr.To = tr.From.Add(time.Duration(spanSec%(1<<33)) * time.Second)
		e := &Engine{Store: smallStore(), Limits: Limits{MaxRows: 50, Timeout: 2 * time.Second}, Now: func() time.Time { return fuzzT0.Add(7 * time.Hour) }}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		start := time.Now()
		switch q.QueryType {
		case TypeStats:
			_, err = e.Stats(ctx, q, tr)
		case TypeTopN:
			var r TopNResult
			r, err = e.TopN(ctx, q, tr)
			if err == nil && len(r.Rows) > 1001 {
				t.Fatalf("topN returned %d rows", len(r.Rows))
			}
		case TypeTraffic:
			_, err = e.Traffic(ctx, q, tr)
		case TypeTransactions:
			var r TransactionsResult
			r, err = e.Transactions(ctx, q, tr)
			if err == nil && len(r.Rows) > 50 {
				t.Fatalf("%d rows past the limit of 50", len(r.Rows))
			}
		case TypeTrace:
			_, err = e.Trace(ctx, q)
		case TypeInstances:
			_, err = e.Instances(ctx, q, tr)
		}
		if err != nil && ctx.Err() == nil && !errors.Is(err, ErrBadQuery) && !errors.Is(err, ErrLimit) && !errors.Is(err, ErrNotFound) && !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("error of no known kind for %s: %v", raw, err)
		}
		if d := time.Since(start); d > 4*time.Second {
			t.Fatalf("query ran %v: %s", d, raw)
		}
	})
}
