//go:build integration

package integration

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apifw/monitor/pkg/generate"
	"github.com/apifw/monitor/tests/hosttest"
)

// The report queries are checked against expectations computed here, from
// the generator's ground truth and the documented rules (docs/reports.md,
// docs/query-model.md), without the backend's code.

const (
	goodScore     = 70.0 // default grade thresholds
	criticalScore = 40.0
)

var severityNames = []string{"critical", "high", "medium", "low", "info", "none"} // column order
var severityIndex = map[string]int{"none": 0, "info": 1, "low": 2, "medium": 3, "high": 4, "critical": 5}

type reportsFixture struct {
	logs, reports string
	traffic       generate.GroundTruth
	truth         generate.ReportsTruth
	end           time.Time
	protected     map[string]map[string]bool // API id → instances that logged it
}

func writeReportsFixture(t *testing.T) reportsFixture {
	t.Helper()
	f := reportsFixture{logs: t.TempDir(), reports: t.TempDir(), end: time.Now().UTC().Truncate(time.Second)}
	var err error
	f.traffic, err = generate.WriteFiles(f.logs, generate.Config{Seed: 7, APIs: 3, Instances: 3, Records: 3000, Start: f.end.Add(-6 * time.Hour), End: f.end})
	if err != nil {
		t.Fatal(err)
	}
	// Two more APIs than the traffic has: they have reports but are not protected.
	f.truth, err = generate.WriteReports(f.reports, generate.ReportsConfig{Seed: 7, APIs: 5, Start: f.end.Add(-60 * 24 * time.Hour), End: f.end})
	if err != nil {
		t.Fatal(err)
	}
	// A truncated report and one that names no API: reported, and the rest still loads.
	if err := os.WriteFile(filepath.Join(f.reports, "truncated.json"), []byte(`{"scanReportVersion":"3.0.0","summary":{"state":"succ`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(f.reports, "orphan-audit.json"), []byte(`{"score":50,"valid":true,"data":{},"security":{}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	// Its time is the file's: an hour before the end, so the time ranges hold it.
	if err := os.Chtimes(filepath.Join(f.reports, "orphan-audit.json"), f.end.Add(-time.Hour), f.end.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	// Which instances logged which API, read from the FILES layout itself.
	f.protected = map[string]map[string]bool{}
	files, _ := filepath.Glob(filepath.Join(f.logs, "*", "api-*.transaction.log"))
	for _, p := range files {
		id := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(p), "api-"), ".transaction.log")
		if st, err := os.Stat(p); err != nil || st.Size() == 0 || id == "unknown" {
			continue
		}
		if f.protected[id] == nil {
			f.protected[id] = map[string]bool{}
		}
		f.protected[id][filepath.Base(filepath.Dir(p))] = true
	}
	return f
}

func startReportsHost(t *testing.T, f reportsFixture) *hosttest.Server {
	prov := t.TempDir()
	ds := fmt.Sprintf("apiVersion: 1\ndatasources:\n  - {name: reports, uid: ds-reports, type: apifw-monitor-datasource, access: proxy, jsonData: {logRoots: [%q], reportRoots: [%q]}}\n", f.logs, f.reports)
	for dir, content := range map[string]string{"datasources/ds.yaml": ds, "plugins/app.yaml": "apiVersion: 1\napps:\n  - {type: apifw-monitor-app, org_id: 1, disabled: false}\n"} {
		p := filepath.Join(prov, dir)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return hosttest.StartT(t, hosttest.Options{Dist: dist(), Provisioning: prov})
}

// reportRow is one table row: column name → JSON value (numbers as float64, times as epoch ms).
type reportRow map[string]any

// reportRows runs one query through /api/ds/query and returns its single frame's rows.
func reportRows(t *testing.T, s *hosttest.Server, uid string, from, to time.Time, q map[string]any) []reportRow {
	t.Helper()
	q["refId"], q["datasource"] = "A", map[string]string{"uid": uid}
	body := map[string]any{"from": fmt.Sprint(from.UnixMilli()), "to": fmt.Sprint(to.UnixMilli()), "queries": []map[string]any{q}}
	var resp queryResponse
	if err := s.Do(context.Background(), "POST", "/api/ds/query", body, &resp); err != nil {
		t.Fatalf("ds/query %v: %v", q, err)
	}
	res := resp.Results["A"]
	if res.Error != "" || len(res.Frames) != 1 {
		t.Fatalf("ds/query %v: %+v", q, res)
	}
	fr := res.Frames[0]
	var rows []reportRow
	for i, field := range fr.Schema.Fields {
		if i >= len(fr.Data.Values) {
			break
		}
		for r, v := range fr.Data.Values[i] {
			for len(rows) <= r {
				rows = append(rows, reportRow{})
			}
			rows[r][field.Name] = v
		}
	}
	return rows
}

func (r reportRow) num(k string) float64 {
	v, _ := r[k].(float64)
	return v
}

func (r reportRow) str(k string) string {
	v, _ := r[k].(string)
	return v
}

func reportRowsBy(rows []reportRow, k string) map[string]reportRow {
	out := map[string]reportRow{}
	for _, r := range rows {
		out[r.str(k)] = r
	}
	return out
}

func nearlyEqual(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// Expectations from the truth.

func expectedGrade(a generate.TruthAudit) string {
	critical := 0
	for _, is := range a.Issues {
		if is.Criticality == 5 {
			critical += is.Count
		}
	}
	switch {
	case a.Valid != nil && !*a.Valid, critical > 0, a.Score != nil && *a.Score < criticalScore:
		return "critical"
	case a.Score == nil:
		return "ungraded"
	case *a.Score >= goodScore:
		return "good"
	}
	return "attention"
}

func severityCounts(a generate.TruthAudit) [6]int {
	var c [6]int
	for _, is := range a.Issues {
		c[is.Criticality] += is.Count
	}
	return c
}

func latestAudits(truth generate.ReportsTruth, to time.Time, keep func(string) bool) map[string]generate.TruthAudit {
	out := map[string]generate.TruthAudit{}
	for _, a := range truth.Audits {
		if a.Time.Before(to) && keep(a.APIID) && (out[a.APIID].Time.IsZero() || a.Time.After(out[a.APIID].Time)) {
			out[a.APIID] = a
		}
	}
	return out
}

func latestScans(truth generate.ReportsTruth, to time.Time) map[string]generate.TruthScan {
	out := map[string]generate.TruthScan{}
	for _, s := range truth.Scans {
		if s.Time.Before(to) && (out[s.APIID].Time.IsZero() || s.Time.After(out[s.APIID].Time)) {
			out[s.APIID] = s
		}
	}
	return out
}

func latestSQG(truth generate.ReportsTruth, to time.Time) map[string]generate.TruthSQG {
	out := map[string]generate.TruthSQG{}
	for _, q := range truth.SQGs {
		if q.Time.Before(to) && (out[q.APIID].Time.IsZero() || q.Time.After(out[q.APIID].Time)) {
			out[q.APIID] = q
		}
	}
	return out
}

func inventoryAPI(truth generate.ReportsTruth, id string) generate.TruthAPI {
	for _, a := range truth.Inventory.APIs {
		if a.ID == id {
			return a
		}
	}
	return generate.TruthAPI{}
}

func hasTag(a generate.TruthAPI, tag string) bool {
	for _, t := range a.Tags {
		if t == tag {
			return true
		}
	}
	return false
}

func TestReports(t *testing.T) {
	f := writeReportsFixture(t)
	s := startReportsHost(t, f)
	truth := f.truth
	from, to := f.end.Add(-30*24*time.Hour), f.end.Add(time.Second)
	all := func(string) bool { return true }
	// The audit that names no API is shown as an unmapped API of its own (at
	// the file's modification time): the audit trend and the inventory
	// summary count it too.
	st, err := os.Stat(filepath.Join(f.reports, "orphan-audit.json"))
	if err != nil {
		t.Fatal(err)
	}
	orphanScore, orphanValid := 50.0, true
	orphan := generate.TruthAudit{APIID: "unmapped", Time: st.ModTime(), Score: &orphanScore, Valid: &orphanValid}
	withOrphan := truth
	withOrphan.Audits = append(append([]generate.TruthAudit(nil), truth.Audits...), orphan)

	t.Run("health counts the reports and names the bad file", func(t *testing.T) {
		var health struct {
			Status  string `json:"status"`
			Message string `json:"message"`
		}
		if err := s.Do(context.Background(), "GET", "/api/datasources/uid/ds-reports/health", nil, &health); err != nil {
			t.Fatal(err)
		}
		want := fmt.Sprintf("; %d report file(s): %d audit(s), %d scan(s), %d SQG result(s) for %d API(s), 1 inventory file(s), 1 report(s) not mapped to an API (first: %s), shown as unmapped APIs named after their OpenAPI title, fileId or path (map them with an inventory match pattern or the API's UUID in the file name), 1 bad report file(s) skipped (first: %s: ",
			truth.Files+1, len(truth.Audits)+1, len(truth.Scans), len(truth.SQGs), len(truth.Inventory.APIs)+1,
			filepath.Join(f.reports, "orphan-audit.json"), filepath.Join(f.reports, "truncated.json"))
		if health.Status != "OK" || !strings.Contains(health.Message, want) || !strings.Contains(health.Message, fmt.Sprintf("%d record(s)", f.traffic.Total)) {
			t.Errorf("health %+v\nwant containing %q", health, want)
		}
	})

	t.Run("audit: latest audit per API", func(t *testing.T) {
		for _, tag := range []string{"", "pci"} {
			q := map[string]any{"queryType": "audit"}
			keep := all
			if tag != "" {
				q["filters"] = map[string]any{"tag": []string{tag}}
				keep = func(id string) bool { return hasTag(inventoryAPI(truth, id), tag) }
			}
			rows := reportRowsBy(reportRows(t, s, "ds-reports", from, to, q), "apiId")
			unmapped := 0
			for id, r := range rows { // the orphan audit (no tags)
				if r.str("mapping") == "unmapped" {
					delete(rows, id)
					unmapped++
				}
			}
			if want := map[bool]int{true: 1}[tag == "" && orphan.Time.Before(to)]; unmapped != want {
				t.Errorf("tag %q: %d unmapped rows, want %d", tag, unmapped, want)
			}
			want := latestAudits(truth, to, keep)
			sqgs := latestSQG(truth, to)
			if len(rows) != len(want) || len(want) == 0 {
				t.Fatalf("tag %q: %d rows, want %d", tag, len(rows), len(want))
			}
			t.Logf("tag %q: %d APIs with an audit", tag, len(rows))
			for id, a := range want {
				r := rows[id]
				c := severityCounts(a)
				if r == nil || r.str("api") != inventoryAPI(truth, id).Name || int64(r.num("time")) != a.Time.UnixMilli() ||
					r.str("grade") != expectedGrade(a) || r.str("format") != a.Format || r.str("report") != a.File || r["sqgPass"] != sqgs[id].Pass {
					t.Errorf("%s: %v, want %+v grade %s", id, r, a, expectedGrade(a))
					continue
				}
				if (a.Score == nil) != (r["score"] == nil) || a.Score != nil && !nearlyEqual(r.num("score"), *a.Score) ||
					(a.Valid == nil) != (r["valid"] == nil) || a.Valid != nil && r["valid"] != *a.Valid {
					t.Errorf("%s: score/valid %v %v, want %v %v", id, r["score"], r["valid"], a.Score, a.Valid)
				}
				total := 0
				for _, n := range severityNames {
					total += c[severityIndex[n]]
					if int(r.num(n)) != c[severityIndex[n]] {
						t.Errorf("%s: %s = %v, want %d", id, n, r[n], c[severityIndex[n]])
					}
				}
				if int(r.num("issues")) != total {
					t.Errorf("%s: issues %v, want %d", id, r["issues"], total)
				}
			}
		}
	})

	t.Run("auditIssues by severity, category, subcategory and issue", func(t *testing.T) {
		latest := latestAudits(truth, to, all)
		type agg struct {
			count int
			apis  map[string]bool
		}
		want := map[string]map[string]*agg{"severity": {}, "category": {}, "subcategory": {}, "issue": {}}
		add := func(group, key, api string, n int) {
			if n == 0 {
				return
			}
			if want[group][key] == nil {
				want[group][key] = &agg{apis: map[string]bool{}}
			}
			want[group][key].count += n
			want[group][key].apis[api] = true
		}
		for id, a := range latest {
			for _, is := range a.Issues {
				add("severity", severityNames[5-is.Criticality], id, is.Count)
				add("category", is.Category, id, is.Count)
				add("subcategory", is.Category+"/"+is.Subcategory, id, is.Count)
				add("issue", is.ID, id, is.Count)
			}
		}
		for group, exp := range want {
			rows := reportRows(t, s, "ds-reports", from, to, map[string]any{"queryType": "auditIssues", "groupBy": group})
			got := map[string]reportRow{}
			for _, r := range rows {
				key := map[string]string{"severity": r.str("severity"), "category": r.str("category"),
					"subcategory": r.str("category") + "/" + r.str("subcategory"), "issue": r.str("issueId")}[group]
				got[key] = r
			}
			for key, w := range exp {
				if r := got[key]; r == nil || int(r.num("count")) != w.count || int(r.num("apis")) != len(w.apis) {
					t.Errorf("%s %s: %v, want count %d apis %d", group, key, r, w.count, len(w.apis))
				}
			}
			for key, r := range got {
				if exp[key] == nil && r.num("count") != 0 {
					t.Errorf("%s %s: unexpected row %v", group, key, r)
				}
			}
		}
	})

	t.Run("auditTrend per day", func(t *testing.T) {
		rows := reportRows(t, s, "ds-reports", from, to, map[string]any{"queryType": "auditTrend", "interval": "1d"})
		day := int64(24 * time.Hour)
		start := time.Unix(0, from.Truncate(time.Millisecond).UnixNano()/day*day).UTC()
		n := 0
		for b := start; b.Before(to); b = b.Add(24 * time.Hour) {
			n++
		}
		if len(rows) != n {
			t.Fatalf("%d buckets, want %d", len(rows), n)
		}
		t.Logf("%d daily buckets, last %v", n, rows[n-1])
		for i, r := range rows {
			bStart := start.Add(time.Duration(i) * 24 * time.Hour)
			bEnd := bStart.Add(24 * time.Hour)
			if bEnd.After(to) {
				bEnd = to
			}
			run := 0
			for _, a := range withOrphan.Audits {
				if !a.Time.Before(bStart) && !a.Time.Before(from) && a.Time.Before(bEnd) {
					run++
				}
			}
			state := latestAudits(withOrphan, bEnd, all)
			grades := map[string]int{}
			sum, scored := 0.0, 0
			for _, a := range state {
				grades[expectedGrade(a)]++
				if a.Score != nil {
					sum += *a.Score
					scored++
				}
			}
			if int64(r.num("time")) != bStart.UnixMilli() || int(r.num("auditsRun")) != run || int(r.num("apisAudited")) != len(state) ||
				int(r.num("good")) != grades["good"] || int(r.num("attention")) != grades["attention"] || int(r.num("critical")) != grades["critical"] {
				t.Errorf("bucket %s: %v, want run %d audited %d grades %v", bStart, r, run, len(state), grades)
			}
			if scored == 0 && r["avgScore"] != nil || scored > 0 && !nearlyEqual(r.num("avgScore"), sum/float64(scored)) {
				t.Errorf("bucket %s: avgScore %v, want %v", bStart, r["avgScore"], sum/float64(max(scored, 1)))
			}
		}
	})

	t.Run("scan: latest scan per API", func(t *testing.T) {
		rows := reportRowsBy(reportRows(t, s, "ds-reports", from, to, map[string]any{"queryType": "scan"}), "apiId")
		want := latestScans(truth, to)
		if len(rows) != len(want) {
			t.Fatalf("%d rows, want %d", len(rows), len(want))
		}
		for id, sc := range want {
			r := rows[id]
			if r == nil || int(r.num("requests")) != sc.Requests || int(r.num("requestsSucceeded")) != sc.Succeeded ||
				int(r.num("requestsFailed")) != sc.Failed || int(r.num("operationsExecuted")) != sc.OperationsExecuted ||
				(sc.State != "" && r.str("state") != sc.State) || r.str("format") != sc.Format || int64(r.num("time")) != sc.Time.UnixMilli() {
				t.Errorf("%s: %v, want %+v", id, r, sc)
				continue
			}
			for _, n := range severityNames {
				if int(r.num(n)) != sc.Counts[severityIndex[n]] {
					t.Errorf("%s: %s = %v, want %d", id, n, r[n], sc.Counts[severityIndex[n]])
				}
			}
			if d := sc.Succeeded + sc.Failed; d > 0 && !nearlyEqual(r.num("successRate"), float64(sc.Succeeded)/float64(d)) {
				t.Errorf("%s: successRate %v", id, r["successRate"])
			}
		}
	})

	t.Run("scanTrend per week", func(t *testing.T) {
		rows := reportRows(t, s, "ds-reports", from, to, map[string]any{"queryType": "scanTrend", "interval": "7d"})
		week := int64(7 * 24 * time.Hour)
		start := time.Unix(0, from.Truncate(time.Millisecond).UnixNano()/week*week).UTC()
		for i, r := range rows {
			bStart := start.Add(time.Duration(i) * 7 * 24 * time.Hour)
			bEnd := bStart.Add(7 * 24 * time.Hour)
			if bEnd.After(to) {
				bEnd = to
			}
			run, ok, failed := 0, 0, 0
			scanned := map[string]bool{}
			for _, sc := range truth.Scans {
				if sc.Time.Before(bEnd) {
					scanned[sc.APIID] = true
				}
				if !sc.Time.Before(bStart) && !sc.Time.Before(from) && sc.Time.Before(bEnd) {
					run, ok, failed = run+1, ok+sc.Succeeded, failed+sc.Failed
				}
			}
			if int64(r.num("time")) != bStart.UnixMilli() || int(r.num("scansRun")) != run || int(r.num("requestsSucceeded")) != ok ||
				int(r.num("requestsFailed")) != failed || int(r.num("apisScanned")) != len(scanned) {
				t.Errorf("bucket %s: %v, want run %d ok %d failed %d scanned %d", bStart, r, run, ok, failed, len(scanned))
			}
			if ok+failed == 0 && r["successRate"] != nil || ok+failed > 0 && !nearlyEqual(r.num("successRate"), float64(ok)/float64(ok+failed)) {
				t.Errorf("bucket %s: successRate %v", bStart, r["successRate"])
			}
		}
	})

	t.Run("inventory: summary, filtered, by collection", func(t *testing.T) {
		audits, scans, sqgs := latestAudits(truth, to, all), latestScans(truth, to), latestSQG(truth, to)
		expect := func(keep func(generate.TruthAPI) bool) map[string]int {
			w := map[string]int{}
			instances, cols, teams, users := map[string]bool{}, map[string]bool{}, map[string]bool{}, map[string]bool{}
			for _, a := range truth.Inventory.APIs {
				if !keep(a) {
					continue
				}
				w["apis"]++
				cols[a.Collection], teams[a.Team] = true, true
				for _, tm := range truth.Inventory.Teams {
					if tm.ID == a.Team {
						for _, u := range tm.Users {
							users[u] = true
						}
					}
				}
				if au, ok := audits[a.ID]; ok {
					w["audited"]++
					if au.Valid != nil && *au.Valid {
						w["validDefinitions"]++
					} else if au.Valid != nil {
						w["invalidDefinitions"]++
					}
				}
				if _, ok := scans[a.ID]; ok {
					w["scanned"]++
				}
				if q, ok := sqgs[a.ID]; ok && q.Pass {
					w["sqgPass"]++
				} else if ok {
					w["sqgFail"]++
				}
				if len(f.protected[a.ID]) > 0 {
					w["protected"]++
					for inst := range f.protected[a.ID] {
						instances[inst] = true
					}
				}
			}
			w["instances"], w["collections"], w["teams"], w["users"] = len(instances), len(cols), len(teams), len(users)
			return w
		}
		check := func(name string, got reportRow, want map[string]int) {
			for k, v := range want {
				if int(got.num(k)) != v {
					t.Errorf("%s: %s = %v, want %d (row %v)", name, k, got[k], v, got)
				}
			}
		}
		// Logs from the last 7 hours hold all the traffic.
		tFrom := f.end.Add(-7 * time.Hour)
		summary := reportRows(t, s, "ds-reports", tFrom, to, map[string]any{"queryType": "inventory"})
		want := expect(func(generate.TruthAPI) bool { return true })
		// Unfiltered, collections, teams and users are every one the inventory lists.
		want["collections"], want["teams"], want["users"] = len(truth.Inventory.Collections), len(truth.Inventory.Teams), len(truth.Inventory.Users)
		want["apis"]++ // the unmapped API of the orphan audit
		if orphan.Time.Before(to) {
			want["audited"]++
			want["validDefinitions"]++
		}
		check("summary", summary[0], want)
		t.Logf("inventory summary %v", summary[0])

		payments := reportRows(t, s, "ds-reports", tFrom, to, map[string]any{"queryType": "inventory", "filters": map[string]any{"collection": []string{"Payments"}}})
		check("Payments", payments[0], expect(func(a generate.TruthAPI) bool { return a.Collection == "c-payments" }))

		byCollection := reportRowsBy(reportRows(t, s, "ds-reports", tFrom, to, map[string]any{"queryType": "inventory", "groupBy": "collection"}), "collectionId")
		for _, c := range truth.Inventory.Collections {
			w := expect(func(a generate.TruthAPI) bool { return a.Collection == c.ID })
			delete(w, "collections")
			delete(w, "teams")
			delete(w, "users")
			if r := byCollection[c.ID]; r == nil || r.str("collection") != c.Name {
				t.Errorf("collection %s: %v", c.ID, r)
			} else {
				check("collection "+c.Name, r, w)
			}
		}
		// A window without traffic protects nothing.
		quiet := reportRows(t, s, "ds-reports", f.end.Add(-48*time.Hour), f.end.Add(-24*time.Hour), map[string]any{"queryType": "inventory"})
		if quiet[0].num("protected") != 0 || quiet[0].num("instances") != 0 {
			t.Errorf("quiet window: %v", quiet[0])
		}
	})

	t.Run("bad report queries are 400s that name the problem", func(t *testing.T) {
		body := map[string]any{"from": fmt.Sprint(from.UnixMilli()), "to": fmt.Sprint(to.UnixMilli()),
			"queries": []map[string]any{{"refId": "A", "datasource": map[string]string{"uid": "ds-reports"}, "queryType": "auditIssues", "groupBy": "owner"}}}
		err := s.Do(context.Background(), "POST", "/api/ds/query", body, nil)
		if err == nil || !hosttest.IsStatus(err, 400) || !strings.Contains(err.Error(), "groupBy") {
			t.Errorf("bad groupBy: %v", err)
		}
	})
}

// TestReportsRealSamples points a data source at ../shared/realdata's
// report folders: every sample loads (those that name no API are counted as
// unmapped, not as bad).
func TestReportsRealSamples(t *testing.T) {
	var roots []string
	for _, d := range []string{"audit", "scan", "sarif", "sqg"} {
		p, _ := filepath.Abs(filepath.Join(repoRoot, "..", "shared", "realdata", d))
		if _, err := os.Stat(p); err != nil {
			t.Skip("../shared/realdata absent")
		}
		roots = append(roots, p)
	}
	logs := t.TempDir()
	if _, err := generate.WriteFiles(logs, generate.Config{Seed: 1, APIs: 2, Instances: 1, Records: 10, Start: time.Now().Add(-time.Hour), End: time.Now()}); err != nil {
		t.Fatal(err)
	}
	prov := t.TempDir()
	quoted := make([]string, len(roots))
	for i, r := range roots {
		quoted[i] = fmt.Sprintf("%q", r)
	}
	ds := fmt.Sprintf("apiVersion: 1\ndatasources:\n  - {name: real, uid: ds-real-reports, type: apifw-monitor-datasource, access: proxy, jsonData: {logRoots: [%q], reportRoots: [%s]}}\n", logs, strings.Join(quoted, ", "))
	if err := os.MkdirAll(filepath.Join(prov, "datasources"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(prov, "datasources", "ds.yaml"), []byte(ds), 0o644); err != nil {
		t.Fatal(err)
	}
	s := hosttest.StartT(t, hosttest.Options{Dist: dist(), Provisioning: prov})
	var health struct {
		Status  string `json:"status"`
		Message string `json:"message"`
	}
	if err := s.Do(context.Background(), "GET", "/api/datasources/uid/ds-real-reports/health", nil, &health); err != nil {
		t.Fatal(err)
	}
	// 6 files; the PhotoManager scan (envelope aid) and the CI report's two
	// entries (apiId) are placed; the two audits, the raw scan and the SARIF
	// name no API: they are shown as unmapped APIs of their own.
	want := "; 6 report file(s): 2 audit(s), 3 scan(s), 2 SQG result(s) for 7 API(s), 4 report(s) not mapped to an API"
	if health.Status != "OK" || !strings.Contains(health.Message, want) || strings.Contains(health.Message, "bad report") {
		t.Errorf("health %+v, want containing %q", health, want)
	}
	rows := reportRowsBy(reportRows(t, s, "ds-real-reports", time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC), time.Now().Add(time.Minute), map[string]any{"queryType": "scan"}), "apiId")
	if r := rows["9d8cc5d2-37a5-416e-8204-26fba414c8cc"]; len(rows) != 3 || r.num("requests") != 130 || r.num("requestsFailed") != 84 || r.str("mapping") != "" {
		t.Errorf("real scan rows %v", rows)
	}
	// The CI audit reports: what the Collection dashboard's "Latest audit per API" shows.
	audits := reportRowsBy(reportRows(t, s, "ds-real-reports", time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC), time.Now().Add(time.Minute), map[string]any{"queryType": "audit"}), "api")
	if r := audits["Pixi App API"]; len(audits) != 2 || r.num("score") != 96.47 || r.str("mapping") != "unmapped" ||
		r.str("apiId") != "unmapped:39a3c38d-b0d7-4f5d-8852-13aaa5c1ac7c" || !strings.Contains(r.str("mappingHint"), "match") {
		t.Errorf("real audit rows %v", audits)
	}
	if r := audits["heshaam-42c__graphql-apis__audit__report.json"]; r.num("score") != -2.41 || r.str("mapping") != "unmapped" {
		t.Errorf("real graphql audit row %v", r)
	}
}
