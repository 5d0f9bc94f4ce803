package provisioning

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// DataSource is one provisioned data source (the fields of Grafana's
// datasources/*.yaml, pkg/services/provisioning/datasources/types.go).
type DataSource struct {
	OrgID           int64          `json:"orgId"`
	Name            string         `json:"name"`
	Type            string         `json:"type"`
	Access          string         `json:"access"`
	UID             string         `json:"uid"`
	URL             string         `json:"url"`
	User            string         `json:"user"`
	Database        string         `json:"database"`
	BasicAuth       bool           `json:"basicAuth"`
	BasicAuthUser   string         `json:"basicAuthUser"`
	WithCredentials bool           `json:"withCredentials"`
	IsDefault       bool           `json:"isDefault"`
	Editable        bool           `json:"editable"`
	JSONData        map[string]any `json:"jsonData"`
	SecureJSONData  map[string]any `json:"secureJsonData"`
}

// App is one provisioned app plugin (plugins/*.yaml,
// pkg/services/provisioning/plugins/types.go).
type App struct {
	Type           string         `json:"type"`
	OrgID          int64          `json:"orgId"`
	Disabled       bool           `json:"disabled"`
	JSONData       map[string]any `json:"jsonData"`
	SecureJSONData map[string]any `json:"secureJsonData"`
}

// DashboardProvider is one dashboards/*.yaml provider of type file.
type DashboardProvider struct {
	Name    string `json:"name"`
	OrgID   int64  `json:"orgId"`
	Folder  string `json:"folder"`
	Type    string `json:"type"`
	Options struct {
		Path string `json:"path"`
	} `json:"options"`
}

// Dashboard is one dashboard file of a provider.
type Dashboard struct {
	Folder string
	File   string
	JSON   map[string]any
}

// Config is everything read from a provisioning directory.
type Config struct {
	DataSources       []DataSource
	DeleteDataSources []string // names
	Apps              []App
	Dashboards        []Dashboard
	AlertingDir       string // provisioning/alerting, for pkg/host/alerting
}

// Load reads dir/datasources, dir/plugins and dir/dashboards, expanding
// values with lookup; a malformed file is an error naming the file, as
// Grafana refuses to start on one.
func Load(dir string, lookup Lookup) (*Config, error) {
	c := &Config{AlertingDir: filepath.Join(dir, "alerting")}
	err := eachFile(filepath.Join(dir, "datasources"), lookup, func(file string, doc map[string]any) error {
		var f struct {
			DeleteDatasources []struct {
				Name string `json:"name"`
			} `json:"deleteDatasources"`
			Datasources []DataSource `json:"datasources"`
		}
		if err := remarshal(doc, &f); err != nil {
			return err
		}
		for _, d := range f.DeleteDatasources {
			c.DeleteDataSources = append(c.DeleteDataSources, d.Name)
		}
		for _, ds := range f.Datasources {
			if ds.Name == "" || ds.Type == "" {
				return fmt.Errorf("a data source needs a name and a type")
			}
			if ds.OrgID == 0 {
				ds.OrgID = 1
			}
			if ds.Access == "" {
				ds.Access = "proxy"
			}
			c.DataSources = append(c.DataSources, ds)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = eachFile(filepath.Join(dir, "plugins"), lookup, func(file string, doc map[string]any) error {
		var f struct {
			Apps []struct {
				App
				OrgIDSnake int64 `json:"org_id"`
			} `json:"apps"`
		}
		if err := remarshal(doc, &f); err != nil {
			return err
		}
		for _, a := range f.Apps {
			app := a.App
			if app.OrgID == 0 {
				app.OrgID = a.OrgIDSnake
			}
			if app.OrgID == 0 {
				app.OrgID = 1
			}
			c.Apps = append(c.Apps, app)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = eachFile(filepath.Join(dir, "dashboards"), lookup, func(file string, doc map[string]any) error {
		var f struct {
			Providers []DashboardProvider `json:"providers"`
		}
		if err := remarshal(doc, &f); err != nil {
			return err
		}
		for _, p := range f.Providers {
			if p.Type != "" && p.Type != "file" {
				continue
			}
			boards, err := readDashboards(p)
			if err != nil {
				return err
			}
			c.Dashboards = append(c.Dashboards, boards...)
		}
		return nil
	})
	return c, err
}

func readDashboards(p DashboardProvider) ([]Dashboard, error) {
	var out []Dashboard
	err := filepath.WalkDir(p.Options.Path, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(path) != ".json" {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		out = append(out, Dashboard{Folder: p.Folder, File: path, JSON: m})
		return nil
	})
	return out, err
}

// eachFile decodes every .yaml/.yml/.json file of dir (sorted, not
// recursive, as Grafana's config readers), expands its strings and hands it
// to fn; a missing dir is no error.
func eachFile(dir string, lookup Lookup, fn func(file string, doc map[string]any) error) error {
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	var names []string
	for _, e := range entries {
		ext := strings.ToLower(filepath.Ext(e.Name()))
		if !e.IsDir() && (ext == ".yaml" || ext == ".yml" || ext == ".json") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	for _, n := range names {
		file := filepath.Join(dir, n)
		b, err := os.ReadFile(file)
		if err != nil {
			return err
		}
		var doc map[string]any
		if err := yaml.Unmarshal(b, &doc); err != nil { // YAML is a superset of JSON
			return fmt.Errorf("%s: %w", file, err)
		}
		if doc == nil {
			continue
		}
		if err := fn(file, expandAll(doc, lookup).(map[string]any)); err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
	}
	return nil
}

// remarshal converts a decoded document into a typed one through JSON.
func remarshal(doc map[string]any, out any) error {
	b, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, out)
}
