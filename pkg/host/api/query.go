package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/gtime"
)

// Grafana's per-query defaults (pkg/services/query/query.go and
// pkg/api/dtos/models.go MetricRequest; the frontend sends them too, but the
// HTTP API fills them when missing): refId "A", maxDataPoints 100,
// intervalMs 1000.
const (
	defaultRefID         = "A"
	defaultMaxDataPoints = 100
	defaultIntervalMs    = 1000
	expressionUID        = "__expr__"
)

// metricRequest is the body of POST /api/ds/query (dtos.MetricRequest).
type metricRequest struct {
	From    string            `json:"from"`
	To      string            `json:"to"`
	Queries []json.RawMessage `json:"queries"`
	Debug   bool              `json:"debug"`
}

// parsedQuery is one query of the request, bound to its data source.
type parsedQuery struct {
	ds    *DataSource
	query backend.DataQuery
}

// queryError is a request Grafana refuses as a whole, with its status.
type queryError struct {
	status int
	msg    string
}

func (e *queryError) Error() string { return e.msg }

// parseMetricRequest follows Grafana's parseMetricRequest
// (pkg/services/query/query.go): each query names its data source by
// datasource.uid (or the legacy datasourceId); the time range is the
// request's from/to — epoch milliseconds or relative (now-6h), parsed with
// the SDK's gtime — unless the query carries its own timeRange.
func (s *Server) parseMetricRequest(req metricRequest, now time.Time) ([]parsedQuery, error) {
	if len(req.Queries) == 0 {
		return nil, &queryError{http.StatusBadRequest, "No queries found in query"}
	}
	global, err := parseRange(req.From, req.To, now)
	if err != nil {
		return nil, &queryError{http.StatusBadRequest, err.Error()}
	}
	var out []parsedQuery
	for _, raw := range req.Queries {
		var q struct {
			RefID      string `json:"refId"`
			QueryType  string `json:"queryType"`
			Datasource *struct {
				UID  string `json:"uid"`
				Type string `json:"type"`
			} `json:"datasource"`
			DatasourceID  int64 `json:"datasourceId"`
			MaxDataPoints int64 `json:"maxDataPoints"`
			IntervalMs    int64 `json:"intervalMs"`
			TimeRange     *struct {
				From string `json:"from"`
				To   string `json:"to"`
			} `json:"timeRange"`
		}
		if err := json.Unmarshal(raw, &q); err != nil {
			return nil, &queryError{http.StatusBadRequest, "bad request data: " + err.Error()}
		}
		var ds *DataSource
		switch {
		case q.Datasource != nil && (q.Datasource.UID == expressionUID || q.Datasource.Type == expressionUID):
			return nil, &queryError{http.StatusBadRequest, "server-side expressions are evaluated only in alert rules by this plugin host"}
		case q.Datasource != nil && q.Datasource.UID != "":
			ds = s.ds.byUID(q.Datasource.UID)
		case q.DatasourceID != 0:
			ds = s.ds.find(func(d *DataSource) bool { return d.ID == q.DatasourceID })
		default:
			return nil, &queryError{http.StatusBadRequest, "Query missing data source info"}
		}
		if ds == nil {
			return nil, &queryError{http.StatusNotFound, "Data source not found"}
		}
		tr := global
		if q.TimeRange != nil {
			if tr, err = parseRange(q.TimeRange.From, q.TimeRange.To, now); err != nil {
				return nil, &queryError{http.StatusBadRequest, err.Error()}
			}
		}
		if q.RefID == "" {
			q.RefID = defaultRefID
		}
		if q.MaxDataPoints == 0 {
			q.MaxDataPoints = defaultMaxDataPoints
		}
		if q.IntervalMs == 0 {
			q.IntervalMs = defaultIntervalMs
		}
		out = append(out, parsedQuery{ds: ds, query: backend.DataQuery{
			RefID: q.RefID, QueryType: q.QueryType, MaxDataPoints: q.MaxDataPoints,
			Interval: time.Duration(q.IntervalMs) * time.Millisecond, TimeRange: tr, JSON: raw,
		}})
	}
	return out, nil
}

// parseRange parses Grafana's from/to strings (gtime.TimeRange: epoch ms,
// "now", "now-6h", "now/d" …).
func parseRange(from, to string, now time.Time) (backend.TimeRange, error) {
	if from == "" {
		from = "now-6h"
	}
	if to == "" {
		to = "now"
	}
	tr := gtime.NewTimeRange(from, to)
	tr.Now = now
	f, err := tr.ParseFrom()
	if err != nil {
		return backend.TimeRange{}, fmt.Errorf("invalid from: %s", from)
	}
	t, err := tr.ParseTo() // rounds up, as Grafana does for "to" (now/d = end of day)
	if err != nil {
		return backend.TimeRange{}, fmt.Errorf("invalid to: %s", to)
	}
	return backend.TimeRange{From: f.UTC(), To: t.UTC()}, nil
}

// queryData is POST /api/ds/query. The answer is the SDK's own JSON of the
// merged QueryDataResponse; its status is 200, or 400 when any query's
// response carries an error (pkg/api/ds_query.go, toJsonStreamingResponse;
// 207 only with the datasourceQueryMultiStatus feature toggle, off by
// default).
func (s *Server) queryData(w http.ResponseWriter, r *http.Request) {
	var req metricRequest
	if err := readJSON(r, &req); err != nil {
		writeMessage(w, http.StatusBadRequest, "bad request data")
		return
	}
	queries, err := s.parseMetricRequest(req, time.Now())
	if err != nil {
		qe := err.(*queryError)
		writeMessage(w, qe.status, qe.msg)
		return
	}
	resp, err := s.runQueries(r.Context(), queries, userOf(r))
	if err != nil {
		writeBackendError(w, err)
		return
	}
	status := http.StatusOK
	for _, res := range resp.Responses {
		if res.Error != nil {
			status = http.StatusBadRequest
		}
	}
	b, err := json.Marshal(resp)
	if err != nil {
		writeMessage(w, http.StatusInternalServerError, err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// runQueries sends the queries, one request per data source (Grafana groups
// a mixed request by data source), and merges the responses.
func (s *Server) runQueries(ctx context.Context, queries []parsedQuery, u *User) (*backend.QueryDataResponse, error) {
	byDS := map[int64][]parsedQuery{}
	var order []int64
	for _, q := range queries {
		if _, ok := byDS[q.ds.ID]; !ok {
			order = append(order, q.ds.ID)
		}
		byDS[q.ds.ID] = append(byDS[q.ds.ID], q)
	}
	merged := backend.NewQueryDataResponse()
	for _, id := range order {
		group := byDS[id]
		ds := group[0].ds
		proc := s.procs[ds.Type]
		if proc == nil {
			return nil, fmt.Errorf("plugin %s has no backend", ds.Type)
		}
		req := &backend.QueryDataRequest{PluginContext: s.pluginContext(ds, u), Headers: map[string]string{}}
		for _, q := range group {
			req.Queries = append(req.Queries, q.query)
		}
		resp, err := proc.QueryData(ctx, req)
		if err != nil {
			return nil, err
		}
		for refID, res := range resp.Responses {
			merged.Responses[refID] = res
		}
	}
	return merged, nil
}

// QueryDataSource runs data queries of one data source by uid, as the
// alerting scheduler asks for them (no signed-in user: Grafana's alerting
// evaluates as the rule's org service identity).
func (s *Server) QueryDataSource(ctx context.Context, uid string, queries []backend.DataQuery) (*backend.QueryDataResponse, error) {
	ds := s.ds.byUID(uid)
	if ds == nil {
		return nil, fmt.Errorf("data source %s not found", uid)
	}
	proc := s.procs[ds.Type]
	if proc == nil {
		return nil, fmt.Errorf("plugin %s has no backend", ds.Type)
	}
	return proc.QueryData(ctx, &backend.QueryDataRequest{PluginContext: s.pluginContext(ds, nil), Queries: queries, Headers: map[string]string{}})
}
