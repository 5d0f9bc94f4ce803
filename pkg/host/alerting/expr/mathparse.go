package expr

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// The math expression language of Grafana's math expression
// (https://grafana.com/docs/grafana/latest/panels-visualizations/query-transform-data/expression-queries/#math
// and pkg/expr/mathexp/parse): references $A or ${A B}, numbers, the binary
// operators || && == != > >= < <= + - * / % **, the unary operators ! and -,
// parentheses and function calls. Precedence, lowest first (the grammar in
// pkg/expr/mathexp/parse/parse.go):
//
//	O -> A {"||" A}
//	A -> C {"&&" C}
//	C -> P {("==" | "!=" | ">" | ">=" | "<" | "<=") P}
//	P -> M {("+" | "-") M}
//	M -> E {("*" | "/" | "%") E}
//	E -> F {"**" F}
//	F -> v | "(" O ")" | "!" F | "-" F
//	v -> number | func(...) | var

// Node is a node of a parsed math expression.
type Node interface {
	String() string
}

// NumberNode is a number literal.
type NumberNode struct{ Value float64 }

// VarNode is a reference to another query or expression ($A, ${A B}).
type VarNode struct{ Name string }

// UnaryNode is ! or - applied to an operand.
type UnaryNode struct {
	Op  string
	Arg Node
}

// BinaryNode is a binary operation.
type BinaryNode struct {
	Op   string
	A, B Node
}

// FuncNode is a function call.
type FuncNode struct {
	Name string
	Args []Node
}

func (n NumberNode) String() string { return strconv.FormatFloat(n.Value, 'g', -1, 64) }
func (n VarNode) String() string {
	if strings.ContainsAny(n.Name, " ") {
		return "${" + n.Name + "}"
	}
	return "$" + n.Name
}
func (n UnaryNode) String() string  { return n.Op + n.Arg.String() }
func (n BinaryNode) String() string { return n.A.String() + " " + n.Op + " " + n.B.String() }
func (n FuncNode) String() string {
	args := make([]string, len(n.Args))
	for i, a := range n.Args {
		args[i] = a.String()
	}
	return n.Name + "(" + strings.Join(args, ", ") + ")"
}

// MathFuncs are the functions of math expressions (the expression docs'
// "Functions" list, Grafana's pkg/expr/mathexp/funcs.go).
var MathFuncs = map[string]bool{
	"abs": true, "ceil": true, "floor": true, "log": true, "round": true,
	"is_nan": true, "is_inf": true, "is_null": true, "is_number": true,
}

type tokKind int

const (
	tokEOF tokKind = iota
	tokNumber
	tokVar
	tokIdent
	tokOp
	tokLParen
	tokRParen
	tokComma
)

type token struct {
	kind tokKind
	val  string
	pos  int
}

func lex(s string) ([]token, error) {
	var toks []token
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '$':
			start := i
			if i+1 < len(s) && s[i+1] == '{' {
				end := strings.IndexByte(s[i+2:], '}')
				if end < 0 {
					return nil, fmt.Errorf("unterminated variable at position %d", start)
				}
				name := s[i+2 : i+2+end]
				if strings.TrimSpace(name) == "" {
					return nil, fmt.Errorf("empty variable at position %d", start)
				}
				toks = append(toks, token{tokVar, name, start})
				i = i + 2 + end + 1
				continue
			}
			j := i + 1
			for j < len(s) && (isIdentRune(rune(s[j]))) {
				j++
			}
			if j == i+1 {
				return nil, fmt.Errorf("invalid variable at position %d", start)
			}
			toks = append(toks, token{tokVar, s[i+1 : j], start})
			i = j
		case c == '0' && i+1 < len(s) && (s[i+1] == 'x' || s[i+1] == 'X'):
			j := i + 2
			for j < len(s) && strings.IndexByte("0123456789abcdefABCDEF", s[j]) >= 0 {
				j++
			}
			toks = append(toks, token{tokNumber, s[i:j], i})
			i = j
		case c >= '0' && c <= '9' || c == '.':
			j := i
			for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '.') {
				j++
			}
			if j < len(s) && (s[j] == 'e' || s[j] == 'E') {
				k := j + 1
				if k < len(s) && (s[k] == '+' || s[k] == '-') {
					k++
				}
				if k < len(s) && s[k] >= '0' && s[k] <= '9' {
					for k < len(s) && s[k] >= '0' && s[k] <= '9' {
						k++
					}
					j = k
				}
			}
			toks = append(toks, token{tokNumber, s[i:j], i})
			i = j
		case isIdentRune(rune(c)):
			j := i
			for j < len(s) && isIdentRune(rune(s[j])) {
				j++
			}
			toks = append(toks, token{tokIdent, s[i:j], i})
			i = j
		case c == '(':
			toks = append(toks, token{tokLParen, "(", i})
			i++
		case c == ')':
			toks = append(toks, token{tokRParen, ")", i})
			i++
		case c == ',':
			toks = append(toks, token{tokComma, ",", i})
			i++
		default:
			two := ""
			if i+1 < len(s) {
				two = s[i : i+2]
			}
			switch two {
			case "||", "&&", "==", "!=", ">=", "<=", "**":
				toks = append(toks, token{tokOp, two, i})
				i += 2
				continue
			}
			switch c {
			case '+', '-', '*', '/', '%', '>', '<', '!':
				toks = append(toks, token{tokOp, string(c), i})
				i++
			default:
				return nil, fmt.Errorf("unexpected character %q at position %d", c, i)
			}
		}
	}
	return append(toks, token{tokEOF, "", len(s)}), nil
}

func isIdentRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

type parser struct {
	toks []token
	pos  int
}

func (p *parser) peek() token { return p.toks[p.pos] }
func (p *parser) next() token {
	t := p.toks[p.pos]
	if t.kind != tokEOF {
		p.pos++
	}
	return t
}

// ParseMath parses a math expression.
func ParseMath(s string) (Node, error) {
	toks, err := lex(s)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	n, err := p.binary(0)
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tokEOF {
		return nil, fmt.Errorf("unexpected %q at position %d", t.val, t.pos)
	}
	return n, nil
}

// levels of binary operators, lowest precedence first.
var levels = [][]string{
	{"||"},
	{"&&"},
	{"==", "!=", ">", ">=", "<", "<="},
	{"+", "-"},
	{"*", "/", "%"},
	{"**"},
}

func (p *parser) binary(level int) (Node, error) {
	if level == len(levels) {
		return p.factor()
	}
	n, err := p.binary(level + 1)
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		if t.kind != tokOp || !contains(levels[level], t.val) {
			return n, nil
		}
		p.next()
		rhs, err := p.binary(level + 1)
		if err != nil {
			return nil, err
		}
		n = BinaryNode{Op: t.val, A: n, B: rhs}
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func (p *parser) factor() (Node, error) {
	t := p.next()
	switch t.kind {
	case tokNumber:
		// Decimal, octal (leading 0) or hex (0x) integers, else a float, as
		// pkg/expr/mathexp/parse/node.go newNumber (ParseUint base 0 first).
		if u, err := strconv.ParseUint(t.val, 0, 64); err == nil {
			return NumberNode{Value: float64(u)}, nil
		}
		f, err := strconv.ParseFloat(t.val, 64)
		if err != nil {
			return nil, fmt.Errorf("invalid number %q at position %d", t.val, t.pos)
		}
		return NumberNode{Value: f}, nil
	case tokVar:
		return VarNode{Name: t.val}, nil
	case tokOp:
		if t.val == "!" || t.val == "-" {
			arg, err := p.factor()
			if err != nil {
				return nil, err
			}
			return UnaryNode{Op: t.val, Arg: arg}, nil
		}
	case tokLParen:
		n, err := p.binary(0)
		if err != nil {
			return nil, err
		}
		if c := p.next(); c.kind != tokRParen {
			return nil, fmt.Errorf("expected ')' at position %d", c.pos)
		}
		return n, nil
	case tokIdent:
		if !MathFuncs[t.val] {
			return nil, fmt.Errorf("non existent function %s", t.val)
		}
		if c := p.next(); c.kind != tokLParen {
			return nil, fmt.Errorf("expected '(' after %s", t.val)
		}
		fn := FuncNode{Name: t.val}
		if p.peek().kind == tokRParen {
			p.next()
		} else {
			for {
				arg, err := p.binary(0)
				if err != nil {
					return nil, err
				}
				fn.Args = append(fn.Args, arg)
				c := p.next()
				if c.kind == tokRParen {
					break
				}
				if c.kind != tokComma {
					return nil, fmt.Errorf("expected ',' or ')' at position %d", c.pos)
				}
			}
		}
		if len(fn.Args) != 1 {
			return nil, fmt.Errorf("function %s takes 1 argument, got %d", fn.Name, len(fn.Args))
		}
		return fn, nil
	case tokEOF:
		return nil, fmt.Errorf("unexpected end of expression")
	}
	return nil, fmt.Errorf("unexpected %q at position %d", t.val, t.pos)
}

// Vars returns the references of a parsed expression, in order of appearance.
func Vars(n Node) []string {
	var out []string
	var walk func(Node)
	walk = func(n Node) {
		switch t := n.(type) {
		case VarNode:
			if !contains(out, t.Name) {
				out = append(out, t.Name)
			}
		case UnaryNode:
			walk(t.Arg)
		case BinaryNode:
			walk(t.A)
			walk(t.B)
		case FuncNode:
			for _, a := range t.Args {
				walk(a)
			}
		}
	}
	walk(n)
	return out
}
