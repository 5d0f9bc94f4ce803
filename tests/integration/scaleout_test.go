//go:build integration

package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/apifw/monitor/pkg/generate"
	"github.com/apifw/monitor/pkg/ship"
	"github.com/apifw/monitor/pkg/vlogs/vltest"
	"github.com/apifw/monitor/tests/hosttest"
)

// scaleoutDist is the built plugin, or (when dist/ was not built) a minimal
// one: the plugin.json files and the backend binary, all /api/ds/query needs.
func scaleoutDist(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat(filepath.Join(dist(), "plugin.json")); err == nil {
		return dist()
	}
	d := t.TempDir()
	for _, f := range []string{"plugin.json", "datasource/plugin.json"} {
		b, err := os.ReadFile(filepath.Join(repoRoot, "src", f))
		if err != nil {
			t.Fatal(err)
		}
		writeFileT(t, filepath.Join(d, f), string(b))
	}
	exe := filepath.Join(d, "datasource", fmt.Sprintf("gpx_apifw_monitor_%s_%s", runtime.GOOS, runtime.GOARCH))
	cmd := exec.Command("go", "build", "-o", exe, "./pkg")
	cmd.Dir = repoRoot
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the backend: %v\n%s", err, out)
	}
	return d
}

// Through the plugin host (Grafana's plugin protocol, provisioning with
// secure settings, /api/ds/query): the same data shipped to a real
// VictoriaLogs cluster and indexed by the embedded store give the same
// frames for every bundled dashboard's transaction queries and the alert
// rules' queries; a storage node down is an error, never a smaller count.
func TestScaleOutThroughPluginHost(t *testing.T) {
	c := vltest.StartT(t, []string{"-delete.enable"}, []string{"-internaldelete.enable"})
	root := filepath.Join(t.TempDir(), "logs")
	end := time.Now().UTC().Truncate(time.Second)
	gt, err := generate.WriteFiles(root, generate.Config{Seed: 11, APIs: 3, Instances: 3, Records: 8000, Start: end.Add(-3 * time.Hour), End: end})
	if err != nil {
		t.Fatal(err)
	}
	s, err := ship.New(ship.Config{Roots: []string{root}, SpoolDir: t.TempDir(), InsertURL: c.URL(), ID: "host", DurableAfter: vltest.TestDurableAfter, ConfirmAfter: 200 * time.Millisecond, Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(4 * time.Minute); s.Pending() > 0 || s.M.Read.Load() < int64(gt.Total); {
		s.PollOnce()
		s.SendOnce(context.Background())
		if time.Now().After(deadline) {
			t.Fatal("shipping did not finish")
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.Close()

	prov := t.TempDir()
	writeFileT(t, filepath.Join(prov, "datasources", "ds.yaml"), `apiVersion: 1
datasources:
  - {name: emb, uid: emb, type: apifw-monitor-datasource, access: proxy, jsonData: {logRoots: ["${APIFW_LOGS}"]}}
  - name: vl
    uid: vl
    type: apifw-monitor-datasource
    access: proxy
    jsonData: {store: "${APIFW_STORE}", victoriaLogs: {url: "${APIFW_VL_URL}", accountId: "0", projectId: "0"}}
    secureJsonData: {victoriaLogsBearerToken: not-checked-by-this-cluster}
`)
	h := hosttest.StartT(t, hosttest.Options{Dist: scaleoutDist(t), Provisioning: prov,
		Env: []string{"APIFW_LOGS=" + root, "APIFW_STORE=victorialogs", "APIFW_VL_URL=" + c.URL()}})

	from, to := end.Add(-3*time.Hour-time.Minute), end.Add(time.Second)
	query := func(uid string, q map[string]any) (string, error) {
		q = clone(q)
		q["refId"], q["datasource"] = "A", map[string]string{"uid": uid}
		body := map[string]any{"from": fmt.Sprint(from.UnixMilli()), "to": fmt.Sprint(to.UnixMilli()), "queries": []any{q}}
		var resp struct {
			Results map[string]struct {
				Error  string           `json:"error"`
				Frames []map[string]any `json:"frames"`
			} `json:"results"`
		}
		if err := h.Do(context.Background(), "POST", "/api/ds/query", body, &resp); err != nil {
			return "", err
		}
		r := resp.Results["A"]
		if r.Error != "" {
			return "", fmt.Errorf("%s", r.Error)
		}
		for _, f := range r.Frames {
			if sch, ok := f["schema"].(map[string]any); ok {
				delete(sch, "meta")
			}
		}
		b, _ := json.Marshal(r.Frames)
		return string(b), nil
	}
	queries := []map[string]any{
		{"queryType": "stats"},
		{"queryType": "stats", "columns": []string{"blocked"}, "filters": map[string]any{"outcome": []string{"blocked"}}},
		{"queryType": "topN", "dimension": "clientIp", "limit": 10},
		{"queryType": "topN", "dimension": "path", "limit": 10, "filters": map[string]any{"clientIp": "10.0.0.0/8", "path": "/api/*"}},
		{"queryType": "topN", "dimension": "errorStep", "filters": map[string]any{"adhoc": []map[string]string{{"key": "status", "operator": "=~", "value": "4.."}}}},
		{"queryType": "traffic", "splitBy": "outcome", "metric": "count"},
		{"queryType": "traffic", "splitBy": "outcome", "metric": "blockedRatio"},
		{"queryType": "traffic", "splitBy": "api", "metric": "count", "limit": 100, "intervalMs": 60000, "filters": map[string]any{"outcome": []string{"blocked"}}},
		{"queryType": "traffic", "splitBy": "instance", "metric": "rate", "limit": 100, "intervalMs": 60000},
		{"queryType": "transactions", "limit": 50, "filters": map[string]any{"status": []string{"4xx"}}},
		{"queryType": "instances"},
	}
	for _, q := range queries {
		a, errA := query("emb", q)
		b, errB := query("vl", q)
		if errA != nil || errB != nil || a != b {
			t.Errorf("%v: embedded %v / victorialogs %v\nembedded:     %.400s\nvictorialogs: %.400s", q, errA, errB, a, b)
		}
	}
	var health map[string]any
	if err := h.Do(context.Background(), "GET", "/api/datasources/uid/vl/health", nil, &health); err != nil || health["status"] != "OK" {
		t.Errorf("health through the host: %v %v", health, err)
	}
	c.Storage[1].Kill()
	if _, err := query("vl", map[string]any{"queryType": "stats"}); err == nil || !strings.Contains(err.Error(), "no partial answer") {
		t.Errorf("stats with a storage node down through the host: %v", err)
	} else {
		t.Logf("with a storage node down: %.200s", err)
	}
}

func clone(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
