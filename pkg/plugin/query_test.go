package plugin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/apifw/monitor/pkg/query"
)

func TestQueryDataAnswersEveryRefID(t *testing.T) {
	ds := newTestDatasource(t, `{"logRoots":["`+traceRoot(t)+`"],"maxConcurrentQueries":2}`)
	from := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	tr := backend.TimeRange{From: from, To: from.Add(time.Minute)}
	queries := map[string]struct {
		js    string
		total int64 // stats total; -1: an error
	}{
		"all":           {`{"queryType":"stats"}`, 4},
		"operation":     {`{"queryType":"stats","filters":{"operation":["/pets/{id}"]}}`, 1},
		"hostname":      {`{"queryType":"stats","filters":{"hostname":["pets.example"]}}`, 1},
		"errorMessage":  {`{"queryType":"stats","filters":{"errorMessage":["path not defined in OAS"]}}`, 1},
		"adhoc":         {`{"queryType":"stats","filters":{"adhoc":[{"key":"clientIp","operator":"=~","value":"10\\.0\\.0\\.[12]"},{"key":"instance","operator":"!=","value":"fw-2"}]}}`, 2},
		"bad adhoc":     {`{"queryType":"stats","filters":{"adhoc":[{"key":"clientIp","operator":"=~","value":"("}]}}`, -1},
		"no reports":    {`{"queryType":"stats","filters":{"collection":["c"]}}`, -1},
		"not json":      {`{"queryType":`, -1},
		"unknown limit": {`{"queryType":"transactions","limit":20000}`, -1},
	}
	req := &backend.QueryDataRequest{}
	for ref, q := range queries {
		req.Queries = append(req.Queries, backend.DataQuery{RefID: ref, JSON: json.RawMessage(q.js), TimeRange: tr})
	}
	resp, err := ds.QueryData(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Responses) != len(queries) {
		t.Fatalf("%d responses for %d queries", len(resp.Responses), len(queries))
	}
	for ref, q := range queries {
		r := resp.Responses[ref]
		if q.total < 0 {
			if r.Error == nil || r.ErrorSource != backend.ErrorSourceDownstream || r.Status != backend.StatusBadRequest {
				t.Errorf("%s: want a downstream bad request, got %+v", ref, r)
			}
			continue
		}
		if r.Error != nil {
			t.Fatalf("%s: %v", ref, r.Error)
		}
		f := r.Frames[0]
		if got := f.Fields[0].At(0).(int64); got != q.total {
			t.Errorf("%s: total %d, want %d", ref, got, q.total)
		}
		if f.Meta == nil || !strings.HasPrefix(f.Meta.ExecutedQueryString, "stats") || len(f.Meta.Stats) != 2 {
			t.Errorf("%s: meta %+v", ref, f.Meta)
		}
	}
	if s := resp.Responses["adhoc"].Frames[0].Meta.ExecutedQueryString; s != `stats where clientIp =~ "10\\.0\\.0\\.[12]" and instance != "fw-2" range [2026-01-01T12:00:00Z, 2026-01-01T12:01:00Z)` {
		t.Errorf("executed query %s", s)
	}
}

// A query waits for a free slot; a request cancelled while waiting answers
// without running.
func TestQueryDataConcurrencyBound(t *testing.T) {
	ds := newTestDatasource(t, `{"logRoots":["`+traceRoot(t)+`"],"maxConcurrentQueries":1}`)
	if cap(ds.slots) != 1 {
		t.Fatalf("slots %d", cap(ds.slots))
	}
	ds.slots <- struct{}{} // the only slot is taken
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	resp, _ := ds.QueryData(ctx, &backend.QueryDataRequest{Queries: []backend.DataQuery{{RefID: "A", JSON: json.RawMessage(`{"queryType":"stats"}`)}}})
	if r := resp.Responses["A"]; r.Error == nil || r.Status != backend.StatusTimeout {
		t.Fatalf("got %+v", r)
	}
	<-ds.slots
	resp, _ = ds.QueryData(context.Background(), &backend.QueryDataRequest{Queries: []backend.DataQuery{{RefID: "A", JSON: json.RawMessage(`{"queryType":"stats"}`)}}})
	if r := resp.Responses["A"]; r.Error != nil {
		t.Fatalf("with a free slot: %v", r.Error)
	}
}

func TestQueryErrorResponse(t *testing.T) {
	cases := []struct {
		err    error
		status backend.Status
		source backend.ErrorSource
	}{
		{fmt.Errorf("x: %w", query.ErrNotFound), backend.StatusNotFound, backend.ErrorSourceDownstream},
		{fmt.Errorf("x: %w", query.ErrBadQuery), backend.StatusBadRequest, backend.ErrorSourceDownstream},
		{fmt.Errorf("x: %w", query.ErrLimit), backend.StatusBadRequest, backend.ErrorSourceDownstream},
		{fmt.Errorf("slow: %w", context.DeadlineExceeded), backend.StatusTimeout, backend.ErrorSourcePlugin},
		{errors.New("disk on fire"), backend.StatusInternal, backend.ErrorSourcePlugin},
	}
	for _, c := range cases {
		r := queryErrorResponse(c.err)
		if r.Status != c.status || r.ErrorSource != c.source {
			t.Errorf("%v: %v %v", c.err, r.Status, r.ErrorSource)
		}
	}
}

func TestDataLinks(t *testing.T) {
	cases := []struct {
		links []data.DataLink
		want  string
	}{
		{traceLinks(), "/a/apifw-monitor-app/trace-explorer?uuid=${__value.raw}&from=${__from}&to=${__to}"},
		{dimensionLinks("clientIp"), "/a/apifw-monitor-app/trace-explorer?clientIp=${__value.raw}&from=${__from}&to=${__to}"},
		{dimensionLinks("statusClass"), "/a/apifw-monitor-app/trace-explorer?status=${__value.raw}&from=${__from}&to=${__to}"},
		{dimensionLinks("hostname"), "/a/apifw-monitor-app/trace-explorer?hostname=${__value.raw}&from=${__from}&to=${__to}"},
		{dimensionLinks("clientCountry"), "/a/apifw-monitor-app/trace-explorer?clientCountry=${__value.raw}&from=${__from}&to=${__to}"},
		{dimensionLinks("blockingLevel"), ""},
		{seriesLinks(map[string]string{"api": "a b"}), "/a/apifw-monitor-app/trace-explorer?api=a+b&from=${__from}&to=${__to}"},
		{seriesLinks(map[string]string{"api": query.OtherValue}), "/a/apifw-monitor-app/trace-explorer?from=${__from}&to=${__to}"},
		// Drill-down keeps the query's filters (as Grafana interpolated them); the series or row narrows them.
		{seriesLinks(map[string]string{"api": "a1", "apiName": "Pets"}, query.Filters{API: []string{"a1", "a2"}, Instance: []string{"fw-1"}, Outcome: []string{"blocked"}, Collection: []string{"$__all"}}),
			"/a/apifw-monitor-app/trace-explorer?api=a1&apiName=Pets&instance=fw-1&outcome=blocked&from=${__from}&to=${__to}"},
		{dimensionLinks("clientIp", query.Filters{API: []string{"Pets"}, ClientIP: "10.0.0.0/8", Status: []string{"4xx"}}),
			"/a/apifw-monitor-app/trace-explorer?api=Pets&status=4xx&clientIp=${__value.raw}&from=${__from}&to=${__to}"},
	}
	for _, c := range cases {
		got := ""
		if len(c.links) > 0 {
			got = c.links[0].URL
		}
		if got != c.want {
			t.Errorf("got %s, want %s", got, c.want)
		}
	}
}

// other:false leaves out the remainder row / series (alert rules).
func TestOtherFalse(t *testing.T) {
	ds := newTestDatasource(t, `{"logRoots":["`+traceRoot(t)+`"]}`)
	from := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	tr := backend.TimeRange{From: from, To: from.Add(time.Minute)}
	cases := []struct {
		js     string
		frames int
		rows   int
	}{
		{`{"queryType":"topN","dimension":"clientIp","limit":1}`, 1, 2},
		{`{"queryType":"topN","dimension":"clientIp","limit":1,"other":false}`, 1, 1},
		{`{"queryType":"topN","dimension":"clientIp","limit":1,"other":true}`, 1, 2},
		{`{"queryType":"traffic","splitBy":"clientIp","limit":1,"intervalMs":60000}`, 2, 1},
		{`{"queryType":"traffic","splitBy":"clientIp","limit":1,"intervalMs":60000,"other":false}`, 1, 1},
	}
	for _, c := range cases {
		resp, _ := ds.QueryData(context.Background(), &backend.QueryDataRequest{Queries: []backend.DataQuery{{RefID: "A", TimeRange: tr, JSON: json.RawMessage(c.js)}}})
		r := resp.Responses["A"]
		if r.Error != nil || len(r.Frames) != c.frames || r.Frames[0].Rows() != c.rows {
			t.Errorf("%s: %d frames, %v", c.js, len(r.Frames), r.Error)
			continue
		}
		for _, f := range r.Frames {
			if f.Name == query.OtherValue && strings.Contains(c.js, `"other":false`) {
				t.Errorf("%s: the remainder series is there", c.js)
			}
		}
	}
}
