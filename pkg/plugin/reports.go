package plugin

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/apifw/monitor/pkg/model"
	"github.com/apifw/monitor/pkg/query"
	"github.com/apifw/monitor/pkg/reports"
)

// newReportStore is the reports store over the configured report roots.
func newReportStore(s Settings) *reports.Store {
	return reports.NewStore(reports.Config{Roots: s.ReportRoots})
}

// reportHandler answers a report query type (query.go's mux; the reports
// were refreshed before) with one frame.
func reportHandler[R any](run func(*reports.Snapshot, query.Query, query.TimeRange) (R, error), frame func(R) *data.Frame) handler {
	return func(d *Datasource, _ context.Context, r queryRequest) (data.Frames, error) {
		res, err := run(d.reports.Snapshot(), r.q, r.tr)
		if err != nil {
			return nil, err
		}
		return data.Frames{frame(res)}, nil
	}
}

// inventory also counts the APIs the transaction logs show.
func (d *Datasource) inventory(_ context.Context, r queryRequest) (data.Frames, error) {
	res, err := query.Inventory(d.reports.Snapshot(), d.store, r.q, r.tr)
	if err != nil {
		return nil, err
	}
	return data.Frames{inventoryFrame(res)}, nil
}

// reportHealth adds what the report roots hold to the health check: a
// problem per unusable root, and counts after the log roots' findings. An
// empty report root adds nothing: reports are optional.
func (d *Datasource) reportHealth(problems []string, found string) ([]string, string) {
	if len(d.settings.ReportRoots) == 0 {
		return problems, found
	}
	st := d.reports.Refresh()
	for _, r := range st.Roots {
		if r.Error != "" {
			problems = append(problems, fmt.Sprintf("report root %s: %s", r.Path, r.Error))
		}
	}
	if st.Files == 0 && st.BadFiles == 0 && st.Unmapped == 0 {
		return problems, found
	}
	found += fmt.Sprintf("; %d report file(s): %d audit(s), %d scan(s), %d SQG result(s) for %d API(s)",
		st.Files, st.Audits, st.Scans, st.SQGResults, st.APIs)
	if st.Inventories > 0 {
		found += fmt.Sprintf(", %d inventory file(s)", st.Inventories)
	}
	if st.Unmapped > 0 {
		found += fmt.Sprintf(", %d report(s) not mapped to an API (first: %s), shown as unmapped APIs named after "+
			"their OpenAPI title, fileId or path (map them with an inventory match pattern or the API's UUID in the file name)",
			st.Unmapped, st.UnmappedExamples[0].File)
	}
	if st.BadFiles > 0 {
		found += fmt.Sprintf(", %d bad report file(s) skipped (first: %s: %s)", st.BadFiles, st.BadExamples[0].File, st.BadExamples[0].Reason)
	}
	return problems, found
}

// Frame helpers. Tables carry a preferred visualisation; trends are wide
// time series (dataplane timeseries-wide); the inventory summary is one
// numeric row like stats, so alert rules can read it.

func tableFrame(name string, fields ...*data.Field) *data.Frame {
	f := data.NewFrame(name, fields...)
	f.Meta = &data.FrameMeta{PreferredVisualization: data.VisTypeTable}
	return f
}

func wideFrame(name string, fields ...*data.Field) *data.Frame {
	f := data.NewFrame(name, fields...)
	f.Meta = &data.FrameMeta{Type: data.FrameTypeTimeSeriesWide, TypeVersion: data.FrameTypeVersion{0, 1}}
	return f
}

func percent(f *data.Field) *data.Field {
	return f.SetConfig(&data.FieldConfig{Unit: "percentunit", Min: ptrConfFloat(0), Max: ptrConfFloat(1)})
}

func scoreUnit(f *data.Field) *data.Field {
	return f.SetConfig(&data.FieldConfig{Min: ptrConfFloat(0), Max: ptrConfFloat(100)})
}

func ptrConfFloat(v float64) *data.ConfFloat64 { c := data.ConfFloat64(v); return &c }

func nullableTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// apiFields are the identifying columns of every per-API table.
type apiFields struct {
	id, api, collection, team, tags []string
	mapping, hint                   []string
}

func (a *apiFields) add(c query.APIColumns) {
	a.id, a.api, a.collection, a.team = append(a.id, c.APIID), append(a.api, c.API), append(a.collection, c.Collection), append(a.team, c.Team)
	a.tags = append(a.tags, strings.Join(c.Tags, ", "))
	m := ""
	if c.Unmapped {
		m = "unmapped"
	}
	a.mapping, a.hint = append(a.mapping, m), append(a.hint, c.MappingHint)
}

// mappingFields say which APIs stand for reports nothing placed ("unmapped")
// and how to place them; they close every per-API report table.
func (a *apiFields) mappingFields() []*data.Field {
	return []*data.Field{data.NewField("mapping", nil, nonNil(a.mapping)), data.NewField("mappingHint", nil, nonNil(a.hint))}
}

func (a *apiFields) fields() []*data.Field {
	return []*data.Field{
		data.NewField("apiId", nil, nonNil(a.id)),
		// A click on an API opens its transactions in the same time range.
		data.NewField("api", nil, nonNil(a.api)).SetConfig(&data.FieldConfig{Links: []data.DataLink{{Title: "Show transactions",
			URL: explorerPath + "?api=${__data.fields.apiId}&from=${__from}&to=${__to}"}}}),
		data.NewField("collection", nil, nonNil(a.collection)), data.NewField("team", nil, nonNil(a.team)),
		data.NewField("tags", nil, nonNil(a.tags)),
	}
}

func nonNil[T any](v []T) []T {
	if v == nil {
		return []T{}
	}
	return v
}

// severityFields are one int64 column per severity, most severe first.
type severityFields [6][]int64

func (s *severityFields) add(c model.SeverityCounts) {
	for i, sev := range model.Severities {
		s[i] = append(s[i], int64(c[sev]))
	}
}

func (s *severityFields) fields() []*data.Field {
	out := make([]*data.Field, len(model.Severities))
	for i, sev := range model.Severities {
		out[i] = data.NewField(sev.String(), nil, nonNil(s[i]))
	}
	return out
}

func auditFrame(rows []query.AuditRow) *data.Frame {
	var (
		ids                          apiFields
		sev                          severityFields
		times                        []time.Time
		score, dataScore, secScore   []*float64
		valid, sqg                   []*bool
		state, grade, format, report []string
		issues                       []int64
	)
	for _, r := range rows {
		ids.add(r.APIColumns)
		sev.add(r.Counts)
		times = append(times, r.Time)
		score, dataScore, secScore = append(score, r.Score), append(dataScore, r.DataScore), append(secScore, r.SecurityScore)
		valid, sqg = append(valid, r.Valid), append(sqg, r.SQGPass)
		state, grade, format, report = append(state, r.OpenAPIState), append(grade, r.Grade), append(format, r.Format), append(report, r.Report)
		issues = append(issues, int64(r.Counts.Total()))
	}
	fields := ids.fields()
	fields = append(fields,
		data.NewField("time", nil, nonNil(times)),
		scoreUnit(data.NewField("score", nil, nonNil(score))),
		data.NewField("dataScore", nil, nonNil(dataScore)).SetConfig(&data.FieldConfig{Min: ptrConfFloat(0), Max: ptrConfFloat(70)}),
		data.NewField("securityScore", nil, nonNil(secScore)).SetConfig(&data.FieldConfig{Min: ptrConfFloat(0), Max: ptrConfFloat(30)}),
		data.NewField("valid", nil, nonNil(valid)),
		data.NewField("openapiState", nil, nonNil(state)),
		data.NewField("issues", nil, nonNil(issues)),
	)
	fields = append(fields, sev.fields()...)
	fields = append(fields,
		data.NewField("sqgPass", nil, nonNil(sqg)),
		data.NewField("grade", nil, nonNil(grade)),
		data.NewField("format", nil, nonNil(format)),
		data.NewField("report", nil, nonNil(report)),
	)
	return tableFrame("audit", append(fields, ids.mappingFields()...)...)
}

func issuesFrame(res query.IssuesResult) *data.Frame {
	var (
		severity, category, subcategory, issueID, description []string
		count, apis                                           []int64
		sev                                                   severityFields
	)
	for _, r := range res.Rows {
		severity, category, subcategory = append(severity, r.Severity), append(category, r.Category), append(subcategory, r.Subcategory)
		issueID, description = append(issueID, r.IssueID), append(description, r.Description)
		count, apis = append(count, int64(r.Count)), append(apis, int64(r.APIs))
		sev.add(r.Counts)
	}
	countFields := []*data.Field{data.NewField("count", nil, nonNil(count))}
	apisField := data.NewField("apis", nil, nonNil(apis))
	var fields []*data.Field
	switch res.GroupBy {
	case query.IssuesBySeverity:
		fields = append([]*data.Field{data.NewField("severity", nil, nonNil(severity))}, countFields...)
	case query.IssuesByCategory:
		fields = append(append([]*data.Field{data.NewField("category", nil, nonNil(category))}, countFields...), sev.fields()...)
	case query.IssuesBySubcategory:
		fields = append(append([]*data.Field{data.NewField("category", nil, nonNil(category)),
			data.NewField("subcategory", nil, nonNil(subcategory))}, countFields...), sev.fields()...)
	case query.IssuesByIssue:
		fields = append([]*data.Field{data.NewField("issueId", nil, nonNil(issueID)), data.NewField("description", nil, nonNil(description)),
			data.NewField("category", nil, nonNil(category)), data.NewField("severity", nil, nonNil(severity))}, countFields...)
	}
	return tableFrame("auditIssues", append(fields, apisField)...)
}

func auditTrendFrame(rows []query.AuditTrendRow) *data.Frame {
	var (
		times                                   []time.Time
		avg                                     []*float64
		run, audited, good, attention, critical []int64
	)
	for _, r := range rows {
		times, avg = append(times, r.Time), append(avg, r.AvgScore)
		run, audited = append(run, int64(r.AuditsRun)), append(audited, int64(r.APIsAudited))
		good, attention, critical = append(good, int64(r.Good)), append(attention, int64(r.Attention)), append(critical, int64(r.Critical))
	}
	return wideFrame("auditTrend",
		data.NewField("time", nil, nonNil(times)),
		data.NewField("auditsRun", nil, nonNil(run)),
		scoreUnit(data.NewField("avgScore", nil, nonNil(avg))),
		data.NewField("apisAudited", nil, nonNil(audited)),
		data.NewField("good", nil, nonNil(good)),
		data.NewField("attention", nil, nonNil(attention)),
		data.NewField("critical", nil, nonNil(critical)),
	)
}

func scanFrame(rows []query.ScanRow) *data.Frame {
	var (
		ids                                    apiFields
		sev                                    severityFields
		times                                  []time.Time
		format, version, state, report         []string
		issues, req, ok, failed, opsRun, opsKo []int64
		rate                                   []*float64
	)
	for _, r := range rows {
		ids.add(r.APIColumns)
		sev.add(r.Counts)
		times = append(times, r.Time)
		format, version, state, report = append(format, r.Format), append(version, r.Version), append(state, r.State), append(report, r.Report)
		issues, req, ok, failed = append(issues, int64(r.Counts.Total())), append(req, int64(r.Requests)), append(ok, int64(r.RequestsSucceeded)), append(failed, int64(r.RequestsFailed))
		opsRun, opsKo, rate = append(opsRun, int64(r.OperationsExecuted)), append(opsKo, int64(r.OperationsFailed)), append(rate, r.SuccessRate)
	}
	fields := ids.fields()
	fields = append(fields,
		data.NewField("time", nil, nonNil(times)),
		data.NewField("state", nil, nonNil(state)),
		data.NewField("issues", nil, nonNil(issues)),
	)
	fields = append(fields, sev.fields()...)
	fields = append(fields,
		data.NewField("requests", nil, nonNil(req)),
		data.NewField("requestsSucceeded", nil, nonNil(ok)),
		data.NewField("requestsFailed", nil, nonNil(failed)),
		percent(data.NewField("successRate", nil, nonNil(rate))),
		data.NewField("operationsExecuted", nil, nonNil(opsRun)),
		data.NewField("operationsFailed", nil, nonNil(opsKo)),
		data.NewField("format", nil, nonNil(format)),
		data.NewField("version", nil, nonNil(version)),
		data.NewField("report", nil, nonNil(report)),
	)
	return tableFrame("scan", append(fields, ids.mappingFields()...)...)
}

func scanTrendFrame(rows []query.ScanTrendRow) *data.Frame {
	var (
		times                         []time.Time
		run, req, ok, failed, scanned []int64
		rate                          []*float64
	)
	for _, r := range rows {
		times, rate = append(times, r.Time), append(rate, r.SuccessRate)
		run, req, ok, failed, scanned = append(run, int64(r.ScansRun)), append(req, int64(r.Requests)), append(ok, int64(r.RequestsSucceeded)),
			append(failed, int64(r.RequestsFailed)), append(scanned, int64(r.APIsScanned))
	}
	return wideFrame("scanTrend",
		data.NewField("time", nil, nonNil(times)),
		data.NewField("scansRun", nil, nonNil(run)),
		data.NewField("requests", nil, nonNil(req)),
		data.NewField("requestsSucceeded", nil, nonNil(ok)),
		data.NewField("requestsFailed", nil, nonNil(failed)),
		percent(data.NewField("successRate", nil, nonNil(rate))),
		data.NewField("apisScanned", nil, nonNil(scanned)),
	)
}

func inventoryFrame(res query.InventoryResult) *data.Frame {
	switch res.GroupBy {
	case query.InventoryByAPI:
		return inventoryAPIFrame(res.APIs)
	case query.InventoryByCollection, query.InventoryByTeam:
		key := res.GroupBy
		var names, ids []string
		cols := make([][]int64, len(query.InventoryCountNames))
		for _, g := range res.Groups {
			names, ids = append(names, g.Name), append(ids, g.ID)
			for i, v := range g.InventoryCounts.Values() {
				cols[i] = append(cols[i], int64(v))
			}
		}
		fields := []*data.Field{data.NewField(key, nil, nonNil(names)), data.NewField(key+"Id", nil, nonNil(ids))}
		for i, n := range query.InventoryCountNames {
			fields = append(fields, data.NewField(n, nil, nonNil(cols[i])))
		}
		return tableFrame("inventory", fields...)
	}
	return numericFrame("", res.SummaryRow)
}

func inventoryAPIFrame(rows []query.InventoryAPIRow) *data.Frame {
	var (
		ids                       apiFields
		inInv, protected          []bool
		lastAudit, lastScan, seen []*time.Time
		score                     []*float64
		valid, sqg                []*bool
		grade, scanState          []string
		instances                 []int64
	)
	for _, r := range rows {
		ids.add(r.APIColumns)
		inInv, protected = append(inInv, r.InInventory), append(protected, r.Protected)
		lastAudit, lastScan, seen = append(lastAudit, nullableTime(r.LastAudit)), append(lastScan, nullableTime(r.LastScan)), append(seen, nullableTime(r.LastSeen))
		score, valid, sqg = append(score, r.Score), append(valid, r.Valid), append(sqg, r.SQGPass)
		grade, scanState, instances = append(grade, r.Grade), append(scanState, r.ScanState), append(instances, int64(r.Instances))
	}
	fields := ids.fields()
	fields = append(fields,
		data.NewField("inInventory", nil, nonNil(inInv)),
		data.NewField("lastAudit", nil, nonNil(lastAudit)),
		scoreUnit(data.NewField("score", nil, nonNil(score))),
		data.NewField("valid", nil, nonNil(valid)),
		data.NewField("grade", nil, nonNil(grade)),
		data.NewField("lastScan", nil, nonNil(lastScan)),
		data.NewField("scanState", nil, nonNil(scanState)),
		data.NewField("protected", nil, nonNil(protected)),
		data.NewField("instances", nil, nonNil(instances)),
		data.NewField("lastSeen", nil, nonNil(seen)),
		data.NewField("sqgPass", nil, nonNil(sqg)),
	)
	return tableFrame("inventory", append(fields, ids.mappingFields()...)...)
}
