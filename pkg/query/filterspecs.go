package query

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/apifw/monitor/pkg/geo"
	"github.com/apifw/monitor/pkg/index"
	"github.com/apifw/monitor/pkg/model"
)

// FilterKind is how a filter holds its values in the query JSON.
type FilterKind string

const (
	FilterKindList FilterKind = "list" // an array of strings; any value matches
	FilterKindText FilterKind = "text" // one string
)

// FilterSpec is one filter of Filters: its JSON key (a public contract), the
// query types it applies to, the index column its predicate reads, how it
// compiles, and whether the trace explorer has a URL parameter of the same
// name for it. The inspector text of every filter is `key = "v"` or
// `key in ("v1", "v2")` (FilterText).
type FilterSpec struct {
	Key  string
	Kind FilterKind
	// Sources are the query sources the filter narrows.
	Sources []Source
	// Col is the index column the transaction predicate reads (ColTuple,
	// ColClientIP or ColPath); unused for report-only filters.
	Col index.Col
	// Explorer: the trace explorer takes the filter as URL parameter Key.
	Explorer bool
	// Description is one line for the contract file and the docs.
	Description string

	// values reads the filter's values from Filters (nil or empty: absent).
	values func(f *Filters) []string
	// compile turns present values into a predicate on transactions; nil
	// for report-only filters (pkg/query/reports.go reads those itself).
	compile func(values []string, f *Filters) (predicate, error)
}

// predicate is a compiled transaction filter: tx on records, or addr on the
// parsed client address (the client filter, matched once per distinct
// address by the columnar scan).
type predicate struct {
	tx   func(*model.Transaction) bool
	addr func(a netip.Addr, ok bool) bool
}

var (
	bothSources = []Source{FromTransactions, FromReports}
	txSource    = []Source{FromTransactions}
	reportsOnly = []Source{FromReports}
)

func one(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// tupleSet compiles a list filter matching one tuple field exactly.
func tupleSet(field func(t *model.Transaction) string) func([]string, *Filters) (predicate, error) {
	return func(vs []string, _ *Filters) (predicate, error) {
		set := toSet(vs)
		return predicate{tx: func(t *model.Transaction) bool { return set[field(t)] }}, nil
	}
}

// txFilter adapts a constructor of a record predicate.
func txFilter(build func(values []string) (func(*model.Transaction) bool, error)) func([]string, *Filters) (predicate, error) {
	return func(vs []string, _ *Filters) (predicate, error) {
		p, err := build(vs)
		return predicate{tx: p}, err
	}
}

// clientIPFilter compiles filters.clientIp to a predicate on parsed addresses.
func clientIPFilter(vs []string, _ *Filters) (predicate, error) {
	p, err := clientIPPredicate(vs[0])
	return predicate{addr: p}, err
}

// anyError compiles a list filter matching any of a record's errors.
func anyError(field func(e model.TransactionError) string) func([]string, *Filters) (predicate, error) {
	return func(vs []string, _ *Filters) (predicate, error) {
		set := toSet(vs)
		return predicate{tx: func(t *model.Transaction) bool {
			for _, e := range t.Errors {
				if set[field(e)] {
					return true
				}
			}
			return false
		}}, nil
	}
}

// FilterSpecs is every filter, one entry each, in the order the query
// inspector lists them. To add a filter: a field of Filters, an entry here
// (and the TypeScript FILTER_SPECS entry; the contract test checks both
// agree, and TestFilterSpecsCoverFilters that every field has an entry).
var FilterSpecs = []FilterSpec{
	{Key: "api", Kind: FilterKindList, Sources: bothSources, Col: index.ColTuple, Explorer: true,
		Description: "API id or name",
		values:      func(f *Filters) []string { return f.API },
		compile: func(vs []string, _ *Filters) (predicate, error) {
			set := toSet(vs)
			return predicate{tx: func(t *model.Transaction) bool { return set[t.APIID] || set[t.APIName] }}, nil
		}},
	{Key: "collection", Kind: FilterKindList, Sources: bothSources, Col: index.ColTuple, Explorer: true,
		Description: "collection id or name (transactions: the APIs of those collections per the inventory)",
		values:      func(f *Filters) []string { return f.Collection },
		compile: func(_ []string, f *Filters) (predicate, error) {
			if f.collectionAPIs == nil {
				return predicate{}, badQuery("filters.collection: collections are not resolved (no inventory reports)")
			}
			set := toSet(f.collectionAPIs)
			return predicate{tx: func(t *model.Transaction) bool { return set[t.APIID] }}, nil
		}},
	{Key: "instance", Kind: FilterKindList, Sources: txSource, Col: index.ColTuple, Explorer: true,
		Description: "firewall instance name",
		values:      func(f *Filters) []string { return f.Instance },
		compile:     tupleSet(func(t *model.Transaction) string { return t.Instance })},
	{Key: "hostname", Kind: FilterKindList, Sources: txSource, Col: index.ColTuple, Explorer: true,
		Description: "Host the client called",
		values:      func(f *Filters) []string { return f.Hostname },
		compile:     tupleSet(func(t *model.Transaction) string { return t.Hostname })},
	{Key: "outcome", Kind: FilterKindList, Sources: txSource, Col: index.ColTuple, Explorer: true,
		Description: "allowed, blocked, wouldBlock, unmatched",
		values:      func(f *Filters) []string { return f.Outcome },
		compile: func(vs []string, _ *Filters) (predicate, error) {
			var want [4]bool
			for _, s := range vs {
				o, ok := model.ParseOutcome(s)
				if !ok {
					return predicate{}, badQuery("filters.outcome: unknown outcome %q (allowed, blocked, wouldBlock, unmatched)", s)
				}
				want[o] = true
			}
			return predicate{tx: func(t *model.Transaction) bool { return want[t.Outcome] }}, nil
		}},
	{Key: "clientIp", Kind: FilterKindText, Sources: txSource, Col: index.ColClientIP, Explorer: true,
		Description: "one client address or a CIDR",
		values:      func(f *Filters) []string { return one(f.ClientIP) },
		compile:     clientIPFilter},
	{Key: "path", Kind: FilterKindText, Sources: txSource, Col: index.ColPath, Explorer: true,
		Description: `exact, prefix ("/api/*") or glob`,
		values:      func(f *Filters) []string { return one(f.Path) },
		compile:     txFilter(func(vs []string) (func(*model.Transaction) bool, error) { return pathPredicate(vs[0]) })},
	{Key: "operation", Kind: FilterKindList, Sources: txSource, Col: index.ColTuple, Explorer: true,
		Description: "OpenAPI path template (oas_path)",
		values:      func(f *Filters) []string { return f.Operation },
		compile:     tupleSet(func(t *model.Transaction) string { return t.Operation })},
	{Key: "method", Kind: FilterKindList, Sources: txSource, Col: index.ColTuple, Explorer: true,
		Description: "HTTP method, any case",
		values:      func(f *Filters) []string { return f.Method },
		compile: func(vs []string, _ *Filters) (predicate, error) {
			set := map[string]bool{}
			for _, s := range vs {
				set[strings.ToUpper(s)] = true
			}
			return predicate{tx: func(t *model.Transaction) bool { return set[strings.ToUpper(t.Method)] }}, nil
		}},
	{Key: "status", Kind: FilterKindList, Sources: txSource, Col: index.ColTuple, Explorer: true,
		Description: `status codes ("404") or classes ("4xx")`,
		values:      func(f *Filters) []string { return f.Status },
		compile:     txFilter(statusPredicate)},
	{Key: "errorStep", Kind: FilterKindList, Sources: txSource, Col: index.ColTuple, Explorer: true,
		Description: "processing step of any error (e.g. hostpath_mapping)",
		values:      func(f *Filters) []string { return f.ErrorStep },
		compile:     anyError(func(e model.TransactionError) string { return e.Step })},
	{Key: "errorMessage", Kind: FilterKindList, Sources: txSource, Col: index.ColTuple, Explorer: true,
		Description: "any error's message, exactly",
		values:      func(f *Filters) []string { return f.ErrorMessage },
		compile:     anyError(func(e model.TransactionError) string { return e.Message })},
	{Key: "clientCountry", Kind: FilterKindList, Sources: txSource, Col: index.ColClientIP, Explorer: true,
		Description: "country code of the client IP, any case, or unknown (needs the geoDatabase setting)",
		values:      func(f *Filters) []string { return f.ClientCountry },
		compile:     geoFilter(geo.Country)},
	{Key: "clientAsn", Kind: FilterKindList, Sources: txSource, Col: index.ColClientIP, Explorer: true,
		Description: `autonomous system of the client IP, "AS<n> <org>" (needs a geoDatabase with ASN data)`,
		values:      func(f *Filters) []string { return f.ClientAsn },
		compile:     geoFilter(geo.ASN)},
	{Key: "clientCity", Kind: FilterKindList, Sources: txSource, Col: index.ColClientIP, Explorer: true,
		Description: "city of the client IP (needs a geoDatabase with city data)",
		values:      func(f *Filters) []string { return f.ClientCity },
		compile:     geoFilter(geo.City)},
	{Key: "tag", Kind: FilterKindList, Sources: reportsOnly,
		Description: "API tag from the inventory",
		values:      func(f *Filters) []string { return f.Tag }},
	{Key: "team", Kind: FilterKindList, Sources: reportsOnly,
		Description: "owning team id or name",
		values:      func(f *Filters) []string { return f.Team }},
}

// Values are the filter's values in f (nil or empty: absent).
func (s FilterSpec) Values(f *Filters) []string { return s.values(f) }

// FilterText is the filters in readable form for the query inspector:
// `api = "a" and status in ("404", "5xx") and path = "/x"`, then the ad hoc
// filters; "" without filters.
func FilterText(f Filters) string {
	var w []string
	for _, spec := range FilterSpecs {
		vs := spec.values(&f)
		switch {
		case len(vs) == 1:
			w = append(w, fmt.Sprintf("%s = %q", spec.Key, vs[0]))
		case len(vs) > 1:
			q := make([]string, len(vs))
			for i, v := range vs {
				q[i] = fmt.Sprintf("%q", v)
			}
			w = append(w, fmt.Sprintf("%s in (%s)", spec.Key, strings.Join(q, ", ")))
		}
	}
	for _, a := range f.Adhoc {
		w = append(w, fmt.Sprintf("%s %s %q", a.Key, a.Operator, a.Value))
	}
	return strings.Join(w, " and ")
}
