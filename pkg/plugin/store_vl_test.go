package plugin

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/apifw/monitor/pkg/generate"
	"github.com/apifw/monitor/pkg/query"
	"github.com/apifw/monitor/pkg/ship"
	"github.com/apifw/monitor/pkg/vlogs/vltest"
)

// dashboardQueries are the transaction queries of the bundled dashboards
// and of the provisioned alert rules, with template variables at "All".
func dashboardQueries(t *testing.T) map[string]json.RawMessage {
	t.Helper()
	out := map[string]json.RawMessage{}
	files, _ := filepath.Glob("../../src/dashboards/*.json")
	for _, fn := range files {
		b, err := os.ReadFile(fn)
		if err != nil {
			t.Fatal(err)
		}
		var dash struct{ Panels []json.RawMessage }
		json.Unmarshal(b, &dash)
		var walk func(ps []json.RawMessage)
		walk = func(ps []json.RawMessage) {
			for _, raw := range ps {
				var p struct {
					Title   string
					Panels  []json.RawMessage
					Targets []map[string]any
				}
				json.Unmarshal(raw, &p)
				walk(p.Panels)
				for i, tg := range p.Targets {
					qt, _ := tg["queryType"].(string)
					switch qt {
					case "stats", "topN", "traffic", "transactions", "instances":
					default:
						continue
					}
					if f, ok := tg["filters"].(map[string]any); ok {
						for k, v := range f {
							if s := fmt.Sprint(v); strings.Contains(s, "$") {
								delete(f, k)
							}
						}
					}
					for k, v := range tg {
						if s, ok := v.(string); ok && strings.Contains(s, "$") {
							delete(tg, k)
						}
					}
					delete(tg, "datasource")
					b, _ := json.Marshal(tg)
					out[fmt.Sprintf("%s/%s/%d", filepath.Base(fn), p.Title, i)] = b
				}
			}
		}
		walk(dash.Panels)
	}
	// The provisioned alert rules' queries (provisioning/alerting).
	for i, s := range []string{
		`{"refId":"A","queryType":"traffic","splitBy":"api","metric":"count","limit":100,"intervalMs":60000,"filters":{"outcome":["blocked"]}}`,
		`{"refId":"A","queryType":"traffic","splitBy":"instance","metric":"count","limit":100,"intervalMs":60000,"filters":{"outcome":["blocked"]}}`,
		`{"refId":"A","queryType":"transactions","limit":100}`,
	} {
		out[fmt.Sprintf("rule-or-extra/%d", i)] = json.RawMessage(s)
	}
	return out
}

// The same dashboards and alert queries give the same frames on either store.
func TestVictoriaLogsStoreSameFrames(t *testing.T) {
	c := vltest.StartT(t, []string{"-delete.enable"}, []string{"-internaldelete.enable"})
	root := filepath.Join(t.TempDir(), "logs")
	t0 := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	// The realistic profile: public IPv4 and IPv6 clients, for the geo panels.
	gt, err := generate.WriteFiles(root, generate.Config{Seed: 5, APIs: 4, Instances: 3, Records: 10000, Start: t0, End: t0.Add(3 * time.Hour), TrackUUIDs: true,
		Profile: generate.ProfileRealistic})
	if err != nil {
		t.Fatal(err)
	}
	s, err := ship.New(ship.Config{Roots: []string{root}, SpoolDir: t.TempDir(), InsertURL: c.URL(), ID: "plugin", DurableAfter: vltest.TestDurableAfter, ConfirmAfter: 200 * time.Millisecond, Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(4 * time.Minute); ; {
		s.PollOnce()
		if err := s.SendOnce(context.Background()); err == nil && s.Pending() == 0 && s.M.Read.Load() == int64(gt.Total) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("shipping did not finish")
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.Close()

	geoDB := geoDBPath(t)
	emb := newTestDatasource(t, fmt.Sprintf(`{"logRoots":[%q],"geoDatabase":%q}`, root, geoDB))
	vl := newTestDatasource(t, fmt.Sprintf(`{"store":"victorialogs","geoDatabase":%q,"victoriaLogs":{"url":%q,"storageNodes":["http://%s","http://%s"]}}`, geoDB, c.URL(), c.Storage[0].Addr, c.Storage[1].Addr))
	if vl.vl == nil {
		t.Fatalf("store switch not taken: %v", vl.settingsErr)
	}
	h, _ := vl.CheckHealth(context.Background(), nil)
	if h.Status != backend.HealthStatusOk || strings.Count(h.Message, " up") != 3 || !strings.Contains(h.Message, "geo database") {
		t.Errorf("health: %v %s", h.Status, h.Message)
	}
	tr := backend.TimeRange{From: t0, To: t0.Add(3 * time.Hour)}
	frames := func(d *Datasource, raw json.RawMessage) (string, time.Duration) {
		start := time.Now()
		resp, err := d.QueryData(context.Background(), &backend.QueryDataRequest{Queries: []backend.DataQuery{{RefID: "A", JSON: raw, TimeRange: tr, MaxDataPoints: 200, Interval: time.Minute}}})
		took := time.Since(start)
		if err != nil {
			return "error: " + err.Error(), took
		}
		r := resp.Responses["A"]
		if r.Error != nil {
			return "error: " + r.Error.Error(), took
		}
		for _, f := range r.Frames {
			f.Meta = nil
		}
		b, _ := json.Marshal(r.Frames)
		return string(b), took
	}
	qs := dashboardQueries(t)
	if len(qs) < 10 {
		t.Fatalf("only %d dashboard queries found", len(qs))
	}
	geoPanels := 0
	for name, raw := range qs {
		var dims struct{ Dimension, SplitBy string }
		_ = json.Unmarshal(raw, &dims)
		if query.IsGeoDimension(dims.Dimension) || query.IsGeoDimension(dims.SplitBy) {
			geoPanels++
		}
		a, ta := frames(emb, raw)
		b, tb := frames(vl, raw)
		if strings.HasPrefix(a, "error") || a != b {
			t.Errorf("%s %s:\nembedded:     %.600s\nvictorialogs: %.600s", name, raw, a, b)
		}
		t.Logf("%-60s embedded %6.1f ms  victorialogs %6.1f ms", name, float64(ta.Microseconds())/1000, float64(tb.Microseconds())/1000)
	}
	if geoPanels == 0 {
		t.Errorf("no geo panel among the dashboard queries")
	}
	// Geo filters, and the suggestions of geo dimensions as the query editor
	// and the ad hoc filter picker ask for them.
	for _, raw := range []string{
		`{"queryType":"topN","dimension":"clientIp","limit":5,"filters":{"clientCountry":["us","DE"]}}`,
		`{"queryType":"traffic","splitBy":"clientCountry","limit":3,"filters":{"adhoc":[{"key":"clientCountry","operator":"!=","value":"unknown"}]}}`,
		`{"queryType":"stats","filters":{"clientCountry":["unknown"]}}`,
	} {
		a, _ := frames(emb, json.RawMessage(raw))
		b, _ := frames(vl, json.RawMessage(raw))
		if strings.HasPrefix(a, "error") || a != b {
			t.Errorf("%s:\nembedded:     %.600s\nvictorialogs: %.600s", raw, a, b)
		}
	}
	rng := fmt.Sprintf("&from=%d&to=%d", t0.UnixMilli(), t0.Add(3*time.Hour).UnixMilli())
	for _, q := range []string{"field=clientCountry" + rng, "field=clientCountry&prefix=u" + rng, "field=clientIp&prefix=2001" + rng} {
		se, be := call(t, emb, nil, "GET", "suggestions?"+q, "")
		sv, bv := call(t, vl, nil, "GET", "suggestions?"+q, "")
		je, _ := json.Marshal(be)
		jv, _ := json.Marshal(bv)
		if se != 200 || sv != 200 || string(je) != string(jv) || len(be["values"].([]any)) == 0 {
			t.Errorf("suggestions %s: embedded %d %.300s, victorialogs %d %.300s", q, se, je, sv, jv)
		}
	}
	// Trace through the data source: masked, no body.
	resp, _ := vl.QueryData(context.Background(), &backend.QueryDataRequest{Queries: []backend.DataQuery{{RefID: "T", JSON: json.RawMessage(fmt.Sprintf(`{"queryType":"trace","uuid":%q}`, gt.UUIDs[7]))}}})
	if r := resp.Responses["T"]; r.Error != nil || len(r.Frames) < 2 || (r.Frames[0].Meta != nil && len(r.Frames[0].Meta.Notices) > 0) {
		t.Errorf("trace through the VictoriaLogs store: %v %d frames", r.Error, len(r.Frames))
	}

	// A storage node down: a clear error, never a smaller count; health says so.
	c.Storage[0].Kill()
	resp, _ = vl.QueryData(context.Background(), &backend.QueryDataRequest{Queries: []backend.DataQuery{{RefID: "S", JSON: json.RawMessage(`{"queryType":"stats"}`), TimeRange: tr}}})
	if r := resp.Responses["S"]; r.Error == nil || !strings.Contains(r.Error.Error(), "no partial answer") {
		t.Errorf("stats with a storage node down: %v (frames %d)", r.Error, len(r.Frames))
	} else {
		t.Logf("stats with a storage node down: %v", r.Error)
	}
	h, _ = vl.CheckHealth(context.Background(), nil)
	if h.Status != backend.HealthStatusError || !strings.Contains(h.Message, c.Storage[0].Addr) {
		t.Errorf("health with a node down: %v %s", h.Status, h.Message)
	}
}
