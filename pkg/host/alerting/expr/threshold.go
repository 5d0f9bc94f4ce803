package expr

import (
	"fmt"
	"strings"

	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// Threshold evaluator types (Grafana's pkg/expr/threshold.go).
var ThresholdTypes = []string{"gt", "lt", "eq", "ne", "gte", "lte",
	"within_range", "outside_range", "within_range_included", "outside_range_included"}

// Evaluator is a threshold condition: a type and its parameters.
type Evaluator struct {
	Type   string    `json:"type"`
	Params []float64 `json:"params"`
}

// Predicate returns the comparison of the evaluator: gt/lt/eq/ne/gte/lte
// compare with params[0]; within_range is params[0] < v < params[1],
// outside_range v < params[0] or v > params[1], and the _included variants
// use <= and >= (pkg/expr/threshold.go).
func (e Evaluator) Predicate() (func(float64) bool, error) {
	need := 1
	if strings.Contains(e.Type, "range") {
		need = 2
	}
	if len(e.Params) < need {
		return nil, fmt.Errorf("incorrect number of arguments for threshold function '%s': got %d but need %d", e.Type, len(e.Params), need)
	}
	p := e.Params
	switch e.Type {
	case "gt":
		return func(f float64) bool { return f > p[0] }, nil
	case "lt":
		return func(f float64) bool { return f < p[0] }, nil
	case "eq":
		return func(f float64) bool { return f == p[0] }, nil
	case "ne":
		return func(f float64) bool { return f != p[0] }, nil
	case "gte":
		return func(f float64) bool { return f >= p[0] }, nil
	case "lte":
		return func(f float64) bool { return f <= p[0] }, nil
	case "within_range":
		return func(f float64) bool { return f > p[0] && f < p[1] }, nil
	case "outside_range":
		return func(f float64) bool { return f < p[0] || f > p[1] }, nil
	case "within_range_included":
		return func(f float64) bool { return f >= p[0] && f <= p[1] }, nil
	case "outside_range_included":
		return func(f float64) bool { return f <= p[0] || f >= p[1] }, nil
	}
	return nil, fmt.Errorf("expected threshold function to be one of [%s], got %s", strings.Join(ThresholdTypes, ", "), e.Type)
}

// ThresholdCondition is one entry of a threshold expression's conditions.
type ThresholdCondition struct {
	Evaluator       Evaluator  `json:"evaluator"`
	UnloadEvaluator *Evaluator `json:"unloadEvaluator,omitempty"`
}

// Threshold evaluates a threshold expression on a node's results: each
// number, or each point of a series, becomes 1 when the predicate holds and
// 0 otherwise; a null stays null; no data stays no data.
//
// Recovery threshold (unloadEvaluator, Grafana's pkg/expr/hysteresis.go): for
// the label sets in loaded (the instances that are firing), the result is 1
// unless the unload predicate holds; the others use the evaluator.
func Threshold(in Results, cond ThresholdCondition, loaded func(data.Labels) bool) (Results, error) {
	load, err := cond.Evaluator.Predicate()
	if err != nil {
		return Results{}, fmt.Errorf("invalid condition: %w", err)
	}
	var unload func(float64) bool
	if cond.UnloadEvaluator != nil {
		if unload, err = cond.UnloadEvaluator.Predicate(); err != nil {
			return Results{}, fmt.Errorf("invalid unloadCondition: %w", err)
		}
	}
	eval := func(labels data.Labels, v *float64) *float64 {
		if v == nil {
			return nil
		}
		r := load(*v)
		if unload != nil && loaded != nil && loaded(labels) {
			r = !unload(*v)
		}
		if r {
			return F(1)
		}
		return F(0)
	}
	out := Results{Values: make([]Value, 0, len(in.Values))}
	for _, v := range in.Values {
		switch t := v.(type) {
		case Number:
			out.Values = append(out.Values, Number{Labels: copyLabels(t.Labels), Value: eval(t.Labels, t.Value)})
		case Series:
			s := Series{Labels: copyLabels(t.Labels), Times: append(t.Times[:0:0], t.Times...), Values: make([]*float64, len(t.Values))}
			for i, p := range t.Values {
				s.Values[i] = eval(t.Labels, p)
			}
			out.Values = append(out.Values, s)
		case NoData:
			out.Values = append(out.Values, NoData{})
		default:
			return Results{}, fmt.Errorf("unsupported format of the input data, got type %T", v)
		}
	}
	return out, nil
}
