package api

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/apifw/monitor/pkg/host/backendproc"
)

// pluginContext fills a PluginContext as Grafana's plugincontext.go does
// (pkg/services/pluginsintegration/plugincontext/plugincontext.go): org,
// plugin id and version, the signed-in user (login, name, email, role), the
// data source's instance settings with decrypted secure jsonData and an
// Updated time that changes with the settings (so the SDK's instance manager
// re-creates the instance), the Grafana config and the user agent.
func (s *Server) pluginContext(ds *DataSource, u *User) backend.PluginContext {
	p := s.catalog.Get(ds.Type)
	version := ""
	if p != nil {
		version = p.Version
	}
	pc := backend.PluginContext{
		OrgID:         ds.OrgID,
		PluginID:      ds.Type,
		PluginVersion: version,
		DataSourceInstanceSettings: &backend.DataSourceInstanceSettings{
			ID: ds.ID, UID: ds.UID, Type: ds.Type, Name: ds.Name, URL: ds.URL, User: ds.User, Database: ds.Database,
			BasicAuthEnabled: ds.BasicAuth, BasicAuthUser: ds.BasicAuthUser, JSONData: jsonDataOf(ds),
			DecryptedSecureJSONData: ds.SecureJSONData, Updated: ds.Updated,
		},
		GrafanaConfig: s.grafanaConfig(),
		UserAgent:     s.userAgent,
	}
	if u != nil {
		pc.User = &backend.User{Login: u.Login, Name: u.Name, Email: u.Email, Role: u.Role}
	}
	return pc
}

// grafanaConfig holds the keys Grafana sends every plugin request
// (pkg/services/pluginsintegration/pluginconfig/request.go, the
// GrafanaConfig map), with Grafana's defaults from conf/defaults.ini.
func (s *Server) grafanaConfig() *backend.GrafanaCfg {
	return backend.NewGrafanaCfg(map[string]string{
		"GF_APP_URL":                   s.appURL(),
		"GF_CONCURRENT_QUERY_COUNT":    strconv.Itoa(s.opts.ConcurrentQueryCount),
		"GF_SQL_ROW_LIMIT":             "1000000",
		"GF_RESPONSE_LIMIT":            "0",
		"GF_USER_FACING_DEFAULT_ERROR": "Please inspect the Grafana server log for details.",
	})
}

// backendOf resolves the route's data source and its plugin's running
// backend, or answers 404 as Grafana does for either missing.
func (s *Server) backendOf(w http.ResponseWriter, r *http.Request) (*DataSource, *backendproc.Process) {
	ds := s.dsByRequest(w, r)
	if ds == nil {
		return nil, nil
	}
	p := s.procs[ds.Type]
	if p == nil {
		writeMessage(w, http.StatusNotFound, "Plugin not found, no installed plugin with that id")
	}
	return ds, p
}

// checkHealth is GET /api/datasources/uid/{uid}/health: 200 with status,
// message and details when OK, 400 otherwise (pkg/api/plugins.go,
// CheckHealth / checkDatasourceHealth).
func (s *Server) checkHealth(w http.ResponseWriter, r *http.Request) {
	ds, proc := s.backendOf(w, r)
	if proc == nil {
		return
	}
	res, err := proc.CheckHealth(r.Context(), &backend.CheckHealthRequest{PluginContext: s.pluginContext(ds, userOf(r))})
	if err != nil {
		writeBackendError(w, err)
		return
	}
	payload := map[string]any{"status": res.Status.String(), "message": res.Message}
	if len(res.JSONDetails) > 0 {
		var details map[string]any
		if json.Unmarshal(res.JSONDetails, &details) == nil {
			payload["details"] = details
		}
	}
	status := http.StatusOK
	if res.Status != backend.HealthStatusOk {
		status = http.StatusBadRequest
	}
	writeJSON(w, status, payload)
}

// hopHeaders are not passed to or from a plugin resource
// (pkg/api/plugin_resource.go uses proxyutil to drop them, with the
// cookies and the user's credentials).
var hopHeaders = []string{"Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization", "Te", "Trailer",
	"Transfer-Encoding", "Upgrade", "Cookie", "Authorization", "Set-Cookie"}

// callResource is /api/datasources/uid/{uid}/resources/{path...}: the
// request goes to the plugin's CallResource with the path below resources/
// and the query string, and the plugin's streamed answer comes back
// (pkg/api/plugin_resource.go, CallDatasourceResource).
func (s *Server) callResource(w http.ResponseWriter, r *http.Request) {
	ds, proc := s.backendOf(w, r)
	if proc == nil {
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<20))
	if err != nil {
		writeMessage(w, http.StatusBadRequest, "failed to read request body")
		return
	}
	headers := map[string][]string{}
	for k, v := range r.Header.Clone() {
		headers[k] = v
	}
	for _, h := range hopHeaders {
		delete(headers, h)
	}
	rel := r.PathValue("path")
	u := url.URL{Path: rel, RawQuery: r.URL.RawQuery}
	req := &backend.CallResourceRequest{
		PluginContext: s.pluginContext(ds, userOf(r)),
		Path:          rel, Method: r.Method, URL: u.String(), Headers: headers, Body: body,
	}
	started := false
	err = proc.CallResource(r.Context(), req, func(resp *backend.CallResourceResponse) error {
		if !started {
			started = true
			for k, vs := range resp.Headers {
				if isHop(k) {
					continue
				}
				for _, v := range vs {
					w.Header().Add(k, v)
				}
			}
			status := resp.Status
			if status == 0 {
				status = http.StatusOK
			}
			w.WriteHeader(status)
		}
		_, err := w.Write(resp.Body)
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		return err
	})
	if err != nil && !started {
		writeBackendError(w, err)
		return
	}
	if !started { // a plugin that sent nothing: Grafana answers 200 with no body
		w.WriteHeader(http.StatusOK)
	}
}

func isHop(header string) bool {
	for _, h := range hopHeaders {
		if http.CanonicalHeaderKey(header) == h {
			return true
		}
	}
	return false
}

// writeBackendError answers a failed plugin call: 503 while the plugin
// process is down, 500 otherwise (pkg/api/plugin_resource.go,
// handleCallResourceError maps ErrPluginUnavailable to 503).
func writeBackendError(w http.ResponseWriter, err error) {
	if errors.Is(err, backendproc.ErrPluginUnavailable) {
		writeMessage(w, http.StatusServiceUnavailable, "Plugin unavailable")
		return
	}
	writeMessage(w, http.StatusInternalServerError, "Failed to call plugin: "+err.Error())
}
