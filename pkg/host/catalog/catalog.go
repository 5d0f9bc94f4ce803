// Package catalog finds the plugins in a built plugin tree (dist/): the
// top-level plugin.json and the nested ones (data source, panels), as
// Grafana's plugin finder does (pkg/plugins/manager/sources and
// pkg/plugins/manager/loader/finder/local.go in Grafana: every plugin.json
// below the plugin's folder is a plugin, nested ones get the top one as parent).
package catalog

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
)

// Include is one entry of a plugin.json "includes" list.
type Include struct {
	Type       string `json:"type"`
	Name       string `json:"name"`
	Path       string `json:"path,omitempty"`
	Component  string `json:"component,omitempty"`
	Role       string `json:"role,omitempty"`
	Action     string `json:"action,omitempty"`
	AddToNav   bool   `json:"addToNav,omitempty"`
	DefaultNav bool   `json:"defaultNav,omitempty"`
	Slug       string `json:"slug,omitempty"`
	Icon       string `json:"icon,omitempty"`
	UID        string `json:"uid,omitempty"`
	ID         string `json:"id,omitempty"`
}

// Plugin is one plugin.json with where it lives.
type Plugin struct {
	ID           string          `json:"id"`
	Type         string          `json:"type"` // app, datasource, panel
	Name         string          `json:"name"`
	Backend      bool            `json:"backend"`
	Executable   string          `json:"executable"`
	Alerting     bool            `json:"alerting"`
	Metrics      bool            `json:"metrics"`
	Logs         bool            `json:"logs"`
	Annotations  bool            `json:"annotations"`
	Preload      bool            `json:"preload"`
	Info         json.RawMessage `json:"info"`
	Includes     []Include       `json:"includes"`
	Dependencies json.RawMessage `json:"dependencies"`

	Dir      string `json:"-"` // absolute folder of the plugin.json
	ParentID string `json:"-"` // the app a nested plugin belongs to
	Version  string `json:"-"` // info.version
	Raw      map[string]any
}

// Module is the path Grafana's frontend loads the plugin from.
func (p *Plugin) Module() string { return "public/plugins/" + p.ID + "/module.js" }

// BaseURL is where the plugin's static files are served.
func (p *Plugin) BaseURL() string { return "public/plugins/" + p.ID }

// ExecutablePath is the backend binary for this machine, named as Grafana
// expects: <executable>_<os>_<arch>[.exe] (Grafana: pkg/plugins/plugins.go,
// executablePath).
func (p *Plugin) ExecutablePath() string {
	if p.Executable == "" {
		return ""
	}
	name := fmt.Sprintf("%s_%s_%s", p.Executable, runtime.GOOS, runtime.GOARCH)
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	return filepath.Join(p.Dir, name)
}

// Catalog is every plugin found, by id.
type Catalog struct {
	Plugins map[string]*Plugin
	Order   []string // ids, top plugin first, then sorted
}

// Load reads dist: its plugin.json and every plugin.json below it.
func Load(dist string) (*Catalog, error) {
	dist, err := filepath.Abs(dist)
	if err != nil {
		return nil, err
	}
	top, err := readPlugin(filepath.Join(dist, "plugin.json"))
	if err != nil {
		return nil, fmt.Errorf("%s: %w (build the plugin first)", dist, err)
	}
	c := &Catalog{Plugins: map[string]*Plugin{top.ID: top}, Order: []string{top.ID}}
	var nested []string
	err = filepath.WalkDir(dist, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "node_modules" {
			return filepath.SkipDir
		}
		if d.Name() != "plugin.json" || filepath.Dir(path) == dist {
			return nil
		}
		p, err := readPlugin(path)
		if err != nil {
			return err
		}
		if _, dup := c.Plugins[p.ID]; dup {
			return fmt.Errorf("plugin id %s found twice (%s)", p.ID, path)
		}
		p.ParentID = top.ID
		c.Plugins[p.ID] = p
		nested = append(nested, p.ID)
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(nested)
	c.Order = append(c.Order, nested...)
	return c, nil
}

func readPlugin(path string) (*Plugin, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var p Plugin
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := json.Unmarshal(b, &p.Raw); err != nil {
		return nil, err
	}
	if p.ID == "" || p.Type == "" {
		return nil, fmt.Errorf("%s: plugin.json without id or type", path)
	}
	var info struct {
		Version string `json:"version"`
	}
	_ = json.Unmarshal(p.Info, &info)
	p.Version = info.Version
	p.Dir = filepath.Dir(path)
	return &p, nil
}

// Get returns the plugin with that id, or nil.
func (c *Catalog) Get(id string) *Plugin { return c.Plugins[id] }

// OfType lists the plugins of one type in catalog order.
func (c *Catalog) OfType(typ string) []*Plugin {
	var out []*Plugin
	for _, id := range c.Order {
		if p := c.Plugins[id]; p.Type == typ {
			out = append(out, p)
		}
	}
	return out
}

// StaticFile resolves a file of a plugin's folder for
// /public/plugins/<id>/<rel>; it never leaves the plugin's folder (Grafana:
// pkg/api/plugins.go getPluginAssets refuses paths outside the plugin dir).
func (c *Catalog) StaticFile(id, rel string) (string, bool) {
	p := c.Plugins[id]
	if p == nil {
		return "", false
	}
	clean := filepath.Clean("/" + rel)
	full := filepath.Join(p.Dir, clean)
	if !strings.HasPrefix(full, p.Dir+string(filepath.Separator)) {
		return "", false
	}
	info, err := os.Lstat(full)
	if err != nil || !info.Mode().IsRegular() {
		return "", false
	}
	return full, true
}
