package rules

import (
	"net/http"
	"net/url"

	"github.com/apifw/monitor/pkg/host/alerting"
	"github.com/apifw/monitor/pkg/host/api"
)

// mount adds Grafana's alerting routes with Grafana's default role
// requirements (pkg/services/ngalert/api/authorization.go): reading rules and
// their state needs alert.rules:read (every role), the provisioning API
// alert.provisioning:read (Admin), evaluating a rule's queries the right to
// query data sources (every role).
func mount(srv *api.Server, sched *alerting.Scheduler) {
	srv.Mount(func(mux *http.ServeMux, auth func(role string, h http.HandlerFunc) http.Handler) {
		mux.Handle("GET /api/prometheus/grafana/api/v1/rules", auth(api.RoleViewer, sched.RulesHandler().ServeHTTP))
		mux.Handle("GET /api/v1/provisioning/alert-rules", auth(api.RoleAdmin, sched.ProvisioningHandler().ServeHTTP))
		mux.Handle("GET /api/v1/provisioning/alert-rules/{uid}", auth(api.RoleAdmin, sched.ProvisioningHandler().ServeHTTP))
		mux.Handle("POST /api/v1/eval", auth(api.RoleViewer, sched.EvalHandler().ServeHTTP))
	})
	if u, err := url.Parse(srv.AppURL()); err == nil {
		sched.ExternalURL = u
	}
}
