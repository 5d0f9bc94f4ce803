package expr

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// Grafana's defaults for alert queries whose model has no intervalMs or
// maxDataPoints: pkg/services/ngalert/models/alert_query.go,
// defaultMaxDataPoints = 43200 ("12 hours at 1sec interval") and
// defaultIntervalMS = 1000.
const (
	DefaultIntervalMS    = 1000
	DefaultMaxDataPoints = 43200
)

// DatasourceUID of server-side expressions. Grafana also accepts "-100"
// (pkg/expr/service.go: DatasourceUID "__expr__", OldDatasourceUID "-100").
const (
	DatasourceUID    = "__expr__"
	OldDatasourceUID = "-100"
)

// IsExpression reports whether a data entry's datasource UID is the
// expression data source.
func IsExpression(uid string) bool { return uid == DatasourceUID || uid == OldDatasourceUID }

// QueryFunc runs data queries against one data source (all queries of a rule
// for that data source in one call).
type QueryFunc func(ctx context.Context, dsUID string, queries []backend.DataQuery) (*backend.QueryDataResponse, error)

// RelativeTimeRange is a query's time range relative to the evaluation time,
// in seconds: [now-From, now-To].
type RelativeTimeRange struct {
	From Seconds `json:"from" yaml:"from"`
	To   Seconds `json:"to" yaml:"to"`
}

// Seconds is a number of seconds; it also reads duration strings ("10m").
type Seconds int64

// UnmarshalJSON reads a number of seconds or a duration string.
func (s *Seconds) UnmarshalJSON(b []byte) error {
	var f float64
	if err := json.Unmarshal(b, &f); err == nil {
		*s = Seconds(f)
		return nil
	}
	var str string
	if err := json.Unmarshal(b, &str); err != nil {
		return fmt.Errorf("relative time: %s is neither seconds nor a duration", string(b))
	}
	return s.parse(str)
}

func (s *Seconds) parse(str string) error {
	str = strings.TrimSpace(str)
	if f, err := strconv.ParseFloat(str, 64); err == nil {
		*s = Seconds(f)
		return nil
	}
	d, err := ParseDuration(str)
	if err != nil {
		return err
	}
	*s = Seconds(d / time.Second)
	return nil
}

// Query is one entry of a rule's data: a data source query or an
// expression (datasourceUid __expr__).
type Query struct {
	RefID             string            `json:"refId"`
	QueryType         string            `json:"queryType"`
	RelativeTimeRange RelativeTimeRange `json:"relativeTimeRange"`
	DatasourceUID     string            `json:"datasourceUid"`
	Model             json.RawMessage   `json:"model"`
}

// exprModel is the part of an expression's model the engine reads.
type exprModel struct {
	Type       string               `json:"type"`
	Expression string               `json:"expression"`
	Reducer    string               `json:"reducer"`
	Settings   *ReduceSettings      `json:"settings"`
	Conditions []ThresholdCondition `json:"conditions"`
}

// QueryError is a data source's error for one query; the rule's evaluation
// is then an error (Grafana's "[sse.dataQueryError]").
type QueryError struct {
	RefID         string
	DatasourceUID string
	Err           error
}

func (e *QueryError) Error() string {
	return fmt.Sprintf("[sse.dataQueryError] failed to execute query [%s]: %v", e.RefID, e.Err)
}

func (e *QueryError) Unwrap() error { return e.Err }

// Capture is a number of a node's results, offered to templates as
// $values and $value (Grafana's eval.NumberValueCapture).
type Capture struct {
	Var              string
	Labels           data.Labels
	Value            *float64
	IsDatasourceNode bool
}

// NodeResult is the outcome of one node.
type NodeResult struct {
	Results Results
	Error   error
}

// Execution is the outcome of executing all of a rule's queries and
// expressions.
type Execution struct {
	Nodes    map[string]NodeResult
	Order    []string // refIDs in execution order
	Captures []Capture
	// Classic holds the matches of classic_conditions nodes, by refID.
	Classic map[string][]EvalMatch
	// NoDataQueries are the data source queries that returned no data: refID
	// to data source UID.
	NoDataQueries map[string]string
}

// FirstError returns the first node error in execution order.
func (e *Execution) FirstError() error {
	for _, ref := range e.Order {
		if err := e.Nodes[ref].Error; err != nil {
			return err
		}
	}
	return nil
}

// Options of an execution.
type Options struct {
	Now   time.Time
	Query QueryFunc
	// Loaded reports, for a threshold with an unloadEvaluator (recovery
	// threshold) whose refID is Condition, whether a label set is firing.
	Loaded    func(labels data.Labels) bool
	Condition string
}

type node struct {
	q       Query
	isExpr  bool
	model   exprModel
	math    Node
	classic []classicCondition
	deps    []string
}

func trimRef(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "$")
	s = strings.TrimPrefix(s, "{")
	return strings.TrimSuffix(s, "}")
}

// Plan checks the queries and returns them in an order where every
// expression comes after what it refers to.
func Plan(queries []Query) ([]string, error) {
	nodes, err := buildNodes(queries)
	if err != nil {
		return nil, err
	}
	return order(queries, nodes)
}

func buildNodes(queries []Query) (map[string]*node, error) {
	nodes := make(map[string]*node, len(queries))
	for _, q := range queries {
		if q.RefID == "" {
			return nil, errors.New("a query has no refId")
		}
		if _, dup := nodes[q.RefID]; dup {
			return nil, fmt.Errorf("duplicate refId %q", q.RefID)
		}
		n := &node{q: q, isExpr: IsExpression(q.DatasourceUID)}
		if n.isExpr {
			if err := json.Unmarshal(q.Model, &n.model); err != nil {
				return nil, fmt.Errorf("expression %s: %w", q.RefID, err)
			}
			switch n.model.Type {
			case "math":
				m, err := ParseMath(n.model.Expression)
				if err != nil {
					return nil, fmt.Errorf("failed to parse expression '%s': %w", q.RefID, err)
				}
				n.math = m
				n.deps = Vars(m)
			case "reduce":
				if n.model.Expression == "" {
					return nil, fmt.Errorf("no variable specified to reference for refId %v", q.RefID)
				}
				if _, err := reduceFunc(n.model.Reducer); err != nil {
					return nil, fmt.Errorf("invalid expression '%s': %w", q.RefID, err)
				}
				n.deps = []string{trimRef(n.model.Expression)}
			case "threshold":
				if n.model.Expression == "" {
					return nil, fmt.Errorf("no variable specified to reference for refId %v", q.RefID)
				}
				if len(n.model.Conditions) != 1 {
					return nil, errors.New("threshold expression requires exactly one condition")
				}
				if _, err := n.model.Conditions[0].Evaluator.Predicate(); err != nil {
					return nil, fmt.Errorf("invalid condition: %w", err)
				}
				n.deps = []string{trimRef(n.model.Expression)}
			case "classic_conditions":
				conds, err := parseClassic(q.Model)
				if err != nil {
					return nil, fmt.Errorf("expression %s: %w", q.RefID, err)
				}
				n.classic = conds
				for _, c := range conds {
					if !contains(n.deps, c.ref) {
						n.deps = append(n.deps, c.ref)
					}
				}
			default:
				return nil, fmt.Errorf("expression %s: type %q is not supported by this host (math, reduce, threshold, classic_conditions are)", q.RefID, n.model.Type)
			}
		}
		nodes[q.RefID] = n
	}
	for ref, n := range nodes {
		for _, d := range n.deps {
			if _, ok := nodes[d]; !ok {
				return nil, fmt.Errorf("expression %s refers to %s, which is not a query or expression of the rule", ref, d)
			}
		}
	}
	return nodes, nil
}

func order(queries []Query, nodes map[string]*node) ([]string, error) {
	var out []string
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(string) error
	visit = func(ref string) error {
		switch state[ref] {
		case 1:
			return fmt.Errorf("expression %s is part of a dependency cycle", ref)
		case 2:
			return nil
		}
		state[ref] = 1
		for _, d := range nodes[ref].deps {
			if err := visit(d); err != nil {
				return err
			}
		}
		state[ref] = 2
		out = append(out, ref)
		return nil
	}
	for _, q := range queries {
		if err := visit(q.RefID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// DataQuery builds the backend query of a data source entry: the time range
// [now-from, now-to], Interval and MaxDataPoints from the model's intervalMs
// and maxDataPoints or Grafana's defaults (which are also written into the
// model, as Grafana's AlertQuery does before it sends the query).
func DataQuery(q Query, now time.Time) (backend.DataQuery, error) {
	props := map[string]any{}
	if len(q.Model) > 0 {
		if err := json.Unmarshal(q.Model, &props); err != nil {
			return backend.DataQuery{}, fmt.Errorf("query %s: model: %w", q.RefID, err)
		}
	}
	intervalMs := float64(DefaultIntervalMS)
	if v, ok := props["intervalMs"].(float64); ok && v > 0 {
		intervalMs = v
	}
	maxDP := float64(DefaultMaxDataPoints)
	if v, ok := props["maxDataPoints"].(float64); ok && v > 0 {
		maxDP = v
	}
	props["intervalMs"], props["maxDataPoints"] = intervalMs, maxDP
	if _, ok := props["refId"]; !ok {
		props["refId"] = q.RefID
	}
	js, err := json.Marshal(props)
	if err != nil {
		return backend.DataQuery{}, err
	}
	qt := q.QueryType
	if qt == "" {
		qt, _ = props["queryType"].(string)
	}
	return backend.DataQuery{
		RefID:         q.RefID,
		QueryType:     qt,
		MaxDataPoints: int64(maxDP),
		Interval:      time.Duration(intervalMs) * time.Millisecond,
		TimeRange: backend.TimeRange{
			From: now.Add(-time.Duration(q.RelativeTimeRange.From) * time.Second),
			To:   now.Add(-time.Duration(q.RelativeTimeRange.To) * time.Second),
		},
		JSON: js,
	}, nil
}

// Execute runs the data queries (one QueryFunc call per data source) and then
// the expressions in dependency order. A node whose input failed fails too.
// The returned error is for a rule that cannot be planned at all.
func Execute(ctx context.Context, queries []Query, opts Options) (*Execution, error) {
	nodes, err := buildNodes(queries)
	if err != nil {
		return nil, err
	}
	ord, err := order(queries, nodes)
	if err != nil {
		return nil, err
	}
	ex := &Execution{Nodes: map[string]NodeResult{}, Order: ord, Classic: map[string][]EvalMatch{}, NoDataQueries: map[string]string{}}

	// Data queries, grouped per data source, in the order of first use.
	var dsOrder []string
	byDS := map[string][]backend.DataQuery{}
	for _, q := range queries {
		if nodes[q.RefID].isExpr {
			continue
		}
		dq, err := DataQuery(q, opts.Now)
		if err != nil {
			ex.Nodes[q.RefID] = NodeResult{Error: &QueryError{RefID: q.RefID, DatasourceUID: q.DatasourceUID, Err: err}}
			continue
		}
		if _, ok := byDS[q.DatasourceUID]; !ok {
			dsOrder = append(dsOrder, q.DatasourceUID)
		}
		byDS[q.DatasourceUID] = append(byDS[q.DatasourceUID], dq)
	}
	for _, ds := range dsOrder {
		dqs := byDS[ds]
		var resp *backend.QueryDataResponse
		var qerr error
		if opts.Query == nil {
			qerr = errors.New("no query function")
		} else {
			resp, qerr = opts.Query(ctx, ds, dqs)
		}
		for _, dq := range dqs {
			if qerr != nil {
				ex.Nodes[dq.RefID] = NodeResult{Error: &QueryError{RefID: dq.RefID, DatasourceUID: ds, Err: qerr}}
				continue
			}
			var frames data.Frames
			if resp != nil {
				r, ok := resp.Responses[dq.RefID]
				if ok && r.Error != nil {
					ex.Nodes[dq.RefID] = NodeResult{Error: &QueryError{RefID: dq.RefID, DatasourceUID: ds, Err: r.Error}}
					continue
				}
				// A refID missing from the answer is no data (pkg/expr/converter.go getResponseFrame).
				frames = r.Frames
			}
			res, err := Convert(frames)
			if err != nil {
				ex.Nodes[dq.RefID] = NodeResult{Error: &QueryError{RefID: dq.RefID, DatasourceUID: ds, Err: fmt.Errorf("failed to convert frames: %w", err)}}
				continue
			}
			ex.Nodes[dq.RefID] = NodeResult{Results: res}
			if res.IsNoData() {
				ex.NoDataQueries[dq.RefID] = ds
			}
		}
	}

	// Expressions.
	for _, ref := range ord {
		n := nodes[ref]
		if !n.isExpr {
			continue
		}
		vars := VarResults{}
		var depErr error
		for _, d := range n.deps {
			r := ex.Nodes[d]
			if r.Error != nil {
				depErr = fmt.Errorf("[sse.dependencyError] did not execute expression [%s] due to a failure of the dependent expression or query [%s]: %w", ref, d, r.Error)
				break
			}
			vars[d] = r.Results
		}
		if depErr != nil {
			ex.Nodes[ref] = NodeResult{Error: depErr}
			continue
		}
		var res Results
		var err error
		switch n.model.Type {
		case "math":
			res, err = ExecMath(n.math, vars)
		case "reduce":
			settings := ReduceSettings{}
			if n.model.Settings != nil {
				settings = *n.model.Settings
			}
			res, err = Reduce(vars[n.deps[0]], n.model.Reducer, settings)
		case "threshold":
			var loaded func(data.Labels) bool
			if ref == opts.Condition {
				loaded = opts.Loaded
			}
			res, err = Threshold(vars[n.deps[0]], n.model.Conditions[0], loaded)
		case "classic_conditions":
			var matches []EvalMatch
			res, matches, err = execClassic(n.classic, vars)
			ex.Classic[ref] = matches
		}
		if err != nil {
			ex.Nodes[ref] = NodeResult{Error: fmt.Errorf("failed to execute expression %s: %w", ref, err)}
			continue
		}
		ex.Nodes[ref] = NodeResult{Results: res}
	}

	// Captures: every number of every node.
	for _, ref := range ord {
		r := ex.Nodes[ref]
		for _, v := range r.Results.Values {
			if num, ok := v.(Number); ok {
				ex.Captures = append(ex.Captures, Capture{Var: ref, Labels: num.Labels, Value: num.Value, IsDatasourceNode: !nodes[ref].isExpr})
			}
		}
	}
	sort.SliceStable(ex.Captures, func(i, j int) bool {
		if ex.Captures[i].Var != ex.Captures[j].Var {
			return ex.Captures[i].Var < ex.Captures[j].Var
		}
		return ex.Captures[i].Labels.String() < ex.Captures[j].Labels.String()
	})
	return ex, nil
}
