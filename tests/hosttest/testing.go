package hosttest

import (
	"os"
	"path/filepath"
	"testing"
)

// StartT starts a host for a test and stops it at the end; when the test
// failed it keeps the host's log under $APIFW_ARTIFACTS (default
// test-results/) and prints its tail.
func StartT(t testing.TB, opts Options) *Server {
	t.Helper()
	s, err := Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.Stop()
		if t.Failed() {
			dir := os.Getenv("APIFW_ARTIFACTS")
			if dir == "" {
				dir = "test-results"
			}
			_ = os.MkdirAll(dir, 0o755)
			kept := filepath.Join(dir, filepath.Base(t.Name())+"-host.log")
			if b, err := os.ReadFile(s.LogFile); err == nil {
				_ = os.WriteFile(kept, b, 0o644)
			}
			t.Logf("host log kept at %s; last lines:\n%s", kept, s.LogTail(30))
		}
		_ = os.RemoveAll(s.DataDir)
	})
	return s
}
