// Package expr evaluates the queries and server-side expressions of a
// Grafana-managed alert rule: it runs the data queries through a QueryFunc,
// converts their frames into the expression engine's values (numbers, series,
// no data), and executes reduce, math and threshold expressions the way
// Grafana's pkg/expr does.
//
// The semantics follow Grafana's documentation
// (https://grafana.com/docs/grafana/latest/panels-visualizations/query-transform-data/expression-queries/)
// and the behaviour of Grafana's pkg/expr and pkg/expr/mathexp, which are read
// for reference only: no Grafana code is imported or copied.
package expr

import (
	"math"
	"sort"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// Value is one item of an expression result: a Number, a Series or NoData.
type Value interface {
	GetLabels() data.Labels
	isValue()
}

// Number is a single value with labels (Grafana's mathexp.Number). A nil
// Value is a null. Number literals of a math expression are Numbers without
// labels: Grafana's Scalar behaves the same in every operation (it joins
// with every item of the other side).
type Number struct {
	Labels data.Labels
	Value  *float64
	// Name is the data source field's name (frames of query nodes); frames
	// of expressions are named after the refID.
	Name string
}

// Series is a time series with labels (Grafana's mathexp.Series). Times and
// Values have the same length; a nil value is a null point.
type Series struct {
	Labels data.Labels
	Times  []time.Time
	Values []*float64
	Name   string
}

// NoData is the value of a query that returned no data.
type NoData struct{}

// GetLabels returns the labels of the number.
func (n Number) GetLabels() data.Labels { return n.Labels }

// GetLabels returns the labels of the series.
func (s Series) GetLabels() data.Labels { return s.Labels }

// GetLabels returns nil: no data has no labels.
func (NoData) GetLabels() data.Labels { return nil }

func (Number) isValue() {}
func (Series) isValue() {}
func (NoData) isValue() {}

// Results is the result of one node (a query or an expression).
type Results struct {
	Values []Value
}

// IsNoData reports whether the results hold nothing but NoData (or nothing).
func (r Results) IsNoData() bool {
	for _, v := range r.Values {
		if _, ok := v.(NoData); !ok {
			return false
		}
	}
	return true
}

// F returns a pointer to f (a helper for literals and tests).
func F(f float64) *float64 { return &f }

// NewNumber returns a Number.
func NewNumber(labels data.Labels, v *float64) Number {
	return Number{Labels: labels, Value: v}
}

func copyFloat(v *float64) *float64 {
	if v == nil {
		return nil
	}
	f := *v
	return &f
}

// Frames renders results as data frames, the way Grafana's expression
// service answers them (mathexp Value.AsDataFrame): a Number is a one-row
// frame with one nullable float64 field named after the refID and carrying
// the labels; a Series is a frame with a time field and a value field; NoData
// is a frame without fields.
func (r Results) Frames(refID string) data.Frames {
	frames := make(data.Frames, 0, len(r.Values))
	for _, v := range r.Values {
		var f *data.Frame
		switch t := v.(type) {
		case Number:
			f = data.NewFrame("", data.NewField(nameOr(t.Name, refID), copyLabels(t.Labels), []*float64{copyFloat(t.Value)}))
		case Series:
			times := append([]time.Time(nil), t.Times...)
			vals := make([]*float64, len(t.Values))
			for i, p := range t.Values {
				vals[i] = copyFloat(p)
			}
			f = data.NewFrame("", data.NewField("Time", nil, times), data.NewField(nameOr(t.Name, refID), copyLabels(t.Labels), vals))
		default:
			f = data.NewFrame("")
		}
		f.RefID = refID
		frames = append(frames, f)
	}
	return frames
}

func copyLabels(l data.Labels) data.Labels {
	if l == nil {
		return nil
	}
	return l.Copy()
}

// sortByLabels orders values by their labels' string (stable output).
func sortByLabels(vals []Value) {
	sort.SliceStable(vals, func(i, j int) bool {
		return vals[i].GetLabels().String() < vals[j].GetLabels().String()
	})
}

func isNaN(f *float64) bool { return f != nil && math.IsNaN(*f) }

func nameOr(name, refID string) string {
	if name != "" {
		return name
	}
	return refID
}
