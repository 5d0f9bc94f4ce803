package query

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/apifw/monitor/pkg/index"
	"github.com/apifw/monitor/pkg/model"
	"github.com/apifw/monitor/pkg/reports"
)

var day0 = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

func day(d int, h int) time.Time {
	return day0.Add(time.Duration(d)*24*time.Hour + time.Duration(h)*time.Hour)
}

func f64(v float64) *float64 { return &v }
func yes(v bool) *bool       { return &v }

func sev(pairs ...any) model.SeverityCounts {
	var c model.SeverityCounts
	for i := 0; i < len(pairs); i += 2 {
		c[pairs[i].(model.Severity)] = pairs[i+1].(int)
	}
	return c
}

func ref(api string, t time.Time, format string) model.ReportRef {
	return model.ReportRef{APIID: api, Time: t, Origin: model.ReportOrigin{Format: format, RelPath: api + "/" + t.Format("2006-01-02") + ".json"}}
}

// reportFixture: Pets and Cats are in the inventory, Dogs only in reports.
func reportFixture() *reports.Snapshot {
	med3 := sev(model.SeverityMedium, 3)
	return &reports.Snapshot{
		Audits: []model.AuditReport{
			{ReportRef: ref("a", day(1, 0), model.FormatAudit), Score: f64(50), Valid: yes(true), Counts: med3,
				Issues:    []model.AuditIssue{{ID: "v3-schema", Category: "data", Severity: model.SeverityMedium, Counts: med3}},
				Subgroups: []model.SubgroupCounts{{Category: "data", Subcategory: "schema", Counts: med3}}},
			{ReportRef: ref("b", day(2, 0), model.FormatAudit), Score: f64(90), Valid: yes(true), Counts: sev(model.SeverityHigh, 1),
				Issues:    []model.AuditIssue{{ID: "v3-auth", Category: "security", Severity: model.SeverityHigh, Counts: sev(model.SeverityHigh, 1)}},
				Subgroups: []model.SubgroupCounts{{Category: "security", Subcategory: "authentication", Counts: sev(model.SeverityHigh, 1)}}},
			{ReportRef: ref("c", day(2, 6), model.FormatSARIFAudit), Counts: sev(model.SeverityCritical, 1, model.SeverityLow, 2),
				Issues: []model.AuditIssue{
					{ID: "v3-http", Category: "security", Subcategory: "transport", Severity: model.SeverityCritical, Counts: sev(model.SeverityCritical, 1)},
					{ID: "v3-schema", Severity: model.SeverityLow, Counts: sev(model.SeverityLow, 2)},
				}},
			{ReportRef: ref("a", day(3, 0), model.FormatAudit), Score: f64(80), Valid: yes(true), Counts: sev(model.SeverityMedium, 2),
				Issues:    []model.AuditIssue{{ID: "v3-schema", Category: "data", Severity: model.SeverityMedium, Counts: sev(model.SeverityMedium, 2)}},
				Subgroups: []model.SubgroupCounts{{Category: "data", Subcategory: "schema", Counts: sev(model.SeverityMedium, 2)}}},
			{ReportRef: ref("b", day(4, 0), model.FormatAudit), Score: f64(0), Valid: yes(false), OpenAPIState: "structureInvalid"},
		},
		Scans: []model.ScanReport{
			{ReportRef: ref("a", day(2, 0), model.FormatScan2), State: "finished", Requests: 10, RequestsSucceeded: 8, RequestsFailed: 2, Counts: sev(model.SeverityMedium, 2)},
			{ReportRef: ref("b", day(3, 0), model.FormatScan3), State: "success", Requests: 20, RequestsSucceeded: 15, RequestsFailed: 5, OperationsExecuted: 4},
			{ReportRef: ref("a", day(4, 12), model.FormatScan3), State: "apiUnreachable", Requests: 5, RequestsFailed: 5},
		},
		SQGs: []model.SQGResult{
			{ReportRef: ref("a", day(3, 0), model.FormatSQG), Pass: true},
			{ReportRef: ref("b", day(4, 0), model.FormatSQG), Pass: false},
		},
		APIs: map[string]*reports.APIInfo{
			"a": {ID: "a", Name: "Pets", CollectionID: "c1", Collection: "Payments", TeamID: "t1", Team: "Core", Tags: []string{"pci"}, InInventory: true},
			"b": {ID: "b", Name: "Cats", CollectionID: "c2", Collection: "Photos", TeamID: "t2", Team: "Web", Tags: []string{"public"}, InInventory: true},
			"c": {ID: "c", Name: "Dogs"},
		},
		Collections: map[string]string{"c1": "Payments", "c2": "Photos", "c3": "Empty"},
		Teams:       map[string]string{"t1": "Core", "t2": "Web"},
		Users:       map[string]bool{"alice": true, "bob": true, "carol": true},
		TeamUsers:   map[string]map[string]bool{"t1": {"alice": true, "bob": true}, "t2": {"carol": true}},
	}
}

func reportTraffic() *index.Store {
	tx := func(h int, api, name, inst string, o model.Outcome) model.Transaction {
		return model.Transaction{UUID: api + inst + time.Duration(h).String(), Time: day(4, h), APIID: api, APIName: name, Instance: inst, Outcome: o}
	}
	s := index.NewStore()
	s.Replace([]model.Transaction{
		tx(1, "a", "Pets", "fw-1", model.OutcomeAllowed),
		tx(2, "a", "Pets", "fw-2", model.OutcomeBlocked),
		tx(3, "x", "Logs API", "fw-3", model.OutcomeAllowed), // an API only the logs know
		tx(4, "n/a", "n/a", "fw-3", model.OutcomeUnmatched),
		tx(30, "b", "Cats", "fw-1", model.OutcomeAllowed), // after the range below
	})
	return s
}

var reportRange = TimeRange{From: day(0, 0), To: day(5, 0)}

func TestAuditLatestPerAPI(t *testing.T) {
	snap := reportFixture()
	cases := []struct {
		name   string
		q      Query
		tr     TimeRange
		grades []string // per row, by API name
		apis   []string
	}{
		{"all", Query{}, reportRange, []string{GradeCritical, GradeCritical, GradeGood}, []string{"Cats", "Dogs", "Pets"}},
		{"as of day 3", Query{}, TimeRange{From: day(0, 0), To: day(3, 0)}, []string{GradeGood, GradeCritical, GradeAttention}, []string{"Cats", "Dogs", "Pets"}},
		{"stricter grades", Query{Grades: &GradeThresholds{Good: f64(95), Critical: f64(45)}}, TimeRange{To: day(3, 0)}, []string{GradeAttention, GradeCritical, GradeAttention}, []string{"Cats", "Dogs", "Pets"}},
		{"critical threshold", Query{Grades: &GradeThresholds{Critical: f64(55)}}, TimeRange{To: day(3, 0)}, []string{GradeGood, GradeCritical, GradeCritical}, []string{"Cats", "Dogs", "Pets"}},
		{"collection by name", Query{Filters: Filters{Collection: []string{"Payments"}}}, reportRange, []string{GradeGood}, []string{"Pets"}},
		{"collection by id", Query{Filters: Filters{Collection: []string{"c2"}}}, reportRange, []string{GradeCritical}, []string{"Cats"}},
		{"tag", Query{Filters: Filters{Tag: []string{"public", "nope"}}}, reportRange, []string{GradeCritical}, []string{"Cats"}},
		{"team", Query{Filters: Filters{Team: []string{"Core"}}}, reportRange, []string{GradeGood}, []string{"Pets"}},
		{"api by id and name", Query{Filters: Filters{API: []string{"c", "Pets"}}}, reportRange, []string{GradeCritical, GradeGood}, []string{"Dogs", "Pets"}},
		{"nothing before", Query{}, TimeRange{To: day(1, 0)}, nil, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rows, err := Audit(snap, c.q, c.tr)
			if err != nil {
				t.Fatal(err)
			}
			var grades, apis []string
			for _, r := range rows {
				grades, apis = append(grades, r.Grade), append(apis, r.API)
			}
			if !reflect.DeepEqual(grades, c.grades) || !reflect.DeepEqual(apis, c.apis) {
				t.Fatalf("got %v %v, want %v %v", apis, grades, c.apis, c.grades)
			}
		})
	}
	rows, _ := Audit(snap, Query{}, reportRange)
	pets := rows[2]
	if *pets.Score != 80 || !pets.Time.Equal(day(3, 0)) || !*pets.SQGPass || pets.Collection != "Payments" || pets.Counts != sev(model.SeverityMedium, 2) {
		t.Errorf("pets %+v", pets)
	}
	if rows[0].SQGPass == nil || *rows[0].SQGPass || rows[1].SQGPass != nil || rows[1].Score != nil {
		t.Errorf("cats/dogs %+v %+v", rows[0], rows[1])
	}
	if _, err := Audit(snap, Query{Grades: &GradeThresholds{Good: f64(10)}}, reportRange); err == nil {
		t.Error("critical above good accepted")
	}
}

func TestAuditIssues(t *testing.T) {
	snap := reportFixture()
	type row struct {
		key   string
		count int
		apis  int
	}
	cases := []struct {
		groupBy string
		filters Filters
		want    []row
	}{
		// Latest audits: Pets 2 medium, Cats none (invalid), Dogs 1 critical + 2 low.
		{"", Filters{}, []row{{"critical", 1, 1}, {"high", 0, 0}, {"medium", 2, 1}, {"low", 2, 1}, {"info", 0, 0}, {"none", 0, 0}}},
		{"category", Filters{}, []row{{"data", 2, 1}, {"unknown", 2, 1}, {"security", 1, 1}}},
		{"subcategory", Filters{}, []row{{"data/schema", 2, 1}, {"unknown/unknown", 2, 1}, {"security/transport", 1, 1}}},
		{"issue", Filters{}, []row{{"v3-schema", 4, 2}, {"v3-http", 1, 1}}},
		{"issue", Filters{Tag: []string{"pci"}}, []row{{"v3-schema", 2, 1}}},
	}
	for _, c := range cases {
		t.Run(c.groupBy, func(t *testing.T) {
			res, err := AuditIssues(snap, Query{GroupBy: c.groupBy, Filters: c.filters}, reportRange)
			if err != nil {
				t.Fatal(err)
			}
			var got []row
			for _, r := range res.Rows {
				key := r.Severity
				switch res.GroupBy {
				case IssuesByCategory:
					key = r.Category
				case IssuesBySubcategory:
					key = r.Category + "/" + r.Subcategory
				case IssuesByIssue:
					key = r.IssueID
				}
				got = append(got, row{key, r.Count, r.APIs})
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Fatalf("got %v\nwant %v", got, c.want)
			}
		})
	}
	res, _ := AuditIssues(snap, Query{GroupBy: "issue", Limit: 1}, reportRange)
	if len(res.Rows) != 1 || res.Rows[0].Severity != "medium" {
		t.Errorf("limit/severity: %+v", res.Rows)
	}
	if _, err := AuditIssues(snap, Query{GroupBy: "owner"}, reportRange); err == nil {
		t.Error("unknown groupBy accepted")
	}
}

func TestAuditTrend(t *testing.T) {
	rows, err := AuditTrend(reportFixture(), Query{Interval: "1d"}, TimeRange{From: day(0, 12), To: day(5, 0)})
	if err != nil {
		t.Fatal(err)
	}
	type point struct {
		run, audited, good, attention, critical int
		avg                                     float64
	}
	want := []point{
		{0, 0, 0, 0, 0, -1},
		{1, 1, 0, 1, 0, 50}, // Pets 50
		{2, 3, 1, 1, 1, 70}, // + Cats 90, Dogs (critical issue, no score)
		{1, 3, 2, 0, 1, 85}, // Pets 80
		{1, 3, 1, 0, 2, 40}, // Cats invalid (score 0)
	}
	if len(rows) != len(want) || !rows[0].Time.Equal(day(0, 0)) {
		t.Fatalf("rows %+v", rows)
	}
	for i, w := range want {
		r := rows[i]
		avg := -1.0
		if r.AvgScore != nil {
			avg = *r.AvgScore
		}
		if (point{r.AuditsRun, r.APIsAudited, r.Good, r.Attention, r.Critical, avg}) != w {
			t.Errorf("day %d: %+v avg %v, want %+v", i, r, avg, w)
		}
	}
	for _, bad := range []Query{{Interval: "soon"}, {Interval: "0d"}, {Interval: "1s"}} {
		if _, err := AuditTrend(reportFixture(), bad, TimeRange{From: day(0, 0), To: day(5, 0)}); err == nil && bad.Interval != "1s" {
			t.Errorf("%q accepted", bad.Interval)
		} else if bad.Interval == "1s" && (err == nil || !strings.Contains(err.Error(), "buckets")) {
			t.Errorf("1s over 5 days: %v", err)
		}
	}
	if _, err := AuditTrend(reportFixture(), Query{}, TimeRange{}); err == nil {
		t.Error("no time range accepted")
	}
}

func TestReportBucketsAuto(t *testing.T) {
	cases := []struct {
		span time.Duration
		step time.Duration
	}{
		{time.Hour, time.Minute},
		{24 * time.Hour, 15 * time.Minute},
		{30 * 24 * time.Hour, 12 * time.Hour},
		{90 * 24 * time.Hour, 24 * time.Hour},
		{3 * 365 * 24 * time.Hour, 30 * 24 * time.Hour},
	}
	for _, c := range cases {
		_, step, n, err := reportBuckets(TimeRange{From: day0, To: day0.Add(c.span)}, "")
		if err != nil || step != c.step || n > autoReportBuckets+1 {
			t.Errorf("%v: step %v n %d err %v, want step %v", c.span, step, n, err, c.step)
		}
	}
}

func TestScanAndScanTrend(t *testing.T) {
	snap := reportFixture()
	rows, err := Scan(snap, Query{}, reportRange)
	if err != nil || len(rows) != 2 {
		t.Fatalf("%v %+v", err, rows)
	}
	if r := rows[1]; r.API != "Pets" || r.State != "apiUnreachable" || r.RequestsFailed != 5 || *r.SuccessRate != 0 {
		t.Errorf("pets %+v", r)
	}
	if r := rows[0]; r.API != "Cats" || r.Requests != 20 || *r.SuccessRate != 0.75 || r.OperationsExecuted != 4 {
		t.Errorf("cats %+v", r)
	}
	trend, err := ScanTrend(snap, Query{Interval: "2d"}, TimeRange{From: day(0, 0), To: day(5, 0)})
	if err != nil || len(trend) != 3 {
		t.Fatalf("%v %+v", err, trend)
	}
	// Buckets start on multiples of two days since 1970: 2026-02-28, 03-02, 03-04.
	want := []ScanTrendRow{
		{Time: day(-1, 0), APIsScanned: 0},
		{Time: day(1, 0), ScansRun: 1, Requests: 10, RequestsSucceeded: 8, RequestsFailed: 2, SuccessRate: f64(0.8), APIsScanned: 1},
		{Time: day(3, 0), ScansRun: 2, Requests: 25, RequestsSucceeded: 15, RequestsFailed: 10, SuccessRate: f64(0.6), APIsScanned: 2},
	}
	if !reflect.DeepEqual(trend, want) {
		t.Errorf("trend %+v\nwant %+v", trend, want)
	}
}

func TestInventory(t *testing.T) {
	snap, store := reportFixture(), reportTraffic()
	cases := []struct {
		name    string
		filters Filters
		want    InventorySummary
	}{
		{"all", Filters{}, InventorySummary{Collections: 3, Teams: 2, Users: 3, InventoryCounts: InventoryCounts{
			APIs: 4, Audited: 3, ValidDefinitions: 1, InvalidDefinitions: 1, Scanned: 2, Protected: 2, Instances: 3, SQGPass: 1, SQGFail: 1}}},
		{"team", Filters{Team: []string{"t1"}}, InventorySummary{Collections: 1, Teams: 1, Users: 2, InventoryCounts: InventoryCounts{
			APIs: 1, Audited: 1, ValidDefinitions: 1, Scanned: 1, Protected: 1, Instances: 2, SQGPass: 1}}},
		{"log-only api by name", Filters{API: []string{"Logs API"}}, InventorySummary{InventoryCounts: InventoryCounts{APIs: 1, Protected: 1, Instances: 1}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := Inventory(snap, store, Query{Filters: c.filters}, reportRange)
			if err != nil {
				t.Fatal(err)
			}
			if res.Summary != c.want || res.APIs != nil || res.Groups != nil {
				t.Fatalf("got %+v\nwant %+v", res.Summary, c.want)
			}
		})
	}
	res, err := Inventory(snap, store, Query{GroupBy: "api"}, reportRange)
	if err != nil || len(res.APIs) != 4 {
		t.Fatalf("%v %+v", err, res.APIs)
	}
	if r := res.APIs[3]; r.API != "Pets" || !r.Protected || r.Instances != 2 || !r.LastSeen.Equal(day(4, 2)) || r.Grade != GradeGood || r.ScanState != "apiUnreachable" {
		t.Errorf("pets %+v", r)
	}
	if r := res.APIs[2]; r.API != "Logs API" || r.InInventory || r.Grade != "" || !r.LastAudit.IsZero() {
		t.Errorf("logs api %+v", r)
	}
	res, _ = Inventory(snap, store, Query{GroupBy: "collection"}, reportRange)
	var names []string
	for _, g := range res.Groups {
		names = append(names, g.Name)
	}
	if !reflect.DeepEqual(names, []string{"(none)", "Empty", "Payments", "Photos"}) || res.Groups[0].APIs != 2 || res.Groups[2].Instances != 2 || res.Groups[1].APIs != 0 {
		t.Errorf("groups %+v", res.Groups)
	}
	// Without transaction logs nothing is protected.
	res, _ = Inventory(snap, nil, Query{}, reportRange)
	if res.Summary.Protected != 0 || res.Summary.APIs != 3 {
		t.Errorf("no logs: %+v", res.Summary)
	}
	if _, err := Inventory(snap, store, Query{GroupBy: "tag"}, reportRange); err == nil {
		t.Error("unknown groupBy accepted")
	}
}
