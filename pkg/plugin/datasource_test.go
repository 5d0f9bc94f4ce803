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

func newTestDatasource(t *testing.T, jsonData string) *Datasource {
	t.Helper()
	inst, err := NewDatasource(context.Background(), backend.DataSourceInstanceSettings{JSONData: json.RawMessage(jsonData)})
	if err != nil {
		t.Fatal(err)
	}
	return inst.(*Datasource)
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
