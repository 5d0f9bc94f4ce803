package reports

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/apifw/monitor/pkg/model"
)

func looksLikeSQG(o obj) bool {
	return o.has("acceptance") || o.obj("compliance").has("acceptance")
}

// parseSQG reads the platform's SQG compliance result: acceptance yes/no, the
// gates applied (sqgsDetail) and what blocked (processingDetails). It may
// stand alone or sit under "compliance" next to an apiId.
func parseSQG(o obj) (model.SQGResult, error) {
	var r model.SQGResult
	c := o
	if inner := o.obj("compliance"); inner != nil {
		c = inner
	}
	switch v := c["acceptance"].(type) {
	case string:
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "yes", "true", "pass", "passed":
			r.Pass = true
		case "no", "false", "fail", "failed":
		default:
			return r, fmt.Errorf("acceptance is %q, want yes or no", v)
		}
	case bool:
		r.Pass = v
	default:
		return r, fmt.Errorf("acceptance is %s, want yes or no", typeName(v))
	}
	r.Origin.Format = model.FormatSQG
	r.APIID = strings.TrimSpace(o.str("apiId"))
	if r.APIID == "" {
		r.APIID = strings.TrimSpace(c.str("apiId"))
	}
	r.Time = o.time("date")
	for _, v := range c.arr("sqgsDetail") {
		g := asObj(v)
		if name := firstNonEmpty(g.str("name"), g.str("id")); name != "" {
			r.Gates = append(r.Gates, name)
		}
	}
	for _, v := range c.arr("processingDetails") {
		d := asObj(v)
		if id := d.str("blockingSqgId"); id != "" {
			r.BlockingGates = append(r.BlockingGates, gateName(c, id))
		}
		r.BlockingRules = append(r.BlockingRules, d.strs("blockingRules")...)
	}
	return r, nil
}

// gateName turns a blocking gate id into its name when sqgsDetail has it.
func gateName(c obj, id string) string {
	for _, v := range c.arr("sqgsDetail") {
		if g := asObj(v); g.str("id") == id && g.str("name") != "" {
			return g.str("name")
		}
	}
	return id
}

func looksLikeCIReport(o obj) bool {
	return o.obj("audit").has("report")
}

var failedGate = regexp.MustCompile(`quality gate "([^"]+)"`)

// parseCIReport reads the audit CI integration's report.json: per audited
// file its apiId, score and the SQG failure messages. No failures is a pass.
func parseCIReport(o obj) ([]model.SQGResult, error) {
	rep, err := o.obj("audit").requiredObj("report")
	if err != nil {
		return nil, fmt.Errorf("audit.%w", err)
	}
	files := make([]string, 0, len(rep))
	for f := range rep {
		files = append(files, f)
	}
	sort.Strings(files)
	var out []model.SQGResult
	for _, f := range files {
		e := rep.obj(f)
		if e == nil {
			return nil, fmt.Errorf("audit.report[%q] is %s, want an object", f, typeName(rep[f]))
		}
		r := model.SQGResult{Failures: e.strs("failures")}
		r.Origin.Format = model.FormatCIReport
		r.APIID = strings.TrimSpace(e.str("apiId"))
		r.OpenAPIFiles = []string{f}
		r.Pass = len(r.Failures) == 0
		if s, ok := e.num("score"); ok {
			r.Score = ptr(s)
		}
		seen := map[string]bool{}
		for _, msg := range r.Failures {
			if m := failedGate.FindStringSubmatch(msg); m != nil && !seen[m[1]] {
				seen[m[1]] = true
				r.BlockingGates = append(r.BlockingGates, m[1])
			}
		}
		out = append(out, r)
	}
	return out, nil
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
