package query

// Benchmarks of the goal queries on generated firewall logs (docs and
// bench/duckdb/run.sh compare them with DuckDB on the same files).
//
//	go test -run '^$' -bench . ./pkg/query/                      # 1 M transactions
//	APIFW_BENCH_10M=1 go test -run '^$' -bench . -timeout 2h ./pkg/query/
//	APIFW_BENCH_DIR=/a,/b go test -run '^$' -bench . ./pkg/query/  # these roots
//	APIFW_BENCH_PROFILE=realistic go test -run '^$' -bench . ./pkg/query/
//
// Without APIFW_BENCH_DIR the data is generated once under
// $APIFW_CACHE/bench (default ~/.cache/apifw-monitor/bench): seed 1 for 1 M;
// seeds 1…10, one root each, for 10 M. APIFW_BENCH_PROFILE picks the
// generator's cardinality profile: demo (default; 4 APIs, roots 1m-seedN) or
// realistic (21 APIs, ~280 k distinct paths per 1 M; roots 1m-realistic-seedN),
// as bench/duckdb/run.sh generates them.

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/apifw/monitor/pkg/collector"
	"github.com/apifw/monitor/pkg/generate"
	"github.com/apifw/monitor/pkg/index"
	"github.com/apifw/monitor/pkg/ingest"
	"github.com/apifw/monitor/pkg/model"
)

// benchEnd is the newest generated record time: fixed, so runs compare.
var benchEnd = time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)

type benchData struct {
	store    *index.Store
	eng      *Engine
	uuids    []string // a sample of held ids
	first    time.Time
	last     time.Time
	n        int
	loadTime time.Duration
	loadCPU  time.Duration // process CPU time of the load (all threads)
	heap     int64         // live heap the index holds after load
	rss      int64         // resident bytes after load, less those before
}

var (
	benchOnce sync.Once
	bench     *benchData
	benchErr  error
)

func benchRoots(b *testing.B) []string {
	if dirs := os.Getenv("APIFW_BENCH_DIR"); dirs != "" {
		return strings.Split(dirs, ",")
	}
	cache := os.Getenv("APIFW_CACHE")
	if cache == "" {
		home, _ := os.UserHomeDir()
		cache = filepath.Join(home, ".cache", "apifw-monitor")
	}
	seeds := 1
	if os.Getenv("APIFW_BENCH_10M") == "1" {
		seeds = 10
	}
	profile, err := generate.ParseProfile(os.Getenv("APIFW_BENCH_PROFILE"))
	if err != nil {
		b.Fatal(err)
	}
	name, apis := "1m-seed%d", 4
	if profile == generate.ProfileRealistic {
		name, apis = "1m-realistic-seed%d", 21
	}
	var roots []string
	for seed := 1; seed <= seeds; seed++ {
		root := filepath.Join(cache, "bench", fmt.Sprintf(name, seed))
		if _, err := os.Stat(filepath.Join(root, ".complete")); err != nil {
			b.Logf("generating 1 M transactions into %s", root)
			os.RemoveAll(root)
			_, err := generate.WriteFiles(root, generate.Config{Seed: int64(seed), APIs: apis, Instances: 3, Records: 1_000_000,
				Start: benchEnd.Add(-24 * time.Hour), End: benchEnd, Profile: profile})
			if err != nil {
				b.Fatal(err)
			}
			os.WriteFile(filepath.Join(root, ".complete"), nil, 0o644)
		}
		roots = append(roots, root)
	}
	return roots
}

func loadBench(b *testing.B) *benchData {
	benchOnce.Do(func() {
		roots := benchRoots(b)
		debug.FreeOSMemory()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		rssBefore := residentBytes()
		d := &benchData{store: index.NewStore()}
		start, cpu0 := time.Now(), cpuTime()
		batch := make([]model.Transaction, 0, 4096)
		var sample []byte
		var sampleEnds []int
		opts := ingest.ParseOptions{Now: func() time.Time { return benchEnd }}
		k := 0
		var listed [][]ingest.SourceFile
		var total int64
		for _, root := range roots {
			files, rep := ingest.Discover(root)
			if rep.Error != "" {
				benchErr = fmt.Errorf("%s: %s", root, rep.Error)
				return
			}
			listed = append(listed, files)
			for _, f := range files {
				total += f.Size
			}
		}
		d.store.Expect(total) // as the collector's sink is told before a first scan
		for _, files := range listed {
			for _, f := range files {
				err := readWithLengths(f, opts, func(t model.Transaction) {
					batch = append(batch, t)
					if k++; k%997 == 0 {
						// Into one buffer, made strings after the memory is
						// measured: a string kept now would pin a span of the
						// parser's garbage (memory the index does not hold).
						sample = append(sample, t.UUID...)
						sampleEnds = append(sampleEnds, len(sample))
					}
					if len(batch) == cap(batch) {
						d.store.Append(batch)
						batch = batch[:0]
					}
				})
				if err != nil {
					benchErr = err
					return
				}
			}
		}
		d.store.Append(batch)
		d.store.Trim() // as the collector does after a large poll
		batch = nil
		d.loadTime, d.loadCPU = time.Since(start), cpuTime()-cpu0
		d.n = d.store.Len()
		debug.FreeOSMemory()
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		d.heap = int64(after.HeapAlloc) - int64(before.HeapAlloc)
		d.rss = residentBytes() - rssBefore
		for i, end := range sampleEnds {
			start := 0
			if i > 0 {
				start = sampleEnds[i-1]
			}
			d.uuids = append(d.uuids, string(sample[start:end]))
		}
		lo, hi, _ := d.store.Snapshot().TimeBounds()
		d.first, d.last = time.UnixMicro(lo).UTC(), time.UnixMicro(hi).UTC()
		d.eng = &Engine{Store: d.store}
		bench = d
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return bench
}

// readWithLengths reads one file and fills in record lengths when the
// reader leaves them out (a record then spans up to the next one's line).
// The pending record is held by value: a pointer to the callback's argument
// would move every record to the heap (garbage the collector, not the
// ingest, pays for).
func readWithLengths(f ingest.SourceFile, opts ingest.ParseOptions, emit func(model.Transaction)) error {
	var prev model.Transaction
	held := false
	flush := func(next int64) {
		if held {
			if prev.Length == 0 {
				prev.Length = int32(next - prev.Offset - 1)
			}
			emit(prev)
		}
	}
	_, err := ingest.ReadFile(f, opts, func(t model.Transaction) {
		flush(t.Offset)
		prev, held = t, true
	})
	flush(f.Size)
	return err
}

// residentBytes is the process's resident set (Linux), 0 elsewhere.
func residentBytes() int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	pages, _ := strconv.ParseInt(f[1], 10, 64)
	return pages * int64(os.Getpagesize())
}

func (d *benchData) all() TimeRange {
	return TimeRange{From: d.first, To: d.last.Add(time.Microsecond)}
}

// runQuery times fn. Besides wall time per op it reports the process CPU
// time per op (all threads): the machine is shared, and CPU time moves less
// than wall time when other work competes for the cores.
func runQuery(b *testing.B, fn func() error) {
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		if err := fn(); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
}

// cpuTime is the user and system CPU time the process used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func BenchmarkLoad(b *testing.B) {
	d := loadBench(b)
	for i := 0; i < b.N; i++ {
	} // the load happens once; this reports what it cost
	b.ReportMetric(float64(d.n), "transactions")
	b.ReportMetric(d.loadTime.Seconds(), "load-s")
	b.ReportMetric(d.loadCPU.Seconds(), "load-cpu-s")
	b.ReportMetric(float64(d.heap)/float64(d.n), "heap-B/tx")
	b.ReportMetric(float64(d.rss)/float64(d.n), "rss-B/tx")
	b.ReportMetric(float64(d.store.MemoryBytes())/float64(d.n), "est-B/tx")
	b.Logf("memory by part (bytes per transaction): %s", breakdown(d))
	dict := d.store.Snapshot().Dicts()
	b.Logf("distinct: %d tuples, %d client IPs, %d paths, %d APIs, %d files; %d blocks",
		len(dict.Tuples), len(dict.ClientIPs), dict.Paths.Len(), len(dict.APIs), len(dict.Files), len(d.store.Snapshot().Blocks()))
}

// restartRun is one first load of the bench roots through the data
// source's own path (collector: tailer + index), the snapshot it writes,
// and a restart from that snapshot, measured once per process.
type restartRun struct {
	n                    int
	firstLoad, restart   time.Duration
	firstCPU, restartCPU time.Duration
	install              time.Duration // of the restart: reading and installing the snapshot
	write                time.Duration // writing the snapshot (in the background after the first scan)
	bytes                int64
}

var (
	restartOnce sync.Once
	restartRes  restartRun
	restartErr  error
)

// BenchmarkRestart compares a restart from the index snapshot with the
// first load of the same files in the same run (both through
// collector.Refresh, as the data source does), and reports the snapshot's
// write time and size. The bench roots hold 1 M transactions or more, so
// the snapshot is written in the background, after the first load's clock
// stops (a smaller index is written inside the poll).
func BenchmarkRestart(b *testing.B) {
	restartOnce.Do(func() { restartRes, restartErr = measureRestart(benchRoots(b), b.TempDir()) })
	if restartErr != nil {
		b.Fatal(restartErr)
	}
	r := restartRes
	for i := 0; i < b.N; i++ {
	} // measured once; this reports it
	b.ReportMetric(float64(r.n), "transactions")
	b.ReportMetric(r.firstLoad.Seconds(), "first-load-s")
	b.ReportMetric(r.firstCPU.Seconds(), "first-load-cpu-s")
	b.ReportMetric(r.restart.Seconds(), "restart-s")
	b.ReportMetric(r.restartCPU.Seconds(), "restart-cpu-s")
	b.ReportMetric(100*r.restart.Seconds()/r.firstLoad.Seconds(), "restart-%-of-load")
	b.ReportMetric(r.install.Seconds(), "install-s")
	b.ReportMetric(r.write.Seconds(), "snapshot-write-s")
	b.ReportMetric(float64(r.bytes)/float64(r.n), "snapshot-B/tx")
}

func measureRestart(roots []string, state string) (restartRun, error) {
	var r restartRun
	cfg := collector.Config{LogRoots: roots, StateDir: state, Parse: ingest.Options{Now: func() time.Time { return benchEnd }}}
	debug.FreeOSMemory()
	start, cpu0 := time.Now(), cpuTime()
	store := index.NewStore(index.Options{StateDir: state})
	c := collector.New(cfg, store)
	c.Refresh()
	r.firstLoad, r.firstCPU = time.Since(start), cpuTime()-cpu0
	r.n = store.Len()
	if err := c.Close(); err != nil { // waits for the snapshot being written
		return r, err
	}
	snap := c.Status().Snapshot
	if snap == nil || snap.Error != "" || snap.Transactions != r.n {
		return r, fmt.Errorf("no snapshot of the first load: %+v", snap)
	}
	r.write, r.bytes = time.Duration(snap.WriteMs*float64(time.Millisecond)), snap.Bytes
	store, c = nil, nil
	debug.FreeOSMemory()

	start, cpu0 = time.Now(), cpuTime()
	store = index.NewStore(index.Options{StateDir: state})
	c = collector.New(cfg, store)
	st := c.Refresh()
	r.restart, r.restartCPU = time.Since(start), cpuTime()-cpu0
	defer c.Close()
	if st.Snapshot == nil || st.Snapshot.Restored != r.n || store.Len() != r.n || c.Detail().Records != 0 {
		return r, fmt.Errorf("restart: %d held, %d parsed again, snapshot %+v, want %d from the snapshot",
			store.Len(), c.Detail().Records, st.Snapshot, r.n)
	}
	r.install = time.Duration(st.Snapshot.RestoreMs * float64(time.Millisecond))
	return r, nil
}

func breakdown(d *benchData) string {
	var parts []string
	for k, v := range d.store.MemoryBreakdown() {
		parts = append(parts, fmt.Sprintf("%s %.2f", k, float64(v)/float64(d.n)))
	}
	slices.Sort(parts)
	return strings.Join(parts, ", ")
}

// Top 10 of every dimension over all rows (BenchmarkTopN/clientIp, …/path, …).
func BenchmarkTopN(b *testing.B) {
	d := loadBench(b)
	for _, dim := range Dimensions {
		if IsGeoDimension(dim) { // needs a geo database
			continue
		}
		b.Run(dim, func(b *testing.B) {
			runQuery(b, func() error {
				_, err := d.eng.TopN(context.Background(), Query{Dimension: dim, Limit: 10}, d.all())
				return err
			})
		})
	}
}

func BenchmarkTrafficPerMinuteByOutcome(b *testing.B) {
	d := loadBench(b)
	runQuery(b, func() error {
		_, err := d.eng.Traffic(context.Background(), Query{IntervalMs: 60000}, d.all())
		return err
	})
}

func BenchmarkStats(b *testing.B) {
	d := loadBench(b)
	runQuery(b, func() error {
		_, err := d.eng.Stats(context.Background(), Query{}, d.all())
		return err
	})
}

// The typical alert: blocked transactions per API over the last 5 minutes.
func BenchmarkAlertBlockedPerAPI5m(b *testing.B) {
	d := loadBench(b)
	tr := TimeRange{From: d.last.Add(-5 * time.Minute), To: d.last.Add(time.Microsecond)}
	runQuery(b, func() error {
		_, err := d.eng.TopN(context.Background(), Query{Dimension: "api", Filters: Filters{Outcome: []string{"blocked"}}}, tr)
		return err
	})
}

func BenchmarkTransactionsNewest100(b *testing.B) {
	d := loadBench(b)
	runQuery(b, func() error {
		_, err := d.eng.Transactions(context.Background(), Query{Limit: 100, Filters: Filters{Outcome: []string{"blocked"}}}, d.all())
		return err
	})
}

// Trace by uuid, the index part (the detail is read from disk by the caller).
func BenchmarkTraceLookup(b *testing.B) {
	d := loadBench(b)
	rng := rand.New(rand.NewSource(1))
	lat := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		id := d.uuids[rng.Intn(len(d.uuids))]
		t := time.Now()
		if _, err := d.eng.Trace(context.Background(), Query{UUID: id}); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t))
	}
	b.StopTimer()
	reportPercentiles(b, lat)
}

func reportPercentiles(b *testing.B, lat []time.Duration) {
	slices.Sort(lat)
	at := func(p float64) float64 { return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Nanoseconds()) }
	b.ReportMetric(at(0.50), "p50-ns")
	b.ReportMetric(at(0.99), "p99-ns")
}

// Query latency while another goroutine appends 20 k transactions/s: p99 of
// each query idle, then during ingestion. The new records are newer than the
// loaded ones and arrive in time order, as a tailer sees them; the queries
// keep their range, so they do the same work and the difference is the
// writer's interference.
func BenchmarkQueryWhileIngesting(b *testing.B) {
	d := loadBench(b)
	live := liveTransactions(b, d, 400_000)
	alertRange := TimeRange{From: d.last.Add(-5 * time.Minute), To: d.last.Add(time.Microsecond)}
	all := d.all()
	queries := map[string]func() error{
		"topNClientIp": func() error {
			_, err := d.eng.TopN(context.Background(), Query{Dimension: "clientIp", Limit: 10}, all)
			return err
		},
		"alert5m": func() error {
			_, err := d.eng.TopN(context.Background(), Query{Dimension: "api", Filters: Filters{Outcome: []string{"blocked"}}}, alertRange)
			return err
		},
		"trace": func() error {
			_, err := d.eng.Trace(context.Background(), Query{UUID: d.uuids[rand.Intn(len(d.uuids))]})
			return err
		},
	}
	names := []string{"alert5m", "topNClientIp", "trace"}
	// Idle and ingesting phases alternate, so that whatever else runs on the
	// machine weighs on both alike.
	var ingesting atomic.Bool
	var stop atomic.Bool
	var added atomic.Int64
	var done sync.WaitGroup
	done.Add(1)
	go func() { // 20 k/s in batches of 1000 every 50 ms, while ingesting
		defer done.Done()
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for !stop.Load() && len(live) > 0 {
			<-tick.C
			if ingesting.Load() {
				added.Add(int64(d.store.Append(live[0])))
				live[0] = nil // a tailer does not keep what it appended
				live = live[1:]
			}
		}
	}()
	defer func() { stop.Store(true); done.Wait() }()
	p99 := func(lat []time.Duration) time.Duration {
		slices.Sort(lat)
		return lat[min(len(lat)-1, len(lat)*99/100)]
	}
	for i := 0; i < b.N; i++ {
		for _, name := range names {
			q := queries[name]
			var idle, busy []time.Duration
			before := added.Load()
			for phase := 0; phase < 10; phase++ {
				ingesting.Store(phase%2 == 1)
				for end := time.Now().Add(800 * time.Millisecond); time.Now().Before(end); {
					t := time.Now()
					if err := q(); err != nil {
						b.Fatal(err)
					}
					if phase%2 == 1 {
						busy = append(busy, time.Since(t))
					} else {
						idle = append(idle, time.Since(t))
					}
					time.Sleep(2 * time.Millisecond) // a dashboard's pace, not a tight loop
				}
			}
			ingesting.Store(false)
			n := added.Load() - before
			pi, pb := p99(idle), p99(busy)
			b.ReportMetric(float64(pi.Microseconds()), name+"-idle-p99-µs")
			b.ReportMetric(float64(pb.Microseconds()), name+"-ingest-p99-µs")
			b.Logf("%s: p99 idle %s, while ingesting %s (median %s, %s; %d appended, %.1fk/s)", name, pi, pb,
				idle[len(idle)/2], busy[len(busy)/2], n, float64(n)/4000)
		}
	}
}

// liveTransactions generates n more transactions (another seed: new ids)
// in the hour after the loaded span, in time order, in batches of 1000.
func liveTransactions(b *testing.B, d *benchData, n int) [][]model.Transaction {
	dir := b.TempDir()
	if _, err := generate.WriteFiles(dir, generate.Config{Seed: 99, APIs: 4, Instances: 3, Records: n,
		Start: d.last.Add(time.Millisecond), End: d.last.Add(time.Hour)}); err != nil {
		b.Fatal(err)
	}
	var all []model.Transaction
	files, _ := ingest.Discover(dir)
	opts := ingest.ParseOptions{Now: func() time.Time { return benchEnd.Add(2 * time.Hour) }}
	for _, f := range files {
		if err := readWithLengths(f, opts, func(t model.Transaction) { all = append(all, t) }); err != nil {
			b.Fatal(err)
		}
	}
	slices.SortStableFunc(all, func(a, b model.Transaction) int { return a.Time.Compare(b.Time) })
	var out [][]model.Transaction
	for k := 0; k < len(all); k += 1000 {
		out = append(out, slices.Clone(all[k:min(k+1000, len(all))]))
	}
	return out
}
