package reports

import (
	"encoding/base64"
	"testing"

	"github.com/apifw/monitor/pkg/model"
)

// Every parser must survive any input: no panic, and what it accepts has
// sane counters.

func checkCounts(t *testing.T, what string, c model.SeverityCounts) {
	for _, n := range c {
		if n < 0 {
			t.Fatalf("%s: negative count in %v", what, c)
		}
	}
}

func FuzzAuditReport(f *testing.F) {
	f.Add([]byte(restAudit))
	f.Add([]byte(`{"score":-2.4,"valid":true,"issueCounter":3,"issues":{"x":{"counter":3,"occurrences":[{"score":-1}]}}}`))
	f.Add([]byte(`{"score":1,"data":{"issues":{"a":{"criticality":9,"issueCounter":-5,"issues":[1,{"criticality":"3"}]}}}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := ParseAudit(b)
		if err != nil {
			return
		}
		if a.Score == nil {
			t.Fatal("accepted an audit without score")
		}
		checkCounts(t, "audit", a.Counts)
		for _, is := range a.Issues {
			checkCounts(t, is.ID, is.Counts)
		}
	})
}

func FuzzScanReport(f *testing.F) {
	f.Add([]byte(`{"scanReportVersion":"2.2.1","summary":{"totalRequest":3,"issues":2,"mediumIssues":1},"paths":{"/a":{"get":{"totalRequest":3,"issues":[{"status":"unexpected","criticality":3},{"status":"expected"}]}}}}`))
	f.Add([]byte(`{"scanReportVersion":"3.0.0","summary":{"issues":{"total":1,"high":1},"conformanceTestRequests":{"executed":{"total":2,"responses":{"correct":1,"mismatch":{"conformant":1}}}}},"index":{"testKeys":["k"]},"operations":{"o":{"conformanceRequestsResults":[{"test":{"key":0},"outcome":{"status":"error"}}]}}}`))
	f.Add([]byte(`{"summary":{"totalRequest":-1},"paths":{"/":{"x":{"issues":[null,{}]}}}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := ParseScan(b)
		if err != nil {
			return
		}
		checkCounts(t, "scan", s.Counts)
		if s.Requests < 0 || s.RequestsFailed < 0 || s.RequestsSucceeded < 0 || s.OperationsExecuted < 0 || s.OperationsFailed < 0 {
			t.Fatalf("request counters %+v", s)
		}
		if s.IssuesTotal != s.Counts.Total() {
			t.Fatalf("issue total %d, counts %v", s.IssuesTotal, s.Counts)
		}
	})
}

func FuzzSARIF(f *testing.F) {
	f.Add([]byte(`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"42Crunch API Conformance Scan","rules":[{"id":"r","properties":{"security-severity":"9.5"}}]}},"results":[{"ruleIndex":0,"level":"error"},{"ruleId":"r","level":"none"}]}]}`))
	f.Add([]byte(`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"invocations":[{"endTimeUtc":"2026-01-01T00:00:00Z"}],"results":[{"ruleIndex":-3},{"kind":"pass"}]}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		audits, scans, err := ParseSARIF(b)
		if err != nil {
			return
		}
		for _, a := range audits {
			checkCounts(t, "sarif audit", a.Counts)
		}
		for _, s := range scans {
			if s.RequestsSucceeded+s.RequestsFailed != s.Requests {
				t.Fatalf("requests %+v", s)
			}
		}
	})
}

func FuzzSQGResult(f *testing.F) {
	f.Add([]byte(`{"acceptance":"no","sqgsDetail":[{"id":"g","name":"G"}],"processingDetails":[{"blockingSqgId":"g","blockingRules":["r"]}]}`))
	f.Add([]byte(`{"audit":{"report":{"a.json":{"apiId":"x","score":70,"failures":["The API failed the security quality gate \"default\" - x"]}}}}`))
	f.Add([]byte(`{"compliance":{"acceptance":true},"apiId":"y"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		rs, err := ParseSQG(b)
		if err != nil {
			return
		}
		for _, r := range rs {
			if r.Origin.Format == model.FormatCIReport && r.Pass != (len(r.Failures) == 0) {
				t.Fatalf("pass %v with failures %v", r.Pass, r.Failures)
			}
		}
	})
}

func FuzzInventory(f *testing.F) {
	f.Add([]byte("apis:\n  - {id: a, collection: c, team: t, tags: [x]}\nteams: [{id: t, users: [u]}]\nusers: [u, {id: v, teams: [t]}]\n"))
	f.Add([]byte(`{"apis":[{"id":"a","match":"*.json"}],"collections":["c"]}`))
	f.Add([]byte("a: &a [*a]\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		inv, err := ParseInventory(b)
		if err != nil {
			return
		}
		for _, a := range inv.APIs {
			if a.ID == "" {
				t.Fatal("accepted an API without id")
			}
		}
		newCatalogue(inv) // resolving references must not panic either
	})
}

// FuzzRecognise runs the whole recognition, envelopes included.
func FuzzRecognise(f *testing.F) {
	f.Add([]byte(restAudit), false)
	f.Add([]byte(`{"aid":"x","date":"2026-01-01T00:00:00Z","data":"`+base64.StdEncoding.EncodeToString([]byte(`{"scanReportVersion":"2.2.0","summary":{}}`))+`"}`), false)
	f.Add([]byte(`{"tid":"t","data":{"aid":"nested","data":{}}}`), false)
	f.Add([]byte("apis: []\n"), true)
	f.Fuzz(func(t *testing.T, b []byte, yaml bool) {
		p, err := Parse(b, yaml)
		if err != nil {
			return
		}
		for _, a := range p.Audits {
			if a.Score == nil && a.Origin.Format != model.FormatSARIFAudit {
				t.Fatalf("%s audit without score", a.Origin.Format)
			}
		}
		if p.Inventory != nil && p.Records() > 0 {
			t.Fatal("a file is either an inventory or reports")
		}
	})
}
