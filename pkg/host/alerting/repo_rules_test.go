package alerting

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// fakeDS answers queries as the apifw-monitor data source shapes its frames
// (pkg/plugin): traffic queries as timeseries-multi frames, one per split
// value with the label on the value field; stats and inventory as one-row
// numeric-wide frames with the requested columns.
type fakeDS struct {
	mu sync.Mutex
	// recent and hour: blocked calls per split value in the last 5 and
	// 65 minutes (traffic queries with filters.outcome blocked).
	recent, hour map[string]float64
	stats        map[string]float64 // stats columns
	inventory    map[string]float64
	calls        []backend.DataQuery
	fail         error
}

func (f *fakeDS) query(ctx context.Context, ds string, qs []backend.DataQuery) (*backend.QueryDataResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, qs...)
	if ds != "apifw-monitor" {
		return nil, fmt.Errorf("unknown data source %s", ds)
	}
	if f.fail != nil {
		return nil, f.fail
	}
	resp := backend.NewQueryDataResponse()
	for _, q := range qs {
		var m struct {
			QueryType string              `json:"queryType"`
			SplitBy   string              `json:"splitBy"`
			Columns   []string            `json:"columns"`
			Filters   map[string][]string `json:"filters"`
		}
		if err := json.Unmarshal(q.JSON, &m); err != nil {
			return nil, err
		}
		meta := func(t data.FrameType) *data.FrameMeta {
			return &data.FrameMeta{Type: t, TypeVersion: data.FrameTypeVersion{0, 1}}
		}
		var frames data.Frames
		switch m.QueryType {
		case "traffic":
			totals := f.recent
			if q.TimeRange.Duration() > 10*time.Minute {
				totals = f.hour
			}
			if len(m.Filters["outcome"]) == 0 || m.SplitBy != "api" {
				totals = nil // only the blocked-per-API series carry data here
			}
			keys := make([]string, 0, len(totals))
			for k := range totals {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			buckets := int(q.TimeRange.Duration() / q.Interval)
			for _, k := range keys {
				times := make([]time.Time, buckets)
				vals := make([]float64, buckets)
				for i := range times {
					times[i] = q.TimeRange.From.Add(time.Duration(i) * q.Interval)
				}
				vals[buckets-1] = totals[k] // all in the last bucket: sums are what count
				labels := data.Labels{m.SplitBy: k}
				if m.SplitBy == "api" { // as the data source: the API's name too
					labels["apiName"] = strings.ToUpper(k[:1]) + k[1:]
				}
				fr := data.NewFrame(k, data.NewField("time", nil, times), data.NewField("count", labels, vals))
				fr.RefID, fr.Meta = q.RefID, meta(data.FrameTypeTimeSeriesMulti)
				frames = append(frames, fr)
			}
			if len(frames) == 0 {
				fr := data.NewFrame("traffic")
				fr.RefID, fr.Meta = q.RefID, meta(data.FrameTypeTimeSeriesMulti)
				frames = data.Frames{fr}
			}
		case "stats", "inventory":
			src := f.stats
			if m.QueryType == "inventory" {
				src = f.inventory
			}
			fr := data.NewFrame(m.QueryType)
			for _, c := range m.Columns {
				if c == "blocked" || c == "sqgFail" {
					fr.Fields = append(fr.Fields, data.NewField(c, nil, []int64{int64(src[c])}))
				} else {
					fr.Fields = append(fr.Fields, data.NewField(c, nil, []float64{src[c]}))
				}
			}
			fr.RefID, fr.Meta = q.RefID, meta(data.FrameTypeNumericWide)
			frames = data.Frames{fr}
		default:
			return nil, fmt.Errorf("query type %q", m.QueryType)
		}
		resp.Responses[q.RefID] = backend.DataResponse{Frames: frames}
	}
	return resp, nil
}

func (f *fakeDS) set(fn func(f *fakeDS)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

func instancesByLabel(s *Scheduler, uid, label string) map[string]*Instance {
	m := map[string]*Instance{}
	for _, inst := range s.Instances(uid) {
		m[inst.Labels[label]] = inst
	}
	return m
}

// The repository's provisioned rules, evaluated against frames shaped as
// the data source's: the per-API blocked spike fires only for the spiked
// API, after its pending period (for: 1m), with the templated summary, and
// resolves.
func TestRepoRulesEvaluate(t *testing.T) {
	groups := loadRepoRules(t)
	ds := &fakeDS{
		// pets: 100 in 5 min against 220 in 65 min: 100 >= 50 and
		// 100 > 3*(220-100)/12 = 30 → fires.
		// users: 10 in 5 min: under 50 → normal.
		// orders: 60 against 660: 60 < 3*600/12 = 150 → normal.
		recent:    map[string]float64{"pets": 100, "users": 10, "orders": 60},
		hour:      map[string]float64{"pets": 220, "users": 130, "orders": 660},
		stats:     map[string]float64{"blockedRatio": 0.3123, "blocked": 150},
		inventory: map[string]float64{"sqgFail": 0},
	}
	s := NewScheduler(groups, ds.query)
	ctx := context.Background()

	s.EvalGroupNow(ctx, t0)
	spike := instancesByLabel(s, "apifw-blocked-spike-api", "api")
	if len(spike) != 3 {
		t.Fatalf("instances %v", spike)
	}
	if spike["pets"].State != Pending || spike["users"].State != Normal || spike["orders"].State != Normal {
		t.Fatalf("after 1st evaluation: pets %s users %s orders %s", spike["pets"].State, spike["users"].State, spike["orders"].State)
	}
	// Every traffic query asked for 1-minute buckets (intervalMs 60000).
	for _, q := range ds.calls {
		if strings.Contains(string(q.JSON), `"traffic"`) && strings.Contains(string(q.JSON), `"outcome"`) && q.Interval != time.Minute {
			t.Fatalf("interval %v for %s", q.Interval, q.JSON)
		}
	}

	s.EvalGroupNow(ctx, t0.Add(time.Minute))
	spike = instancesByLabel(s, "apifw-blocked-spike-api", "api")
	pets := spike["pets"]
	if pets.State != Alerting || spike["users"].State != Normal || spike["orders"].State != Normal {
		t.Fatalf("after the pending period: pets %s users %s orders %s", pets.State, spike["users"].State, spike["orders"].State)
	}
	wantSummary := "API Pets: 100 blocked calls in the last 5 minutes, against 220 in the last 65 minutes."
	if pets.Annotations["summary"] != wantSummary {
		t.Fatalf("summary %q, want %q", pets.Annotations["summary"], wantSummary)
	}
	if pets.Annotations["dashboard"] != "/d/apifw-security/api-firewall-security?var-api=pets&from=now-3h&to=now" {
		t.Fatalf("dashboard %q", pets.Annotations["dashboard"])
	}
	if pets.Labels["severity"] != "warning" || pets.Labels["team"] != "api-security" || pets.Labels["alertname"] != "Blocked traffic spike per API" {
		t.Fatalf("labels %v", pets.Labels)
	}
	if pets.Values["C"] != 100 || pets.Values["D"] != 220 || pets.Values["E"] != 1 {
		t.Fatalf("values %v", pets.Values)
	}

	// The stats rule (numeric-wide, $A > 0.25 && $B >= 100) fires after 1m
	// too, with humanizePercentage in its summary.
	stats := s.Instances("apifw-blocked-spike")
	if len(stats) != 1 || stats[0].State != Alerting {
		t.Fatalf("stats rule: %+v", stats)
	}
	if got, want := stats[0].Annotations["summary"], "31.23% of all calls (150) were blocked by the API firewalls in the last 5 minutes."; got != want {
		t.Fatalf("stats summary %q, want %q", got, want)
	}
	// The SQG rule: numeric-wide sqgFail 0 → Normal.
	if sqg := s.Instances("apifw-sqg-failing"); len(sqg) != 1 || sqg[0].State != Normal {
		t.Fatalf("sqg: %+v", sqg)
	}
	// Traffic rules whose queries found nothing: noDataState OK → Normal.
	if inst := s.Instances("apifw-enumeration-burst"); len(inst) != 1 || inst[0].FormattedState() != "Normal (NoData)" {
		t.Fatalf("enumeration: %+v", inst)
	}
	// The silent-instance rule has noDataState NoData.
	// A query without data labels the NoData instance with datasource_uid
	// and ref_id (eval.go evaluateExecutionResult).
	if inst := s.Instances("apifw-instance-silent"); len(inst) != 1 || inst[0].State != NoData ||
		inst[0].Labels["datasource_uid"] != "apifw-monitor" || inst[0].Labels["ref_id"] != "A" {
		t.Fatalf("silent: %+v", inst)
	}

	// Rules API: the per-API rule is firing with one Alerting alert.
	rules := s.PromRules()
	var spikeRule *PromRule
	for gi := range rules.Data.Groups {
		for ri := range rules.Data.Groups[gi].Rules {
			if rules.Data.Groups[gi].Rules[ri].UID == "apifw-blocked-spike-api" {
				spikeRule = &rules.Data.Groups[gi].Rules[ri]
			}
		}
	}
	if spikeRule == nil || spikeRule.State != "firing" || spikeRule.Health != "ok" || spikeRule.Alerts[0].State != "Alerting" || spikeRule.Alerts[0].Labels["api"] != "pets" {
		t.Fatalf("rule: %+v", spikeRule)
	}
	// FormatValues: the condition's value in %e notation.
	if spikeRule.Alerts[0].Value != "1e+00" {
		t.Fatalf("value %q", spikeRule.Alerts[0].Value)
	}

	// The spike ends: pets resolves to Normal and stays (Grafana keeps
	// resolved instances); the rule is inactive again.
	ds.set(func(f *fakeDS) { f.recent["pets"] = 5; f.hour["pets"] = 125 })
	s.EvalGroupNow(ctx, t0.Add(2*time.Minute))
	spike = instancesByLabel(s, "apifw-blocked-spike-api", "api")
	if spike["pets"] == nil || spike["pets"].State != Normal {
		t.Fatalf("pets after the spike: %+v", spike["pets"])
	}
	for _, g := range s.PromRules().Data.Groups {
		for _, r := range g.Rules {
			if r.UID == "apifw-blocked-spike-api" && r.State != "inactive" {
				t.Fatalf("rule state %s after resolving", r.State)
			}
		}
	}

	// A data source error: execErrState Error → Error instance, health error.
	ds.set(func(f *fakeDS) { f.fail = fmt.Errorf("engine unavailable") })
	s.EvalGroupNow(ctx, t0.Add(3*time.Minute))
	snap, _ := s.Snapshot("apifw-blocked-spike-api")
	if snap.Health != "error" || snap.LastError == nil || !strings.Contains(snap.LastError.Error(), "engine unavailable") {
		t.Fatalf("health %s, error %v", snap.Health, snap.LastError)
	}
	errInst := instancesByLabel(s, "apifw-blocked-spike-api", "ref_id")["A"]
	if errInst == nil || errInst.State != Error {
		t.Fatalf("error instance: %+v", snap.Instances)
	}
}

func TestHTTPAnswers(t *testing.T) {
	groups := loadRepoRules(t)
	ds := &fakeDS{
		recent:    map[string]float64{"pets": 100},
		hour:      map[string]float64{"pets": 220},
		stats:     map[string]float64{"blockedRatio": 0.1, "blocked": 20},
		inventory: map[string]float64{"sqgFail": 2},
	}
	s := NewScheduler(groups, ds.query)
	s.Now = func() time.Time { return t0 }
	s.EvalGroupNow(context.Background(), t0)

	get := func(h http.Handler, method, path string, body []byte) (int, map[string]any, []any) {
		req := httptest.NewRequest(method, path, bytes.NewReader(body))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		var obj map[string]any
		var arr []any
		if err := json.Unmarshal(rec.Body.Bytes(), &obj); err != nil {
			if err := json.Unmarshal(rec.Body.Bytes(), &arr); err != nil {
				t.Fatalf("%s: %v: %s", path, err, rec.Body.String())
			}
		}
		return rec.Code, obj, arr
	}

	// Prometheus-compatible rules.
	code, obj, _ := get(s.RulesHandler(), "GET", "/api/prometheus/grafana/api/v1/rules", nil)
	if code != 200 || obj["status"] != "success" {
		t.Fatalf("rules: %d %v", code, obj)
	}
	dataObj := obj["data"].(map[string]any)
	gs := dataObj["groups"].([]any)
	g0 := gs[0].(map[string]any)
	if g0["name"] != "API firewall traffic" || g0["file"] != "API Firewall Monitor" || g0["folderUid"] == "" || g0["interval"] != float64(60) {
		t.Fatalf("group: %v", g0)
	}
	r0 := g0["rules"].([]any)[0].(map[string]any)
	for _, k := range []string{"name", "uid", "folderUid", "query", "labels", "annotations", "health", "lastError", "type", "state", "alerts", "lastEvaluation", "evaluationTime", "duration"} {
		if _, ok := r0[k]; !ok {
			t.Errorf("rule has no %q: %v", k, r0)
		}
	}
	if r0["type"] != "alerting" || r0["state"] != "pending" || r0["duration"] != float64(60) {
		t.Fatalf("rule 0: %v", r0)
	}
	a0 := r0["alerts"].([]any)[0].(map[string]any)
	if a0["state"] != "Pending" || a0["labels"].(map[string]any)["api"] != "pets" || a0["activeAt"] == nil || a0["value"] != "1e+00" {
		t.Fatalf("alert: %v", a0)
	}
	// SQG failing (for: 0s) → firing at once.
	g2 := gs[2].(map[string]any)
	sqg := g2["rules"].([]any)[0].(map[string]any)
	if sqg["state"] != "firing" {
		t.Fatalf("sqg: %v", sqg)
	}
	if sqg["alerts"].([]any)[0].(map[string]any)["annotations"].(map[string]any)["summary"] != "2 API(s) fail their security quality gate." {
		t.Fatalf("sqg summary: %v", sqg["alerts"])
	}
	totals := dataObj["totals"].(map[string]any)
	if totals["firing"] == nil || totals["pending"] == nil {
		t.Fatalf("totals %v", totals)
	}

	// Provisioning API.
	code, _, arr := get(s.ProvisioningHandler(), "GET", "/api/v1/provisioning/alert-rules", nil)
	if code != 200 || len(arr) != 7 {
		t.Fatalf("provisioning: %d, %d rules", code, len(arr))
	}
	p0 := arr[0].(map[string]any)
	if p0["uid"] != "apifw-blocked-spike-api" || p0["provenance"] != "file" || p0["for"] != "1m" || p0["ruleGroup"] != "API firewall traffic" || p0["orgID"] != float64(1) || p0["folderUID"] == "" || p0["noDataState"] != "OK" {
		t.Fatalf("provisioned rule: %v", p0)
	}
	d0 := p0["data"].([]any)[0].(map[string]any)
	if d0["relativeTimeRange"].(map[string]any)["from"] != float64(300) || d0["model"].(map[string]any)["intervalMs"] != float64(60000) {
		t.Fatalf("provisioned data: %v", d0)
	}
	code, one, _ := get(s.ProvisioningHandler(), "GET", "/api/v1/provisioning/alert-rules/apifw-sqg-failing", nil)
	if code != 200 || one["title"] != "APIs failing their SQG" {
		t.Fatalf("one rule: %d %v", code, one)
	}
	if code, _, _ := get(s.ProvisioningHandler(), "GET", "/api/v1/provisioning/alert-rules/nope", nil); code != 404 {
		t.Fatalf("unknown rule: %d", code)
	}

	// Eval: the per-API rule's data, as the test client posts it.
	var spike ProvisionedRule
	b, _ := json.Marshal(arr[0])
	_ = json.Unmarshal(b, &spike)
	body, _ := json.Marshal(map[string]any{"data": spike.Data, "condition": "E"})
	code, res, _ := get(s.EvalHandler(), "POST", "/api/v1/eval", body)
	if code != 200 {
		t.Fatalf("eval: %d %v", code, res)
	}
	results := res["results"].(map[string]any)
	e := results["E"].(map[string]any)
	frames := e["frames"].([]any)
	vals := frames[0].(map[string]any)["data"].(map[string]any)["values"].([]any)
	if e["status"] != float64(200) || len(frames) != 1 || vals[0].([]any)[0] != float64(1) {
		t.Fatalf("E: %v", e)
	}
	schema := frames[0].(map[string]any)["schema"].(map[string]any)
	if schema["fields"].([]any)[0].(map[string]any)["labels"].(map[string]any)["api"] != "pets" {
		t.Fatalf("E labels: %v", schema)
	}
	c := results["C"].(map[string]any)["frames"].([]any)[0].(map[string]any)["data"].(map[string]any)["values"].([]any)
	if c[0].([]any)[0] != float64(100) {
		t.Fatalf("C: %v", c)
	}
	// A is the data source's series, as a time and a value field.
	a := results["A"].(map[string]any)["frames"].([]any)[0].(map[string]any)["data"].(map[string]any)["values"].([]any)
	if len(a) != 2 || len(a[1].([]any)) != 5 {
		t.Fatalf("A: %v", a)
	}

	// Errors per refID.
	ds.set(func(f *fakeDS) { f.fail = fmt.Errorf("engine unavailable") })
	code, res, _ = get(s.EvalHandler(), "POST", "/api/v1/eval", body)
	if code != 200 {
		t.Fatalf("eval with error: %d %v", code, res)
	}
	errA, _ := res["results"].(map[string]any)["A"].(map[string]any)["error"].(string)
	if !strings.Contains(errA, "engine unavailable") {
		t.Fatalf("A error: %v", res)
	}
	if code, _, _ := get(s.EvalHandler(), "POST", "/api/v1/eval", []byte(`{"data":[{"refId":"A","datasourceUid":"__expr__","model":{"type":"math","expression":"$B"}}]}`)); code != 400 {
		t.Fatalf("bad expression: %d", code)
	}
}

// Readers of the state while the scheduler runs (go test -race).
func TestSchedulerConcurrentReaders(t *testing.T) {
	groups := loadRepoRules(t)
	for i := range groups {
		groups[i].Interval = 10 * time.Millisecond
	}
	ds := &fakeDS{recent: map[string]float64{"pets": 100}, hour: map[string]float64{"pets": 220}, stats: map[string]float64{}, inventory: map[string]float64{}}
	s := NewScheduler(groups, ds.query)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()
	// Read while it runs, until the rule was evaluated at start and again
	// on its interval.
	deadline := time.After(30 * time.Second)
	var first time.Time
	for {
		_ = s.PromRules()
		snap, _ := s.Snapshot("apifw-blocked-spike-api")
		if first.IsZero() {
			first = snap.LastEvaluation
		} else if snap.LastEvaluation.After(first) {
			break
		}
		select {
		case <-deadline:
			t.Fatal("the scheduler did not evaluate twice")
		case <-time.After(time.Millisecond):
		}
	}
	cancel()
	<-done
}

func TestRulesFilters(t *testing.T) {
	groups := loadRepoRules(t)
	ds := &fakeDS{recent: map[string]float64{"pets": 100}, hour: map[string]float64{"pets": 220}, stats: map[string]float64{}, inventory: map[string]float64{"sqgFail": 1}}
	s := NewScheduler(groups, ds.query)
	s.EvalGroupNow(context.Background(), t0)
	count := func(q string) (groups, rules, alerts int) {
		req := httptest.NewRequest("GET", "/api/prometheus/grafana/api/v1/rules?"+q, nil)
		rec := httptest.NewRecorder()
		s.RulesHandler().ServeHTTP(rec, req)
		var resp PromRulesResponse
		if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
			t.Fatal(err)
		}
		for _, g := range resp.Data.Groups {
			groups++
			for _, r := range g.Rules {
				rules++
				alerts += len(r.Alerts)
			}
		}
		return
	}
	cases := []struct {
		query                 string
		groups, rules, alerts int
	}{
		{"", 3, 7, 7},
		{"rule_uid=apifw-sqg-failing", 1, 1, 1},
		{"rule_uid=apifw-sqg-failing&rule_uid=apifw-blocked-spike", 2, 2, 2},
		{"rule_group=API+firewall+health", 1, 1, 1},
		{"dashboard_uid=apifw-security&panel_id=10", 1, 1, 1},
		{"dashboard_uid=apifw-security&panel_id=11", 0, 0, 0},
		{"folder_uid=nope", 0, 0, 0},
		{"limit_alerts=0", 3, 7, 0},
		// Only the rule whose noDataState is NoData (instance silent): the
		// traffic rules without series map NoData to Normal (noDataState OK)
		// and stay healthy, as in Grafana's api_prometheus.go.
		{"health=nodata", 1, 1, 1},
	}
	for _, c := range cases {
		g, r, a := count(c.query)
		if g != c.groups || r != c.rules || a != c.alerts {
			t.Errorf("%q: %d groups, %d rules, %d alerts; want %d, %d, %d", c.query, g, r, a, c.groups, c.rules, c.alerts)
		}
	}
}
