package expr

import (
	"encoding/json"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/data"
)

func classicModel(conds ...map[string]any) json.RawMessage {
	b, _ := json.Marshal(map[string]any{"type": "classic_conditions", "conditions": conds})
	return b
}

func cond(ref, reducer, evalType string, params []float64, op string) map[string]any {
	return map[string]any{
		"evaluator": map[string]any{"type": evalType, "params": params},
		"operator":  map[string]any{"type": op},
		"query":     map[string]any{"params": []string{ref}},
		"reducer":   map[string]any{"type": reducer},
	}
}

func TestClassicReduce(t *testing.T) {
	vals := []*float64{F(3), nil, F(1), nan(), F(8)}
	newest, oldest := 8.0, 3.0
	// pkg/expr/classic/reduce.go: null and NaN points are skipped; count
	// counts every point; diff is newest minus oldest non-null point.
	for reducer, want := range map[string]*float64{
		"avg": F(4), "sum": F(12), "min": F(1), "max": F(8), "count": F(5), "last": F(8),
		"median": F(3), "diff": F(5), "diff_abs": F(5), "percent_diff": F((newest - oldest) / oldest * 100), "count_non_null": F(3),
	} {
		if got := classicReduce(reducer, vals); !sameFloat(got, want) {
			t.Errorf("%s: got %s, want %s", reducer, fs(got), fs(want))
		}
	}
	// No points, or only nulls: null (no data).
	for _, r := range []string{"avg", "sum", "min", "max", "last", "count"} {
		if got := classicReduce(r, nil); got != nil {
			t.Errorf("%s of empty: %s, want null", r, fs(got))
		}
	}
	if got := classicReduce("max", []*float64{nil, nan()}); got != nil {
		t.Errorf("max of nulls: %s", fs(got))
	}
}

func TestClassicConditions(t *testing.T) {
	a := VarResults{
		"A": {Values: []Value{series(data.Labels{"h": "1"}, F(1), F(10)), series(data.Labels{"h": "2"}, F(1), F(2))}},
		"B": {Values: []Value{series(nil, F(1))}},
		"N": {Values: []Value{NoData{}}},
	}
	cases := []struct {
		name    string
		conds   []map[string]any
		want    *float64
		matches int
	}{
		// classic.go: a condition fires when any series meets it.
		{"any series", []map[string]any{cond("A", "last", "gt", []float64{5}, "and")}, F(1), 1},
		{"none", []map[string]any{cond("A", "last", "gt", []float64{50}, "and")}, F(0), 0},
		// Left to right with each condition's operator.
		{"and", []map[string]any{cond("A", "last", "gt", []float64{5}, "and"), cond("B", "last", "gt", []float64{5}, "and")}, F(0), 1},
		{"or", []map[string]any{cond("A", "last", "gt", []float64{50}, "and"), cond("B", "last", "lt", []float64{5}, "or")}, F(1), 1},
		// No data: null; no data wins over firing with "or".
		{"no data", []map[string]any{cond("N", "last", "gt", []float64{5}, "and")}, nil, 1},
		{"no data or firing", []map[string]any{cond("A", "last", "gt", []float64{5}, "and"), cond("N", "avg", "gt", []float64{1}, "or")}, nil, 2},
		// no_value fires on no data.
		{"no_value", []map[string]any{cond("N", "avg", "no_value", nil, "and")}, F(1), 1},
		// Ranges (evaluator.go): within_range excludes its bounds.
		{"within_range", []map[string]any{cond("A", "max", "within_range", []float64{2, 10}, "and")}, F(0), 0},
		{"outside_range_included", []map[string]any{cond("A", "max", "outside_range_included", []float64{2, 10}, "and")}, F(1), 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			conds, err := parseClassic(classicModel(c.conds...))
			if err != nil {
				t.Fatal(err)
			}
			res, matches, err := execClassic(conds, a)
			if err != nil {
				t.Fatal(err)
			}
			n := res.Values[0].(Number)
			if !sameFloat(n.Value, c.want) || len(n.Labels) != 0 || len(matches) != c.matches {
				t.Fatalf("got %s with %d matches %+v, want %s with %d", fs(n.Value), len(matches), matches, fs(c.want), c.matches)
			}
		})
	}
	for _, bad := range [][]map[string]any{
		{cond("A", "nope", "gt", []float64{1}, "and")},
		{cond("A", "avg", "gt", nil, "and")},
		{cond("A", "avg", "within_range", []float64{1}, "and")},
		{cond("A", "avg", "gt", []float64{1}, "and"), cond("B", "avg", "gt", []float64{1}, "xor")},
	} {
		if _, err := parseClassic(classicModel(bad...)); err == nil {
			t.Errorf("%v: want an error", bad)
		}
	}
}
