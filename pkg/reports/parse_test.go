package reports

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/apifw/monitor/pkg/model"
)

const restAudit = `{"apiId":"","assessmentReportVersion":"1.0.1","openapiState":"valid","valid":true,"score":71.5,"criticality":5,
 "summary":{"apiName":"Pets"},
 "data":{"score":50,"issues":{"v3-schema-x":{"description":"d","criticality":3,"issueCounter":40,"issues":[{"criticality":3},{"criticality":2}]}},
  "subgroupIssueCounter":{"schema":{"none":0,"info":0,"low":1,"medium":39,"high":0,"critical":0}}},
 "security":{"score":21.5,"issues":{"v3-global-security":{"criticality":5,"issues":[{"pointer":1}]}},
  "subgroupIssueCounter":{"authentication":{"critical":1}}}}`

func TestParseRecognisesEachFormat(t *testing.T) {
	b64 := base64.StdEncoding.EncodeToString([]byte(restAudit))
	cases := []struct {
		name    string
		content string
		check   func(t *testing.T, p Parsed)
	}{
		{"rest audit", restAudit, func(t *testing.T, p Parsed) {
			a := p.Audits[0]
			// 2 listed occurrences, 40 counted: the other 38 get the issue's criticality.
			if a.Counts != counts(1, 0, 39, 1, 0, 0) || *a.Score != 71.5 || *a.DataScore != 50 || a.APIName != "Pets" || len(a.Subgroups) != 2 {
				t.Errorf("%+v", a)
			}
		}},
		{"enveloped base64", `{"tid":"t","aid":"api-1","cid":"col-1","date":"2026-01-02T03:04:05Z","enc":"base64","data":"` + b64 + `"}`, func(t *testing.T, p Parsed) {
			a := p.Audits[0]
			if a.APIID != "api-1" || a.CollectionID != "col-1" || !a.Time.Equal(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)) || !a.Origin.Enveloped {
				t.Errorf("%+v", a.ReportRef)
			}
		}},
		{"enveloped as JSON text", `{"aid":"api-2","data":` + quote(restAudit) + `}`, func(t *testing.T, p Parsed) {
			if p.Audits[0].APIID != "api-2" || !p.Audits[0].Time.IsZero() {
				t.Errorf("%+v", p.Audits[0].ReportRef)
			}
		}},
		{"scan 3", `{"scanReportVersion":"3.0.0","summary":{"apiID":"api-3","state":"success","startDate":"2026-01-01T00:00:00Z","endDate":"2026-01-01T00:05:00Z",
			"issues":{"total":3,"critical":1,"high":0,"medium":2},
			"operations":{"executed":{"total":4,"success":3,"failed":1},"happyPathFailure":1},
			"conformanceTestRequests":{"executed":{"total":10,"responses":{"correct":{"conformant":6,"notConformant":1},"mismatch":{"conformant":1,"notConformant":0},"defective":{"conformant":0,"notConformant":1}},"errors":{"total":1}}},
			"authorizationTestRequests":{"executed":{"total":2,"responses":{"correct":2}}}},
			"operations":{"op1":{"conformanceRequestsResults":[{"test":{"key":"schema-x"},"outcome":{"status":"mismatch","criticality":3}},{"test":{"key":"schema-y"},"outcome":{"status":"correct"}}]}}}`,
			func(t *testing.T, p Parsed) {
				s := p.Scans[0]
				if s.Origin.Format != model.FormatScan3 || s.APIID != "api-3" || s.State != "success" || s.Requests != 12 ||
					s.RequestsSucceeded != 9 || s.RequestsFailed != 3 || s.Counts != counts(1, 0, 2, 0, 0, 0) ||
					s.OperationsExecuted != 4 || s.OperationsFailed != 1 || !s.Time.Equal(time.Date(2026, 1, 1, 0, 5, 0, 0, time.UTC)) ||
					len(s.Issues) != 1 || s.Issues[0].TestKey != "schema-x" {
					t.Errorf("%+v", s)
				}
			}},
		{"sarif audit", `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"42Crunch REST API Static Security Testing",
			"rules":[{"id":"v3-a","shortDescription":{"text":"A"},"properties":{"category":"security","subcategory":"transport","security-severity":"9.5"}},{"id":"v3-b"}]}},
			"invocations":[{"startTimeUtc":"2026-01-03T10:00:00Z","endTimeUtc":"2026-01-03T10:00:02Z"}],
			"artifacts":[{"location":{"uri":"file:///src/pets.yaml"}}],
			"results":[{"ruleId":"v3-a","level":"error"},{"ruleIndex":1,"level":"note"},{"ruleId":"v3-b","level":"none"}]}]}`,
			func(t *testing.T, p Parsed) {
				a := p.Audits[0]
				if a.Origin.Format != model.FormatSARIFAudit || a.Score != nil || a.Counts != counts(1, 0, 0, 1, 0, 0) ||
					!a.Time.Equal(time.Date(2026, 1, 3, 10, 0, 2, 0, time.UTC)) || a.OpenAPIFiles[0] != "file:///src/pets.yaml" ||
					a.Issues[0].Category != "security" || a.Issues[0].Subcategory != "transport" || a.Issues[0].Description != "A" {
					t.Errorf("%+v", a)
				}
			}},
		{"sqg compliance", `{"apiId":"api-4","date":"2026-01-04T00:00:00Z","acceptance":"no","sqgsDetail":[{"id":"g1","name":"Strict"}],
			"processingDetails":[{"blockingSqgId":"g1","blockingRules":["minimumScore"]}]}`, func(t *testing.T, p Parsed) {
			r := p.SQGs[0]
			if r.Pass || r.APIID != "api-4" || r.Gates[0] != "Strict" || r.BlockingGates[0] != "Strict" || r.BlockingRules[0] != "minimumScore" {
				t.Errorf("%+v", r)
			}
		}},
		{"json inventory", `{"apis":[{"id":"a1","tags":"pci, public"}]}`, func(t *testing.T, p Parsed) {
			if p.Inventory == nil || len(p.Inventory.APIs[0].Tags) != 2 {
				t.Errorf("%+v", p.Inventory)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := Parse([]byte(c.content), false)
			if err != nil {
				t.Fatal(err)
			}
			c.check(t, p)
		})
	}
}

func quote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}

func TestParseRejectsBadInput(t *testing.T) {
	cases := []struct{ name, content, reason string }{
		{"empty", "  \n", "empty file"},
		{"truncated", restAudit[:200], "invalid JSON"},
		{"malformed", `{"score": 1,,}`, "invalid JSON at byte"},
		{"array", `[1,2]`, "want an object"},
		{"score as string", `{"score":"high","openapiState":"valid"}`, "score is a string, want a number"},
		{"unknown audit version", `{"score":1,"assessmentReportVersion":"7.0.0","data":{}}`, `unknown audit report version "7.0.0"`},
		{"unknown scan version", `{"scanReportVersion":"4.1.0","summary":{}}`, `unknown scan report version "4.1.0"`},
		{"scan version wrong type", `{"scanReportVersion":3,"summary":{}}`, "scanReportVersion is a number"},
		{"scan without summary", `{"scanReportVersion":"2.2.1","paths":{}}`, "summary is missing"},
		{"unknown sarif version", `{"version":"1.0.0","runs":[]}`, `unknown SARIF version "1.0.0"`},
		{"sarif runs wrong type", `{"version":"2.1.0","runs":{}}`, "runs is an object"},
		{"acceptance maybe", `{"acceptance":"maybe"}`, `acceptance is "maybe"`},
		{"ci report entry wrong type", `{"audit":{"report":{"a.json":"yes"}}}`, `audit.report["a.json"] is a string`},
		{"envelope not base64", `{"aid":"x","data":"%%%"}`, "neither base64 nor JSON"},
		{"envelope of garbage", `{"aid":"x","data":"` + base64.StdEncoding.EncodeToString([]byte("{oops")) + `"}`, "envelope data (base64): invalid JSON"},
		{"envelope of unknown", `{"aid":"x","data":{"hello":1}}`, "envelope data: not a recognised"},
		{"inventory api without id", `{"apis":[{"name":"x"}]}`, "apis[0]: id is missing"},
		{"inventory apis wrong type", `{"apis":{"id":"x"}}`, "apis is an object, want a list"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse([]byte(c.content), false)
			if err == nil || !strings.Contains(err.Error(), c.reason) {
				t.Fatalf("got %v, want an error containing %q", err, c.reason)
			}
		})
	}
	if _, err := Parse([]byte(`{"name":"package.json"}`), false); !errors.Is(err, ErrNotReport) {
		t.Errorf("unrelated JSON: %v", err)
	}
	if _, err := Parse([]byte("steps:\n  - run: make\n"), true); !errors.Is(err, ErrNotReport) {
		t.Errorf("unrelated YAML: %v", err)
	}
	if _, err := Parse([]byte("apis: [\n"), true); err == nil || !strings.Contains(err.Error(), "invalid YAML") {
		t.Errorf("broken YAML: %v", err)
	}
}

func TestParseInventoryYAML(t *testing.T) {
	inv, err := ParseInventory([]byte(`
collections:
  - {id: c-pay, name: Payments, technicalName: payments}
  - Photos
teams:
  - {id: t-core, name: Core, users: [alice, bob]}
users:
  - {id: alice, name: Alice, email: alice@example.test}
  - {id: carol, teams: [Core]}
apis:
  - {id: a1, name: Pets, collection: Payments, team: t-core, tags: [pci, public], match: ["pets/**"]}
  - {id: a2, owner: Core, collection: Photos}
`))
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Collections) != 2 || inv.Collections[1].Name != "Photos" || len(inv.Teams) != 1 || len(inv.Users) != 2 ||
		len(inv.APIs) != 2 || inv.APIs[0].Match[0] != "pets/**" || inv.APIs[1].Team != "Core" {
		t.Fatalf("%+v", inv)
	}
	c := newCatalogue(inv)
	if a := c.apis["a1"]; a.CollectionID != "c-pay" || a.Collection != "Payments" || a.TeamID != "t-core" || a.Team != "Core" {
		t.Errorf("a1 %+v", a)
	}
	if a := c.apis["a2"]; a.CollectionID != "Photos" || a.TeamID != "t-core" {
		t.Errorf("a2 %+v", a)
	}
	// alice (by id), bob (only a member), carol (joined through her teams).
	if len(c.users) != 3 || len(c.teamUsers["t-core"]) != 3 {
		t.Errorf("users %v members %v", c.users, c.teamUsers)
	}
}

func TestFileNameConvention(t *testing.T) {
	id := "3f1c2a9e-8b7d-4c6e-9f00-1a2b3c4d5e6f"
	cases := []struct {
		rel, api string
		date     time.Time
	}{
		{"audit.json", "", time.Time{}},
		{id + "/audit-2026-01-02.json", id, time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)},
		{"x/" + id + "/y/scan-2026-01-02T10-30-15.json", id, time.Date(2026, 1, 2, 10, 30, 15, 0, time.UTC)},
		{"PhotoManager-conformance-scan-2021-10-27-21-11.json", "", time.Date(2021, 10, 27, 21, 11, 0, 0, time.UTC)},
		{"audit-" + id + "-2026-02-30.json", id, time.Time{}}, // no 30th of February
		{"2026-01-01/audit_2026-03-04_05:06:07.json", "", time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)},
	}
	for _, c := range cases {
		if got := apiIDFromPath(c.rel); got != c.api {
			t.Errorf("%s: api %q, want %q", c.rel, got, c.api)
		}
		if got := dateFromName(c.rel); !got.Equal(c.date) {
			t.Errorf("%s: date %v, want %v", c.rel, got, c.date)
		}
	}
}

func TestMatchGlob(t *testing.T) {
	cases := []struct {
		pattern, name string
		want          bool
	}{
		{"pets/**", "pets/a/b/audit.json", true},
		{"pets/**", "pets", true},
		{"pets/**", "cats/pets/x.json", false},
		{"**/pets/*.json", "a/b/pets/x.json", true},
		{"**/pets/*.json", "pets/x.json", true},
		{"*pixi*.json", "deep/dir/OASFiles/pixi.json", true},
		{"OASFiles/pixi.json", "OASFiles/pixi.json", true},
		{"pets.yaml", "file:///src/pets.yaml", true},
		{"a/**/**/**/**/b", "a/x/y/z/b", true},
		{"a/[z", "a/b", false},
	}
	for _, c := range cases {
		if got := matchGlob(c.pattern, c.name); got != c.want {
			t.Errorf("%q ~ %q = %v, want %v", c.pattern, c.name, got, c.want)
		}
	}
}
