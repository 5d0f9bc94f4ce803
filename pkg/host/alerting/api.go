package alerting

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/apifw/monitor/pkg/host/alerting/expr"
)

// The JSON of GET /api/prometheus/grafana/api/v1/rules, after Grafana's
// pkg/services/ngalert/api/tooling/definitions (prom.go: RuleResponse,
// RuleDiscovery, RuleGroup, AlertingRule, Rule, Alert) and
// pkg/services/ngalert/api/prometheus/api_prometheus.go (toRuleGroup,
// RuleAlertStateMutatorGenerator, FormatValues).

// PromAlert is an alert instance in the rules answer.
type PromAlert struct {
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
	// State is "Normal", "Pending", "Alerting", "NoData" or "Error", with
	// the reason in parentheses when there is one ("Normal (NoData)").
	State    string     `json:"state"`
	ActiveAt *time.Time `json:"activeAt"`
	Value    string     `json:"value"`
}

// PromRule is an alerting rule in the rules answer.
type PromRule struct {
	State                 string            `json:"state"` // inactive, pending, recovering, firing
	Name                  string            `json:"name"`
	Query                 string            `json:"query"`
	QueriedDatasourceUIDs []string          `json:"queriedDatasourceUIDs,omitempty"`
	Duration              float64           `json:"duration,omitempty"`
	KeepFiringFor         float64           `json:"keepFiringFor,omitempty"`
	Annotations           map[string]string `json:"annotations"`
	ActiveAt              *time.Time        `json:"activeAt,omitempty"`
	Alerts                []PromAlert       `json:"alerts"`
	Totals                map[string]int64  `json:"totals,omitempty"`
	TotalsFiltered        map[string]int64  `json:"totalsFiltered,omitempty"`
	UID                   string            `json:"uid"`
	FolderUID             string            `json:"folderUid"`
	Labels                map[string]string `json:"labels"`
	Health                string            `json:"health"` // ok, error, nodata
	LastError             string            `json:"lastError"`
	Type                  string            `json:"type"`
	LastEvaluation        time.Time         `json:"lastEvaluation"`
	EvaluationTime        float64           `json:"evaluationTime"`
	IsPaused              bool              `json:"isPaused"`
	Provenance            string            `json:"provenance,omitempty"`
}

// PromGroup is a rule group in the rules answer.
type PromGroup struct {
	Name           string           `json:"name"`
	File           string           `json:"file"` // the folder's title
	FolderUID      string           `json:"folderUid"`
	Rules          []PromRule       `json:"rules"`
	Totals         map[string]int64 `json:"totals,omitempty"`
	Interval       float64          `json:"interval"`
	LastEvaluation time.Time        `json:"lastEvaluation"`
	EvaluationTime float64          `json:"evaluationTime"`
}

// PromRulesResponse is the answer of GET /api/prometheus/grafana/api/v1/rules.
type PromRulesResponse struct {
	Status string `json:"status"`
	Data   struct {
		Groups []PromGroup      `json:"groups"`
		Totals map[string]int64 `json:"totals,omitempty"`
	} `json:"data"`
}

func formatE(v float64) string { return strconv.FormatFloat(v, 'e', -1, 64) }

// stateOrder sorts alerts by importance (definitions AlertsByImportance):
// Alerting, Pending, Error, NoData, Normal.
func stateOrder(s EvalState) int {
	switch s {
	case Alerting:
		return 0
	case Pending:
		return 1
	case Error:
		return 2
	case NoData:
		return 3
	case Recovering:
		return 4
	}
	return 5
}

// ruleQuery renders the "query" of a rule as Grafana's ruleToQuery: the
// "expr" of the data source models joined by " | ", or the JSON of the
// rule's data when no model has one.
func ruleQuery(r Rule) string {
	var parts []string
	for _, q := range r.Data {
		if expr.IsExpression(q.DatasourceUID) {
			continue
		}
		var m map[string]any
		if json.Unmarshal(q.Model, &m) == nil {
			if e, ok := m["expr"].(string); ok && e != "" {
				parts = append(parts, e)
			}
		}
	}
	if len(parts) > 0 {
		return strings.Join(parts, " | ")
	}
	b, err := json.Marshal(provisionedData(r))
	if err != nil {
		return err.Error()
	}
	return string(b)
}

// PromRules builds the answer of GET /api/prometheus/grafana/api/v1/rules.
// Rule state: "firing" when an instance is Alerting, else "pending" or
// "recovering" for the first Pending or Recovering instance, else
// "inactive"; health comes from the last evaluation.
// Totals count rules per state, plus "error" and "nodata" health.
func (s *Scheduler) PromRules() PromRulesResponse { return s.PromRulesFiltered(nil) }

// keepRule applies the query parameters of Grafana's rules API that select
// rules: rule_uid (repeatable), folder_uid, rule_group, dashboard_uid and
// panel_id (the rule's __dashboardUid__ / __panelId__ annotations).
func keepRule(q url.Values, r Rule) bool {
	if uids := q["rule_uid"]; len(uids) > 0 && !oneOf(r.UID, uids) {
		return false
	}
	if f := q.Get("folder_uid"); f != "" && f != r.FolderUID {
		return false
	}
	if g := q.Get("rule_group"); g != "" && g != r.Group {
		return false
	}
	if d := q.Get("dashboard_uid"); d != "" {
		if r.DashboardUID != d && r.Annotations["__dashboardUid__"] != d {
			return false
		}
		if p := q.Get("panel_id"); p != "" && p != strconv.FormatInt(r.PanelID, 10) && p != r.Annotations["__panelId__"] {
			return false
		}
	}
	return true
}

// PromRulesFiltered is PromRules restricted by the query parameters
// rule_uid, folder_uid, rule_group, dashboard_uid, panel_id and health
// (ok, error, nodata), with at most limit_alerts alerts per rule; groups
// left without rules are left out.
func (s *Scheduler) PromRulesFiltered(q url.Values) PromRulesResponse {
	limitAlerts := -1
	if l, err := strconv.Atoi(q.Get("limit_alerts")); err == nil && l >= 0 {
		limitAlerts = l
	}
	health := q["health"]
	var resp PromRulesResponse
	resp.Status = "success"
	resp.Data.Groups = []PromGroup{}
	total := map[string]int64{}
	for _, g := range s.groups {
		pg := PromGroup{Name: g.Name, File: g.Folder, FolderUID: g.FolderUID, Interval: g.Interval.Seconds(), Rules: []PromRule{}, Totals: map[string]int64{}}
		for _, r := range g.Rules {
			if !keepRule(q, r) {
				continue
			}
			snap := s.snapshot(r)
			if len(health) > 0 && !oneOf(snap.Health, health) {
				continue
			}
			pr := PromRule{
				State: "inactive", Name: r.Title, Query: ruleQuery(r), Duration: r.For.Seconds(),
				KeepFiringFor: r.KeepFiringFor.Seconds(), Annotations: copyMap(r.Annotations),
				Alerts: []PromAlert{}, UID: r.UID, FolderUID: r.FolderUID, Labels: copyMap(r.Labels),
				Health: snap.Health, Type: "alerting", LastEvaluation: snap.LastEvaluation,
				EvaluationTime: snap.EvalDuration.Seconds(), IsPaused: r.IsPaused, Provenance: "file",
			}
			for _, q := range r.Data {
				if !expr.IsExpression(q.DatasourceUID) {
					pr.QueriedDatasourceUIDs = append(pr.QueriedDatasourceUIDs, q.DatasourceUID)
				}
			}
			if snap.LastError != nil {
				pr.LastError = snap.LastError.Error()
			}
			totals := map[string]int64{}
			insts := append([]*Instance(nil), snap.Instances...)
			sort.SliceStable(insts, func(i, j int) bool {
				a, b := stateOrder(insts[i].State), stateOrder(insts[j].State)
				if a != b {
					return a < b
				}
				return insts[i].Labels.String() < insts[j].Labels.String()
			})
			for _, inst := range insts {
				activeAt := inst.StartsAt
				val := ""
				if inst.State == Alerting || inst.State == Pending || inst.State == Recovering {
					val = inst.conditionValue(r.Condition)
				}
				totals[strings.ToLower(inst.State.String())]++
				if inst.Error != nil && r.ExecErrState != ErrStateError {
					totals["error"]++
				}
				switch inst.State {
				case Pending:
					if pr.State == "inactive" {
						pr.State = "pending"
					}
				case Recovering:
					if pr.State == "inactive" {
						pr.State = "recovering"
					}
				case Alerting:
					if pr.ActiveAt == nil || pr.ActiveAt.After(activeAt) {
						t := activeAt
						pr.ActiveAt = &t
					}
					pr.State = "firing"
				}
				pr.Alerts = append(pr.Alerts, PromAlert{
					Labels: labelsMap(inst.Labels), Annotations: copyMap(inst.Annotations),
					State: inst.FormattedState(), ActiveAt: &activeAt, Value: val,
				})
			}
			if limitAlerts >= 0 && len(pr.Alerts) > limitAlerts {
				pr.Alerts = pr.Alerts[:limitAlerts]
			}
			if len(totals) > 0 {
				pr.Totals = totals
				pr.TotalsFiltered = totals
			}
			pg.Totals[pr.State]++
			if pr.Health == "error" || pr.Health == "nodata" {
				pg.Totals[pr.Health]++
			}
			pg.Rules = append(pg.Rules, pr)
			if pr.LastEvaluation.After(pg.LastEvaluation) {
				pg.LastEvaluation = pr.LastEvaluation
				pg.EvaluationTime = pr.EvaluationTime
			}
		}
		if len(pg.Rules) == 0 {
			continue
		}
		for k, v := range pg.Totals {
			total[k] += v
		}
		resp.Data.Groups = append(resp.Data.Groups, pg)
	}
	resp.Data.Totals = total
	return resp
}

func copyMap(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func labelsMap(l map[string]string) map[string]string { return copyMap(l) }

// ProvisionedQuery is a data entry in the provisioning API.
type ProvisionedQuery struct {
	RefID             string                 `json:"refId"`
	QueryType         string                 `json:"queryType"`
	RelativeTimeRange expr.RelativeTimeRange `json:"relativeTimeRange"`
	DatasourceUID     string                 `json:"datasourceUid"`
	Model             json.RawMessage        `json:"model"`
}

// ProvisionedRule is a rule in the provisioning API's shape (definitions
// ProvisionedAlertRule: GET /api/v1/provisioning/alert-rules).
type ProvisionedRule struct {
	ID                          int64              `json:"id"`
	UID                         string             `json:"uid"`
	OrgID                       int64              `json:"orgID"`
	FolderUID                   string             `json:"folderUID"`
	RuleGroup                   string             `json:"ruleGroup"`
	Title                       string             `json:"title"`
	Condition                   string             `json:"condition"`
	Data                        []ProvisionedQuery `json:"data"`
	Updated                     time.Time          `json:"updated"`
	NoDataState                 string             `json:"noDataState"`
	ExecErrState                string             `json:"execErrState"`
	For                         string             `json:"for"`
	KeepFiringFor               string             `json:"keep_firing_for"`
	MissingSeriesEvalsToResolve int                `json:"missing_series_evals_to_resolve,omitempty"`
	Annotations                 map[string]string  `json:"annotations,omitempty"`
	Labels                      map[string]string  `json:"labels,omitempty"`
	Provenance                  string             `json:"provenance,omitempty"`
	IsPaused                    bool               `json:"isPaused"`
}

// provisionedData returns a rule's data with Grafana's defaults written
// into the data source models (intervalMs, maxDataPoints), as Grafana
// stores them.
func provisionedData(r Rule) []ProvisionedQuery {
	out := make([]ProvisionedQuery, 0, len(r.Data))
	for _, q := range r.Data {
		model := q.Model
		if !expr.IsExpression(q.DatasourceUID) {
			if dq, err := expr.DataQuery(q, time.Time{}); err == nil {
				model = dq.JSON
			}
		}
		out = append(out, ProvisionedQuery{RefID: q.RefID, QueryType: q.QueryType, RelativeTimeRange: q.RelativeTimeRange, DatasourceUID: q.DatasourceUID, Model: model})
	}
	return out
}

// ProvisionedRules lists the rules in the provisioning API's shape, with
// provenance "file".
func (s *Scheduler) ProvisionedRules() []ProvisionedRule {
	out := []ProvisionedRule{}
	id := int64(0)
	for _, g := range s.groups {
		for _, r := range g.Rules {
			id++
			out = append(out, ProvisionedRule{
				ID: id, UID: r.UID, OrgID: r.OrgID, FolderUID: r.FolderUID, RuleGroup: r.Group, Title: r.Title,
				Condition: r.Condition, Data: provisionedData(r), Updated: r.Updated, NoDataState: r.NoDataState,
				ExecErrState: r.ExecErrState, For: expr.FormatDuration(r.For), KeepFiringFor: expr.FormatDuration(r.KeepFiringFor),
				MissingSeriesEvalsToResolve: r.MissingSeriesEvalsToResolve,
				Annotations:                 copyMap(r.Annotations), Labels: copyMap(r.Labels), Provenance: "file", IsPaused: r.IsPaused,
			})
		}
	}
	return out
}

// EvalRequest is the body of POST /api/v1/eval (definitions
// EvalQueriesPayload).
type EvalRequest struct {
	Condition string       `json:"condition"`
	Data      []expr.Query `json:"data"`
	Now       *time.Time   `json:"now,omitempty"`
}

// Eval runs queries and expressions and answers every refID's frames, as
// POST /api/v1/eval does: {"results":{"A":{"status":200,"frames":[...]}}}.
// A node that failed has "error" (and status 400, or the data source's
// status for a query error). The error return is for a request that cannot
// be executed at all.
func Eval(ctx context.Context, query QueryFunc, req EvalRequest, now time.Time) (*backend.QueryDataResponse, error) {
	if req.Now != nil {
		now = *req.Now
	}
	if len(req.Data) == 0 {
		return nil, fmt.Errorf("no queries or expressions are found")
	}
	ex, err := expr.Execute(ctx, req.Data, expr.Options{Now: now, Query: query, Condition: req.Condition})
	if err != nil {
		return nil, err
	}
	resp := backend.NewQueryDataResponse()
	for _, ref := range ex.Order {
		n := ex.Nodes[ref]
		if n.Error != nil {
			resp.Responses[ref] = backend.DataResponse{Error: n.Error, Status: backend.StatusBadRequest}
			continue
		}
		resp.Responses[ref] = backend.DataResponse{Frames: n.Results.Frames(ref), Status: backend.StatusOK}
	}
	return resp, nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// RulesHandler serves GET /api/prometheus/grafana/api/v1/rules.
func (s *Scheduler) RulesHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, s.PromRulesFiltered(r.URL.Query()))
	})
}

// ProvisioningHandler serves GET /api/v1/provisioning/alert-rules and
// GET /api/v1/provisioning/alert-rules/{uid} (the last path element is the
// UID when it is not "alert-rules").
func (s *Scheduler) ProvisioningHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rules := s.ProvisionedRules()
		path := strings.TrimSuffix(r.URL.Path, "/")
		last := path[strings.LastIndex(path, "/")+1:]
		if last == "" || last == "alert-rules" {
			writeJSON(w, http.StatusOK, rules)
			return
		}
		for _, pr := range rules {
			if pr.UID == last {
				writeJSON(w, http.StatusOK, pr)
				return
			}
		}
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "rule not found"})
	})
}

// EvalHandler serves POST /api/v1/eval.
func (s *Scheduler) EvalHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"message": "POST only"})
			return
		}
		var req EvalRequest
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&req); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"message": "invalid request: " + err.Error()})
			return
		}
		resp, err := Eval(r.Context(), s.query, req, s.Now())
		if err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"message": "Failed to evaluate queries and expressions: " + err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, resp)
	})
}
