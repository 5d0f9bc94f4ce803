// Package api is the plugin host's HTTP server: the subset of Grafana's HTTP
// API that the plugin's frontend, the tests and an operator's curl use, with
// Grafana's paths, status codes and JSON, backed by the real plugin binary.
// Each handler names the Grafana source file whose behaviour it follows.
package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/grafana/grafana-plugin-sdk-go/backend/useragent"

	"github.com/apifw/monitor/pkg/host/backendproc"
	"github.com/apifw/monitor/pkg/host/catalog"
	"github.com/apifw/monitor/pkg/host/provisioning"
)

// Options configure a host.
type Options struct {
	Dist         string   // the built plugin (dist/)
	Provisioning string   // Grafana's provisioning directory
	DataDir      string   // GF_PATHS_DATA of the plugins
	Env          []string // extra environment: provisioning expansion and the plugin processes
	// AppURL is Grafana's root_url (GF_APP_URL), e.g. http://127.0.0.1:3000/.
	AppURL string
	// GrafanaVersion is what the host reports as Grafana's version
	// (GF_VERSION, build info).
	GrafanaVersion string
	// AnonymousRole lets requests without credentials in with that org role
	// (Grafana's [auth.anonymous]); "" requires basic auth.
	AnonymousRole string
	// Web is a built host page (main.js, main.css) served at "/"; Icons is
	// @grafana/ui's icon folder served at /public/build/img/icons/.
	Web, Icons string
	// ConcurrentQueryCount is GF_CONCURRENT_QUERY_COUNT (Grafana's default 4).
	ConcurrentQueryCount int
	Log                  io.Writer
}

// Server is a running host: the plugin processes and the HTTP handler.
type Server struct {
	opts       Options
	catalog    *catalog.Catalog
	procs      map[string]*backendproc.Process
	users      *users
	ds         *dataSources
	settings   *pluginSettings
	dashboards *dashboards
	prov       *provisioning.Config
	userAgent  *useragent.UserAgent
	mux        *http.ServeMux
	extra      []func(mux *http.ServeMux, wrap func(role string, h http.HandlerFunc) http.Handler)

	closeOnce sync.Once
}

// New loads the plugins and the provisioning, starts the backend plugin
// processes and imports the dashboards of enabled apps.
func New(opts Options) (*Server, error) {
	if opts.GrafanaVersion == "" {
		opts.GrafanaVersion = "13.2.2"
	}
	if opts.ConcurrentQueryCount == 0 {
		opts.ConcurrentQueryCount = 4
	}
	if opts.Log == nil {
		opts.Log = os.Stderr
	}
	if opts.DataDir == "" {
		return nil, errors.New("plugin host: a data directory is required")
	}
	cat, err := catalog.Load(opts.Dist)
	if err != nil {
		return nil, err
	}
	lookup := provisioning.EnvLookup(opts.Env)
	prov, err := provisioning.Load(opts.Provisioning, lookup)
	if err != nil {
		return nil, fmt.Errorf("provisioning: %w", err)
	}
	s := &Server{
		opts: opts, catalog: cat, procs: map[string]*backendproc.Process{}, users: newUsers(),
		ds: &dataSources{}, settings: &pluginSettings{m: map[string]*pluginSetting{}},
		dashboards: &dashboards{byUID: map[string]*dashboard{}}, prov: prov,
	}
	// Grafana sends "Grafana/<version> (<os>; <arch>)" (useragent.New).
	if s.userAgent, err = useragent.New(opts.GrafanaVersion, runtime.GOOS, runtime.GOARCH); err != nil {
		return nil, err
	}
	if err := s.applyProvisioning(); err != nil {
		return nil, err
	}
	if err := s.startBackends(); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// applyProvisioning stores the provisioned data sources, app settings and
// dashboards (Grafana: pkg/services/provisioning/provisioning.go runs the
// data sources, plugins and dashboards provisioners in that order).
func (s *Server) applyProvisioning() error {
	deleted := map[string]bool{}
	for _, name := range s.prov.DeleteDataSources {
		deleted[name] = true
	}
	for _, p := range s.prov.DataSources {
		if deleted[p.Name] {
			continue
		}
		if s.catalog.Get(p.Type) == nil {
			fmt.Fprintf(s.opts.Log, "plugin host: data source %q: type %s is not installed\n", p.Name, p.Type)
		}
		s.ds.put(fromProvisioning(p))
	}
	for _, a := range s.prov.Apps {
		p := s.catalog.Get(a.Type)
		if p == nil {
			return fmt.Errorf("provisioning: app %s is not installed", a.Type)
		}
		secure := map[string]string{}
		for k, v := range a.SecureJSONData {
			secure[k] = fmt.Sprint(v)
		}
		s.settings.set(a.Type, pluginSetting{Enabled: !a.Disabled, JSONData: a.JSONData, SecureJSONData: secure})
		if !a.Disabled {
			if err := s.importAppDashboards(p); err != nil {
				return fmt.Errorf("app %s dashboards: %w", a.Type, err)
			}
		}
	}
	for _, d := range s.prov.Dashboards {
		db, err := newDashboard(d.JSON)
		if err != nil {
			return fmt.Errorf("%s: %w", d.File, err)
		}
		db.Folder, db.Provisioned = d.Folder, true
		s.dashboards.put(db)
	}
	return nil
}

// startBackends starts one process per backend plugin, as Grafana does at
// start-up, with Grafana's environment and GF_PATHS_DATA.
func (s *Server) startBackends() error {
	for _, id := range s.catalog.Order {
		p := s.catalog.Get(id)
		if !p.Backend || p.Executable == "" {
			continue
		}
		extra := append([]string{
			"GF_PATHS_DATA=" + s.opts.DataDir,
			"GF_PATHS_PLUGINS=" + filepath.Dir(s.catalog.Get(s.catalog.Order[0]).Dir),
		}, s.opts.Env...)
		proc, err := backendproc.Start(backendproc.Options{
			PluginID: p.ID, Executable: p.ExecutablePath(),
			Env: backendproc.Env(s.opts.GrafanaVersion, p.Version, extra), Log: s.opts.Log,
		})
		if err != nil {
			return err
		}
		s.procs[p.ID] = proc
	}
	return nil
}

// Close stops the plugin processes.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		for _, p := range s.procs {
			p.Stop()
		}
	})
}

// Process returns a plugin's backend process (for tests and status).
func (s *Server) Process(pluginID string) *backendproc.Process { return s.procs[pluginID] }

// Provisioning returns what was provisioned (the alerting directory, for the
// rule scheduler).
func (s *Server) Provisioning() *provisioning.Config { return s.prov }

// AppURL is Grafana's root URL (GF_APP_URL).
func (s *Server) AppURL() string { return s.appURL() }

func (s *Server) appURL() string {
	if s.opts.AppURL != "" {
		return s.opts.AppURL
	}
	return "http://localhost:3000/"
}

// Mount adds routes served by another part of the host (alerting); wrap
// authenticates and checks the role like the built-in routes.
func (s *Server) Mount(f func(mux *http.ServeMux, wrap func(role string, h http.HandlerFunc) http.Handler)) {
	s.extra = append(s.extra, f)
}

// Handler is the HTTP API.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	auth := func(role string, h http.HandlerFunc) http.Handler { return s.authenticate(require(role, h)) }
	viewer := func(h http.HandlerFunc) http.Handler { return auth(RoleViewer, h) }
	admin := func(h http.HandlerFunc) http.Handler { return auth(RoleAdmin, h) }

	mux.HandleFunc("GET /api/health", s.health)
	mux.Handle("GET /api/frontend/settings", viewer(s.frontendSettings))
	mux.Handle("GET /api/user", viewer(s.signedInUser))
	mux.Handle("POST /api/admin/users", auth("GrafanaAdmin", s.createUser))
	mux.Handle("PATCH /api/orgs/{orgId}/users/{userId}", admin(s.updateOrgUser))

	mux.Handle("GET /api/plugins", viewer(s.listPlugins))
	mux.Handle("GET /api/plugins/errors", viewer(s.pluginErrors))
	mux.Handle("GET /api/plugins/{id}/settings", viewer(s.getPluginSettings))
	mux.Handle("POST /api/plugins/{id}/settings", admin(s.updatePluginSettings))
	mux.Handle("GET /api/plugins/{id}/dashboards", viewer(s.pluginDashboards))
	mux.HandleFunc("GET /public/plugins/{id}/{path...}", s.pluginFile)

	// Data sources: reading their settings is for admins (Grafana's
	// datasources:read is granted to the Admin role), querying for everyone.
	mux.Handle("GET /api/datasources", admin(s.listDataSources))
	mux.Handle("POST /api/datasources", admin(s.createDataSource))
	for _, key := range []string{"{id}", "uid/{uid}", "name/{name}"} {
		base := "/api/datasources/" + key
		mux.Handle("GET "+base, admin(s.getDataSource))
		if key != "name/{name}" {
			mux.Handle("PUT "+base, admin(s.updateDataSource))
		}
		// Health and resources by uid only: Grafana's numeric-id forms are
		// deprecated, and Go's mux cannot hold both.
		if key == "uid/{uid}" {
			mux.Handle("GET "+base+"/health", viewer(s.checkHealth))
			mux.Handle(base+"/resources/{path...}", viewer(s.callResource))
		}
		mux.Handle("DELETE "+base, admin(s.deleteDataSource))
	}
	mux.Handle("POST /api/ds/query", viewer(s.queryData))

	mux.Handle("GET /api/search", viewer(s.search))
	mux.Handle("GET /api/dashboards/uid/{uid}", viewer(s.getDashboard))
	mux.Handle("DELETE /api/dashboards/uid/{uid}", auth(RoleEditor, s.deleteDashboard))
	mux.Handle("POST /api/dashboards/db", auth(RoleEditor, s.saveDashboard))

	for _, f := range s.extra {
		f(mux, auth)
	}

	if s.opts.Web != "" {
		mux.HandleFunc("GET /host/", serveDir(s.opts.Web, "/host/"))
		// No method in the pattern: Go's mux refuses "GET /" beside the
		// method-less resource routes; index answers GET only.
		mux.Handle("/", viewer(s.index))
	}
	if s.opts.Icons != "" {
		mux.HandleFunc("GET /public/build/img/icons/", serveDir(s.opts.Icons, "/public/build/img/icons/"))
	}
	return logRequests(mux)
}

// logRequests answers unknown /api paths with Grafana's JSON 404.
func logRequests(next *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := next.Handler(r); pattern == "" && strings.HasPrefix(r.URL.Path, "/api/") {
			writeMessage(w, http.StatusNotFound, "Not found")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// Run serves until ctx ends.
func Run(ctx context.Context, srv *http.Server) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	select {
	case <-ctx.Done():
		return srv.Shutdown(context.Background())
	case err := <-errc:
		return err
	}
}
