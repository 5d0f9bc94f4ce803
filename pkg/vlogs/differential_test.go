package vlogs

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"testing"
	"time"

	"github.com/apifw/monitor/pkg/collector"
	"github.com/apifw/monitor/pkg/generate"
	"github.com/apifw/monitor/pkg/geo"
	"github.com/apifw/monitor/pkg/index"
	"github.com/apifw/monitor/pkg/ingest"
	"github.com/apifw/monitor/pkg/mask"
	"github.com/apifw/monitor/pkg/query"
	"github.com/apifw/monitor/pkg/ship"
	"github.com/apifw/monitor/pkg/vlogs/vltest"
)

var t0 = time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)

type fixture struct {
	engine  *query.Engine
	backend *Backend
	cluster *vltest.Cluster
	truth   generate.GroundTruth
	root    string
}

// oddClientIPs are client address texts a firewall or a proxy in front of
// it may write, which a store comparing text would get wrong:
// non-canonical IPv6, IPv4-mapped IPv6, a zone, unparsable and empty.
var oddClientIPs = []string{"2001:DB8::1", "2001:0db8:0000::0001", "2001:db8::1", "::ffff:10.20.0.1", "::FFFF:10.20.0.7",
	"::ffff:8.8.8.8", "fe80::1%eth0", "fe80::2", "10.20.0.300", "", "2001:4860:4860::8888", "8.8.4.4", "::1"}

// writeOddClients writes n generated records whose client addresses are
// oddClientIPs in turn.
func writeOddClients(t *testing.T, root string, n int) generate.GroundTruth {
	t.Helper()
	gt, err := generate.WriteFiles(root, generate.Config{Seed: 3, DrawSeed: 12, APIs: 4, Instances: 3, Records: n,
		Start: t0, End: t0.Add(6 * time.Hour), TrackUUIDs: true})
	if err != nil {
		t.Fatal(err)
	}
	sourceIP := regexp.MustCompile(`"source_ip":"[^"]*"`)
	i := 0
	files, _ := filepath.Glob(filepath.Join(root, "*", "*"))
	for _, fn := range files {
		b, err := os.ReadFile(fn)
		if err != nil {
			t.Fatal(err)
		}
		b = sourceIP.ReplaceAllFunc(b, func([]byte) []byte {
			i++
			return []byte(`"source_ip":"` + oddClientIPs[i%len(oddClientIPs)] + `"`)
		})
		if err := os.WriteFile(fn, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if i != gt.Total {
		t.Fatalf("rewrote %d client addresses of %d records", i, gt.Total)
	}
	return gt
}

// setup writes the generator's data sets (demo and realistic profiles: IPv4
// and IPv6 clients, private and public; and records with odd client
// addresses), indexes them in the embedded store and ships them through a
// real 2+1 VictoriaLogs cluster. Both stores get the test geo database
// when it is installed.
func setup(t *testing.T, n int) *fixture {
	t.Helper()
	c := vltest.StartT(t, []string{"-delete.enable"}, []string{"-internaldelete.enable"})
	root := filepath.Join(t.TempDir(), "logs")
	gt, err := generate.WriteFiles(root, generate.Config{Seed: 3, APIs: 4, Instances: 3, Records: n,
		Start: t0, End: t0.Add(6 * time.Hour), TrackUUIDs: true, Bodies: true})
	if err != nil {
		t.Fatal(err)
	}
	realistic := filepath.Join(t.TempDir(), "realistic")
	gtr, err := generate.WriteFiles(realistic, generate.Config{Seed: 3, DrawSeed: 11, APIs: 4, Instances: 3, Records: n / 4,
		Start: t0, End: t0.Add(6 * time.Hour), Profile: generate.ProfileRealistic})
	if err != nil {
		t.Fatal(err)
	}
	odd := filepath.Join(t.TempDir(), "odd")
	gto := writeOddClients(t, odd, 600)
	gt.Total += gtr.Total + gto.Total
	roots := []string{root, realistic, odd}
	now := t0.Add(6*time.Hour + 10*time.Minute)
	store := index.NewStore(index.Options{Now: func() time.Time { return now }})
	col := collector.New(collector.Config{LogRoots: roots}, store)
	col.Refresh()
	col.Close()
	if store.Len() != gt.Total {
		t.Fatalf("embedded store holds %d of %d", store.Len(), gt.Total)
	}
	var g query.GeoLookup
	if db := testGeoDB(t); db != nil {
		g = db
	}
	s, err := ship.New(ship.Config{Roots: roots, SpoolDir: t.TempDir(), InsertURL: c.URL(), ID: "diff", DurableAfter: vltest.TestDurableAfter,
		ConfirmAfter: 200 * time.Millisecond, Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(4 * time.Minute)
	for {
		s.PollOnce()
		err := s.SendOnce(context.Background())
		if err == nil && s.Pending() == 0 && s.M.Read.Load() > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("shipping did not finish: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.Close()
	return &fixture{
		engine:  &query.Engine{Store: store, Now: func() time.Time { return now }, Geo: g},
		backend: &Backend{Conn: &ship.Conn{URL: c.URL()}, Now: func() time.Time { return now }, Geo: g},
		cluster: c, truth: gt, root: root,
	}
}

// testGeoDB opens the country database of the npm devDependency
// @ip-location-db/geo-whois-asn-country-mmdb (as pkg/plugin's geo test);
// nil, with a note, when npm ci has not installed it.
func testGeoDB(t *testing.T) *geo.DB {
	p := filepath.Join("..", "..", "node_modules", "@ip-location-db", "geo-whois-asn-country-mmdb", "geo-whois-asn-country.mmdb")
	if _, err := os.Stat(p); err != nil {
		t.Logf("geo test database absent (npm ci installs it): the geo cases compare errors only")
		return nil
	}
	db, err := geo.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func same(a, b any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

func diff(t *testing.T, name string, emb, vl any, errE, errV error) {
	t.Helper()
	if (errE == nil) != (errV == nil) {
		t.Errorf("%s: embedded error %v, VictoriaLogs error %v", name, errE, errV)
		return
	}
	if errE != nil {
		return
	}
	if !same(emb, vl) {
		je, _ := json.Marshal(emb)
		jv, _ := json.Marshal(vl)
		t.Errorf("%s differs:\nembedded:       %.1500s\nvictorialogs:   %.1500s", name, je, jv)
	}
}

// filterCases cover every filter, ad hoc operator, CIDR, regexp and prefix.
func filterCases(f *fixture) map[string]query.Filters {
	return map[string]query.Filters{
		"none":          {},
		"api":           {API: []string{generate.APIs(3, 4)[0].ID}},
		"apiName":       {API: []string{generate.APIs(3, 4)[1].Name}},
		"instance":      {Instance: []string{"fw-01", "fw-03"}},
		"outcome":       {Outcome: []string{"blocked", "wouldBlock"}},
		"clientCIDR":    {ClientIP: "10.0.0.0/8"},
		"clientCIDR2":   {ClientIP: "10.20.0.0/24"},
		"clientExact":   {ClientIP: "10.20.0.1"},
		"clientCIDR6":   {ClientIP: "2001:db8::/32"},
		"clientCIDR6b":  {ClientIP: "2001:db8:8000::/33"},
		"clientAll6":    {ClientIP: "::/0"},
		"clientLow6":    {ClientIP: "::/64"},         // holds the IPv4-mapped block, which the engine reads as IPv4
		"clientExact6":  {ClientIP: "2001:db8:0::1"}, // non-canonical, as three spellings in the records
		"clientMapped":  {ClientIP: "::ffff:10.20.0.0/120"},
		"clientLink":    {ClientIP: "fe80::/10"}, // a zoned address is in no prefix
		"country":       {ClientCountry: []string{"us", "DE", "unknown"}},
		"countryAdhoc":  {Adhoc: []query.AdhocFilter{{Key: "clientCountry", Operator: "!=", Value: "unknown"}}},
		"countryRe":     {Adhoc: []query.AdhocFilter{{Key: "clientCountry", Operator: "=~", Value: "[A-F].|US"}}, Outcome: []string{"blocked", "allowed"}},
		"countryNone":   {ClientCountry: []string{"ZZ"}},
		"asn":           {ClientAsn: []string{"AS15169 Google LLC"}},
		"pathPrefix":    {Path: "/api/*"},
		"pathGlob":      {Path: "/*/v1/*"},
		"method":        {Method: []string{"post", "DELETE"}},
		"status":        {Status: []string{"4xx", "200"}},
		"errorStep":     {ErrorStep: []string{"request_validation", "hostpath_mapping"}},
		"adhocEq":       {Adhoc: []query.AdhocFilter{{Key: "outcome", Operator: "=", Value: "blocked"}}},
		"adhocNe":       {Adhoc: []query.AdhocFilter{{Key: "statusClass", Operator: "!=", Value: "2xx"}}},
		"adhocRe":       {Adhoc: []query.AdhocFilter{{Key: "path", Operator: "=~", Value: "/api/.*/[0-9]+"}}},
		"adhocNotRe":    {Adhoc: []query.AdhocFilter{{Key: "clientIp", Operator: "!~", Value: "10\\.20\\.0\\..*"}}},
		"adhocErrEmpty": {Adhoc: []query.AdhocFilter{{Key: "errorStep", Operator: "=", Value: ""}}},
		"combined":      {Instance: []string{"fw-02"}, Status: []string{"4xx"}, Adhoc: []query.AdhocFilter{{Key: "method", Operator: "=~", Value: "GET|POST"}}},
	}
}

func TestDifferential(t *testing.T) {
	f := setup(t, 20000)
	ctx := context.Background()
	ranges := map[string]query.TimeRange{
		"all":  {From: t0.Add(-time.Hour), To: t0.Add(7 * time.Hour)},
		"part": {From: t0.Add(90 * time.Minute), To: t0.Add(3*time.Hour + 17*time.Minute)},
	}
	for fname, flt := range filterCases(f) {
		for rname, tr := range ranges {
			qy := query.Query{Filters: flt}
			name := fname + "/" + rname
			se, errE := f.engine.Stats(ctx, qy, tr)
			sv, errV := f.backend.Stats(ctx, qy, tr)
			diff(t, "stats "+name, se, sv, errE, errV)
			if rname == "all" {
				t.Logf("filter %s matches %d of %d (%v)", fname, se.Total, f.truth.Total, errE)
				switch {
				case fname == "asn": // the test database holds countries only: both stores say so
					if errE == nil {
						t.Errorf("filter asn: no error from a country database")
					}
				case fname == "countryNone":
					if se.Total != 0 || errE != nil {
						t.Errorf("filter countryNone: %d records, %v", se.Total, errE)
					}
				case se.Total == 0:
					t.Errorf("filter %s matches nothing: a weak case (%v)", fname, errE)
				}
			}
			if fname == "none" && rname == "all" && se.Total != int64(f.truth.Total) {
				t.Errorf("stats total %d, truth %d", se.Total, f.truth.Total)
			}
			for _, dim := range query.Dimensions {
				qy := query.Query{Filters: flt, Dimension: dim, Limit: 5}
				te, errE := f.engine.TopN(ctx, qy, tr)
				tv, errV := f.backend.TopN(ctx, qy, tr)
				diff(t, "topN "+dim+" "+name, te, tv, errE, errV)
			}
			qy = query.Query{Filters: flt, Limit: 50}
			xe, errE := f.engine.Transactions(ctx, qy, tr)
			xv, errV := f.backend.Transactions(ctx, qy, tr)
			diff(t, "transactions "+name, xe, xv, errE, errV)
			ie, errE := f.engine.Instances(ctx, qy, tr)
			iv, errV := f.backend.Instances(ctx, qy, tr)
			diff(t, "instances "+name, ie, iv, errE, errV)
		}
	}
	// Traffic: every split, metric and some intervals.
	tr := ranges["part"]
	for _, split := range query.Dimensions {
		for _, metric := range []string{"count", "rate", "blockedRatio"} {
			for _, ivms := range []int64{60_000, 450_000, 0} {
				if split != "outcome" && split != "api" && ivms == 450_000 {
					continue
				}
				qy := query.Query{SplitBy: split, Metric: metric, IntervalMs: ivms, MaxDataPoints: 40, Limit: 4, Filters: filterCases(f)["combined"]}
				if split == "clientIp" || split == "path" {
					qy.Filters = query.Filters{}
				}
				re, errE := f.engine.Traffic(ctx, qy, tr)
				rv, errV := f.backend.Traffic(ctx, qy, tr)
				diff(t, fmt.Sprintf("traffic %s %s %dms", split, metric, ivms), re, rv, errE, errV)
			}
		}
	}
	// Traffic split by a geo dimension, with geo filters.
	for _, flt := range []string{"country", "countryRe", "clientCIDR6", "none"} {
		for _, metric := range []string{"count", "blockedRatio"} {
			qy := query.Query{SplitBy: "clientCountry", Metric: metric, IntervalMs: 600_000, Limit: 5, Filters: filterCases(f)[flt]}
			re, errE := f.engine.Traffic(ctx, qy, tr)
			rv, errV := f.backend.Traffic(ctx, qy, tr)
			diff(t, fmt.Sprintf("traffic clientCountry %s %s", metric, flt), re, rv, errE, errV)
			if errE == nil && flt == "none" && len(re.Series) < 4 {
				t.Errorf("traffic by country: %d series, a weak case", len(re.Series))
			}
		}
	}
	// Trace: the summary and the masked detail, never a body.
	m := mask.New(nil)
	for _, id := range []string{f.truth.UUIDs[0], f.truth.UUIDs[len(f.truth.UUIDs)/2], f.truth.UUIDs[len(f.truth.UUIDs)-1]} {
		te, err := f.engine.Trace(ctx, query.Query{UUID: id})
		if err != nil {
			t.Fatal(err)
		}
		tv, det, err := f.backend.Trace(ctx, query.Query{UUID: id})
		if err != nil || det == nil {
			t.Fatalf("trace %s: %v %v", id, err, tv.DetailErr)
		}
		a, b := te.Transaction, tv.Transaction
		a.FileID, a.Line, a.Offset, a.Length = 0, 0, 0, 0
		if !same(a, b) {
			t.Errorf("trace %s summary differs:\n%+v\n%+v", id, a, b)
		}
		raw, err := ingest.ReadRecord(te.Transaction.File, te.Transaction.Offset, te.Transaction.Length, ingest.LayoutAuto)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := ingest.ParseDetail(raw)
		if !same(m.Detail(want), *det) {
			t.Errorf("trace %s detail differs", id)
		}
	}
	if _, _, err := f.backend.Trace(ctx, query.Query{UUID: "no-such"}); err == nil {
		t.Errorf("unknown uuid found")
	}
	_ = math.Abs
	_ = reflect.DeepEqual
}
