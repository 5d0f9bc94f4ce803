package plugin

import (
	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/apifw/monitor/pkg/query"
)

// statsFrame is the one-row numeric table of a stats query: alert rules read
// each column as a number.
func statsFrame(refID string, r query.StatsResult) *data.Frame {
	f := data.NewFrame("stats",
		data.NewField("total", nil, []int64{r.Total}),
		data.NewField("allowed", nil, []int64{r.Allowed}),
		data.NewField("blocked", nil, []int64{r.Blocked}),
		data.NewField("wouldBlock", nil, []int64{r.WouldBlock}),
		data.NewField("unmatched", nil, []int64{r.Unmatched}),
		data.NewField("blockedRatio", nil, []float64{r.BlockedRatio}).SetConfig(&data.FieldConfig{Unit: "percentunit"}),
		data.NewField("distinctClients", nil, []int64{r.DistinctClients}),
		data.NewField("instances", nil, []int64{r.Instances}),
	)
	f.RefID = refID
	f.Meta = &data.FrameMeta{Type: data.FrameTypeNumericWide, TypeVersion: data.FrameTypeVersion{0, 1}}
	return f
}
