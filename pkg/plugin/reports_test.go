package plugin

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/experimental"
)

const (
	repA1 = "a1a1a1a1-0000-4000-8000-000000000001"
	repA2 = "a2a2a2a2-0000-4000-8000-000000000002"
	repA3 = "a3a3a3a3-0000-4000-8000-000000000003"
)

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// reportFixture writes a report root (two inventory APIs, one API known only
// from a SARIF report, a malformed file) and a log root where Pets is called.
func reportFixture(t *testing.T) (reportRoot, logRoot string) {
	reportRoot, logRoot = t.TempDir(), t.TempDir()
	writeFile(t, filepath.Join(reportRoot, "inventory.yaml"), `
collections: [{id: c1, name: Payments}, {id: c2, name: Media}]
teams: [{id: t1, name: Core, users: [alice, bob]}, {id: t2, name: Web, users: [carol]}]
apis:
  - {id: `+repA1+`, name: Pets, collection: c1, team: t1, tags: [pci, public], match: ["pets/**"]}
  - {id: `+repA2+`, name: Photos, collection: Media, team: Web, tags: [public]}
`)
	audit := func(id string, score float64, data, security string) string {
		b, _ := json.Marshal(score)
		return `{"apiId":"` + id + `","assessmentReportVersion":"1.0.1","openapiState":"valid","valid":true,"score":` + string(b) + `,
			"data":{"score":0,"issues":{` + data + `}},"security":{"score":0,"issues":{` + security + `}}}`
	}
	writeFile(t, filepath.Join(reportRoot, "pets", "audit-2026-01-02.json"), audit(repA1, 60,
		`"v3-schema-response-string-pattern":{"description":"No pattern","criticality":3,"issueCounter":2,"issues":[{"pointer":0},{"pointer":1}]}`,
		`"v3-global-securityscheme-apikey-inheader":{"description":"API key in header","criticality":4,"issues":[{"pointer":2}]}`))
	writeFile(t, filepath.Join(reportRoot, "pets", "audit-2026-01-05.json"), audit(repA1, 85,
		`"v3-schema-response-string-pattern":{"description":"No pattern","criticality":3,"issues":[{"pointer":0}]}`, ``))
	inner := audit("", 30, ``, `"v3-global-http-clear":{"description":"Clear-text HTTP","criticality":5,"issues":[{"pointer":0}]}`)
	writeFile(t, filepath.Join(reportRoot, "platform", "photos-audit.json"),
		`{"tid":"t1","aid":"`+repA2+`","cid":"c2","date":"2026-01-03T10:00:00Z","enc":"base64","data":"`+base64.StdEncoding.EncodeToString([]byte(inner))+`"}`)
	writeFile(t, filepath.Join(reportRoot, repA3, "audit.sarif"), `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"42Crunch REST API Static Security Testing",
		"rules":[{"id":"v3-response-401","shortDescription":{"text":"No 401"},"properties":{"category":"data","subcategory":"responseDefinition","security-severity":"5.5"}}]}},
		"invocations":[{"endTimeUtc":"2026-01-04T08:00:00Z"}],"results":[{"ruleId":"v3-response-401","level":"warning"},{"ruleId":"v3-response-401","level":"warning"}]}]}`)
	writeFile(t, filepath.Join(reportRoot, "pets", "scan-2026-01-03.json"), `{"scanReportVersion":"2.2.1","summary":{"state":"finished","totalRequest":10,
		"startDate":"2026-01-03T12:00:00Z","endDate":"2026-01-03T12:05:00Z","issues":2,"mediumIssues":1,"highIssues":1},
		"paths":{"/pets":{"get":{"totalRequest":10,"issues":[{"injectionKey":"schema-pattern-scan","criticality":3},{"injectionKey":"schema-maxlength-scan","criticality":4}]}}}}`)
	writeFile(t, filepath.Join(reportRoot, "photos", "scan.json"), `{"scanReportVersion":"3.0.0","summary":{"apiID":"`+repA2+`","state":"apiUnreachable",
		"endDate":"2026-01-04T09:00:00Z","issues":{"total":0},"operations":{"executed":{"total":0},"happyPathFailure":3},
		"conformanceTestRequests":{"executed":{"total":6,"errors":{"total":6}}}}}`)
	writeFile(t, filepath.Join(reportRoot, "pets", "sqg-2026-01-05T01-00-00.json"), `{"apiId":"`+repA1+`","acceptance":"yes"}`)
	writeFile(t, filepath.Join(reportRoot, "photos", "sqg.json"), `{"apiId":"`+repA2+`","date":"2026-01-03T11:00:00Z","acceptance":"no"}`)
	writeFile(t, filepath.Join(reportRoot, "broken.json"), `{"scanReportVersion":"9.0","summary":{}}`)
	writeFile(t, filepath.Join(reportRoot, "orphan-2026-01-02.json"), audit("", 50, ``, ``))

	day6 := time.Date(2026, 1, 6, 12, 0, 0, 0, time.UTC).UnixMicro()
	rec := func(uuid, inst string, off int64) string {
		return `{"uuid":"` + uuid + `","date_epoch":` + itoa(day6+off) + `,"api":"` + repA1 + `","api_name":"Pets","pod":{"instance_name":"` + inst + `"},"source_ip":"10.0.0.1","status":200,"errors":[]}` + "\n"
	}
	writeFile(t, filepath.Join(logRoot, "fw-1", "api-"+repA1+".transaction.log"), rec("u1", "fw-1", 0)+rec("u2", "fw-1", 1e6))
	writeFile(t, filepath.Join(logRoot, "fw-2", "api-"+repA1+".transaction.log"), rec("u3", "fw-2", 2e6))
	return reportRoot, logRoot
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

func reportDatasource(t *testing.T) *Datasource {
	reportRoot, logRoot := reportFixture(t)
	return newTestDatasource(t, `{"logRoots":["`+logRoot+`"],"reportRoots":["`+reportRoot+`"]}`)
}

func TestReportQueriesGolden(t *testing.T) {
	ds := reportDatasource(t)
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tr := backend.TimeRange{From: from, To: from.Add(7 * 24 * time.Hour)}
	cases := map[string]string{
		"report-audit":                    `{"queryType":"audit"}`,
		"report-audit-issues":             `{"queryType":"auditIssues"}`,
		"report-audit-issues-subcategory": `{"queryType":"auditIssues","groupBy":"subcategory"}`,
		"report-audit-issues-by-issue":    `{"queryType":"auditIssues","groupBy":"issue","filters":{"collection":["Payments"]}}`,
		"report-audit-trend":              `{"queryType":"auditTrend","interval":"1d"}`,
		"report-scan":                     `{"queryType":"scan"}`,
		"report-scan-trend":               `{"queryType":"scanTrend","interval":"2d"}`,
		"report-inventory":                `{"queryType":"inventory"}`,
		"report-inventory-apis":           `{"queryType":"inventory","groupBy":"api"}`,
		"report-inventory-collections":    `{"queryType":"inventory","groupBy":"collection"}`,
	}
	var queries []backend.DataQuery
	for ref, js := range cases {
		queries = append(queries, backend.DataQuery{RefID: ref, JSON: json.RawMessage(js), TimeRange: tr})
	}
	queries = append(queries,
		backend.DataQuery{RefID: "bad-group", JSON: json.RawMessage(`{"queryType":"auditIssues","groupBy":"owner"}`), TimeRange: tr},
		backend.DataQuery{RefID: "bad-interval", JSON: json.RawMessage(`{"queryType":"scanTrend","interval":"often"}`), TimeRange: tr},
		backend.DataQuery{RefID: "bad-grades", JSON: json.RawMessage(`{"queryType":"audit","grades":{"good":10,"critical":50}}`), TimeRange: tr},
	)
	resp, err := ds.QueryData(context.Background(), &backend.QueryDataRequest{Queries: queries})
	if err != nil {
		t.Fatal(err)
	}
	for ref := range cases {
		r := resp.Responses[ref]
		experimental.CheckGoldenJSONResponse(t, "testdata", ref, &r, os.Getenv("UPDATE_GOLDEN") == "1")
	}
	for _, ref := range []string{"bad-group", "bad-interval", "bad-grades"} {
		r := resp.Responses[ref]
		if r.Error == nil || r.ErrorSource != backend.ErrorSourceDownstream || r.Status != backend.StatusBadRequest {
			t.Errorf("%s: want a bad-request downstream error, got %+v", ref, r)
		}
	}
}

func TestReportHealth(t *testing.T) {
	reportRoot, logRoot := reportFixture(t)
	cases := []struct {
		name     string
		jsonData string
		status   backend.HealthStatus
		contains string
	}{
		{"reports", `{"logRoots":["` + logRoot + `"],"reportRoots":["` + reportRoot + `"]}`, backend.HealthStatusOk,
			"; 10 report file(s): 5 audit(s), 2 scan(s), 2 SQG result(s) for 4 API(s), 1 inventory file(s), 1 report(s) not mapped to an API (first: " +
				filepath.Join(reportRoot, "orphan-2026-01-02.json") + "), shown as unmapped APIs named after their OpenAPI title, fileId or path " +
				"(map them with an inventory match pattern or the API's UUID in the file name), 1 bad report file(s) skipped (first: " + filepath.Join(reportRoot, "broken.json") + `: scan report: unknown scan report version "9.0")`},
		{"empty report root adds nothing", `{"logRoots":["` + logRoot + `"],"reportRoots":["` + t.TempDir() + `"]}`, backend.HealthStatusOk, "record(s)."},
		{"missing report root", `{"logRoots":["` + logRoot + `"],"reportRoots":["/nonexistent/reports"]}`, backend.HealthStatusError,
			"report root /nonexistent/reports: directory does not exist"},
		{"relative report root", `{"logRoots":["` + logRoot + `"],"reportRoots":["reports"]}`, backend.HealthStatusError, `report root "reports" is not an absolute path`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := newTestDatasource(t, c.jsonData).CheckHealth(context.Background(), &backend.CheckHealthRequest{})
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != c.status || !strings.Contains(res.Message, c.contains) {
				t.Fatalf("got %v %q, want %v containing %q", res.Status, res.Message, c.status, c.contains)
			}
		})
	}
}
