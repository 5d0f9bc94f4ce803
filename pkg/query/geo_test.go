package query

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// fakeGeo places the fixture's client addresses by their last digit.
type fakeGeo struct{ calls map[string]int }

func (f *fakeGeo) Has(dim string) bool { return dim == "clientCountry" }

func (f *fakeGeo) Value(dim, ip string) string {
	f.calls[ip]++
	switch {
	case strings.HasSuffix(ip, ".1"), strings.HasSuffix(ip, ".2"):
		return "FR"
	case strings.HasSuffix(ip, ".3"):
		return "US"
	}
	return ""
}

func TestGeoDimension(t *testing.T) {
	ctx := context.Background()
	e := engine()
	// No database: the dimension is absent and says why.
	if _, err := e.TopN(ctx, Query{Dimension: "clientCountry"}, fixtureRange); !errors.Is(err, ErrBadQuery) || !strings.Contains(err.Error(), "geoDatabase") {
		t.Fatalf("no database: %v", err)
	}
	if _, err := e.TopN(ctx, Query{Dimension: "method", Filters: Filters{ClientCountry: []string{"FR"}}}, fixtureRange); err == nil || !strings.Contains(err.Error(), "geoDatabase") {
		t.Fatalf("filter without database: %v", err)
	}
	g := &fakeGeo{calls: map[string]int{}}
	e.Geo = g
	if _, err := e.TopN(ctx, Query{Dimension: "clientCity"}, fixtureRange); err == nil || !strings.Contains(err.Error(), "no city data") {
		t.Fatalf("city: %v", err)
	}
	all, err := e.TopN(ctx, Query{Dimension: "clientIp", Limit: 100}, fixtureRange)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{}
	for _, r := range all.Rows {
		v := g.Value("clientCountry", r.Value)
		if v == "" {
			v = GeoUnknown
		}
		want[v] += r.Count
	}
	res, err := e.TopN(ctx, Query{Dimension: "clientCountry", Limit: 100}, fixtureRange)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int64{}
	for _, r := range res.Rows {
		got[r.Value] = r.Count
	}
	if len(got) != len(want) || len(got) < 2 {
		t.Fatalf("countries %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %d, want %d", k, got[k], v)
		}
	}
	// Filter and split agree with the grouping.
	fr, err := e.Stats(ctx, Query{Filters: Filters{ClientCountry: []string{"fr"}}}, fixtureRange)
	if err != nil {
		t.Fatal(err)
	}
	if fr.Total != want["FR"] {
		t.Errorf("filtered %d, want %d", fr.Total, want["FR"])
	}
	tr, err := e.Traffic(ctx, Query{SplitBy: "clientCountry", IntervalMs: 60000}, fixtureRange)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range tr.Series {
		var n float64
		for _, v := range s.Values {
			n += v
		}
		if int64(n) != want[s.Name] || s.Labels["clientCountry"] != s.Name {
			t.Errorf("series %s: %v", s.Name, s.Values)
		}
	}
	// Each distinct address is resolved a bounded number of times, not once per row.
	for ip, n := range g.calls {
		if n > 20 {
			t.Errorf("%s resolved %d times", ip, n)
		}
	}
}
