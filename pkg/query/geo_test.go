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

// The geo part of filters, for stores that resolve geography per client
// address (pkg/vlogs): split off exactly, and decided as the engine does.
func TestGeoClientMatch(t *testing.T) {
	f := Filters{Method: []string{"GET"}, ClientCountry: []string{"fr"},
		Adhoc: []AdhocFilter{{Key: "path", Operator: "=", Value: "/a"}, {Key: "clientCountry", Operator: "!=", Value: "unknown"}}}
	rest, geoOnly := SplitGeoFilters(f)
	if rest.ClientCountry != nil || len(rest.Adhoc) != 1 || rest.Adhoc[0].Key != "path" || len(rest.Method) != 1 {
		t.Errorf("rest: %+v", rest)
	}
	if len(geoOnly.ClientCountry) != 1 || len(geoOnly.Adhoc) != 1 || geoOnly.Adhoc[0].Key != "clientCountry" || geoOnly.Method != nil {
		t.Errorf("geo part: %+v", geoOnly)
	}
	if !f.HasGeoFilters() || rest.HasGeoFilters() {
		t.Errorf("HasGeoFilters: %v %v", f.HasGeoFilters(), rest.HasGeoFilters())
	}
	g := &fakeGeo{calls: map[string]int{}}
	match, err := GeoClientMatch(f, g)
	if err != nil {
		t.Fatal(err)
	}
	for ip, want := range map[string]bool{"10.0.0.1": true, "10.0.0.2": true, "10.0.0.3": false, "10.0.0.4": false, "": false} {
		if match(ip) != want {
			t.Errorf("%q: %v, want %v", ip, !want, want)
		}
	}
	if _, err := GeoClientMatch(f, nil); err == nil || !strings.Contains(err.Error(), "geoDatabase") {
		t.Errorf("no database: %v", err)
	}
	if err := CheckFiltersGeo(f, nil); err == nil {
		t.Errorf("CheckFiltersGeo without a database accepted a geo filter")
	}
	if err := CheckFiltersGeo(f, g); err != nil {
		t.Errorf("CheckFiltersGeo: %v", err)
	}
	of, err := BindGeo("clientCountry", g)
	if err != nil || of("10.0.0.3") != "US" || of("10.0.0.9") != GeoUnknown {
		t.Errorf("BindGeo: %v", err)
	}
	if _, err := BindGeo("clientAsn", g); err == nil || !strings.Contains(err.Error(), "no asn data") {
		t.Errorf("BindGeo without ASN data: %v", err)
	}
}
