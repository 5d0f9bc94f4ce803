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
)

// geoDBPath is the CC0/CC BY 4.0 country database of the npm package
// @ip-location-db/geo-whois-asn-country-mmdb (a devDependency, installed
// by npm ci; never committed, never downloaded at run time).
func geoDBPath(t *testing.T) string {
	p, err := filepath.Abs(filepath.Join("..", "..", "node_modules", "@ip-location-db", "geo-whois-asn-country-mmdb", "geo-whois-asn-country.mmdb"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p); err != nil {
		t.Skip("geo test database absent (npm ci installs it)")
	}
	return p
}

func geoLogRoot(t *testing.T, now time.Time) string {
	root := t.TempDir()
	dir := filepath.Join(root, "fw-1")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var lines []string
	for i, ip := range []string{"8.8.8.8", "8.8.4.4", "8.8.8.8", "10.1.2.3", "2001:4860:4860::8888"} {
		lines = append(lines, fmt.Sprintf(`{"uuid":"00000000-0000-4000-8000-00000000000%d","date_epoch":%d,"api":"a1","api_name":"Pets","source_ip":"%s","method":"GET","uri_path":"/p","status":403,"errors":[{"step":"s","message":"m"}],"non_blocking_mode":false}`,
			i, now.Add(-time.Duration(i+1)*time.Minute).UnixMicro(), ip))
	}
	if err := os.WriteFile(filepath.Join(dir, "api-a1.transaction.log"), []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return root
}

func TestGeoDimensionsThroughTheDataSource(t *testing.T) {
	db := geoDBPath(t)
	now := time.Now()
	root := geoLogRoot(t, now)
	tr := backend.TimeRange{From: now.Add(-time.Hour), To: now.Add(time.Minute)}
	run := func(ds *Datasource, js string) backend.DataResponse {
		resp, err := ds.QueryData(context.Background(), &backend.QueryDataRequest{Queries: []backend.DataQuery{{RefID: "A", JSON: json.RawMessage(js), TimeRange: tr}}})
		if err != nil {
			t.Fatal(err)
		}
		return resp.Responses["A"]
	}

	// Without geoDatabase: the dimension is absent and says why.
	plain := newTestDatasource(t, `{"logRoots":["`+root+`"]}`)
	if r := run(plain, `{"queryType":"topN","dimension":"clientCountry"}`); r.Error == nil || !strings.Contains(r.Error.Error(), "geoDatabase") || r.Status != backend.StatusBadRequest {
		t.Fatalf("no database: %+v", r)
	}

	ds := newTestDatasource(t, `{"logRoots":["`+root+`"],"geoDatabase":"`+db+`"}`)
	r := run(ds, `{"queryType":"topN","dimension":"clientCountry"}`)
	if r.Error != nil {
		t.Fatal(r.Error)
	}
	f := r.Frames[0]
	got := map[string]int64{}
	for i := 0; i < f.Rows(); i++ {
		got[f.Fields[0].At(i).(string)] = f.Fields[1].At(i).(int64)
	}
	if f.Fields[0].Name != "clientCountry" || got["US"] != 4 || got["unknown"] != 1 {
		t.Fatalf("topN %v", got)
	}
	if r := run(ds, `{"queryType":"stats","filters":{"clientCountry":["US"]}}`); r.Error != nil || r.Frames[0].Fields[0].At(0).(int64) != 4 {
		t.Fatalf("filtered %+v", r)
	}
	r = run(ds, `{"queryType":"traffic","splitBy":"clientCountry","intervalMs":3600000}`)
	if r.Error != nil || len(r.Frames) != 2 || r.Frames[0].Fields[1].Labels["clientCountry"] != "US" {
		t.Fatalf("traffic %+v", r)
	}
	if r := run(ds, `{"queryType":"topN","dimension":"clientAsn"}`); r.Error == nil || !strings.Contains(r.Error.Error(), "no asn data") {
		t.Fatalf("asn: %+v", r)
	}
	// The trace summary carries the country.
	r = run(ds, `{"queryType":"trace","uuid":"00000000-0000-4000-8000-000000000000"}`)
	if r.Error != nil {
		t.Fatal(r.Error)
	}
	sum := r.Frames[0]
	if fi, _ := sum.FieldByName("clientCountry"); fi == nil || fi.At(0).(string) != "US" {
		t.Fatalf("trace summary %v", sum.Fields)
	}
	// So does the trace resource (the trace explorer), and neither says anything without a database.
	status, body := call(t, ds, viewer, "GET", "trace/00000000-0000-4000-8000-000000000000", "")
	tx, _ := body["transaction"].(map[string]any)
	if status != 200 || tx["clientCountry"] != "US" || tx["clientAsn"] != nil || tx["clientCity"] != nil {
		t.Fatalf("trace resource %d %v", status, body)
	}
	if _, body := call(t, plain, viewer, "GET", "trace/00000000-0000-4000-8000-000000000000", ""); body["transaction"].(map[string]any)["clientCountry"] != nil {
		t.Fatalf("trace resource without a database %v", body)
	}
	if r := run(plain, `{"queryType":"trace","uuid":"00000000-0000-4000-8000-000000000000"}`); r.Error != nil || func() bool { f, _ := r.Frames[0].FieldByName("clientCountry"); return f != nil }() {
		t.Fatalf("trace summary without a database %+v", r)
	}
	res, err := ds.CheckHealth(context.Background(), &backend.CheckHealthRequest{})
	if err != nil || !strings.Contains(res.Message, "geo database "+db) {
		t.Fatalf("health %+v %v", res, err)
	}
	bad := newTestDatasource(t, `{"logRoots":["`+root+`"],"geoDatabase":"/nonexistent/x.mmdb"}`)
	if res, _ := bad.CheckHealth(context.Background(), &backend.CheckHealthRequest{}); res.Status != backend.HealthStatusError || !strings.Contains(res.Message, "geo database") {
		t.Fatalf("bad database health %+v", res)
	}
}
