package api

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
)

// health is GET /api/health (pkg/api/health.go): no authentication.
func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"database": "ok", "version": s.opts.GrafanaVersion, "commit": "plugin-host"})
}

// corePanels are Grafana's built-in visualisations the bundled dashboards
// use; Grafana lists them in the boot data with "core:plugin/<id>" modules.
var corePanels = []struct{ id, name string }{
	{"timeseries", "Time series"}, {"stat", "Stat"}, {"table", "Table"}, {"bargauge", "Bar gauge"},
	{"gauge", "Gauge"}, {"piechart", "Pie chart"}, {"geomap", "Geomap"}, {"text", "Text"},
	{"barchart", "Bar chart"}, {"logs", "Logs"}, {"traces", "Traces"},
}

// frontendSettings is GET /api/frontend/settings: the part of Grafana's
// boot data (pkg/api/dtos/frontend_settings.go, FrontendSettingsDTO) that
// @grafana/runtime and the plugin read: build info, data sources with their
// plugin meta, panels, apps, the default data source.
func (s *Server) frontendSettings(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.bootSettings())
}

func (s *Server) bootSettings() map[string]any {
	dss := map[string]any{}
	defaultDS := ""
	for _, ds := range s.ds.all() {
		p := s.catalog.Get(ds.Type)
		if p == nil || !s.enabled(p) {
			continue
		}
		meta := map[string]any{}
		for k, v := range p.Raw {
			meta[k] = v
		}
		meta["module"], meta["baseUrl"], meta["signature"], meta["angular"] = p.Module(), p.BaseURL(), "unsigned", map[string]any{"detected": false}
		meta["loadingStrategy"] = "script"
		dss[ds.Name] = map[string]any{
			"id": ds.ID, "uid": ds.UID, "type": ds.Type, "name": ds.Name, "meta": meta,
			"url": "/api/datasources/proxy/uid/" + ds.UID, "isDefault": ds.IsDefault, "access": ds.Access,
			"jsonData": ds.JSONData, "readOnly": ds.ReadOnly,
		}
		if ds.IsDefault {
			defaultDS = ds.Name
		}
	}
	panels := map[string]any{}
	for i, cp := range corePanels {
		panels[cp.id] = map[string]any{"id": cp.id, "name": cp.name, "module": "core:plugin/" + cp.id, "baseUrl": "public/app/plugins/panel/" + cp.id,
			"info": map[string]any{"version": s.opts.GrafanaVersion}, "sort": i + 1, "hideFromList": false, "skipDataQuery": false, "state": "", "signature": "internal"}
	}
	apps := map[string]any{}
	for _, id := range s.catalog.Order {
		p := s.catalog.Get(id)
		if !s.enabled(p) {
			continue
		}
		switch p.Type {
		case "panel":
			panels[p.ID] = map[string]any{"id": p.ID, "name": p.Name, "module": p.Module(), "baseUrl": p.BaseURL(), "info": p.Info,
				"sort": 100, "hideFromList": false, "skipDataQuery": p.Raw["skipDataQuery"] == true, "state": "", "signature": "unsigned",
				"angular": map[string]any{"detected": false}, "loadingStrategy": "script"}
		case "app":
			apps[p.ID] = map[string]any{"id": p.ID, "path": p.Module(), "version": p.Version, "preload": p.Preload,
				"angular": map[string]any{"detected": false}, "loadingStrategy": "script", "extensions": map[string]any{},
				"dependencies": p.Dependencies, "moduleHash": ""}
		}
	}
	return map[string]any{
		"appUrl": s.appURL(), "appSubUrl": "", "allowOrgCreate": false, "authProxyEnabled": false,
		"buildInfo": map[string]any{"version": s.opts.GrafanaVersion, "versionString": "Grafana plugin host (Grafana API " + s.opts.GrafanaVersion + ")",
			"commit": "plugin-host", "edition": "Open Source", "env": "production", "latestVersion": "", "hasUpdate": false, "hideVersion": false},
		"datasources": dss, "defaultDatasource": defaultDS, "panels": panels, "apps": apps,
		"featureToggles": map[string]bool{}, "minRefreshInterval": "5s", "unifiedAlertingEnabled": true,
		"unifiedAlerting": map[string]any{"minInterval": "10s"}, "anonymousEnabled": s.opts.AnonymousRole != "",
		"rendererAvailable": false, "exploreEnabled": true, "pluginsToPreload": []any{}, "disableLoginForm": false,
		"licenseInfo": map[string]any{"edition": "Open Source", "enabledFeatures": map[string]any{}}, "pluginHost": true,
	}
}

// index serves the host page (the -web bundle) at "/" with the boot data
// inlined as Grafana's index.html does, since @grafana/runtime reads
// window.grafanaBootData as soon as it is imported.
func (s *Server) index(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		writeMessage(w, http.StatusMethodNotAllowed, "Method not allowed")
		return
	}
	if r.URL.Path != "/" && r.URL.Path != "/index.html" && !strings.HasPrefix(r.URL.Path, "/a/") && !strings.HasPrefix(r.URL.Path, "/d/") {
		http.NotFound(w, r)
		return
	}
	u := userOf(r)
	theme := "dark"
	if r.URL.Query().Get("theme") == "light" {
		theme = "light"
	}
	boot := map[string]any{
		"settings": s.bootSettings(),
		"user": map[string]any{"isSignedIn": true, "id": u.ID, "login": u.Login, "email": u.Email, "name": u.Name,
			"orgId": 1, "orgName": "Main Org.", "orgRole": u.Role, "isGrafanaAdmin": u.IsGrafanaAdmin,
			"theme": theme, "lightTheme": theme == "light", "timezone": "browser", "locale": "en-US", "language": "en-US"},
		"navTree": []any{}, "assets": map[string]any{"light": "", "dark": ""},
	}
	b, _ := json.Marshal(boot)
	// "<" escaped, so no value can close the script element.
	inline := strings.ReplaceAll(string(b), "<", `\u003c`)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte(`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>API Firewall Monitor — plugin host preview</title>
    <link rel="icon" href="data:," />
    <link rel="stylesheet" href="/host/main.css" />
    <style>body { margin: 0; }</style>
    <script>
      window.grafanaBootData = ` + inline + `;
      window.__grafana_public_path__ = '/public/';
    </script>
    <script src="/host/main.js" defer></script>
  </head>
  <body><div id="root"></div></body>
</html>
`))
}

// serveDir serves files of folders (the first that has the file), never
// outside them.
func serveDir(prefix string, roots ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		rel := filepath.Clean("/" + strings.TrimPrefix(r.URL.Path, prefix))
		for _, root := range roots {
			full := filepath.Join(root, rel)
			if info, err := os.Stat(full); err == nil && info.Mode().IsRegular() {
				http.ServeFile(w, r, full)
				return
			}
		}
		http.NotFound(w, r)
	}
}
