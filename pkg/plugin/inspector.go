package plugin

import (
	"fmt"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/apifw/monitor/pkg/query"
)

// Names of the query inspector's stats on every frame.
const (
	statRecordsScanned = "Records scanned"
	statTimeTaken      = "Time taken"
)

// annotate puts the executed query (readable, one line) and the inspector's
// stats on every frame: records scanned (transaction queries) and time taken.
func annotate(frames data.Frames, dq backend.DataQuery, q *query.Query, took time.Duration, scanned int64) {
	text := executedQuery(dq, q)
	for _, f := range frames {
		if f.Meta == nil {
			f.Meta = &data.FrameMeta{}
		}
		f.Meta.ExecutedQueryString = text
		if q != nil && query.IsTransactionType(q.QueryType) {
			if q.QueryType == query.TypeTrace {
				scanned = 1
			}
			f.Meta.Stats = append(f.Meta.Stats, data.QueryStat{FieldConfig: data.FieldConfig{DisplayName: statRecordsScanned}, Value: float64(scanned)})
		}
		f.Meta.Stats = append(f.Meta.Stats, data.QueryStat{FieldConfig: data.FieldConfig{DisplayName: statTimeTaken, Unit: "ms"}, Value: float64(took.Microseconds()) / 1000})
	}
}

// executedQuery is the query in readable form: type, options, filters, range.
func executedQuery(dq backend.DataQuery, q *query.Query) string {
	if q == nil {
		return "invalid query: " + string(dq.JSON)
	}
	parts := []string{string(q.QueryType)}
	opt := func(name, v string) {
		if v != "" {
			parts = append(parts, name+"="+v)
		}
	}
	opt("dimension", q.Dimension)
	opt("splitBy", q.SplitBy)
	opt("metric", q.Metric)
	opt("uuid", q.UUID)
	opt("groupBy", q.GroupBy)
	opt("interval", q.Interval)
	opt("silentAfter", q.SilentAfter)
	if q.Limit != 0 {
		opt("limit", fmt.Sprint(q.Limit))
	}
	if q.IntervalMs != 0 {
		opt("intervalMs", fmt.Sprint(q.IntervalMs))
	}
	opt("columns", strings.Join(q.Columns, ","))
	if w := query.FilterText(q.Filters); w != "" {
		parts = append(parts, "where "+w)
	}
	if q.QueryType != query.TypeTrace {
		parts = append(parts, fmt.Sprintf("range [%s, %s)", dq.TimeRange.From.UTC().Format(time.RFC3339), dq.TimeRange.To.UTC().Format(time.RFC3339)))
	}
	return strings.Join(parts, " ")
}
