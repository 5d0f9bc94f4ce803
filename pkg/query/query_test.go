package query

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/apifw/monitor/pkg/index"
	"github.com/apifw/monitor/pkg/model"
)

// The fixture of stats_test.go: five records in the first minute, one an hour later.
var fixtureRange = TimeRange{From: t0, To: t0.Add(time.Minute)}

func engine() *Engine {
	return &Engine{Store: fixtureStore(), Now: func() time.Time { return t0.Add(time.Hour + 10*time.Minute) }}
}

func TestTopN(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name string
		q    Query
		want []TopNRow
	}{
		{"client ips", Query{Dimension: "clientIp", Limit: 2}, []TopNRow{
			{Value: "10.0.0.1", Count: 1, Allowed: 1, Share: 0.2},
			{Value: "10.0.0.2", Count: 1, Blocked: 1, Share: 0.2},
			{Value: OtherValue, Other: true, Count: 3, Blocked: 1, WouldBlock: 1, Unmatched: 1, Share: 0.6},
		}},
		{"instance", Query{Dimension: "instance"}, []TopNRow{
			{Value: "fw-2", Count: 3, Blocked: 1, WouldBlock: 1, Unmatched: 1, Share: 0.6},
			{Value: "fw-1", Count: 2, Allowed: 1, Blocked: 1, Share: 0.4},
		}},
		{"api with names", Query{Dimension: "api", Limit: 1}, []TopNRow{
			{Value: "a1", APIName: "name-a1", Count: 3, Allowed: 1, Blocked: 2, Share: 0.6},
			{Value: OtherValue, Other: true, Count: 2, WouldBlock: 1, Unmatched: 1, Share: 0.4},
		}},
		{"status class, filtered; ties by value", Query{Dimension: "statusClass", Filters: Filters{Method: []string{"get"}}}, []TopNRow{
			{Value: "2xx", Count: 2, Allowed: 1, WouldBlock: 1, Share: 0.5},
			{Value: "4xx", Count: 2, Blocked: 1, Unmatched: 1, Share: 0.5},
		}},
		{"error step (the last error)", Query{Dimension: "errorStep", Filters: Filters{Outcome: []string{"blocked", "wouldBlock"}}}, []TopNRow{
			{Value: "hostpath_mapping", Count: 2, Blocked: 1, WouldBlock: 1, Share: 2.0 / 3},
			{Value: "request_validation", Count: 1, Blocked: 1, Share: 1.0 / 3},
		}},
		{"outcome", Query{Dimension: "outcome"}, []TopNRow{
			{Value: "blocked", Count: 2, Blocked: 2, Share: 0.4},
			{Value: "allowed", Count: 1, Allowed: 1, Share: 0.2},
			{Value: "unmatched", Count: 1, Unmatched: 1, Share: 0.2},
			{Value: "wouldBlock", Count: 1, WouldBlock: 1, Share: 0.2},
		}},
		{"path glob", Query{Dimension: "path", Filters: Filters{Path: "/users*"}}, []TopNRow{
			{Value: "/users", Count: 1, Blocked: 1, Share: 1},
		}},
		{"nothing matches", Query{Dimension: "method", Filters: Filters{ClientIP: "192.0.2.0/24"}}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := engine().TopN(ctx, c.q, fixtureRange)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got.Rows, c.want) {
				t.Fatalf("got  %+v\nwant %+v", got.Rows, c.want)
			}
		})
	}
}

func TestTraffic(t *testing.T) {
	ctx := context.Background()
	tr := TimeRange{From: t0.Add(-15 * time.Second), To: t0.Add(45 * time.Second)}
	buckets := []time.Time{t0.Add(-20 * time.Second), t0, t0.Add(20 * time.Second), t0.Add(40 * time.Second)}
	cases := []struct {
		name   string
		q      Query
		series []Series
	}{
		{"by outcome", Query{IntervalMs: 20000}, []Series{
			{Name: "allowed", Labels: map[string]string{"outcome": "allowed"}, Values: []float64{0, 1, 0, 0}},
			{Name: "blocked", Labels: map[string]string{"outcome": "blocked"}, Values: []float64{0, 1, 1, 0}},
			{Name: "wouldBlock", Labels: map[string]string{"outcome": "wouldBlock"}, Values: []float64{0, 0, 1, 0}},
			{Name: "unmatched", Labels: map[string]string{"outcome": "unmatched"}, Values: []float64{0, 0, 0, 1}},
		}},
		{"rate by instance, top 1", Query{IntervalMs: 20000, SplitBy: "instance", Limit: 1, Metric: "rate"}, []Series{
			{Name: "fw-2", Labels: map[string]string{"instance": "fw-2"}, Values: []float64{0, 0, 0.1, 0.05}},
			{Name: OtherValue, Other: true, Labels: map[string]string{"instance": OtherValue}, Values: []float64{0, 0.1, 0, 0}},
		}},
		{"blocked ratio", Query{IntervalMs: 20000, Metric: "blockedRatio"}, []Series{
			{Name: "blockedRatio", Labels: map[string]string{}, Values: []float64{0, 0.5, 0.5, 0}},
		}},
		{"blocked ratio by api", Query{IntervalMs: 20000, Metric: "blockedRatio", SplitBy: "api", Filters: Filters{API: []string{"a1"}}}, []Series{
			{Name: "a1", Labels: map[string]string{"api": "a1", "apiName": "name-a1"}, Values: []float64{0, 0.5, 1, 0}, DisplayName: "name-a1"},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := engine().Traffic(ctx, c.q, tr)
			if err != nil {
				t.Fatal(err)
			}
			if got.Interval != 20*time.Second || !reflect.DeepEqual(got.Buckets, buckets) {
				t.Fatalf("buckets %v %v", got.Interval, got.Buckets)
			}
			if !reflect.DeepEqual(got.Series, c.series) {
				t.Fatalf("got  %+v\nwant %+v", got.Series, c.series)
			}
		})
	}
}

func TestTrafficIntervalFromMaxDataPoints(t *testing.T) {
	for _, c := range []struct {
		q    Query
		span time.Duration
		want time.Duration
	}{
		{Query{IntervalMs: 60000}, 24 * time.Hour, time.Minute},
		{Query{MaxDataPoints: 100}, time.Hour, time.Minute}, // 36s rounds up to 1m
		{Query{}, 24 * time.Hour, 5 * time.Minute},          // 1000 points: 86.4s → 5m
		{Query{MaxDataPoints: 10}, 30 * 24 * time.Hour, 7 * 24 * time.Hour},
	} {
		if got, err := bucketInterval(c.q, c.span); err != nil || got != c.want {
			t.Errorf("%+v over %s: %s %v, want %s", c.q, c.span, got, err, c.want)
		}
	}
}

func TestTransactions(t *testing.T) {
	got, err := engine().Transactions(context.Background(), Query{Limit: 3, Filters: Filters{Instance: []string{"fw-2"}}}, TimeRange{From: t0, To: t0.Add(2 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	want := []TransactionRow{
		{UUID: "/wp-login.php2001:db8::1", Time: t0.Add(40 * time.Second), Method: "GET", Path: "/wp-login.php", Status: 404, Outcome: "unmatched", Instance: "fw-2", ClientIP: "2001:db8::1", APIID: "n/a", APIName: "name-n/a"},
		{UUID: "/pets/9192.168.1.1", Time: t0.Add(30 * time.Second), Method: "GET", Path: "/pets/9", Status: 200, Outcome: "wouldBlock", ErrorStep: "hostpath_mapping", Instance: "fw-2", ClientIP: "192.168.1.1", APIID: "a2", APIName: "name-a2"},
		{UUID: "/admin/all10.0.1.7", Time: t0.Add(20 * time.Second), Method: "GET", Path: "/admin/all", Status: 404, Outcome: "blocked", ErrorStep: "hostpath_mapping", Instance: "fw-2", ClientIP: "10.0.1.7", APIID: "a1", APIName: "name-a1"},
	}
	if !reflect.DeepEqual(got.Rows, want) {
		t.Fatalf("got  %+v\nwant %+v", got.Rows, want)
	}
}

func TestTrace(t *testing.T) {
	e := engine()
	got, err := e.Trace(context.Background(), Query{UUID: "/users10.0.0.2"})
	if err != nil || got.Transaction.Path != "/users" || got.Transaction.Errors[0].Step != "request_validation" {
		t.Fatalf("%+v %v", got, err)
	}
	e.Details = detailFunc(func(pos index.Position) (any, error) { return "detail of " + pos.Tx.UUID, nil })
	if got, _ := e.Trace(context.Background(), Query{UUID: "/users10.0.0.2"}); got.Detail != "detail of /users10.0.0.2" {
		t.Fatalf("detail %v", got.Detail)
	}
	if _, err := e.Trace(context.Background(), Query{UUID: "nope"}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown uuid: %v", err)
	}
	if _, err := e.Trace(context.Background(), Query{}); !errors.Is(err, ErrBadQuery) {
		t.Fatalf("no uuid: %v", err)
	}
}

type detailFunc func(index.Position) (any, error)

func (f detailFunc) ReadDetail(_ context.Context, p index.Position) (any, error) { return f(p) }

func TestInstances(t *testing.T) {
	got, err := engine().Instances(context.Background(), Query{}, fixtureRange)
	if err != nil {
		t.Fatal(err)
	}
	want := []InstanceRow{
		{Name: "fw-1", Hostnames: []string{""}, APIs: []index.APIRef{{ID: "a1", Name: "name-a1"}}, FirstSeen: t0, LastSeen: t0.Add(time.Hour),
			Records: 2, Files: []string{""}, Sources: []string{""}, Silent: false},
		{Name: "fw-2", Hostnames: []string{""}, APIs: []index.APIRef{{ID: "a1", Name: "name-a1"}, {ID: "a2", Name: "name-a2"}, {ID: "n/a", Name: "name-n/a"}},
			FirstSeen: t0.Add(20 * time.Second), LastSeen: t0.Add(40 * time.Second), Records: 3, Files: []string{""}, Sources: []string{""}, Silent: true},
	}
	if !reflect.DeepEqual(got.Rows, want) || got.SilentAfter != DefaultSilentAfter {
		t.Fatalf("got  %+v\nwant %+v", got.Rows, want)
	}
	got, _ = engine().Instances(context.Background(), Query{SilentAfter: "2h"}, fixtureRange)
	if got.Rows[1].Silent {
		t.Fatal("silentAfter not applied")
	}
}

func TestStatsPercentiles(t *testing.T) {
	s := index.NewStore()
	var txs []model.Transaction
	for i := 1; i <= 100; i++ {
		txs = append(txs, model.Transaction{UUID: string(rune('a'+i%26)) + time.Duration(i).String(), Time: t0, DurationUS: int64(i * 10)})
	}
	txs = append(txs, model.Transaction{UUID: "no-duration", Time: t0, DurationUS: -1})
	s.Append(txs)
	got, err := Stats(s, Query{}, fixtureRange)
	if err != nil || got.Total != 101 || got.DurationP50 != 500 || got.DurationP90 != 900 || got.DurationP99 != 990 {
		t.Fatalf("%+v %v", got, err)
	}
}

func TestQueryErrorsAndLimits(t *testing.T) {
	ctx := context.Background()
	e := engine()
	e.Limits = Limits{MaxLimit: 5, MaxBuckets: 10, MaxRows: 2, MaxSeries: 3, MaxRange: 48 * time.Hour}
	day := TimeRange{From: t0, To: t0.Add(24 * time.Hour)}
	for _, c := range []struct {
		name string
		run  func() error
		kind error
	}{
		{"topN without dimension", func() error { _, err := e.TopN(ctx, Query{}, day); return err }, ErrBadQuery},
		{"unknown dimension", func() error { _, err := e.TopN(ctx, Query{Dimension: "colour"}, day); return err }, ErrBadQuery},
		{"limit too large", func() error { _, err := e.TopN(ctx, Query{Dimension: "path", Limit: 6}, day); return err }, ErrLimit},
		{"negative limit", func() error { _, err := e.TopN(ctx, Query{Dimension: "path", Limit: -1}, day); return err }, ErrBadQuery},
		{"bad filter", func() error {
			_, err := e.TopN(ctx, Query{Dimension: "path", Filters: Filters{Status: []string{"6xx"}}}, day)
			return err
		}, ErrBadQuery},
		{"too many buckets", func() error { _, err := e.Traffic(ctx, Query{IntervalMs: 1000}, day); return err }, ErrLimit},
		{"too many series", func() error {
			_, err := e.Traffic(ctx, Query{IntervalMs: 3600000 * 6, SplitBy: "path", Limit: 4}, day)
			return err
		}, ErrLimit},
		{"unknown metric", func() error { _, err := e.Traffic(ctx, Query{Metric: "p42"}, day); return err }, ErrBadQuery},
		{"unknown split", func() error { _, err := e.Traffic(ctx, Query{SplitBy: "colour"}, day); return err }, ErrBadQuery},
		{"traffic without range", func() error { _, err := e.Traffic(ctx, Query{}, TimeRange{}); return err }, ErrBadQuery},
		{"range too long", func() error {
			_, err := e.Stats(ctx, Query{}, TimeRange{From: t0, To: t0.Add(72 * time.Hour)})
			return err
		}, ErrLimit},
		{"too many rows", func() error { _, err := e.Transactions(ctx, Query{Limit: 3}, day); return err }, ErrLimit},
		{"bad silentAfter", func() error { _, err := e.Instances(ctx, Query{SilentAfter: "soon"}, day); return err }, ErrBadQuery},
	} {
		if err := c.run(); !errors.Is(err, c.kind) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.kind)
		}
	}
}

func TestCancelledQueriesStop(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	e := engine()
	if _, err := e.Stats(ctx, Query{}, fixtureRange); !errors.Is(err, context.Canceled) {
		t.Errorf("stats: %v", err)
	}
	if _, err := e.TopN(ctx, Query{Dimension: "path"}, fixtureRange); !errors.Is(err, context.Canceled) {
		t.Errorf("topN: %v", err)
	}
	if _, err := e.Traffic(ctx, Query{}, fixtureRange); !errors.Is(err, context.Canceled) {
		t.Errorf("traffic: %v", err)
	}
	if _, err := e.Transactions(ctx, Query{}, fixtureRange); !errors.Is(err, context.Canceled) {
		t.Errorf("transactions: %v", err)
	}
	if _, err := e.Instances(ctx, Query{}, fixtureRange); !errors.Is(err, context.Canceled) {
		t.Errorf("instances: %v", err)
	}
}

func TestAPIDisplayNames(t *testing.T) {
	ids := []string{"e9012d37-1111-4000-8000-000000000001", "5a5a5a5a-2222-4000-8000-000000000002", "77777777-3333-4000-8000-000000000003", "n/a"}
	names := []string{" Pets ", "Pets", "", "n/a"}
	got := APIDisplayNames(ids, names)
	want := []string{"Pets (e9012d37)", "Pets (5a5a5a5a)", "77777777-3333-4000-8000-000000000003", "n/a"}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("%d: %q, want %q", i, got[i], want[i])
		}
	}
	if got := APIDisplayNames([]string{"a1"}, []string{"Simple  API_1.0.0"}); got[0] != "Simple  API_1.0.0" {
		t.Errorf("kept as written: %q", got[0])
	}
}
