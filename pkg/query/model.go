// Package query is the data source's query model: it validates queries and
// runs them against the index. Results are plain Go tables, with no Grafana
// types, so the engine can be tested and benchmarked alone.
package query

import (
	"encoding/json"
	"fmt"
)

// Filters narrows transaction queries. Every field is optional; list fields
// match any of their values.
type Filters struct {
	API       []string `json:"api,omitempty"`       // API id or name
	Instance  []string `json:"instance,omitempty"`  // firewall instance name
	Outcome   []string `json:"outcome,omitempty"`   // allowed, blocked, wouldBlock, unmatched
	ClientIP  string   `json:"clientIp,omitempty"`  // one address or a CIDR
	Path      string   `json:"path,omitempty"`      // exact, prefix ("/api/*" or "/api/…"), or glob
	Method    []string `json:"method,omitempty"`    // GET, POST, …
	Status    []string `json:"status,omitempty"`    // codes ("404") or classes ("4xx")
	ErrorStep []string `json:"errorStep,omitempty"` // e.g. hostpath_mapping

	Operation    []string `json:"operation,omitempty"`    // OpenAPI path template (oas_path)
	ErrorMessage []string `json:"errorMessage,omitempty"` // any error's message, exactly
	Hostname     []string `json:"hostname,omitempty"`     // Host the client called
	// Adhoc are Grafana's ad hoc filters on any dimension (all must hold).
	Adhoc []AdhocFilter `json:"adhoc,omitempty"`
	// Client geography (the geoDatabase setting, Engine.Geo): country code,
	// "AS<n> <org>", city; any of the values.
	ClientCountry []string `json:"clientCountry,omitempty"`
	ClientAsn     []string `json:"clientAsn,omitempty"`
	ClientCity    []string `json:"clientCity,omitempty"`
	// collectionAPIs is what Collection resolves to for transaction
	// queries (Engine.Collections, set by prepare on its copy): the ids of
	// the APIs of those collections; nil with Collection set is a bad query.
	collectionAPIs []string
	// geo resolves the geo filters (Engine.Geo, set by prepare on its copy).
	geo GeoLookup

	// Report queries (docs/query-model.md, "Reports"): the API filter above
	// applies too, the transaction-only filters do not.
	Collection []string `json:"collection,omitempty"` // collection id or name
	Tag        []string `json:"tag,omitempty"`        // API tag from the inventory
	Team       []string `json:"team,omitempty"`       // owning team id or name
}

// AdhocFilter is one Grafana ad hoc filter: Key is a dimension (Dimensions),
// Operator one of = != =~ !~; the regular expressions are RE2, anchored
// (they must match the whole value), at most MaxPatternLength characters.
type AdhocFilter struct {
	Key      string `json:"key"`
	Operator string `json:"operator"`
	Value    string `json:"value"`
}

// MaxPatternLength bounds ad hoc regular expressions.
const MaxPatternLength = 256

// Query is one query as Grafana sends it (the JSON of a panel target).
type Query struct {
	RefID     string `json:"refId"`
	QueryType Type   `json:"queryType"`
	Dimension string `json:"dimension,omitempty"`
	SplitBy   string `json:"splitBy,omitempty"`
	Metric    string `json:"metric,omitempty"`
	Limit     int    `json:"limit,omitempty"`
	// Other (topN, traffic): false leaves out the remainder row or series
	// (OtherValue), which sums many values and is none of them (alert rules).
	// Default (absent): included.
	Other *bool  `json:"other,omitempty"`
	UUID  string `json:"uuid,omitempty"`
	// Columns (stats) keeps only these columns of the one-row result, in this
	// order; an alert condition needs exactly one number. Default: all.
	Columns []string `json:"columns,omitempty"`
	Filters Filters  `json:"filters"`

	// Grafana's bucket hints for traffic: intervalMs wins; else the range is
	// cut into at most maxDataPoints buckets.
	IntervalMs    int64 `json:"intervalMs,omitempty"`
	MaxDataPoints int64 `json:"maxDataPoints,omitempty"`
	// SilentAfter (instances): a Go duration such as "15m"; an instance with
	// no record for that long is silent. Default 15m.
	SilentAfter string `json:"silentAfter,omitempty"`

	// Report queries: auditIssues and inventory group by groupBy; trends
	// bucket by interval ("1d", "6h"; default chosen from the range); grades
	// overrides the grade thresholds.
	GroupBy  string           `json:"groupBy,omitempty"`
	Interval string           `json:"interval,omitempty"`
	Grades   *GradeThresholds `json:"grades,omitempty"`
}

// Parse decodes a query's JSON and checks that its type is one this engine runs.
func Parse(raw []byte) (Query, error) {
	var q Query
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &q); err != nil {
			return q, fmt.Errorf("query JSON: %w", err)
		}
	}
	if q.QueryType == "" {
		q.QueryType = TypeStats
	}
	if _, ok := LookupType(q.QueryType); !ok {
		return q, fmt.Errorf("query type %q is not supported by this version (supported: %s)", q.QueryType, typeNames())
	}
	return q, nil
}

// WithoutOther says whether the remainder row or series is to be left out.
func (q Query) WithoutOther() bool { return q.Other != nil && !*q.Other }
