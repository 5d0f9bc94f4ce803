package query

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/apifw/monitor/pkg/index"
	"github.com/apifw/monitor/pkg/model"
)

// The per-dimension tuple → value cache follows its store: it is extended as
// the tuple dictionary grows and rebuilt for another store, so two stores
// queried in turn never see each other's values.
func TestTupleGroupsCacheFollowsTheStore(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	n := 0
	tx := func(api, name string, status int) model.Transaction {
		n++
		return model.Transaction{UUID: fmt.Sprintf("%08x-0000-4000-8000-000000000000", n), Time: t0.Add(time.Duration(n) * time.Second),
			APIID: api, APIName: name, Status: status, Outcome: model.OutcomeAllowed, Instance: "fw"}
	}
	tr := TimeRange{From: t0, To: t0.Add(time.Hour)}
	top := func(s *index.Store, dim string) string {
		res, err := (&Engine{Store: s}).TopN(context.Background(), Query{Dimension: dim, Limit: 10}, tr)
		if err != nil {
			t.Fatal(err)
		}
		out := ""
		for _, r := range res.Rows {
			out += fmt.Sprintf("%s/%s=%d ", r.Value, r.APIName, r.Count)
		}
		return out
	}
	a := index.NewStore()
	a.Append([]model.Transaction{tx("a1", "", 200), tx("a1", "Pets", 200), tx("a2", "Cats", 404)})
	if got, want := top(a, "api"), "a1/Pets=2 a2/Cats=1 "; got != want {
		t.Fatalf("store a: %q, want %q", got, want)
	}
	b := index.NewStore()
	b.Append([]model.Transaction{tx("b1", "Dogs", 500)})
	if got, want := top(b, "api"), "b1/Dogs=1 "; got != want {
		t.Fatalf("store b: %q, want %q", got, want)
	}
	// Store a grows: new tuples, a new value.
	a.Append([]model.Transaction{tx("a3", "Birds", 200), tx("a3", "Birds", 200), tx("a3", "Birds", 201)})
	if got, want := top(a, "api"), "a3/Birds=3 a1/Pets=2 a2/Cats=1 "; got != want {
		t.Fatalf("store a after growth: %q, want %q", got, want)
	}
	if got, want := top(a, "status"), "200/=4 201/=1 404/=1 "; got != want {
		t.Fatalf("status: %q, want %q", got, want)
	}
	if got, want := top(b, "status"), "500/=1 "; got != want {
		t.Fatalf("store b status: %q, want %q", got, want)
	}
}
