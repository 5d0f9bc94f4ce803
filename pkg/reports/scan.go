package reports

import (
	"fmt"
	"sort"
	"strings"

	"github.com/apifw/monitor/pkg/model"
)

func looksLikeScan(o obj) bool {
	if o.has("scanReportVersion") || o.has("scanVersion") {
		return true
	}
	return o.obj("summary") != nil && (o.has("paths") || o.has("operations"))
}

// parseScan reads a conformance scan report of either generation: the
// version decides (scanReportVersion 2.x or 3.x); without one (scan 2.2.0
// wrote none) the shape does.
func parseScan(o obj) (model.ScanReport, error) {
	version := strings.TrimSpace(o.str("scanReportVersion"))
	if version == "" && o.has("scanReportVersion") && o["scanReportVersion"] != nil {
		return model.ScanReport{}, fmt.Errorf("scanReportVersion is %s, want a string", typeName(o["scanReportVersion"]))
	}
	sum, err := o.requiredObj("summary")
	if err != nil {
		return model.ScanReport{}, err
	}
	switch {
	case version == "":
		if sum.obj("issues") != nil || sum.obj("operations") != nil {
			return parseScan3(o, sum, version), nil
		}
		return parseScan2(o, sum, version), nil
	case checkMajor("scan report", version, 2) == nil:
		return parseScan2(o, sum, version), nil
	case checkMajor("scan report", version, 3) == nil:
		return parseScan3(o, sum, version), nil
	}
	return model.ScanReport{}, checkMajor("scan report", version)
}

func scanBase(o, sum obj, format, version string) model.ScanReport {
	s := model.ScanReport{State: sum.str("state"), ExitCode: sum.int("exitCode"), Host: o.str("host")}
	s.Origin.Format, s.Origin.Version = format, version
	if s.Origin.Version == "" {
		s.Origin.Version = o.str("scanVersion")
	}
	s.Start, s.End = sum.time("startDate"), sum.time("endDate")
	s.Time = s.End
	if s.Time.IsZero() {
		s.Time = s.Start
	}
	return s
}

// parseScan2 reads a 2.x report: summary counters and paths[path][method]
// with the test requests as "issues". A request counts as failed unless its
// status is "expected": reports written with errorsOnly list only failures
// and may omit the status.
func parseScan2(o, sum obj, version string) model.ScanReport {
	s := scanBase(o, sum, model.FormatScan2, version)
	s.Counts[model.SeverityCritical] = sum.count("criticalIssues")
	s.Counts[model.SeverityHigh] = sum.count("highIssues")
	s.Counts[model.SeverityMedium] = sum.count("mediumIssues")
	s.Counts[model.SeverityLow] = sum.count("lowIssues")
	s.Counts[model.SeverityInfo] = sum.count("infoIssues")
	s.IssuesTotal = sum.count("issues")
	s.Requests = sum.count("totalRequest")
	keys := o.obj("index").strs("injectionKeys")
	issues := map[scanIssueKey]int{}
	for _, methods := range o.obj("paths") {
		for _, v := range asObj(methods) {
			op := asObj(v)
			if op == nil {
				continue
			}
			if op.count("totalRequest") > 0 {
				s.OperationsExecuted++
			}
			if strings.Contains(op.str("reason"), "happy-path") {
				s.OperationsFailed++
			}
			for _, e := range op.arr("issues") {
				is := asObj(e)
				if is == nil || is.str("status") == "expected" {
					continue
				}
				s.RequestsFailed++
				issues[scanIssueKey{indexed(is["injectionKey"], keys), model.SeverityFromCriticality(is.int("criticality"))}]++
			}
		}
	}
	if s.RequestsFailed > s.Requests {
		s.Requests = s.RequestsFailed
	}
	s.RequestsSucceeded = s.Requests - s.RequestsFailed
	finishScan(&s, issues)
	return s
}

// parseScan3 reads a 3.x report (scan v2): summary.issues by severity, the
// test families' executed.responses and errors, and per operation the test
// results (those that are not "correct" are the failures).
func parseScan3(o, sum obj, version string) model.ScanReport {
	s := scanBase(o, sum, model.FormatScan3, version)
	s.APIID = strings.TrimSpace(sum.str("apiID"))
	if s.APIID == "" {
		s.APIID = strings.TrimSpace(sum.str("apiId"))
	}
	if iss := sum.obj("issues"); iss != nil {
		s.Counts[model.SeverityCritical] = iss.count("critical")
		s.Counts[model.SeverityHigh] = iss.count("high")
		s.Counts[model.SeverityMedium] = iss.count("medium")
		s.Counts[model.SeverityLow] = iss.count("low")
		s.Counts[model.SeverityInfo] = iss.count("info")
		s.IssuesTotal = iss.count("total")
	} else {
		s.IssuesTotal = sum.count("issues")
	}
	families := make([]string, 0, 4)
	for k := range sum {
		if strings.HasSuffix(k, "TestRequests") {
			families = append(families, k)
		}
	}
	sort.Strings(families)
	for _, k := range families {
		ex := sum.obj(k).obj("executed")
		if ex == nil {
			continue
		}
		resp := ex.obj("responses")
		correct := outcomeCount(resp["correct"])
		failed := outcomeCount(resp["mismatch"]) + outcomeCount(resp["defective"]) + errorCount(ex["errors"])
		total := ex.count("total")
		if total == 0 {
			total = correct + failed
		}
		s.Requests += total
		s.RequestsSucceeded += correct
		s.RequestsFailed += failed
	}
	if ops := sum.obj("operations"); ops != nil {
		s.OperationsExecuted = ops.obj("executed").count("total")
		if ops.has("happyPathFailure") {
			s.OperationsFailed = ops.count("happyPathFailure")
		} else {
			s.OperationsFailed = ops.obj("executed").count("failed")
		}
	}
	keys := o.obj("index").strs("testKeys")
	issues := map[scanIssueKey]int{}
	for _, v := range o.obj("operations") {
		op := asObj(v)
		for _, list := range []string{"conformanceRequestsResults", "customRequestsResults", "authorizationRequestsResults"} {
			for _, e := range op.arr(list) {
				r := asObj(e)
				out := r.obj("outcome")
				if out == nil || out.str("status") == "correct" {
					continue
				}
				issues[scanIssueKey{indexed(r.obj("test")["key"], keys), model.SeverityFromCriticality(out.int("criticality"))}]++
			}
		}
	}
	finishScan(&s, issues)
	return s
}

type scanIssueKey struct {
	test string
	sev  model.Severity
}

// finishScan makes the issue counters agree (a summary total above the
// severity counts is unrated issues) and lists the failed tests by key.
func finishScan(s *model.ScanReport, issues map[scanIssueKey]int) {
	if d := s.IssuesTotal - s.Counts.Total(); d > 0 {
		s.Counts[model.SeverityNone] += d
	}
	s.IssuesTotal = s.Counts.Total()
	for k, n := range issues {
		s.Issues = append(s.Issues, model.ScanIssue{TestKey: k.test, Severity: k.sev, Count: n})
	}
	sort.Slice(s.Issues, func(i, j int) bool {
		a, b := s.Issues[i], s.Issues[j]
		if a.TestKey != b.TestKey {
			return a.TestKey < b.TestKey
		}
		return a.Severity > b.Severity
	})
}

// indexed resolves a value that indexed reports replace by its position in
// an index array.
func indexed(v any, index []string) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		if i := int(x); float64(i) == x && i >= 0 && i < len(index) {
			return index[i]
		}
	}
	return ""
}

// outcomeCount reads a responses counter: a number, or {conformant, notConformant}.
func outcomeCount(v any) int {
	if m := asObj(v); m != nil {
		return m.count("conformant") + m.count("notConformant")
	}
	return toCount(v)
}

func errorCount(v any) int {
	if m := asObj(v); m != nil {
		return m.count("total")
	}
	return toCount(v)
}
