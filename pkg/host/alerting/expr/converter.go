package expr

import (
	"fmt"
	"sort"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// Convert turns the frames a data source answered for one query into
// expression values, as Grafana's pkg/expr/converter.go and dataplane.go do:
//
//   - no frame at all, or only frames without fields: NoData;
//   - frames with a data plane type (frame.Meta.Type, see
//     https://grafana.github.io/dataplane/): numeric kinds (numeric-wide,
//     numeric-multi, numeric-long) give one Number per number field (and per
//     row for numeric-long, whose string columns become labels); time series
//     kinds (timeseries-multi, timeseries-wide, timeseries-long) give one
//     Series per number field, the field's labels being the series' labels
//     (for timeseries-long, the string columns). A numeric frame without rows
//     is NoData; a series frame without rows is a Series without points;
//   - frames without a type: one frame that is a number table (exactly one
//     number field, other fields strings) gives one Number per row, the
//     string columns as labels; frames with a time field give series (long
//     frames too, which Grafana only accepts for SQL expressions); anything
//     else is an error, like Grafana's "input data must be a wide series".
//
// Unlike Grafana, a typed frame is read by its type even when
// Meta.TypeVersion is zero (Grafana then falls back to the untyped rules).
func Convert(frames data.Frames) (Results, error) {
	nonEmpty := make(data.Frames, 0, len(frames))
	for _, f := range frames {
		if f != nil && len(f.Fields) > 0 {
			nonEmpty = append(nonEmpty, f)
		}
	}
	if len(nonEmpty) == 0 {
		return Results{Values: []Value{NoData{}}}, nil
	}
	var typ data.FrameType
	for _, f := range frames {
		if f != nil && f.Meta != nil && f.Meta.Type != "" {
			typ = f.Meta.Type
			break
		}
	}
	switch typ.Kind() {
	case data.KindNumeric:
		return convertNumeric(typ, nonEmpty)
	case data.KindTimeSeries:
		return convertTimeSeries(typ, nonEmpty)
	}
	return convertUntyped(nonEmpty)
}

func isNumberField(f *data.Field) bool { return f.Type().Numeric() }

func isStringField(f *data.Field) bool {
	return f.Type() == data.FieldTypeString || f.Type() == data.FieldTypeNullableString
}

func isTimeField(f *data.Field) bool {
	return f.Type() == data.FieldTypeTime || f.Type() == data.FieldTypeNullableTime
}

func floatAt(f *data.Field, i int) (*float64, error) {
	v, err := f.NullableFloatAt(i)
	if err != nil {
		return nil, err
	}
	return copyFloat(v), nil
}

func stringAt(f *data.Field, i int) string {
	switch v := f.At(i).(type) {
	case string:
		return v
	case *string:
		if v != nil {
			return *v
		}
	}
	return ""
}

func convertNumeric(typ data.FrameType, frames data.Frames) (Results, error) {
	var vals []Value
	for _, f := range frames {
		rows := f.Rows()
		if rows == 0 {
			continue
		}
		var stringIdx []int
		for i, field := range f.Fields {
			if isStringField(field) {
				stringIdx = append(stringIdx, i)
			}
		}
		if typ != data.FrameTypeNumericLong && rows > 1 {
			return Results{}, fmt.Errorf("%s frame %q has %d rows, want 1", typ, f.Name, rows)
		}
		for row := 0; row < rows; row++ {
			var rowLabels data.Labels
			for _, si := range stringIdx {
				if rowLabels == nil {
					rowLabels = data.Labels{}
				}
				rowLabels[f.Fields[si].Name] = stringAt(f.Fields[si], row)
			}
			for _, field := range f.Fields {
				if !isNumberField(field) {
					continue
				}
				v, err := floatAt(field, row)
				if err != nil {
					return Results{}, err
				}
				labels := mergeLabels(field.Labels, rowLabels)
				vals = append(vals, Number{Labels: labels, Value: v, Name: field.Name})
			}
		}
	}
	if len(vals) == 0 {
		return Results{Values: []Value{NoData{}}}, nil
	}
	return Results{Values: vals}, nil
}

func mergeLabels(a, b data.Labels) data.Labels {
	if len(a) == 0 && len(b) == 0 {
		return nil
	}
	out := data.Labels{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

func convertTimeSeries(typ data.FrameType, frames data.Frames) (Results, error) {
	var vals []Value
	for _, f := range frames {
		var s []Value
		var err error
		if typ == data.FrameTypeTimeSeriesLong || f.TimeSeriesSchema().Type == data.TimeSeriesTypeLong {
			s, err = longToSeries(f)
		} else {
			s, err = wideToSeries(f)
		}
		if err != nil {
			return Results{}, err
		}
		vals = append(vals, s...)
	}
	if len(vals) == 0 {
		return Results{Values: []Value{NoData{}}}, nil
	}
	return Results{Values: vals}, nil
}

// longToSeries: a long frame (time, string columns, number columns) gives
// one series per number column and set of string values, the string
// columns being the labels; each series has the rows of its set only (the
// data plane's timeseries-long).
func longToSeries(f *data.Frame) ([]Value, error) {
	timeIdx := -1
	var stringIdx, numIdx []int
	for i, field := range f.Fields {
		switch {
		case isTimeField(field) && timeIdx < 0:
			timeIdx = i
		case isStringField(field):
			stringIdx = append(stringIdx, i)
		case isNumberField(field):
			numIdx = append(numIdx, i)
		}
	}
	if timeIdx < 0 {
		return nil, fmt.Errorf("frame %q has no time field", f.Name)
	}
	type key struct {
		num    int
		labels string
	}
	series := map[key]*Series{}
	var order []key
	for row := 0; row < f.Rows(); row++ {
		t, ok := f.Fields[timeIdx].ConcreteAt(row)
		if !ok {
			continue
		}
		var labels data.Labels
		for _, si := range stringIdx {
			if labels == nil {
				labels = data.Labels{}
			}
			labels[f.Fields[si].Name] = stringAt(f.Fields[si], row)
		}
		for _, ni := range numIdx {
			all := mergeLabels(f.Fields[ni].Labels, labels)
			k := key{ni, all.String()}
			s, ok := series[k]
			if !ok {
				s = &Series{Labels: all, Name: f.Fields[ni].Name}
				series[k] = s
				order = append(order, k)
			}
			v, err := floatAt(f.Fields[ni], row)
			if err != nil {
				return nil, err
			}
			s.Times = append(s.Times, t.(time.Time))
			s.Values = append(s.Values, v)
		}
	}
	out := make([]Value, 0, len(order))
	for _, k := range order {
		sortSeries(series[k])
		out = append(out, *series[k])
	}
	return out, nil
}

// wideToSeries: one Series per number field of a frame with a time field.
func wideToSeries(f *data.Frame) ([]Value, error) {
	timeIdx := -1
	for i, field := range f.Fields {
		if isTimeField(field) {
			timeIdx = i
			break
		}
	}
	if timeIdx < 0 {
		return nil, fmt.Errorf("frame %q has no time field", f.Name)
	}
	var out []Value
	for i, field := range f.Fields {
		if i == timeIdx || !isNumberField(field) {
			continue
		}
		s := Series{Labels: copyLabels(field.Labels), Name: field.Name}
		for row := 0; row < f.Rows(); row++ {
			t, ok := f.Fields[timeIdx].ConcreteAt(row)
			if !ok {
				continue
			}
			v, err := floatAt(field, row)
			if err != nil {
				return nil, err
			}
			s.Times = append(s.Times, t.(time.Time))
			s.Values = append(s.Values, v)
		}
		sortSeries(&s)
		out = append(out, s)
	}
	return out, nil
}

func sortSeries(s *Series) {
	idx := make([]int, len(s.Times))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return s.Times[idx[a]].Before(s.Times[idx[b]]) })
	times := make([]time.Time, len(idx))
	vals := make([]*float64, len(idx))
	for i, j := range idx {
		times[i], vals[i] = s.Times[j], s.Values[j]
	}
	s.Times, s.Values = times, vals
}

func convertUntyped(frames data.Frames) (Results, error) {
	if len(frames) == 1 && isNumberTable(frames[0]) {
		f := frames[0]
		var vals []Value
		for row := 0; row < f.Rows(); row++ {
			var labels data.Labels
			var v *float64
			for _, field := range f.Fields {
				switch {
				case isStringField(field):
					if labels == nil {
						labels = data.Labels{}
					}
					labels[field.Name] = stringAt(field, row)
				case isNumberField(field):
					var err error
					if v, err = floatAt(field, row); err != nil {
						return Results{}, err
					}
				}
			}
			vals = append(vals, Number{Labels: labels, Value: v})
		}
		if len(vals) == 0 {
			return Results{Values: []Value{NoData{}}}, nil
		}
		return Results{Values: vals}, nil
	}
	var vals []Value
	for _, f := range frames {
		schema := f.TimeSeriesSchema()
		switch schema.Type {
		case data.TimeSeriesTypeWide:
			s, err := wideToSeries(f)
			if err != nil {
				return Results{}, err
			}
			vals = append(vals, s...)
		case data.TimeSeriesTypeLong:
			converted, err := convertTimeSeries(data.FrameTypeTimeSeriesLong, data.Frames{f})
			if err != nil {
				return Results{}, err
			}
			if !converted.IsNoData() {
				vals = append(vals, converted.Values...)
			}
		default:
			return Results{}, fmt.Errorf("input data must be a wide series but got type %s (frame %q)", schema.Type, f.Name)
		}
	}
	if len(vals) == 0 {
		return Results{Values: []Value{NoData{}}}, nil
	}
	return Results{Values: vals}, nil
}

// isNumberTable: exactly one number field and otherwise only string fields
// (Grafana's converter.go isNumberTable, for frames that are not series).
func isNumberTable(f *data.Frame) bool {
	if f.TimeSeriesSchema().Type != data.TimeSeriesTypeNot {
		return false
	}
	numbers := 0
	for _, field := range f.Fields {
		switch {
		case isNumberField(field):
			numbers++
		case isStringField(field):
		default:
			return false
		}
	}
	return numbers == 1
}
