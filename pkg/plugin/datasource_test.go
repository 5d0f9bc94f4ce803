package plugin

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/experimental"
)

const fixtureRecords = `{"uuid":"u1","date_epoch":1767268800000000,"api":"a1","pod":{"instance_name":"fw-1"},"source_ip":"10.0.0.1","status":200,"errors":[]}
{"uuid":"u2","date_epoch":1767268801000000,"api":"a1","pod":{"instance_name":"fw-1"},"source_ip":"10.0.0.2","status":403,"errors":[{"step":"request_validation","message":"Fault: Request validation failed"}]}
{"uuid":"u3","date_epoch":1767268802000000,"api":"a1","pod":{"instance_name":"fw-2"},"source_ip":"10.0.0.2","status":200,"non_blocking_mode":true,"errors":[{"step":"hostpath_mapping","message":"path not defined in OAS"}]}
not json
`

// TestMain fixes what differs between runs: the time a query takes (in
// the inspector's stats) and where the state directories go.
func TestMain(m *testing.M) {
	since = func(time.Time) time.Duration { return 1500 * time.Microsecond }
	dir, err := os.MkdirTemp("", "apifw-plugin-test")
	if err != nil {
		panic(err)
	}
	os.Setenv("GF_PATHS_DATA", dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func newTestDatasource(t *testing.T, jsonData string) *Datasource {
	t.Helper()
	inst, err := NewDatasource(context.Background(), backend.DataSourceInstanceSettings{UID: strings.ReplaceAll(t.Name(), "/", "_"), JSONData: json.RawMessage(jsonData)})
	if err != nil {
		t.Fatal(err)
	}
	ds := inst.(*Datasource)
	t.Cleanup(ds.Dispose)
	return ds
}

func fixtureRoot(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	dir := filepath.Join(root, "fw-1")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "api-a1.transaction.log"), []byte(fixtureRecords), 0o644); err != nil {
		t.Fatal(err)
	}
	return root
}

func TestStatsQueryGolden(t *testing.T) {
	ds := newTestDatasource(t, `{"logRoots":["`+fixtureRoot(t)+`"]}`)
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	resp, err := ds.QueryData(context.Background(), &backend.QueryDataRequest{Queries: []backend.DataQuery{
		{RefID: "A", JSON: json.RawMessage(`{"queryType":"stats"}`), TimeRange: backend.TimeRange{From: from, To: from.Add(24 * time.Hour)}},
		{RefID: "B", JSON: json.RawMessage(`{"queryType":"stats","filters":{"outcome":["blocked"]}}`), TimeRange: backend.TimeRange{From: from, To: from.Add(24 * time.Hour)}},
		{RefID: "C", JSON: json.RawMessage(`{"queryType":"stats","filters":{"clientIp":"bogus"}}`), TimeRange: backend.TimeRange{From: from, To: from.Add(24 * time.Hour)}},
		{RefID: "D", JSON: json.RawMessage(`{"queryType":"sql"}`), TimeRange: backend.TimeRange{From: from, To: from.Add(24 * time.Hour)}},
		{RefID: "E", JSON: json.RawMessage(`{"queryType":"stats","columns":["blocked","total"]}`), TimeRange: backend.TimeRange{From: from, To: from.Add(24 * time.Hour)}},
		{RefID: "F", JSON: json.RawMessage(`{"queryType":"stats","columns":["nope"]}`), TimeRange: backend.TimeRange{From: from, To: from.Add(24 * time.Hour)}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	for ref, golden := range map[string]string{"A": "stats-all", "B": "stats-blocked", "E": "stats-columns"} {
		r := resp.Responses[ref]
		experimental.CheckGoldenJSONResponse(t, "testdata", golden, &r, os.Getenv("UPDATE_GOLDEN") == "1")
	}
	for _, ref := range []string{"C", "D", "F"} {
		r := resp.Responses[ref]
		if r.Error == nil || r.ErrorSource != backend.ErrorSourceDownstream || r.Status != backend.StatusBadRequest {
			t.Errorf("%s: want a bad-request downstream error, got %+v", ref, r)
		}
	}
}

func TestCheckHealth(t *testing.T) {
	cases := []struct {
		name     string
		jsonData string
		status   backend.HealthStatus
		contains string
	}{
		{"ok", `{"logRoots":["` + fixtureRoot(t) + `"]}`, backend.HealthStatusOk, "Found 1 instance folder(s), 1 transaction file(s), 3 record(s), 1 bad record(s) skipped"},
		{"no roots", `{}`, backend.HealthStatusError, "No log root configured"},
		{"missing", `{"logRoots":["/nonexistent/apifw"]}`, backend.HealthStatusError, "/nonexistent/apifw: directory does not exist"},
		{"empty", `{"logRoots":["` + t.TempDir() + `"]}`, backend.HealthStatusError, "no transaction logs found"},
		{"relative", `{"logRoots":["logs"]}`, backend.HealthStatusError, `log root "logs" is not an absolute path`},
		{"bad unit", `{"logRoots":["/x"],"dateEpochUnit":"days"}`, backend.HealthStatusError, "dateEpochUnit"},
		{"bad json", `{"logRoots":`, backend.HealthStatusError, "not valid JSON"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := newTestDatasource(t, c.jsonData).CheckHealth(context.Background(), &backend.CheckHealthRequest{})
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != c.status || !strings.Contains(res.Message, c.contains) {
				t.Fatalf("got %v %q, want %v containing %q", res.Status, res.Message, c.status, c.contains)
			}
		})
	}
}

func TestTransactionQueriesGolden(t *testing.T) {
	root := fixtureRoot(t)
	ds := newTestDatasource(t, `{"logRoots":["`+root+`"]}`)
	from := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	tr := backend.TimeRange{From: from, To: from.Add(time.Minute)}
	queries := map[string]string{
		"topn-client":  `{"queryType":"topN","dimension":"clientIp","limit":1}`,
		"traffic":      `{"queryType":"traffic","intervalMs":10000}`,
		"transactions": `{"queryType":"transactions","filters":{"outcome":["blocked","wouldBlock"]}}`,
		"instances":    `{"queryType":"instances","silentAfter":"100000h"}`,
	}
	req := &backend.QueryDataRequest{}
	for ref, js := range queries {
		req.Queries = append(req.Queries, backend.DataQuery{RefID: ref, JSON: json.RawMessage(js), TimeRange: tr})
	}
	req.Queries = append(req.Queries,
		backend.DataQuery{RefID: "bad-dimension", JSON: json.RawMessage(`{"queryType":"topN","dimension":"colour"}`), TimeRange: tr},
		backend.DataQuery{RefID: "trace", JSON: json.RawMessage(`{"queryType":"trace","uuid":"u1"}`), TimeRange: tr},
	)
	resp, err := ds.QueryData(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	for ref := range queries {
		r := resp.Responses[ref]
		for _, f := range r.Frames { // the temporary root differs per run
			for _, field := range f.Fields {
				if field.Name == "logFiles" || field.Name == "logSources" {
					for i := 0; i < field.Len(); i++ {
						field.Set(i, strings.ReplaceAll(field.At(i).(string), root, "<root>"))
					}
				}
			}
		}
		experimental.CheckGoldenJSONResponse(t, "testdata", ref, &r, os.Getenv("UPDATE_GOLDEN") == "1")
	}
	if r := resp.Responses["bad-dimension"]; r.Error == nil || r.Status != backend.StatusBadRequest {
		t.Errorf("bad dimension: %+v", r)
	}
	if r := resp.Responses["trace"]; r.Error != nil || len(r.Frames) != 7 {
		t.Errorf("trace: %+v", r)
	}
}
