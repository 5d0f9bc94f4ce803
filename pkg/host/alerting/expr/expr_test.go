package expr

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"
)

var t0 = time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)

func series(labels data.Labels, vals ...*float64) Series {
	s := Series{Labels: labels}
	for i, v := range vals {
		s.Times = append(s.Times, t0.Add(time.Duration(i)*time.Minute))
		s.Values = append(s.Values, v)
	}
	return s
}

func nan() *float64 { return F(math.NaN()) }
func inf() *float64 { return F(math.Inf(1)) }

// sameFloat: nil equals nil, NaN equals NaN.
func sameFloat(a, b *float64) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	if math.IsNaN(*a) || math.IsNaN(*b) {
		return math.IsNaN(*a) && math.IsNaN(*b)
	}
	return *a == *b
}

func fs(f *float64) string {
	if f == nil {
		return "null"
	}
	b, _ := json.Marshal(*f)
	if math.IsNaN(*f) {
		return "NaN"
	}
	return string(b)
}

func TestReduce(t *testing.T) {
	cases := []struct {
		name     string
		reducer  string
		settings ReduceSettings
		in       []*float64
		want     *float64
	}{
		// pkg/expr/mathexp/reduce.go: Sum of an empty series is 0, Count 0;
		// Avg is Sum/Len (NaN), Min, Max and Last are NaN.
		{"sum of empty", "sum", ReduceSettings{}, nil, F(0)},
		{"count of empty", "count", ReduceSettings{}, nil, F(0)},
		{"mean of empty", "mean", ReduceSettings{}, nil, nan()},
		{"min of empty", "min", ReduceSettings{}, nil, nan()},
		{"max of empty", "max", ReduceSettings{}, nil, nan()},
		{"last of empty", "last", ReduceSettings{}, nil, nan()},
		// Plain reductions.
		{"sum", "sum", ReduceSettings{}, []*float64{F(1), F(2), F(3)}, F(6)},
		{"mean", "mean", ReduceSettings{}, []*float64{F(1), F(2), F(6)}, F(3)},
		{"min", "min", ReduceSettings{}, []*float64{F(4), F(-2), F(3)}, F(-2)},
		{"max", "max", ReduceSettings{}, []*float64{F(4), F(-2), F(3)}, F(4)},
		{"count", "count", ReduceSettings{}, []*float64{F(4), nil, F(3)}, F(3)},
		{"last", "last", ReduceSettings{}, []*float64{F(4), F(-2), F(3)}, F(3)},
		// Expression docs, reduce "Strict" mode: "Result can be NaN if series
		// contains non-numeric data" (a null or NaN point gives NaN for sum,
		// mean, min, max; reduce.go).
		{"strict sum with null", "sum", ReduceSettings{}, []*float64{F(1), nil, F(3)}, nan()},
		{"strict max with NaN", "max", ReduceSettings{Mode: "strict"}, []*float64{F(1), nan(), F(3)}, nan()},
		{"strict last null stays null", "last", ReduceSettings{}, []*float64{F(1), nil}, nil},
		// Expression docs "Drop Non-numeric Values": infinity, NaN and null
		// are removed before the reduction (reduce.go DropNonNumber.MapInput);
		// a NaN result becomes null (MapOutput).
		{"dropNN sum", "sum", ReduceSettings{Mode: ReduceModeDropNN}, []*float64{F(1), nil, nan(), inf(), F(3)}, F(4)},
		{"dropNN last", "last", ReduceSettings{Mode: ReduceModeDropNN}, []*float64{F(1), F(2), nil}, F(2)},
		{"dropNN mean of all-NaN is null", "mean", ReduceSettings{Mode: ReduceModeDropNN}, []*float64{nan(), nil}, nil},
		// Expression docs "Replace Non-numeric Values": non-numbers are
		// replaced by replaceWithValue (ReplaceNonNumberWithValue.MapInput),
		// and a NaN result too (MapOutput).
		{"replaceNN sum", "sum", ReduceSettings{Mode: ReduceModeReplaceNN, ReplaceWithValue: F(10)}, []*float64{F(1), nil, nan(), inf()}, F(31)},
		{"replaceNN max", "max", ReduceSettings{Mode: ReduceModeReplaceNN, ReplaceWithValue: F(-1)}, []*float64{nan(), F(-5)}, F(-1)},
		{"replaceNN last of empty", "last", ReduceSettings{Mode: ReduceModeReplaceNN, ReplaceWithValue: F(7)}, nil, F(7)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := series(data.Labels{"api": "x"}, c.in...)
			got, err := ReduceSeries(in, c.reducer, c.settings)
			if err != nil {
				t.Fatal(err)
			}
			if !sameFloat(got.Value, c.want) {
				t.Fatalf("got %s, want %s", fs(got.Value), fs(c.want))
			}
			if !got.Labels.Equals(data.Labels{"api": "x"}) {
				t.Fatalf("labels %v, want the series' labels", got.Labels)
			}
		})
	}
}

func TestReduceErrorsAndPassThrough(t *testing.T) {
	if _, err := ReduceSeries(series(nil, F(1)), "median", ReduceSettings{}); err == nil {
		t.Fatal("median: want 'reduction median not implemented' (not a Grafana SSE reducer)")
	}
	if _, err := ReduceSeries(series(nil, F(1)), "sum", ReduceSettings{Mode: ReduceModeReplaceNN}); err == nil {
		t.Fatal("replaceNN without replaceWithValue must fail")
	}
	// ReduceCommand.Execute: numbers pass through, no data stays no data.
	out, err := Reduce(Results{Values: []Value{Number{Labels: data.Labels{"a": "1"}, Value: F(5)}, NoData{}}}, "sum", ReduceSettings{})
	if err != nil {
		t.Fatal(err)
	}
	if n, ok := out.Values[0].(Number); !ok || *n.Value != 5 {
		t.Fatalf("number not passed through: %#v", out.Values[0])
	}
	if _, ok := out.Values[1].(NoData); !ok {
		t.Fatalf("no data not kept: %#v", out.Values[1])
	}
}

func TestThreshold(t *testing.T) {
	cases := []struct {
		name string
		ev   Evaluator
		in   *float64
		want *float64
	}{
		// pkg/expr/threshold.go predicates; expression docs "Threshold":
		// "Is above (x > y), Is below (x < y), Is within range (x > y1 AND
		// x < y2), Is outside range (x < y1 AND x > y2)", and the _included
		// variants with >= and <=.
		{"gt true", Evaluator{"gt", []float64{100}}, F(101), F(1)},
		{"gt equal is false", Evaluator{"gt", []float64{100}}, F(100), F(0)},
		{"lt true", Evaluator{"lt", []float64{1}}, F(0), F(1)},
		{"lt false", Evaluator{"lt", []float64{1}}, F(1), F(0)},
		{"within_range excludes bounds", Evaluator{"within_range", []float64{1, 5}}, F(5), F(0)},
		{"within_range inside", Evaluator{"within_range", []float64{1, 5}}, F(3), F(1)},
		{"outside_range", Evaluator{"outside_range", []float64{1, 5}}, F(6), F(1)},
		{"outside_range bound is inside", Evaluator{"outside_range", []float64{1, 5}}, F(1), F(0)},
		{"within_range_included bound", Evaluator{"within_range_included", []float64{1, 5}}, F(5), F(1)},
		{"outside_range_included bound", Evaluator{"outside_range_included", []float64{1, 5}}, F(1), F(1)},
		// A null stays null (ThresholdCommand.Execute eval(nil) = nil); NaN
		// compares false.
		{"null stays null", Evaluator{"gt", []float64{0}}, nil, nil},
		{"NaN is not above", Evaluator{"gt", []float64{0}}, nan(), F(0)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, err := Threshold(Results{Values: []Value{Number{Labels: data.Labels{"k": "v"}, Value: c.in}}}, ThresholdCondition{Evaluator: c.ev}, nil)
			if err != nil {
				t.Fatal(err)
			}
			n := out.Values[0].(Number)
			if !sameFloat(n.Value, c.want) || !n.Labels.Equals(data.Labels{"k": "v"}) {
				t.Fatalf("got %s %v, want %s", fs(n.Value), n.Labels, fs(c.want))
			}
		})
	}
	if _, err := Threshold(Results{}, ThresholdCondition{Evaluator: Evaluator{"within_range", []float64{1}}}, nil); err == nil {
		t.Fatal("within_range with one parameter must fail")
	}
}

// pkg/expr/hysteresis.go and the docs' "Recovery threshold": a firing
// dimension stays firing until the unload evaluator holds.
func TestThresholdRecovery(t *testing.T) {
	cond := ThresholdCondition{Evaluator: Evaluator{"gt", []float64{10}}, UnloadEvaluator: &Evaluator{"lt", []float64{5}}}
	in := Results{Values: []Value{
		Number{Labels: data.Labels{"i": "firing"}, Value: F(7)},
		Number{Labels: data.Labels{"i": "normal"}, Value: F(7)},
		Number{Labels: data.Labels{"i": "recovered"}, Value: F(4)},
	}}
	loaded := func(l data.Labels) bool { return l["i"] != "normal" }
	out, err := Threshold(in, cond, loaded)
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{1, 0, 0}
	for i, v := range out.Values {
		if got := *v.(Number).Value; got != want[i] {
			t.Errorf("%v: got %v, want %v", v.GetLabels(), got, want[i])
		}
	}
}

func num(l data.Labels, v float64) Number { return Number{Labels: l, Value: F(v)} }

func TestMathParse(t *testing.T) {
	cases := []struct {
		expr string
		want float64
	}{
		// Precedence per pkg/expr/mathexp/parse/parse.go's grammar.
		{"1 + 2 * 3", 7},
		{"(1 + 2) * 3", 9},
		{"2 ** 3 * 2", 16},
		{"-2 ** 2", 4}, // unary minus binds to the operand
		{"10 % 4", 2},
		{"1 + 2 > 2", 1},
		{"1 > 2 || 3 > 2 && 1", 1},
		{"!0", 1},
		{"!5", 0},
		{"3 >= 3", 1},
		{"3 != 3", 0},
		{"3 == 3", 1},
		{"3 <= 2", 0},
		{"1e3 / 10", 100},
		// Expression docs: "Numeric constants may be in decimal (2.24), octal
		// (with leading 0 like 072), or hex (with leading 0x like 0x2A).
		// Exponentials and signs are also supported (e.g., -0.8e-2)."
		{"072", 58},
		{"0x2A", 42},
		{"-0.8e-2 * 1000", -8},
		{"2.24", 2.24},
		{"abs(-3) + ceil(1.2) + floor(1.8) + round(2.5)", 3 + 2 + 1 + 3},
		{"log(1)", 0},
		{"is_nan(0/0)", 1},
		{"is_inf(1/0)", 1},
		{"is_number(1/0)", 0},
		{"is_number(2)", 1},
		// binaryOp: && and || short-circuit before NaN.
		{"0 && (0/0)", 0},
		{"1 || (0/0)", 1},
	}
	for _, c := range cases {
		t.Run(c.expr, func(t *testing.T) {
			out, err := EvalMath(c.expr, VarResults{})
			if err != nil {
				t.Fatal(err)
			}
			n := out.Values[0].(Number)
			if n.Value == nil || *n.Value != c.want {
				t.Fatalf("got %s, want %v", fs(n.Value), c.want)
			}
		})
	}
	for _, bad := range []string{"1 +", "foo(1)", "$", "(1", "1 2", "${}", "1 @ 2"} {
		if _, err := ParseMath(bad); err == nil {
			t.Errorf("%q: want a parse error", bad)
		}
	}
	n, err := ParseMath("$A + ${my var} * $B1")
	if err != nil {
		t.Fatal(err)
	}
	if v := Vars(n); len(v) != 3 || v[0] != "A" || v[1] != "my var" || v[2] != "B1" {
		t.Fatalf("vars %v", v)
	}
}

func TestMathNullAndNaN(t *testing.T) {
	vars := VarResults{
		"N": {Values: []Value{Number{Value: nil}}},
		"X": {Values: []Value{Number{Value: nan()}}},
	}
	cases := []struct {
		expr string
		want *float64
	}{
		// biScalarNumber: a null operand gives null; NaN propagates.
		{"$N + 1", nil},
		{"$X + 1", nan()},
		{"$X > 1", nan()},
		{"is_null($N)", F(1)},
		{"is_nan($X)", F(1)},
		{"-$X", nan()},
	}
	for _, c := range cases {
		out, err := EvalMath(c.expr, vars)
		if err != nil {
			t.Fatal(err)
		}
		if got := out.Values[0].(Number).Value; !sameFloat(got, c.want) {
			t.Errorf("%s: got %s, want %s", c.expr, fs(got), fs(c.want))
		}
	}
}

// Union rules: pkg/expr/mathexp/exp.go union and union_test.go, and the
// expression docs' "Operations on sets": equal labels join; an item without
// labels joins with every item; a subset joins its superset (taking the
// superset's labels); different label sets of the same size do not join and
// are dropped; when each side has one item that does not join, they join
// without labels.
func TestMathUnion(t *testing.T) {
	cases := []struct {
		name string
		a, b []Value
		want map[string]float64 // labels string -> value of $A + $B
	}{
		{
			"equal labels",
			[]Value{num(data.Labels{"id": "1"}, 1), num(data.Labels{"id": "2"}, 2)},
			[]Value{num(data.Labels{"id": "1"}, 10), num(data.Labels{"id": "2"}, 20)},
			map[string]float64{"id=1": 11, "id=2": 22},
		},
		{
			"no labels joins everything",
			[]Value{num(data.Labels{"id": "1"}, 1), num(data.Labels{"id": "2"}, 2)},
			[]Value{num(nil, 100)},
			map[string]float64{"id=1": 101, "id=2": 102},
		},
		{
			"subset joins superset",
			[]Value{num(data.Labels{"id": "1", "env": "prod"}, 1), num(data.Labels{"id": "2", "env": "prod"}, 2)},
			[]Value{num(data.Labels{"id": "1"}, 10)},
			map[string]float64{"env=prod, id=1": 11},
		},
		{
			"same size different labels dropped",
			[]Value{num(data.Labels{"id": "1"}, 1), num(data.Labels{"id": "2"}, 2)},
			[]Value{num(data.Labels{"id": "3"}, 10), num(data.Labels{"id": "4"}, 20)},
			map[string]float64{},
		},
		{
			"one item each without match joins without labels",
			[]Value{num(data.Labels{"id": "1"}, 1)},
			[]Value{num(data.Labels{"other": "x"}, 10)},
			map[string]float64{"": 11},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, err := EvalMath("$A + $B", VarResults{"A": {Values: c.a}, "B": {Values: c.b}})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]float64{}
			for _, v := range out.Values {
				got[v.GetLabels().String()] = *v.(Number).Value
			}
			if len(got) != len(c.want) {
				t.Fatalf("got %v, want %v", got, c.want)
			}
			for k, v := range c.want {
				if got[k] != v {
					t.Fatalf("got %v, want %v", got, c.want)
				}
			}
		})
	}
}

func TestMathSeries(t *testing.T) {
	a := series(data.Labels{"api": "x"}, F(1), F(2), nil)
	b := Series{Labels: data.Labels{"api": "x"}, Times: []time.Time{t0.Add(time.Minute), t0.Add(2 * time.Minute), t0.Add(5 * time.Minute)}, Values: []*float64{F(10), F(20), F(50)}}
	vars := VarResults{"A": {Values: []Value{a}}, "B": {Values: []Value{b}}, "N": {Values: []Value{num(nil, 2)}}}
	// Number op Series is pointwise (biSeriesNumber), nulls stay null.
	out, err := EvalMath("$A * $N", vars)
	if err != nil {
		t.Fatal(err)
	}
	s := out.Values[0].(Series)
	if len(s.Values) != 3 || *s.Values[0] != 2 || *s.Values[1] != 4 || s.Values[2] != nil {
		t.Fatalf("series*number: %v", s.Values)
	}
	// Series op Series pairs points by time and drops the others
	// (biSeriesSeries).
	out, err = EvalMath("$A + $B", vars)
	if err != nil {
		t.Fatal(err)
	}
	s = out.Values[0].(Series)
	if len(s.Values) != 2 || *s.Values[0] != 12 || s.Values[1] != nil || !s.Times[0].Equal(t0.Add(time.Minute)) {
		t.Fatalf("series+series: %v %v", s.Times, s.Values)
	}
	// NoData on one side gives NoData.
	out, err = EvalMath("$A + $D", VarResults{"A": {Values: []Value{a}}, "D": {Values: []Value{NoData{}}}})
	if err != nil {
		t.Fatal(err)
	}
	if !out.IsNoData() {
		t.Fatalf("want no data, got %#v", out.Values)
	}
}

func TestConvert(t *testing.T) {
	tsMulti := func(api string, vals ...float64) *data.Frame {
		times := make([]time.Time, len(vals))
		for i := range vals {
			times[i] = t0.Add(time.Duration(i) * time.Minute)
		}
		f := data.NewFrame("s", data.NewField("time", nil, times), data.NewField("count", data.Labels{"api": api}, vals))
		f.Meta = &data.FrameMeta{Type: data.FrameTypeTimeSeriesMulti, TypeVersion: data.FrameTypeVersion{0, 1}}
		return f
	}
	numWide := data.NewFrame("stats", data.NewField("blocked", nil, []int64{120}), data.NewField("blockedRatio", nil, []float64{0.3}))
	numWide.Meta = &data.FrameMeta{Type: data.FrameTypeNumericWide, TypeVersion: data.FrameTypeVersion{0, 1}}
	numLong := data.NewFrame("", data.NewField("host", nil, []string{"a", "b"}), data.NewField("cpu", nil, []float64{1, 2}))
	numLong.Meta = &data.FrameMeta{Type: data.FrameTypeNumericLong}
	emptyTyped := data.NewFrame("traffic")
	emptyTyped.Meta = &data.FrameMeta{Type: data.FrameTypeTimeSeriesMulti}
	untypedTable := data.NewFrame("", data.NewField("Loc", nil, []string{"MIA", "NYC"}), data.NewField("Avg_CPU", nil, []float64{1, 2}))
	untypedSeries := data.NewFrame("", data.NewField("t", nil, []time.Time{t0, t0.Add(time.Minute)}), data.NewField("v", data.Labels{"h": "1"}, []*float64{F(1), nil}))
	tsWide := data.NewFrame("", data.NewField("time", nil, []time.Time{t0, t0.Add(time.Minute)}),
		data.NewField("count", data.Labels{"api": "a"}, []float64{1, 2}), data.NewField("count", data.Labels{"api": "b"}, []*float64{nil, F(3)}))
	tsWide.Meta = &data.FrameMeta{Type: data.FrameTypeTimeSeriesWide}
	tsLong := data.NewFrame("", data.NewField("time", nil, []time.Time{t0, t0, t0.Add(time.Minute)}),
		data.NewField("api", nil, []string{"a", "b", "a"}), data.NewField("count", nil, []float64{1, 2, 3}))
	tsLong.Meta = &data.FrameMeta{Type: data.FrameTypeTimeSeriesLong}
	zeroRowNumeric := data.NewFrame("stats", data.NewField("blocked", nil, []int64{}))
	zeroRowNumeric.Meta = &data.FrameMeta{Type: data.FrameTypeNumericWide}

	type want struct {
		labels string
		kind   string // number, series, nodata
		value  float64
	}
	cases := []struct {
		name   string
		frames data.Frames
		want   []want
	}{
		// converter.go: no frames is no data.
		{"no frames", nil, []want{{"", "nodata", 0}}},
		// Data plane: a typed frame without fields is no data.
		{"empty typed frame", data.Frames{emptyTyped}, []want{{"", "nodata", 0}}},
		// timeseries-multi: one series per frame, labels of the value field.
		{"timeseries-multi", data.Frames{tsMulti("x", 1, 2), tsMulti("y", 3)}, []want{{"api=x", "series", 2}, {"api=y", "series", 1}}},
		// numeric-wide: one number per number field (any numeric type).
		{"numeric-wide", data.Frames{numWide}, []want{{"", "number", 120}, {"", "number", 0.3}}},
		// numeric-long: string columns become labels, one number per row.
		{"numeric-long", data.Frames{numLong}, []want{{"host=a", "number", 1}, {"host=b", "number", 2}}},
		{"numeric without rows", data.Frames{zeroRowNumeric}, []want{{"", "nodata", 0}}},
		// timeseries-wide: one series per number field.
		{"timeseries-wide", data.Frames{tsWide}, []want{{"api=a", "series", 2}, {"api=b", "series", 2}}},
		// timeseries-long: the string columns become the series' labels.
		{"timeseries-long", data.Frames{tsLong}, []want{{"api=a", "series", 2}, {"api=b", "series", 1}}},
		// Expression docs ("the table response ... string columns become
		// labels and the number column the corresponding value": {Loc=MIA} 1).
		{"untyped number table", data.Frames{untypedTable}, []want{{"Loc=MIA", "number", 1}, {"Loc=NYC", "number", 2}}},
		{"untyped wide series", data.Frames{untypedSeries}, []want{{"h=1", "series", 2}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, err := Convert(c.frames)
			if err != nil {
				t.Fatal(err)
			}
			if len(out.Values) != len(c.want) {
				t.Fatalf("got %d values %#v, want %d", len(out.Values), out.Values, len(c.want))
			}
			for i, w := range c.want {
				v := out.Values[i]
				if v.GetLabels().String() != w.labels {
					t.Errorf("%d: labels %q, want %q", i, v.GetLabels().String(), w.labels)
				}
				switch x := v.(type) {
				case NoData:
					if w.kind != "nodata" {
						t.Errorf("%d: no data, want %s", i, w.kind)
					}
				case Number:
					if w.kind != "number" || *x.Value != w.value {
						t.Errorf("%d: number %s, want %s %v", i, fs(x.Value), w.kind, w.value)
					}
				case Series:
					if w.kind != "series" || float64(len(x.Values)) != w.value {
						t.Errorf("%d: series of %d points, want %s %v", i, len(x.Values), w.kind, w.value)
					}
				}
			}
		})
	}
	// An untyped table with two number columns is not a number set
	// (isNumberTable wants exactly one number column).
	two := data.NewFrame("", data.NewField("a", nil, []float64{1}), data.NewField("b", nil, []float64{2}))
	if _, err := Convert(data.Frames{two}); err == nil {
		t.Fatal("want an error for an untyped table with two number columns")
	}
}

func TestExecute(t *testing.T) {
	model := func(m map[string]any) json.RawMessage { b, _ := json.Marshal(m); return b }
	queries := []Query{
		{RefID: "A", DatasourceUID: "ds1", RelativeTimeRange: RelativeTimeRange{From: 300}, Model: model(map[string]any{"queryType": "traffic", "intervalMs": 60000})},
		{RefID: "B", DatasourceUID: "ds1", RelativeTimeRange: RelativeTimeRange{From: 3900, To: 60}, Model: model(map[string]any{"queryType": "traffic"})},
		{RefID: "C", DatasourceUID: "__expr__", Model: model(map[string]any{"type": "reduce", "expression": "A", "reducer": "sum"})},
		{RefID: "D", DatasourceUID: "-100", Model: model(map[string]any{"type": "reduce", "expression": "$B", "reducer": "max"})},
		{RefID: "E", DatasourceUID: "__expr__", Model: model(map[string]any{"type": "math", "expression": "$C > $D"})},
	}
	var calls int
	var got []backend.DataQuery
	qf := func(ctx context.Context, ds string, qs []backend.DataQuery) (*backend.QueryDataResponse, error) {
		calls++
		if ds != "ds1" {
			t.Errorf("data source %q", ds)
		}
		got = qs
		resp := backend.NewQueryDataResponse()
		for _, q := range qs {
			f := data.NewFrame("", data.NewField("time", nil, []time.Time{t0, t0.Add(time.Minute)}), data.NewField("count", data.Labels{"api": "x"}, []float64{2, 3}))
			f.Meta = &data.FrameMeta{Type: data.FrameTypeTimeSeriesMulti}
			resp.Responses[q.RefID] = backend.DataResponse{Frames: data.Frames{f}}
		}
		return resp, nil
	}
	ex, err := Execute(context.Background(), queries, Options{Now: t0, Query: qf})
	if err != nil {
		t.Fatal(err)
	}
	if calls != 1 || len(got) != 2 {
		t.Fatalf("want one call with 2 queries, got %d calls, %d queries", calls, len(got))
	}
	// Time range [now-from, now-to]; intervalMs from the model, else
	// Grafana's alerting defaults 1000 ms and 43200 points
	// (pkg/services/ngalert/models/alert_query.go).
	a, b := got[0], got[1]
	if !a.TimeRange.From.Equal(t0.Add(-300*time.Second)) || !a.TimeRange.To.Equal(t0) || a.Interval != time.Minute || a.MaxDataPoints != 43200 || a.QueryType != "traffic" {
		t.Fatalf("A: %+v", a)
	}
	if !b.TimeRange.From.Equal(t0.Add(-3900*time.Second)) || !b.TimeRange.To.Equal(t0.Add(-time.Minute)) || b.Interval != time.Second {
		t.Fatalf("B: %+v", b)
	}
	var bm map[string]any
	_ = json.Unmarshal(b.JSON, &bm)
	if bm["intervalMs"] != float64(1000) || bm["maxDataPoints"] != float64(43200) {
		t.Fatalf("defaults not in the model: %s", b.JSON)
	}
	e := ex.Nodes["E"].Results.Values
	if len(e) != 1 || *e[0].(Number).Value != 1 || e[0].GetLabels()["api"] != "x" {
		t.Fatalf("E: %#v", e)
	}
	if len(ex.Captures) != 3 {
		t.Fatalf("captures %+v", ex.Captures)
	}

	// A data source error fails the query and what depends on it.
	qfErr := func(ctx context.Context, ds string, qs []backend.DataQuery) (*backend.QueryDataResponse, error) {
		return nil, errors.New("boom")
	}
	ex, err = Execute(context.Background(), queries, Options{Now: t0, Query: qfErr})
	if err != nil {
		t.Fatal(err)
	}
	var qe *QueryError
	if !errors.As(ex.Nodes["E"].Error, &qe) || qe.RefID != "A" || qe.DatasourceUID != "ds1" {
		t.Fatalf("E error: %v", ex.Nodes["E"].Error)
	}

	// Planning errors.
	for name, qs := range map[string][]Query{
		"unknown ref": {{RefID: "A", DatasourceUID: "__expr__", Model: model(map[string]any{"type": "math", "expression": "$Z"})}},
		"cycle": {{RefID: "A", DatasourceUID: "__expr__", Model: model(map[string]any{"type": "math", "expression": "$B"})},
			{RefID: "B", DatasourceUID: "__expr__", Model: model(map[string]any{"type": "math", "expression": "$A"})}},
		"classic": {{RefID: "A", DatasourceUID: "__expr__", Model: model(map[string]any{"type": "classic_conditions"})}},
	} {
		if _, err := Execute(context.Background(), qs, Options{Now: t0, Query: qf}); err == nil {
			t.Errorf("%s: want an error", name)
		}
	}
}

func TestParseDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{"1m": time.Minute, "10s": 10 * time.Second, "0s": 0, "1h30m": 90 * time.Minute, "2d": 48 * time.Hour, "": 0, "1.5h": 90 * time.Minute} {
		got, err := ParseDuration(in)
		if err != nil || got != want {
			t.Errorf("%q: %v %v, want %v", in, got, err, want)
		}
	}
	if _, err := ParseDuration("abc"); err == nil {
		t.Error("abc: want an error")
	}
	if FormatDuration(90*time.Minute) != "1h30m" || FormatDuration(0) != "0s" || FormatDuration(time.Minute) != "1m" {
		t.Error("FormatDuration")
	}
}
