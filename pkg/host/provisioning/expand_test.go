package provisioning

import (
	"os"
	"path/filepath"
	"testing"
)

// Cases from Grafana's provisioning docs ("Using environment variables":
// $VAR and ${VAR} are replaced, $$ escapes a dollar) and
// pkg/services/provisioning/values/values_test.go ($__env{}, $__file{}).
func TestExpand(t *testing.T) {
	secret := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secret, []byte("from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	lookup := EnvLookup([]string{"ROOT=/var/log/fw", "EMPTY="})
	cases := map[string]string{
		"${ROOT}":                 "/var/log/fw",
		"$ROOT/a":                 "/var/log/fw/a",
		"pa$$word":                "pa$word",
		"$$ROOT":                  "$ROOT",
		"${UNSET_VAR_XYZ}":        "",
		"$__env{ROOT}":            "/var/log/fw",
		"$__file{" + secret + "}": "from-file",
		"x${EMPTY}y":              "xy",
		"no vars":                 "no vars",
	}
	for in, want := range cases {
		if got := Expand(in, lookup); got != want {
			t.Errorf("Expand(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLoadAppsAndDashboards(t *testing.T) {
	dir := t.TempDir()
	boards := filepath.Join(dir, "boards")
	for path, text := range map[string]string{
		"plugins/a.yaml":       "apiVersion: 1\napps:\n  - {type: my-app, org_id: 2, disabled: true, jsonData: {x: '${ROOT}'}}\n  - {type: other-app}\n",
		"dashboards/p.yaml":    "apiVersion: 1\nproviders:\n  - {name: p, folder: Firewalls, type: file, options: {path: '" + boards + "'}}\n",
		"boards/b.json":        `{"uid":"b","title":"B"}`,
		"datasources/bad.txt":  "ignored: not yaml by name",
		"datasources/del.yaml": "apiVersion: 1\ndeleteDatasources:\n  - {name: Old, orgId: 1}\n",
	} {
		full := filepath.Join(dir, path)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	c, err := Load(dir, EnvLookup([]string{"ROOT=/r"}))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Apps) != 2 || c.Apps[0].OrgID != 2 || !c.Apps[0].Disabled || c.Apps[0].JSONData["x"] != "/r" || c.Apps[1].OrgID != 1 {
		t.Errorf("apps %+v", c.Apps)
	}
	if len(c.Dashboards) != 1 || c.Dashboards[0].Folder != "Firewalls" || c.Dashboards[0].JSON["uid"] != "b" {
		t.Errorf("dashboards %+v", c.Dashboards)
	}
	if len(c.DeleteDataSources) != 1 || c.DeleteDataSources[0] != "Old" {
		t.Errorf("deletes %v", c.DeleteDataSources)
	}
	if err := os.WriteFile(filepath.Join(dir, "plugins", "broken.yaml"), []byte("apps: [\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(dir, EnvLookup(nil)); err == nil {
		t.Error("a malformed file must be an error naming it")
	}
}
