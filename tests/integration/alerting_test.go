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

	"go.yaml.in/yaml/v3"

	"github.com/apifw/monitor/pkg/generate"
	"github.com/apifw/monitor/tests/hosttest"
)

// ruleState is one rule of Grafana's own rule state API.
type ruleState struct {
	Name      string `json:"name"`
	State     string `json:"state"`  // inactive, pending, firing
	Health    string `json:"health"` // ok, error, nodata
	LastError string `json:"lastError"`
	Alerts    []struct {
		Labels map[string]string `json:"labels"`
		State  string            `json:"state"` // Normal, Pending, Alerting, NoData, Error
	} `json:"alerts"`
}

// alerting lists the value of label for the rule's alert instances in state Alerting.
func (r ruleState) alerting(label string) []string {
	var out []string
	for _, a := range r.Alerts {
		if a.State == "Alerting" {
			out = append(out, a.Labels[label])
		}
	}
	return out
}

func ruleStates(t *testing.T, s *hosttest.Server) map[string]ruleState {
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
func waitRule(t *testing.T, s *hosttest.Server, name string, timeout time.Duration, ok func(ruleState) bool) ruleState {
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

// provisionedRules reads the repository's alert rules file.
type rulesFile struct {
	APIVersion int              `yaml:"apiVersion" json:"apiVersion"`
	Groups     []map[string]any `yaml:"groups" json:"groups"`
}

func readRules(t *testing.T) rulesFile {
	t.Helper()
	var f rulesFile
	if err := yaml.Unmarshal([]byte(readFile(t, filepath.Join(repoRoot, "provisioning", "alerting", "apifw-monitor-rules.yaml"))), &f); err != nil {
		t.Fatal(err)
	}
	return f
}

// fastRules copies the named provisioned rules into a group evaluated every
// 10 s, with "for" 0 and every window shrunk 5 times (5 min → 1 min; the
// hour-long baselines 65 min → 11 min, their 12 five-minute slots becoming
// 10 one-minute slots), titled "Test <title>" with uid "test-<uid>". The
// rule logic is the provisioned one.
func fastRules(t *testing.T, f rulesFile, uids ...string) rulesFile {
	t.Helper()
	want := map[string]bool{}
	for _, u := range uids {
		want[u] = true
	}
	var rules []any
	for _, g := range f.Groups {
		for _, r := range g["rules"].([]any) {
			rule := r.(map[string]any)
			if !want[rule["uid"].(string)] {
				continue
			}
			delete(want, rule["uid"].(string))
			b, _ := json.Marshal(rule)
			text := strings.NewReplacer(`"from":300`, `"from":60`, `"from":3900`, `"from":660`, `/ 12`, `/ 10`).Replace(string(b))
			var fast map[string]any
			if err := json.Unmarshal([]byte(text), &fast); err != nil {
				t.Fatal(err)
			}
			fast["uid"], fast["title"], fast["for"] = "test-"+rule["uid"].(string), "Test "+rule["title"].(string), "0s"
			rules = append(rules, fast)
		}
	}
	if len(want) > 0 {
		t.Fatalf("no provisioned rules %v", want)
	}
	return rulesFile{APIVersion: 1, Groups: []map[string]any{{"orgId": 1, "name": "API firewall (test)", "folder": "API Firewall Monitor", "interval": "10s", "rules": rules}}}
}

// TestAlertRulesFireOnInjectedSpike provisions the repository's rules plus
// fast copies (1-minute windows, evaluated every 10 s) of the per-API spike
// rule, the stats-based spike rule and the enumeration rule; checks that
// every rule evaluates with health ok; then injects into the watched logs a
// blocked-traffic spike on one API, steady blocked traffic on another (its
// own baseline: must not fire), and an enumeration burst from one client,
// and follows Grafana's own rule state API through Firing, with the culprit
// in the alert labels, and back to Normal.
func TestAlertRulesFireOnInjectedSpike(t *testing.T) {
	logs := t.TempDir()
	now := time.Now().UTC()
	// Light background traffic up to a minute ago (the windows are quiet).
	if _, err := generate.WriteFiles(logs, generate.Config{Seed: 3, APIs: 2, Instances: 2, Records: 2000, Start: now.Add(-2 * time.Hour), End: now.Add(-time.Minute)}); err != nil {
		t.Fatal(err)
	}
	prov := t.TempDir()
	copyTree(t, filepath.Join(repoRoot, "provisioning"), prov)
	fast := fastRules(t, readRules(t), "apifw-blocked-spike-api", "apifw-blocked-spike", "apifw-enumeration-burst")
	b, _ := json.MarshalIndent(fast, "", "  ")
	writeFileT(t, filepath.Join(prov, "alerting", "test-fast-rules.json"), string(b))

	s := hosttest.StartT(t, hosttest.Options{
		Dist: dist(), Provisioning: prov,
		Env: []string{"APIFW_LOGS=" + logs, "APIFW_REPORTS=" + t.TempDir()},
	})

	// Every provisioned rule evaluates against our data source without error.
	for _, g := range readRules(t).Groups {
		for _, r := range g["rules"].([]any) {
			title := r.(map[string]any)["title"].(string)
			waitRule(t, s, title, 120*time.Second, func(r ruleState) bool { return r.Health == "ok" })
		}
	}
	const (
		spikeRule = "Test Blocked traffic spike per API"
		statsRule = "Test Blocked traffic spike"
		enumRule  = "Test Enumeration burst"
	)
	for _, name := range []string{spikeRule, statsRule, enumRule} {
		quiet := waitRule(t, s, name, 60*time.Second, func(r ruleState) bool { return r.Health == "ok" })
		if quiet.State != "inactive" {
			t.Fatalf("before the spike: %+v", quiet)
		}
	}

	// The spike: 120 blocked calls in the last seconds on one API. Another
	// API has had 60 blocked calls a minute for 10 minutes: its own baseline.
	apis := generate.APIs(3, 2)
	spiked, steady := apis[0].ID, apis[1].ID
	// The generator's attacks, appended to the files the index follows: a
	// spike of blocked calls on API 0 from one attacker and an enumeration
	// burst from one bot (generate.AttackBlocked, AttackEnumeration).
	live, err := generate.NewLive(logs, generate.LiveConfig{Config: generate.Config{Seed: 3, APIs: 2, Instances: 2, DrawSeed: 99}})
	if err != nil {
		t.Fatal(err)
	}
	if err := live.AppendAttack(generate.AttackBlocked, 0, 120); err != nil {
		t.Fatal(err)
	}
	if err := live.AppendAttack(generate.AttackEnumeration, 0, 150); err != nil {
		t.Fatal(err)
	}
	if err := live.Close(); err != nil {
		t.Fatal(err)
	}
	// In new instance folders: API 1 has had 60 blocked calls a minute for
	// 10 minutes (its own baseline: must not fire), and 300 clients got
	// two 404s each: no client's burst, but their sum beyond the 100 top
	// clients is above the threshold (the rule must not alert on "other").
	spikeDir, steadyDir := filepath.Join(logs, "fw-scattered"), filepath.Join(logs, "fw-steady")
	t0 := time.Now().UTC()
	scattered := records(600, func(i int) map[string]any {
		r := blockedRecord(3000+i, t0.Add(-time.Duration(i)*50*time.Millisecond), spiked, fmt.Sprintf("198.18.%d.%d", i%300/250, i%300%250), spikeDir)
		r["status"], r["uri_path"], r["oas_path"] = 404, "/.env", "n/a"
		r["errors"] = []map[string]any{{"step": "hostpath_mapping", "depth": 1, "message": "path not defined in OAS"}}
		return r
	})
	writeFileT(t, filepath.Join(steadyDir, "api-"+steady+".transaction.log"), records(600, func(i int) map[string]any {
		return blockedRecord(1000+i, t0.Add(-time.Duration(600-i)*time.Second), steady, fmt.Sprintf("198.51.100.%d", i%200), steadyDir)
	}))
	writeFileT(t, filepath.Join(spikeDir, "api-"+spiked+".transaction.log"), scattered)

	firing := waitRule(t, s, spikeRule, 60*time.Second, func(r ruleState) bool { return r.State == "firing" })
	if got := firing.alerting("api"); len(got) != 1 || got[0] != spiked {
		t.Fatalf("per-API spike alerts on %v, want only the spiked API %s (%s has a steady baseline): %+v", got, spiked, steady, firing.Alerts)
	}
	waitRule(t, s, statsRule, 60*time.Second, func(r ruleState) bool { return r.State == "firing" })
	enum := waitRule(t, s, enumRule, 60*time.Second, func(r ruleState) bool { return r.State == "firing" })
	// Over the next evaluations, the bot and only the bot alerts.
	clients := map[string]bool{}
	for end := time.Now().Add(25 * time.Second); time.Now().Before(end); time.Sleep(2 * time.Second) {
		for _, c := range ruleStates(t, s)[enumRule].alerting("clientIp") {
			clients[c] = true
		}
	}
	if len(clients) != 1 || !clients[generate.BotIP] {
		t.Fatalf("enumeration alerts on %v, want only the bot %s", clients, generate.BotIP)
	}
	t.Logf("firing: %s on %v, %s, %s on %v", spikeRule, firing.alerting("api"), statsRule, enumRule, enum.alerting("clientIp"))

	// Once the bursts leave the 1-minute windows the rules return to Normal.
	for _, name := range []string{spikeRule, statsRule, enumRule} {
		waitRule(t, s, name, 150*time.Second, func(r ruleState) bool { return r.State == "inactive" && r.Health == "ok" })
	}
}

// TestAlertRulesJSONCopy: the JSON copy the app ships is the provisioned file.
func TestAlertRulesJSONCopy(t *testing.T) {
	var fromJSON, fromYAML any
	if err := json.Unmarshal([]byte(readFile(t, filepath.Join(repoRoot, "src", "alerting", "apifw-monitor-rules.json"))), &fromJSON); err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal([]byte(readFile(t, filepath.Join(repoRoot, "provisioning", "alerting", "apifw-monitor-rules.yaml"))), &fromYAML); err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(fromJSON)
	b, _ := json.Marshal(fromYAML)
	if string(a) != string(b) {
		t.Fatalf("src/alerting/apifw-monitor-rules.json differs from provisioning/alerting/apifw-monitor-rules.yaml: regenerate it")
	}
}

// blockedRecord is one blocked transaction (request validation failed).
func blockedRecord(i int, at time.Time, api, client, instDir string) map[string]any {
	return map[string]any{
		"uuid": fmt.Sprintf("00000000-0000-4000-8000-%012d", i), "date_epoch": at.UnixMicro(),
		"api": api, "api_name": "Spiked API", "non_blocking_mode": false,
		"pod": map[string]string{"instance_name": filepath.Base(instDir)}, "source_ip": client, "method": "POST",
		"uri_path": "/api/user/login", "oas_path": "/api/user/login", "status": 403,
		"errors": []map[string]any{{"step": "request_validation", "depth": 1, "message": "Fault: Request validation failed"}},
	}
}

// records renders n records as NDJSON.
func records(n int, rec func(i int) map[string]any) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		line, _ := json.Marshal(rec(i))
		b.Write(line)
		b.WriteByte('\n')
	}
	return b.String()
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

// evalRule evaluates a provisioned rule's queries and expressions now
// through Grafana's rule test API and returns the condition's numbers.
func evalRule(t *testing.T, s *hosttest.Server, uid string) []float64 {
	t.Helper()
	var rule map[string]any
	for _, g := range readRules(t).Groups {
		for _, r := range g["rules"].([]any) {
			if r.(map[string]any)["uid"] == uid {
				rule = r.(map[string]any)
			}
		}
	}
	if rule == nil {
		t.Fatalf("no provisioned rule %s", uid)
	}
	var resp struct {
		Results map[string]struct {
			Error  string      `json:"error"`
			Frames []frameJSON `json:"frames"`
		} `json:"results"`
	}
	body := map[string]any{"data": rule["data"], "condition": rule["condition"]}
	if err := s.Do(context.Background(), "POST", "/api/v1/eval", body, &resp); err != nil {
		t.Fatalf("eval %s: %v", uid, err)
	}
	cond := resp.Results[rule["condition"].(string)]
	if cond.Error != "" {
		t.Fatalf("eval %s: %s", uid, cond.Error)
	}
	var out []float64
	for _, f := range cond.Frames {
		for _, col := range f.Data.Values {
			for _, v := range col {
				if n, ok := v.(float64); ok {
					out = append(out, n)
				}
			}
		}
	}
	return out
}

// TestAlertRuleSQG: the SQG rule reads one number, the APIs whose latest
// SQG result failed, and its condition holds when it is above 0 (evaluated
// now through the rule test API: the group runs every 5 minutes).
func TestAlertRuleSQG(t *testing.T) {
	f := writeReportsFixture(t)
	s := hosttest.StartT(t, hosttest.Options{
		Dist: dist(), Provisioning: filepath.Join(repoRoot, "provisioning"),
		Env: []string{"APIFW_LOGS=" + f.logs, "APIFW_REPORTS=" + f.reports},
	})
	failing := 0
	for _, q := range latestSQG(f.truth, time.Now()) {
		if !q.Pass {
			failing++
		}
	}
	if failing == 0 {
		t.Fatal("the fixture has no failing SQG result")
	}
	got := evalRule(t, s, "apifw-sqg-failing")
	if len(got) != 1 || got[0] != 1 {
		t.Fatalf("SQG rule condition %v, want one firing result (%d APIs fail their SQG)", got, failing)
	}
}
