// Package alerting evaluates Grafana-managed alert rules for the plugin host:
// it reads rule groups in Grafana's alerting file-provisioning format, runs
// their queries and expressions (package expr) on a schedule, keeps the alert
// instances' states as Grafana's state manager does, expands annotation and
// label templates, and answers the JSON of Grafana's alerting HTTP API
// (Prometheus-compatible rules, provisioning alert rules, rule evaluation).
//
// Grafana's source and documentation were read for reference; the citations
// next to each behaviour name the file or page. No Grafana code is imported
// or copied.
//
// Use from the host:
//
//	groups, err := alerting.LoadDir("provisioning/alerting")
//	sched := alerting.NewScheduler(groups, queryFunc) // queryFunc runs backend.DataQuery batches per data source UID
//	go sched.Run(ctx)
//	mux.Handle("GET /api/prometheus/grafana/api/v1/rules", sched.RulesHandler())
//	mux.Handle("GET /api/v1/provisioning/alert-rules", sched.ProvisioningHandler())
//	mux.Handle("GET /api/v1/provisioning/alert-rules/{uid}", sched.ProvisioningHandler())
//	mux.Handle("POST /api/v1/eval", sched.EvalHandler())
package alerting

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/apifw/monitor/pkg/host/alerting/expr"
)

// No data and execution error states of a rule, as Grafana's
// pkg/services/ngalert/models (NoDataState, ExecutionErrorState).
const (
	NoDataNoData   = "NoData"
	NoDataAlerting = "Alerting"
	NoDataOK       = "OK"
	NoDataKeepLast = "KeepLast"

	ErrStateError    = "Error"
	ErrStateAlerting = "Alerting"
	ErrStateOK       = "OK"
	ErrStateKeepLast = "KeepLast"
)

// DefaultMissingSeriesEvalsToResolve: an instance whose series is missing
// for this many consecutive evaluations is resolved and removed
// (https://grafana.com/docs/grafana/latest/alerting/fundamentals/alert-rule-evaluation/stale-alert-instances/:
// "for a number of consecutive evaluation intervals (2 by default)").
const DefaultMissingSeriesEvalsToResolve = 2

// BaseInterval is Grafana's scheduler tick: a group's interval must be a
// non-zero multiple of it (Grafana's [unified_alerting] base interval, 10s;
// "interval ... should be non-zero and divided exactly by scheduler interval").
const BaseInterval = 10 * time.Second

// Rule is one Grafana-managed alert rule.
type Rule struct {
	UID          string
	OrgID        int64
	Title        string
	Condition    string
	Data         []expr.Query
	NoDataState  string
	ExecErrState string
	For          time.Duration
	// KeepFiringFor keeps a resolved instance Recovering for that long.
	KeepFiringFor               time.Duration
	MissingSeriesEvalsToResolve int
	Labels                      map[string]string
	Annotations                 map[string]string
	IsPaused                    bool
	DashboardUID                string
	PanelID                     int64

	// Set from the rule's group.
	Group       string
	FolderTitle string
	FolderUID   string
	Interval    time.Duration
	// Index is the rule's position in its group.
	Index int
	// File is the provisioning file the rule came from.
	File string
	// Updated is when the rule was loaded.
	Updated time.Time
}

// Group is a rule group: rules of one folder evaluated on one interval.
type Group struct {
	OrgID int64
	Name  string
	// Folder is the folder's title (the provisioning file's "folder").
	Folder string
	// FolderUID is derived from the title by FolderUIDFor; the host may set
	// the UIDs of its own folders before building the Scheduler.
	FolderUID string
	Interval  time.Duration
	Rules     []Rule
	File      string
}

// RuleDelete is an entry of a provisioning file's deleteRules.
type RuleDelete struct {
	OrgID int64
	UID   string
}

// flexString reads a JSON string or number as a string, as Grafana's
// provisioning values.StringValue does.
type flexString string

func (s *flexString) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	var str string
	if err := json.Unmarshal(b, &str); err == nil {
		*s = flexString(str)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("want a string, got %s", string(b))
	}
	*s = flexString(n.String())
	return nil
}

type flexInt int64

func (i *flexInt) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	var s flexString
	if err := s.UnmarshalJSON(b); err != nil {
		return err
	}
	if strings.TrimSpace(string(s)) == "" {
		return nil
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(s)), 10, 64)
	if err != nil {
		return fmt.Errorf("want an integer, got %s", string(b))
	}
	*i = flexInt(n)
	return nil
}

type flexBool bool

func (v *flexBool) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	var s flexString
	if err := s.UnmarshalJSON(b); err == nil {
		p, err := strconv.ParseBool(string(s))
		if err != nil {
			return err
		}
		*v = flexBool(p)
		return nil
	}
	var bb bool
	if err := json.Unmarshal(b, &bb); err != nil {
		return err
	}
	*v = flexBool(bb)
	return nil
}

// The file format (Grafana's pkg/services/provisioning/alerting
// rules_types.go AlertRuleGroupV1, AlertRuleV1, QueryV1, RuleDeleteV1).
type fileV1 struct {
	APIVersion  flexInt         `json:"apiVersion"`
	Groups      []groupV1       `json:"groups"`
	DeleteRules []ruleDeleteV1  `json:"deleteRules"`
	Other       json.RawMessage `json:"-"`
}

type ruleDeleteV1 struct {
	OrgID flexInt    `json:"orgId"`
	UID   flexString `json:"uid"`
}

type groupV1 struct {
	OrgID    flexInt    `json:"orgId"`
	Name     flexString `json:"name"`
	Folder   flexString `json:"folder"`
	Interval flexString `json:"interval"`
	Rules    []ruleV1   `json:"rules"`
}

type ruleV1 struct {
	UID                         flexString        `json:"uid"`
	Title                       flexString        `json:"title"`
	Condition                   flexString        `json:"condition"`
	Data                        []queryV1         `json:"data"`
	DashboardUID                flexString        `json:"dashboardUid"`
	DasboardUID                 flexString        `json:"dasboardUid"`
	PanelID                     flexInt           `json:"panelId"`
	NoDataState                 flexString        `json:"noDataState"`
	ExecErrState                flexString        `json:"execErrState"`
	For                         flexString        `json:"for"`
	KeepFiringFor               flexString        `json:"keepFiringFor"`
	MissingSeriesEvalsToResolve *flexInt          `json:"missing_series_evals_to_resolve"`
	Annotations                 map[string]string `json:"annotations"`
	Labels                      map[string]string `json:"labels"`
	IsPaused                    flexBool          `json:"isPaused"`
}

type queryV1 struct {
	RefID             flexString             `json:"refId"`
	QueryType         flexString             `json:"queryType"`
	RelativeTimeRange expr.RelativeTimeRange `json:"relativeTimeRange"`
	DatasourceUID     flexString             `json:"datasourceUid"`
	Model             json.RawMessage        `json:"model"`
}

// ParseFile parses one provisioning file's content (YAML or JSON, YAML
// being a superset) into its groups and deleteRules.
func ParseFile(name string, content []byte) ([]Group, []RuleDelete, error) {
	var generic any
	if err := yaml.Unmarshal(content, &generic); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	if generic == nil {
		return nil, nil, nil
	}
	js, err := json.Marshal(yamlToJSON(generic))
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	var f fileV1
	dec := json.NewDecoder(bytes.NewReader(js))
	if err := dec.Decode(&f); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	if f.APIVersion != 0 && f.APIVersion != 1 {
		return nil, nil, fmt.Errorf("%s: apiVersion %d is not supported (1 is)", name, f.APIVersion)
	}
	var groups []Group
	for _, g := range f.Groups {
		grp, err := g.toGroup(name)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", name, err)
		}
		groups = append(groups, grp)
	}
	var deletes []RuleDelete
	for _, d := range f.DeleteRules {
		if strings.TrimSpace(string(d.UID)) == "" {
			return nil, nil, fmt.Errorf("%s: deleteRules: rule has no uid", name)
		}
		deletes = append(deletes, RuleDelete{OrgID: max(int64(d.OrgID), 1), UID: string(d.UID)})
	}
	return groups, deletes, nil
}

// yamlToJSON turns YAML's generic values into JSON-marshallable ones.
func yamlToJSON(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, val := range t {
			out[k] = yamlToJSON(val)
		}
		return out
	case map[any]any:
		out := make(map[string]any, len(t))
		for k, val := range t {
			out[fmt.Sprint(k)] = yamlToJSON(val)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, val := range t {
			out[i] = yamlToJSON(val)
		}
		return out
	case time.Time:
		return t.Format(time.RFC3339Nano)
	}
	return v
}

// toGroup maps a group as Grafana's AlertRuleGroupV1.MapToModel: the name
// and folder are required; orgId defaults to 1; the interval is a
// Prometheus duration (a non-zero multiple of the 10s base interval).
func (g groupV1) toGroup(file string) (Group, error) {
	grp := Group{OrgID: max(int64(g.OrgID), 1), Name: string(g.Name), Folder: string(g.Folder), File: file}
	if strings.TrimSpace(grp.Name) == "" {
		return Group{}, errors.New("rule group has no name set")
	}
	if strings.TrimSpace(grp.Folder) == "" {
		return Group{}, fmt.Errorf("rule group %q has no folder set", grp.Name)
	}
	if strings.TrimSpace(string(g.Interval)) == "" {
		return Group{}, fmt.Errorf("rule group %q: empty duration string", grp.Name)
	}
	iv, err := expr.ParseDuration(string(g.Interval))
	if err != nil {
		return Group{}, fmt.Errorf("rule group %q: %w", grp.Name, err)
	}
	if iv <= 0 || iv%BaseInterval != 0 {
		return Group{}, fmt.Errorf("rule group %q: interval (%v) should be non-zero and divided exactly by scheduler interval: %v", grp.Name, iv, BaseInterval)
	}
	grp.Interval = iv
	grp.FolderUID = FolderUIDFor(grp.Folder)
	for i, r := range g.Rules {
		rule, err := r.toRule(grp.OrgID)
		if err != nil {
			return Group{}, err
		}
		rule.Group, rule.FolderTitle, rule.FolderUID, rule.Interval, rule.Index, rule.File = grp.Name, grp.Folder, grp.FolderUID, grp.Interval, i, file
		grp.Rules = append(grp.Rules, rule)
	}
	return grp, nil
}

var validNoData = []string{NoDataNoData, NoDataAlerting, NoDataOK, NoDataKeepLast}
var validErrState = []string{ErrStateError, ErrStateAlerting, ErrStateOK, ErrStateKeepLast}

func oneOf(v string, list []string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}

// toRule maps a rule as Grafana's AlertRuleV1.mapToModel
// (pkg/services/provisioning/alerting/rules_types.go): title, uid,
// condition and data are required; "for" defaults to 0; an empty
// execErrState becomes Alerting (models.AlertingErrState) and an empty
// noDataState NoData (models.NoData).
func (r ruleV1) toRule(orgID int64) (Rule, error) {
	rule := Rule{
		UID: string(r.UID), OrgID: orgID, Title: string(r.Title), Condition: string(r.Condition),
		IsPaused: bool(r.IsPaused), PanelID: int64(r.PanelID),
		MissingSeriesEvalsToResolve: DefaultMissingSeriesEvalsToResolve,
		Labels:                      map[string]string{}, Annotations: map[string]string{},
	}
	if rule.Title == "" {
		return Rule{}, errors.New("rule has no title set")
	}
	if rule.UID == "" {
		return Rule{}, fmt.Errorf("rule '%s' failed to parse: no UID set", rule.Title)
	}
	var err error
	if s := strings.TrimSpace(string(r.For)); s != "" {
		if rule.For, err = expr.ParseDuration(s); err != nil || rule.For < 0 {
			return Rule{}, fmt.Errorf("rule '%s' failed to parse 'for' field: %v", rule.Title, err)
		}
	}
	if s := strings.TrimSpace(string(r.KeepFiringFor)); s != "" {
		if rule.KeepFiringFor, err = expr.ParseDuration(s); err != nil {
			return Rule{}, fmt.Errorf("rule '%s' failed to parse 'keepFiringFor' field: %v", rule.Title, err)
		}
	}
	if r.MissingSeriesEvalsToResolve != nil {
		if *r.MissingSeriesEvalsToResolve < 0 {
			return Rule{}, fmt.Errorf("rule '%s' failed to parse 'missing_series_evals_to_resolve' field: cannot be negative", rule.Title)
		}
		if *r.MissingSeriesEvalsToResolve > 0 {
			rule.MissingSeriesEvalsToResolve = int(*r.MissingSeriesEvalsToResolve)
		}
	}
	rule.DashboardUID = string(r.DashboardUID)
	if rule.DashboardUID == "" {
		rule.DashboardUID = string(r.DasboardUID)
	}
	rule.ExecErrState = strings.TrimSpace(string(r.ExecErrState))
	if rule.ExecErrState == "" {
		rule.ExecErrState = ErrStateAlerting
	} else if !oneOf(rule.ExecErrState, validErrState) {
		return Rule{}, fmt.Errorf("rule '%s' failed to parse: unknown execution error state: %s", rule.Title, rule.ExecErrState)
	}
	rule.NoDataState = strings.TrimSpace(string(r.NoDataState))
	if rule.NoDataState == "" {
		rule.NoDataState = NoDataNoData
	} else if !oneOf(rule.NoDataState, validNoData) {
		return Rule{}, fmt.Errorf("rule '%s' failed to parse: unknown no data state: %s", rule.Title, rule.NoDataState)
	}
	for k, v := range r.Labels {
		rule.Labels[k] = v
	}
	for k, v := range r.Annotations {
		rule.Annotations[k] = v
	}
	for _, q := range r.Data {
		model := q.Model
		if len(model) == 0 || string(model) == "null" {
			model = json.RawMessage("{}")
		}
		rule.Data = append(rule.Data, expr.Query{
			RefID: string(q.RefID), QueryType: string(q.QueryType), RelativeTimeRange: q.RelativeTimeRange,
			DatasourceUID: string(q.DatasourceUID), Model: model,
		})
	}
	if len(rule.Data) == 0 {
		return Rule{}, fmt.Errorf("rule '%s' failed to parse: no data set", rule.Title)
	}
	if rule.Condition == "" {
		return Rule{}, fmt.Errorf("rule '%s' failed to parse: no condition set", rule.Title)
	}
	found := false
	for _, q := range rule.Data {
		found = found || q.RefID == rule.Condition
	}
	if !found {
		return Rule{}, fmt.Errorf("rule '%s': condition %s is not the refId of a query or expression", rule.Title, rule.Condition)
	}
	if _, err := expr.Plan(rule.Data); err != nil {
		return Rule{}, fmt.Errorf("rule '%s': %w", rule.Title, err)
	}
	return rule, nil
}

var nonUID = regexp.MustCompile(`[^a-zA-Z0-9_-]+`)

// FolderUIDFor derives a folder UID from a folder title: Grafana generates
// one when file provisioning creates a folder; the host gets a stable one
// (lowercase, non-alphanumerics as '-', at most 40 characters).
func FolderUIDFor(title string) string {
	uid := strings.Trim(nonUID.ReplaceAllString(strings.ToLower(title), "-"), "-")
	if len(uid) > 40 {
		uid = uid[:40]
	}
	if uid == "" {
		uid = "alerting"
	}
	return uid
}

// LoadDir reads every .yaml, .yml and .json file of a directory (not its
// subdirectories), in name order as Grafana's provisioning reader does,
// and returns its rule groups; the rules named by deleteRules are removed.
// A group or rule UID defined in several files takes its last definition;
// two rules with the same UID in one group are an error.
func LoadDir(dir string) ([]Group, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		switch strings.ToLower(filepath.Ext(e.Name())) {
		case ".yaml", ".yml", ".json":
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	var groups []Group
	var deletes []RuleDelete
	for _, n := range names {
		path := filepath.Join(dir, n)
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		gs, ds, err := ParseFile(path, b)
		if err != nil {
			return nil, err
		}
		groups = append(groups, gs...)
		deletes = append(deletes, ds...)
	}
	return finishGroups(groups, deletes)
}

// finishGroups applies deleteRules and resolves duplicates the way
// repeated provisioning would: a group (same org, folder and name) defined
// again in a later file replaces the earlier definition, and a rule UID
// defined again moves to its later group.
func finishGroups(groups []Group, deletes []RuleDelete) ([]Group, error) {
	deleted := map[string]bool{}
	for _, d := range deletes {
		deleted[fmt.Sprintf("%d/%s", d.OrgID, d.UID)] = true
	}
	var merged []Group
	index := map[string]int{}
	for _, g := range groups {
		key := fmt.Sprintf("%d/%s/%s", g.OrgID, g.Folder, g.Name)
		if i, dup := index[key]; dup {
			merged[i] = g
			continue
		}
		index[key] = len(merged)
		merged = append(merged, g)
	}
	lastGroup := map[string]int{} // rule key -> index of the last group defining it
	for gi, g := range merged {
		for _, r := range g.Rules {
			lastGroup[fmt.Sprintf("%d/%s", r.OrgID, r.UID)] = gi
		}
	}
	now := time.Now().UTC()
	out := make([]Group, 0, len(merged))
	seen := map[string]bool{}
	for gi, g := range merged {
		kept := g.Rules[:0:0]
		for _, r := range g.Rules {
			k := fmt.Sprintf("%d/%s", r.OrgID, r.UID)
			if deleted[k] || lastGroup[k] != gi {
				continue
			}
			if seen[k] {
				return nil, fmt.Errorf("rule uid %q is used twice in group %q", r.UID, g.Name)
			}
			seen[k] = true
			r.Updated = now
			r.Index = len(kept)
			kept = append(kept, r)
		}
		g.Rules = kept
		if len(kept) == 0 {
			continue // Grafana has no rule group without rules
		}
		out = append(out, g)
	}
	return out, nil
}
