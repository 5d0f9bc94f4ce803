package plugin

import (
	"context"
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

// boundedQuery waits for a slot, then runs the query with its timeout and
// stamps the query inspector's metadata on its frames.
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
	r := d.runQuery(ctx, dq)
	if r.Error == nil && ctx.Err() != nil {
		return queryErrorResponse(ctx.Err())
	}
	annotate(r.Frames, dq, d.parsedForMeta(dq), since(start), d.scannedRows(dq))
	return r
}

func (d *Datasource) parsedForMeta(dq backend.DataQuery) *query.Query {
	q, err := query.Parse(dq.JSON)
	if err != nil {
		return nil
	}
	return &q
}

// engine is the query engine with this data source's limits.
func (d *Datasource) engine() *query.Engine {
	return &query.Engine{
		Store:   d.store,
		Limits:  query.Limits{MaxRows: d.settings.MaxRows, Timeout: d.settings.timeout()},
		Details: detailReader{d},
		Geo:     d.geoLookup(),
	}
}

func (d *Datasource) runQuery(ctx context.Context, dq backend.DataQuery) backend.DataResponse {
	if d.settingsErr != nil {
		return backend.ErrDataResponseWithSource(backend.StatusBadRequest, backend.ErrorSourceDownstream, "data source settings: "+d.settingsErr.Error())
	}
	q, err := query.Parse(dq.JSON)
	if err != nil {
		return backend.ErrDataResponseWithSource(backend.StatusBadRequest, backend.ErrorSourceDownstream, err.Error())
	}
	tr := query.TimeRange{From: dq.TimeRange.From, To: dq.TimeRange.To}
	if query.IsReportType(q.QueryType) {
		return d.runReportQuery(dq, q, tr)
	}
	q.Filters.Geo = d.geoLookup()
	if err := d.resolveCollections(&q.Filters); err != nil {
		return backend.ErrDataResponseWithSource(backend.StatusBadRequest, backend.ErrorSourceDownstream, err.Error())
	}
	switch q.QueryType {
	case query.TypeStats:
		res, err := d.engine().Stats(ctx, q, tr)
		if err != nil {
			return queryErrorResponse(err)
		}
		frame, err := statsFrame(dq.RefID, res, q.Columns)
		if err != nil {
			return backend.ErrDataResponseWithSource(backend.StatusBadRequest, backend.ErrorSourceDownstream, err.Error())
		}
		return backend.DataResponse{Frames: data.Frames{frame}}
	case query.TypeTrace:
		return d.runTraceQuery(ctx, dq.RefID, q)
	}
	if q.QueryType == query.TypeInstances && q.SilentAfter == "" {
		q.SilentAfter = d.settings.silentAfter.String()
	}
	return d.runTransactionQuery(ctx, dq.RefID, q, tr)
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
