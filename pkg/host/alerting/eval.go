package alerting

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/apifw/monitor/pkg/host/alerting/expr"
)

// EvalState is the state of one evaluation result (Grafana's eval.State);
// Pending only exists for instances.
type EvalState int

// The states, in Grafana's order (pkg/services/ngalert/eval/eval.go).
const (
	Normal EvalState = iota
	Alerting
	Pending
	NoData
	Error
	// Recovering: was Alerting, the condition is 0, and keepFiringFor has
	// not elapsed yet (Grafana 12's eval.Recovering).
	Recovering
)

func (s EvalState) String() string {
	switch s {
	case Alerting:
		return "Alerting"
	case Pending:
		return "Pending"
	case NoData:
		return "NoData"
	case Error:
		return "Error"
	case Recovering:
		return "Recovering"
	}
	return "Normal"
}

// Result is the evaluation of a rule's condition for one label set.
type Result struct {
	Instance    data.Labels
	State       EvalState
	Error       error
	EvaluatedAt time.Time
	Duration    time.Duration
	// Values are the captured numbers that match the instance's labels,
	// by refID ($values in templates).
	Values map[string]expr.Capture
	// EvaluationString is $value: "[ var='C' labels={api=x} value=3 ], ...".
	EvaluationString string
}

// Results are the results of one evaluation of a rule.
type Results []Result

// IsNoData: every result is NoData (Grafana's eval.Results.IsNoData).
func (r Results) IsNoData() bool {
	for _, res := range r {
		if res.State != NoData {
			return false
		}
	}
	return len(r) > 0
}

// IsError: every result is Error.
func (r Results) IsError() bool {
	for _, res := range r {
		if res.State != Error {
			return false
		}
	}
	return len(r) > 0
}

// HasError returns the first error result's error.
func (r Results) HasError() error {
	for _, res := range r {
		if res.State == Error {
			return res.Error
		}
	}
	return nil
}

// EvaluateRule runs a rule's queries and expressions at now and turns its
// condition's values into results, as Grafana's
// pkg/services/ngalert/eval/eval.go evaluateExecutionResult:
//
//   - an error of any query or expression: one Error result;
//   - a data source query without data (no frame, or a frame without
//     fields): NoData results, one per data source, labelled
//     datasource_uid and ref_id (the refIDs joined by ",");
//   - no value, or NoData: a NoData result (with the labels of the value);
//   - a series in the condition: an error (only reduced data can alert);
//   - a number: null is NoData, 0 is Normal, anything else (NaN included)
//     is Alerting;
//   - two numbers with the same labels: an error.
//
// loaded tells a threshold condition with a recovery threshold which label
// sets are firing.
func EvaluateRule(ctx context.Context, rule Rule, query expr.QueryFunc, now time.Time, loaded func(data.Labels) bool) (Results, *expr.Execution) {
	start := time.Now()
	ex, err := expr.Execute(ctx, rule.Data, expr.Options{Now: now, Query: query, Loaded: loaded, Condition: rule.Condition})
	if err == nil {
		err = ex.FirstError()
	}
	errResult := func(err error) Results {
		return Results{{Instance: data.Labels{}, State: Error, Error: err, EvaluatedAt: now, Duration: time.Since(start)}}
	}
	if err != nil {
		return errResult(err), ex
	}
	if len(ex.NoDataQueries) > 0 {
		return noDataResults(ex.NoDataQueries, now, time.Since(start)), ex
	}
	cond := ex.Nodes[rule.Condition].Results
	var out Results
	seen := map[string]bool{}
	for _, v := range cond.Values {
		var res Result
		switch t := v.(type) {
		case expr.NoData:
			res = Result{Instance: data.Labels{}, State: NoData}
		case expr.Series:
			return errResult(fmt.Errorf("invalid format of evaluation results for the alert definition %s: looks like time series data, only reduced data can be alerted on", rule.Condition)), ex
		case expr.Number:
			labels := t.Labels.Copy()
			if labels == nil {
				labels = data.Labels{}
			}
			key := labels.String()
			if seen[key] {
				return errResult(fmt.Errorf("invalid format of evaluation results for the alert definition %s: frame cannot uniquely be identified by its labels: has duplicate results with labels {%s}", rule.Condition, key)), ex
			}
			seen[key] = true
			switch {
			case t.Value == nil:
				res = Result{Instance: labels, State: NoData}
			case *t.Value == 0:
				res = Result{Instance: labels, State: Normal}
			default:
				res = Result{Instance: labels, State: Alerting}
			}
		}
		res.EvaluatedAt = now
		if matches, ok := ex.Classic[rule.Condition]; ok {
			res.Values, res.EvaluationString = classicCaptures(rule.Condition, matches)
		} else {
			res.Values, res.EvaluationString = matchCaptures(ex.Captures, res.Instance)
		}
		out = append(out, res)
	}
	if len(out) == 0 {
		out = Results{{Instance: data.Labels{}, State: NoData, EvaluatedAt: now}}
	}
	d := time.Since(start)
	for i := range out {
		out[i].Duration = d
	}
	return out, ex
}

// matchCaptures attaches the captures whose labels match an instance's
// labels (pkg/services/ngalert/eval/captures.go attachCaptureValues): per
// refID, a capture with equal labels, else those whose labels are a subset
// or a superset of the instance's. $values keeps one per refID (the last, as
// extractValues does); $value lists them all, sorted by refID.
func matchCaptures(captures []expr.Capture, labels data.Labels) (map[string]expr.Capture, string) {
	byVar := map[string][]expr.Capture{}
	var vars []string
	for _, c := range captures {
		if _, ok := byVar[c.Var]; !ok {
			vars = append(vars, c.Var)
		}
		byVar[c.Var] = append(byVar[c.Var], c)
	}
	sort.Strings(vars)
	var matched []expr.Capture
	for _, v := range vars {
		exact := false
		for _, c := range byVar[v] {
			if c.Labels.Equals(labels) || (len(c.Labels) == 0 && len(labels) == 0) {
				matched = append(matched, c)
				exact = true
				break
			}
		}
		if exact {
			continue
		}
		for _, c := range byVar[v] {
			if labels.Contains(c.Labels) || c.Labels.Contains(labels) {
				matched = append(matched, c)
			}
		}
	}
	values := make(map[string]expr.Capture, len(matched))
	var sb strings.Builder
	for i, c := range matched {
		values[c.Var] = c
		val := "null"
		if c.Value != nil {
			val = fmt.Sprintf("%v", *c.Value)
		}
		fmt.Fprintf(&sb, "[ var='%s' labels={%s} value=%s ]", c.Var, c.Labels.String(), val)
		if i < len(matched)-1 {
			sb.WriteString(", ")
		}
	}
	return values, sb.String()
}

// queryErrorInfo returns the refID and data source of a query error.
func queryErrorInfo(err error) (refID, dsUID string, ok bool) {
	var qe *expr.QueryError
	if errors.As(err, &qe) {
		return qe.RefID, qe.DatasourceUID, true
	}
	return "", "", false
}

// classicCaptures: a classic condition's values are its matches, keyed by
// refID and position ("B0", "B1"), and $value lists them as
// "[ var='B0' metric='name' labels={...} value=3 ]"
// (pkg/services/ngalert/eval/extract_md.go extractEvalString, extractValues).
func classicCaptures(refID string, matches []expr.EvalMatch) (map[string]expr.Capture, string) {
	values := make(map[string]expr.Capture, len(matches))
	var sb strings.Builder
	for i, m := range matches {
		key := fmt.Sprintf("%s%d", refID, i)
		values[key] = expr.Capture{Var: refID, Labels: m.Labels, Value: m.Value}
		val := "null"
		if m.Value != nil {
			val = fmt.Sprintf("%v", *m.Value)
		}
		fmt.Fprintf(&sb, "[ var='%s' metric='%s' labels={%s} value=%s ]", key, m.Metric, data.Labels(m.Labels).String(), val)
		if i < len(matches)-1 {
			sb.WriteString(", ")
		}
	}
	return values, sb.String()
}

// noDataResults: one NoData result per data source whose queries returned
// no data, with the labels datasource_uid and ref_id (eval.go
// evaluateExecutionResult, datasourceUIDsToRefIDs).
func noDataResults(queries map[string]string, now time.Time, d time.Duration) Results {
	byDS := map[string][]string{}
	for ref, ds := range queries {
		byDS[ds] = append(byDS[ds], ref)
	}
	dss := make([]string, 0, len(byDS))
	for ds := range byDS {
		dss = append(dss, ds)
	}
	sort.Strings(dss)
	out := make(Results, 0, len(dss))
	for _, ds := range dss {
		refs := byDS[ds]
		sort.Strings(refs)
		out = append(out, Result{
			Instance: data.Labels{"datasource_uid": ds, "ref_id": strings.Join(refs, ",")},
			State:    NoData, EvaluatedAt: now, Duration: d,
		})
	}
	return out
}
