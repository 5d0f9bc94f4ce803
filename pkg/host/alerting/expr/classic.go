package expr

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
)

// Classic conditions (the "classic_conditions" expression, Grafana's
// pkg/expr/classic: classic.go, reduce.go, evaluator.go): each condition
// reduces every series of its query with a legacy reducer and compares the
// result with an evaluator; the conditions are combined left to right with
// their "and"/"or" operator (no precedence). The result is one number
// without labels: 1 (firing), 0, or null (no data).

// ClassicConditionJSON is one condition of the model's "conditions".
type ClassicConditionJSON struct {
	Evaluator struct {
		Params []float64 `json:"params"`
		Type   string    `json:"type"`
	} `json:"evaluator"`
	Operator struct {
		Type string `json:"type"`
	} `json:"operator"`
	Query struct {
		Params []string `json:"params"`
	} `json:"query"`
	Reducer struct {
		Type string `json:"type"`
	} `json:"reducer"`
}

// EvalMatch is a value that met a classic condition (or a NoData marker).
type EvalMatch struct {
	Value  *float64
	Metric string
	Labels map[string]string
}

type classicCondition struct {
	ref      string
	reducer  string
	evalType string
	params   []float64
	operator string
}

func parseClassic(raw json.RawMessage) ([]classicCondition, error) {
	var m struct {
		Conditions []ClassicConditionJSON `json:"conditions"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("failed to unmarshal classic condition body: %w", err)
	}
	var out []classicCondition
	for i, c := range m.Conditions {
		if i > 0 && c.Operator.Type != "and" && c.Operator.Type != "or" {
			return nil, fmt.Errorf("condition %v operator must be `and` or `or`", i+1)
		}
		if len(c.Query.Params) == 0 || c.Query.Params[0] == "" {
			return nil, fmt.Errorf("condition %v is missing the query RefID argument", i+1)
		}
		switch c.Reducer.Type {
		case "avg", "sum", "min", "max", "count", "last", "median", "diff", "diff_abs", "percent_diff", "percent_diff_abs", "count_non_null", "count_not_null":
		default:
			return nil, fmt.Errorf("invalid reducer '%v' in condition %v", c.Reducer.Type, i+1)
		}
		switch c.Evaluator.Type {
		case "gt", "lt", "eq", "ne", "ge", "le":
			if len(c.Evaluator.Params) == 0 {
				return nil, fmt.Errorf("evaluator '%v' is missing the threshold parameter", c.Evaluator.Type)
			}
		case "within_range", "outside_range", "within_range_included", "outside_range_included":
			if len(c.Evaluator.Params) != 2 {
				return nil, fmt.Errorf("ranged evaluator requires 2 parameters")
			}
		case "no_value":
		default:
			return nil, fmt.Errorf("evaluator invalid evaluator type: %s", c.Evaluator.Type)
		}
		out = append(out, classicCondition{ref: trimRef(c.Query.Params[0]), reducer: c.Reducer.Type, evalType: c.Evaluator.Type, params: c.Evaluator.Params, operator: c.Operator.Type})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("classic conditions: no condition")
	}
	return out, nil
}

func nilOrNaN(f *float64) bool { return f == nil || math.IsNaN(*f) }

// classicReduce: the legacy reducers skip null and NaN points; a series
// without points, or with only nulls, reduces to null (classic/reduce.go).
func classicReduce(reducer string, vals []*float64) *float64 {
	if len(vals) == 0 {
		return nil
	}
	var valid []float64
	for _, v := range vals {
		if !nilOrNaN(v) {
			valid = append(valid, *v)
		}
	}
	switch reducer {
	case "count":
		return F(float64(len(vals)))
	case "count_non_null", "count_not_null":
		if len(valid) == 0 {
			return nil
		}
		return F(float64(len(valid)))
	}
	if len(valid) == 0 {
		return nil
	}
	switch reducer {
	case "avg", "sum":
		var s float64
		for _, v := range valid {
			s += v
		}
		if reducer == "avg" {
			s /= float64(len(valid))
		}
		return F(s)
	case "min", "max":
		r := valid[0]
		for _, v := range valid {
			if (reducer == "min" && v < r) || (reducer == "max" && v > r) {
				r = v
			}
		}
		return F(r)
	case "last":
		return F(valid[len(valid)-1])
	case "median":
		sort.Float64s(valid)
		n := len(valid)
		if n%2 == 1 {
			return F(valid[(n-1)/2])
		}
		return F((valid[n/2-1] + valid[n/2]) / 2)
	case "diff", "diff_abs", "percent_diff", "percent_diff_abs":
		// newest minus oldest non-null point; 0 when there is one point.
		if len(valid) < 2 {
			return F(0)
		}
		newest, oldest := valid[len(valid)-1], valid[0]
		switch reducer {
		case "diff":
			return F(newest - oldest)
		case "diff_abs":
			return F(math.Abs(newest - oldest))
		case "percent_diff":
			return F((newest - oldest) / math.Abs(oldest) * 100)
		default:
			return F(math.Abs((newest - oldest) / oldest * 100))
		}
	}
	return nil
}

func (c classicCondition) eval(v *float64) bool {
	if c.evalType == "no_value" {
		return v == nil
	}
	if v == nil {
		return false
	}
	f, p := *v, c.params
	switch c.evalType {
	case "gt":
		return f > p[0]
	case "lt":
		return f < p[0]
	case "eq":
		return f == p[0]
	case "ne":
		return f != p[0]
	case "ge":
		return f >= p[0]
	case "le":
		return f <= p[0]
	case "within_range":
		return (p[0] < f && p[1] > f) || (p[1] < f && p[0] > f)
	case "outside_range":
		return (p[1] < f && p[0] < f) || (p[1] > f && p[0] > f)
	case "within_range_included":
		return (p[0] <= f && p[1] >= f) || (p[1] <= f && p[0] >= f)
	case "outside_range_included":
		return (p[1] <= f && p[0] <= f) || (p[1] >= f && p[0] >= f)
	}
	return false
}

// execClassic runs classic conditions (classic.go ConditionsCmd.Execute and
// executeCond): a condition fires when any of its values fires; it is no
// data when all its values are null or no data; no data wins over firing.
func execClassic(conds []classicCondition, vars VarResults) (Results, []EvalMatch, error) {
	var firing, noData bool
	var matches []EvalMatch
	for i, c := range conds {
		in := vars[c.ref]
		condFiring, condNoData := false, false
		nullCount := 0
		if len(in.Values) == 0 && c.evalType == "no_value" {
			condFiring = true
			matches = append(matches, EvalMatch{})
		} else {
			for _, v := range in.Values {
				var val *float64
				var name string
				var labels map[string]string
				switch t := v.(type) {
				case NoData:
				case Number:
					val, name, labels = t.Value, t.Name, t.Labels
				case Series:
					val, name, labels = classicReduce(c.reducer, t.Values), t.Name, t.Labels
				default:
					return Results{}, nil, fmt.Errorf("can only reduce type series, got type %T", v)
				}
				if c.eval(val) {
					condFiring = true
					var l map[string]string
					if labels != nil {
						l = map[string]string{}
						for k, x := range labels {
							l[k] = x
						}
					}
					matches = append(matches, EvalMatch{Metric: name, Value: copyFloat(val), Labels: l})
				} else if val == nil {
					nullCount++
				}
			}
			condNoData = nullCount == len(in.Values)
			if condNoData {
				matches = append(matches, EvalMatch{Metric: "NoData"})
			}
		}
		if i == 0 {
			firing, noData = condFiring, condNoData
		} else if c.operator == "or" {
			firing, noData = firing || condFiring, noData || condNoData
		} else {
			firing, noData = firing && condFiring, noData && condNoData
		}
	}
	n := Number{}
	switch {
	case noData:
	case firing:
		n.Value = F(1)
	default:
		n.Value = F(0)
	}
	return Results{Values: []Value{n}}, matches, nil
}
