package plugin

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/apifw/monitor/pkg/model"
)

type spanTag struct {
	Key   string `json:"key"`
	Value any    `json:"value"`
}

// spansFrame is a Grafana trace data frame: the transaction as the root span
// ("0") and one span per processing step ("1"…), each step the child of the
// nearest earlier step of a smaller depth. Times in ms since the epoch.
func spansFrame(tx model.Transaction, det *model.TransactionDetail) *data.Frame {
	service := tx.Instance
	if service == "" {
		service = "api-firewall"
	}
	f := data.NewFrame("spans",
		data.NewField("traceID", nil, []string{}),
		data.NewField("spanID", nil, []string{}),
		data.NewField("parentSpanID", nil, []*string{}),
		data.NewField("operationName", nil, []string{}),
		data.NewField("serviceName", nil, []string{}),
		data.NewField("startTime", nil, []float64{}),
		data.NewField("duration", nil, []float64{}),
		data.NewField("tags", nil, []json.RawMessage{}),
	)
	f.Meta = &data.FrameMeta{PreferredVisualization: data.VisTypeTrace}
	rootStart := msOf(tx.Time)
	rootTags := []spanTag{{"http.method", tx.Method}, {"http.path", tx.Path}, {"http.status_code", tx.Status},
		{"outcome", tx.Outcome.String()}, {"api", tx.APIID}, {"client.ip", tx.ClientIP}}
	if last := model.LastError(tx.Errors); last.Step != "" {
		rootTags = append(rootTags, spanTag{"error", true}, spanTag{"error.step", last.Step}, spanTag{"error.message", last.Message})
	}
	f.AppendRow(tx.UUID, "0", (*string)(nil), tx.Method+" "+tx.Path, service, rootStart, usToMs(tx.DurationUS), tagsJSON(rootTags))

	failed := map[string]string{}
	for _, e := range det.Errors {
		failed[e.Step] = e.Message
	}
	type open struct {
		depth int
		id    string
	}
	var stack []open
	for i, s := range det.Traces {
		id := strconv.Itoa(i + 1)
		for len(stack) > 0 && stack[len(stack)-1].depth >= s.Depth {
			stack = stack[:len(stack)-1]
		}
		parent := "0"
		if len(stack) > 0 {
			parent = stack[len(stack)-1].id
		}
		stack = append(stack, open{s.Depth, id})
		start := rootStart
		if !s.Time.IsZero() {
			start = msOf(s.Time)
		}
		tags := []spanTag{{"depth", s.Depth}}
		if msg, bad := failed[s.Step]; bad {
			tags = append(tags, spanTag{"error", true}, spanTag{"error.message", msg})
		}
		p := parent
		f.AppendRow(tx.UUID, id, &p, s.Step, service, start, usToMs(s.DurationUS), tagsJSON(tags))
	}
	return f
}

func msOf(t time.Time) float64 { return float64(t.UnixMicro()) / 1000 }

func usToMs(us int64) float64 {
	if us < 0 {
		return 0
	}
	return float64(us) / 1000
}

func tagsJSON(tags []spanTag) json.RawMessage {
	b, _ := json.Marshal(tags)
	return b
}
