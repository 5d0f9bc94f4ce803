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

// traceRecord is a full record: parameters, secret and plain headers, steps
// (nested), errors, customs, an unknown key and a body that must never show.
const traceRecord = `{"uuid":"t1","version":"1.0.25","date_epoch":1767268810000000,"duration":1500,"api":"a1","api_name":"Pets","pod":{"instance_name":"fw-1"},` +
	`"source_ip":"10.0.0.9","source_port":51234,"hostname":"pets.example","method":"GET","uri_path":"/pets/7","query":"verbose=1","oas_path":"/pets/{id}","status":403,` +
	`"non_blocking_mode":false,"blocking_level":3,` +
	`"params":{"path":{"id":"7"},"query":{"verbose":"1"},"request_header":{"Authorization":"Bearer SECRET1","Accept":"*/*","X-Tenant":"acme","X-Refresh-Token":"SECRET2"},"response_header":{"Set-Cookie":"sid=SECRET3","Content-Type":"application/json"}},` +
	`"request_body":"{\"password\":\"SECRET4\"}",` +
	`"errors":[{"step":"request_validation","depth":2,"state":"failed","kdb_token":"tok","message":"Fault: Request validation failed"}],` +
	`"traces":[{"step":"request","depth":1,"date_epoch":1767268810000100,"duration":1200},{"step":"request_validation","depth":2,"date_epoch":1767268810000200,"duration":300},{"step":"response","depth":1,"date_epoch":1767268810001300}],` +
	`"customs":{"team":"blue"},"future_key":{"a":1}}
`

func traceRoot(t *testing.T) string {
	t.Helper()
	root := fixtureRoot(t)
	if err := os.WriteFile(filepath.Join(root, "fw-1", "api-a2.transaction.log"), []byte(traceRecord), 0o644); err != nil {
		t.Fatal(err)
	}
	return root
}

func TestTraceQueryGolden(t *testing.T) {
	ds := newTestDatasource(t, `{"logRoots":["`+traceRoot(t)+`"],"maskedHeaders":["x-tenant"]}`)
	resp, err := ds.QueryData(context.Background(), &backend.QueryDataRequest{Queries: []backend.DataQuery{
		{RefID: "trace", JSON: json.RawMessage(`{"queryType":"trace","uuid":"t1"}`)},
		{RefID: "unknown", JSON: json.RawMessage(`{"queryType":"trace","uuid":"nope"}`)},
		{RefID: "empty", JSON: json.RawMessage(`{"queryType":"trace"}`)},
	}})
	if err != nil {
		t.Fatal(err)
	}
	r := resp.Responses["trace"]
	experimental.CheckGoldenJSONResponse(t, "testdata", "trace", &r, os.Getenv("UPDATE_GOLDEN") == "1")
	names := []string{}
	for _, f := range r.Frames {
		names = append(names, f.Name)
	}
	if got := strings.Join(names, ","); got != "summary,steps,headers,parameters,errors,fields,spans" {
		t.Errorf("frames %s", got)
	}
	b, _ := json.Marshal(r)
	for _, secret := range []string{"SECRET1", "SECRET2", "SECRET3", "SECRET4", "acme"} {
		if strings.Contains(string(b), secret) {
			t.Errorf("%s leaked into the trace frames", secret)
		}
	}
	if u := resp.Responses["unknown"]; u.Status != backend.StatusNotFound || u.ErrorSource != backend.ErrorSourceDownstream {
		t.Errorf("unknown uuid: %+v", u)
	}
	if e := resp.Responses["empty"]; e.Status != backend.StatusBadRequest {
		t.Errorf("no uuid: %+v", e)
	}
}

// A record whose file is gone still answers its summary, with a notice.
func TestTraceWithoutFile(t *testing.T) {
	root := traceRoot(t)
	ds := newTestDatasource(t, `{"logRoots":["`+root+`"]}`)
	ds.refresh(context.Background())
	if err := os.Remove(filepath.Join(root, "fw-1", "api-a2.transaction.log")); err != nil {
		t.Fatal(err)
	}
	res, det, err := ds.lookupTrace(context.Background(), "t1")
	if err != nil || det != nil || res.DetailErr == nil {
		t.Fatalf("got %v %v %v", det, res.DetailErr, err)
	}
	frames := traceFrames("A", res.Transaction, det)
	if frames[0].Rows() != 1 || frames[1].Rows() != 0 {
		t.Fatalf("summary %d rows, steps %d", frames[0].Rows(), frames[1].Rows())
	}
	_ = time.Second
}
