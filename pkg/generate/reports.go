package generate

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// ReportsConfig describes the audit, scan and SQG reports to write for the
// APIs of APIs(Seed, APIs): the same APIs as the traffic when the seeds are
// equal (APIs may exceed the traffic's count: those APIs get reports but no
// traffic, so they are not protected).
type ReportsConfig struct {
	Seed       int64
	APIs       int
	Start, End time.Time
	Audits     int // audits per API over the span; default 8
	Scans      int // scans per API; default 4
}

// ReportsTruth is what the written files say, normalised the way the
// backend is documented to read them (docs/reports.md), for tests to compute
// expected query results independently.
type ReportsTruth struct {
	Inventory TruthInventory `json:"inventory"`
	Audits    []TruthAudit   `json:"audits"`
	Scans     []TruthScan    `json:"scans"`
	SQGs      []TruthSQG     `json:"sqgs"`
	Files     int            `json:"files"`
}

// TruthInventory is the inventory file's content.
type TruthInventory struct {
	Collections []TruthNamed `json:"collections"`
	Teams       []TruthTeam  `json:"teams"`
	Users       []string     `json:"users"`
	APIs        []TruthAPI   `json:"apis"`
}

// TruthNamed is a collection.
type TruthNamed struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// TruthTeam is a team and its members.
type TruthTeam struct {
	ID    string   `json:"id"`
	Name  string   `json:"name"`
	Users []string `json:"users"`
}

// TruthAPI is an inventory API; Collection and Team are ids.
type TruthAPI struct {
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	Collection string   `json:"collection"`
	Team       string   `json:"team"`
	Tags       []string `json:"tags"`
}

// TruthIssue is one issue id of an audit.
type TruthIssue struct {
	ID          string `json:"id"`
	Category    string `json:"category"`
	Subcategory string `json:"subcategory"`
	Criticality int    `json:"criticality"` // 1 info … 5 critical
	Count       int    `json:"count"`
}

// TruthAudit is one audit as the backend reads it: SARIF audits carry no
// score and no validity.
type TruthAudit struct {
	APIID  string       `json:"apiId"`
	Time   time.Time    `json:"time"`
	File   string       `json:"file"`
	Format string       `json:"format"`
	Score  *float64     `json:"score"`
	Valid  *bool        `json:"valid"`
	Issues []TruthIssue `json:"issues"`
}

// TruthScan is one scan; Counts holds issues by criticality (index 0 none … 5 critical).
type TruthScan struct {
	APIID              string    `json:"apiId"`
	Time               time.Time `json:"time"`
	File               string    `json:"file"`
	Format             string    `json:"format"`
	State              string    `json:"state"`
	Requests           int       `json:"requests"`
	Succeeded          int       `json:"succeeded"`
	Failed             int       `json:"failed"`
	Counts             [6]int    `json:"counts"`
	OperationsExecuted int       `json:"operationsExecuted"`
}

// TruthSQG is one SQG decision.
type TruthSQG struct {
	APIID string    `json:"apiId"`
	Time  time.Time `json:"time"`
	Pass  bool      `json:"pass"`
}

// Report pipelines: how each API's reports reach the report root, one per
// way the backend maps a report to its API.
const (
	pipelinePlatform = iota // envelope with aid (scan 2.x inside); SQG compliance with apiId
	pipelineCI              // raw audit with apiId, dated by file name; scan 3.x with apiID; SQG dated by file time
	pipelineByName          // no id inside: the API's UUID in the path names it
	pipelineSARIF           // SARIF audits and scans placed by the inventory's match pattern; CI report.json SQGs
)

var reportCollections = []TruthNamed{{"c-payments", "Payments"}, {"c-media", "Media"}, {"c-internal", "Internal"}, {"c-sandbox", "Sandbox"}}

var reportTeams = []TruthTeam{
	{"t-core", "Core Platform", []string{"alice", "bob"}},
	{"t-web", "Web", []string{"carol", "dave", "erin"}},
	{"t-sec", "Security", []string{"frank"}},
}

// grace is in no team.
var reportUsers = []string{"alice", "bob", "carol", "dave", "erin", "frank", "grace"}

type issueKind struct {
	id, category, subcategory, description string
	criticality                            int
}

var auditIssuePool = []issueKind{
	{"v3-global-http-clear", "security", "transport", "Server URL allows clear-text HTTP", 5},
	{"v3-global-security-undefined", "security", "authentication", "No global security requirement defined", 5},
	{"v3-operation-securityrequirement-apikey-inheader", "security", "authentication", "API key transported in a header", 4},
	{"v3-security-oauth2-scope-undefined", "security", "authorization", "OAuth2 scope used but not defined", 3},
	{"v3-global-securityscheme-apikey-inheader", "security", "authentication", "Transporting API keys in a header over network allowed", 1},
	{"v3-schema-additionalproperties-true", "data", "schema", "Schema allows additional properties", 4},
	{"v3-schema-response-string-pattern", "data", "schema", "String schema in a response has no pattern defined", 3},
	{"v3-schema-request-string-maxlength", "data", "schema", "String schema in a request has no maximum length defined", 3},
	{"v3-schema-numerical-max", "data", "schema", "Numeric schema has no maximum defined", 2},
	{"v3-response-401", "data", "responseDefinition", "If operation has security defined, the 401 response should be defined", 3},
	{"v3-response-default-undefined", "data", "responseDefinition", "No default response defined for the operation", 3},
	{"v3-response-429", "data", "responseDefinition", "429 response should be defined for all operations", 2},
	{"v3-parameter-string-pattern", "data", "parameters", "String parameter has no pattern defined", 3},
	{"v3-path-parameter-string-maxlength", "data", "paths", "Path parameter has no maximum length defined", 2},
	{"v3-response-header-undefined", "data", "responseHeader", "Response header not defined", 1},
}

var subgroupsOf = map[string][]string{
	"data":     {"parameters", "responseHeader", "responseDefinition", "schema", "paths"},
	"security": {"authentication", "authorization", "transport"},
}

var severityNames = []string{"none", "info", "low", "medium", "high", "critical"}

// securitySeverity is the SARIF security-severity written for a criticality:
// the middle of GitHub's CVSS band for that severity (info 0).
var securitySeverity = map[int]string{1: "0.0", 2: "2.0", 3: "5.5", 4: "8.0", 5: "9.5"}

type scanTest struct {
	key         string
	criticality int
}

var scanTestPool = []scanTest{
	{"schema-type-wrong-string-scan", 3}, {"schema-pattern-scan", 4}, {"schema-maxlength-scan", 4},
	{"schema-required-scan", 3}, {"path-item-method-not-allowed-scan", 2}, {"parameter-header-contenttype-wrong-scan", 2},
	{"partial-security-accepted", 5}, {"schema-minimum-scan", 1},
}

// WriteReports writes an inventory and, per API, audits, scans and SQG
// results dated between cfg.Start and cfg.End, and returns what they say.
func WriteReports(dir string, cfg ReportsConfig) (ReportsTruth, error) {
	if cfg.APIs < 1 || !cfg.End.After(cfg.Start) {
		return ReportsTruth{}, fmt.Errorf("need at least one API and a non-empty time span")
	}
	if cfg.Audits <= 0 {
		cfg.Audits = 8
	}
	if cfg.Scans <= 0 {
		cfg.Scans = 4
	}
	rng := rand.New(rand.NewSource(cfg.Seed ^ 0x4e905))
	apis := APIs(cfg.Seed, cfg.APIs)
	w := &reportWriter{dir: dir, rng: rng}
	var gt ReportsTruth
	inv := TruthInventory{Collections: reportCollections, Teams: reportTeams, Users: reportUsers}
	for i, api := range apis {
		inv.APIs = append(inv.APIs, TruthAPI{ID: api.ID, Name: api.Name, Collection: reportCollections[i%3].ID,
			Team: reportTeams[i%3].ID, Tags: apiTags(i)})
	}
	// An API the inventory lists but nothing audits, scans or calls.
	inv.APIs = append(inv.APIs, TruthAPI{ID: uuidFrom(rng), Name: "Legacy Billing", Collection: "c-payments", Team: "t-core", Tags: []string{"internal"}})
	gt.Inventory = inv
	if err := w.inventory(inv, apis); err != nil {
		return gt, err
	}
	for i, api := range apis {
		p := i % 4
		col := reportCollections[i%3].ID
		for _, a := range w.auditSeries(cfg, api, p) {
			if err := w.audit(&gt, api, col, p, a); err != nil {
				return gt, err
			}
		}
		for k, at := range spread(rng, cfg.Start, cfg.End, cfg.Scans) {
			if err := w.scan(&gt, api, col, p, k, at); err != nil {
				return gt, err
			}
		}
	}
	gt.Files = w.files
	sort.SliceStable(gt.Audits, func(i, j int) bool { return gt.Audits[i].Time.Before(gt.Audits[j].Time) })
	sort.SliceStable(gt.Scans, func(i, j int) bool { return gt.Scans[i].Time.Before(gt.Scans[j].Time) })
	sort.SliceStable(gt.SQGs, func(i, j int) bool { return gt.SQGs[i].Time.Before(gt.SQGs[j].Time) })
	return gt, nil
}

func apiTags(i int) []string {
	tags := []string{"public"}
	if i%2 == 1 {
		tags[0] = "internal"
	}
	if i%3 == 0 {
		tags = append(tags, "pci")
	}
	return tags
}

func slug(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
			b.WriteByte('-')
		}
	}
	return strings.Trim(b.String(), "-")
}

// spread returns n distinct whole-second times in [start, end), sorted.
func spread(rng *rand.Rand, start, end time.Time, n int) []time.Time {
	span := int64(end.Sub(start) / time.Second)
	if span < 1 {
		span = 1
	}
	seen := map[int64]bool{}
	var out []time.Time
	for len(out) < n && len(seen) < int(span) {
		s := rng.Int63n(span)
		if seen[s] {
			continue
		}
		seen[s] = true
		out = append(out, start.Truncate(time.Second).Add(time.Duration(s)*time.Second))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Before(out[j]) })
	return out
}

type reportWriter struct {
	dir   string
	rng   *rand.Rand
	files int
}

func (w *reportWriter) write(rel string, v any, modTime time.Time) error {
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		return err
	}
	return w.writeBytes(rel, b, modTime)
}

func (w *reportWriter) writeBytes(rel string, b []byte, modTime time.Time) error {
	p := filepath.Join(w.dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		return err
	}
	w.files++
	if !modTime.IsZero() {
		return os.Chtimes(p, modTime, modTime)
	}
	return nil
}

func (w *reportWriter) inventory(inv TruthInventory, apis []API) error {
	type yAPI struct {
		ID         string   `yaml:"id"`
		Name       string   `yaml:"name"`
		Collection string   `yaml:"collection"`
		Team       string   `yaml:"team"`
		Tags       []string `yaml:"tags,flow"`
		Match      []string `yaml:"match,omitempty,flow"`
	}
	doc := struct {
		Collections []TruthNamed `yaml:"collections"`
		Teams       []struct {
			ID    string   `yaml:"id"`
			Name  string   `yaml:"name"`
			Users []string `yaml:"users,flow"`
		} `yaml:"teams"`
		Users []map[string]string `yaml:"users"`
		APIs  []yAPI              `yaml:"apis"`
	}{Collections: inv.Collections}
	for _, t := range inv.Teams {
		doc.Teams = append(doc.Teams, struct {
			ID    string   `yaml:"id"`
			Name  string   `yaml:"name"`
			Users []string `yaml:"users,flow"`
		}{t.ID, t.Name, t.Users})
	}
	for _, u := range inv.Users {
		doc.Users = append(doc.Users, map[string]string{"id": u, "name": strings.ToUpper(u[:1]) + u[1:], "email": u + "@example.test"})
	}
	for i, a := range inv.APIs {
		y := yAPI{ID: a.ID, Name: a.Name, Collection: a.Collection, Team: a.Team, Tags: a.Tags}
		if i < len(apis) && i%4 == pipelineSARIF {
			y.Match = []string{"repos/" + slug(a.Name) + "/**"}
		}
		doc.APIs = append(doc.APIs, y)
	}
	var buf strings.Builder
	buf.WriteString("# API inventory (docs/reports.md): collections, teams, users and the APIs they own.\n")
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return err
	}
	return w.writeBytes("inventory.yaml", []byte(buf.String()), time.Time{})
}

// genAudit is one generated audit before it is written in some format.
type genAudit struct {
	at     time.Time
	score  float64
	valid  bool
	state  string
	issues []TruthIssue
}

// auditSeries walks a score up and down over time: fixes raise it,
// regressions drop it, and now and then the definition is broken.
func (w *reportWriter) auditSeries(cfg ReportsConfig, api API, pipeline int) []genAudit {
	rng := w.rng
	score := 35 + rng.Float64()*50
	var out []genAudit
	for _, at := range spread(rng, cfg.Start, cfg.End, cfg.Audits+rng.Intn(3)-1) {
		score = math.Max(5, math.Min(99, score+rng.NormFloat64()*12+2))
		a := genAudit{at: at, score: math.Round(score*100) / 100, valid: true, state: "valid"}
		if pipeline != pipelineSARIF && rng.Intn(8) == 0 {
			a.valid, a.score = false, 0
			a.state = []string{"structureInvalid", "semanticInvalid"}[rng.Intn(2)]
		} else {
			a.issues = pickIssues(rng, a.score)
		}
		out = append(out, a)
	}
	return out
}

func pickIssues(rng *rand.Rand, score float64) []TruthIssue {
	k := 1 + int((100-score)/10)
	perm := rng.Perm(len(auditIssuePool))
	var out []TruthIssue
	for _, i := range perm {
		if len(out) == k {
			break
		}
		kind := auditIssuePool[i]
		if kind.criticality == 5 && score >= 45 {
			continue // critical issues only where the score is low
		}
		n := 1 + rng.Intn(5)
		if rng.Intn(20) == 0 {
			n = 31 + rng.Intn(15) // more than a report lists (maxEntriesPerIssue 30)
		}
		out = append(out, TruthIssue{ID: kind.id, Category: kind.category, Subcategory: kind.subcategory, Criticality: kind.criticality, Count: n})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func describe(id string) string {
	for _, k := range auditIssuePool {
		if k.id == id {
			return k.description
		}
	}
	return id
}

func sqgPasses(a genAudit) bool {
	if !a.valid || a.score < 70 {
		return false
	}
	for _, is := range a.issues {
		if is.Criticality == 5 {
			return false
		}
	}
	return true
}

func (w *reportWriter) audit(gt *ReportsTruth, api API, col string, pipeline int, a genAudit) error {
	s := slug(api.Name)
	stamp := a.at.Format("2006-01-02T15-04-05")
	t := TruthAudit{APIID: api.ID, Time: a.at, Format: "audit", Score: &a.score, Valid: &a.valid, Issues: a.issues}
	sqgAt := a.at.Add(time.Minute)
	pass := sqgPasses(a)
	var err error
	switch pipeline {
	case pipelinePlatform:
		t.File = fmt.Sprintf("platform/%s/audit-%d.json", s, a.at.Unix())
		body, _ := json.Marshal(w.auditJSON(api, a, false))
		err = w.write(t.File, envelope(w.rng, api.ID, col, a.at, body, nil), time.Time{})
		if err == nil {
			err = w.write(fmt.Sprintf("platform/%s/sqg-%d.json", s, sqgAt.Unix()), complianceJSON(api.ID, sqgAt, pass), time.Time{})
		}
	case pipelineCI:
		t.File = fmt.Sprintf("ci/%s/audit-%s.json", s, stamp)
		err = w.write(t.File, w.auditJSON(api, a, true), time.Time{})
		if err == nil { // dated by the file's time alone
			err = w.write(fmt.Sprintf("ci/%s/sqg-result-%d.json", s, len(gt.SQGs)), complianceJSON(api.ID, time.Time{}, pass), sqgAt)
		}
	case pipelineByName:
		t.File = fmt.Sprintf("reports/%s/audit-%s.json", api.ID, stamp)
		err = w.write(t.File, w.auditJSON(api, a, false), time.Time{})
		if err == nil {
			err = w.write(fmt.Sprintf("reports/%s/sqg-%s.json", api.ID, sqgAt.Format("2006-01-02T15-04-05")), complianceJSON("", time.Time{}, pass), time.Time{})
		}
	case pipelineSARIF:
		t.File = fmt.Sprintf("repos/%s/.42c/audit-%s.sarif", s, stamp)
		t.Format, t.Score, t.Valid = "sarif-audit", nil, nil
		err = w.write(t.File, auditSARIF(s, a), time.Time{})
		if err == nil {
			err = w.write(fmt.Sprintf("repos/%s/.42c/report-%s.json", s, sqgAt.Format("2006-01-02T15-04-05")), ciReportJSON(api.ID, s, a, pass), time.Time{})
		}
	}
	gt.Audits = append(gt.Audits, t)
	gt.SQGs = append(gt.SQGs, TruthSQG{APIID: api.ID, Time: sqgAt, Pass: pass})
	return err
}

func envelope(rng *rand.Rand, apiID, col string, at time.Time, body []byte, attr map[string]any) map[string]any {
	return map[string]any{"tid": uuidFrom(rng), "aid": apiID, "cid": col, "date": at.Format(time.RFC3339), "type": "JSON", "enc": "base64",
		"attr": map[string]any{"data": attr}, "log": "", "data": base64.StdEncoding.EncodeToString(body)}
}

func severityCounter() map[string]int {
	return map[string]int{"none": 0, "info": 0, "low": 0, "medium": 0, "high": 0, "critical": 0}
}

// auditJSON is a REST audit report (assessment 3.1.6, report 1.0.1) with the
// sections, sub-category counters and occurrence lists real ones have.
func (w *reportWriter) auditJSON(api API, a genAudit, withID bool) map[string]any {
	var index []string
	sections := map[string]map[string]any{}
	maxCrit, total := 0, 0
	sectionScore := map[string]float64{"data": 0, "security": 0}
	if a.valid {
		sectionScore["security"] = math.Round(math.Min(30, a.score*0.3)*100) / 100
		sectionScore["data"] = math.Round((a.score-sectionScore["security"])*100) / 100
	}
	for _, cat := range []string{"data", "security"} {
		sub := map[string]map[string]int{}
		for _, g := range subgroupsOf[cat] {
			sub[g] = severityCounter()
		}
		issues := map[string]any{}
		count, crit := 0, 0
		for _, is := range a.issues {
			if is.Category != cat {
				continue
			}
			var occ []map[string]any
			for k := 0; k < is.Count && k < 30; k++ {
				index = append(index, fmt.Sprintf("/paths/~1api~1%s/get/responses/%d", slug(is.ID), k))
				occ = append(occ, map[string]any{"pointer": len(index) - 1, "score": -0.13, "criticality": is.Criticality,
					"fingerprint": fmt.Sprintf("%x", w.rng.Int63()), "tooManyImpacted": false})
			}
			issues[is.ID] = map[string]any{"description": describe(is.ID), "criticality": is.Criticality, "issueCounter": is.Count,
				"score": -0.13 * float64(is.Count), "tooManyError": is.Count > 30, "issues": occ}
			sub[is.Subcategory][severityNames[is.Criticality]] += is.Count
			count += is.Count
			crit = max(crit, is.Criticality)
		}
		sections[cat] = map[string]any{"score": sectionScore[cat], "criticality": crit, "issueCounter": count,
			"issues": issues, "subgroupIssueCounter": sub}
		maxCrit, total = max(maxCrit, crit), total+count
	}
	apiID := ""
	if withID {
		apiID = api.ID
	}
	r := map[string]any{
		"assessmentVersion": "3.1.6", "assessmentReportVersion": "1.0.1", "commit": "generated", "oasVersion": "3.0.3",
		"apiVersion": "1.0", "fileId": uuidFrom(w.rng), "apiId": apiID, "openapiState": a.state, "score": a.score, "valid": a.valid,
		"criticality": maxCrit, "issueCounter": total, "minimalReport": false, "maxEntriesPerIssue": 30, "maxImpactedPerEntry": 30,
		"data": sections["data"], "security": sections["security"], "index": index,
		"summary": map[string]any{"oasVersion": "3.0.3", "apiVersion": "1.0", "apiName": api.Name, "basepath": "",
			"pathCounter": len(api.Operations), "operationCounter": len(api.Operations)},
		"warnings": map[string]any{"issues": map[string]any{}},
	}
	if !a.valid {
		r["validationErrors"] = map[string]any{"issues": map[string]any{"v3-validation-structure": map[string]any{
			"description": "The OpenAPI definition does not follow the specification", "totalIssues": 2,
			"issues": []map[string]any{{"pointer": 0, "specificDescription": "missing property 'info'"}, {"pointer": 0, "specificDescription": "unknown property 'path'"}}}}}
	}
	return r
}

func complianceJSON(apiID string, at time.Time, pass bool) map[string]any {
	r := map[string]any{"acceptance": map[bool]string{true: "yes", false: "no"}[pass],
		"sqgsDetail": []map[string]any{{"id": "sqg-default", "name": "Default audit SQG", "directives": map[string]any{
			"rejectInvalidContract": "yes", "minimumAssessmentScores": map[string]any{"global": 70, "security": 0, "dataValidation": 0},
			"subcategoryRules": map[string]any{"security": map[string]any{"authentication": "critical", "authorization": "critical", "transport": "critical"}},
		}}},
		"processingDetails": []map[string]any{},
	}
	if !pass {
		r["processingDetails"] = []map[string]any{{"blockingSqgId": "sqg-default", "blockingRules": []string{"minimumAssessmentScores.global"}}}
	}
	if apiID != "" {
		r["apiId"] = apiID
	}
	if !at.IsZero() {
		r["date"] = at.Format(time.RFC3339)
	}
	return r
}

func ciReportJSON(apiID, s string, a genAudit, pass bool) map[string]any {
	var failures []string
	if !pass {
		failures = []string{fmt.Sprintf("The API score %g is lower than the set minimum score of 70", a.score),
			`The API failed the security quality gate "Default audit SQG" - minimum audit score not reached`}
	}
	return map[string]any{"audit": map[string]any{"report": map[string]any{
		"repos/" + s + "/openapi.json": map[string]any{"audited": true, "apiId": apiID, "mode": "assign", "score": a.score,
			"failures": failures, "lifecycle": "existing"}}}}
}

func sarifLevel(criticality int) string {
	switch {
	case criticality >= 4:
		return "error"
	case criticality == 3:
		return "warning"
	}
	return "note"
}

// auditSARIF is the audit CI integration's SARIF: one rule per issue id
// (with its category, sub-category and security-severity), one result per
// occurrence.
func auditSARIF(s string, a genAudit) map[string]any {
	var rules, results []map[string]any
	for i, is := range a.issues {
		rules = append(rules, map[string]any{"id": is.ID, "shortDescription": map[string]any{"text": describe(is.ID)},
			"helpUri": "https://docs.42crunch.com/", "properties": map[string]any{"category": is.Category, "subcategory": is.Subcategory,
				"security-severity": securitySeverity[is.Criticality], "tags": []string{"security", "42crunch"}}})
		for k := 0; k < is.Count; k++ {
			results = append(results, map[string]any{"ruleId": is.ID, "ruleIndex": i, "level": sarifLevel(is.Criticality),
				"message": map[string]any{"text": describe(is.ID)},
				"locations": []map[string]any{{"physicalLocation": map[string]any{"artifactLocation": map[string]any{"uri": "openapi.json", "index": 0},
					"region": map[string]any{"startLine": 10 + k, "startColumn": 1}}}}})
		}
	}
	return sarifLog("42Crunch REST API Static Security Testing", s, a.at, rules, results)
}

func sarifLog(tool, s string, at time.Time, rules, results []map[string]any) map[string]any {
	if rules == nil {
		rules = []map[string]any{}
	}
	if results == nil {
		results = []map[string]any{}
	}
	return map[string]any{"version": "2.1.0", "$schema": "http://json.schemastore.org/sarif-2.1.0-rtm.4",
		"runs": []map[string]any{{
			"tool":        map[string]any{"driver": map[string]any{"name": tool, "informationUri": "https://42crunch.com/", "rules": rules}},
			"invocations": []map[string]any{{"executionSuccessful": true, "startTimeUtc": at.Add(-time.Minute).Format(time.RFC3339), "endTimeUtc": at.Format(time.RFC3339)}},
			"artifacts":   []map[string]any{{"location": map[string]any{"uri": "repos/" + s + "/openapi.json"}}},
			"results":     results,
		}}}
}

// genScan is one generated scan's outcome.
type genScan struct {
	at                                  time.Time
	state                               string
	requests, correct, mismatch, defect int
	errors                              int
	failedTests                         []scanTest // one per mismatch or defective request
	executed, happyFailed               int        // operations
}

func (w *reportWriter) newScan(api API, at time.Time, allowUnreachable bool) genScan {
	rng := w.rng
	g := genScan{at: at, state: "success", requests: 40 + rng.Intn(160)}
	ops := len(api.Operations)
	if allowUnreachable && rng.Intn(4) == 0 {
		g.state, g.errors, g.happyFailed = "apiUnreachable", g.requests, ops
		return g
	}
	g.happyFailed = rng.Intn(2)
	g.executed = ops - g.happyFailed
	bad := rng.Intn(g.requests/3 + 1)
	g.defect = bad / 4
	g.mismatch = bad - g.defect
	if allowUnreachable {
		g.errors = rng.Intn(3)
	}
	g.correct = g.requests - bad - g.errors
	for k := 0; k < bad; k++ {
		g.failedTests = append(g.failedTests, scanTestPool[rng.Intn(len(scanTestPool))])
	}
	return g
}

func (g genScan) counts() [6]int {
	var c [6]int
	for _, t := range g.failedTests {
		c[t.criticality]++
	}
	return c
}

func (w *reportWriter) scan(gt *ReportsTruth, api API, col string, pipeline, k int, at time.Time) error {
	s := slug(api.Name)
	var (
		t   TruthScan
		g   genScan
		err error
	)
	switch pipeline {
	case pipelinePlatform: // scan 2.x, errorsOnly, in the envelope
		g = w.newScan(api, at, false)
		t = TruthScan{File: fmt.Sprintf("platform/%s/scan-%d.json", s, at.Unix()), Format: "scan-2", State: "finished",
			Requests: g.requests, Failed: len(g.failedTests), Succeeded: g.requests - len(g.failedTests), OperationsExecuted: g.executed}
		body, _ := json.Marshal(scan2JSON(api, g))
		attr := map[string]any{"apiId": api.ID, "exitCode": "0", "requestDone": fmt.Sprint(g.requests), "state": "finished",
			"unexpectedResponse": fmt.Sprint(len(g.failedTests))}
		err = w.write(t.File, envelope(w.rng, api.ID, col, at, body, attr), time.Time{})
	case pipelineCI, pipelineByName: // scan 3.x with the dates inside
		g = w.newScan(api, at, true)
		t = TruthScan{Format: "scan-3", State: g.state, Requests: g.requests, Succeeded: g.correct,
			Failed: g.mismatch + g.defect + g.errors, OperationsExecuted: g.executed}
		apiID := api.ID
		t.File = fmt.Sprintf("ci/%s/scan-report-%d.json", s, k+1)
		if pipeline == pipelineByName {
			apiID, t.File = "", fmt.Sprintf("reports/%s/scan-%d.json", api.ID, k+1)
		}
		err = w.write(t.File, scan3JSON(api, apiID, g), time.Time{})
	case pipelineSARIF:
		g = w.newScan(api, at, false)
		t = TruthScan{File: fmt.Sprintf("repos/%s/.42c/scan-%s.sarif", s, at.Format("2006-01-02T15-04-05")), Format: "sarif-scan",
			Requests: g.requests, Failed: len(g.failedTests), Succeeded: g.requests - len(g.failedTests)}
		err = w.write(t.File, scanSARIF(s, g), time.Time{})
	}
	t.APIID, t.Time, t.Counts = api.ID, at, g.counts()
	gt.Scans = append(gt.Scans, t)
	return err
}

func scan2JSON(api API, g genScan) map[string]any {
	sev := severityCounter()
	for _, f := range g.failedTests {
		sev[severityNames[f.criticality]]++
	}
	paths := map[string]map[string]any{}
	perOp := g.requests / max(1, g.executed)
	for i, op := range api.Operations {
		if paths[op.template] == nil {
			paths[op.template] = map[string]any{}
		}
		m := strings.ToLower(op.method)
		if i >= g.executed {
			paths[op.template][m] = map[string]any{"checked": true, "estimatedTotalRequest": perOp, "totalRequest": 0,
				"reason": "operation-happy-path-failed", "skipReasonDetails": []string{"The API response is not successful, the HTTP status must be between 200 and 299 or 404"},
				"happyPath": map[string]any{"key": "happy-path-response-not-successful", "responseHttpStatusCode": 401}}
			continue
		}
		var issues []map[string]any
		for j := i; j < len(g.failedTests); j += g.executed {
			f := g.failedTests[j]
			issues = append(issues, map[string]any{"id": fmt.Sprintf("%s-%d", slug(op.template), j), "injectionKey": f.key,
				"injectionDescription": "generated test", "criticality": f.criticality, "responseHttpStatusCode": 200,
				"responseTime": 20 + j%200, "url": "https://api.example.test" + op.template, "requestDate": g.at.Format(time.RFC3339)})
		}
		paths[op.template][m] = map[string]any{"checked": true, "estimatedTotalRequest": perOp, "totalRequest": max(1, perOp),
			"happyPath": map[string]any{"key": "happy-path-success", "responseHttpStatusCode": 200}, "issues": issues}
	}
	return map[string]any{"indexed": false, "scanVersion": "2.2.0", "scanReportVersion": "2.2.1", "commit": "generated",
		"host": "https://api.example.test", "errorsOnly": true,
		"summary": map[string]any{"startDate": g.at.Add(-2 * time.Minute).Format(time.RFC3339Nano), "endDate": g.at.Format(time.RFC3339Nano),
			"openapiId": "", "state": "finished", "exitCode": 0, "processingError": "", "estimatedTotalRequest": g.requests,
			"totalRequest": g.requests, "criticality": maxCriticality(g.failedTests), "issues": len(g.failedTests),
			"criticalIssues": sev["critical"], "highIssues": sev["high"], "mediumIssues": sev["medium"], "lowIssues": sev["low"], "infoIssues": sev["info"]},
		"paths": paths}
}

func maxCriticality(ts []scanTest) int {
	m := 0
	for _, t := range ts {
		m = max(m, t.criticality)
	}
	return m
}

func testRequests(total int, responses map[string]any, errors int) map[string]any {
	return map[string]any{"estimated": map[string]any{"fromSpecification": total, "fromConfiguration": total},
		"skipped": map[string]any{"fromCustomization": 0, "fromConfiguration": 0, "fromHappyPaths": 0},
		"executed": map[string]any{"total": total, "responses": responses,
			"errors": map[string]any{"total": errors, "functional": map[string]any{"scanFlow": 0},
				"technical": map[string]any{"timeout": 0, "connection": errors, "other": 0}}}}
}

func outcome(conformant, notConformant int) map[string]any {
	return map[string]any{"conformant": conformant, "notConformant": notConformant}
}

// scan3JSON is a scan v2 report (scanReportVersion 3.0.0): authorization
// tests take a few of the correct requests, conformance tests the rest.
func scan3JSON(api API, apiID string, g genScan) map[string]any {
	c := g.counts()
	auth := min(g.correct, 4)
	conf := g.requests - auth
	summary := map[string]any{"reportName": api.Name, "apiVersion": "1.0", "host": "https://api.example.test",
		"startDate": g.at.Add(-3 * time.Minute).Format(time.RFC3339), "endDate": g.at.Format(time.RFC3339), "state": g.state,
		"exitCode": map[bool]int{true: 0, false: 3}[g.state == "success"], "criticality": maxCriticality(g.failedTests),
		"issues": map[string]any{"total": len(g.failedTests), "owasp": 0, "critical": c[5], "high": c[4], "medium": c[3], "low": c[2], "info": c[1]},
		"operations": map[string]any{"success": g.executed, "failure": 0, "happyPathFailure": g.happyFailed,
			"estimated": map[string]any{"fromSpecification": len(api.Operations), "fromConfiguration": len(api.Operations)},
			"skipped":   map[string]any{"fromConfiguration": 0},
			"executed":  map[string]any{"total": g.executed, "success": g.executed, "failed": g.happyFailed}},
		"conformanceTestRequests": testRequests(conf, map[string]any{"correct": outcome(g.correct-auth, 0),
			"mismatch": outcome(0, g.mismatch), "defective": outcome(0, g.defect)}, g.errors),
		"customTestRequests": testRequests(0, map[string]any{"correct": outcome(0, 0), "mismatch": outcome(0, 0), "defective": outcome(0, 0)}, 0),
		"authorizationTestRequests": testRequests(auth, map[string]any{"correct": outcome(auth, 0),
			"mismatch": outcome(0, 0), "defective": outcome(0, 0)}, 0),
	}
	if apiID != "" {
		summary["apiID"] = apiID
	}
	ops := map[string]any{}
	for i, op := range api.Operations {
		id := fmt.Sprintf("op%02d", i)
		var results []map[string]any
		for j := i; j < len(g.failedTests); j += len(api.Operations) {
			f := g.failedTests[j]
			status := "mismatch"
			if j < g.defect {
				status = "defective"
			}
			results = append(results, map[string]any{"test": map[string]any{"key": f.key, "description": "generated test"},
				"outcome": map[string]any{"status": status, "criticality": f.criticality, "conformant": true,
					"apiResponseAnalysis": nil, "excessiveDataExposure": false},
				"response": map[string]any{"httpStatusCode": 200, "latency": 15 + j%100, "contentType": "application/json", "bodyLength": 20, "rawPayload": ""}})
		}
		ops[id] = map[string]any{"path": op.template, "method": op.method, "operationId": id, "fuzzed": g.state == "success",
			"conformanceRequestsResults": results}
	}
	return map[string]any{"scanVersion": "2.2.3", "scanReportVersion": "3.0.0", "commit": "generated", "scanType": "onPrem",
		"indexed": false, "summary": summary, "operations": ops}
}

// scanSARIF is the scan CI integration's SARIF: one result per test request,
// level none for those answered as expected.
func scanSARIF(s string, g genScan) map[string]any {
	var rules, results []map[string]any
	ruleIndex := map[string]int{}
	for _, t := range scanTestPool {
		ruleIndex[t.key] = len(rules)
		rules = append(rules, map[string]any{"id": t.key, "shortDescription": map[string]any{"text": t.key},
			"properties": map[string]any{"category": "API Security", "security-severity": securitySeverity[t.criticality]}})
	}
	for i := 0; i < g.requests; i++ {
		if i < len(g.failedTests) {
			f := g.failedTests[i]
			results = append(results, map[string]any{"ruleId": f.key, "ruleIndex": ruleIndex[f.key], "level": sarifLevel(f.criticality),
				"message": map[string]any{"text": "unexpected response"}})
			continue
		}
		key := scanTestPool[i%len(scanTestPool)].key
		results = append(results, map[string]any{"ruleId": key, "ruleIndex": ruleIndex[key], "level": "none",
			"message": map[string]any{"text": "response as expected"}})
	}
	return sarifLog("42Crunch API Conformance Scan", s, g.at, rules, results)
}
