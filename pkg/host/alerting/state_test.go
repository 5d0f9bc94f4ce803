package alerting

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/apifw/monitor/pkg/host/alerting/expr"
)

var t0 = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

// step is what the fake data source answers at one evaluation: numbers by
// label value of "api" (a nil value is a null), no frames, or an error.
type step struct {
	values map[string]*float64
	noData bool
	err    error
}

func v(api string, f float64) step { return step{values: map[string]*float64{api: expr.F(f)}} }

var noData = step{noData: true}

func errStep() step { return step{err: errors.New("data source down")} }

// numericAnswer answers every query with a numeric-wide frame per label set.
func numericAnswer(s step) (*backend.QueryDataResponse, error) {
	if s.err != nil {
		return nil, s.err
	}
	resp := backend.NewQueryDataResponse()
	var frames data.Frames
	if !s.noData {
		for api, val := range s.values {
			var l data.Labels
			if api != "" {
				l = data.Labels{"api": api}
			}
			f := data.NewFrame("", data.NewField("value", l, []*float64{val}))
			f.Meta = &data.FrameMeta{Type: data.FrameTypeNumericMulti, TypeVersion: data.FrameTypeVersion{0, 1}}
			frames = append(frames, f)
		}
	} else {
		f := data.NewFrame("")
		f.Meta = &data.FrameMeta{Type: data.FrameTypeNumericMulti, TypeVersion: data.FrameTypeVersion{0, 1}}
		frames = data.Frames{f}
	}
	resp.Responses["A"] = backend.DataResponse{Frames: frames}
	return resp, nil
}

func testRule(forDur time.Duration, noDataState, execErrState string) Rule {
	model := func(m map[string]any) json.RawMessage { b, _ := json.Marshal(m); return b }
	return Rule{
		UID: "r", OrgID: 1, Title: "Test rule", Condition: "B", For: forDur,
		NoDataState: noDataState, ExecErrState: execErrState, MissingSeriesEvalsToResolve: 2,
		Labels: map[string]string{"severity": "warning"}, Annotations: map[string]string{"summary": "{{ $labels.api }} is {{ $values.A }}"},
		Group: "g", FolderTitle: "Folder", FolderUID: "folder", Interval: time.Minute,
		Data: []expr.Query{
			{RefID: "A", DatasourceUID: "ds", RelativeTimeRange: expr.RelativeTimeRange{From: 300}, Model: model(map[string]any{"refId": "A"})},
			{RefID: "B", DatasourceUID: "__expr__", Model: model(map[string]any{"type": "threshold", "expression": "A", "conditions": []any{map[string]any{"evaluator": map[string]any{"type": "gt", "params": []float64{0}}}}})},
		},
	}
}

// run evaluates the rule once per step, a minute apart, and returns the
// instances after each step, keyed by their "api" label ("" for none), or
// "ref_id=A" for those labelled with a query's ref_id (no data, errors).
func run(t *testing.T, rule Rule, steps []step) []map[string]*Instance {
	t.Helper()
	i := 0
	qf := func(ctx context.Context, ds string, qs []backend.DataQuery) (*backend.QueryDataResponse, error) {
		return numericAnswer(steps[i])
	}
	s := NewScheduler([]Group{{OrgID: 1, Name: "g", Folder: "Folder", FolderUID: "folder", Interval: time.Minute, Rules: []Rule{rule}}}, qf)
	var out []map[string]*Instance
	for i = range steps {
		s.EvalRule(context.Background(), rule, t0.Add(time.Duration(i)*time.Minute))
		m := map[string]*Instance{}
		for _, inst := range s.Instances(rule.UID) {
			key := inst.Labels["api"]
			if ref, ok := inst.Labels["ref_id"]; ok {
				key = "ref_id=" + ref
			}
			m[key] = inst
		}
		out = append(out, m)
	}
	return out
}

type want struct {
	api   string
	state string // formatted state, "" = instance absent
}

func check(t *testing.T, got []map[string]*Instance, wants [][]want) {
	t.Helper()
	for i, ws := range wants {
		for _, w := range ws {
			inst := got[i][w.api]
			switch {
			case w.state == "" && inst != nil:
				t.Errorf("step %d api %q: instance present (%s), want none", i, w.api, inst.FormattedState())
			case w.state != "" && inst == nil:
				t.Errorf("step %d api %q: no instance, want %s", i, w.api, w.state)
			case inst != nil && inst.FormattedState() != w.state:
				t.Errorf("step %d api %q: %s, want %s", i, w.api, inst.FormattedState(), w.state)
			}
		}
	}
}

func TestStateTransitions(t *testing.T) {
	cases := []struct {
		name  string
		rule  Rule
		steps []step
		want  [][]want
	}{
		// https://grafana.com/docs/grafana/latest/alerting/fundamentals/alert-rule-evaluation/
		// ("pending period"): a firing condition is Pending until the pending
		// period has elapsed, then Alerting; state.go resultAlerting compares
		// EvaluatedAt - StartsAt >= For. Back to Normal when the condition is 0.
		{"for 2m", testRule(2*time.Minute, NoDataNoData, ErrStateError),
			[]step{v("x", 1), v("x", 1), v("x", 1), v("x", 0)},
			[][]want{{{"x", "Pending"}}, {{"x", "Pending"}}, {{"x", "Alerting"}}, {{"x", "Normal"}}}},
		// for 0s: Alerting at once (resultAlerting: rule.For == 0).
		{"for 0s", testRule(0, NoDataNoData, ErrStateError),
			[]step{v("x", 1), v("x", 0), v("x", 1)},
			[][]want{{{"x", "Alerting"}}, {{"x", "Normal"}}, {{"x", "Alerting"}}}},
		// A pending instance whose condition clears goes back to Normal.
		{"pending then normal", testRule(5*time.Minute, NoDataNoData, ErrStateError),
			[]step{v("x", 1), v("x", 0)},
			[][]want{{{"x", "Pending"}}, {{"x", "Normal"}}}},
		// One instance per label set; each has its own state.
		{"multi-dimensional", testRule(0, NoDataNoData, ErrStateError),
			[]step{{values: map[string]*float64{"x": expr.F(5), "y": expr.F(0)}}},
			[][]want{{{"x", "Alerting"}, {"y", "Normal"}}}},
		// A null condition value is NoData for that instance (eval.go).
		{"null value is no data", testRule(0, NoDataNoData, ErrStateError),
			[]step{{values: map[string]*float64{"x": nil}}},
			[][]want{{{"x", "NoData"}}}},

		// No data handling
		// (https://grafana.com/docs/grafana/latest/alerting/fundamentals/alert-rule-evaluation/nodata-and-error-states/,
		// state.go resultNoData): a query without data makes a NoData result
		// labelled datasource_uid and ref_id (eval.go evaluateExecutionResult).
		// NoData state: a new instance with those labels in NoData; the series
		// that vanished are stale and are removed after 2 missing evaluations
		// (stale-alert-instances doc).
		{"nodata: NoData", testRule(0, NoDataNoData, ErrStateError),
			[]step{v("x", 1), noData, noData},
			[][]want{{{"x", "Alerting"}}, {{"ref_id=A", "NoData"}, {"x", "Alerting"}}, {{"ref_id=A", "NoData"}, {"x", ""}}}},
		// Alerting: through the pending period, reason NoData; manager.go
		// applies the NoData result to all existing instances.
		{"nodata: Alerting with for", testRule(time.Minute, NoDataAlerting, ErrStateError),
			[]step{noData, noData, v("x", 0)},
			[][]want{{{"ref_id=A", "Pending (NoData)"}}, {{"ref_id=A", "Alerting (NoData)"}}, {{"x", "Normal"}, {"ref_id=A", "Alerting (NoData)"}}}},
		{"nodata: Alerting applies to existing instances", testRule(0, NoDataAlerting, ErrStateError),
			[]step{v("x", 0), noData},
			[][]want{{{"x", "Normal"}}, {{"x", "Alerting (NoData)"}, {"ref_id=A", ""}}}},
		// OK: Normal, reason NoData.
		{"nodata: OK", testRule(0, NoDataOK, ErrStateError),
			[]step{v("x", 1), noData},
			[][]want{{{"x", "Alerting"}}, {{"x", "Normal (NoData)"}}}},
		// KeepLast: the instance keeps its state (reason "NoData, KeepLast").
		{"nodata: KeepLast", testRule(0, NoDataKeepLast, ErrStateError),
			[]step{v("x", 1), noData, v("x", 0)},
			[][]want{{{"x", "Alerting"}}, {{"x", "Alerting (NoData, KeepLast)"}}, {{"x", "Normal"}}}},

		// Error handling (same doc, state.go resultError): Error state at
		// once, no pending period; the instance carries ref_id and
		// datasource_uid labels (AddErrorInformation) so the api label is
		// absent.
		{"error: Error", testRule(5*time.Minute, NoDataNoData, ErrStateError),
			[]step{errStep(), errStep()},
			[][]want{{{"ref_id=A", "Error"}}, {{"ref_id=A", "Error"}}}},
		{"error: Alerting with for", testRule(time.Minute, NoDataNoData, ErrStateAlerting),
			[]step{errStep(), errStep()},
			[][]want{{{"", "Pending (Error)"}}, {{"", "Alerting (Error)"}}}},
		{"error: OK", testRule(0, NoDataNoData, ErrStateOK),
			[]step{v("x", 1), errStep()},
			[][]want{{{"x", "Alerting"}}, {{"x", "Normal (Error)"}}}},
		{"error: KeepLast", testRule(0, NoDataNoData, ErrStateKeepLast),
			[]step{v("x", 1), errStep()},
			[][]want{{{"x", "Alerting"}}, {{"x", "Alerting (Error, KeepLast)"}}}},

		// keepFiringFor (state.go resultNormal, Grafana 12's Recovering state):
		// a resolved instance is Recovering until keepFiringFor has elapsed;
		// firing again while Recovering is Alerting at once.
		{"keepFiringFor", withKeepFiring(testRule(time.Minute, NoDataNoData, ErrStateError), 2*time.Minute),
			[]step{v("x", 1), v("x", 1), v("x", 0), v("x", 0), v("x", 0), v("x", 1), v("x", 0)},
			[][]want{{{"x", "Pending"}}, {{"x", "Alerting"}}, {{"x", "Recovering"}}, {{"x", "Recovering"}}, {{"x", "Normal"}}, {{"x", "Pending"}}, {{"x", "Normal"}}}},
		{"recovering fires again", withKeepFiring(testRule(time.Minute, NoDataNoData, ErrStateError), 5*time.Minute),
			[]step{v("x", 1), v("x", 1), v("x", 0), v("x", 1)},
			[][]want{{{"x", "Pending"}}, {{"x", "Alerting"}}, {{"x", "Recovering"}}, {{"x", "Alerting"}}}},

		// Stale instances (stale-alert-instances doc: "2 by default"): a
		// series missing for one evaluation keeps its state, missing for the
		// second it is resolved and evicted.
		{"stale instance removed after 2 missing evaluations", testRule(0, NoDataNoData, ErrStateError),
			[]step{{values: map[string]*float64{"x": expr.F(1), "y": expr.F(1)}}, v("x", 1), v("x", 1), v("x", 1)},
			[][]want{{{"y", "Alerting"}}, {{"y", "Alerting"}}, {{"y", ""}, {"x", "Alerting"}}, {{"y", ""}}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			check(t, run(t, c.rule, c.steps), c.want)
		})
	}
}

func TestStateDetails(t *testing.T) {
	rule := testRule(time.Minute, NoDataNoData, ErrStateError)
	got := run(t, rule, []step{v("x", 7), v("x", 7), errStep()})
	inst := got[1]["x"]
	// Labels: result labels, rule labels, alertname and grafana_folder.
	wantLabels := map[string]string{"api": "x", "severity": "warning", "alertname": "Test rule", "grafana_folder": "Folder"}
	for k, val := range wantLabels {
		if inst.Labels[k] != val {
			t.Errorf("label %s = %q, want %q (labels %v)", k, inst.Labels[k], val, inst.Labels)
		}
	}
	if inst.Annotations["summary"] != "x is 7" {
		t.Errorf("summary %q", inst.Annotations["summary"])
	}
	// activeAt of an Alerting instance is when it became Alerting.
	if !inst.StartsAt.Equal(t0.Add(time.Minute)) || inst.State != Alerting {
		t.Errorf("state %s since %v", inst.State, inst.StartsAt)
	}
	// The error instance: ref_id and datasource_uid labels, Error annotation.
	e := got[2]["ref_id=A"]
	if e == nil || e.Labels["ref_id"] != "A" || e.Labels["datasource_uid"] != "ds" || e.Annotations["Error"] == "" || e.Error == nil {
		t.Fatalf("error instance: %+v", e)
	}
	// With execErrState OK the query error goes to the annotations.
	got = run(t, testRule(0, NoDataNoData, ErrStateOK), []step{v("x", 1), errStep()})
	if a := got[1]["x"].Annotations; a["ref_id"] != "A" || a["datasource_uid"] != "ds" || a["Error"] == "" {
		t.Fatalf("annotations %v", a)
	}
}

// Recovery threshold (pkg/expr/hysteresis.go; the threshold docs' "custom
// recovery threshold"): an instance that is Alerting stays Alerting until the
// unload condition holds; one that is not uses the alerting threshold.
func TestRecoveryThreshold(t *testing.T) {
	rule := testRule(0, NoDataNoData, ErrStateError)
	rule.Data[1].Model = json.RawMessage(`{"type":"threshold","expression":"A","conditions":[{"evaluator":{"type":"gt","params":[10]},"unloadEvaluator":{"type":"lt","params":[5]}}]}`)
	got := run(t, rule, []step{v("x", 12), v("x", 7), v("x", 4), v("x", 7), v("x", 11)})
	check(t, got, [][]want{{{"x", "Alerting"}}, {{"x", "Alerting"}}, {{"x", "Normal"}}, {{"x", "Normal"}}, {{"x", "Alerting"}}})
}

// A classic condition gives one instance without labels; its $value lists
// the matches (pkg/services/ngalert/eval/extract_md.go).
func TestClassicConditionRule(t *testing.T) {
	rule := testRule(0, NoDataNoData, ErrStateError)
	rule.Annotations = map[string]string{"summary": "{{ $value }}", "b0": "{{ $values.B0 }}"}
	rule.Data[1].Model = json.RawMessage(`{"type":"classic_conditions","conditions":[{"evaluator":{"type":"gt","params":[5]},"operator":{"type":"and"},"query":{"params":["A"]},"reducer":{"type":"last"}}]}`)
	got := run(t, rule, []step{v("x", 7), v("x", 3), noData})
	check(t, got, [][]want{{{"", "Alerting"}}, {{"", "Normal"}}, {{"ref_id=A", "NoData"}}})
	inst := got[0][""]
	if inst.Annotations["summary"] != "[ var='B0' metric='value' labels={api=x} value=7 ]" || inst.Annotations["b0"] != "7" {
		t.Fatalf("annotations %v", inst.Annotations)
	}
	if inst.conditionValue("B") != "7e+00" {
		t.Fatalf("value %q", inst.conditionValue("B"))
	}
}

func withKeepFiring(r Rule, d time.Duration) Rule {
	r.KeepFiringFor = d
	return r
}

// A paused rule (isPaused) is not evaluated; the rules API still lists it.
func TestPausedRule(t *testing.T) {
	rule := testRule(0, NoDataNoData, ErrStateError)
	rule.IsPaused = true
	calls := 0
	qf := func(ctx context.Context, ds string, qs []backend.DataQuery) (*backend.QueryDataResponse, error) {
		calls++
		return numericAnswer(v("x", 1))
	}
	s := NewScheduler([]Group{{OrgID: 1, Name: "g", Folder: "Folder", FolderUID: "folder", Interval: time.Minute, Rules: []Rule{rule}}}, qf)
	s.EvalGroupNow(context.Background(), t0)
	rules := s.PromRules()
	if calls != 0 || len(s.Instances("r")) != 0 || len(rules.Data.Groups) != 1 || !rules.Data.Groups[0].Rules[0].IsPaused || rules.Data.Groups[0].Rules[0].State != "inactive" {
		t.Fatalf("paused rule: %d calls, %+v", calls, rules.Data.Groups)
	}
}
