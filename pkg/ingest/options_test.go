package ingest

import (
	"strings"
	"testing"
	"time"

	"github.com/apifw/monitor/pkg/model"
)

func TestMatchGlob(t *testing.T) {
	cases := []struct {
		pattern, rel string
		want         bool
	}{
		{"*.stdout.log", "fw.stdout.log", true},
		{"*.stdout.log", "a/b/fw.stdout.log", true}, // no slash: base name at any depth
		{"*.stdout.log.*", "fw.stdout.log.1", true},
		{"fw-2/*", "fw-2/api-a.transaction.log", true},
		{"fw-2/*", "fw-1/api-a.transaction.log", false},
		{"fw-2/*", "fw-2/sub/api-a.transaction.log", false},
		{"**/api-*", "api-a.transaction.log", true},
		{"**/api-*", "x/y/api-a.transaction.log", true},
		{"pods/**/*.log", "pods/ns_pod_1/guardian/0.log", true},
		{"pods/**/*.log", "other/ns_pod_1/guardian/0.log", false},
		{"fw-1/**", "fw-1/a/b", true},
		{"[", "x", false},
	}
	for _, c := range cases {
		if got := matchGlob(c.pattern, c.rel); got != c.want {
			t.Errorf("matchGlob(%q, %q) = %v", c.pattern, c.rel, got)
		}
	}
}

func TestOptionsValidate(t *testing.T) {
	cases := []struct {
		name string
		opts Options
		want string // part of the error; "" for none
	}{
		{"defaults", Options{}, ""},
		{"unit", Options{EpochUnit: "weeks"}, "dateEpochUnit"},
		{"glob", Options{Exclude: []string{"a/["}}, "glob"},
		{"empty glob", Options{Include: []string{" "}}, "empty glob"},
		{"two settings on one path", Options{Paths: JSONPaths{Method: "uri_path"}}, "two settings"},
		{"value and object", Options{Paths: JSONPaths{Instance: "pod", Hostname: "pod.host"}}, "both a value and an object"},
		{"empty key", Options{Paths: JSONPaths{UUID: "meta..id"}}, "empty key"},
		{"moved paths", Options{Paths: JSONPaths{UUID: "meta.id", Instance: "meta.pod"}}, ""},
		{"unknown outcome", Options{Rules: OutcomeRules{Rules: []OutcomeRule{{Outcome: "denied"}}}}, "outcome"},
		{"bad status", Options{Rules: OutcomeRules{Rules: []OutcomeRule{{Outcome: "blocked", Status: []string{"4x"}}}}}, "status"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.opts.Validate()
			if (err == nil) != (c.want == "") || (err != nil && !strings.Contains(err.Error(), c.want)) {
				t.Fatalf("Validate() = %v, want %q", err, c.want)
			}
		})
	}
}

func TestConfigurableOutcomeRules(t *testing.T) {
	// A deployment where 429s count as would-block (rate limiting only
	// warns) and blocking level 0 means monitor-only.
	rules := OutcomeRules{Rules: []OutcomeRule{
		{Outcome: "unmatched", UnknownSource: ptr(true)},
		{Outcome: "would-block", Status: []string{"429"}},
		{Outcome: "wouldBlock", HasErrors: ptr(true), BlockingLevel: []int{0}},
		{Outcome: "blocked", HasErrors: ptr(true), Status: []string{"4xx", "5xx"}},
	}, Otherwise: "allowed"}
	rs, err := compileRules(rules)
	if err != nil {
		t.Fatal(err)
	}
	errs := []model.TransactionError{{Step: "rate_limiting"}}
	cases := []struct {
		name    string
		tx      model.Transaction
		unknown bool
		want    model.Outcome
	}{
		{"unknown file", model.Transaction{APIID: "a"}, true, model.OutcomeUnmatched},
		{"rate limited", model.Transaction{APIID: "a", Status: 429, Errors: errs, BlockingLevel: 3}, false, model.OutcomeWouldBlock},
		{"level 0", model.Transaction{APIID: "a", Status: 403, Errors: errs, BlockingLevel: 0}, false, model.OutcomeWouldBlock},
		{"blocked 4xx", model.Transaction{APIID: "a", Status: 403, Errors: errs, BlockingLevel: 1}, false, model.OutcomeBlocked},
		{"errors but 200", model.Transaction{APIID: "a", Status: 200, Errors: errs, BlockingLevel: 1}, false, model.OutcomeAllowed},
		{"api n/a is not a rule here", model.Transaction{APIID: "n/a", Status: 404}, false, model.OutcomeAllowed},
	}
	for _, c := range cases {
		if got := rs.classify(&c.tx, c.unknown); got != c.want {
			t.Errorf("%s: got %s want %s", c.name, got, c.want)
		}
	}
}

func TestParseRecordMovedPaths(t *testing.T) {
	opts := Options{Now: fixedNow, EpochUnit: EpochSeconds, Paths: JSONPaths{
		UUID: "meta.id", DateEpoch: "meta.when", Instance: "meta.node", SourceIP: "client.ip",
		Errors: "findings", ErrorStep: "where", ErrorMessage: "what.text",
	}}
	line := `{"meta":{"id":"m1","when":1708435479,"node":"fw-9"},"client":{"ip":"10.1.2.3"},"api":"a",` +
		`"findings":[{"where":"request_validation","what":{"text":"bad"}}],"uuid":"ignored"}`
	tx, err := ParseRecord([]byte(line), opts)
	if err != nil {
		t.Fatal(err)
	}
	if tx.UUID != "m1" || tx.Time.Unix() != 1708435479 || tx.Instance != "fw-9" || tx.ClientIP != "10.1.2.3" ||
		len(tx.Errors) != 1 || tx.Errors[0].Step != "request_validation" || tx.Errors[0].Message != "bad" ||
		tx.Outcome != model.OutcomeBlocked {
		t.Fatalf("%+v", tx)
	}
	if _, err := ParseRecord([]byte(`{"meta":"x","uuid":"u"}`), opts); err == nil || !strings.Contains(err.Error(), "meta") {
		t.Fatalf("a string where an object belongs: %v", err)
	}
}

func TestParseRecordRepairsInvalidUTF8(t *testing.T) {
	dir := t.TempDir()
	line := "{\"uuid\":\"u1\",\"date_epoch\":" + itoa(time.Now().Add(-time.Minute).UnixMicro()) + ",\"uri_path\":\"/a\xffb\"}\n"
	path := dir + "/api-a.transaction.log"
	writeFile(t, path, line)
	var got []model.Transaction
	res, err := ReadFile(SourceFile{Path: path, Instance: "i"}, Options{}, func(tx model.Transaction) { got = append(got, tx) })
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Path != "/a\uFFFDb" || len(res.Bad) != 1 || !res.Bad[0].Kept || !strings.Contains(res.Bad[0].Reason, "uri_path") {
		t.Fatalf("records %+v bad %+v", got, res.Bad)
	}
}

func TestParseDetailShapes(t *testing.T) {
	raw := `{"uuid":"u1","date_epoch":1708435479176141,"pod":{"instance_name":"fw"},"blocking_level":"3",` +
		`"params":{"path":[],"query":{"q":"1","n":2},"request_header":[{"Host":"h"},{"X-Twice":"a"},{"X-Twice":"b"}],` +
		`"response_header":{"Content-Type":"application/json"},"cookies":[]},` +
		`"traces":[{"step":"request_fetching","depth":1,"date_epoch":1708435479185450,"duration":1737},null],` +
		`"errors":[{"step":"s","message":"m"}],"customs":{"team":"blue"},"request_body":"c2VjcmV0",` +
		`"status":{"oops":1},"future_key":{"a":1}}`
	d, err := ParseDetail([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	hdr := func(hs []model.Header) string {
		var parts []string
		for _, h := range hs {
			parts = append(parts, h.Name+"="+h.Value)
		}
		return strings.Join(parts, ",")
	}
	if d.Instance != "fw" || d.BlockingLevel != 3 || d.Time.UnixMicro() != 1708435479176141 ||
		hdr(d.QueryParams) != "q=1,n=2" || hdr(d.RequestHeaders) != "Host=h,X-Twice=a,X-Twice=b" ||
		hdr(d.ResponseHeaders) != "Content-Type=application/json" || len(d.PathParams) != 0 {
		t.Fatalf("detail %+v", d)
	}
	if len(d.Traces) != 1 || d.Traces[0].DurationUS != 1737 || d.Traces[0].Time.UnixMicro() != 1708435479185450 {
		t.Fatalf("traces %+v", d.Traces)
	}
	if !d.BodiesOmitted || len(d.Customs) != 1 || d.Customs[0].Value != `"blue"` {
		t.Fatalf("bodies %v customs %+v", d.BodiesOmitted, d.Customs)
	}
	if len(d.Unknown) != 2 || d.Unknown[0].Key != "params.cookies" || d.Unknown[1].Key != "future_key" || d.Unknown[1].Value != `{"a":1}` {
		t.Fatalf("unknown %+v", d.Unknown)
	}
	if len(d.Problems) != 1 || !strings.Contains(d.Problems[0], "status") {
		t.Fatalf("problems %v", d.Problems)
	}
	stripped, err := StripBodies([]byte(raw))
	if err != nil || strings.Contains(string(stripped), "request_body") || !strings.Contains(string(stripped), `"future_key":{"a":1}`) {
		t.Fatalf("stripped %s %v", stripped, err)
	}
}
