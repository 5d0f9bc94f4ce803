package plugin

import (
	"context"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/apifw/monitor/pkg/query"
)

// QueryData answers every query of the request, each with its own response.
func (d *Datasource) QueryData(ctx context.Context, req *backend.QueryDataRequest) (*backend.QueryDataResponse, error) {
	resp := backend.NewQueryDataResponse()
	if d.settingsErr == nil {
		d.collector.Refresh()
	}
	for _, q := range req.Queries {
		resp.Responses[q.RefID] = d.runQuery(ctx, q)
	}
	return resp, nil
}

func (d *Datasource) runQuery(ctx context.Context, dq backend.DataQuery) backend.DataResponse {
	if d.settingsErr != nil {
		return backend.ErrDataResponseWithSource(backend.StatusBadRequest, backend.ErrorSourceDownstream, d.settingsErr.Error())
	}
	q, err := query.Parse(dq.JSON)
	if err != nil {
		return backend.ErrDataResponseWithSource(backend.StatusBadRequest, backend.ErrorSourceDownstream, err.Error())
	}
	tr := query.TimeRange{From: dq.TimeRange.From, To: dq.TimeRange.To}
	if query.IsReportType(q.QueryType) {
		return d.runReportQuery(dq, q, tr)
	}
	switch q.QueryType {
	case query.TypeStats:
		res, err := query.Stats(d.store, q, tr)
		if err != nil {
			return backend.ErrDataResponseWithSource(backend.StatusBadRequest, backend.ErrorSourceDownstream, err.Error())
		}
		frame, err := statsFrame(dq.RefID, res, q.Columns)
		if err != nil {
			return backend.ErrDataResponseWithSource(backend.StatusBadRequest, backend.ErrorSourceDownstream, err.Error())
		}
		return backend.DataResponse{Frames: data.Frames{frame}}
	}
	return d.runTransactionQuery(ctx, dq.RefID, q, tr)
}
