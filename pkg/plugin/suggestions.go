package plugin

import (
	"context"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/apifw/monitor/pkg/query"
)

// Suggestion is one value the query editor can offer.
type Suggestion struct {
	Value string `json:"value"`
	Label string `json:"label"`
	Count int64  `json:"count"`
}

const (
	defaultSuggestions = 100
	maxSuggestions     = 1000
	maxPrefix          = 100
)

// reportFields are suggested from the inventory reports, not the index.
var reportFields = []string{"collection", "tag", "team"}

// handleSuggestions: GET suggestions?field=&prefix=&from=&to=&limit=.
func (d *Datasource) handleSuggestions(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Query()
	field, prefix := p.Get("field"), p.Get("prefix")
	limit := defaultSuggestions
	if s := p.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			writeError(w, http.StatusBadRequest, "limit must be a positive number")
			return
		}
		limit = min(n, maxSuggestions)
	}
	if len(prefix) > maxPrefix {
		writeError(w, http.StatusBadRequest, "prefix longer than 100 characters")
		return
	}
	tr, err := rangeParams(p.Get("from"), p.Get("to"))
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	var values []Suggestion
	switch {
	case slices.Contains(reportFields, field):
		d.reports.Refresh()
		values = d.reportSuggestions(field)
		values = matching(values, prefix)
		values = values[:min(len(values), limit)]
	case slices.Contains(query.Dimensions, field):
		ctx, cancel, ok := d.indexContext(w, r)
		if !ok {
			return
		}
		defer cancel()
		if values, err = d.dimensionSuggestions(ctx, field, prefix, tr, limit); err != nil {
			writeError(w, int(queryErrorResponse(err).Status), err.Error())
			return
		}
	default:
		writeError(w, http.StatusBadRequest, "field "+strconv.Quote(field)+" is not one of "+strings.Join(append(slices.Clone(query.Dimensions), reportFields...), ", "))
		return
	}
	if values == nil {
		values = []Suggestion{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"values": values})
}

// rangeParams reads epoch-ms bounds; absent bounds are open.
func rangeParams(from, to string) (query.TimeRange, error) {
	var tr query.TimeRange
	for _, b := range []struct {
		s   string
		dst *time.Time
	}{{from, &tr.From}, {to, &tr.To}} {
		if b.s == "" {
			continue
		}
		ms, err := strconv.ParseInt(b.s, 10, 64)
		if err != nil {
			return tr, &badParam{"from and to must be epoch milliseconds"}
		}
		*b.dst = time.UnixMilli(ms).UTC()
	}
	return tr, nil
}

type badParam struct{ msg string }

func (e *badParam) Error() string { return e.msg }

// dimensionSuggestions ranks a dimension's values in the range by count with
// the engine's topN (one columnar pass, deleted records excluded). The
// prefix narrows the values first (a case-insensitive substring filter), so
// the limit applies to matching values; api also matches on its name.
func (d *Datasource) dimensionSuggestions(ctx context.Context, field, prefix string, tr query.TimeRange, limit int) ([]Suggestion, error) {
	q := query.Query{QueryType: query.TypeTopN, Dimension: field, Limit: limit}
	byText := field == "api" || query.IsGeoDimension(field) // few values: matched below by text
	if prefix != "" && !byText {
		q.Filters.Adhoc = []query.AdhocFilter{{Key: field, Operator: "=~", Value: "(?i).*" + regexp.QuoteMeta(prefix) + ".*"}}
	}
	if byText {
		q.Limit = maxSuggestions // APIs and countries are few; filter by id or name below
	}
	res, err := d.txEngine().TopN(ctx, q, tr)
	if err != nil {
		return nil, err
	}
	out := make([]Suggestion, 0, len(res.Rows))
	for _, row := range res.Rows {
		if row.Other || row.Value == "" { // nothing to pick: "no error", "no hostname"
			continue
		}
		label := row.Value
		if field == "api" && row.APIName != "" && row.APIName != "n/a" {
			label = row.APIName
		}
		out = append(out, Suggestion{Value: row.Value, Label: label, Count: row.Count})
	}
	if byText {
		out = matching(out, prefix)
	}
	return out[:min(len(out), limit)], nil
}

// matching keeps the suggestions whose value or label contains text (any case).
func matching(values []Suggestion, text string) []Suggestion {
	if text == "" {
		return values
	}
	t := strings.ToLower(text)
	out := values[:0:0]
	for _, v := range values {
		if strings.Contains(strings.ToLower(v.Value), t) || strings.Contains(strings.ToLower(v.Label), t) {
			out = append(out, v)
		}
	}
	return out
}

// reportSuggestions: collections, tags or teams of the inventory, each with
// its number of APIs, most APIs first.
func (d *Datasource) reportSuggestions(field string) []Suggestion {
	snap := d.reports.Snapshot()
	if snap == nil {
		return nil
	}
	counts := map[string]int64{}
	for _, a := range snap.APIs {
		switch field {
		case "collection":
			if a.CollectionID != "" {
				counts[a.Collection]++
			}
		case "team":
			if a.TeamID != "" {
				counts[a.Team]++
			}
		case "tag":
			for _, t := range a.Tags {
				counts[t]++
			}
		}
	}
	switch field { // known but empty collections and teams count 0
	case "collection":
		for id, name := range snap.Collections {
			if name == "" {
				name = id
			}
			if _, ok := counts[name]; !ok {
				counts[name] = 0
			}
		}
	case "team":
		for id, name := range snap.Teams {
			if name == "" {
				name = id
			}
			if _, ok := counts[name]; !ok {
				counts[name] = 0
			}
		}
	}
	out := make([]Suggestion, 0, len(counts))
	for v, n := range counts {
		out = append(out, Suggestion{Value: v, Label: v, Count: n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Value < out[j].Value
	})
	return out
}
