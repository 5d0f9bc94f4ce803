package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// newTestServer builds a host over a dist with an app, a nested panel and no
// backend (no process to start), and one provisioned data source.
func newTestServer(t *testing.T) *Server {
	t.Helper()
	dist, prov := t.TempDir(), t.TempDir()
	write := func(path, text string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(dist, "plugin.json"), `{"type":"app","id":"test-app","name":"Test","info":{"version":"1.2.3"},
		"includes":[{"type":"page","name":"Home","path":"/a/test-app/home","defaultNav":true},{"type":"dashboard","name":"D","path":"dashboards/d.json"}]}`)
	write(filepath.Join(dist, "dashboards", "d.json"), `{"uid":"d1","title":"My Board!","revision":2,"tags":["t1"],"panels":[]}`)
	write(filepath.Join(dist, "panels", "p", "plugin.json"), `{"type":"panel","id":"test-panel","name":"P","info":{"version":"1.2.3"}}`)
	write(filepath.Join(dist, "panels", "p", "module.js"), `define([],function(){})`)
	write(filepath.Join(prov, "datasources", "ds.yaml"), "apiVersion: 1\ndatasources:\n  - {name: Logs, uid: logs, type: test-ds, isDefault: true, jsonData: {root: '${TEST_ROOT}/x', cost: '$$5'}, secureJsonData: {token: s3cret}}\n")
	write(filepath.Join(prov, "plugins", "app.yaml"), "apiVersion: 1\napps:\n  - {type: test-app, org_id: 1, disabled: false}\n")
	s, err := New(Options{Dist: dist, Provisioning: prov, DataDir: t.TempDir(), Env: []string{"TEST_ROOT=/logs"}, Log: os.Stderr})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func do(t *testing.T, h http.Handler, method, path, user, body string) (int, map[string]any, string) {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if user != "" {
		req.SetBasicAuth(user, user)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var out map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &out)
	return rec.Code, out, rec.Body.String()
}

func TestRoutesAuthAndRoles(t *testing.T) {
	s := newTestServer(t)
	s.opts.Web = t.TempDir() // the preview page's routes register beside the API
	h := s.Handler()
	cases := []struct {
		method, path, user, body string
		want                     int
	}{
		{"GET", "/api/health", "", "", 200},                                            // no authentication (pkg/api/health.go)
		{"GET", "/api/user", "", "", 401},                                              // basic auth required
		{"GET", "/api/user", "viewer", "", 200},                                        //
		{"GET", "/api/datasources", "viewer", "", 403},                                 // datasources:read is the Admin role's
		{"GET", "/api/datasources", "admin", "", 200},                                  //
		{"GET", "/api/datasources/uid/nope", "admin", "", 404},                         //
		{"POST", "/api/plugins/test-app/settings", "editor", `{"enabled":true}`, 403},  // plugins:write is Admin's
		{"GET", "/api/plugins/test-app/settings", "viewer", "", 200},                   //
		{"GET", "/api/plugins/nope/settings", "viewer", "", 404},                       //
		{"GET", "/api/dashboards/uid/d1", "viewer", "", 200},                           // imported with the app
		{"GET", "/public/plugins/test-panel/module.js", "", "", 200},                   // plugin files need no login
		{"GET", "/public/plugins/test-panel/..%2F..%2F..%2Fetc%2Fpasswd", "", "", 404}, // never outside the plugin
		{"GET", "/api/nothing-here", "viewer", "", 404},                                // Grafana's JSON 404
		{"PUT", "/api/datasources/uid/logs", "admin", `{"name":"Logs"}`, 403},          // provisioned, not editable
		{"POST", "/api/ds/query", "viewer", `{"queries":[]}`, 400},                     // "No queries found in query"
	}
	for _, c := range cases {
		got, _, body := do(t, h, c.method, c.path, c.user, c.body)
		if got != c.want {
			t.Errorf("%s %s as %q: %d %s, want %d", c.method, c.path, c.user, got, body, c.want)
		}
	}
}

func TestProvisionedDataSourceAndSecrets(t *testing.T) {
	s := newTestServer(t)
	ds := s.ds.byUID("logs")
	if ds == nil {
		t.Fatal("provisioned data source missing")
	}
	// ${VAR} expanded, $$ a literal dollar (pkg/services/provisioning/values).
	if ds.JSONData["root"] != "/logs/x" || ds.JSONData["cost"] != "$5" {
		t.Errorf("jsonData %v", ds.JSONData)
	}
	// The plugin gets the decrypted secret; the API only says it is set.
	pc := s.pluginContext(ds, &User{Login: "viewer", Role: RoleViewer})
	if pc.DataSourceInstanceSettings.DecryptedSecureJSONData["token"] != "s3cret" || pc.User.Role != RoleViewer || pc.OrgID != 1 {
		t.Errorf("plugin context %+v", pc)
	}
	if pc.GrafanaConfig.Get("GF_CONCURRENT_QUERY_COUNT") != "4" || pc.UserAgent.GrafanaVersion() != "13.2.2" {
		t.Errorf("grafana config / user agent: %v %v", pc.GrafanaConfig, pc.UserAgent)
	}
	_, out, body := do(t, s.Handler(), "GET", "/api/datasources/uid/logs", "admin", "")
	if strings.Contains(body, "s3cret") || out["secureJsonFields"].(map[string]any)["token"] != true {
		t.Errorf("secret leaked or not flagged: %s", body)
	}
}

// An update changes Updated, which is what makes the SDK's instance manager
// create a new instance with the new settings.
func TestUpdateChangesInstanceVersion(t *testing.T) {
	s := newTestServer(t)
	h := s.Handler()
	code, out, body := do(t, h, "POST", "/api/datasources", "admin", `{"name":"Mine","type":"test-ds","jsonData":{"a":1}}`)
	if code != 200 {
		t.Fatalf("create: %d %s", code, body)
	}
	uid := out["datasource"].(map[string]any)["uid"].(string)
	before := s.ds.byUID(uid).Updated
	time.Sleep(2 * time.Millisecond)
	if code, _, body := do(t, h, "PUT", "/api/datasources/uid/"+uid, "admin", `{"name":"Mine","type":"test-ds","jsonData":{"a":2}}`); code != 200 {
		t.Fatalf("update: %d %s", code, body)
	}
	after := s.ds.byUID(uid)
	if !after.Updated.After(before) || after.JSONData["a"] != float64(2) || after.Version != 2 {
		t.Errorf("after update: %+v (before %v)", after, before)
	}
}

func TestParseMetricRequest(t *testing.T) {
	s := newTestServer(t)
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	q := func(body string) ([]parsedQuery, error) {
		var req metricRequest
		if err := json.Unmarshal([]byte(body), &req); err != nil {
			t.Fatal(err)
		}
		return s.parseMetricRequest(req, now)
	}
	// Defaults of pkg/services/query/query.go: refId A, maxDataPoints 100, intervalMs 1000.
	got, err := q(`{"from":"now-6h","to":"now","queries":[{"datasource":{"uid":"logs"}}]}`)
	if err != nil {
		t.Fatal(err)
	}
	dq := got[0].query
	if dq.RefID != "A" || dq.MaxDataPoints != 100 || dq.Interval != time.Second || !dq.TimeRange.From.Equal(now.Add(-6*time.Hour)) || !dq.TimeRange.To.Equal(now) {
		t.Errorf("defaults: %+v", dq)
	}
	// Epoch milliseconds, the legacy datasourceId, a query's own time range.
	got, err = q(`{"from":"1700000000000","to":"1700000600000","queries":[{"refId":"B","datasourceId":1,"maxDataPoints":5,"intervalMs":60000},
		{"refId":"C","datasource":{"uid":"logs"},"timeRange":{"from":"now-1h","to":"now-30m"}}]}`)
	if err != nil {
		t.Fatal(err)
	}
	if b := got[0].query; b.RefID != "B" || b.MaxDataPoints != 5 || b.Interval != time.Minute || b.TimeRange.From.UnixMilli() != 1700000000000 {
		t.Errorf("B: %+v", b)
	}
	if c := got[1].query; !c.TimeRange.From.Equal(now.Add(-time.Hour)) || !c.TimeRange.To.Equal(now.Add(-30*time.Minute)) {
		t.Errorf("C: %+v", c.TimeRange)
	}
	for body, status := range map[string]int{
		`{"queries":[]}`:                                      400,
		`{"queries":[{"refId":"A"}]}`:                         400, // "Query missing data source info"
		`{"queries":[{"datasource":{"uid":"nope"}}]}`:         404,
		`{"from":"yesterday","queries":[{"datasourceId":1}]}`: 400,
		`{"queries":[{"datasource":{"uid":"__expr__"}}]}`:     400,
	} {
		_, err := q(body)
		if qe, ok := err.(*queryError); !ok || qe.status != status {
			t.Errorf("%s: %v, want status %d", body, err, status)
		}
	}
}

func TestSearchAndPluginDashboards(t *testing.T) {
	s := newTestServer(t)
	h := s.Handler()
	req := httptest.NewRequest("GET", "/api/search?query=board&tag=t1", nil)
	req.SetBasicAuth("viewer", "viewer")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var hits []map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &hits)
	if len(hits) != 1 || hits[0]["uid"] != "d1" || hits[0]["url"] != "/d/d1/my-board" || hits[0]["type"] != "dash-db" {
		t.Errorf("search: %s", rec.Body.String())
	}
	req = httptest.NewRequest("GET", "/api/plugins/test-app/dashboards", nil)
	req.SetBasicAuth("viewer", "viewer")
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var pd []map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &pd)
	if len(pd) != 1 || pd[0]["imported"] != true || pd[0]["importedRevision"] != float64(2) || pd[0]["importedUrl"] != "/d/d1/my-board" {
		t.Errorf("plugin dashboards: %s", rec.Body.String())
	}
}
