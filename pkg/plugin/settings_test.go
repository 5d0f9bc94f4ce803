package plugin

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/apifw/monitor/pkg/index"
)

func TestParseSettings(t *testing.T) {
	t.Setenv("GF_PATHS_DATA", "/var/lib/grafana")
	cases := []struct {
		name  string
		json  string
		check func(Settings) bool
		errs  []string
	}{
		{"defaults", `{}`, func(s Settings) bool {
			return s.MaxRows == 10000 && s.QueryTimeoutSeconds == 30 && s.MaxConcurrentQueries == 4 &&
				s.silentAfter == 15*time.Minute && s.StateDir == "/var/lib/grafana/apifw-monitor/uid-1"
		}, nil},
		{"all set", `{"logRoots":[" /logs/ ",""],"include":["fw-*/**"],"exclude":["*.gz"],"stdoutFiles":[],` +
			`"outcomeRules":{"rules":[{"outcome":"blocked","hasErrors":true}],"otherwise":"allowed"},"jsonPaths":{"instance":"pod.name"},` +
			`"maskedHeaders":["X-Tenant"],"maxRows":50,"queryTimeoutSeconds":5,"maxConcurrentQueries":2,"silentAfter":"1h","stateDir":"/state/x/"}`,
			func(s Settings) bool {
				o := s.ingestOptions()
				return strings.Join(s.LogRoots, ",") == "/logs" && o.Include[0] == "fw-*/**" && o.Exclude[0] == "*.gz" &&
					o.StdoutFiles != nil && len(o.StdoutFiles) == 0 && o.Rules.Rules[0].Outcome == "blocked" && o.Paths.Instance == "pod.name" &&
					s.MaxRows == 50 && s.timeout() == 5*time.Second && s.MaxConcurrentQueries == 2 && s.silentAfter == time.Hour &&
					s.StateDir == "/state/x" && s.masker.secret("x-tenant")
			}, nil},
		{"every problem reported", `{"logRoots":["rel"],"reportRoots":["r2"],"dateEpochUnit":"days","maxRows":-1,"queryTimeoutSeconds":100000,` +
			`"maxConcurrentQueries":1000,"silentAfter":"soon","stateDir":"state","maskedHeaders":["["]}`, nil,
			[]string{`log root "rel"`, `report root "r2"`, "dateEpochUnit", "maxRows -1", "queryTimeoutSeconds 100000", "maxConcurrentQueries 1000",
				`silentAfter "soon"`, `stateDir "state"`, `maskedHeaders: "["`}},
		{"bad glob", `{"include":["[a"]}`, nil, []string{"[a"}},
		{"bad outcome", `{"outcomeRules":{"rules":[{"outcome":"maybe"}]}}`, nil, []string{"maybe"}},
		{"not json", `{"maxRows":"many"}`, nil, []string{"not valid JSON"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := parseSettings(json.RawMessage(c.json), "uid-1")
			if len(c.errs) == 0 && err != nil {
				t.Fatal(err)
			}
			for _, e := range c.errs {
				if err == nil || !strings.Contains(err.Error(), e) {
					t.Errorf("error %v, want it to mention %s", err, e)
				}
			}
			if c.check != nil && !c.check(s) {
				t.Errorf("settings %+v", s)
			}
			if s.masker == nil || s.MaxConcurrentQueries < 1 {
				t.Error("no usable defaults")
			}
		})
	}
}

func TestDefaultStateDir(t *testing.T) {
	t.Setenv("GF_PATHS_DATA", "")
	if d := defaultStateDir("../x"); !filepath.IsAbs(d) || filepath.Base(filepath.Dir(d)) != "apifw-monitor" {
		t.Errorf("state dir %s", d)
	}
}

// The state directory is created private, and deletions survive a restart.
func TestStateDirKeepsDeletions(t *testing.T) {
	state := filepath.Join(t.TempDir(), "state")
	js := `{"logRoots":["` + traceRoot(t) + `"],"stateDir":"` + state + `"}`
	ds := newTestDatasource(t, js)
	ds.refresh(context.Background())
	if _, err := ds.store.Delete(deleteUUID("t1")); err != nil {
		t.Fatal(err)
	}
	ds.Dispose()
	again := newTestDatasource(t, js)
	resp, _ := again.QueryData(context.Background(), &backend.QueryDataRequest{Queries: []backend.DataQuery{
		{RefID: "A", JSON: json.RawMessage(`{"queryType":"trace","uuid":"t1"}`)}}})
	if r := resp.Responses["A"]; r.Status != backend.StatusNotFound {
		t.Fatalf("deleted transaction after restart: %+v", r)
	}
}

func deleteUUID(id string) index.DeleteCriteria {
	return index.DeleteCriteria{UUIDs: []string{id}, Actor: "test"}
}

// The collector polls on its own: a record appended after start is in the
// index within two seconds without any query or health check.
func TestBackgroundPolling(t *testing.T) {
	root := fixtureRoot(t)
	ds := newTestDatasource(t, `{"logRoots":["`+root+`"]}`)
	ds.refresh(context.Background())
	before := ds.store.Len()
	f, err := os.OpenFile(filepath.Join(root, "fw-1", "api-a1.transaction.log"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(`{"uuid":"late","date_epoch":1767268900000000,"api":"a1","status":200,"errors":[]}` + "\n"); err != nil {
		t.Fatal(err)
	}
	f.Close()
	deadline := time.Now().Add(2 * time.Second)
	for ds.store.Len() == before && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if ds.store.Len() != before+1 {
		t.Fatalf("records %d, want %d within 2 s", ds.store.Len(), before+1)
	}
}
