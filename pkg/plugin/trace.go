package plugin

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/apifw/monitor/pkg/geo"
	"github.com/apifw/monitor/pkg/index"
	"github.com/apifw/monitor/pkg/ingest"
	"github.com/apifw/monitor/pkg/model"
	"github.com/apifw/monitor/pkg/query"
)

// detailReader reads a trace's detail from its file (query.DetailReader),
// with the secret header values already masked: nothing downstream sees them.
type detailReader struct{ d *Datasource }

func (r detailReader) ReadDetail(ctx context.Context, pos index.Position) (any, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ref, ok := r.d.collector.Locate(pos.FileID)
	if !ok {
		return nil, fmt.Errorf("the log file of this transaction is no longer available")
	}
	raw, err := ingest.ReadRecord(ref.Path, pos.Offset, pos.Length, ref.Layout)
	if err != nil {
		return nil, err
	}
	det, err := ingest.ParseDetailWith(raw, ingest.EpochUnit(r.d.settings.DateEpochUnit))
	if err != nil {
		return nil, err
	}
	if det.UUID != pos.Tx.UUID {
		return nil, fmt.Errorf("the log file changed: the record at its place is another transaction")
	}
	return r.d.settings.masker.detail(det), nil
}

// lookupTrace runs the engine's trace lookup and returns the detail, if read.
func (d *Datasource) lookupTrace(ctx context.Context, uuid string) (query.TraceResult, *model.TransactionDetail, error) {
	if d.vl != nil {
		return d.vlTrace(ctx, uuid)
	}
	res, err := d.engine().Trace(ctx, query.Query{QueryType: query.TypeTrace, UUID: uuid})
	if err != nil {
		return res, nil, err
	}
	if det, ok := res.Detail.(model.TransactionDetail); ok && res.DetailErr == nil {
		return res, &det, nil
	}
	if res.DetailErr == nil && res.Detail == nil {
		res.DetailErr = errors.New("no detail reader")
	}
	return res, nil, nil
}

// trace answers a trace query with the frames of contract §4.
func (d *Datasource) trace(ctx context.Context, r queryRequest) (data.Frames, error) {
	res, det, err := d.lookupTrace(ctx, r.q.UUID)
	if err != nil {
		return nil, err
	}
	frames := traceFrames(r.refID, res.Transaction, det)
	if d.geo != nil { // client geography, what the database holds
		for _, dim := range d.geo.Dimensions() {
			frames[0].Fields = append(frames[0].Fields, data.NewField(dim, nil, []string{query.GeoValue(d.geo, dim, res.Transaction.ClientIP)}))
		}
	}
	if det == nil && res.DetailErr != nil {
		frames[0].AppendNotices(data.Notice{Severity: data.NoticeSeverityWarning,
			Text: "The details of this transaction could not be read: " + res.DetailErr.Error()})
	}
	return frames, nil
}

// clientGeo is an address's country, ASN and city as the geo database has
// them ("unknown" for an address it does not place), "" for what it does not
// hold or without a database.
func (d *Datasource) clientGeo(ip string) (country, asn, city string) {
	value := func(dim string) string {
		if !d.geo.Has(dim) {
			return ""
		}
		return query.GeoValue(d.geo, dim, ip)
	}
	return value(geo.Country), value(geo.ASN), value(geo.City)
}

// traceFrames: summary, steps, headers, parameters, errors, fields, spans.
// det is nil when the record could not be re-read: the summary still answers
// from the index and the other frames are empty.
func traceFrames(refID string, tx model.Transaction, det *model.TransactionDetail) data.Frames {
	if det == nil {
		det = &model.TransactionDetail{UUID: tx.UUID, Time: tx.Time, DurationUS: tx.DurationUS, BlockingLevel: tx.BlockingLevel, Errors: tx.Errors}
	}
	frames := data.Frames{
		summaryFrame(tx, det), stepsFrame(tx, det), headersFrame(det), parametersFrame(det),
		errorsFrame(det), fieldsFrame(det), spansFrame(tx, det),
	}
	for _, f := range frames {
		f.RefID = refID
	}
	return frames
}

func summaryFrame(tx model.Transaction, det *model.TransactionDetail) *data.Frame {
	last := model.LastError(tx.Errors)
	return data.NewFrame("summary",
		data.NewField("uuid", nil, []string{tx.UUID}),
		data.NewField("time", nil, []time.Time{tx.Time}),
		data.NewField("method", nil, []string{tx.Method}),
		data.NewField("path", nil, []string{tx.Path}),
		data.NewField("query", nil, []string{det.Query}),
		data.NewField("operation", nil, []string{tx.Operation}),
		data.NewField("clientIp", nil, []string{tx.ClientIP}),
		data.NewField("clientPort", nil, []int64{int64(det.SourcePort)}),
		data.NewField("instance", nil, []string{tx.Instance}),
		data.NewField("hostname", nil, []string{tx.Hostname}),
		data.NewField("api", nil, []string{tx.APIID}),
		data.NewField("apiName", nil, []string{tx.APIName}),
		data.NewField("status", nil, []int64{int64(tx.Status)}),
		data.NewField("outcome", nil, []string{tx.Outcome.String()}),
		data.NewField("reason", nil, []string{last.Message}),
		data.NewField("errorStep", nil, []string{last.Step}),
		data.NewField("errorMessage", nil, []string{last.Message}),
		data.NewField("durationUs", nil, []*int64{knownInt(tx.DurationUS)}).SetConfig(&data.FieldConfig{Unit: "µs"}),
		data.NewField("nonBlocking", nil, []bool{tx.NonBlocking}),
		data.NewField("blockingLevel", nil, []*int64{knownInt(int64(tx.BlockingLevel))}),
	)
}

func stepsFrame(tx model.Transaction, det *model.TransactionDetail) *data.Frame {
	failed := map[string]string{}
	for _, e := range det.Errors {
		if m, ok := failed[e.Step]; ok && m != "" {
			failed[e.Step] = m + "; " + e.Message
		} else {
			failed[e.Step] = e.Message
		}
	}
	f := data.NewFrame("steps",
		data.NewField("step", nil, []string{}),
		data.NewField("depth", nil, []int64{}),
		data.NewField("time", nil, []*time.Time{}),
		data.NewField("durationUs", nil, []*int64{}).SetConfig(&data.FieldConfig{Unit: "µs"}),
		data.NewField("failed", nil, []bool{}),
		data.NewField("message", nil, []string{}),
	)
	for _, s := range det.Traces {
		msg, bad := failed[s.Step]
		f.AppendRow(s.Step, int64(s.Depth), nullableTime(s.Time), knownInt(s.DurationUS), bad, msg)
	}
	return f
}

func headersFrame(det *model.TransactionDetail) *data.Frame {
	f := data.NewFrame("headers",
		data.NewField("direction", nil, []string{}),
		data.NewField("name", nil, []string{}),
		data.NewField("value", nil, []string{}),
	)
	for _, h := range det.RequestHeaders {
		f.AppendRow("request", h.Name, h.Value)
	}
	for _, h := range det.ResponseHeaders {
		f.AppendRow("response", h.Name, h.Value)
	}
	return f
}

func parametersFrame(det *model.TransactionDetail) *data.Frame {
	f := data.NewFrame("parameters",
		data.NewField("in", nil, []string{}),
		data.NewField("name", nil, []string{}),
		data.NewField("value", nil, []string{}),
	)
	for _, p := range det.PathParams {
		f.AppendRow("path", p.Name, p.Value)
	}
	for _, p := range det.QueryParams {
		f.AppendRow("query", p.Name, p.Value)
	}
	return f
}

func errorsFrame(det *model.TransactionDetail) *data.Frame {
	f := data.NewFrame("errors",
		data.NewField("step", nil, []string{}),
		data.NewField("message", nil, []string{}),
		data.NewField("depth", nil, []int64{}),
		data.NewField("state", nil, []string{}),
		data.NewField("token", nil, []string{}),
	)
	for _, e := range det.Errors {
		f.AppendRow(e.Step, e.Message, int64(e.Depth), e.State, e.Token)
	}
	return f
}

func fieldsFrame(det *model.TransactionDetail) *data.Frame {
	f := data.NewFrame("fields",
		data.NewField("source", nil, []string{}),
		data.NewField("key", nil, []string{}),
		data.NewField("value", nil, []string{}),
	)
	for _, c := range det.Customs {
		f.AppendRow("custom", c.Key, c.Value)
	}
	for _, c := range det.Unknown {
		f.AppendRow("unknown", c.Key, c.Value)
	}
	return f
}

func knownInt(v int64) *int64 {
	if v < 0 {
		return nil
	}
	return &v
}
