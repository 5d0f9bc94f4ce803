package expr

import (
	"fmt"
	"math"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// Vars maps a refID to its node's results.
type VarResults map[string]Results

// EvalMath parses and executes a math expression.
func EvalMath(expression string, vars VarResults) (Results, error) {
	n, err := ParseMath(expression)
	if err != nil {
		return Results{}, err
	}
	return ExecMath(n, vars)
}

// ExecMath executes a parsed math expression on the variables' results.
func ExecMath(n Node, vars VarResults) (Results, error) {
	switch t := n.(type) {
	case NumberNode:
		return Results{Values: []Value{Number{Value: F(t.Value)}}}, nil
	case VarNode:
		r, ok := vars[t.Name]
		if !ok {
			return Results{}, fmt.Errorf("unknown variable $%s", t.Name)
		}
		return r, nil
	case UnaryNode:
		a, err := ExecMath(t.Arg, vars)
		if err != nil {
			return Results{}, err
		}
		return mapValues(a, func(f float64) float64 { return unaryOp(t.Op, f) }), nil
	case BinaryNode:
		a, err := ExecMath(t.A, vars)
		if err != nil {
			return Results{}, err
		}
		b, err := ExecMath(t.B, vars)
		if err != nil {
			return Results{}, err
		}
		return binary(t.Op, a, b)
	case FuncNode:
		a, err := ExecMath(t.Args[0], vars)
		if err != nil {
			return Results{}, err
		}
		return applyFunc(t.Name, a)
	}
	return Results{}, fmt.Errorf("can not walk node type %T", n)
}

// unaryOp: NaN stays NaN; ! is 1 for 0 and 0 otherwise
// (pkg/expr/mathexp/exp.go unaryOp).
func unaryOp(op string, a float64) float64 {
	if math.IsNaN(a) {
		return math.NaN()
	}
	if op == "!" {
		if a == 0 {
			return 1
		}
		return 0
	}
	return -a
}

// mapValues applies f to every non-null number and point; nulls stay null
// and no data stays no data.
func mapValues(in Results, f func(float64) float64) Results {
	out := Results{Values: make([]Value, 0, len(in.Values))}
	for _, v := range in.Values {
		switch t := v.(type) {
		case Number:
			n := Number{Labels: copyLabels(t.Labels)}
			if t.Value != nil {
				n.Value = F(f(*t.Value))
			}
			out.Values = append(out.Values, n)
		case Series:
			s := Series{Labels: copyLabels(t.Labels), Times: append(t.Times[:0:0], t.Times...), Values: make([]*float64, len(t.Values))}
			for i, p := range t.Values {
				if p != nil {
					s.Values[i] = F(f(*p))
				}
			}
			out.Values = append(out.Values, s)
		default:
			out.Values = append(out.Values, NoData{})
		}
	}
	return out
}

// mapNullable applies f to every number and point, nulls included.
func mapNullable(in Results, f func(*float64) float64) Results {
	out := Results{Values: make([]Value, 0, len(in.Values))}
	for _, v := range in.Values {
		switch t := v.(type) {
		case Number:
			out.Values = append(out.Values, Number{Labels: copyLabels(t.Labels), Value: F(f(t.Value))})
		case Series:
			s := Series{Labels: copyLabels(t.Labels), Times: append(t.Times[:0:0], t.Times...), Values: make([]*float64, len(t.Values))}
			for i, p := range t.Values {
				s.Values[i] = F(f(p))
			}
			out.Values = append(out.Values, s)
		default:
			out.Values = append(out.Values, NoData{})
		}
	}
	return out
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// applyFunc: the math functions of the expression docs. abs, ceil, floor,
// log, round apply to non-null values (log of a negative number is NaN);
// is_null is 1 for null; is_nan 1 for NaN; is_inf 1 for ±Inf; is_number 1
// for a value that is neither null, NaN nor ±Inf (pkg/expr/mathexp/funcs.go).
func applyFunc(name string, a Results) (Results, error) {
	switch name {
	case "abs":
		return mapValues(a, math.Abs), nil
	case "ceil":
		return mapValues(a, math.Ceil), nil
	case "floor":
		return mapValues(a, math.Floor), nil
	case "round":
		return mapValues(a, math.Round), nil
	case "log":
		return mapValues(a, math.Log), nil
	case "is_nan":
		return mapValues(a, func(f float64) float64 { return b2f(math.IsNaN(f)) }), nil
	case "is_inf":
		return mapValues(a, func(f float64) float64 { return b2f(math.IsInf(f, 0)) }), nil
	case "is_null":
		return mapNullable(a, func(f *float64) float64 { return b2f(f == nil) }), nil
	case "is_number":
		return mapNullable(a, func(f *float64) float64 {
			return b2f(f != nil && !math.IsNaN(*f) && !math.IsInf(*f, 0))
		}), nil
	}
	return Results{}, fmt.Errorf("non existent function %s", name)
}

// BinaryOp applies a binary operator to two floats (pkg/expr/mathexp/exp.go
// binaryOp): || and && short-circuit before NaN is looked at (0 && NaN = 0,
// 1 || NaN = 1); otherwise NaN on either side gives NaN; comparisons and
// logical operators give 1 or 0.
func BinaryOp(op string, a, b float64) (float64, error) {
	switch op {
	case "||":
		if a != 0 {
			return 1, nil
		}
	case "&&":
		if a == 0 {
			return 0, nil
		}
	}
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.NaN(), nil
	}
	switch op {
	case "+":
		return a + b, nil
	case "-":
		return a - b, nil
	case "*":
		return a * b, nil
	case "/":
		return a / b, nil
	case "%":
		return math.Mod(a, b), nil
	case "**":
		return math.Pow(a, b), nil
	case "==":
		return b2f(a == b), nil
	case "!=":
		return b2f(a != b), nil
	case ">":
		return b2f(a > b), nil
	case "<":
		return b2f(a < b), nil
	case ">=":
		return b2f(a >= b), nil
	case "<=":
		return b2f(a <= b), nil
	case "||":
		return b2f(a != 0 || b != 0), nil
	case "&&":
		return b2f(a != 0 && b != 0), nil
	}
	return 0, fmt.Errorf("expr: unknown operator %s", op)
}

type union struct {
	labels data.Labels
	a, b   Value
}

// unionOf pairs the items of both sides by their labels, following
// pkg/expr/mathexp/exp.go union (and union_test.go): an empty side gives
// nothing; a side that is a single NoData gives one NoData pair; items with
// equal labels pair, an item without labels pairs with every item, an item
// whose labels contain the other's pairs (taking the larger set); two
// different sets of the same size do not pair. When nothing paired and each
// side holds one item, the two pair without labels. Unpaired items are
// dropped.
func unionOf(a, b Results) []union {
	var out []union
	if len(a.Values) == 0 || len(b.Values) == 0 {
		return out
	}
	if len(a.Values) == 1 || len(b.Values) == 1 {
		_, aNo := a.Values[0].(NoData)
		_, bNo := b.Values[0].(NoData)
		if aNo || bNo {
			return []union{{a: a.Values[0], b: b.Values[0]}}
		}
	}
	for _, av := range a.Values {
		for _, bv := range b.Values {
			al, bl := av.GetLabels(), bv.GetLabels()
			var labels data.Labels
			switch {
			case al.Equals(bl) || len(al) == 0 || len(bl) == 0:
				labels = al
				if len(al) == 0 {
					labels = bl
				}
			case len(al) == len(bl):
				continue
			case al.Contains(bl):
				labels = al
			case bl.Contains(al):
				labels = bl
			default:
				continue
			}
			out = append(out, union{labels: labels, a: av, b: bv})
		}
	}
	if len(out) == 0 && len(a.Values) == 1 && len(b.Values) == 1 {
		out = append(out, union{a: a.Values[0], b: b.Values[0]})
	}
	return out
}

func binary(op string, a, b Results) (Results, error) {
	res := Results{Values: []Value{}}
	for _, u := range unionOf(a, b) {
		var v Value
		var err error
		switch at := u.a.(type) {
		case NoData:
			v = NoData{}
		case Number:
			switch bt := u.b.(type) {
			case NoData:
				v = NoData{}
			case Number:
				v, err = numberOp(op, u.labels, at.Value, bt.Value)
			case Series:
				v, err = seriesNumberOp(op, u.labels, bt, at.Value, false)
			}
		case Series:
			switch bt := u.b.(type) {
			case NoData:
				v = NoData{}
			case Number:
				v, err = seriesNumberOp(op, u.labels, at, bt.Value, true)
			case Series:
				v, err = seriesSeriesOp(op, u.labels, at, bt)
			}
		}
		if err != nil {
			return Results{}, err
		}
		if v == nil {
			return Results{}, fmt.Errorf("not implemented: binary %s on %T and %T", op, u.a, u.b)
		}
		res.Values = append(res.Values, v)
	}
	return res, nil
}

func numberOp(op string, labels data.Labels, a, b *float64) (Number, error) {
	n := Number{Labels: copyLabels(labels)}
	if a == nil || b == nil {
		return n, nil
	}
	f, err := BinaryOp(op, *a, *b)
	n.Value = F(f)
	return n, err
}

func seriesNumberOp(op string, labels data.Labels, s Series, num *float64, seriesFirst bool) (Series, error) {
	out := Series{Labels: copyLabels(labels), Times: append(s.Times[:0:0], s.Times...), Values: make([]*float64, len(s.Values))}
	for i, p := range s.Values {
		if p == nil || num == nil {
			continue
		}
		var f float64
		var err error
		if seriesFirst {
			f, err = BinaryOp(op, *p, *num)
		} else {
			f, err = BinaryOp(op, *num, *p)
		}
		if err != nil {
			return out, err
		}
		out.Values[i] = F(f)
	}
	return out, nil
}

// seriesSeriesOp: points are paired by time; points of A without a point of
// B at the same time are dropped (pkg/expr/mathexp/exp.go biSeriesSeries).
func seriesSeriesOp(op string, labels data.Labels, a, b Series) (Series, error) {
	bPoints := make(map[time.Time]*float64, len(b.Times))
	present := make(map[time.Time]bool, len(b.Times))
	for i, t := range b.Times {
		bPoints[t.UTC()] = b.Values[i]
		present[t.UTC()] = true
	}
	out := Series{Labels: copyLabels(labels)}
	for i, t := range a.Times {
		if !present[t.UTC()] {
			continue
		}
		ap, bp := a.Values[i], bPoints[t.UTC()]
		out.Times = append(out.Times, t)
		if ap == nil || bp == nil {
			out.Values = append(out.Values, nil)
			continue
		}
		f, err := BinaryOp(op, *ap, *bp)
		if err != nil {
			return out, err
		}
		out.Values = append(out.Values, F(f))
	}
	return out, nil
}
