package grafanatest

import (
	"os"
	"path/filepath"
	"testing"
)

// StartT starts a server for a test, stops it at the end, and when the test
// failed keeps its log under $APIFW_ARTIFACTS (default test-results/) and
// prints its tail.
func StartT(t testing.TB, opts Options) *Server {
	t.Helper()
	if os.Getenv("APIFW_GRAFANA_DIR") == "" && opts.GrafanaDir == "" && opts.Bin == "" {
		t.Fatal("APIFW_GRAFANA_DIR is not set: run the integration tests through `npm test` or scripts/test-integration.sh")
	}
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
			kept := filepath.Join(dir, filepath.Base(t.Name())+"-grafana.log")
			if b, err := os.ReadFile(s.LogFile); err == nil {
				_ = os.WriteFile(kept, b, 0o644)
			}
			t.Logf("grafana log kept at %s; last lines:\n%s", kept, s.LogTail(30))
		}
		_ = os.RemoveAll(s.DataDir)
	})
	return s
}
