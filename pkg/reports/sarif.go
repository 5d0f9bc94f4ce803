package reports

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/apifw/monitor/pkg/model"
)

func looksLikeSARIF(o obj) bool {
	return o.has("runs") && (o.has("version") || strings.Contains(strings.ToLower(o.str("$schema")), "sarif"))
}

// parseSARIF reads a SARIF 2.1.0 log: each run is one audit or one scan,
// told apart by the tool's name ("… Conformance Scan") or, failing that, by
// rule ids ending in "-scan".
func parseSARIF(o obj) ([]model.AuditReport, []model.ScanReport, error) {
	version := o.str("version")
	if !strings.HasPrefix(version, "2.1") {
		if v, ok := o["version"]; ok && version == "" {
			return nil, nil, fmt.Errorf("SARIF version is %s, want a string", typeName(v))
		}
		return nil, nil, fmt.Errorf("unknown SARIF version %q (want 2.1.0)", version)
	}
	runs, ok := o["runs"].([]any)
	if !ok {
		return nil, nil, fmt.Errorf("runs is %s, want an array", typeName(o["runs"]))
	}
	var audits []model.AuditReport
	var scans []model.ScanReport
	for _, r := range runs {
		run := asObj(r)
		if run == nil {
			continue
		}
		sr := readSARIFRun(run)
		ref := model.ReportRef{Time: sr.time, OpenAPIFiles: sr.files, APIID: strings.TrimSpace(run.obj("properties").str("apiId"))}
		if sr.isScan {
			s := model.ScanReport{ReportRef: ref, Start: sr.start, End: sr.time, Requests: len(sr.results)}
			s.Origin.Format, s.Origin.Version = model.FormatSARIFScan, version
			issues := map[scanIssueKey]int{}
			for _, res := range sr.results {
				if !res.issue {
					s.RequestsSucceeded++
					continue
				}
				s.RequestsFailed++
				s.Counts[res.sev]++
				issues[scanIssueKey{res.rule, res.sev}]++
			}
			finishScan(&s, issues)
			scans = append(scans, s)
			continue
		}
		a := model.AuditReport{ReportRef: ref}
		a.Origin.Format, a.Origin.Version = model.FormatSARIFAudit, version
		byRule := map[string]*model.AuditIssue{}
		for _, res := range sr.results {
			if !res.issue {
				continue
			}
			is := byRule[res.rule]
			if is == nil {
				rule := sr.rules[res.rule]
				is = &model.AuditIssue{ID: res.rule, Description: rule.description, Category: rule.category, Subcategory: rule.subcategory}
				if is.Description == "" {
					is.Description = res.message
				}
				byRule[res.rule] = is
			}
			is.Counts[res.sev]++
			if res.sev > is.Severity {
				is.Severity = res.sev
			}
			a.Counts[res.sev]++
		}
		for _, is := range byRule {
			a.Issues = append(a.Issues, *is)
		}
		sort.Slice(a.Issues, func(i, j int) bool { return a.Issues[i].ID < a.Issues[j].ID })
		audits = append(audits, a)
	}
	return audits, scans, nil
}

type sarifRule struct {
	description, category, subcategory string
	securitySeverity                   any
}

type sarifResult struct {
	rule, message string
	issue         bool
	sev           model.Severity
}

type sarifRun struct {
	isScan      bool
	rules       map[string]sarifRule
	results     []sarifResult
	start, time time.Time
	files       []string
}

func readSARIFRun(run obj) sarifRun {
	sr := sarifRun{rules: map[string]sarifRule{}}
	driver := run.obj("tool").obj("driver")
	var ruleIDs []string
	for _, v := range driver.arr("rules") {
		r := asObj(v)
		id := r.str("id")
		if id == "" {
			ruleIDs = append(ruleIDs, "")
			continue
		}
		props := r.obj("properties")
		sr.rules[id] = sarifRule{description: r.obj("shortDescription").str("text"), category: props.str("category"),
			subcategory: props.str("subcategory"), securitySeverity: props["security-severity"]}
		ruleIDs = append(ruleIDs, id)
	}
	switch name := strings.ToLower(driver.str("name")); {
	case strings.Contains(name, "scan"):
		sr.isScan = true
	case strings.Contains(name, "audit"), strings.Contains(name, "static"):
	default:
		scanRules := 0
		for id := range sr.rules {
			if strings.HasSuffix(id, "-scan") {
				scanRules++
			}
		}
		sr.isScan = scanRules*2 > len(sr.rules)
	}
	files := map[string]bool{}
	addFile := func(loc obj) {
		if u := loc.str("uri"); u != "" {
			files[u] = true
		}
	}
	for _, v := range run.arr("artifacts") {
		addFile(asObj(v).obj("location"))
	}
	for _, v := range run.arr("results") {
		r := asObj(v)
		if r == nil {
			continue
		}
		id := r.str("ruleId")
		if id == "" {
			id = r.obj("rule").str("id")
		}
		if id == "" {
			if i, ok := r.num("ruleIndex"); ok && int(i) >= 0 && int(i) < len(ruleIDs) {
				id = ruleIDs[int(i)]
			}
		}
		res := sarifResult{rule: id, message: r.obj("message").str("text")}
		level, kind := r.str("level"), r.str("kind")
		res.issue = level != "none" && kind != "pass" && kind != "notApplicable" && kind != "informational"
		if res.issue {
			res.sev = sarifSeverity(r.obj("properties")["security-severity"], sr.rules[id].securitySeverity, level)
		}
		for _, l := range r.arr("locations") {
			addFile(asObj(l).obj("physicalLocation").obj("artifactLocation"))
		}
		sr.results = append(sr.results, res)
	}
	for _, v := range run.arr("invocations") {
		inv := asObj(v)
		if t := inv.time("endTimeUtc"); t.After(sr.time) {
			sr.time = t
		}
		if t := inv.time("startTimeUtc"); !t.IsZero() && (sr.start.IsZero() || t.Before(sr.start)) {
			sr.start = t
		}
	}
	if sr.time.IsZero() {
		sr.time = sr.start
	}
	for f := range files {
		sr.files = append(sr.files, f)
	}
	sort.Strings(sr.files)
	return sr
}

// sarifSeverity: a security-severity (result's, else rule's) on GitHub's
// CVSS scale (≥ 9 critical, ≥ 7 high, ≥ 4 medium, > 0 low, 0 info); without
// one, the level (error high, warning or absent medium, note low).
func sarifSeverity(resultSev, ruleSev any, level string) model.Severity {
	for _, v := range []any{resultSev, ruleSev} {
		f, ok := toNum(v)
		if !ok {
			continue
		}
		switch {
		case f >= 9:
			return model.SeverityCritical
		case f >= 7:
			return model.SeverityHigh
		case f >= 4:
			return model.SeverityMedium
		case f > 0:
			return model.SeverityLow
		default:
			return model.SeverityInfo
		}
	}
	switch level {
	case "error":
		return model.SeverityHigh
	case "note":
		return model.SeverityLow
	}
	return model.SeverityMedium
}
