//go:build integration

package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/apifw/monitor/pkg/generate"
	"github.com/apifw/monitor/tests/hosttest"
)

// asUser sends a request with another user's basic auth; it returns the
// status and decodes a JSON answer into out.
func asUser(t *testing.T, s *hosttest.Server, login, method, path string, body, out any) int {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	pass := login + "-pass-1"
	if login == "admin" {
		pass = "admin"
	}
	req.SetBasicAuth(login, pass)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil && len(b) > 0 {
		_ = json.Unmarshal(b, out)
	}
	return resp.StatusCode
}

// createUser makes a user with a role in the main org through the admin API.
func createUser(t *testing.T, s *hosttest.Server, login, role string) {
	t.Helper()
	ctx := context.Background()
	var created struct {
		ID int `json:"id"`
	}
	if err := s.Do(ctx, "POST", "/api/admin/users", map[string]any{"name": login, "login": login, "email": login + "@example.com", "password": login + "-pass-1"}, &created); err != nil {
		t.Fatal(err)
	}
	if err := s.Do(ctx, "PATCH", fmt.Sprintf("/api/orgs/1/users/%d", created.ID), map[string]any{"role": role}, nil); err != nil {
		t.Fatal(err)
	}
}

func TestDatasource(t *testing.T) {
	root := t.TempDir()
	end := time.Now().UTC().Truncate(time.Second)
	gt, err := generate.WriteFiles(root, generate.Config{Seed: 11, APIs: 3, Instances: 3, Records: 4000, Start: end.Add(-3 * time.Hour), End: end, TrackUUIDs: true})
	if err != nil {
		t.Fatal(err)
	}
	s := hosttest.StartT(t, hosttest.Options{
		Dist:         dist(),
		Provisioning: filepath.Join(repoRoot, "provisioning"),
		Env:          []string{"APIFW_LOGS=" + root, "APIFW_REPORTS=" + t.TempDir()},
	})
	ctx := context.Background()
	from, to := gt.First.Add(-time.Second), end.Add(time.Second)

	t.Run("every transaction query type equals the ground truth", func(t *testing.T) {
		got := stats(t, s, "apifw-monitor", from, to, nil)
		if int(got["total"]) != gt.Total || int(got["blocked"]) != gt.ByOutcome["blocked"] || int(got["distinctClients"]) != gt.DistinctClients {
			t.Errorf("stats %v, truth %+v", got, gt)
		}
		for api, n := range gt.ByAPI {
			if got := stats(t, s, "apifw-monitor", from, to, map[string]any{"api": []string{api}}); int(got["total"]) != n {
				t.Errorf("stats api %s: %v, want %d", api, got["total"], n)
			}
		}
		topN := dsQuery(t, s, from, to, map[string]any{"queryType": "topN", "dimension": "api", "limit": 10})[0]
		apis, counts := topN.column("api"), topN.column("count")
		if len(apis) != len(gt.ByAPI) {
			t.Errorf("topN api rows %d, want %d", len(apis), len(gt.ByAPI))
		}
		for i := range apis {
			if int(counts[i].(float64)) != gt.ByAPI[apis[i].(string)] {
				t.Errorf("topN api %v: %v, want %d", apis[i], counts[i], gt.ByAPI[apis[i].(string)])
			}
		}
		sums := map[string]int{}
		for _, f := range dsQuery(t, s, from, to, map[string]any{"queryType": "traffic", "splitBy": "instance", "intervalMs": 60000}) {
			for _, v := range f.Data.Values[1] {
				sums[f.Schema.Name] += int(v.(float64))
			}
		}
		for inst, n := range gt.ByInstance {
			if sums[inst] != n {
				t.Errorf("traffic %s: %d, want %d", inst, sums[inst], n)
			}
		}
		tx := dsQuery(t, s, from, to, map[string]any{"queryType": "transactions", "limit": gt.Total})[0]
		var ids []string
		for _, v := range tx.column("uuid") {
			ids = append(ids, v.(string))
		}
		want := append([]string(nil), gt.UUIDs...)
		sort.Strings(ids)
		sort.Strings(want)
		if strings.Join(ids, ",") != strings.Join(want, ",") {
			t.Errorf("transactions: %d uuids, want the %d written", len(ids), len(want))
		}
		inst := dsQuery(t, s, from, to, map[string]any{"queryType": "instances"})[0]
		names, records := inst.column("instance"), inst.column("records")
		if len(names) != len(gt.ByInstance) {
			t.Errorf("instances: %v", names)
		}
		for i := range names {
			if int(records[i].(float64)) != gt.ByInstance[names[i].(string)] {
				t.Errorf("instance %v: %v records, want %d", names[i], records[i], gt.ByInstance[names[i].(string)])
			}
		}
		trace := dsQuery(t, s, from, to, map[string]any{"queryType": "trace", "uuid": gt.UUIDs[0]})
		var frameNames []string
		for _, f := range trace {
			frameNames = append(frameNames, f.Schema.Name)
		}
		if strings.Join(frameNames, ",") != "summary,steps,headers,parameters,errors,fields,spans" || trace[0].column("uuid")[0] != gt.UUIDs[0] {
			t.Errorf("trace frames %v", frameNames)
		}
	})

	t.Run("resources", func(t *testing.T) {
		var status struct {
			Index struct {
				Records int `json:"records"`
			} `json:"index"`
		}
		if err := s.Do(ctx, "GET", "/api/datasources/uid/apifw-monitor/resources/status", nil, &status); err != nil || status.Index.Records != gt.Total {
			t.Errorf("status: %+v %v", status, err)
		}
		var sugg struct {
			Values []struct {
				Value string `json:"value"`
				Count int    `json:"count"`
			} `json:"values"`
		}
		if err := s.Do(ctx, "GET", fmt.Sprintf("/api/datasources/uid/apifw-monitor/resources/suggestions?field=instance&from=%d&to=%d", from.UnixMilli(), to.UnixMilli()), nil, &sugg); err != nil {
			t.Fatal(err)
		}
		if len(sugg.Values) != len(gt.ByInstance) {
			t.Errorf("suggestions %+v", sugg)
		}
		for _, v := range sugg.Values {
			if v.Count != gt.ByInstance[v.Value] {
				t.Errorf("suggestion %s: %d, want %d", v.Value, v.Count, gt.ByInstance[v.Value])
			}
		}
		var trace struct {
			Transaction struct {
				UUID string `json:"uuid"`
			} `json:"transaction"`
			Detail map[string]any `json:"detail"`
		}
		if err := s.Do(ctx, "GET", "/api/datasources/uid/apifw-monitor/resources/trace/"+gt.UUIDs[1], nil, &trace); err != nil || trace.Transaction.UUID != gt.UUIDs[1] || trace.Detail == nil {
			t.Errorf("trace resource: %+v %v", trace, err)
		}
	})

	t.Run("deletion is for admins only", func(t *testing.T) {
		createUser(t, s, "viewer1", "Viewer")
		createUser(t, s, "editor1", "Editor")
		victim := gt.UUIDs[2]
		body := map[string]any{"uuids": []string{victim}}
		for _, login := range []string{"viewer1", "editor1"} {
			for _, r := range [][2]string{{"GET", "deletions"}, {"POST", "deletions/preview"}, {"POST", "deletions"}} {
				var out map[string]any
				if code := asUser(t, s, login, r[0], "/api/datasources/uid/apifw-monitor/resources/"+r[1], body, &out); code != 403 {
					t.Errorf("%s %s %s: %d %v", login, r[0], r[1], code, out)
				}
			}
		}
		var preview struct {
			Count int `json:"count"`
		}
		if code := asUser(t, s, "admin", "POST", "/api/datasources/uid/apifw-monitor/resources/deletions/preview", body, &preview); code != 200 || preview.Count != 1 {
			t.Fatalf("preview: %d %+v", code, preview)
		}
		var del struct {
			Deleted int `json:"deleted"`
			Record  struct {
				Actor string `json:"actor"`
			} `json:"record"`
		}
		if code := asUser(t, s, "admin", "POST", "/api/datasources/uid/apifw-monitor/resources/deletions", body, &del); code != 200 || del.Deleted != 1 || del.Record.Actor != "admin" {
			t.Fatalf("delete: %d %+v", code, del)
		}
		if err := s.Do(ctx, "GET", "/api/datasources/uid/apifw-monitor/resources/trace/"+victim, nil, nil); !hosttest.IsStatus(err, 404) {
			t.Errorf("deleted trace resource: %v", err)
		}
		q := map[string]any{"from": fmt.Sprint(from.UnixMilli()), "to": fmt.Sprint(to.UnixMilli()), "queries": []any{
			map[string]any{"refId": "A", "datasource": map[string]string{"uid": "apifw-monitor"}, "queryType": "trace", "uuid": victim}}}
		var resp struct {
			Results map[string]struct {
				Error  string `json:"error"`
				Status int    `json:"status"`
			} `json:"results"`
		}
		err := s.Do(ctx, "POST", "/api/ds/query", q, &resp)
		if r := resp.Results["A"]; (err == nil && r.Status != 404) || (err != nil && !hosttest.IsStatus(err, 404) && !strings.Contains(err.Error(), "not found")) {
			t.Errorf("deleted trace query: %+v %v", r, err)
		}
		if got := stats(t, s, "apifw-monitor", from, to, nil); int(got["total"]) != gt.Total-1 {
			t.Errorf("stats after deletion: %v, want %d", got["total"], gt.Total-1)
		}
		var list struct {
			Deletions []struct {
				Actor string `json:"actor"`
				Count int    `json:"count"`
			} `json:"deletions"`
		}
		if code := asUser(t, s, "admin", "GET", "/api/datasources/uid/apifw-monitor/resources/deletions", nil, &list); code != 200 || len(list.Deletions) != 1 || list.Deletions[0].Actor != "admin" {
			t.Errorf("deletion log: %d %+v", code, list)
		}
	})
}
