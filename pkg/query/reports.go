package query

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/apifw/monitor/pkg/index"
	"github.com/apifw/monitor/pkg/model"
	"github.com/apifw/monitor/pkg/reports"
)

// Report queries answer from the reports snapshot. "Current state" queries
// (audit, auditIssues, scan, inventory) use each API's latest report dated
// before the end of the time range; trends cut the range into buckets.

// GradeThresholds sets the grade buckets: an audited API is critical when its
// definition is invalid, it has a critical issue, or its score is below
// Critical; good when its score is at least Good; it needs attention in
// between. An audit without a score (SARIF) and no critical issue is ungraded.
type GradeThresholds struct {
	Good     *float64 `json:"good,omitempty"`
	Critical *float64 `json:"critical,omitempty"`
}

// Default grade thresholds: 70 is the score the vendor's default SQG asks for.
const (
	DefaultGoodScore     = 70.0
	DefaultCriticalScore = 40.0
)

// Grade bucket names.
const (
	GradeGood      = "good"
	GradeAttention = "attention"
	GradeCritical  = "critical"
	GradeUngraded  = "ungraded"
)

type gradeScale struct{ good, critical float64 }

func resolveGrades(g *GradeThresholds) (gradeScale, error) {
	out := gradeScale{DefaultGoodScore, DefaultCriticalScore}
	if g != nil && g.Good != nil {
		out.good = *g.Good
	}
	if g != nil && g.Critical != nil {
		out.critical = *g.Critical
	}
	if out.critical > out.good {
		return out, fmt.Errorf("grades: critical (%g) must not be above good (%g)", out.critical, out.good)
	}
	return out, nil
}

// grade puts one audit in its bucket.
func (g gradeScale) grade(a *model.AuditReport) string {
	switch {
	case a.Valid != nil && !*a.Valid, a.Counts[model.SeverityCritical] > 0, a.Score != nil && *a.Score < g.critical:
		return GradeCritical
	case a.Score == nil:
		return GradeUngraded
	case *a.Score >= g.good:
		return GradeGood
	}
	return GradeAttention
}

// reportAPIFilter is the compiled report filters: api, collection, tag, team.
type reportAPIFilter struct {
	api, collection, tag, team map[string]bool
}

func compileReportFilter(f Filters) reportAPIFilter {
	set := func(v []string) map[string]bool {
		if len(v) == 0 {
			return nil
		}
		return toSet(v)
	}
	return reportAPIFilter{api: set(f.API), collection: set(f.Collection), tag: set(f.Tag), team: set(f.Team)}
}

func (f reportAPIFilter) narrows() bool {
	return f.api != nil || f.collection != nil || f.tag != nil || f.team != nil
}

func (f reportAPIFilter) match(a *reports.APIInfo) bool {
	if f.api != nil && !f.api[a.ID] && !(a.Name != "" && f.api[a.Name]) {
		return false
	}
	if f.collection != nil && (a.CollectionID == "" || !f.collection[a.CollectionID] && !f.collection[a.Collection]) {
		return false
	}
	if f.team != nil && (a.TeamID == "" || !f.team[a.TeamID] && !f.team[a.Team]) {
		return false
	}
	if f.tag != nil {
		for _, t := range a.Tags {
			if f.tag[t] {
				return true
			}
		}
		return false
	}
	return true
}

// selectReportAPIs returns the ids of the catalogue's APIs the filters keep.
func selectReportAPIs(snap *reports.Snapshot, f reportAPIFilter) map[string]*reports.APIInfo {
	out := map[string]*reports.APIInfo{}
	for id, a := range snap.APIs {
		if f.match(a) {
			out[id] = a
		}
	}
	return out
}

func reportBefore(t, to time.Time) bool { return to.IsZero() || t.Before(to) }

// latestReports keeps, per selected API, the newest record dated before to.
func latestReports[T any](rs []T, ref func(*T) *model.ReportRef, apis map[string]*reports.APIInfo, to time.Time) map[string]*T {
	out := map[string]*T{}
	for i := range rs {
		r := ref(&rs[i])
		if !reportBefore(r.Time, to) {
			break
		}
		if apis[r.APIID] != nil {
			out[r.APIID] = &rs[i]
		}
	}
	return out
}

func auditRef(a *model.AuditReport) *model.ReportRef { return &a.ReportRef }
func scanRef(s *model.ScanReport) *model.ReportRef   { return &s.ReportRef }
func sqgRef(s *model.SQGResult) *model.ReportRef     { return &s.ReportRef }

func sqgPassOf(r *model.SQGResult) *bool {
	if r == nil {
		return nil
	}
	v := r.Pass
	return &v
}

// APIColumns identify an API in every report table.
type APIColumns struct {
	APIID      string
	API        string // the name, else the id
	Collection string
	Team       string
	Tags       []string
	// Unmapped: the API stands for reports nothing placed; MappingHint says
	// how to place them.
	Unmapped    bool
	MappingHint string
}

func reportAPIColumns(a *reports.APIInfo) APIColumns {
	name := a.Name
	if name == "" {
		name = a.ID
	}
	return APIColumns{APIID: a.ID, API: name, Collection: a.Collection, Team: a.Team, Tags: a.Tags, Unmapped: a.Unmapped, MappingHint: a.MappingHint}
}

func sortReportRows[T any](rows []T, cols func(*T) *APIColumns) {
	sort.Slice(rows, func(i, j int) bool {
		a, b := cols(&rows[i]), cols(&rows[j])
		if a.API != b.API {
			return a.API < b.API
		}
		return a.APIID < b.APIID
	})
}

// AuditRow is one API's latest audit.
type AuditRow struct {
	APIColumns
	Time          time.Time
	Format        string
	Score         *float64
	DataScore     *float64
	SecurityScore *float64
	Valid         *bool
	OpenAPIState  string
	Counts        model.SeverityCounts
	SQGPass       *bool // the API's latest SQG result; nil when it has none
	Grade         string
	Report        string // the file, relative to its report root
}

// Audit returns the latest audit of every selected API.
func Audit(snap *reports.Snapshot, q Query, tr TimeRange) ([]AuditRow, error) {
	g, err := resolveGrades(q.Grades)
	if err != nil {
		return nil, err
	}
	apis := selectReportAPIs(snap, compileReportFilter(q.Filters))
	sqgs := latestReports(snap.SQGs, sqgRef, apis, tr.To)
	var rows []AuditRow
	for id, a := range latestReports(snap.Audits, auditRef, apis, tr.To) {
		rows = append(rows, AuditRow{APIColumns: reportAPIColumns(apis[id]), Time: a.Time, Format: a.Origin.Format,
			Score: a.Score, DataScore: a.DataScore, SecurityScore: a.SecurityScore, Valid: a.Valid, OpenAPIState: a.OpenAPIState,
			Counts: a.Counts, SQGPass: sqgPassOf(sqgs[id]), Grade: g.grade(a), Report: a.Origin.RelPath})
	}
	sortReportRows(rows, func(r *AuditRow) *APIColumns { return &r.APIColumns })
	return rows, nil
}

// Issue groupings of auditIssues.
const (
	IssuesBySeverity    = "severity"
	IssuesByCategory    = "category"
	IssuesBySubcategory = "subcategory"
	IssuesByIssue       = "issue"
)

// IssueRow is one group of audit issues across the selected APIs' latest audits.
type IssueRow struct {
	Severity    string // severity and issue groupings (an issue's highest severity)
	Category    string // category, subcategory and issue groupings; "unknown" when the format has none
	Subcategory string // subcategory grouping
	IssueID     string // issue grouping
	Description string // issue grouping
	Count       int
	Counts      model.SeverityCounts
	APIs        int // APIs with at least one issue in the group
}

// IssuesResult is the answer of auditIssues.
type IssuesResult struct {
	GroupBy string
	Rows    []IssueRow
}

// AuditIssues counts the issues of the selected APIs' latest audits, grouped
// by severity (default), category, subcategory or issue id. Categories and
// sub-categories come from the report's sub-category counters when it has
// them (REST audits), else from the issues (SARIF rule properties).
func AuditIssues(snap *reports.Snapshot, q Query, tr TimeRange) (IssuesResult, error) {
	res := IssuesResult{GroupBy: q.GroupBy}
	if res.GroupBy == "" {
		res.GroupBy = IssuesBySeverity
	}
	apis := selectReportAPIs(snap, compileReportFilter(q.Filters))
	audits := latestReports(snap.Audits, auditRef, apis, tr.To)
	ids := sortedReportIDs(audits)
	type group struct {
		row  IssueRow
		apis map[string]bool
	}
	groups := map[string]*group{}
	add := func(key string, proto IssueRow, c model.SeverityCounts, api string) {
		if c.Total() == 0 {
			return
		}
		gr := groups[key]
		if gr == nil {
			gr = &group{row: proto, apis: map[string]bool{}}
			groups[key] = gr
		}
		gr.row.Counts = gr.row.Counts.Add(c)
		gr.apis[api] = true
	}
	unknown := func(s string) string {
		if s == "" {
			return "unknown"
		}
		return s
	}
	switch res.GroupBy {
	case IssuesBySeverity:
		for _, id := range ids {
			for _, s := range model.Severities {
				var c model.SeverityCounts
				c[s] = audits[id].Counts[s]
				add(s.String(), IssueRow{Severity: s.String()}, c, id)
			}
		}
		// Every severity has its row, so pie charts and alerts see a stable shape.
		for _, s := range model.Severities {
			if groups[s.String()] == nil {
				groups[s.String()] = &group{row: IssueRow{Severity: s.String()}, apis: map[string]bool{}}
			}
		}
	case IssuesByCategory, IssuesBySubcategory:
		sub := res.GroupBy == IssuesBySubcategory
		for _, id := range ids {
			a := audits[id]
			parts := a.Subgroups
			if len(parts) == 0 {
				for _, is := range a.Issues {
					parts = append(parts, model.SubgroupCounts{Category: is.Category, Subcategory: is.Subcategory, Counts: is.Counts})
				}
			}
			for _, p := range parts {
				row := IssueRow{Category: unknown(p.Category)}
				key := row.Category
				if sub {
					row.Subcategory = unknown(p.Subcategory)
					key += "\x00" + row.Subcategory
				}
				add(key, row, p.Counts, id)
			}
		}
	case IssuesByIssue:
		for _, id := range ids {
			for _, is := range audits[id].Issues {
				add(is.ID, IssueRow{IssueID: is.ID, Description: is.Description, Category: unknown(is.Category)}, is.Counts, id)
			}
		}
	default:
		return res, fmt.Errorf("groupBy %q is not one of severity, category, subcategory, issue", q.GroupBy)
	}
	for _, gr := range groups {
		gr.row.Count, gr.row.APIs = gr.row.Counts.Total(), len(gr.apis)
		if res.GroupBy == IssuesByIssue {
			gr.row.Severity = highestSeverity(gr.row.Counts).String()
		}
		res.Rows = append(res.Rows, gr.row)
	}
	sortIssueRows(res)
	if q.Limit > 0 && len(res.Rows) > q.Limit && res.GroupBy != IssuesBySeverity {
		res.Rows = res.Rows[:q.Limit]
	}
	return res, nil
}

func sortIssueRows(res IssuesResult) {
	rank := map[string]int{}
	for i, s := range model.Severities {
		rank[s.String()] = i
	}
	sort.Slice(res.Rows, func(i, j int) bool {
		a, b := res.Rows[i], res.Rows[j]
		if res.GroupBy == IssuesBySeverity {
			return rank[a.Severity] < rank[b.Severity]
		}
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		return a.Category+"\x00"+a.Subcategory+"\x00"+a.IssueID < b.Category+"\x00"+b.Subcategory+"\x00"+b.IssueID
	})
}

func highestSeverity(c model.SeverityCounts) model.Severity {
	for _, s := range model.Severities {
		if c[s] > 0 {
			return s
		}
	}
	return model.SeverityNone
}

func sortedReportIDs[T any](m map[string]T) []string {
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// ScanRow is one API's latest scan.
type ScanRow struct {
	APIColumns
	Time               time.Time
	Format             string
	Version            string
	State              string
	Counts             model.SeverityCounts
	Requests           int
	RequestsSucceeded  int
	RequestsFailed     int
	SuccessRate        *float64 // succeeded / (succeeded + failed); nil without requests
	OperationsExecuted int
	OperationsFailed   int
	Report             string
}

// Scan returns the latest scan of every selected API.
func Scan(snap *reports.Snapshot, q Query, tr TimeRange) ([]ScanRow, error) {
	apis := selectReportAPIs(snap, compileReportFilter(q.Filters))
	var rows []ScanRow
	for id, s := range latestReports(snap.Scans, scanRef, apis, tr.To) {
		rows = append(rows, ScanRow{APIColumns: reportAPIColumns(apis[id]), Time: s.Time, Format: s.Origin.Format, Version: s.Origin.Version,
			State: s.State, Counts: s.Counts, Requests: s.Requests, RequestsSucceeded: s.RequestsSucceeded, RequestsFailed: s.RequestsFailed,
			SuccessRate: reportRatio(s.RequestsSucceeded, s.RequestsSucceeded+s.RequestsFailed), OperationsExecuted: s.OperationsExecuted,
			OperationsFailed: s.OperationsFailed, Report: s.Origin.RelPath})
	}
	sortReportRows(rows, func(r *ScanRow) *APIColumns { return &r.APIColumns })
	return rows, nil
}

func reportRatio(n, d int) *float64 {
	if d == 0 {
		return nil
	}
	v := float64(n) / float64(d)
	return &v
}

// Trend buckets.
const (
	maxReportBuckets  = 10000
	autoReportBuckets = 100
)

var reportIntervalLadder = []time.Duration{time.Minute, 5 * time.Minute, 15 * time.Minute, time.Hour, 6 * time.Hour,
	12 * time.Hour, 24 * time.Hour, 7 * 24 * time.Hour, 30 * 24 * time.Hour}

// parseReportInterval reads "30m", "6h", "1d", "2w" or any Go duration.
func parseReportInterval(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	for suffix, unit := range map[string]time.Duration{"d": 24 * time.Hour, "w": 7 * 24 * time.Hour} {
		if n, ok := strings.CutSuffix(s, suffix); ok {
			v, err := strconv.Atoi(n)
			if err != nil || v <= 0 {
				return 0, fmt.Errorf("interval %q is not a duration such as 1d or 6h", s)
			}
			return time.Duration(v) * unit, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("interval %q is not a duration such as 1d or 6h", s)
	}
	return d, nil
}

// reportBuckets cuts [From, To) into steps aligned on multiples of the step since
// the Unix epoch (UTC days for 1d), so the same report always falls in the
// same bucket. Without an interval the step is the smallest of 1m, 5m, 15m,
// 1h, 6h, 12h, 1d, 7d, 30d that makes at most 100 buckets.
func reportBuckets(tr TimeRange, interval string) (start time.Time, step time.Duration, n int, err error) {
	if tr.From.IsZero() || tr.To.IsZero() || !tr.To.After(tr.From) {
		return start, 0, 0, fmt.Errorf("trend queries need a time range")
	}
	span := tr.To.Sub(tr.From)
	if interval != "" {
		if step, err = parseReportInterval(interval); err != nil {
			return start, 0, 0, err
		}
		if step < time.Second {
			return start, 0, 0, fmt.Errorf("interval %q is shorter than a second", interval)
		}
	} else {
		step = reportIntervalLadder[len(reportIntervalLadder)-1]
		for _, s := range reportIntervalLadder {
			if span/s < autoReportBuckets {
				step = s
				break
			}
		}
	}
	start = time.Unix(0, tr.From.UnixNano()-tr.From.UnixNano()%int64(step)).UTC()
	if tr.From.UnixNano() < 0 {
		return start, 0, 0, fmt.Errorf("time range starts before 1970")
	}
	n = int((tr.To.Sub(start) + step - 1) / step)
	if n > maxReportBuckets {
		return start, 0, 0, fmt.Errorf("interval %s makes %d buckets over this range (at most %d)", step, n, maxReportBuckets)
	}
	return start, step, n, nil
}

// AuditTrendRow is one bucket of auditTrend: the audits run in it, and the
// state of the selected APIs at its end.
type AuditTrendRow struct {
	Time        time.Time // bucket start
	AuditsRun   int       // audits dated in the bucket (and in the time range)
	AvgScore    *float64  // mean latest score of the APIs audited so far; nil when none has a score
	APIsAudited int
	Good        int
	Attention   int
	Critical    int
}

// AuditTrend returns audits run, average score and grade counts over time.
func AuditTrend(snap *reports.Snapshot, q Query, tr TimeRange) ([]AuditTrendRow, error) {
	g, err := resolveGrades(q.Grades)
	if err != nil {
		return nil, err
	}
	start, step, n, err := reportBuckets(tr, q.Interval)
	if err != nil {
		return nil, err
	}
	apis := selectReportAPIs(snap, compileReportFilter(q.Filters))
	rows := make([]AuditTrendRow, n)
	state := map[string]*model.AuditReport{}
	i := 0
	for b := range rows {
		from, end := start.Add(time.Duration(b)*step), start.Add(time.Duration(b+1)*step)
		if end.After(tr.To) {
			end = tr.To
		}
		for ; i < len(snap.Audits) && snap.Audits[i].Time.Before(end); i++ {
			a := &snap.Audits[i]
			if apis[a.APIID] == nil {
				continue
			}
			state[a.APIID] = a
			if !a.Time.Before(from) && !a.Time.Before(tr.From) {
				rows[b].AuditsRun++
			}
		}
		row := &rows[b]
		row.Time, row.APIsAudited = from, len(state)
		sum, scored := 0.0, 0
		for _, a := range state {
			if a.Score != nil {
				sum += *a.Score
				scored++
			}
			switch g.grade(a) {
			case GradeGood:
				row.Good++
			case GradeAttention:
				row.Attention++
			case GradeCritical:
				row.Critical++
			}
		}
		if scored > 0 {
			avg := sum / float64(scored)
			row.AvgScore = &avg
		}
	}
	return rows, nil
}

// ScanTrendRow is one bucket of scanTrend.
type ScanTrendRow struct {
	Time              time.Time
	ScansRun          int
	Requests          int
	RequestsSucceeded int
	RequestsFailed    int
	SuccessRate       *float64 // over the scans run in the bucket; nil when they sent no request
	APIsScanned       int      // selected APIs scanned at least once by the bucket's end
}

// ScanTrend returns scans run and the share of their requests that succeeded, over time.
func ScanTrend(snap *reports.Snapshot, q Query, tr TimeRange) ([]ScanTrendRow, error) {
	start, step, n, err := reportBuckets(tr, q.Interval)
	if err != nil {
		return nil, err
	}
	apis := selectReportAPIs(snap, compileReportFilter(q.Filters))
	rows := make([]ScanTrendRow, n)
	scanned := map[string]bool{}
	i := 0
	for b := range rows {
		from, end := start.Add(time.Duration(b)*step), start.Add(time.Duration(b+1)*step)
		if end.After(tr.To) {
			end = tr.To
		}
		row := &rows[b]
		row.Time = from
		for ; i < len(snap.Scans) && snap.Scans[i].Time.Before(end); i++ {
			s := &snap.Scans[i]
			if apis[s.APIID] == nil {
				continue
			}
			scanned[s.APIID] = true
			if s.Time.Before(from) || s.Time.Before(tr.From) {
				continue
			}
			row.ScansRun++
			row.Requests += s.Requests
			row.RequestsSucceeded += s.RequestsSucceeded
			row.RequestsFailed += s.RequestsFailed
		}
		row.SuccessRate = reportRatio(row.RequestsSucceeded, row.RequestsSucceeded+row.RequestsFailed)
		row.APIsScanned = len(scanned)
	}
	return rows, nil
}

// Inventory groupings.
const (
	InventoryByAPI        = "api"
	InventoryByCollection = "collection"
	InventoryByTeam       = "team"
)

// InventoryCounts counts the selected APIs by what is known about them.
type InventoryCounts struct {
	APIs               int
	Audited            int // APIs with an audit
	ValidDefinitions   int // APIs whose latest audit says the definition is valid
	InvalidDefinitions int
	Scanned            int // APIs with a scan
	Protected          int // APIs with transactions in the time range
	Instances          int // distinct firewall instances that logged those transactions
	SQGPass            int // APIs whose latest SQG result passed
	SQGFail            int
}

func (c *InventoryCounts) add(o InventoryCounts) {
	c.APIs += o.APIs
	c.Audited += o.Audited
	c.ValidDefinitions += o.ValidDefinitions
	c.InvalidDefinitions += o.InvalidDefinitions
	c.Scanned += o.Scanned
	c.Protected += o.Protected
	c.SQGPass += o.SQGPass
	c.SQGFail += o.SQGFail
}

// InventorySummary is the one-row answer of inventory.
type InventorySummary struct {
	Collections int
	Teams       int
	Users       int
	InventoryCounts
}

// InventoryAPIRow is one API of inventory grouped by api.
type InventoryAPIRow struct {
	APIColumns
	InInventory bool
	LastAudit   time.Time // zero when never audited
	Score       *float64
	Valid       *bool
	Grade       string // "" when never audited
	LastScan    time.Time
	ScanState   string
	Protected   bool
	Instances   int
	LastSeen    time.Time // the API's newest transaction in the range
	SQGPass     *bool
}

// InventoryGroupRow is one collection or team of inventory grouped by either.
type InventoryGroupRow struct {
	ID, Name string // "" and "(none)" for the APIs without one
	InventoryCounts
}

// InventoryResult is the answer of inventory: the summary always, and the
// rows of the grouping asked for.
type InventoryResult struct {
	GroupBy string
	Summary InventorySummary
	// SummaryRow (no groupBy): the summary's numbers, the query's columns applied.
	SummaryRow Row
	APIs       []InventoryAPIRow
	Groups     []InventoryGroupRow
}

// Inventory counts APIs, collections, teams and users, and what the reports
// and the transaction logs say about the APIs. APIs come from the inventory,
// the reports, and the transactions of the time range (store may be nil).
// Without filters collections, teams and users are all those known; with
// filters, those of the selected APIs (their collections, their owning
// teams, and those teams' members).
func Inventory(snap *reports.Snapshot, store *index.Store, q Query, tr TimeRange) (InventoryResult, error) {
	res := InventoryResult{GroupBy: q.GroupBy}
	switch q.GroupBy {
	case "", InventoryByAPI, InventoryByCollection, InventoryByTeam:
	default:
		return res, fmt.Errorf("groupBy %q is not one of api, collection, team (or empty for the summary)", q.GroupBy)
	}
	g, err := resolveGrades(q.Grades)
	if err != nil {
		return res, err
	}
	f := compileReportFilter(q.Filters)
	apis := selectReportAPIs(snap, f)

	// What the logs say: the APIs protected in the range and by which instances.
	type traffic struct {
		instances map[string]bool
		lastSeen  time.Time
	}
	seen := map[string]*traffic{}
	if store != nil {
		store.Range(tr.From, tr.To, func(t *model.Transaction) bool {
			if t.APIID == "" || t.APIID == "n/a" || t.Outcome == model.OutcomeUnmatched {
				return true
			}
			if apis[t.APIID] == nil {
				if snap.APIs[t.APIID] != nil {
					return true // known and filtered out
				}
				info := &reports.APIInfo{ID: t.APIID, Name: strings.TrimSpace(t.APIName)}
				if !f.match(info) {
					return true
				}
				apis[t.APIID] = info
			}
			tf := seen[t.APIID]
			if tf == nil {
				tf = &traffic{instances: map[string]bool{}}
				seen[t.APIID] = tf
			}
			tf.instances[t.Instance] = true
			if t.Time.After(tf.lastSeen) {
				tf.lastSeen = t.Time
			}
			return true
		})
	}

	audits := latestReports(snap.Audits, auditRef, apis, tr.To)
	scans := latestReports(snap.Scans, scanRef, apis, tr.To)
	sqgs := latestReports(snap.SQGs, sqgRef, apis, tr.To)
	byGroup := q.GroupBy == InventoryByCollection || q.GroupBy == InventoryByTeam
	groupKey := func(a *reports.APIInfo) (string, string) {
		if q.GroupBy == InventoryByTeam {
			return a.TeamID, a.Team
		}
		return a.CollectionID, a.Collection
	}
	groups := map[string]*InventoryGroupRow{}
	groupInstances := map[string]map[string]bool{}
	allInstances := map[string]bool{}
	collections, teams, users := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, id := range sortedReportIDs(apis) {
		a := apis[id]
		row := InventoryAPIRow{APIColumns: reportAPIColumns(a), InInventory: a.InInventory, SQGPass: sqgPassOf(sqgs[id])}
		c := InventoryCounts{APIs: 1}
		if au := audits[id]; au != nil {
			row.LastAudit, row.Score, row.Valid, row.Grade = au.Time, au.Score, au.Valid, g.grade(au)
			c.Audited = 1
			if au.Valid != nil && *au.Valid {
				c.ValidDefinitions = 1
			} else if au.Valid != nil {
				c.InvalidDefinitions = 1
			}
		}
		if sc := scans[id]; sc != nil {
			row.LastScan, row.ScanState = sc.Time, sc.State
			c.Scanned = 1
		}
		if r := sqgs[id]; r != nil && r.Pass {
			c.SQGPass = 1
		} else if r != nil {
			c.SQGFail = 1
		}
		if tf := seen[id]; tf != nil {
			row.Protected, row.Instances, row.LastSeen = true, len(tf.instances), tf.lastSeen
			c.Protected = 1
		}
		res.Summary.add(c)
		gid, gname := groupKey(a)
		if byGroup {
			if gid == "" {
				gname = "(none)"
			}
			if groups[gid] == nil {
				groups[gid] = &InventoryGroupRow{ID: gid, Name: gname}
				groupInstances[gid] = map[string]bool{}
			}
			groups[gid].add(c)
		}
		if tf := seen[id]; tf != nil {
			for inst := range tf.instances {
				allInstances[inst] = true
				if byGroup {
					groupInstances[gid][inst] = true
				}
			}
		}
		res.APIs = append(res.APIs, row)
		if a.CollectionID != "" {
			collections[a.CollectionID] = true
		}
		if a.TeamID != "" {
			teams[a.TeamID] = true
			for u := range snap.TeamUsers[a.TeamID] {
				users[u] = true
			}
		}
	}
	res.Summary.Instances = len(allInstances)
	if f.narrows() {
		res.Summary.Collections, res.Summary.Teams, res.Summary.Users = len(collections), len(teams), len(users)
	} else {
		res.Summary.Collections, res.Summary.Teams, res.Summary.Users = len(snap.Collections), len(snap.Teams), len(snap.Users)
	}
	if byGroup {
		if !f.narrows() { // every collection or team has its row, with APIs or not
			all := snap.Collections
			if q.GroupBy == InventoryByTeam {
				all = snap.Teams
			}
			for id, name := range all {
				if groups[id] == nil {
					groups[id] = &InventoryGroupRow{ID: id, Name: name}
				}
			}
		}
		for _, id := range sortedReportIDs(groups) {
			gr := *groups[id]
			gr.Instances = len(groupInstances[id])
			res.Groups = append(res.Groups, gr)
		}
		sort.SliceStable(res.Groups, func(i, j int) bool { return res.Groups[i].Name < res.Groups[j].Name })
	}
	if q.GroupBy != InventoryByAPI {
		res.APIs = nil
	} else {
		sortReportRows(res.APIs, func(r *InventoryAPIRow) *APIColumns { return &r.APIColumns })
	}
	if q.GroupBy == "" {
		if res.SummaryRow, err = res.Summary.Row().Select(q.Columns); err != nil {
			return res, err
		}
	}
	return res, nil
}
