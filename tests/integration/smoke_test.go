//go:build integration

// Package integration runs the built plugin on the plugin host (pkg/host),
// which speaks Grafana's plugin protocol and HTTP API.
// Run through `npm run test:integration` (it builds the plugin).
package integration

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apifw/monitor/pkg/generate"
	"github.com/apifw/monitor/tests/hosttest"
)

const repoRoot = "../.."

// dist is the built plugin under test: the repository's dist/, or $APIFW_DIST.
func dist() string {
	if d := os.Getenv("APIFW_DIST"); d != "" {
		return d
	}
	return filepath.Join(repoRoot, "dist")
}

// fixture writes a generated log tree and returns its root and ground truth.
func fixture(t *testing.T) (string, generate.GroundTruth, time.Time) {
	t.Helper()
	root := t.TempDir()
	end := time.Now().UTC().Truncate(time.Second)
	gt, err := generate.WriteFiles(root, generate.Config{Seed: 7, APIs: 3, Instances: 3, Records: 5000, Start: end.Add(-6 * time.Hour), End: end})
	if err != nil {
		t.Fatal(err)
	}
	return root, gt, end
}

type frameField struct {
	Name string `json:"name"`
}

type queryResponse struct {
	Results map[string]struct {
		Error  string `json:"error"`
		Frames []struct {
			Schema struct {
				Name   string       `json:"name"`
				Fields []frameField `json:"fields"`
			} `json:"schema"`
			Data struct {
				Values [][]any `json:"values"`
			} `json:"data"`
		} `json:"frames"`
	} `json:"results"`
}

type frameJSON struct {
	Schema struct {
		Name   string       `json:"name"`
		Fields []frameField `json:"fields"`
	} `json:"schema"`
	Data struct {
		Values [][]any `json:"values"`
	} `json:"data"`
}

// column returns the values of the named field.
func (f frameJSON) column(name string) []any {
	for i, field := range f.Schema.Fields {
		if field.Name == name {
			return f.Data.Values[i]
		}
	}
	return nil
}

// dsQuery runs one query on the provisioned data source and returns its frames.
func dsQuery(t *testing.T, s *hosttest.Server, from, to time.Time, q map[string]any) []frameJSON {
	t.Helper()
	q["refId"], q["datasource"] = "A", map[string]string{"uid": "apifw-monitor"}
	body := map[string]any{"from": fmt.Sprint(from.UnixMilli()), "to": fmt.Sprint(to.UnixMilli()), "queries": []any{q}}
	var resp struct {
		Results map[string]struct {
			Error  string      `json:"error"`
			Frames []frameJSON `json:"frames"`
		} `json:"results"`
	}
	if err := s.Do(context.Background(), "POST", "/api/ds/query", body, &resp); err != nil {
		t.Fatalf("ds/query %v: %v", q, err)
	}
	if r := resp.Results["A"]; r.Error != "" || len(r.Frames) == 0 {
		t.Fatalf("ds/query %v: %+v", q, r)
	}
	return resp.Results["A"].Frames
}

// stats runs one stats query through /api/ds/query and returns its columns.
func stats(t *testing.T, s *hosttest.Server, uid string, from, to time.Time, filters map[string]any) map[string]float64 {
	t.Helper()
	body := map[string]any{
		"from": fmt.Sprint(from.UnixMilli()), "to": fmt.Sprint(to.UnixMilli()),
		"queries": []map[string]any{{"refId": "A", "datasource": map[string]string{"uid": uid}, "queryType": "stats", "filters": filters}},
	}
	var resp queryResponse
	if err := s.Do(context.Background(), "POST", "/api/ds/query", body, &resp); err != nil {
		t.Fatalf("ds/query: %v", err)
	}
	res := resp.Results["A"]
	if res.Error != "" || len(res.Frames) != 1 {
		t.Fatalf("ds/query result: %+v", res)
	}
	out := map[string]float64{}
	f := res.Frames[0]
	for i, field := range f.Schema.Fields {
		if len(f.Data.Values[i]) != 1 {
			t.Fatalf("column %s has %d rows, want 1", field.Name, len(f.Data.Values[i]))
		}
		out[field.Name] = f.Data.Values[i][0].(float64)
	}
	return out
}

func TestSmoke(t *testing.T) {
	logs, gt, end := fixture(t)
	s := hosttest.StartT(t, hosttest.Options{
		Dist:         dist(),
		Provisioning: filepath.Join(repoRoot, "provisioning"), // the repository's own provisioning
		Env:          []string{"APIFW_LOGS=" + logs, "APIFW_REPORTS=" + t.TempDir()},
	})
	ctx := context.Background()

	t.Run("plugins load without errors", func(t *testing.T) {
		var plugins []struct {
			ID      string `json:"id"`
			Type    string `json:"type"`
			Enabled bool   `json:"enabled"`
		}
		if err := s.Do(ctx, "GET", "/api/plugins", nil, &plugins); err != nil {
			t.Fatal(err)
		}
		found := map[string]bool{}
		for _, p := range plugins {
			found[p.ID] = true
		}
		for _, id := range hosttest.PluginIDs {
			if !found[id] {
				t.Errorf("plugin %s not listed by /api/plugins", id)
			}
		}
		var errs []map[string]any
		if err := s.Do(ctx, "GET", "/api/plugins/errors", nil, &errs); err != nil {
			t.Fatal(err)
		}
		if len(errs) != 0 {
			t.Errorf("plugin errors: %v", errs)
		}
	})

	t.Run("app is enabled", func(t *testing.T) {
		var settings struct {
			Enabled bool `json:"enabled"`
		}
		if err := s.Do(ctx, "GET", "/api/plugins/apifw-monitor-app/settings", nil, &settings); err != nil {
			t.Fatal(err)
		}
		if !settings.Enabled {
			t.Error("app not enabled by provisioning")
		}
	})

	t.Run("health check names what it found", func(t *testing.T) {
		var health struct {
			Status  string `json:"status"`
			Message string `json:"message"`
		}
		if err := s.Do(ctx, "GET", "/api/datasources/uid/apifw-monitor/health", nil, &health); err != nil {
			t.Fatal(err)
		}
		want := fmt.Sprintf("Found 3 instance folder(s), 12 transaction file(s), %d record(s).", gt.Total)
		if health.Status != "OK" || health.Message != want {
			t.Errorf("health = %+v, want OK %q", health, want)
		}
	})

	t.Run("stats returns the exact record counts", func(t *testing.T) {
		from, to := gt.First.Add(-time.Second), end.Add(time.Second)
		got := stats(t, s, "apifw-monitor", from, to, nil)
		if int(got["total"]) != gt.Total || int(got["blocked"]) != gt.ByOutcome["blocked"] ||
			int(got["allowed"]) != gt.ByOutcome["allowed"] || int(got["wouldBlock"]) != gt.ByOutcome["wouldBlock"] ||
			int(got["unmatched"]) != gt.ByOutcome["unmatched"] || int(got["distinctClients"]) != gt.DistinctClients ||
			int(got["instances"]) != 3 {
			t.Errorf("stats = %v, ground truth %+v", got, gt)
		}
		byInstance := stats(t, s, "apifw-monitor", from, to, map[string]any{"instance": []string{"fw-02"}})
		if int(byInstance["total"]) != gt.ByInstance["fw-02"] {
			t.Errorf("fw-02: %v, want %d", byInstance["total"], gt.ByInstance["fw-02"])
		}
		// topN by instance and traffic split by outcome add up to the ground truth.
		frames := dsQuery(t, s, from, to, map[string]any{"queryType": "topN", "dimension": "instance", "limit": 10})
		inst, counts := frames[0].column("instance"), frames[0].column("count")
		for i := range inst {
			if int(counts[i].(float64)) != gt.ByInstance[inst[i].(string)] {
				t.Errorf("topN instance %v: %v, want %d", inst[i], counts[i], gt.ByInstance[inst[i].(string)])
			}
		}
		if len(inst) != len(gt.ByInstance) {
			t.Errorf("topN rows %d, want %d", len(inst), len(gt.ByInstance))
		}
		sums := map[string]int{}
		for _, f := range dsQuery(t, s, from, to, map[string]any{"queryType": "traffic", "splitBy": "outcome", "intervalMs": 60000}) {
			for _, v := range f.Data.Values[1] {
				sums[f.Schema.Name] += int(v.(float64))
			}
		}
		for outcome, n := range gt.ByOutcome {
			if sums[outcome] != n {
				t.Errorf("traffic %s: %d, want %d", outcome, sums[outcome], n)
			}
		}
		// An empty window holds nothing.
		empty := stats(t, s, "apifw-monitor", end.Add(time.Hour), end.Add(2*time.Hour), nil)
		if empty["total"] != 0 {
			t.Errorf("future window: %v", empty)
		}
	})
}

// TestHealthErrorsAndRealSamples provisions data sources over a missing
// directory, an empty one and, when present, the shared real samples.
func TestHealthErrorsAndRealSamples(t *testing.T) {
	prov := t.TempDir()
	missing := filepath.Join(t.TempDir(), "nope")
	empty := t.TempDir()
	realRoot, _ := filepath.Abs(filepath.Join(repoRoot, "..", "shared", "realdata", "firewall"))
	_, realErr := os.Stat(realRoot)
	ds := fmt.Sprintf(`apiVersion: 1
datasources:
  - {name: missing, uid: ds-missing, type: apifw-monitor-datasource, access: proxy, jsonData: {logRoots: [%q]}}
  - {name: empty, uid: ds-empty, type: apifw-monitor-datasource, access: proxy, jsonData: {logRoots: [%q]}}
  - {name: relative, uid: ds-relative, type: apifw-monitor-datasource, access: proxy, jsonData: {logRoots: ["logs/here"]}}
  - {name: real, uid: ds-real, type: apifw-monitor-datasource, access: proxy, jsonData: {logRoots: [%q]}}
`, missing, empty, realRoot)
	for dir, content := range map[string]string{"datasources/ds.yaml": ds, "plugins/app.yaml": "apiVersion: 1\napps:\n  - {type: apifw-monitor-app, org_id: 1, disabled: false}\n"} {
		p := filepath.Join(prov, dir)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s := hosttest.StartT(t, hosttest.Options{Dist: dist(), Provisioning: prov})
	ctx := context.Background()
	cases := []struct{ uid, contains string }{
		{"ds-missing", "directory does not exist"},
		{"ds-empty", "no transaction logs found"},
		{"ds-relative", "is not an absolute path"},
	}
	for _, c := range cases {
		err := s.Do(ctx, "GET", "/api/datasources/uid/"+c.uid+"/health", nil, nil)
		var he *hosttest.HTTPError
		var body struct{ Message string }
		if errors.As(err, &he) {
			_ = json.Unmarshal([]byte(he.Body), &body) // the message, not the error's shortened text: details come first
		}
		if err == nil || !hosttest.IsStatus(err, 400) || !strings.Contains(body.Message, c.contains) {
			t.Errorf("%s health: %v, want 400 with a message containing %q", c.uid, err, c.contains)
		}
	}
	if realErr != nil {
		t.Log("../shared/realdata absent: real-sample check skipped")
		return
	}
	got := stats(t, s, "ds-real", time.Date(2024, 2, 20, 0, 0, 0, 0, time.UTC), time.Date(2024, 2, 21, 0, 0, 0, 0, time.UTC), nil)
	if got["total"] != 11 || got["wouldBlock"] != 11 || got["distinctClients"] != 1 || got["instances"] != 1 {
		t.Errorf("real samples: %v, want 11 would-block records from one client and one instance", got)
	}
}
