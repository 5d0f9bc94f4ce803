package query

import (
	"fmt"
	"strings"

	"github.com/apifw/monitor/pkg/geo"
	"github.com/apifw/monitor/pkg/index"
	"github.com/apifw/monitor/pkg/model"
)

// GeoLookup resolves a client address for the geo dimensions; *geo.DB is one.
type GeoLookup interface {
	Has(dimension string) bool
	Value(dimension, ip string) string
}

// geoDim is a DimensionSpecs entry for a dimension a geo database may add
// (geo.Country, geo.ASN, geo.City), read from the client address.
func geoDim(name, desc string) DimensionSpec {
	// The explorer filter of a geo dimension has its name (clientCountry…).
	return DimensionSpec{Name: name, Col: index.ColClientIP, Geo: true, ExplorerParam: name, Description: desc}
}

// IsGeoDimension says whether name is a geo dimension (DimensionSpec.Geo).
func IsGeoDimension(name string) bool {
	d, ok := LookupDimensionSpec(name)
	return ok && d.Geo
}

// errNoGeo says why a geo dimension is absent.
func errNoGeo(name string, g GeoLookup) error {
	if g == nil {
		return badQuery("dimension %s needs a geo database: set geoDatabase (a MaxMind-format .mmdb file) in the data source settings", name)
	}
	return badQuery("dimension %s: the configured geo database has no %s data", name, strings.TrimPrefix(strings.ToLower(name), "client"))
}

// bind gives a geo dimension its accessors on the database g: the value of
// a client address is what g says about it (GeoValue); an error when g does
// not hold the dimension. Other dimensions are returned as they are.
func (s DimensionSpec) bind(g GeoLookup) (DimensionSpec, error) {
	if !s.Geo {
		return s, nil
	}
	if g == nil || !g.Has(s.Name) {
		return s, errNoGeo(s.Name, g)
	}
	name := s.Name
	s.Value = func(d *index.Dicts, c uint32) string { return GeoValue(g, name, d.ClientIPs[c]) }
	s.Of = func(t *model.Transaction) string { return GeoValue(g, name, t.ClientIP) }
	return s, nil
}

// geoFilter compiles filters.clientCountry/clientAsn/clientCity (FilterSpecs):
// a predicate on the client address only, so the columnar scan decides it
// once per distinct address. Country codes match in any case.
func geoFilter(name string) func([]string, *Filters) (predicate, error) {
	return func(vs []string, f *Filters) (predicate, error) {
		spec, _ := LookupDimensionSpec(name)
		spec, err := spec.bind(f.geo)
		if err != nil {
			return predicate{}, fmt.Errorf("filters.%s: %w", name, err)
		}
		set := toSet(vs)
		if name == geo.Country {
			for _, v := range vs {
				set[strings.ToUpper(v)] = true // v itself stays: "unknown"
			}
		}
		of := spec.Of
		return predicate{tx: func(t *model.Transaction) bool { return set[of(t)] }}, nil
	}
}

// GeoUnknown is the value of a geo dimension for an address the database
// does not place (private and loopback addresses among them).
const GeoUnknown = "unknown"

// GeoValue is a geo dimension's value for one client address.
func GeoValue(g GeoLookup, dimension, ip string) string {
	if v := g.Value(dimension, ip); v != "" {
		return v
	}
	return GeoUnknown
}

// HasGeoFilters says whether f holds a filter on a geo dimension
// (filters.clientCountry, clientAsn, clientCity or an ad hoc filter on one).
func (f Filters) HasGeoFilters() bool {
	_, g := SplitGeoFilters(f)
	return len(g.ClientCountry)+len(g.ClientAsn)+len(g.ClientCity)+len(g.Adhoc) > 0
}

// SplitGeoFilters separates f's geo filters from the others. A store that
// has no geo database of its own (pkg/vlogs) answers rest itself and the
// geo part through GeoClientMatch, per distinct client address: the geo
// filters read nothing but the client address.
func SplitGeoFilters(f Filters) (rest, geoOnly Filters) {
	rest = f
	geoOnly.ClientCountry, geoOnly.ClientAsn, geoOnly.ClientCity = f.ClientCountry, f.ClientAsn, f.ClientCity
	rest.ClientCountry, rest.ClientAsn, rest.ClientCity = nil, nil, nil
	rest.Adhoc = nil
	for _, a := range f.Adhoc {
		if IsGeoDimension(a.Key) {
			geoOnly.Adhoc = append(geoOnly.Adhoc, a)
		} else {
			rest.Adhoc = append(rest.Adhoc, a)
		}
	}
	return rest, geoOnly
}

// CheckFiltersGeo validates filters as every transaction query of an
// engine with the geo database g does (the same errors).
func CheckFiltersGeo(f Filters, g GeoLookup) error {
	f.geo = g
	_, err := compile(f)
	return err
}

// GeoClientMatch compiles the geo filters of f (SplitGeoFilters; others
// are ignored) with the database g into a predicate on a client address's
// text: the engine's own predicates, so both stores agree.
func GeoClientMatch(f Filters, g GeoLookup) (func(ip string) bool, error) {
	_, geoOnly := SplitGeoFilters(f)
	geoOnly.geo = g
	m, err := compile(geoOnly)
	if err != nil {
		return nil, err
	}
	return func(ip string) bool { return m.match(&model.Transaction{ClientIP: ip}) }, nil
}

// BindGeo is a geo dimension's value for a client address with the
// database g (an error, the engine's, when g does not hold it).
func BindGeo(dimension string, g GeoLookup) (func(ip string) string, error) {
	spec, ok := LookupDimensionSpec(dimension)
	if !ok || !spec.Geo {
		return nil, badQuery("dimension %q is not a geo dimension", dimension)
	}
	if _, err := spec.bind(g); err != nil {
		return nil, err
	}
	return func(ip string) string { return GeoValue(g, dimension, ip) }, nil
}
