package api

import (
	"encoding/json"
	"mime"
	"net/http"
	"path/filepath"
	"sync"
	"time"

	"github.com/apifw/monitor/pkg/host/catalog"
)

// pluginSetting is an org's settings of one plugin (Grafana's plugin_setting
// table): only apps are enabled or disabled; other plugins are always on.
type pluginSetting struct {
	Enabled        bool
	Pinned         bool
	JSONData       map[string]any
	SecureJSONData map[string]string
	Updated        time.Time
}

type pluginSettings struct {
	mu sync.RWMutex
	m  map[string]*pluginSetting
}

func (p *pluginSettings) get(id string) pluginSetting {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if s := p.m[id]; s != nil {
		return *s
	}
	return pluginSetting{}
}

func (p *pluginSettings) set(id string, s pluginSetting) {
	p.mu.Lock()
	defer p.mu.Unlock()
	s.Updated = time.Now()
	p.m[id] = &s
}

// enabled says whether a plugin is on in org 1: an app when enabled, a
// nested plugin when its app is (Grafana hides the children of a disabled
// app), any other plugin always.
func (s *Server) enabled(p *catalog.Plugin) bool {
	if p.Type == "app" {
		return s.settings.get(p.ID).Enabled
	}
	if p.ParentID != "" {
		if parent := s.catalog.Get(p.ParentID); parent != nil && parent.Type == "app" {
			return s.settings.get(parent.ID).Enabled
		}
	}
	return true
}

// defaultNavURL is the app's page marked defaultNav, else its root
// (pkg/plugins/plugins.go, DefaultNavURL).
func defaultNavURL(p *catalog.Plugin) string {
	for _, inc := range p.Includes {
		if inc.DefaultNav && inc.Path != "" {
			return inc.Path
		}
	}
	if p.Type == "app" {
		return "/plugins/" + p.ID + "/"
	}
	return ""
}

// listPlugins is GET /api/plugins (pkg/api/plugins.go, GetPluginList; items
// as dtos.PluginListItem).
func (s *Server) listPlugins(w http.ResponseWriter, r *http.Request) {
	typ := r.URL.Query().Get("type")
	out := []map[string]any{}
	for _, id := range s.catalog.Order {
		p := s.catalog.Get(id)
		if typ != "" && p.Type != typ {
			continue
		}
		if r.URL.Query().Get("enabled") == "1" && !s.enabled(p) {
			continue
		}
		out = append(out, map[string]any{
			"name": p.Name, "type": p.Type, "id": p.ID, "enabled": s.enabled(p), "pinned": s.settings.get(p.ID).Pinned,
			"info": p.Info, "dependencies": p.Dependencies, "latestVersion": "", "hasUpdate": false,
			"defaultNavUrl": defaultNavURL(p), "category": "", "state": "", "signature": "unsigned",
			"signatureType": "", "signatureOrg": "", "angularDetected": false,
		})
	}
	writeJSON(w, http.StatusOK, out)
}

// getPluginSettings is GET /api/plugins/{id}/settings (dtos.PluginSetting).
func (s *Server) getPluginSettings(w http.ResponseWriter, r *http.Request) {
	p := s.catalog.Get(r.PathValue("id"))
	if p == nil {
		writeMessage(w, http.StatusNotFound, "Plugin not found, no installed plugin with that id")
		return
	}
	set := s.settings.get(p.ID)
	secure := map[string]bool{}
	for k := range set.SecureJSONData {
		secure[k] = true
	}
	jsonData := set.JSONData
	if jsonData == nil {
		jsonData = map[string]any{}
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"name": p.Name, "type": p.Type, "id": p.ID, "enabled": s.enabled(p), "pinned": set.Pinned, "autoEnabled": false,
		"module": p.Module(), "baseUrl": p.BaseURL(), "info": p.Info, "includes": p.Includes,
		"dependencies": p.Dependencies, "jsonData": jsonData, "secureJsonFields": secure,
		"defaultNavUrl": defaultNavURL(p), "latestVersion": "", "hasUpdate": false, "state": "",
		"signature": "unsigned", "signatureType": "", "signatureOrg": "", "angularDetected": false,
		"loadingStrategy": "script", "extensions": map[string]any{}, "moduleHash": "", "translations": map[string]any{},
	})
}

// updatePluginSettings is POST /api/plugins/{id}/settings (Admin). Enabling
// an app imports its bundled dashboards (Grafana's plugindashboards service
// does so on the app's enable event).
func (s *Server) updatePluginSettings(w http.ResponseWriter, r *http.Request) {
	p := s.catalog.Get(r.PathValue("id"))
	if p == nil {
		writeMessage(w, http.StatusNotFound, "Plugin not found, no installed plugin with that id")
		return
	}
	var body struct {
		Enabled        bool              `json:"enabled"`
		Pinned         bool              `json:"pinned"`
		JSONData       map[string]any    `json:"jsonData"`
		SecureJSONData map[string]string `json:"secureJsonData"`
	}
	if err := readJSON(r, &body); err != nil {
		writeMessage(w, http.StatusBadRequest, "bad request data")
		return
	}
	old := s.settings.get(p.ID)
	secure := map[string]string{}
	for k, v := range old.SecureJSONData {
		secure[k] = v
	}
	for k, v := range body.SecureJSONData {
		secure[k] = v
	}
	s.settings.set(p.ID, pluginSetting{Enabled: body.Enabled, Pinned: body.Pinned, JSONData: body.JSONData, SecureJSONData: secure})
	if p.Type == "app" && body.Enabled {
		if err := s.importAppDashboards(p); err != nil {
			writeMessage(w, http.StatusInternalServerError, "Failed to import the app's dashboards: "+err.Error())
			return
		}
	}
	writeMessage(w, http.StatusOK, "Plugin settings updated")
}

// pluginFile is GET /public/plugins/{id}/{path...}: a file of the plugin's
// folder, never outside it.
func (s *Server) pluginFile(w http.ResponseWriter, r *http.Request) {
	file, ok := s.catalog.StaticFile(r.PathValue("id"), r.PathValue("path"))
	if !ok {
		http.NotFound(w, r)
		return
	}
	if ct := mime.TypeByExtension(filepath.Ext(file)); ct != "" {
		w.Header().Set("Content-Type", ct)
	}
	http.ServeFile(w, r, file)
}

// pluginErrors is GET /api/plugins/errors: the host loads only what it can
// run, so there are none to report.
func (s *Server) pluginErrors(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, []any{})
}

// rawJSON keeps a plugin.json value as is.
func rawJSON(v any) json.RawMessage {
	b, _ := json.Marshal(v)
	return b
}
