package ship

import (
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkSpool measures reading, stripping, masking, encoding and
// spooling (no network): go test -bench Spool -benchtime 1x ./pkg/ship
func BenchmarkSpool(b *testing.B) {
	root := filepath.Join(b.TempDir(), "logs")
	tb := &testing.T{}
	_ = tb
	n := 20000
	if _, err := writeLogsB(root, n); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s, err := New(Config{Roots: []string{root}, SpoolDir: b.TempDir(), InsertURL: "http://127.0.0.1:1", ID: "bench"})
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		got, err := s.PollOnce()
		if err != nil || got != n {
			b.Fatalf("%d %v", got, err)
		}
		b.ReportMetric(float64(time.Since(start).Microseconds())/float64(n), "µs/record")
		b.ReportMetric(float64(s.M.BufBytes.Load())/float64(n), "spool-B/record")
	}
}

func writeLogsB(root string, n int) (int, error) {
	gt, err := generateFiles(root, n)
	return gt, err
}
