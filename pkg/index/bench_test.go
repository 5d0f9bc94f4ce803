package index

import (
	"fmt"
	"math/rand"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/apifw/monitor/pkg/model"
)

// Index benchmarks on synthetic records shaped like generated traffic (files
// read one after the other, few instances and APIs, a few thousand clients).
// 1 M records; APIFW_BENCH_10M=1 for 10 M. pkg/query's benchmarks use real
// generated files.

func benchSize() int {
	if os.Getenv("APIFW_BENCH_10M") == "1" {
		return 10_000_000
	}
	return 1_000_000
}

// synthetic fills a store with n records, batch by batch, without keeping
// them: the store's memory is then what the index holds.
func synthetic(n int, s *Store) []string {
	rng := rand.New(rand.NewSource(1))
	var sample []string
	batch := make([]model.Transaction, 0, 4096)
	files := 12
	perFile := n / files
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for f := 0; f < files; f++ {
		var off int64
		for i := 0; i < perFile; i++ {
			length := int32(900 + rng.Intn(700))
			tx := model.Transaction{
				UUID:       fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", rng.Uint32(), rng.Intn(1<<16), rng.Intn(1<<12), rng.Intn(1<<12), rng.Int63n(1<<48)),
				Time:       start.Add(time.Duration(i) * 24 * time.Hour / time.Duration(perFile)),
				DurationUS: int64(5000 + rng.Intn(150000)),
				Instance:   fmt.Sprintf("fw-%02d", f%3+1), APIID: fmt.Sprintf("api-%d", f%4), APIName: fmt.Sprintf("Demo API %d", f%4),
				ClientIP: fmt.Sprintf("10.20.%d.%d", rng.Intn(20), rng.Intn(256)), Hostname: "api.example.test",
				Method: []string{"GET", "POST", "PUT"}[rng.Intn(3)], Path: fmt.Sprintf("/api/users/%d", rng.Intn(5000)),
				Operation: "/api/users/{id}", Status: []int{200, 201, 404, 401}[rng.Intn(4)],
				Outcome: model.Outcome(rng.Intn(3)), FileID: uint32(f), File: fmt.Sprintf("/logs/fw/%d.log", f),
				Line: i + 1, Offset: off, Length: length,
			}
			if tx.Outcome != model.OutcomeAllowed {
				tx.Errors = []model.TransactionError{{Step: "hostpath_mapping", Message: "path not defined in OAS"}}
			}
			off += int64(length) + 1
			if i%1000 == 0 {
				sample = append(sample, tx.UUID)
			}
			batch = append(batch, tx)
			if len(batch) == cap(batch) {
				s.Append(batch)
				batch = batch[:0]
			}
		}
	}
	s.Append(batch)
	return sample
}

var (
	benchStore  *Store
	benchSample []string
	benchHeap   int64
)

func loaded(b *testing.B) *Store {
	if benchStore == nil {
		debug.FreeOSMemory()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		s := NewStore()
		benchSample = synthetic(benchSize(), s)
		debug.FreeOSMemory()
		runtime.ReadMemStats(&after)
		benchHeap = int64(after.HeapAlloc) - int64(before.HeapAlloc)
		benchStore = s
	}
	return benchStore
}

func BenchmarkMemoryPerTransaction(b *testing.B) {
	s := loaded(b)
	for i := 0; i < b.N; i++ {
	}
	b.ReportMetric(float64(benchHeap)/float64(s.Len()), "heap-B/tx")
	b.ReportMetric(float64(s.MemoryBytes())/float64(s.Len()), "est-B/tx")
	parts := s.MemoryBreakdown()
	keys := make([]string, 0, len(parts))
	for k := range parts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		b.Logf("%-12s %6.2f B/tx", k, float64(parts[k])/float64(s.Len()))
	}
}

// Lookup by uuid with the row materialised: p50 and p99 over b.N lookups.
func BenchmarkLookup(b *testing.B) {
	s := loaded(b)
	rng := rand.New(rand.NewSource(2))
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		id := benchSample[rng.Intn(len(benchSample))]
		t := time.Now()
		if _, ok := s.Lookup(id); !ok {
			b.Fatal("not found")
		}
		lat = append(lat, time.Since(t))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds()), "p99-ns")
}

// Append throughput into a store that already holds the benchmark's records.
func BenchmarkAppend(b *testing.B) {
	s := NewStore()
	fresh := NewStore()
	synthetic(100_000, fresh) // warm dictionaries the same way
	var txs []model.Transaction
	fresh.Range(time.Time{}, time.Time{}, func(t *model.Transaction) bool { txs = append(txs, *t); return true })
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s = NewStore()
		for k := 0; k < len(txs); k += 1000 {
			s.Append(txs[k:min(k+1000, len(txs))])
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(len(txs))*float64(b.N)/b.Elapsed().Seconds(), "tx/s")
}
