package plugin

import (
	"fmt"
	"strings"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/apifw/monitor/pkg/query"
)

// statsFrame is the one-row numeric table of a stats query: alert rules read
// each column as a number. columns, when set, keeps only those columns in
// that order (an alert condition needs exactly one number).
func statsFrame(refID string, r query.StatsResult, columns []string) (*data.Frame, error) {
	f := data.NewFrame("stats",
		data.NewField("total", nil, []int64{r.Total}),
		data.NewField("allowed", nil, []int64{r.Allowed}),
		data.NewField("blocked", nil, []int64{r.Blocked}),
		data.NewField("wouldBlock", nil, []int64{r.WouldBlock}),
		data.NewField("unmatched", nil, []int64{r.Unmatched}),
		data.NewField("blockedRatio", nil, []float64{r.BlockedRatio}).SetConfig(&data.FieldConfig{Unit: "percentunit"}),
		data.NewField("distinctClients", nil, []int64{r.DistinctClients}),
		data.NewField("instances", nil, []int64{r.Instances}),
		data.NewField("durationP50", nil, []int64{r.DurationP50}).SetConfig(&data.FieldConfig{Unit: "µs"}),
		data.NewField("durationP90", nil, []int64{r.DurationP90}).SetConfig(&data.FieldConfig{Unit: "µs"}),
		data.NewField("durationP99", nil, []int64{r.DurationP99}).SetConfig(&data.FieldConfig{Unit: "µs"}),
	)
	f.RefID = refID
	f.Meta = &data.FrameMeta{Type: data.FrameTypeNumericWide, TypeVersion: data.FrameTypeVersion{0, 1}}
	if len(columns) > 0 {
		return selectColumns(f, columns)
	}
	return f, nil
}

// selectColumns keeps only the named columns of a one-row numeric frame, in
// that order (an alert condition needs exactly one number).
func selectColumns(f *data.Frame, columns []string) (*data.Frame, error) {
	byName := make(map[string]*data.Field, len(f.Fields))
	names := make([]string, len(f.Fields))
	for i, field := range f.Fields {
		byName[field.Name], names[i] = field, field.Name
	}
	selected := make([]*data.Field, 0, len(columns))
	for _, c := range columns {
		field, ok := byName[c]
		if !ok {
			return nil, fmt.Errorf("columns: unknown %s column %q (one of %s)", f.Name, c, strings.Join(names, ", "))
		}
		selected = append(selected, field)
	}
	f.Fields = selected
	return f, nil
}
