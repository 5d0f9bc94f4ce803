package plugin

import (
	"testing"

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
