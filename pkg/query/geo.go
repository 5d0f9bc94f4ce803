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

// GeoDimensions are the dimensions a geo database may add (geo.Country,
// geo.ASN, geo.City), each derived from the client address.
var GeoDimensions = []string{geo.Country, geo.ASN, geo.City}

// IsGeoDimension says whether name is one of GeoDimensions.
func IsGeoDimension(name string) bool {
	for _, d := range GeoDimensions {
		if d == name {
			return true
		}
	}
	return false
}

// errNoGeo says why a geo dimension is absent.
func errNoGeo(name string, g GeoLookup) error {
	if g == nil {
		return badQuery("dimension %s needs a geo database: set geoDatabase (a MaxMind-format .mmdb file) in the data source settings", name)
	}
	return badQuery("dimension %s: the configured geo database has no %s data", name, strings.TrimPrefix(strings.ToLower(name), "client"))
}

// lookupDimension adds the geo dimensions (when the database holds them) to
// the plain ones: the value of a client address code is what the database
// says about it, "" when nothing; codes that share a value form one group.
func (e *Engine) lookupDimension(name string) (dimension, error) {
	if !IsGeoDimension(name) {
		return lookupDimension(name)
	}
	g := e.Geo
	if g == nil || !g.Has(name) {
		return dimension{}, errNoGeo(name, g)
	}
	return dimension{name: name, col: index.ColClientIP,
		value: func(d *index.Dicts, c uint32) string { return GeoValue(g, name, d.ClientIPs[c]) }}, nil
}

// addGeo compiles the geo filters: predicates on the client address only,
// so the columnar scan decides them once per distinct address.
func (m *matcher) addGeo(f Filters) error {
	for _, gf := range []struct {
		name   string
		values []string
	}{{geo.Country, f.ClientCountry}, {geo.ASN, f.ClientAsn}, {geo.City, f.ClientCity}} {
		if len(gf.values) == 0 {
			continue
		}
		if f.Geo == nil || !f.Geo.Has(gf.name) {
			return fmt.Errorf("filters.%s: %w", gf.name, errNoGeo(gf.name, f.Geo))
		}
		set, name, g := toSet(gf.values), gf.name, f.Geo
		if name == geo.Country { // codes in any case
			set = map[string]bool{}
			for _, v := range gf.values {
				set[strings.ToUpper(v)] = true
				set[v] = true // "unknown"
			}
		}
		p := func(t *model.Transaction) bool { return set[GeoValue(g, name, t.ClientIP)] }
		m.preds = append(m.preds, p)
		m.clientPreds = append(m.clientPreds, p)
	}
	return nil
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
