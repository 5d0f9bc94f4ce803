package expr

import (
	"fmt"
	"math"
	"strings"
)

// Reduce modes, as the reduce expression's settings.mode (Grafana's
// pkg/expr/commands.go and the expression docs: "Strict", "Drop Non-numeric
// Values", "Replace Non-numeric Values").
const (
	ReduceModeStrict    = ""
	ReduceModeDropNN    = "dropNN"
	ReduceModeReplaceNN = "replaceNN"
)

// Reducers supported by the reduce expression (Grafana's
// pkg/expr/mathexp/reduce.go GetSupportedReduceFuncs).
var Reducers = []string{"sum", "mean", "min", "max", "count", "last"}

// reduceFunc applies one reducer to the points of a series, following
// pkg/expr/mathexp/reduce.go: sum is 0 for no points and NaN as soon as one
// point is null or NaN; mean is sum/count (so NaN for no points); min and max
// are NaN for no points or a null/NaN point; count is the number of points;
// last is the last point (null stays null, NaN for no points).
func reduceFunc(name string) (func([]*float64) *float64, error) {
	switch strings.ToLower(name) {
	case "sum":
		return rSum, nil
	case "mean":
		return func(v []*float64) *float64 {
			s := rSum(v)
			return F(*s / float64(len(v)))
		}, nil
	case "min":
		return func(v []*float64) *float64 { return rMinMax(v, true) }, nil
	case "max":
		return func(v []*float64) *float64 { return rMinMax(v, false) }, nil
	case "count":
		return func(v []*float64) *float64 { return F(float64(len(v))) }, nil
	case "last":
		return func(v []*float64) *float64 {
			if len(v) == 0 {
				return F(math.NaN())
			}
			return copyFloat(v[len(v)-1])
		}, nil
	}
	return nil, fmt.Errorf("reduction %v not implemented", name)
}

func rSum(v []*float64) *float64 {
	var s float64
	for _, p := range v {
		if p == nil || math.IsNaN(*p) {
			return F(math.NaN())
		}
		s += *p
	}
	return &s
}

func rMinMax(v []*float64, min bool) *float64 {
	if len(v) == 0 {
		return F(math.NaN())
	}
	var r float64
	for i, p := range v {
		if p == nil || math.IsNaN(*p) {
			return F(math.NaN())
		}
		if i == 0 || (min && *p < r) || (!min && *p > r) {
			r = *p
		}
	}
	return &r
}

// ReduceSettings are the reduce expression's settings.
type ReduceSettings struct {
	Mode             string   `json:"mode"`
	ReplaceWithValue *float64 `json:"replaceWithValue"`
}

// ReduceSeries reduces one series to a number with the series' labels.
//
// Modes (pkg/expr/mathexp/reduce.go DropNonNumber and
// ReplaceNonNumberWithValue): dropNN drops null, NaN and ±Inf points before
// reducing and turns a NaN result into null; replaceNN replaces those points
// by the replacement value before reducing, and a NaN result by it too.
func ReduceSeries(s Series, reducer string, settings ReduceSettings) (Number, error) {
	fn, err := reduceFunc(reducer)
	if err != nil {
		return Number{}, err
	}
	points := s.Values
	var replace float64
	switch settings.Mode {
	case ReduceModeStrict, "strict":
	case ReduceModeDropNN:
		points = make([]*float64, 0, len(s.Values))
		for _, p := range s.Values {
			if p == nil || math.IsNaN(*p) || math.IsInf(*p, 0) {
				continue
			}
			points = append(points, p)
		}
	case ReduceModeReplaceNN:
		if settings.ReplaceWithValue == nil {
			return Number{}, fmt.Errorf("setting replaceWithValue must be specified when mode is '%s'", ReduceModeReplaceNN)
		}
		replace = *settings.ReplaceWithValue
		points = make([]*float64, len(s.Values))
		for i, p := range s.Values {
			if p == nil || math.IsNaN(*p) || math.IsInf(*p, 0) {
				points[i] = F(replace)
			} else {
				points[i] = p
			}
		}
	default:
		return Number{}, fmt.Errorf("reducer mode %s is not supported", settings.Mode)
	}
	v := fn(points)
	switch settings.Mode {
	case ReduceModeDropNN:
		if isNaN(v) {
			v = nil
		}
	case ReduceModeReplaceNN:
		if isNaN(v) {
			v = F(replace)
		}
	}
	return Number{Labels: copyLabels(s.Labels), Value: v}, nil
}

// Reduce applies a reducer to every value of a node's results: a series
// becomes a number, a number is kept as it is, no data stays no data
// (Grafana's ReduceCommand.Execute).
func Reduce(in Results, reducer string, settings ReduceSettings) (Results, error) {
	if _, err := reduceFunc(reducer); err != nil {
		return Results{}, err
	}
	out := Results{Values: make([]Value, 0, len(in.Values))}
	for _, v := range in.Values {
		switch t := v.(type) {
		case Series:
			n, err := ReduceSeries(t, reducer, settings)
			if err != nil {
				return Results{}, err
			}
			out.Values = append(out.Values, n)
		case Number:
			out.Values = append(out.Values, Number{Labels: copyLabels(t.Labels), Value: copyFloat(t.Value)})
		case NoData:
			out.Values = append(out.Values, NoData{})
		default:
			return Results{}, fmt.Errorf("can only reduce type series, got type %T", v)
		}
	}
	return out, nil
}
