//go:build linux

package plugin

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/apifw/monitor/pkg/generate"
	"github.com/apifw/monitor/pkg/query"
	"github.com/apifw/monitor/pkg/ship"
	"github.com/apifw/monitor/pkg/vlogs/vltest"
)

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func dirBytes(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

// TestVictoriaLogsFigures measures the figures of docs/scale-out.md. It runs
// only when asked: APIFW_SCALEOUT_BENCH=<log root>[,<log root>…] (existing
// data sets, e.g. bench/duckdb's 1 M roots: ten of them make the 10 M run) or
// APIFW_SCALEOUT_BENCH=gen:<records>.
func TestVictoriaLogsFigures(t *testing.T) {
	spec := os.Getenv("APIFW_SCALEOUT_BENCH")
	if spec == "" {
		t.Skip("set APIFW_SCALEOUT_BENCH=<log root> or gen:<records>")
	}
	c := vltest.StartT(t, nil, nil)
	roots := strings.Split(spec, ",")
	if n, ok := cutPrefix(spec, "gen:"); ok {
		records, _ := strconv.Atoi(n)
		root := filepath.Join(t.TempDir(), "logs")
		roots = []string{root}
		t0 := time.Now().Add(-24 * time.Hour).Truncate(time.Hour)
		if _, err := generate.WriteFiles(root, generate.Config{Seed: 1, APIs: 4, Instances: 3, Records: records, Start: t0, End: t0.Add(23 * time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	s, err := ship.New(ship.Config{Roots: roots, SpoolDir: t.TempDir(), InsertURL: c.URL(), ID: "bench", DurableAfter: vltest.TestDurableAfter, ConfirmAfter: 500 * time.Millisecond, Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	// As Run does: read a poll's budget, spool and send it, until the
	// backlog is read and every record is confirmed queryable.
	cpu0, wall0 := cpuTime(), time.Now()
	var n int
	var readCPU, readWall time.Duration
	for {
		c, w := cpuTime(), time.Now()
		k, err := s.PollOnce()
		readCPU, readWall = readCPU+cpuTime()-c, readWall+time.Since(w)
		if err != nil {
			t.Fatal(err)
		}
		n += k
		if err := s.SendOnce(context.Background()); err != nil {
			t.Logf("send: %v", err)
		}
		if k == 0 && s.Pending() == 0 {
			break
		}
		if k == 0 {
			time.Sleep(200 * time.Millisecond)
		}
	}
	if d := s.M.Dropped.Load(); d != 0 {
		t.Errorf("the shipper dropped %d records", d)
	}
	cpu, wall := cpuTime()-cpu0, time.Since(wall0)
	t.Logf("FIGURE shipper: %d records in %s wall (%.0f records/s end to end, confirmed queryable); shipper CPU %.1f µs/record (read+strip+mask+spool: %.1f µs/record, %.0f records/s); GOMAXPROCS=%s",
		n, wall.Round(time.Millisecond), float64(n)/wall.Seconds(), float64(cpu.Microseconds())/float64(n),
		float64(readCPU.Microseconds())/float64(n), float64(n)/readWall.Seconds(), os.Getenv("GOMAXPROCS"))
	s.Close()
	c.Flush(context.Background())
	time.Sleep(2 * time.Second)
	var disk int64
	for _, st := range c.Storage {
		disk += dirBytes(filepath.Join(st.Dir, st.Name))
	}
	t.Logf("FIGURE disk: %d bytes in the storage nodes = %.0f bytes/record (source logs: %.0f bytes/record)", disk, float64(disk)/float64(n), float64(dirsBytes(roots))/float64(n))

	// Ingest-to-queryable lag: a live writer, the shipper polling every 250 ms.
	live := filepath.Join(t.TempDir(), "live")
	ls, _ := ship.New(ship.Config{Roots: []string{live}, SpoolDir: t.TempDir(), InsertURL: c.URL(), ID: "lag", DurableAfter: vltest.TestDurableAfter, PollInterval: 250 * time.Millisecond, Logf: t.Logf})
	ctx, cancel := context.WithCancel(context.Background())
	go ls.Run(ctx)
	var lags []time.Duration
	for i := 0; i < 5; i++ {
		now := time.Now()
		if _, err := generate.WriteFiles(filepath.Join(live, fmt.Sprint("p", i)), generate.Config{Seed: 9, DrawSeed: int64(100 + i), APIs: 1, Instances: 1, Records: 50, Start: now.Add(-time.Second), End: now}); err != nil {
			t.Fatal(err)
		}
		want := 50 * (i + 1)
		for {
			var got int
			(&ship.Conn{URL: c.URL()}).Query(context.Background(), "ship_batch:~\"^lag:\" | stats count() n", time.Time{}, time.Time{}, func(r map[string]string) error {
				got, _ = strconv.Atoi(r["n"])
				return nil
			})
			if got >= want {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		lags = append(lags, time.Since(now))
	}
	cancel()
	sort.Slice(lags, func(i, j int) bool { return lags[i] < lags[j] })
	t.Logf("FIGURE lag: file written to queryable: median %s, max %s (poll 250 ms)", lags[len(lags)/2].Round(time.Millisecond), lags[len(lags)-1].Round(time.Millisecond))

	// Dashboard queries: embedded store vs the cluster, on the same data.
	rootsJSON, _ := json.Marshal(roots)
	geoDB := geoDBPath(t) // the Security dashboard's geography panels need one
	emb := newTestDatasource(t, fmt.Sprintf(`{"logRoots":%s,"queryTimeoutSeconds":600,"geoDatabase":%q}`, rootsJSON, geoDB))
	emb.refresh(context.Background())
	for emb.collector.Status().PendingFiles > 0 || !emb.collector.Status().FirstScan.Done {
		time.Sleep(time.Second)
		emb.refresh(context.Background())
	}
	vl := newTestDatasource(t, fmt.Sprintf(`{"store":"victorialogs","queryTimeoutSeconds":600,"geoDatabase":%q,"victoriaLogs":{"url":%q}}`, geoDB, c.URL()))
	st, _ := emb.engine().Stats(context.Background(), query.Query{}, query.TimeRange{})
	ins, _ := emb.engine().Instances(context.Background(), query.Query{}, query.TimeRange{})
	first := time.Now()
	for _, r := range ins.Rows {
		if r.FirstSeen.Before(first) {
			first = r.FirstSeen
		}
	}
	tr := backend.TimeRange{From: first, To: time.Now()}
	t.Logf("embedded store: %d records", st.Total)
	timeIt := func(d *Datasource, raw json.RawMessage) time.Duration {
		var best time.Duration
		for k := 0; k < 3; k++ {
			start := time.Now()
			resp, _ := d.QueryData(context.Background(), &backend.QueryDataRequest{Queries: []backend.DataQuery{{RefID: "A", JSON: raw, TimeRange: tr, MaxDataPoints: 500}}})
			took := time.Since(start)
			if r := resp.Responses["A"]; r.Error != nil {
				t.Errorf("%s: %v", raw, r.Error)
			}
			if k == 0 || took < best {
				best = took
			}
		}
		return best
	}
	qs := dashboardQueries(t)
	names := make([]string, 0, len(qs))
	for k := range qs {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, name := range names {
		t.Logf("FIGURE query %-62s embedded %8.1f ms  victorialogs %8.1f ms", name, float64(timeIt(emb, qs[name]).Microseconds())/1000, float64(timeIt(vl, qs[name]).Microseconds())/1000)
	}
}

func dirsBytes(dirs []string) int64 {
	var n int64
	for _, d := range dirs {
		n += dirBytes(d)
	}
	return n
}

func cutPrefix(s, p string) (string, bool) {
	if len(s) >= len(p) && s[:len(p)] == p {
		return s[len(p):], true
	}
	return "", false
}
