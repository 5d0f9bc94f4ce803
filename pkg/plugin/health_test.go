package plugin

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/apifw/monitor/pkg/collector"
	"github.com/apifw/monitor/pkg/ingest"
)

func TestHealthProgressAndExamples(t *testing.T) {
	cases := []struct {
		st       collector.Status
		progress string
		examples string
	}{
		{collector.Status{FirstScan: ingest.ScanProgress{Done: true, BytesRead: 5, BytesTotal: 5}}, "", ""},
		{collector.Status{FirstScan: ingest.ScanProgress{BytesRead: 250, BytesTotal: 1000}}, "indexing: first scan 25% done (250 of 1000 bytes)", ""},
		{collector.Status{BadExamples: []ingest.BadRecord{{File: "a", Line: 1, Reason: "r1"}, {File: "b", Line: 2, Reason: "r2"}, {File: "c", Line: 3, Reason: "r3"}, {File: "d", Line: 4, Reason: "r4"}},
			FirstScan: ingest.ScanProgress{Done: true}}, "", "d line 4: r4; c line 3: r3; b line 2: r2"},
	}
	for i, c := range cases {
		if got := scanProgress(c.st); got != c.progress {
			t.Errorf("%d: progress %q, want %q", i, got, c.progress)
		}
		if got := badExamples(c.st); got != c.examples {
			t.Errorf("%d: examples %q, want %q", i, got, c.examples)
		}
	}
}

// The real Local-Firewall folder holds only a vhost error log with
// transactions: the health check suggests the setting, and reads them with it.
func TestHealthErrorLogTransactions(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", "..", "..", "shared", "realdata", "firewall", "Local-Firewall"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(root); err != nil {
		t.Skip("../shared/realdata absent")
	}
	off, err := newTestDatasource(t, `{"logRoots":["`+root+`"]}`).CheckHealth(context.Background(), &backend.CheckHealthRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if off.Status != backend.HealthStatusError || !strings.Contains(off.Message, "1 vhost error log(s) (vh-<uid>.error.log) hold transactions") ||
		!strings.Contains(off.Message, "errorLogTransactions") {
		t.Errorf("off: %v %q", off.Status, off.Message)
	}
	on, err := newTestDatasource(t, `{"logRoots":["`+root+`"],"errorLogTransactions":true}`).CheckHealth(context.Background(), &backend.CheckHealthRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if on.Status != backend.HealthStatusOk || !strings.Contains(on.Message, "1 instance folder(s), 0 transaction file(s), 7 record(s), 1 vhost error log(s) read for transactions") {
		t.Errorf("on: %v %q", on.Status, on.Message)
	}
}
