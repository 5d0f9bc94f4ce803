package alerting

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

const repoRules = "../../../provisioning/alerting/apifw-monitor-rules.yaml"
const repoRulesJSON = "../../../src/alerting/apifw-monitor-rules.json"

func loadRepoRules(t *testing.T) []Group {
	t.Helper()
	groups, err := LoadDir(filepath.Dir(repoRules))
	if err != nil {
		t.Fatal(err)
	}
	return groups
}

func TestParseRepoRules(t *testing.T) {
	groups := loadRepoRules(t)
	if len(groups) != 3 {
		t.Fatalf("%d groups, want 3", len(groups))
	}
	g := groups[0]
	if g.Name != "API firewall traffic" || g.Folder != "API Firewall Monitor" || g.Interval != time.Minute || g.OrgID != 1 || len(g.Rules) != 5 {
		t.Fatalf("group 0: %+v", g)
	}
	r := g.Rules[0]
	if r.UID != "apifw-blocked-spike-api" || r.Condition != "E" || r.For != time.Minute || r.NoDataState != "OK" || r.ExecErrState != "Error" || len(r.Data) != 5 {
		t.Fatalf("rule 0: %+v", r)
	}
	if r.Data[1].RelativeTimeRange.From != 3900 || r.Data[1].DatasourceUID != "apifw-monitor" || r.Labels["team"] != "api-security" {
		t.Fatalf("rule 0 data: %+v", r.Data[1])
	}
	if !strings.Contains(r.Annotations["summary"], "{{ $labels.apiName }}") || r.Annotations["__panelId__"] != "10" {
		t.Fatalf("annotations: %v", r.Annotations)
	}
	var model map[string]any
	if err := json.Unmarshal(r.Data[0].Model, &model); err != nil || model["splitBy"] != "api" || model["intervalMs"] != float64(60000) {
		t.Fatalf("model %s: %v", r.Data[0].Model, err)
	}
	if groups[2].Interval != 5*time.Minute || groups[2].Rules[0].For != 0 {
		t.Fatalf("group 2: %+v", groups[2])
	}

	// The JSON twin of the file (src/alerting) parses to the same rules.
	b, err := os.ReadFile(repoRulesJSON)
	if err != nil {
		t.Skip("no JSON twin:", err)
	}
	jg, _, err := ParseFile(repoRulesJSON, b)
	if err != nil {
		t.Fatal(err)
	}
	if len(jg) != len(groups) {
		t.Fatalf("JSON: %d groups", len(jg))
	}
	for i := range jg {
		for j := range jg[i].Rules {
			a, b := groups[i].Rules[j], jg[i].Rules[j]
			if a.UID != b.UID || a.Condition != b.Condition || a.For != b.For || !reflect.DeepEqual(a.Annotations, b.Annotations) || len(a.Data) != len(b.Data) {
				t.Errorf("rule %s differs between YAML and JSON", a.UID)
			}
		}
	}
}

func TestLoadDir(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// A JSON file as the tests write them; no noDataState, execErrState or
	// for: Grafana's provisioning defaults (rules_types.go mapToModel) are
	// NoData, Alerting and 0.
	write("a.json", `{"apiVersion":1,"groups":[{"orgId":1,"name":"g1","folder":"F","interval":"10s","rules":[
	  {"uid":"r1","title":"R1","condition":"B","data":[
	    {"refId":"A","relativeTimeRange":{"from":600,"to":0},"datasourceUid":"ds","model":{"refId":"A"}},
	    {"refId":"B","datasourceUid":"__expr__","model":{"type":"threshold","expression":"A","conditions":[{"evaluator":{"type":"gt","params":[1]}}]}}]},
	  {"uid":"r2","title":"R2","condition":"A","data":[{"refId":"A","datasourceUid":"__expr__","model":{"type":"math","expression":"1"}}],"isPaused":true}]}]}`)
	write("b.yml", "apiVersion: 1\ndeleteRules:\n  - orgId: 1\n    uid: r2\n")
	write("ignored.txt", "not a rule file")
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o700); err != nil {
		t.Fatal(err)
	}
	write("sub/c.yaml", "groups: [{ name: x }]") // not read: LoadDir is not recursive

	groups, err := LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(groups) != 1 || len(groups[0].Rules) != 1 {
		t.Fatalf("groups %+v", groups)
	}
	r := groups[0].Rules[0]
	if r.NoDataState != NoDataNoData || r.ExecErrState != ErrStateAlerting || r.For != 0 || r.MissingSeriesEvalsToResolve != 2 {
		t.Fatalf("defaults: %+v", r)
	}
	if r.FolderTitle != "F" || r.Group != "g1" || r.Interval != 10*time.Second || r.FolderUID == "" {
		t.Fatalf("group fields: %+v", r)
	}

	// The same group in a later file replaces it; a rule UID moves to its
	// last definition.
	write("c.yaml", `apiVersion: 1
groups:
  - orgId: 1
    name: g1
    folder: F
    interval: 1m
    rules:
      - uid: r1
        title: R1 again
        condition: A
        data: [{refId: A, datasourceUid: __expr__, model: {type: math, expression: "1"}}]
  - orgId: 1
    name: g2
    folder: F
    interval: 1m
    rules:
      - uid: r1
        title: R1 moved
        condition: A
        data: [{refId: A, datasourceUid: __expr__, model: {type: math, expression: "1"}}]
`)
	groups, err = LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(groups) != 1 || groups[0].Name != "g2" || len(groups[0].Rules) != 1 || groups[0].Rules[0].Title != "R1 moved" {
		t.Fatalf("duplicates: %+v", groups)
	}

	bad := map[string]string{
		"no title":        `{"groups":[{"name":"g","folder":"F","interval":"1m","rules":[{"uid":"u","condition":"A","data":[{"refId":"A","datasourceUid":"ds"}]}]}]}`,
		"no uid":          `{"groups":[{"name":"g","folder":"F","interval":"1m","rules":[{"title":"t","condition":"A","data":[{"refId":"A","datasourceUid":"ds"}]}]}]}`,
		"no data":         `{"groups":[{"name":"g","folder":"F","interval":"1m","rules":[{"uid":"u","title":"t","condition":"A"}]}]}`,
		"no condition":    `{"groups":[{"name":"g","folder":"F","interval":"1m","rules":[{"uid":"u","title":"t","data":[{"refId":"A","datasourceUid":"ds"}]}]}]}`,
		"no folder":       `{"groups":[{"name":"g","interval":"1m","rules":[]}]}`,
		"bad interval":    `{"groups":[{"name":"g","folder":"F","interval":"15s","rules":[]}]}`,
		"bad nodata":      `{"groups":[{"name":"g","folder":"F","interval":"1m","rules":[{"uid":"u","title":"t","condition":"A","noDataState":"Nope","data":[{"refId":"A","datasourceUid":"ds"}]}]}]}`,
		"bad expression":  `{"groups":[{"name":"g","folder":"F","interval":"1m","rules":[{"uid":"u","title":"t","condition":"A","data":[{"refId":"A","datasourceUid":"__expr__","model":{"type":"math","expression":"$A +"}}]}]}]}`,
		"unknown version": `{"apiVersion":3,"groups":[]}`,
	}
	for name, content := range bad {
		if _, _, err := ParseFile(name, []byte(content)); err == nil {
			t.Errorf("%s: want an error", name)
		}
	}
}
