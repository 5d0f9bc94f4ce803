package plugin

import (
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/apifw/monitor/pkg/query"
)

type captured struct{ resp *backend.CallResourceResponse }

func (c *captured) Send(r *backend.CallResourceResponse) error {
	if c.resp == nil {
		c.resp = r
	} else {
		c.resp.Body = append(c.resp.Body, r.Body...)
	}
	return nil
}

// call sends one resource request as Grafana does and decodes the JSON answer.
func call(t *testing.T, ds *Datasource, user *backend.User, method, path, body string) (int, map[string]any) {
	t.Helper()
	url := path
	p := path
	if i := strings.IndexByte(path, '?'); i >= 0 {
		p = path[:i]
	}
	var c captured
	err := ds.CallResource(context.Background(), &backend.CallResourceRequest{
		PluginContext: backend.PluginContext{User: user}, Method: method, Path: p, URL: url, Body: []byte(body),
	}, &c)
	if err != nil || c.resp == nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	var out map[string]any
	if err := json.Unmarshal(c.resp.Body, &out); err != nil {
		t.Fatalf("%s %s: %d %q is not JSON", method, path, c.resp.Status, c.resp.Body)
	}
	return c.resp.Status, out
}

var (
	admin  = &backend.User{Login: "root", Role: "Admin"}
	viewer = &backend.User{Login: "v", Role: "Viewer"}
	editor = &backend.User{Login: "e", Role: "Editor"}
)

func TestStatusResource(t *testing.T) {
	ds := newTestDatasource(t, `{"logRoots":["`+traceRoot(t)+`"]}`)
	ds.refresh(context.Background())
	status, body := call(t, ds, viewer, "GET", "status", "")
	idx, _ := body["index"].(map[string]any)
	if status != 200 || idx["records"] != 4.0 || idx["memoryBytes"].(float64) <= 0 || body["collector"] == nil || body["deletions"] != 0.0 {
		t.Fatalf("%d %v", status, body)
	}
}

func TestTraceResource(t *testing.T) {
	ds := newTestDatasource(t, `{"logRoots":["`+traceRoot(t)+`"]}`)
	status, body := call(t, ds, nil, "GET", "trace/t1", "")
	if status != 200 {
		t.Fatalf("%d %v", status, body)
	}
	tx := body["transaction"].(map[string]any)
	if tx["uuid"] != "t1" || tx["time"] != "2026-01-01T12:00:10Z" || tx["query"] != "verbose=1" || tx["clientPort"] != 51234.0 ||
		tx["apiName"] != "Pets" || tx["outcome"] != "blocked" || tx["durationUs"] != 1500.0 || tx["errorStep"] != "request_validation" {
		t.Errorf("transaction %v", tx)
	}
	raw, _ := json.Marshal(body)
	for _, secret := range []string{"SECRET1", "SECRET2", "SECRET3", "SECRET4"} {
		if strings.Contains(string(raw), secret) {
			t.Errorf("%s leaked", secret)
		}
	}
	if !strings.Contains(string(raw), MaskedValue) {
		t.Error("no masked value in the detail")
	}
	if status, body := call(t, ds, nil, "GET", "trace/nope", ""); status != 404 || body["error"] == nil {
		t.Errorf("unknown: %d %v", status, body)
	}
	if status, _ := call(t, ds, nil, "GET", "nothing-here", ""); status != 404 {
		t.Errorf("unknown resource: %d", status)
	}
}

func TestSuggestionsResource(t *testing.T) {
	ds := newTestDatasource(t, `{"logRoots":["`+traceRoot(t)+`"]}`)
	cases := []struct {
		query string
		want  string // value:label:count, …
	}{
		{"field=clientIp", "10.0.0.2:10.0.0.2:2,10.0.0.1:10.0.0.1:1,10.0.0.9:10.0.0.9:1"},
		{"field=clientIp&limit=1", "10.0.0.2:10.0.0.2:2"},
		{"field=clientIp&prefix=0.9", "10.0.0.9:10.0.0.9:1"},
		{"field=api&prefix=pET", "a1:Pets:4"},
		{"field=instance&from=1767268801500&to=1767268900000", "fw-1:fw-1:1,fw-2:fw-2:1"},
		{"field=errorStep", "request_validation:request_validation:2,hostpath_mapping:hostpath_mapping:1"},
		{"field=path&prefix=.*", ""},
		{"field=collection", ""},
	}
	for _, c := range cases {
		status, body := call(t, ds, nil, "GET", "suggestions?"+c.query, "")
		if status != 200 {
			t.Fatalf("%s: %d %v", c.query, status, body)
		}
		var got []string
		for _, v := range body["values"].([]any) {
			m := v.(map[string]any)
			got = append(got, m["value"].(string)+":"+m["label"].(string)+":"+strings.TrimSuffix(strings.TrimSuffix(jsonNum(m["count"]), ".0"), ""))
		}
		if strings.Join(got, ",") != c.want {
			t.Errorf("%s: got %s, want %s", c.query, strings.Join(got, ","), c.want)
		}
	}
	for _, bad := range []string{"field=colour", "field=path&limit=x", "field=path&from=yesterday", "field=path&prefix=" + strings.Repeat("a", 101)} {
		if status, body := call(t, ds, nil, "GET", "suggestions?"+bad, ""); status != 400 || body["error"] == nil {
			t.Errorf("%s: %d %v", bad, status, body)
		}
	}
}

func jsonNum(v any) string { b, _ := json.Marshal(v); return string(b) }

func TestDeletionResources(t *testing.T) {
	ds := newTestDatasource(t, `{"logRoots":["`+traceRoot(t)+`"]}`)
	ds.refresh(context.Background())
	body := `{"clientIp":"10.0.0.2"}`
	for _, c := range []struct {
		name string
		user *backend.User
	}{{"no user", nil}, {"viewer", viewer}, {"editor", editor}, {"no login", &backend.User{Role: "Admin"}}} {
		for _, r := range [][2]string{{"GET", "deletions"}, {"POST", "deletions/preview"}, {"POST", "deletions"}} {
			if status, out := call(t, ds, c.user, r[0], r[1], body); status != 403 || out["error"] == nil {
				t.Errorf("%s %s %s: %d %v", c.name, r[0], r[1], status, out)
			}
		}
	}
	if ds.store.Len() != 4 {
		t.Fatalf("refused deletions removed records: %d left", ds.store.Len())
	}
	for _, bad := range []string{`{}`, `{"clientIp":"nope"}`, `{"from":"yesterday"}`, `{"from":"2026-01-02T00:00:00Z","to":"2026-01-01T00:00:00Z"}`, `not json`} {
		if status, out := call(t, ds, admin, "POST", "deletions/preview", bad); status != 400 || out["error"] == nil {
			t.Errorf("preview %s: %d %v", bad, status, out)
		}
	}
	if status, out := call(t, ds, admin, "POST", "deletions/preview", body); status != 200 || out["count"] != 2.0 {
		t.Fatalf("preview: %d %v", status, out)
	}
	status, out := call(t, ds, admin, "POST", "deletions", body)
	if status != 200 || out["deleted"] != 2.0 || out["record"].(map[string]any)["actor"] != "root" {
		t.Fatalf("delete: %d %v", status, out)
	}
	if status, _ := call(t, ds, admin, "POST", "deletions", `{"uuids":["t1"]}`); status != 200 {
		t.Fatal("delete by uuid")
	}
	if status, _ := call(t, ds, nil, "GET", "trace/t1", ""); status != 404 {
		t.Errorf("deleted trace answers %d", status)
	}
	res, err := ds.engine().Stats(context.Background(), query.Query{}, query.TimeRange{})
	if err != nil || res.Total != 1 {
		t.Errorf("stats after deletion: %+v %v", res, err)
	}
	if _, out := call(t, ds, nil, "GET", "suggestions?field=clientIp", ""); len(out["values"].([]any)) != 1 {
		t.Errorf("suggestions after deletion: %v", out)
	}
	status, out = call(t, ds, admin, "GET", "deletions", "")
	list, _ := out["deletions"].([]any)
	if status != 200 || len(list) != 2 {
		t.Fatalf("list: %d %v", status, out)
	}
	first := list[0].(map[string]any)
	if first["actor"] != "root" || first["count"] != 2.0 || first["criteria"].(map[string]any)["clientIp"] != "10.0.0.2" || first["at"] == "" {
		t.Errorf("record %v", first)
	}
}

func TestPurgeResource(t *testing.T) {
	root := traceRoot(t)
	ds := newTestDatasource(t, `{"logRoots":["`+root+`"]}`)
	ds.refresh(context.Background())
	if status, _ := call(t, ds, editor, "POST", "purge", ""); status != 403 {
		t.Fatalf("editor purge: %d", status)
	}
	if status, _ := call(t, ds, admin, "POST", "deletions", `{"clientIp":"10.0.0.2"}`); status != 200 {
		t.Fatal("delete")
	}
	// Files written in the last minute are refused: a firewall may still hold them open.
	_, out := call(t, ds, admin, "POST", "purge", "")
	statuses := map[string]int{}
	for _, f := range out["files"].([]any) {
		statuses[f.(map[string]any)["status"].(string)]++
	}
	if statuses["refused"] == 0 || statuses["rewritten"] != 0 {
		t.Fatalf("fresh files: %v", out)
	}
	old := time.Now().Add(-time.Hour)
	err := filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if err == nil && !e.IsDir() {
			err = os.Chtimes(p, old, old)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	_, out = call(t, ds, admin, "POST", "purge", "")
	var removed float64
	for _, f := range out["files"].([]any) {
		m := f.(map[string]any)
		if m["status"] == "rewritten" {
			removed += m["removed"].(float64)
			b, err := os.ReadFile(m["path"].(string))
			if err != nil || strings.Contains(string(b), `"10.0.0.2"`) {
				t.Errorf("%s still holds the deleted client (%v)", m["path"], err)
			}
		}
	}
	if removed != 2 {
		t.Fatalf("purge removed %v records: %v", removed, out)
	}
	if n := ds.store.Len(); n != 2 {
		t.Errorf("%d records left after purge, want 2", n)
	}
	// The kept records' positions moved with the rewrite: details still read right.
	if status, out := call(t, ds, nil, "GET", "trace/t1", ""); status != 200 || out["detail"] == nil || out["detailError"] != nil {
		t.Errorf("kept transaction t1 after purge: %d %v", status, out)
	}
}
