package alerting

import (
	"math"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// State reasons (Grafana's pkg/services/ngalert/models StateReason*).
const (
	ReasonMissingSeries = "MissingSeries"
	ReasonNoData        = "NoData"
	ReasonError         = "Error"
	ReasonKeepLast      = "KeepLast"
)

// Labels Grafana attaches to every instance (pkg/services/ngalert/models:
// alertname is the rule title, grafana_folder the folder title; the
// __alert_rule_uid__ and __alert_rule_namespace_uid__ internal labels are
// left out as the API's default "without internal labels" view does).
const (
	AlertNameLabel   = "alertname"
	FolderTitleLabel = "grafana_folder"
)

// Instance is the state of one alert instance (one label set of a rule).
type Instance struct {
	Labels      data.Labels
	Annotations map[string]string
	State       EvalState
	StateReason string
	// StartsAt is when the instance entered its current state (activeAt).
	StartsAt           time.Time
	LastEvaluationTime time.Time
	// Values are the numbers of the last evaluation by refID (NaN for null;
	// -1 placeholders after NoData or Error, as Grafana's SetNextValues).
	Values           map[string]float64
	EvaluationString string
	Error            error
	// ResultLabels are the labels of the condition's result (without the
	// rule's labels): the dimension a recovery threshold looks at.
	ResultLabels data.Labels
	missingEvals int
}

// FormattedState is "State" or "State (Reason)" (Grafana's
// state.FormatStateAndReason), as the API's alert "state".
func (s *Instance) FormattedState() string {
	if s.StateReason != "" {
		return s.State.String() + " (" + s.StateReason + ")"
	}
	return s.State.String()
}

func (s *Instance) clone() *Instance {
	c := *s
	c.Labels = s.Labels.Copy()
	c.Annotations = make(map[string]string, len(s.Annotations))
	for k, v := range s.Annotations {
		c.Annotations[k] = v
	}
	c.Values = make(map[string]float64, len(s.Values))
	for k, v := range s.Values {
		c.Values[k] = v
	}
	c.ResultLabels = s.ResultLabels.Copy()
	return &c
}

// RuleState holds a rule's instances and its last evaluation.
type RuleState struct {
	Instances      map[string]*Instance // by labels string
	LastEvaluation time.Time
	EvalDuration   time.Duration
	Health         string // ok, error, nodata
	LastError      error
	// TemplateErrors of the last evaluation (the templates themselves are
	// kept in the annotations, as Grafana does).
	TemplateErrors []error
}

func newRuleState() *RuleState {
	return &RuleState{Instances: map[string]*Instance{}, Health: "ok"}
}

// ruleHealth is the rule's health as Grafana's Prometheus-compatible rules
// API derives it from the alert instances
// (pkg/services/ngalert/api/prometheus/api_prometheus.go, toRuleGroup):
// "error" when an instance is in state Error or carries the evaluation's
// error, "nodata" when an instance is in state NoData, else "ok". So a rule
// whose empty result is mapped to Normal by noDataState OK stays "ok".
func ruleHealth(results Results, instances map[string]*Instance) (string, error) {
	if err := results.HasError(); err != nil {
		return "error", err
	}
	health := "ok"
	for _, in := range instances {
		switch {
		case in.State == Error || in.Error != nil:
			return "error", in.Error
		case in.State == NoData:
			health = "nodata"
		}
	}
	return health, nil
}

// Process applies one evaluation's results to the rule's instances, as
// Grafana's state manager (pkg/services/ngalert/state/manager.go
// setNextStateForRule and state.go) does:
//
//   - when every result is NoData and noDataState is Alerting, OK or
//     KeepLast, or every result is Error and execErrState is Alerting, OK or
//     KeepLast, the result is applied to all the rule's existing instances
//     (a rule without instances gets one, with the rule's labels);
//   - otherwise each result updates the instance of its label set (rule
//     labels, which win over the result's labels, plus alertname and
//     grafana_folder);
//   - instances missing from the results are resolved (Normal, reason
//     MissingSeries) and removed once missing for
//     MissingSeriesEvalsToResolve consecutive evaluations.
func (rs *RuleState) Process(rule Rule, results Results, now time.Time, externalURL *url.URL) {
	rs.LastEvaluation = now
	if len(results) > 0 {
		rs.EvalDuration = results[0].Duration
	}
	rs.TemplateErrors = nil

	applyAll := (results.IsNoData() && (rule.NoDataState == NoDataAlerting || rule.NoDataState == NoDataOK || rule.NoDataState == NoDataKeepLast)) ||
		(results.IsError() && (rule.ExecErrState == ErrStateAlerting || rule.ExecErrState == ErrStateOK || rule.ExecErrState == ErrStateKeepLast))
	touched := map[string]bool{}
	if applyAll && len(rs.Instances) > 0 {
		for key, inst := range rs.Instances {
			inst.transition(rule, results[0], now)
			touched[key] = true
		}
	} else {
		for _, res := range results {
			labels, annotations, errs := rs.instanceLabels(rule, res, externalURL)
			rs.TemplateErrors = append(rs.TemplateErrors, errs...)
			key := labels.String()
			inst, ok := rs.Instances[key]
			if !ok {
				inst = &Instance{Labels: labels, State: Normal, StartsAt: now}
				rs.Instances[key] = inst
			}
			inst.Annotations = annotations
			inst.ResultLabels = res.Instance.Copy()
			inst.transition(rule, res, now)
			touched[key] = true
		}
	}
	evals := rule.MissingSeriesEvalsToResolve
	if evals <= 0 {
		evals = DefaultMissingSeriesEvalsToResolve
	}
	for key, inst := range rs.Instances {
		if touched[key] {
			inst.missingEvals = 0
			continue
		}
		inst.missingEvals++
		if inst.missingEvals >= evals {
			// Resolved as Normal (MissingSeries) and evicted at once, as
			// Grafana's deleteStaleStatesFromCache does.
			delete(rs.Instances, key)
		}
	}
	rs.Health, rs.LastError = ruleHealth(results, rs.Instances)
}

// instanceLabels builds an instance's labels and annotations from the rule
// and a result: templates see the result's labels plus alertname and
// grafana_folder; the expanded rule labels win over the result's labels
// (Grafana's mergeLabels(ruleLabels, result.Instance)).
func (rs *RuleState) instanceLabels(rule Rule, res Result, externalURL *url.URL) (data.Labels, map[string]string, []error) {
	extra := map[string]string{AlertNameLabel: rule.Title, FolderTitleLabel: rule.FolderTitle}
	templateLabels := map[string]string{}
	for k, v := range extra {
		templateLabels[k] = v
	}
	for k, v := range res.Instance {
		templateLabels[k] = v
	}
	td := newTemplateData(templateLabels, res)
	ruleLabels, errs1 := expandAll(rule.Title, rule.Labels, td, externalURL)
	annotations, errs2 := expandAll(rule.Title, rule.Annotations, td, externalURL)
	labels := data.Labels{}
	for k, v := range res.Instance {
		labels[k] = v
	}
	for k, v := range ruleLabels {
		labels[k] = v
	}
	for k, v := range extra {
		labels[k] = v
	}
	if res.State == Error && rule.ExecErrState == ErrStateError {
		// pkg/services/ngalert/state/state.go AddErrorInformation: a query
		// error puts ref_id and datasource_uid in the labels of the Error
		// instance.
		if ref, ds, ok := queryErrorInfo(res.Error); ok {
			labels["ref_id"], labels["datasource_uid"] = ref, ds
		}
	}
	return labels, annotations, append(errs1, errs2...)
}

func (s *Instance) setValues(res Result) {
	if res.State == NoData || res.State == Error {
		ph := make(map[string]float64, len(s.Values))
		for k := range s.Values {
			ph[k] = -1
		}
		s.Values = ph
		return
	}
	s.Values = make(map[string]float64, len(res.Values))
	for k, c := range res.Values {
		if c.Value != nil {
			s.Values[k] = *c.Value
		} else {
			s.Values[k] = math.NaN()
		}
	}
}

// transition moves the instance to its next state (Grafana's
// pkg/services/ngalert/state/state.go transition, resultNormal,
// resultAlerting, resultError, resultNoData, resultKeepLast).
func (s *Instance) transition(rule Rule, res Result, now time.Time) {
	s.LastEvaluationTime = now
	s.setValues(res)
	s.EvaluationString = res.EvaluationString
	if s.Annotations == nil {
		s.Annotations = map[string]string{}
	}
	delete(s.Annotations, "Error")
	if res.State != Error {
		delete(s.Annotations, "ref_id")
		delete(s.Annotations, "datasource_uid")
	}
	switch res.State {
	case Normal:
		s.resultNormal(rule, now)
	case Alerting:
		s.resultAlerting(rule, now)
	case Error:
		switch rule.ExecErrState {
		case ErrStateAlerting:
			s.resultAlerting(rule, now)
			s.Error = res.Error
		case ErrStateOK:
			s.resultNormal(rule, now)
		case ErrStateKeepLast:
			s.resultKeepLast(rule, now)
		default: // Error
			if s.State != Error {
				s.State, s.StartsAt = Error, now
			}
			s.Error = res.Error
		}
		if res.Error != nil {
			s.Annotations["Error"] = res.Error.Error()
		}
		// AddErrorInformation: with execErrState Error the query's ref_id and
		// datasource_uid are labels of the Error instance; otherwise they are
		// annotations.
		delete(s.Annotations, "ref_id")
		delete(s.Annotations, "datasource_uid")
		if ref, ds, ok := queryErrorInfo(res.Error); ok && rule.ExecErrState != ErrStateError {
			s.Annotations["ref_id"], s.Annotations["datasource_uid"] = ref, ds
		}
	case NoData:
		switch rule.NoDataState {
		case NoDataAlerting:
			s.resultAlerting(rule, now)
		case NoDataOK:
			s.resultNormal(rule, now)
		case NoDataKeepLast:
			s.resultKeepLast(rule, now)
		default: // NoData
			if s.State != NoData {
				s.State, s.StartsAt, s.Error = NoData, now, nil
			}
		}
	}
	// The reason is set when the state differs from the result and the
	// result is neither Normal nor Alerting.
	s.StateReason = ""
	if s.State != res.State && res.State != Normal && res.State != Alerting {
		s.StateReason = res.State.String()
		if rule.ExecErrState == ErrStateKeepLast || rule.NoDataState == NoDataKeepLast {
			s.StateReason += ", " + ReasonKeepLast
		}
	}
}

// resultNormal: an Alerting instance of a rule with keepFiringFor becomes
// Recovering, and a Recovering one Normal once keepFiringFor has elapsed
// since it started recovering; anything else becomes Normal (state.go
// resultNormal).
func (s *Instance) resultNormal(rule Rule, now time.Time) {
	switch {
	case s.State == Normal:
	case s.State == Recovering:
		if now.Sub(s.StartsAt) >= rule.KeepFiringFor {
			s.State, s.StartsAt = Normal, now
		}
	case s.State == Alerting && rule.KeepFiringFor > 0:
		s.State, s.StartsAt = Recovering, now
	default:
		s.State, s.StartsAt = Normal, now
	}
	s.Error = nil
}

// resultAlerting: Alerting stays; Pending becomes Alerting once the pending
// period ("for") has elapsed; anything else becomes Pending when the rule has
// a pending period, else Alerting (a Recovering instance goes straight back
// to Alerting) (state.go resultAlerting).
func (s *Instance) resultAlerting(rule Rule, now time.Time) {
	switch s.State {
	case Alerting:
	case Pending:
		if now.Sub(s.StartsAt) >= rule.For {
			s.State, s.StartsAt = Alerting, now
		}
	default:
		if s.State != Recovering && rule.For > 0 {
			s.State = Pending
		} else {
			s.State = Alerting
		}
		s.StartsAt = now
	}
	s.Error = nil
}

func (s *Instance) resultKeepLast(rule Rule, now time.Time) {
	switch s.State {
	case Alerting:
		s.resultAlerting(rule, now)
	case Pending:
		if now.Sub(s.StartsAt) >= rule.For {
			s.resultAlerting(rule, now)
		}
	default:
		s.resultNormal(rule, now)
	}
}

// conditionValue formats an instance's "value" in the API as Grafana's
// api/prometheus FormatValues: the values of refIDs containing the
// condition's refID, in %e notation; several are "A: 1e+00, B: ...".
func (s *Instance) conditionValue(condition string) string {
	var keys []string
	for k := range s.Values {
		if strings.Contains(k, condition) {
			keys = append(keys, k)
		}
	}
	switch len(keys) {
	case 0:
		return s.EvaluationString
	case 1:
		return formatE(s.Values[keys[0]])
	}
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ": " + formatE(s.Values[k])
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}
