package plugin

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

// Transaction queries filtered by inventory collection (Pets is in Payments,
// by id c1 or name), and the report-backed suggestions.
func TestCollectionFilterAndSuggestions(t *testing.T) {
	ds := reportDatasource(t)
	from := time.Date(2026, 1, 6, 0, 0, 0, 0, time.UTC)
	tr := backend.TimeRange{From: from, To: from.Add(24 * time.Hour)}
	cases := map[string]int64{
		`["Payments"]`: 3, `["c1"]`: 3, `["Media"]`: 0, `["nope"]`: 0, `["Media","c1"]`: 3,
	}
	for coll, want := range cases {
		resp, _ := ds.QueryData(context.Background(), &backend.QueryDataRequest{Queries: []backend.DataQuery{
			{RefID: "A", TimeRange: tr, JSON: json.RawMessage(`{"queryType":"stats","filters":{"collection":` + coll + `}}`)}}})
		r := resp.Responses["A"]
		if r.Error != nil {
			t.Fatalf("%s: %v", coll, r.Error)
		}
		if got := r.Frames[0].Fields[0].At(0).(int64); got != want {
			t.Errorf("collection %s: %d, want %d", coll, got, want)
		}
	}
	for field, want := range map[string]string{
		"collection":         "Media:1,Payments:1",
		"team":               "Core:1,Web:1",
		"tag":                "public:2,pci:1",
		"tag&prefix=PC":      "pci:1",
		"collection&limit=1": "Media:1",
	} {
		status, body := call(t, ds, nil, "GET", "suggestions?field="+field, "")
		var got []string
		for _, v := range body["values"].([]any) {
			m := v.(map[string]any)
			got = append(got, m["value"].(string)+":"+jsonNum(m["count"]))
		}
		if status != 200 || strings.Join(got, ",") != want {
			t.Errorf("%s: %d %v, want %s", field, status, got, want)
		}
	}
}
