package query

import (
	"slices"
	"strconv"

	"github.com/apifw/monitor/pkg/geo"
	"github.com/apifw/monitor/pkg/index"
	"github.com/apifw/monitor/pkg/model"
)

// DimensionSpec is one dimension: a value topN groups by, traffic splits by,
// ad hoc filters and variables read. Names are a public contract.
type DimensionSpec struct {
	Name string
	// Col is the index column holding the value: ColClientIP, ColPath or
	// ColTuple (a field of the tuple).
	Col index.Col
	// Value reads it from the index: code is an entry of Col's dictionary
	// (for ColTuple: a tuple).
	Value func(d *index.Dicts, code uint32) string
	// Of reads it from a materialised record (ad hoc filters, and the
	// reference the columnar path must agree with).
	Of func(t *model.Transaction) string
	// ExplorerParam is the trace explorer's URL parameter that filters on
	// the value (data links from topN rows and traffic series); "" when the
	// explorer has none.
	ExplorerParam string
	// Description says where the value comes from (for the contract file
	// and the docs).
	Description string
	// Geo: the value is what the geo database (Engine.Geo, the geoDatabase
	// setting) says about the client address (Col is ColClientIP, and
	// several addresses share a value). Value and Of are nil: bind gives
	// them the engine's database (geo.go).
	Geo bool
}

// tupleDim is a dimension read from a field of the tuple.
func tupleDim(name string, f func(d *index.Dicts, t index.Tuple) string, of func(t *model.Transaction) string, explorer, desc string) DimensionSpec {
	return DimensionSpec{Name: name, Col: index.ColTuple, Value: func(d *index.Dicts, c uint32) string { return f(d, d.Tuples[c]) }, Of: of, ExplorerParam: explorer, Description: desc}
}

// DimensionSpecs is every dimension, one line each, in the order the
// editors offer them. To add a dimension: a line here (and the TypeScript
// DIMENSION_SPECS entry; the contract test checks both agree).
var DimensionSpecs = []DimensionSpec{
	{Name: "clientIp", Col: index.ColClientIP, Value: func(d *index.Dicts, c uint32) string { return d.ClientIPs[c] },
		Of: func(t *model.Transaction) string { return t.ClientIP }, ExplorerParam: "clientIp", Description: "source_ip as written"},
	{Name: "path", Col: index.ColPath, Value: func(d *index.Dicts, c uint32) string { return d.Paths.At(int(c)) },
		Of: func(t *model.Transaction) string { return t.Path }, ExplorerParam: "path", Description: "the request path (uri_path)"},
	tupleDim("operation", func(d *index.Dicts, t index.Tuple) string { return d.Operations[t.Operation] },
		func(t *model.Transaction) string { return t.Operation }, "operation", "the OpenAPI path template matched (oas_path)"),
	tupleDim("method", func(d *index.Dicts, t index.Tuple) string { return d.Methods[t.Method] },
		func(t *model.Transaction) string { return t.Method }, "method", "HTTP method"),
	tupleDim("status", func(_ *index.Dicts, t index.Tuple) string { return strconv.Itoa(int(t.Status)) },
		func(t *model.Transaction) string { return strconv.Itoa(t.Status) }, "status", "HTTP status code"),
	// The explorer's status filter takes classes like 4xx.
	tupleDim("statusClass", func(_ *index.Dicts, t index.Tuple) string { return statusClass(int(t.Status)) },
		func(t *model.Transaction) string { return statusClass(t.Status) }, "status", "1xx … 5xx"),
	tupleDim("errorStep", func(d *index.Dicts, t index.Tuple) string { return model.LastError(d.Errors[t.Errors]).Step },
		func(t *model.Transaction) string { return model.LastError(t.Errors).Step }, "errorStep", "processing step of the last error (the block reason)"),
	tupleDim("errorMessage", func(d *index.Dicts, t index.Tuple) string { return model.LastError(d.Errors[t.Errors]).Message },
		func(t *model.Transaction) string { return model.LastError(t.Errors).Message }, "errorMessage", "message of the last error"),
	tupleDim("api", func(d *index.Dicts, t index.Tuple) string { return d.APIs[t.API].ID },
		func(t *model.Transaction) string { return t.APIID }, "api", "API id (with its name)"),
	tupleDim("instance", func(d *index.Dicts, t index.Tuple) string { return d.Instances[t.Instance] },
		func(t *model.Transaction) string { return t.Instance }, "instance", "firewall instance"),
	tupleDim("hostname", func(d *index.Dicts, t index.Tuple) string { return d.Hostnames[t.Hostname] },
		func(t *model.Transaction) string { return t.Hostname }, "hostname", "the host the client called (hostname)"),
	tupleDim("blockingLevel", func(_ *index.Dicts, t index.Tuple) string { return levelText(int(t.BlockingLevel)) },
		func(t *model.Transaction) string { return levelText(t.BlockingLevel) }, "", "the enforcement level the firewall reported (blocking_level); empty when none"),
	tupleDim("outcome", func(_ *index.Dicts, t index.Tuple) string { return t.Outcome.String() },
		func(t *model.Transaction) string { return t.Outcome.String() }, "outcome", "allowed, blocked, would block, unmatched"),
	// Client geography: only with a geoDatabase holding the data.
	geoDim(geo.Country, "country code of the client IP (needs the geoDatabase setting)"),
	geoDim(geo.ASN, "autonomous system of the client IP (needs a geoDatabase with ASN data)"),
	geoDim(geo.City, "city of the client IP (needs a geoDatabase with city data)"),
}

// Dimensions are the dimension names, in DimensionSpecs order.
var Dimensions = func() []string {
	names := make([]string, len(DimensionSpecs))
	for i, d := range DimensionSpecs {
		names[i] = d.Name
	}
	return names
}()

// LookupDimensionSpec finds a dimension by name.
func LookupDimensionSpec(name string) (DimensionSpec, bool) {
	if i := slices.IndexFunc(DimensionSpecs, func(d DimensionSpec) bool { return d.Name == name }); i >= 0 {
		return DimensionSpecs[i], true
	}
	return DimensionSpec{}, false
}

// ExplorerParam is the trace explorer's URL parameter for a dimension; ""
// for unknown dimensions and those the explorer has no filter for.
func ExplorerParam(dimension string) string {
	d, _ := LookupDimensionSpec(dimension)
	return d.ExplorerParam
}

// dimension is what the scans need of a DimensionSpec (col may be narrowed
// by a scan, so it is a copy).
type dimension struct {
	name  string
	col   index.Col // ColClientIP, ColPath or ColTuple
	value func(d *index.Dicts, code uint32) string
	merge bool // several codes of col share a value (Geo): ranked by value
}

// lookupDimension finds a dimension and binds it to the geo database g (nil:
// none; the geo dimensions are then a bad query).
func lookupDimension(name string, g GeoLookup) (dimension, error) {
	d, ok := LookupDimensionSpec(name)
	if !ok {
		return dimension{}, badQuery("dimension %q is not one of %v", name, Dimensions)
	}
	d, err := d.bind(g)
	if err != nil {
		return dimension{}, err
	}
	return dimension{d.Name, d.Col, d.Value, d.Geo}, nil
}

// dimensionOf gives the value of a dimension for a materialised record (the
// reference the columnar path must agree with); "" for unknown names and
// the geo dimensions (they need a database).
func dimensionOf(name string, t *model.Transaction) string {
	if d, ok := LookupDimensionSpec(name); ok && d.Of != nil {
		return d.Of(t)
	}
	return ""
}

// levelText is a blocking level in decimal; "" for none (-1).
func levelText(level int) string {
	if level < 0 {
		return ""
	}
	return strconv.Itoa(level)
}

// statusClass is "4xx" for 404; "unknown" outside 100–599 (no status).
func statusClass(s int) string {
	if s < 100 || s > 599 {
		return "unknown"
	}
	return strconv.Itoa(s/100) + "xx"
}
