package reports

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apifw/monitor/pkg/model"
)

// realData is ../shared/realdata from the repository root: files produced by
// the real tools (never copied into this repository).
func realData(t *testing.T, parts ...string) []byte {
	t.Helper()
	p := filepath.Join(append([]string{"..", "..", "..", "shared", "realdata"}, parts...)...)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Skipf("real sample absent: %v", err)
	}
	return b
}

func counts(critical, high, medium, low, info, none int) model.SeverityCounts {
	var c model.SeverityCounts
	c[model.SeverityCritical], c[model.SeverityHigh], c[model.SeverityMedium] = critical, high, medium
	c[model.SeverityLow], c[model.SeverityInfo], c[model.SeverityNone] = low, info, none
	return c
}

func TestRealAuditREST(t *testing.T) {
	p, err := Parse(realData(t, "audit", "heshaam-42c__lab__Nucleus__auditReport.json"), false)
	if err != nil || len(p.Audits) != 1 {
		t.Fatalf("%v %+v", err, p)
	}
	a := p.Audits[0]
	if a.Origin.Format != model.FormatAudit || a.Origin.Version != "1.0.1" || *a.Score != 96.47 || *a.DataScore != 66.47 ||
		*a.SecurityScore != 30 || !*a.Valid || a.OpenAPIState != "valid" || a.OASVersion != "3.0.3" || a.Criticality != 3 ||
		a.APIName != "Pixi App API" || a.APIID != "" || a.Paths != 1 || a.Operations != 11 || a.Warnings != 8 {
		t.Errorf("audit %+v", a)
	}
	if a.Counts != counts(0, 0, 19, 0, 1, 0) || a.Counts.Total() != 20 {
		t.Errorf("counts %v", a.Counts)
	}
	if len(a.Issues) != 8 {
		t.Fatalf("issues %+v", a.Issues)
	}
	byID := map[string]model.AuditIssue{}
	for _, is := range a.Issues {
		byID[is.ID] = is
	}
	if is := byID["v3-schema-response-string-pattern"]; is.Category != "data" || is.Severity != model.SeverityMedium || is.Counts.Total() != 8 || is.Score != -2.54 {
		t.Errorf("pattern issue %+v", is)
	}
	if is := byID["v3-global-securityscheme-apikey-inheader"]; is.Category != "security" || is.Severity != model.SeverityInfo || is.Counts.Total() != 1 {
		t.Errorf("apikey issue %+v", is)
	}
	// The sub-category counters agree with the issues.
	var sub model.SeverityCounts
	for _, sg := range a.Subgroups {
		sub = sub.Add(sg.Counts)
	}
	if sub != a.Counts || len(a.Subgroups) != 8 {
		t.Errorf("subgroups %+v", a.Subgroups)
	}
}

func TestRealAuditGraphQL(t *testing.T) {
	p, err := Parse(realData(t, "audit", "heshaam-42c__graphql-apis__audit__report.json"), false)
	if err != nil || len(p.Audits) != 1 {
		t.Fatalf("%v %+v", err, p)
	}
	a := p.Audits[0]
	if a.Origin.Format != model.FormatAuditGraphQL || *a.Score != -2.41 || !*a.Valid || len(a.Issues) != 11 ||
		a.Counts != counts(0, 0, 0, 0, 0, 493) || a.DataScore != nil {
		t.Errorf("graphql audit %+v", a)
	}
}

func TestRealScan2Enveloped(t *testing.T) {
	p, err := Parse(realData(t, "scan", "42Crunch__42c-report-scan-to-postman__examples__platform_v1__PhotoManager-conformance-scan-2021-10-27-21-11.json"), false)
	if err != nil || len(p.Scans) != 1 {
		t.Fatalf("%v %+v", err, p)
	}
	s := p.Scans[0]
	want := time.Date(2021, 10, 27, 19, 12, 14, 305482417, time.UTC)
	if s.Origin.Format != model.FormatScan2 || s.Origin.Version != "2.2.0" || !s.Origin.Enveloped ||
		s.APIID != "9d8cc5d2-37a5-416e-8204-26fba414c8cc" || s.CollectionID != "" || !s.Time.Equal(want) ||
		s.State != "finished" || s.Host != "https://xliic-demo-api.eastus.cloudapp.azure.com" {
		t.Errorf("scan %+v", s)
	}
	// The envelope's attr says requestDone 130, unexpectedResponse 84.
	if s.Requests != 130 || s.RequestsFailed != 84 || s.RequestsSucceeded != 46 || s.Counts != counts(0, 0, 84, 0, 0, 0) ||
		s.OperationsExecuted != 45 || s.OperationsFailed != 3 {
		t.Errorf("scan counters %+v", s)
	}
	n := 0
	for _, is := range s.Issues {
		n += is.Count
		if is.TestKey == "" {
			t.Errorf("indexed test key not resolved: %+v", is)
		}
	}
	if n != 84 {
		t.Errorf("issues by test key sum to %d", n)
	}
}

func TestRealScan2Raw(t *testing.T) {
	p, err := Parse(realData(t, "scan", "42Crunch__vscode-openapi__packages__web__sample-report.json"), false)
	if err != nil || len(p.Scans) != 1 {
		t.Fatalf("%v %+v", err, p)
	}
	s := p.Scans[0]
	// endDate is the zero time: the start dates the scan.
	if s.Origin.Version != "2.2.1" || !s.Time.Equal(time.Date(2022, 5, 10, 14, 37, 35, 845631300, time.UTC)) || !s.End.IsZero() {
		t.Errorf("scan %+v", s)
	}
	// 47 requests, two answered unexpectedly; 46 listed issues, none rated.
	if s.Requests != 47 || s.RequestsFailed != 2 || s.RequestsSucceeded != 45 || s.Counts != counts(0, 0, 0, 0, 0, 46) || s.OperationsExecuted != 1 {
		t.Errorf("scan counters %+v", s)
	}
	if len(s.Issues) != 1 || s.Issues[0].TestKey != "schema-required-scan" || s.Issues[0].Count != 2 {
		t.Errorf("issues %+v", s.Issues)
	}
}

func TestRealSARIFScan(t *testing.T) {
	p, err := Parse(realData(t, "sarif", "isamauny__pixibay__.42c__scan__scan-report.sarif"), false)
	if err != nil || len(p.Scans) != 1 || len(p.Audits) != 0 {
		t.Fatalf("%v %+v", err, p)
	}
	s := p.Scans[0]
	if s.Origin.Format != model.FormatSARIFScan || s.Requests != 123 || s.RequestsFailed != 59 || s.RequestsSucceeded != 64 ||
		s.Counts.Total() != 59 || len(s.OpenAPIFiles) != 1 || s.OpenAPIFiles[0] != "OASFiles/pixi.json" {
		t.Errorf("sarif scan %+v", s)
	}
}

func TestRealCIReport(t *testing.T) {
	p, err := Parse(realData(t, "sqg", "didushko__My-Openapi-Test__report.json"), false)
	if err != nil || len(p.SQGs) != 2 {
		t.Fatalf("%v %+v", err, p)
	}
	for _, r := range p.SQGs {
		if r.Pass || len(r.Failures) != 4 || len(r.BlockingGates) != 1 || r.BlockingGates[0] != "default" || *r.Score != 0 || r.APIID == "" {
			t.Errorf("%+v", r)
		}
	}
	if p.SQGs[0].OpenAPIFiles[0] != "MyApi/testDir/Pixi_RemediatedVersion.json" || p.SQGs[0].APIID != "c6766392-a263-4f07-8461-7da1f3e24a16" {
		t.Errorf("%+v", p.SQGs[0])
	}
}

// TestRealReportsAllVisible reads the real samples in place as report roots
// (no inventory): every recognised report is kept; those that name no API
// are shown under an API named from what they carry, marked unmapped.
func TestRealReportsAllVisible(t *testing.T) {
	base := filepath.Join("..", "..", "..", "shared", "realdata")
	if _, err := os.Stat(base); err != nil {
		t.Skipf("real samples absent: %v", err)
	}
	var roots []string
	for _, d := range []string{"audit", "scan", "sarif", "sqg"} {
		roots = append(roots, filepath.Join(base, d))
	}
	s := NewStore(Config{Roots: roots, MinRefresh: time.Nanosecond})
	st := s.Refresh()
	if st.Audits != 2 || st.Scans != 3 || st.SQGResults != 2 || st.BadFiles != 0 || st.Unmapped != 4 || st.APIs != 7 {
		t.Fatalf("status %+v", st)
	}
	snap := s.Snapshot()
	// The Nucleus audit (apiId "", a fileId, the OpenAPI title "Pixi App API").
	pixi := snap.APIs["unmapped:39a3c38d-b0d7-4f5d-8852-13aaa5c1ac7c"]
	if pixi == nil || pixi.Name != "Pixi App API" || !pixi.Unmapped || !strings.Contains(pixi.MappingHint, "heshaam-42c__lab__Nucleus__auditReport.json") {
		t.Fatalf("pixi %+v", pixi)
	}
	// The GraphQL audit (only score, valid, issues): named by its path.
	gql := snap.APIs["unmapped:heshaam-42c__graphql-apis__audit__report.json"]
	if gql == nil || gql.Name != "heshaam-42c__graphql-apis__audit__report.json" || !gql.Unmapped {
		t.Fatalf("graphql %+v", gql)
	}
	scores := map[string]float64{}
	for _, a := range snap.Audits {
		scores[a.APIID] = *a.Score
	}
	if scores[pixi.ID] != 96.47 || scores[gql.ID] != -2.41 {
		t.Errorf("scores %v", scores)
	}
	// The enveloped scan keeps its aid; the raw scan and the SARIF scan are unmapped.
	if a := snap.APIs["9d8cc5d2-37a5-416e-8204-26fba414c8cc"]; a == nil || a.Unmapped {
		t.Errorf("enveloped scan api %+v", a)
	}
	if a := snap.APIs["unmapped:isamauny__pixibay__.42c__scan__scan-report.sarif"]; a == nil || !a.Unmapped {
		t.Errorf("sarif api %+v", a)
	}
	// CI report entries have an apiId; they are named by their OpenAPI file.
	if a := snap.APIs["c6766392-a263-4f07-8461-7da1f3e24a16"]; a == nil || a.Name != "MyApi/testDir/Pixi_RemediatedVersion.json" || a.Unmapped {
		t.Errorf("ci api %+v", a)
	}
}
