package plugin

import (
	"net/url"
	"sort"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/apifw/monitor/pkg/query"
)

// explorerPath is the app's trace explorer page (contract §1).
const explorerPath = "/a/apifw-monitor-app/trace-explorer"

// traceLinks: from a transaction's uuid to its trace, in the same time range.
func traceLinks() []data.DataLink {
	return []data.DataLink{{Title: "Open trace", URL: explorerPath + "?uuid=${__value.raw}&from=${__from}&to=${__to}"}}
}

// filterParams are the explorer parameters of a query's filters (those
// FilterSpecs gives the explorer), so a drill-down keeps the context the
// panel had (Grafana has interpolated the dashboard's variables before the
// query reaches the backend). The API is passed as the query named it (id or
// name: the explorer matches either).
func filterParams(f query.Filters) url.Values {
	q := url.Values{}
	for _, spec := range query.FilterSpecs {
		if !spec.Explorer {
			continue
		}
		for _, v := range spec.Values(&f) {
			if v != "" && v != "$__all" {
				q.Add(spec.Key, v)
			}
		}
	}
	return q
}

// dimensionLinks: from a topN row to the matching transactions (the
// query's filters, narrowed to the row's value).
func dimensionLinks(dimension string, filters ...query.Filters) []data.DataLink {
	p := query.ExplorerParam(dimension)
	if p == "" {
		return nil
	}
	q := url.Values{}
	if len(filters) > 0 {
		q = filterParams(filters[0])
	}
	q.Del(p)
	prefix := ""
	if len(q) > 0 {
		prefix = q.Encode() + "&"
	}
	return []data.DataLink{{Title: "Show transactions", URL: explorerPath + "?" + prefix + p + "=${__value.raw}&from=${__from}&to=${__to}"}}
}

// seriesLinks: from a traffic series to its transactions (the split value,
// when the explorer can filter on it, and an API's name with its id; the
// whole range otherwise).
func seriesLinks(labels map[string]string, filters ...query.Filters) []data.DataLink {
	q := url.Values{}
	if len(filters) > 0 {
		q = filterParams(filters[0])
	}
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if p := query.ExplorerParam(k); p != "" && labels[k] != query.OtherValue {
			q.Set(p, labels[k]) // the series narrows the query's filter
		}
	}
	// The API by name too (shown by the explorer), the id filtering exactly.
	if name := labels["apiName"]; name != "" && labels["api"] != "" && labels["api"] != query.OtherValue {
		q.Set("apiName", name)
	}
	u := explorerPath + "?"
	if len(q) > 0 {
		u += q.Encode() + "&"
	}
	return []data.DataLink{{Title: "Show transactions", URL: u + "from=${__from}&to=${__to}"}}
}
