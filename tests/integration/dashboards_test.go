//go:build integration

package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/apifw/monitor/pkg/generate"
	"github.com/apifw/monitor/tests/hosttest"
)

// The bundled dashboards: uid → file under src/dashboards.
var bundledDashboards = map[string]string{
	"apifw-security":   "security.json",
	"apifw-collection": "collection.json",
	"apifw-executive":  "executive.json",
}

// dashboardFixture writes demo logs (6 hours ending now) and reports
// (60 days) for the same APIs, and starts Grafana with the repository's
// provisioning over them.
func dashboardFixture(t *testing.T) (*hosttest.Server, time.Time) {
	t.Helper()
	logs, reps := t.TempDir(), t.TempDir()
	end := time.Now().UTC().Truncate(time.Second)
	if _, err := generate.WriteFiles(logs, generate.Config{Seed: 42, APIs: 5, Instances: 3, Records: 20000, Start: end.Add(-6 * time.Hour), End: end}); err != nil {
		t.Fatal(err)
	}
	if _, err := generate.WriteReports(reps, generate.ReportsConfig{Seed: 42, APIs: 6, Start: end.Add(-60 * 24 * time.Hour), End: end}); err != nil {
		t.Fatal(err)
	}
	// The data source takes absolute paths only (the in-process host does
	// not resolve them against its directory).
	geoDB, err := filepath.Abs(filepath.Join(repoRoot, "node_modules", "@ip-location-db", "geo-whois-asn-country-mmdb", "geo-whois-asn-country.mmdb"))
	if err != nil {
		t.Fatal(err)
	}
	s := hosttest.StartT(t, hosttest.Options{
		Dist: dist(), Provisioning: filepath.Join(repoRoot, "provisioning"),
		Env: []string{"APIFW_LOGS=" + logs, "APIFW_REPORTS=" + reps, "APIFW_GEO_DB=" + geoDB},
	})
	return s, end
}

// dashboardJSON is the part of a dashboard the test reads.
type dashboardJSON struct {
	UID        string                `json:"uid"`
	Title      string                `json:"title"`
	Tags       []string              `json:"tags"`
	Revision   int                   `json:"revision"`
	Time       struct{ From string } `json:"time"`
	Templating struct {
		List []map[string]any `json:"list"`
	} `json:"templating"`
	Panels []map[string]any `json:"panels"`
}

// getDashboard fetches an imported dashboard, waiting for the app's import.
func getDashboard(t *testing.T, s *hosttest.Server, uid string) (dashboardJSON, map[string]any) {
	t.Helper()
	var resp struct {
		Dashboard json.RawMessage `json:"dashboard"`
		Meta      struct {
			Provisioned bool `json:"provisioned"`
		} `json:"meta"`
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		err := s.Do(context.Background(), "GET", "/api/dashboards/uid/"+uid, nil, &resp)
		if err == nil {
			break
		}
		if !hosttest.IsStatus(err, 404) || time.Now().After(deadline) {
			t.Fatalf("dashboard %s: %v", uid, err)
		}
		time.Sleep(time.Second)
	}
	var d dashboardJSON
	var raw map[string]any
	if err := json.Unmarshal(resp.Dashboard, &d); err != nil {
		t.Fatal(err)
	}
	_ = json.Unmarshal(resp.Dashboard, &raw)
	return d, raw
}

// allPanels flattens rows.
func allPanels(panels []map[string]any) []map[string]any {
	var out []map[string]any
	for _, p := range panels {
		if p["type"] == "row" {
			if inner, ok := p["panels"].([]any); ok {
				for _, q := range inner {
					out = append(out, q.(map[string]any))
				}
			}
			continue
		}
		out = append(out, p)
	}
	return out
}

// relativeFrom reads "now-6h" / "now-30d".
func relativeFrom(t *testing.T, end time.Time, from string) time.Time {
	t.Helper()
	m := regexp.MustCompile(`^now-(\d+)([mhd])$`).FindStringSubmatch(from)
	if m == nil {
		t.Fatalf("time.from %q is not now-<n>[mhd]", from)
	}
	var n int
	fmt.Sscan(m[1], &n)
	unit := map[string]time.Duration{"m": time.Minute, "h": time.Hour, "d": 24 * time.Hour}[m[2]]
	return end.Add(-time.Duration(n) * unit)
}

// varResolver resolves a dashboard's variables the way the data source does
// in the browser: the datasource variable is the provisioned data source; a
// multi-value variable at its default "All" (no custom all value) means no
// filter, so list entries naming it are dropped (and an emptied list
// removed); other variables take their current value.
type varResolver struct {
	all    map[string]bool   // variables at "All"
	values map[string]string // single values
}

var varRef = regexp.MustCompile(`^\$\{?(\w+)(?::\w+)?\}?$`)

func newVarResolver(t *testing.T, s *hosttest.Server, d dashboardJSON, from, to time.Time) varResolver {
	t.Helper()
	r := varResolver{all: map[string]bool{}, values: map[string]string{}}
	for _, v := range d.Templating.List {
		name, _ := v["name"].(string)
		switch v["type"] {
		case "datasource":
			if v["query"] != "apifw-monitor-datasource" {
				t.Errorf("%s: variable %s lists %v, want apifw-monitor-datasource", d.UID, name, v["query"])
			}
			r.values[name] = "apifw-monitor"
		case "query":
			ds, _ := v["datasource"].(map[string]any)
			if ds["uid"] != "${datasource}" {
				t.Errorf("%s: variable %s uses data source %v, want ${datasource}", d.UID, name, ds)
			}
			q, _ := v["query"].(map[string]any)
			field, _ := q["field"].(string)
			vals := suggestions(t, s, field, from, to)
			if len(vals) == 0 {
				t.Errorf("%s: variable %s (field %s) has no values over the demo data", d.UID, name, field)
			}
			if v["includeAll"] != true || v["multi"] != true || v["allValue"] != nil {
				t.Errorf("%s: variable %s: want multi-value with a plain All (no custom all value)", d.UID, name)
			}
			r.all[name] = true
		case "custom":
			cur, _ := v["current"].(map[string]any)
			r.values[name], _ = cur["value"].(string)
			if r.values[name] == "" {
				t.Errorf("%s: custom variable %s has no current value", d.UID, name)
			}
		case "adhoc":
			// No filters by default.
		default:
			t.Errorf("%s: variable %s of type %v", d.UID, name, v["type"])
		}
	}
	return r
}

// suggestions lists a field's values through the data source's resource,
// as the variable editor does.
func suggestions(t *testing.T, s *hosttest.Server, field string, from, to time.Time) []string {
	t.Helper()
	var resp struct {
		Values []struct {
			Value string `json:"value"`
			Label string `json:"label"`
		} `json:"values"`
	}
	q := url.Values{"field": {field}, "from": {fmt.Sprint(from.UnixMilli())}, "to": {fmt.Sprint(to.UnixMilli())}, "limit": {"1000"}}
	if err := s.Do(context.Background(), "GET", "/api/datasources/uid/apifw-monitor/resources/suggestions?"+q.Encode(), nil, &resp); err != nil {
		t.Errorf("suggestions for %s: %v", field, err)
		return nil
	}
	var out []string
	for _, v := range resp.Values {
		out = append(out, v.Value)
	}
	return out
}

// resolve returns v with the variables substituted.
func (r varResolver) resolve(t *testing.T, v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, val := range x {
			res := r.resolve(t, val)
			if l, ok := res.([]any); ok && len(l) == 0 {
				if _, was := val.([]any); was && len(val.([]any)) > 0 {
					continue // a list filter emptied by "All": no filter
				}
			}
			out[k] = res
		}
		return out
	case []any:
		out := []any{}
		for _, e := range x {
			if s, ok := e.(string); ok {
				if m := varRef.FindStringSubmatch(s); m != nil && r.all[m[1]] {
					continue
				}
			}
			out = append(out, r.resolve(t, e))
		}
		return out
	case string:
		return regexp.MustCompile(`\$\{(\w+)(?::\w+)?\}|\$(\w+)`).ReplaceAllStringFunc(x, func(ref string) string {
			m := regexp.MustCompile(`\$\{?(\w+)`).FindStringSubmatch(ref)
			if val, ok := r.values[m[1]]; ok {
				return val
			}
			if r.all[m[1]] {
				t.Errorf("variable %s at All used outside a list: %q", m[1], x)
			}
			return ref
		})
	}
	return v
}

// TestDashboards: enabling the app imports the three dashboards; each is
// well formed (fixed uid, tags, data source variable, described panels),
// and every panel's queries, variables at their defaults, answer non-empty
// frames of the shape the panel reads over demo data.
func TestDashboards(t *testing.T) {
	s, end := dashboardFixture(t)
	uids := make([]string, 0, len(bundledDashboards))
	for uid := range bundledDashboards {
		uids = append(uids, uid)
	}
	sort.Strings(uids)
	for _, uid := range uids {
		t.Run(uid, func(t *testing.T) {
			d, raw := getDashboard(t, s, uid)
			checkDashboardFile(t, uid, raw)
			if d.UID != uid || d.Revision < 1 || !contains(d.Tags, "apifw-monitor") {
				t.Fatalf("dashboard %s: uid %q revision %d tags %v", uid, d.UID, d.Revision, d.Tags)
			}
			from := relativeFrom(t, end, d.Time.From)
			vars := newVarResolver(t, s, d, from, end)
			panels := allPanels(d.Panels)
			if len(panels) < 10 {
				t.Fatalf("%s: only %d panels", uid, len(panels))
			}
			for _, p := range panels {
				title, _ := p["title"].(string)
				t.Run(title, func(t *testing.T) {
					if desc, _ := p["description"].(string); len(desc) < 20 {
						t.Errorf("no description")
					}
					targets, _ := p["targets"].([]any)
					if len(targets) == 0 {
						t.Fatalf("no queries")
					}
					var frames []frameJSON
					for _, target := range targets {
						q := vars.resolve(t, target).(map[string]any)
						if ds, _ := q["datasource"].(map[string]any); ds["uid"] != "apifw-monitor" {
							t.Fatalf("target data source %v", q["datasource"])
						}
						frames = append(frames, panelQuery(t, s, from, end, q)...)
					}
					checkPanelFrames(t, p, frames)
				})
			}
		})
	}
}

// checkDashboardFile: the imported dashboard is the bundled file.
func checkDashboardFile(t *testing.T, uid string, imported map[string]any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, "src", "dashboards", bundledDashboards[uid]))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "${DS_") || strings.Contains(string(b), "__inputs") {
		t.Errorf("%s: uses import inputs; dashboards use the datasource variable", uid)
	}
	var file map[string]any
	if err := json.Unmarshal(b, &file); err != nil {
		t.Fatal(err)
	}
	if imported["title"] != file["title"] || len(imported["panels"].([]any)) != len(file["panels"].([]any)) {
		t.Errorf("%s: imported %v with %d panels, file %v with %d", uid, imported["title"], len(imported["panels"].([]any)), file["title"], len(file["panels"].([]any)))
	}
}

// panelQuery sends one resolved target as the browser does (interval from
// the range) and returns its frames; an error or no frame fails.
func panelQuery(t *testing.T, s *hosttest.Server, from, to time.Time, q map[string]any) []frameJSON {
	t.Helper()
	q["refId"] = "A"
	interval := to.Sub(from).Milliseconds() / 500
	q["intervalMs"], q["maxDataPoints"] = max(interval, 1000), 500
	body := map[string]any{"from": fmt.Sprint(from.UnixMilli()), "to": fmt.Sprint(to.UnixMilli()), "queries": []any{q}}
	var resp struct {
		Results map[string]struct {
			Error  string      `json:"error"`
			Frames []frameJSON `json:"frames"`
		} `json:"results"`
	}
	if err := s.Do(context.Background(), "POST", "/api/ds/query", body, &resp); err != nil {
		t.Fatalf("query %v: %v", q, err)
	}
	r := resp.Results["A"]
	if r.Error != "" || len(r.Frames) == 0 {
		t.Fatalf("query %v: error %q, %d frames", q, r.Error, len(r.Frames))
	}
	return r.Frames
}

// checkPanelFrames: rows came back, and every field the panel reads
// (reduce field patterns, field filters, bar chart x field) exists.
func checkPanelFrames(t *testing.T, p map[string]any, frames []frameJSON) {
	t.Helper()
	names := map[string]bool{}
	rows := 0
	for _, f := range frames {
		for i, field := range f.Schema.Fields {
			names[field.Name] = true
			if i < len(f.Data.Values) && len(f.Data.Values[i]) > rows {
				rows = len(f.Data.Values[i])
			}
		}
	}
	if rows == 0 {
		t.Fatalf("no rows (fields %v)", keys(names))
	}
	options, _ := p["options"].(map[string]any)
	if ro, ok := options["reduceOptions"].(map[string]any); ok {
		pattern, _ := ro["fields"].(string)
		if pattern != "" && !anyMatch(t, pattern, names, p) {
			t.Errorf("reduce fields %s match none of %v", pattern, keys(names))
		}
	}
	if x, _ := options["xField"].(string); x != "" && !names[x] {
		t.Errorf("x field %s not in %v", x, keys(names))
	}
	if p["type"] == "apifw-topn-panel" {
		if !names["count"] || !names["share"] {
			t.Errorf("top-N frame without count/share: %v", keys(names))
		}
	}
	transforms, _ := p["transformations"].([]any)
	for _, tr := range transforms {
		m := tr.(map[string]any)
		if m["id"] != "filterFieldsByName" {
			continue
		}
		inc := m["options"].(map[string]any)["include"].(map[string]any)
		if list, ok := inc["names"].([]any); ok {
			for _, n := range list {
				if !names[n.(string)] {
					t.Errorf("filterFieldsByName keeps %s: not in %v", n, keys(names))
				}
			}
		}
		if pat, ok := inc["pattern"].(string); ok && !anyMatch(t, "/"+pat+"/", names, p) {
			t.Errorf("filterFieldsByName %s matches none of %v", pat, keys(names))
		}
	}
}

// anyMatch: a Grafana field pattern (/regexp/ or a name) matches a field,
// after the panel's own transformations of names (rowsToFields, reduce).
func anyMatch(t *testing.T, pattern string, names map[string]bool, p map[string]any) bool {
	t.Helper()
	re := pattern
	if strings.HasPrefix(pattern, "/") && strings.HasSuffix(pattern, "/") {
		re = pattern[1 : len(pattern)-1]
	} else {
		re = "^" + regexp.QuoteMeta(pattern) + "$"
	}
	rx, err := regexp.Compile(re)
	if err != nil {
		t.Fatalf("pattern %s: %v", pattern, err)
	}
	for n := range names {
		if rx.MatchString(n) {
			return true
		}
	}
	// rowsToFields turns the values of the name column into fields.
	for _, tr := range asList(p["transformations"]) {
		if tr.(map[string]any)["id"] == "rowsToFields" {
			return true // the values are checked by the shape of auditIssues (severity rows)
		}
	}
	return false
}

func asList(v any) []any { l, _ := v.([]any); return l }

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

// TestDashboardsAppIncludes: plugin.json includes every bundled dashboard
// and the app pages of the contract.
func TestDashboardsAppIncludes(t *testing.T) {
	var pj struct {
		Includes []struct {
			Type, Name, Path, Role string
			AddToNav               bool `json:"addToNav"`
		} `json:"includes"`
	}
	if err := json.Unmarshal([]byte(readFile(t, filepath.Join(repoRoot, "src", "plugin.json"))), &pj); err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{}
	for _, inc := range pj.Includes {
		found[inc.Type+" "+inc.Path] = true
		if inc.Path == "/a/%PLUGIN_ID%/data-management" && inc.Role != "Admin" {
			t.Errorf("data management page is not Admin only")
		}
	}
	for _, file := range bundledDashboards {
		if !found["dashboard dashboards/"+file] {
			t.Errorf("plugin.json does not include dashboards/%s", file)
		}
	}
	for _, route := range []string{"home", "trace-explorer", "instances", "data-management"} {
		if !found["page /a/%PLUGIN_ID%/"+route] {
			t.Errorf("plugin.json has no page for %s", route)
		}
	}
}
