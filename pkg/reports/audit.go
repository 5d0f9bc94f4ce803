package reports

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/apifw/monitor/pkg/model"
)

// auditSections are the scored sections of a REST audit report and the
// category their issues get.
var auditSections = []string{"data", "security"}

// looksLikeAudit: a score with the sections, issues or validity an audit has.
func looksLikeAudit(o obj) bool {
	if !o.has("score") {
		return false
	}
	for _, k := range []string{"data", "security", "issues", "openapiState", "assessmentVersion", "assessmentReportVersion", "issueCounter", "valid"} {
		if o.has(k) {
			return true
		}
	}
	return false
}

// parseAudit reads a security audit report: the REST one (sections data and
// security) or the GraphQL one (issues at the top level).
func parseAudit(o obj) (model.AuditReport, error) {
	var a model.AuditReport
	score, err := o.requiredNum("score")
	if err != nil {
		return a, err
	}
	version := o.str("assessmentReportVersion")
	if err := checkMajor("audit report", version, 1); err != nil {
		return a, err
	}
	a.Origin.Format, a.Origin.Version = model.FormatAudit, version
	a.Score = ptr(score)
	a.APIID = strings.TrimSpace(o.str("apiId"))
	a.FileID = strings.TrimSpace(o.str("fileId"))
	a.OpenAPIState = o.str("openapiState")
	if v, ok := o.boolean("valid"); ok {
		a.Valid = ptr(v)
	} else if a.OpenAPIState != "" {
		a.Valid = ptr(a.OpenAPIState == "valid")
	}
	a.OASVersion = o.str("oasVersion")
	a.Criticality = o.int("criticality")
	if s := o.obj("summary"); s != nil {
		a.APIName = strings.TrimSpace(s.str("apiName"))
		a.Paths, a.Operations = s.count("pathCounter"), s.count("operationCounter")
		if a.OASVersion == "" {
			a.OASVersion = s.str("oasVersion")
		}
	}

	rest := false
	for _, cat := range auditSections {
		sec := o.obj(cat)
		if sec == nil {
			continue
		}
		rest = true
		if f, ok := sec.num("score"); ok {
			switch cat {
			case "data":
				a.DataScore = ptr(f)
			case "security":
				a.SecurityScore = ptr(f)
			}
		}
		a.Issues = append(a.Issues, parseIssueMap(sec.obj("issues"), cat)...)
		a.Subgroups = append(a.Subgroups, parseSubgroups(sec.obj("subgroupIssueCounter"), cat)...)
	}
	if !rest {
		a.Origin.Format = model.FormatAuditGraphQL
		a.Issues = parseIssueMap(o.obj("issues"), "")
	}
	for _, is := range a.Issues {
		a.Counts = a.Counts.Add(is.Counts)
	}
	a.Warnings = countFindings(o.obj("warnings"))
	a.SemanticErrors = countFindings(o.obj("semanticErrors"))
	a.ValidationErrors = countFindings(o.obj("validationErrors"))
	return a, nil
}

// parseIssueMap reads issues keyed by issue id, sorted by id.
func parseIssueMap(m obj, category string) []model.AuditIssue {
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var out []model.AuditIssue
	for _, id := range ids {
		v := m.obj(id)
		if v == nil {
			continue
		}
		out = append(out, parseIssue(id, v, category))
	}
	return out
}

// parseIssue counts one issue's occurrences by severity. An occurrence may
// carry its own criticality; reports cap the occurrences they list
// (maxEntriesPerIssue), so the issue's own counter wins when it is larger and
// the difference gets the issue's criticality.
func parseIssue(id string, v obj, category string) model.AuditIssue {
	is := model.AuditIssue{ID: id, Description: v.str("description"), Category: category,
		Severity: model.SeverityFromCriticality(v.int("criticality"))}
	if f, ok := v.num("score"); ok {
		is.Score = f
	}
	occ := v.arr("issues")
	if occ == nil {
		occ = v.arr("occurrences")
	}
	listed := 0
	for _, e := range occ {
		oc := asObj(e)
		if oc == nil {
			continue
		}
		sev := is.Severity
		if c, ok := oc.num("criticality"); ok {
			sev = model.SeverityFromCriticality(int(c))
		}
		is.Counts[sev]++
		listed++
	}
	total := v.count("issueCounter")
	if total == 0 {
		total = v.count("counter")
	}
	if total > listed {
		is.Counts[is.Severity] += total - listed
	}
	if is.Severity == model.SeverityNone {
		for _, s := range model.Severities {
			if is.Counts[s] > 0 {
				is.Severity = s
				break
			}
		}
	}
	return is
}

var subgroupSeverityKeys = map[string]model.Severity{
	"none": model.SeverityNone, "info": model.SeverityInfo, "low": model.SeverityLow,
	"medium": model.SeverityMedium, "high": model.SeverityHigh, "critical": model.SeverityCritical,
}

func parseSubgroups(m obj, category string) []model.SubgroupCounts {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	var out []model.SubgroupCounts
	for _, name := range names {
		c := m.obj(name)
		if c == nil {
			continue
		}
		sg := model.SubgroupCounts{Category: category, Subcategory: name}
		for k, sev := range subgroupSeverityKeys {
			if n := c.count(k); n > 0 {
				sg.Counts[sev] += n
			}
		}
		out = append(out, sg)
	}
	return out
}

// countFindings counts OpenAPI conformance findings ({issues: {id: {issues: […]}}}).
func countFindings(section obj) int {
	n := 0
	for _, v := range section.obj("issues") {
		f := asObj(v)
		if f == nil {
			continue
		}
		switch {
		case f.count("totalIssues") > 0:
			n += f.count("totalIssues")
		case f.count("issueCounter") > 0:
			n += f.count("issueCounter")
		default:
			n += len(f.arr("issues"))
		}
	}
	return n
}

// checkMajor accepts a version whose major number is one of known; an empty
// version (older tools omit it) is accepted too.
func checkMajor(what, version string, known ...int) error {
	if version == "" {
		return nil
	}
	major, _, _ := strings.Cut(strings.TrimPrefix(strings.TrimSpace(version), "v"), ".")
	n, err := strconv.Atoi(major)
	if err == nil {
		for _, k := range known {
			if n == k {
				return nil
			}
		}
	}
	return fmt.Errorf("unknown %s version %q", what, version)
}
