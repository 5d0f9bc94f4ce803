package plugin

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/apifw/monitor/pkg/query"
)

// QueryData answers every query of the request, each with its own response,
// at most maxConcurrentQueries at a time (across requests), each within
// queryTimeoutSeconds.
func (d *Datasource) QueryData(ctx context.Context, req *backend.QueryDataRequest) (*backend.QueryDataResponse, error) {
	resp := backend.NewQueryDataResponse()
	if d.settingsErr == nil {
		d.refresh(ctx)
	}
	var (
		mu sync.Mutex
		wg sync.WaitGroup
	)
	for _, q := range req.Queries {
		wg.Add(1)
		go func(q backend.DataQuery) {
			defer wg.Done()
			r := d.boundedQuery(ctx, q)
			mu.Lock()
			resp.Responses[q.RefID] = r
			mu.Unlock()
		}(q)
	}
	wg.Wait()
	return resp, nil
}

// boundedQuery waits for a slot, then parses the query once and runs it with
// its timeout, and stamps the query inspector's metadata on its frames.
func (d *Datasource) boundedQuery(ctx context.Context, dq backend.DataQuery) backend.DataResponse {
	select {
	case d.slots <- struct{}{}:
		defer func() { <-d.slots }()
	case <-ctx.Done():
		return backend.ErrDataResponseWithSource(backend.StatusTimeout, backend.ErrorSourceDownstream, "request cancelled before the query ran: "+ctx.Err().Error())
	}
	ctx, cancel := context.WithTimeout(ctx, d.settings.timeout())
	defer cancel()
	start := time.Now()
	q, parseErr := query.Parse(dq.JSON)
	r := d.runQuery(ctx, dq, q, parseErr)
	if r.Error == nil && ctx.Err() != nil {
		return queryErrorResponse(ctx.Err())
	}
	var meta *query.Query
	if parseErr == nil {
		meta = &q // as parsed: runQuery's defaults (silentAfter) are not shown
	}
	annotate(r.Frames, dq, meta, since(start), d.scannedRows(dq))
	return r
}

// engine is the query engine with this data source's limits.
func (d *Datasource) engine() *query.Engine {
	return &query.Engine{
		Store:       d.store,
		Limits:      query.Limits{MaxRows: d.settings.MaxRows, Timeout: d.settings.timeout()},
		Details:     detailReader{d},
		Collections: d.resolveCollections,
		Geo:         d.geoLookup(),
	}
}

// queryRequest is one parsed query of a request.
type queryRequest struct {
	refID string
	q     query.Query
	tr    query.TimeRange
}

// handler answers one query type with its frames.
type handler func(d *Datasource, ctx context.Context, r queryRequest) (data.Frames, error)

// handlers is the data source's query-type mux: one line per query type of
// query.Types (which gives the type's source; TestHandlersCoverTypes checks
// both list the same types). The handlers live with their frame builders:
// transactions.go, trace.go, reports.go.
var handlers = map[query.Type]handler{
	query.TypeTraffic:      engineHandler(txEngine.Traffic, trafficQueryFrames),
	query.TypeTopN:         engineHandler(txEngine.TopN, topNFrames),
	query.TypeStats:        engineHandler(statsRow, oneFrame(numericFrame)),
	query.TypeTransactions: engineHandler(txEngine.Transactions, oneFrame(transactionsFrame)),
	query.TypeTrace:        (*Datasource).trace,
	query.TypeInstances:    (*Datasource).instances,
	query.TypeAudit:        reportHandler(query.Audit, auditFrame),
	query.TypeAuditIssues:  reportHandler(query.AuditIssues, issuesFrame),
	query.TypeAuditTrend:   reportHandler(query.AuditTrend, auditTrendFrame),
	query.TypeScan:         reportHandler(query.Scan, scanFrame),
	query.TypeScanTrend:    reportHandler(query.ScanTrend, scanTrendFrame),
	query.TypeInventory:    (*Datasource).inventory,
}

// runQuery answers one parsed query: the reports refreshed for report
// queries, then the type's handler; errors become responses with their status.
func (d *Datasource) runQuery(ctx context.Context, dq backend.DataQuery, q query.Query, parseErr error) backend.DataResponse {
	if d.settingsErr != nil {
		return backend.ErrDataResponseWithSource(backend.StatusBadRequest, backend.ErrorSourceDownstream, "data source settings: "+d.settingsErr.Error())
	}
	if parseErr != nil {
		return backend.ErrDataResponseWithSource(backend.StatusBadRequest, backend.ErrorSourceDownstream, parseErr.Error())
	}
	spec, _ := query.LookupType(q.QueryType) // Parse accepts only known types
	h := handlers[q.QueryType]
	if h == nil {
		return backend.ErrDataResponseWithSource(backend.StatusBadRequest, backend.ErrorSourceDownstream,
			"query type "+string(q.QueryType)+" is not available through the data source yet")
	}
	r := queryRequest{refID: dq.RefID, q: q, tr: query.TimeRange{From: dq.TimeRange.From, To: dq.TimeRange.To}}
	if spec.Source == query.FromReports {
		d.reports.Refresh()
	}
	frames, err := h(d, ctx, r)
	if err != nil {
		if spec.Source == query.FromReports { // report errors are the query's (or the reports')
			return backend.ErrDataResponseWithSource(backend.StatusBadRequest, backend.ErrorSourceDownstream, err.Error())
		}
		return queryErrorResponse(err)
	}
	for _, f := range frames {
		f.RefID = dq.RefID
	}
	return backend.DataResponse{Frames: frames}
}

// queryErrorResponse maps the engine's error kinds to statuses: the user's
// query is at fault for bad queries, limits and unknown ids.
func queryErrorResponse(err error) backend.DataResponse {
	switch {
	case errors.Is(err, query.ErrNotFound):
		return backend.ErrDataResponseWithSource(backend.StatusNotFound, backend.ErrorSourceDownstream, err.Error())
	case errors.Is(err, query.ErrBadQuery), errors.Is(err, query.ErrLimit):
		return backend.ErrDataResponseWithSource(backend.StatusBadRequest, backend.ErrorSourceDownstream, err.Error())
	case errors.Is(err, context.DeadlineExceeded):
		return backend.ErrDataResponseWithSource(backend.StatusTimeout, backend.ErrorSourcePlugin, err.Error())
	}
	return backend.ErrDataResponseWithSource(backend.StatusInternal, backend.ErrorSourcePlugin, err.Error())
}

// scannedRows is how many index rows lie in the blocks the query's time
// range touches: what a scan reads at most (the inspector's "records scanned").
func (d *Datasource) scannedRows(dq backend.DataQuery) int64 {
	lo, hi := dq.TimeRange.From.UnixMicro(), dq.TimeRange.To.UnixMicro()
	if dq.TimeRange.From.IsZero() || dq.TimeRange.To.IsZero() {
		return int64(d.store.Len())
	}
	var n int64
	for _, b := range d.store.Snapshot().Blocks() {
		if b.MaxTime >= lo && b.MinTime < hi {
			n += int64(b.Rows)
		}
	}
	return n
}

// since measures a query's time (a variable so golden tests can fix it).
var since = time.Since
