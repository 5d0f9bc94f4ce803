package ingest

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apifw/monitor/pkg/generate"
	"github.com/apifw/monitor/pkg/model"
)

// benchRecords is the size of the benchmark's data set: records as
// `apifw-gen -out DIR -records N` writes them (about 1.6 KB each).
const benchRecords = 100_000

var (
	benchOnce sync.Once
	benchRoot string
	benchSize int64
	benchErr  error
	// baselineRate holds the encoding/json records/s per GOMAXPROCS, for the
	// ratio the fast sub-benchmark reports.
	baselineRate sync.Map
)

// benchData generates the data set once per day and machine (generation
// takes longer than a benchmark run) and returns its root and size.
func benchData(b *testing.B) (string, int64) {
	b.Helper()
	benchOnce.Do(func() {
		day := time.Now().UTC().Truncate(24 * time.Hour)
		benchRoot = filepath.Join(os.TempDir(), fmt.Sprintf("apifw-ingest-bench-%d-%s", benchRecords, day.Format("20060102")))
		if old, _ := filepath.Glob(filepath.Join(os.TempDir(), "apifw-ingest-bench-*")); len(old) > 0 {
			for _, dir := range old {
				if dir != benchRoot { // an earlier day's data set
					os.RemoveAll(dir)
				}
			}
		}
		done := filepath.Join(benchRoot, ".complete")
		if _, err := os.Stat(done); err != nil {
			os.RemoveAll(benchRoot)
			_, benchErr = generate.WriteFiles(benchRoot, generate.Config{Seed: 1, APIs: 4, Instances: 3,
				Records: benchRecords, Start: day.Add(-24 * time.Hour), End: day})
			if benchErr == nil {
				benchErr = os.WriteFile(done, nil, 0o644)
			}
		}
		files, _ := Discover(benchRoot)
		for _, f := range files {
			benchSize += f.Size
		}
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchRoot, benchSize
}

// countSink counts records (the index's cost is not ingestion's).
type countSink struct{ n atomic.Int64 }

func (s *countSink) Append(recs []model.Transaction) { s.n.Add(int64(len(recs))) }

// BenchmarkIngestFiles is the first scan of a FILES root: discovery, reading,
// parallel parsing of newline-cut chunks, records handed to a sink. Run with
// -cpu 1,2: "encoding-json" is the former parser in the same pipeline, "fast"
// the hand-written one; x-vs-encoding-json is the ratio at the same -cpu.
func BenchmarkIngestFiles(b *testing.B) {
	root, size := benchData(b)
	run := func(b *testing.B, baseline bool) float64 {
		b.SetBytes(size)
		var total int64
		cpu0 := processCPU()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			sink := &countSink{}
			tl := NewTailer([]string{root}, Options{}, sink, nil)
			if baseline {
				opts := Options{}
				for _, p := range tl.reader.parsers {
					p.swap = func(line []byte, unknown bool, t *model.Transaction) error {
						tx, err := parseRecordStdlib(line, opts)
						*t = tx
						t.Outcome = Classify(t, unknown)
						return err
					}
				}
			}
			if ps := tl.Poll(); ps.Error != "" || ps.BadRecords != 0 {
				b.Fatalf("%+v", ps)
			}
			total += sink.n.Load()
		}
		b.StopTimer()
		if total != int64(b.N)*benchRecords {
			b.Fatalf("read %d records, want %d", total, int64(b.N)*benchRecords)
		}
		rate := float64(total) / b.Elapsed().Seconds()
		b.ReportMetric(rate, "records/s")
		if cpu := processCPU() - cpu0; cpu > 0 {
			b.ReportMetric(float64(cpu.Nanoseconds())/float64(total), "cpu-ns/record")
		}
		b.ReportMetric(0, "ns/op") // a whole scan per op says little
		return rate
	}
	b.Run("encoding-json", func(b *testing.B) {
		baselineRate.Store(runtime.GOMAXPROCS(0), run(b, true))
	})
	b.Run("fast", func(b *testing.B) {
		rate := run(b, false)
		if base, ok := baselineRate.Load(runtime.GOMAXPROCS(0)); ok {
			b.ReportMetric(rate/base.(float64), "x-vs-encoding-json")
		}
	})
}

// BenchmarkParseRecord is one core parsing one record at a time.
func BenchmarkParseRecord(b *testing.B) {
	root, _ := benchData(b)
	files, _ := Discover(root)
	data, err := os.ReadFile(files[0].Path)
	if err != nil {
		b.Fatal(err)
	}
	raw := bytes.Split(bytes.TrimSpace(data), []byte{'\n'})
	if len(raw) > 5000 {
		raw = raw[:5000]
	}
	var size int64
	for _, l := range raw {
		size += int64(len(l))
	}
	b.Run("encoding-json", func(b *testing.B) {
		b.SetBytes(size / int64(len(raw)))
		for i := 0; i < b.N; i++ {
			if _, err := parseRecordStdlib(raw[i%len(raw)], Options{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("fast", func(b *testing.B) {
		cfg, err := newParserConfig(Options{})
		if err != nil {
			b.Fatal(err)
		}
		p := newRecordParser(cfg)
		var t model.Transaction
		b.SetBytes(size / int64(len(raw)))
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if err := p.parse(raw[i%len(raw)], false, &t); err != nil {
				b.Fatal(err)
			}
		}
	})
}
