//go:build integration

package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apifw/monitor/pkg/generate"
	"github.com/apifw/monitor/tests/hosttest"
)

// loadQuery is one dashboard-style query of the load mix.
type loadQuery struct {
	name  string
	query map[string]any
	span  time.Duration
}

var loadMix = []loadQuery{
	{"stats", map[string]any{"queryType": "stats"}, time.Hour},
	{"topN clientIp", map[string]any{"queryType": "topN", "dimension": "clientIp", "limit": 10}, time.Hour},
	{"topN path blocked", map[string]any{"queryType": "topN", "dimension": "path", "limit": 10, "filters": map[string]any{"outcome": []string{"blocked", "wouldBlock"}}}, 6 * time.Hour},
	{"topN api", map[string]any{"queryType": "topN", "dimension": "api", "limit": 20}, 6 * time.Hour},
	{"traffic by outcome", map[string]any{"queryType": "traffic", "splitBy": "outcome", "maxDataPoints": 300}, 6 * time.Hour},
	{"traffic by api rate", map[string]any{"queryType": "traffic", "splitBy": "api", "metric": "rate", "maxDataPoints": 300}, time.Hour},
	{"transactions", map[string]any{"queryType": "transactions", "limit": 100}, time.Hour},
	{"transactions 4xx", map[string]any{"queryType": "transactions", "limit": 100, "filters": map[string]any{"status": []string{"4xx"}}}, 6 * time.Hour},
	{"instances", map[string]any{"queryType": "instances"}, 6 * time.Hour},
}

// alertQuery is what the bundled alert rules evaluate: one number over the last 5 minutes.
var alertQuery = loadQuery{"alert stats (5m)", map[string]any{"queryType": "stats", "columns": []string{"blocked"}, "filters": map[string]any{"outcome": []string{"blocked"}}}, 5 * time.Minute}

func envDuration(name string, def time.Duration) time.Duration {
	if v := os.Getenv(name); v != "" {
		if d, err := time.ParseDuration(v); err == nil {
			return d
		}
	}
	return def
}

func envInt(name string, def int) int {
	if v := os.Getenv(name); v != "" {
		if n, err := strconv.Atoi(v); err == nil {
			return n
		}
	}
	return def
}

// runQuery sends one query and returns its error, if any.
func runQuery(s *hosttest.Server, q loadQuery, now time.Time) error {
	body := map[string]any{
		"from": fmt.Sprint(now.Add(-q.span).UnixMilli()), "to": fmt.Sprint(now.UnixMilli()),
		"queries": []map[string]any{withRef(q.query)},
	}
	var resp queryResponse
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := s.Do(ctx, "POST", "/api/ds/query", body, &resp); err != nil {
		return err
	}
	if r := resp.Results["A"]; r.Error != "" {
		return fmt.Errorf("%s", r.Error)
	}
	return nil
}

func withRef(q map[string]any) map[string]any {
	out := map[string]any{"refId": "A", "datasource": map[string]string{"uid": "ds-load"}}
	for k, v := range q {
		out[k] = v
	}
	return out
}

// latencies collects durations per query type.
type latencies struct {
	mu     sync.Mutex
	by     map[string][]time.Duration
	errs   map[string][]string // first few messages
	failed map[string]int
}

func (l *latencies) add(name string, d time.Duration, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.by[name] = append(l.by[name], d)
	if err != nil {
		l.failed[name]++
		if len(l.errs[name]) < 5 {
			l.errs[name] = append(l.errs[name], err.Error())
		}
	}
}

func pct(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	i := int(p * float64(len(ds)-1))
	return ds[i]
}

// TestLoad: 50 concurrent dashboard-style queries of mixed types plus an
// alert-style evaluation every 10 s, through the real Grafana's
// /api/ds/query, while the generator appends 20 k transactions/s, for
// APIFW_LOAD_DURATION (default 3m). No query may fail, the backend's memory
// must stay bounded (RSS against the records held), and at the end the
// counts equal the generator's ground truth. Prints p50/p99 per query type.
// Runs only with APIFW_LONG=1 (scripts/test-long.sh load).
func TestLoad(t *testing.T) {
	if os.Getenv("APIFW_LONG") != "1" {
		t.Skip("the load test runs with APIFW_LONG=1 (scripts/test-long.sh load)")
	}
	duration := envDuration("APIFW_LOAD_DURATION", 3*time.Minute)
	rate := float64(envInt("APIFW_LOAD_RATE", 20000))
	workers := envInt("APIFW_LOAD_CLIENTS", 50)
	maxBytesPerRecord := envInt("APIFW_LOAD_MAX_BYTES_PER_RECORD", 600)

	root, state := t.TempDir(), t.TempDir()
	end := time.Now().UTC()
	history, err := generate.WriteFiles(root, generate.Config{Seed: 21, APIs: 8, Instances: 4, Records: 200000, Start: end.Add(-6 * time.Hour), End: end.Add(-time.Second)})
	if err != nil {
		t.Fatal(err)
	}
	s := startWith(t, dsSpec{uid: "ds-load", root: root, stateDir: state})
	from := end.Add(-7 * time.Hour)
	waitStats(t, s, "ds-load", from, time.Now().Add(time.Hour), 120*time.Second, totalIs(history.Total))
	pids := pluginPIDs(t)
	if len(pids) == 0 {
		t.Fatal("no backend process")
	}
	baseRSS := rssKB(pids[0])

	// The generator runs as its own process (cmd/apifw-gen -live), as a
	// firewall would; APIFW_LOAD_GEN=inprocess runs it in this test instead.
	ctx, cancel := context.WithTimeout(context.Background(), duration)
	defer cancel()
	genDone := make(chan error, 1)
	genStart := time.Now()
	truthFile := filepath.Join(t.TempDir(), "truth.json")
	var live *generate.Live
	if os.Getenv("APIFW_LOAD_GEN") == "inprocess" {
		live, err = generate.NewLive(root, generate.LiveConfig{Config: generate.Config{Seed: 21, APIs: 8, Instances: 4, DrawSeed: 22}, RotateEvery: 1000000, RotateMode: generate.RotateRename})
		if err != nil {
			t.Fatal(err)
		}
		go func() { genDone <- live.Run(ctx, rate) }()
	} else {
		bin := filepath.Join(t.TempDir(), "apifw-gen")
		if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/apifw-gen").CombinedOutput(); err != nil {
			t.Fatalf("building the generator: %v\n%s", err, out)
		}
		cmd := exec.Command(bin, "-live", "-rate", fmt.Sprint(rate), "-duration", duration.String(), "-out", root,
			"-seed", "21", "-draw-seed", "22", "-apis", "8", "-instances", "4", "-rotate-every", "1000000", "-truth", truthFile)
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		go func() { genDone <- cmd.Wait() }()
	}

	lat := &latencies{by: map[string][]time.Duration{}, errs: map[string][]string{}, failed: map[string]int{}}
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			rng := rand.New(rand.NewSource(int64(w)))
			for ctx.Err() == nil {
				q := loadMix[rng.Intn(len(loadMix))]
				began := time.Now()
				err := runQuery(s, q, began)
				if ctx.Err() != nil && err != nil {
					return // the run ended mid-request
				}
				lat.add(q.name, time.Since(began), err)
				time.Sleep(time.Duration(rng.Intn(200)) * time.Millisecond) // a dashboard's refresh jitter
			}
		}(w)
	}
	wg.Add(1)
	go func() { // alert evaluations every 10 s
		defer wg.Done()
		tick := time.NewTicker(10 * time.Second)
		defer tick.Stop()
		for {
			began := time.Now()
			err := runQuery(s, alertQuery, began)
			if ctx.Err() == nil || err == nil {
				lat.add(alertQuery.name, time.Since(began), err)
			}
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	var rssMax, rssLast int
	rssDone := make(chan struct{})
	go func() {
		defer close(rssDone)
		for ctx.Err() == nil {
			for _, pid := range pluginPIDs(t) {
				r := rssKB(pid)
				rssLast = r
				rssMax = max(rssMax, r)
			}
			time.Sleep(2 * time.Second)
		}
	}()
	wg.Wait()
	if err := <-genDone; err != nil {
		t.Fatalf("generator: %v", err)
	}
	<-rssDone
	genTook := time.Since(genStart)
	var gt generate.GroundTruth
	if live != nil {
		gt = live.Truth()
	} else {
		b, err := os.ReadFile(truthFile)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &gt); err != nil {
			t.Fatal(err)
		}
	}
	total := history.Total + gt.Total
	got := waitStats(t, s, "ds-load", from, time.Now().Add(time.Hour), 120*time.Second, totalIs(total))

	// The table.
	var names []string
	for n := range lat.by {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	fmt.Fprintf(&b, "\nload: %v, %d clients, generator %.0f tx/s asked, %.0f tx/s written (%d), %d history\n", duration, workers, rate, float64(gt.Total)/genTook.Seconds(), gt.Total, history.Total)
	fmt.Fprintf(&b, "%-22s %7s %6s %9s %9s %9s\n", "query type", "count", "errors", "p50", "p99", "max")
	failed := 0
	all := 0
	for _, n := range names {
		ds := append([]time.Duration(nil), lat.by[n]...)
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		errs := lat.failed[n]
		failed += errs
		all += len(ds)
		fmt.Fprintf(&b, "%-22s %7d %6d %9s %9s %9s\n", n, len(ds), errs, pct(ds, 0.5).Round(time.Millisecond), pct(ds, 0.99).Round(time.Millisecond), pct(ds, 1).Round(time.Millisecond))
	}
	fmt.Fprintf(&b, "backend RSS: %d MB before the load (%d records), max %d MB, last %d MB (%d records: %.0f bytes/record)\n",
		baseRSS/1024, history.Total, rssMax/1024, rssLast/1024, total, float64(rssLast)*1024/float64(total))
	fmt.Fprintf(&b, "final stats total %v = ground truth %d\n", got["total"], total)
	t.Log(b.String())
	if report := os.Getenv("APIFW_LOAD_REPORT"); report != "" {
		_ = os.MkdirAll(filepath.Dir(report), 0o755)
		_ = os.WriteFile(report, []byte(b.String()), 0o644)
	}
	if failed > 0 {
		t.Errorf("%d of %d queries failed: %v", failed, all, lat.errs)
	}
	if limit := 300<<20 + maxBytesPerRecord*total; rssMax*1024 > limit {
		t.Errorf("backend RSS reached %d MB, above 300 MB + %d bytes × %d records", rssMax/1024, maxBytesPerRecord, total)
	}
}
