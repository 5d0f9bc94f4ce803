package plugin

import (
	"context"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/apifw/monitor/pkg/query"
)

// engineHandler answers a transaction query type (query.go's mux) with an
// engine method: the engine answers the whole query (other: false,
// columns), frames builds the frames of docs/query-model.md (the request's
// filters go into drill-down links).
func engineHandler[R any](run func(txEngine, context.Context, query.Query, query.TimeRange) (R, error), frames func(r queryRequest, res R) data.Frames) handler {
	return func(d *Datasource, ctx context.Context, r queryRequest) (data.Frames, error) {
		res, err := run(d.txEngine(), ctx, r.q, r.tr)
		if err != nil {
			return nil, err
		}
		return frames(r, res), nil
	}
}

// oneFrame adapts a builder of one frame.
func oneFrame[R any](f func(refID string, res R) *data.Frame) func(queryRequest, R) data.Frames {
	return func(r queryRequest, res R) data.Frames { return data.Frames{f(r.refID, res)} }
}

// topNFrames: the topN frame, its links narrowed from the query's filters.
func topNFrames(r queryRequest, res query.TopNResult) data.Frames {
	return data.Frames{topNFrame(r.refID, res, r.q.Filters)}
}

// trafficQueryFrames: the traffic frames, their links narrowed from the
// query's filters.
func trafficQueryFrames(r queryRequest, res query.TrafficResult) data.Frames {
	return trafficFrames(r.refID, res, r.q.Filters)
}

// instances takes the data source's silentAfter unless the query has one.
func (d *Datasource) instances(ctx context.Context, r queryRequest) (data.Frames, error) {
	q := r.q
	if q.SilentAfter == "" {
		q.SilentAfter = d.settings.silentAfter.String()
	}
	res, err := d.txEngine().Instances(ctx, q, r.tr)
	if err != nil {
		return nil, err
	}
	return data.Frames{instancesFrame(r.refID, res)}, nil
}

// numericFrame is a one-row numeric result (stats, the inventory summary):
// alert rules read each column as a number.
func numericFrame(_ string, row query.Row) *data.Frame {
	fields := make([]*data.Field, len(row.Numbers))
	for i, n := range row.Numbers {
		if n.IsFloat {
			fields[i] = data.NewField(n.Name, nil, []float64{n.Float})
		} else {
			fields[i] = data.NewField(n.Name, nil, []int64{n.Int})
		}
		if n.Unit != "" {
			fields[i].SetConfig(&data.FieldConfig{Unit: n.Unit})
		}
	}
	f := data.NewFrame(row.Table, fields...)
	f.Meta = &data.FrameMeta{Type: data.FrameTypeNumericWide, TypeVersion: data.FrameTypeVersion{0, 1}}
	return f
}

// topNFrame: the dimension's column (named after it), count, one count per
// outcome and the share of the matching total; the remainder row last.
func topNFrame(refID string, r query.TopNResult, filters ...query.Filters) *data.Frame {
	n := len(r.Rows)
	values, apiNames := make([]string, n), make([]string, n)
	count, allowed, blocked, wouldBlock, unmatched := make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
	share := make([]float64, n)
	for i, row := range r.Rows {
		values[i], apiNames[i] = row.Value, row.APIName
		count[i], allowed[i], blocked[i], wouldBlock[i], unmatched[i] = row.Count, row.Allowed, row.Blocked, row.WouldBlock, row.Unmatched
		share[i] = row.Share
	}
	f := data.NewFrame("topN", data.NewField(r.Dimension, nil, values).SetConfig(&data.FieldConfig{Links: dimensionLinks(r.Dimension, filters...)}))
	if r.Dimension == "api" {
		f.Fields = append(f.Fields, data.NewField("apiName", nil, apiNames))
	}
	f.Fields = append(f.Fields,
		data.NewField("count", nil, count),
		data.NewField("allowed", nil, allowed),
		data.NewField("blocked", nil, blocked),
		data.NewField("wouldBlock", nil, wouldBlock),
		data.NewField("unmatched", nil, unmatched),
		data.NewField("share", nil, share).SetConfig(&data.FieldConfig{Unit: "percentunit"}),
	)
	f.RefID = refID
	return f
}

// trafficFrames: one frame per series (dataplane timeseries-multi), the split
// value in the value field's labels, so alert rules get one instance per value.
func trafficFrames(refID string, r query.TrafficResult, filters ...query.Filters) data.Frames {
	unit := ""
	switch r.Metric {
	case "rate":
		unit = "reqps"
	case "blockedRatio":
		unit = "percentunit"
	}
	frames := make(data.Frames, 0, len(r.Series))
	for _, s := range r.Series {
		times := append([]time.Time(nil), r.Buckets...)
		value := data.NewField(metricName(r.Metric), data.Labels(s.Labels), append([]float64(nil), s.Values...))
		display := s.DisplayName
		if display == "" {
			display = s.Name
		}
		value.Config = &data.FieldConfig{Unit: unit, DisplayNameFromDS: display, Links: seriesLinks(s.Labels, filters...)}
		f := data.NewFrame(s.Name, data.NewField("time", nil, times), value)
		f.RefID = refID
		f.Meta = &data.FrameMeta{Type: data.FrameTypeTimeSeriesMulti, TypeVersion: data.FrameTypeVersion{0, 1}}
		frames = append(frames, f)
	}
	if len(frames) == 0 { // dataplane: an empty typed frame means "no data", not an error
		f := data.NewFrame("traffic")
		f.RefID = refID
		f.Meta = &data.FrameMeta{Type: data.FrameTypeTimeSeriesMulti, TypeVersion: data.FrameTypeVersion{0, 1}}
		frames = append(frames, f)
	}
	return frames
}

func metricName(m string) string {
	if m == "" {
		return "count"
	}
	return m
}

// transactionsFrame: the matching transactions, newest first.
func transactionsFrame(refID string, r query.TransactionsResult) *data.Frame {
	n := len(r.Rows)
	var (
		times                                                        = make([]time.Time, n)
		uuid, method, path, outcome, reason, step, inst, client, api = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		apiName, host, op                                            = make([]string, n), make([]string, n), make([]string, n)
		status                                                       = make([]int64, n)
		duration                                                     = make([]*int64, n)
	)
	for i, row := range r.Rows {
		times[i], uuid[i], method[i], path[i], outcome[i] = row.Time, row.UUID, row.Method, row.Path, row.Outcome
		reason[i], step[i], inst[i], client[i], api[i] = row.Reason, row.ErrorStep, row.Instance, row.ClientIP, row.APIID
		apiName[i], host[i], op[i], status[i] = row.APIName, row.Hostname, row.Operation, int64(row.Status)
		if row.DurationUS >= 0 {
			d := row.DurationUS
			duration[i] = &d
		}
	}
	f := data.NewFrame("transactions",
		data.NewField("time", nil, times),
		data.NewField("uuid", nil, uuid).SetConfig(&data.FieldConfig{Links: traceLinks()}),
		data.NewField("method", nil, method),
		data.NewField("path", nil, path),
		data.NewField("status", nil, status),
		data.NewField("outcome", nil, outcome),
		data.NewField("reason", nil, reason),
		data.NewField("errorStep", nil, step),
		data.NewField("instance", nil, inst),
		data.NewField("clientIp", nil, client),
		data.NewField("api", nil, api),
		data.NewField("apiName", nil, apiName),
		data.NewField("hostname", nil, host),
		data.NewField("operation", nil, op),
		data.NewField("duration", nil, duration).SetConfig(&data.FieldConfig{Unit: "µs"}),
	)
	f.RefID = refID
	f.Meta = &data.FrameMeta{PreferredVisualization: data.VisTypeTable}
	return f
}

// instancesFrame: one row per firewall instance.
func instancesFrame(refID string, r query.InstancesResult) *data.Frame {
	n := len(r.Rows)
	name, hosts, apis, files, sources := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	first, last := make([]time.Time, n), make([]time.Time, n)
	records := make([]int64, n)
	silent := make([]bool, n)
	for i, row := range r.Rows {
		name[i], hosts[i], files[i] = row.Name, strings.Join(row.Hostnames, ", "), strings.Join(row.Files, ", ")
		sources[i] = strings.Join(row.Sources, ", ")
		names := make([]string, len(row.APIs))
		for j, a := range row.APIs {
			names[j] = a.Name
			if names[j] == "" || names[j] == "n/a" {
				names[j] = a.ID
			}
		}
		apis[i] = strings.Join(names, ", ")
		first[i], last[i], records[i], silent[i] = row.FirstSeen, row.LastSeen, row.Records, row.Silent
	}
	f := data.NewFrame("instances",
		data.NewField("instance", nil, name),
		data.NewField("hostnames", nil, hosts),
		data.NewField("apis", nil, apis),
		data.NewField("firstSeen", nil, first),
		data.NewField("lastSeen", nil, last),
		data.NewField("records", nil, records),
		data.NewField("silent", nil, silent),
		data.NewField("logSources", nil, sources),
		data.NewField("logFiles", nil, files),
	)
	f.RefID = refID
	return f
}
