package plugin

import (
	"testing"
	"time"

	"github.com/apifw/monitor/pkg/query"
)

// Traffic split by API: the legend reads the API's name, the id stays a label
// (links, alert routing) next to the apiName label (alert summaries).
func TestTrafficByAPINamesTheSeries(t *testing.T) {
	res := query.TrafficResult{Metric: "count", SplitBy: "api", Buckets: []time.Time{time.Unix(0, 0)}, Series: []query.Series{
		{Name: "e9012d37-1111-4000-8000-000000000001", DisplayName: "Pets",
			Labels: map[string]string{"api": "e9012d37-1111-4000-8000-000000000001", "apiName": "Pets"}, Values: []float64{3}},
		{Name: "other", Other: true, Labels: map[string]string{"api": "other"}, Values: []float64{1}},
	}}
	frames := trafficFrames("A", res)
	v := frames[0].Fields[1]
	if v.Config.DisplayNameFromDS != "Pets" || v.Labels["api"] != "e9012d37-1111-4000-8000-000000000001" || v.Labels["apiName"] != "Pets" {
		t.Errorf("series %+v %+v", v.Config, v.Labels)
	}
	if len(v.Config.Links) != 1 || v.Config.Links[0].URL != "/a/apifw-monitor-app/trace-explorer?api=e9012d37-1111-4000-8000-000000000001&apiName=Pets&from=${__from}&to=${__to}" {
		t.Errorf("links %+v", v.Config.Links)
	}
	if o := frames[1].Fields[1]; o.Config.DisplayNameFromDS != "other" {
		t.Errorf("other %+v", o.Config)
	}
}
