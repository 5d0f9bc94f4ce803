package query

import (
	"strings"
	"testing"
	"time"

	"github.com/apifw/monitor/pkg/index"
	"github.com/apifw/monitor/pkg/model"
)

var t0 = time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)

func fixtureStore() *index.Store {
	mk := func(sec int, api, inst, ip, method, path string, status int, o model.Outcome, step string) model.Transaction {
		tx := model.Transaction{UUID: path + ip, Time: t0.Add(time.Duration(sec) * time.Second), APIID: api, APIName: "name-" + api,
			Instance: inst, ClientIP: ip, Method: method, Path: path, Status: status, Outcome: o}
		if step != "" {
			tx.Errors = []model.TransactionError{{Step: step}}
		}
		return tx
	}
	s := index.NewStore()
	s.Replace([]model.Transaction{
		mk(0, "a1", "fw-1", "10.0.0.1", "GET", "/users/1", 200, model.OutcomeAllowed, ""),
		mk(10, "a1", "fw-1", "10.0.0.2", "POST", "/users", 403, model.OutcomeBlocked, "request_validation"),
		mk(20, "a1", "fw-2", "10.0.1.7", "GET", "/admin/all", 404, model.OutcomeBlocked, "hostpath_mapping"),
		mk(30, "a2", "fw-2", "192.168.1.1", "GET", "/pets/9", 200, model.OutcomeWouldBlock, "hostpath_mapping"),
		mk(40, "n/a", "fw-2", "2001:db8::1", "GET", "/wp-login.php", 404, model.OutcomeUnmatched, ""),
		mk(3600, "a1", "fw-1", "10.0.0.1", "GET", "/users/2", 200, model.OutcomeAllowed, ""), // outside the range below
	})
	return s
}

func TestStats(t *testing.T) {
	store := fixtureStore()
	tr := TimeRange{From: t0, To: t0.Add(time.Minute)}
	cases := []struct {
		name    string
		filters Filters
		want    StatsResult
	}{
		{"all", Filters{}, StatsResult{Total: 5, Allowed: 1, Blocked: 2, WouldBlock: 1, Unmatched: 1, BlockedRatio: 0.4, DistinctClients: 5, Instances: 2}},
		{"api by name", Filters{API: []string{"name-a2"}}, StatsResult{Total: 1, WouldBlock: 1, DistinctClients: 1, Instances: 1}},
		{"instance", Filters{Instance: []string{"fw-1"}}, StatsResult{Total: 2, Allowed: 1, Blocked: 1, BlockedRatio: 0.5, DistinctClients: 2, Instances: 1}},
		{"outcome", Filters{Outcome: []string{"blocked", "would-block"}}, StatsResult{Total: 3, Blocked: 2, WouldBlock: 1, BlockedRatio: 2.0 / 3, DistinctClients: 3, Instances: 2}},
		{"cidr", Filters{ClientIP: "10.0.0.0/24"}, StatsResult{Total: 2, Allowed: 1, Blocked: 1, BlockedRatio: 0.5, DistinctClients: 2, Instances: 1}},
		{"ipv6", Filters{ClientIP: "2001:db8::1"}, StatsResult{Total: 1, Unmatched: 1, DistinctClients: 1, Instances: 1}},
		{"path prefix", Filters{Path: "/users/*"}, StatsResult{Total: 1, Allowed: 1, DistinctClients: 1, Instances: 1}},
		{"path prefix includes deeper", Filters{Path: "/**"}, StatsResult{Total: 5, Allowed: 1, Blocked: 2, WouldBlock: 1, Unmatched: 1, BlockedRatio: 0.4, DistinctClients: 5, Instances: 2}},
		{"path glob", Filters{Path: "/*/[0-9]"}, StatsResult{Total: 2, Allowed: 1, WouldBlock: 1, DistinctClients: 2, Instances: 2}},
		{"path exact", Filters{Path: "/users"}, StatsResult{Total: 1, Blocked: 1, BlockedRatio: 1, DistinctClients: 1, Instances: 1}},
		{"method", Filters{Method: []string{"post"}}, StatsResult{Total: 1, Blocked: 1, BlockedRatio: 1, DistinctClients: 1, Instances: 1}},
		{"status class and code", Filters{Status: []string{"4xx"}}, StatsResult{Total: 3, Blocked: 2, Unmatched: 1, BlockedRatio: 2.0 / 3, DistinctClients: 3, Instances: 2}},
		{"status code", Filters{Status: []string{"200"}}, StatsResult{Total: 2, Allowed: 1, WouldBlock: 1, DistinctClients: 2, Instances: 2}},
		{"error step", Filters{ErrorStep: []string{"hostpath_mapping"}}, StatsResult{Total: 2, Blocked: 1, WouldBlock: 1, BlockedRatio: 0.5, DistinctClients: 2, Instances: 1}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Stats(store, Query{QueryType: TypeStats, Filters: c.filters}, tr)
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Fatalf("got %+v\nwant %+v", got, c.want)
			}
		})
	}
}

func TestStatsRejectsBadFilters(t *testing.T) {
	store := fixtureStore()
	for _, f := range []Filters{
		{Outcome: []string{"maybe"}},
		{ClientIP: "10.0.0.0/99"},
		{ClientIP: "not-an-ip"},
		{Status: []string{"6xx"}},
		{Status: []string{"abc"}},
		{Path: "/a/[z"},
		{Path: "/" + strings.Repeat("a", 2000)},
	} {
		if _, err := Stats(store, Query{Filters: f}, TimeRange{From: t0, To: t0.Add(time.Hour)}); err == nil {
			t.Errorf("%+v: want an error", f)
		}
	}
}

func TestParse(t *testing.T) {
	q, err := Parse([]byte(`{"refId":"A","queryType":"stats","filters":{"api":["x"],"status":["5xx"]}}`))
	if err != nil || q.QueryType != TypeStats || q.Filters.API[0] != "x" || q.Filters.Status[0] != "5xx" {
		t.Fatalf("%+v %v", q, err)
	}
	if q, err := Parse(nil); err != nil || q.QueryType != TypeStats {
		t.Fatalf("empty query: %+v %v", q, err)
	}
	if _, err := Parse([]byte(`{"queryType":"nope"}`)); err == nil {
		t.Fatal("unknown type accepted")
	}
	if _, err := Parse([]byte(`{"queryType":`)); err == nil {
		t.Fatal("bad JSON accepted")
	}
}
