package plugin

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/resource/httpadapter"

	"github.com/apifw/monitor/pkg/model"
	"github.com/apifw/monitor/pkg/query"
)

// CallResource serves the data source's resources (contract §3): status,
// suggestions, trace/<uuid> and the admin-only deletions.
func (d *Datasource) CallResource(ctx context.Context, req *backend.CallResourceRequest, sender backend.CallResourceResponseSender) error {
	return d.resources.CallResource(ctx, req, sender)
}

func (d *Datasource) resourceHandler() backend.CallResourceHandler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /status", d.handleStatus)
	mux.HandleFunc("GET /suggestions", d.handleSuggestions)
	mux.HandleFunc("GET /trace/{uuid}", d.handleTrace)
	mux.HandleFunc("GET /deletions", adminOnly(d.handleDeletionList))
	mux.HandleFunc("POST /deletions/preview", adminOnly(d.handleDeletionPreview))
	mux.HandleFunc("POST /deletions", adminOnly(d.handleDelete))
	mux.HandleFunc("POST /purge", adminOnly(d.handlePurge))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "no resource "+r.Method+" "+r.URL.Path)
	})
	return httpadapter.New(mux)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

// userOf is the Grafana user a resource request comes from; nil for
// requests without one (alert evaluation, server-side calls).
func userOf(r *http.Request) *backend.User {
	return backend.PluginConfigFromContext(r.Context()).User
}

// adminOnly refuses requests without a user or from a user whose role in
// the organisation is not Admin.
func adminOnly(h func(http.ResponseWriter, *http.Request, *backend.User)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		u := userOf(r)
		switch {
		case u == nil || u.Login == "":
			writeError(w, http.StatusForbidden, "this action needs a signed-in Grafana user with the Admin role")
		case u.Role != "Admin":
			writeError(w, http.StatusForbidden, "this action needs the Admin role (you are "+roleName(u.Role)+")")
		default:
			h(w, r, u)
		}
	}
}

func roleName(r string) string {
	if r == "" {
		return "without a role"
	}
	return r
}

// statusBody is the status resource's answer.
type statusBody struct {
	Collector any       `json:"collector"`
	Index     indexInfo `json:"index"`
	Deletions int       `json:"deletions"`
	Reports   any       `json:"reports"`
	Problems  []string  `json:"problems"`
}

type indexInfo struct {
	Records        int     `json:"records"`
	MemoryBytes    int64   `json:"memoryBytes"`
	BytesPerRecord float64 `json:"bytesPerRecord"`
}

func (d *Datasource) handleStatus(w http.ResponseWriter, _ *http.Request) {
	n, mem := d.store.Len(), d.store.MemoryBytes()
	per := 0.0
	if n > 0 {
		per = float64(mem) / float64(n)
	}
	writeJSON(w, http.StatusOK, statusBody{
		Collector: d.collector.Status(),
		Index:     indexInfo{Records: n, MemoryBytes: mem, BytesPerRecord: per},
		Deletions: len(d.store.Deletions()),
		Reports:   d.reports.Refresh(),
		Problems:  d.problems(),
	})
}

// problems are the configuration problems: settings and the state directory.
func (d *Datasource) problems() []string {
	out := []string{}
	if d.settingsErr != nil {
		out = append(out, strings.Split(d.settingsErr.Error(), "\n")...)
	}
	if d.stateErr != nil {
		out = append(out, d.stateErr.Error())
	}
	return out
}

// transactionRow is a transaction as the trace resource returns it.
type transactionRow struct {
	UUID         string `json:"uuid"`
	Time         string `json:"time"`
	Method       string `json:"method"`
	Path         string `json:"path"`
	Query        string `json:"query"`
	Operation    string `json:"operation"`
	ClientIP     string `json:"clientIp"`
	ClientPort   int    `json:"clientPort"`
	Instance     string `json:"instance"`
	Hostname     string `json:"hostname"`
	API          string `json:"api"`
	APIName      string `json:"apiName"`
	Status       int    `json:"status"`
	Outcome      string `json:"outcome"`
	Reason       string `json:"reason"`
	ErrorStep    string `json:"errorStep"`
	ErrorMessage string `json:"errorMessage"`
	DurationUS   *int64 `json:"durationUs"`
	// The client's geography, what the geo database holds; absent without one.
	ClientCountry string `json:"clientCountry,omitempty"`
	ClientAsn     string `json:"clientAsn,omitempty"`
	ClientCity    string `json:"clientCity,omitempty"`
}

type traceBody struct {
	Transaction transactionRow `json:"transaction"`
	Detail      any            `json:"detail"`
	DetailError string         `json:"detailError,omitempty"`
}

// indexContext answers 400 when the settings are unusable; else it brings
// the index up to date and gives the request's context with the query
// timeout (resources that read the index: trace, suggestions).
func (d *Datasource) indexContext(w http.ResponseWriter, r *http.Request) (context.Context, context.CancelFunc, bool) {
	if d.settingsErr != nil {
		writeError(w, http.StatusBadRequest, "data source settings: "+d.settingsErr.Error())
		return nil, nil, false
	}
	d.refresh(r.Context())
	ctx, cancel := context.WithTimeout(r.Context(), d.settings.timeout())
	return ctx, cancel, true
}

func (d *Datasource) handleTrace(w http.ResponseWriter, r *http.Request) {
	ctx, cancel, ok := d.indexContext(w, r)
	if !ok {
		return
	}
	defer cancel()
	res, det, err := d.lookupTrace(ctx, r.PathValue("uuid"))
	switch {
	case errors.Is(err, query.ErrNotFound):
		writeError(w, http.StatusNotFound, err.Error())
		return
	case errors.Is(err, query.ErrBadQuery):
		writeError(w, http.StatusBadRequest, err.Error())
		return
	case err != nil:
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	tx := res.Transaction
	last := model.LastError(tx.Errors)
	row := transactionRow{
		UUID: tx.UUID, Time: tx.Time.UTC().Format(time.RFC3339Nano), Method: tx.Method, Path: tx.Path,
		Operation: tx.Operation, ClientIP: tx.ClientIP, Instance: tx.Instance, Hostname: tx.Hostname,
		API: tx.APIID, APIName: tx.APIName, Status: tx.Status, Outcome: tx.Outcome.String(),
		Reason: last.Message, ErrorStep: last.Step, ErrorMessage: last.Message, DurationUS: knownInt(tx.DurationUS),
	}
	row.ClientCountry, row.ClientAsn, row.ClientCity = d.clientGeo(tx.ClientIP)
	body := traceBody{Transaction: row}
	if det != nil {
		row.Query, row.ClientPort = det.Query, det.SourcePort
		body.Transaction, body.Detail = row, det
	} else if res.DetailErr != nil {
		body.DetailError = res.DetailErr.Error()
	}
	writeJSON(w, http.StatusOK, body)
}
