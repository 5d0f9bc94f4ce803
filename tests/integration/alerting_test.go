//go:build integration

package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apifw/monitor/pkg/generate"
	"github.com/apifw/monitor/tests/grafanatest"
)

// ruleState is one rule of Grafana's own rule state API.
type ruleState struct {
	Name      string `json:"name"`
	State     string `json:"state"`  // inactive, pending, firing
	Health    string `json:"health"` // ok, error, nodata
	LastError string `json:"lastError"`
}

func ruleStates(t *testing.T, s *grafanatest.Server) map[string]ruleState {
	t.Helper()
	var resp struct {
		Data struct {
			Groups []struct {
				Rules []ruleState `json:"rules"`
			} `json:"groups"`
		} `json:"data"`
	}
	if err := s.Do(context.Background(), "GET", "/api/prometheus/grafana/api/v1/rules", nil, &resp); err != nil {
		t.Fatal(err)
	}
	out := map[string]ruleState{}
	for _, g := range resp.Data.Groups {
		for _, r := range g.Rules {
			out[r.Name] = r
		}
	}
	return out
}

// waitRule polls the rule state API until the named rule satisfies ok.
func waitRule(t *testing.T, s *grafanatest.Server, name string, timeout time.Duration, ok func(ruleState) bool) ruleState {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var last ruleState
	for time.Now().Before(deadline) {
		last = ruleStates(t, s)[name]
		if ok(last) {
			return last
		}
		time.Sleep(2 * time.Second)
	}
	t.Fatalf("rule %q: last state %+v after %s", name, last, timeout)
	return last
}

// TestAlertRulesFireOnInjectedSpike provisions the repository's rules plus a
// fast variant of the blocked-traffic rule (1-minute window, evaluated every
// 10 s), injects a blocked-traffic spike into the watched logs, and follows
// the rule through Grafana's own state API: Normal, Firing, Normal again.
func TestAlertRulesFireOnInjectedSpike(t *testing.T) {
	logs := t.TempDir()
	end := time.Now().UTC().Add(-10 * time.Minute) // background traffic, none in the alert windows
	if _, err := generate.WriteFiles(logs, generate.Config{Seed: 3, APIs: 2, Instances: 2, Records: 2000, Start: end.Add(-2 * time.Hour), End: end}); err != nil {
		t.Fatal(err)
	}
	prov := t.TempDir()
	copyTree(t, filepath.Join(repoRoot, "provisioning"), prov)
	fast := strings.NewReplacer(
		"name: API firewall traffic", "name: API firewall traffic (test)",
		"interval: 1m", "interval: 10s",
		"uid: apifw-blocked-spike", "uid: test-blocked-spike",
		"title: Blocked traffic spike", "title: Test blocked spike",
		"from: 300", "from: 60",
		"params: [100]", "params: [50]",
		"for: 1m", "for: 0s",
	).Replace(readFile(t, filepath.Join(repoRoot, "provisioning", "alerting", "apifw-monitor-rules.yaml")))
	writeFileT(t, filepath.Join(prov, "alerting", "test-fast-rules.yaml"), fast)

	s := grafanatest.StartT(t, grafanatest.Options{
		Dist: dist(), Provisioning: prov,
		Env: []string{"APIFW_LOGS=" + logs, "APIFW_REPORTS=" + t.TempDir()},
	})

	// Every provisioned rule evaluates against our data source without error.
	waitRule(t, s, "Blocked traffic spike", 90*time.Second, func(r ruleState) bool { return r.Health == "ok" })
	quiet := waitRule(t, s, "Test blocked spike", 60*time.Second, func(r ruleState) bool { return r.Health == "ok" })
	if quiet.State != "inactive" {
		t.Fatalf("before the spike: %+v", quiet)
	}

	// The spike: 120 blocked calls in the last seconds, in a new API file of an existing instance.
	injectBlockedSpike(t, filepath.Join(logs, generate.InstanceName(0)), 120)
	firing := waitRule(t, s, "Test blocked spike", 60*time.Second, func(r ruleState) bool { return r.State == "firing" })
	t.Logf("firing: %+v", firing)

	// Once the spike leaves the 1-minute window the rule returns to Normal.
	waitRule(t, s, "Test blocked spike", 120*time.Second, func(r ruleState) bool { return r.State == "inactive" && r.Health == "ok" })
}

// injectBlockedSpike appends n blocked transactions stamped now to a new
// transaction log in dir.
func injectBlockedSpike(t *testing.T, dir string, n int) {
	t.Helper()
	var b strings.Builder
	now := time.Now().UTC()
	for i := 0; i < n; i++ {
		rec := map[string]any{
			"uuid": fmt.Sprintf("00000000-0000-4000-8000-%012d", i), "date_epoch": now.Add(-time.Duration(i) * 10 * time.Millisecond).UnixMicro(),
			"api": "5b5e0000-0000-4000-8000-000000000001", "api_name": "Spiked API", "non_blocking_mode": false,
			"pod": map[string]string{"instance_name": filepath.Base(dir)}, "source_ip": "203.0.113.9", "method": "POST",
			"uri_path": "/api/user/login", "oas_path": "/api/user/login", "status": 403,
			"errors": []map[string]any{{"step": "request_validation", "depth": 1, "message": "Fault: Request validation failed"}},
		}
		line, _ := json.Marshal(rec)
		b.Write(line)
		b.WriteByte('\n')
	}
	writeFileT(t, filepath.Join(dir, "api-5b5e0000-0000-4000-8000-000000000001.transaction.log"), b.String())
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func writeFileT(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// copyTree copies a directory of small text files.
func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.Walk(from, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		if info.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}
