package plugin

import (
	"net/url"
	"sort"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/apifw/monitor/pkg/query"
)

// explorerPath is the app's trace explorer page (contract §1).
const explorerPath = "/a/apifw-monitor-app/trace-explorer"

// traceLinks: from a transaction's uuid to its trace.
func traceLinks() []data.DataLink {
	return []data.DataLink{{Title: "Open trace", URL: explorerPath + "?uuid=${__value.raw}"}}
}

// dimensionLinks: from a topN row to the matching transactions.
func dimensionLinks(dimension string) []data.DataLink {
	p := query.ExplorerParam(dimension)
	if p == "" {
		return nil
	}
	return []data.DataLink{{Title: "Show transactions", URL: explorerPath + "?" + p + "=${__value.raw}&from=${__from}&to=${__to}"}}
}

// seriesLinks: from a traffic series to its transactions (the split value,
// when the explorer can filter on it; the whole range otherwise).
func seriesLinks(labels map[string]string) []data.DataLink {
	q := url.Values{}
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if p := query.ExplorerParam(k); p != "" && labels[k] != query.OtherValue {
			q.Add(p, labels[k])
		}
	}
	u := explorerPath + "?"
	if len(q) > 0 {
		u += q.Encode() + "&"
	}
	return []data.DataLink{{Title: "Show transactions", URL: u + "from=${__from}&to=${__to}"}}
}
