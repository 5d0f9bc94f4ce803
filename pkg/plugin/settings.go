package plugin

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/apifw/monitor/pkg/ingest"
)

// Settings is the data source's jsonData.
type Settings struct {
	LogRoots    []string `json:"logRoots"`
	ReportRoots []string `json:"reportRoots"`
	// DateEpochUnit: "" (auto), "s", "ms", "us" or "ns".
	DateEpochUnit string `json:"dateEpochUnit"`
}

// parseSettings reads and validates jsonData. Roots must be absolute and
// clean, so a request can never make the backend read outside them.
func parseSettings(raw json.RawMessage) (Settings, error) {
	var s Settings
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &s); err != nil {
			return s, fmt.Errorf("data source settings are not valid JSON: %w", err)
		}
	}
	var roots []string
	for _, r := range s.LogRoots {
		r = strings.TrimSpace(r)
		if r == "" {
			continue
		}
		if !filepath.IsAbs(r) {
			return s, fmt.Errorf("log root %q is not an absolute path", r)
		}
		roots = append(roots, filepath.Clean(r))
	}
	s.LogRoots = roots
	var reportRoots []string
	for _, r := range s.ReportRoots {
		r = strings.TrimSpace(r)
		if r == "" {
			continue
		}
		if !filepath.IsAbs(r) {
			return s, fmt.Errorf("report root %q is not an absolute path", r)
		}
		reportRoots = append(reportRoots, filepath.Clean(r))
	}
	s.ReportRoots = reportRoots
	switch ingest.EpochUnit(s.DateEpochUnit) {
	case ingest.EpochAuto, ingest.EpochSeconds, ingest.EpochMilliseconds, ingest.EpochMicroseconds, ingest.EpochNanoseconds:
	default:
		return s, fmt.Errorf("dateEpochUnit %q is not one of s, ms, us, ns (or empty for auto)", s.DateEpochUnit)
	}
	return s, nil
}
