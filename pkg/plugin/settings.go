package plugin

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/apifw/monitor/pkg/ingest"
)

// Settings is the data source's jsonData (contract §7, src/shared/settings.ts).
type Settings struct {
	LogRoots    []string `json:"logRoots"`
	ReportRoots []string `json:"reportRoots"`
	// DateEpochUnit: "" (auto), "s", "ms", "us" or "ns".
	DateEpochUnit string `json:"dateEpochUnit"`

	Include      []string            `json:"include,omitempty"`
	Exclude      []string            `json:"exclude,omitempty"`
	StdoutFiles  []string            `json:"stdoutFiles,omitempty"`
	OutcomeRules ingest.OutcomeRules `json:"outcomeRules,omitzero"`
	JSONPaths    ingest.JSONPaths    `json:"jsonPaths,omitzero"`
	// ErrorLogTransactions also reads the transactions embedded in the
	// vhost error logs (ingest.Options.ErrorLogTransactions).
	ErrorLogTransactions bool `json:"errorLogTransactions,omitempty"`

	// MaskedHeaders: header names (case-insensitive, * globs) masked in
	// addition to the built-in list (masking.go).
	MaskedHeaders []string `json:"maskedHeaders,omitempty"`

	MaxRows              int    `json:"maxRows,omitempty"`
	QueryTimeoutSeconds  int    `json:"queryTimeoutSeconds,omitempty"`
	MaxConcurrentQueries int    `json:"maxConcurrentQueries,omitempty"`
	SilentAfter          string `json:"silentAfter,omitempty"`
	StateDir             string `json:"stateDir,omitempty"`
	// GeoDatabase: an absolute path to a MaxMind-format .mmdb file (country,
	// city or ASN) for the client geography dimensions (pkg/geo); optional.
	GeoDatabase string `json:"geoDatabase,omitempty"`

	// Store: "embedded" (default: index the log roots here) or
	// "victorialogs" (query the cluster the shippers write to; store.go).
	Store        string             `json:"store,omitempty"`
	VictoriaLogs VictoriaLogsConfig `json:"victoriaLogs,omitzero"`

	silentAfter time.Duration
	masker      *masker
}

// Defaults of the optional settings.
const (
	DefaultMaxRows              = 10000
	DefaultQueryTimeoutSeconds  = 30
	DefaultMaxConcurrentQueries = 4
	DefaultSilentAfter          = 15 * time.Minute
)

// Upper bounds: a setting cannot make one query unbounded.
const (
	maxMaxRows     = 1000000
	maxTimeout     = 600
	maxConcurrency = 64
)

// ingestOptions are the parsing settings as the collector takes them.
func (s Settings) ingestOptions() ingest.Options {
	return ingest.Options{
		EpochUnit: ingest.EpochUnit(s.DateEpochUnit),
		Include:   s.Include, Exclude: s.Exclude, StdoutFiles: s.StdoutFiles,
		Rules: s.OutcomeRules, Paths: s.JSONPaths, ErrorLogTransactions: s.ErrorLogTransactions,
	}
}

func (s Settings) timeout() time.Duration {
	return time.Duration(s.QueryTimeoutSeconds) * time.Second
}

// parseSettings reads and validates jsonData, filling defaults. Roots must be
// absolute and clean, so a request can never make the backend read outside
// them. Every problem is reported, one message each, joined by "; ".
// uid names the data source for the default state directory.
func parseSettings(raw json.RawMessage, uid string) (Settings, error) {
	var s Settings
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &s); err != nil {
			s = Settings{}
			s.fillDefaults(uid)
			return s, fmt.Errorf("data source settings are not valid JSON: %w", err)
		}
	}
	var errs []error
	s.LogRoots = absPaths(s.LogRoots, "log root", &errs)
	s.ReportRoots = absPaths(s.ReportRoots, "report root", &errs)
	if s.GeoDatabase != "" && !filepath.IsAbs(s.GeoDatabase) {
		errs = append(errs, fmt.Errorf("geoDatabase %q is not an absolute path", s.GeoDatabase))
	}
	if err := s.ingestOptions().Validate(); err != nil {
		errs = append(errs, err)
	}
	for _, h := range s.MaskedHeaders {
		if _, err := path.Match(strings.ToLower(strings.TrimSpace(h)), ""); err != nil || strings.TrimSpace(h) == "" {
			errs = append(errs, fmt.Errorf("maskedHeaders: %q is not a header name or glob", h))
		}
	}
	bound := func(name string, v *int, def, hi int) {
		switch {
		case *v == 0:
			*v = def
		case *v < 0 || *v > hi:
			errs = append(errs, fmt.Errorf("%s %d is out of range (1 to %d)", name, *v, hi))
			*v = def
		}
	}
	bound("maxRows", &s.MaxRows, DefaultMaxRows, maxMaxRows)
	bound("queryTimeoutSeconds", &s.QueryTimeoutSeconds, DefaultQueryTimeoutSeconds, maxTimeout)
	bound("maxConcurrentQueries", &s.MaxConcurrentQueries, DefaultMaxConcurrentQueries, maxConcurrency)
	s.silentAfter = DefaultSilentAfter
	if strings.TrimSpace(s.SilentAfter) != "" {
		d, err := time.ParseDuration(strings.TrimSpace(s.SilentAfter))
		if err != nil || d <= 0 {
			errs = append(errs, fmt.Errorf("silentAfter %q is not a positive Go duration such as 15m", s.SilentAfter))
		} else {
			s.silentAfter = d
		}
	}
	if s.StateDir = strings.TrimSpace(s.StateDir); s.StateDir != "" {
		if !filepath.IsAbs(s.StateDir) {
			errs = append(errs, fmt.Errorf("stateDir %q is not an absolute path", s.StateDir))
			s.StateDir = ""
		} else {
			s.StateDir = filepath.Clean(s.StateDir)
		}
	}
	if s.StateDir == "" {
		s.StateDir = defaultStateDir(uid)
	}
	s.checkStore(&errs)
	s.masker = newMasker(s.MaskedHeaders)
	return s, errors.Join(errs...)
}

func (s *Settings) fillDefaults(uid string) {
	s.MaxRows, s.QueryTimeoutSeconds, s.MaxConcurrentQueries = DefaultMaxRows, DefaultQueryTimeoutSeconds, DefaultMaxConcurrentQueries
	s.silentAfter, s.StateDir, s.masker = DefaultSilentAfter, defaultStateDir(uid), newMasker(nil)
}

func absPaths(in []string, what string, errs *[]error) []string {
	var out []string
	for _, r := range in {
		r = strings.TrimSpace(r)
		if r == "" {
			continue
		}
		if !filepath.IsAbs(r) {
			*errs = append(*errs, fmt.Errorf("%s %q is not an absolute path", what, r))
			continue
		}
		out = append(out, filepath.Clean(r))
	}
	return out
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]`)

// defaultStateDir: $GF_PATHS_DATA/apifw-monitor/<uid>, else the OS cache dir.
func defaultStateDir(uid string) string {
	uid = unsafeName.ReplaceAllString(uid, "_")
	if uid == "" || uid == "." || uid == ".." {
		uid = "default"
	}
	if d := os.Getenv("GF_PATHS_DATA"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "apifw-monitor", uid)
	}
	base, err := os.UserCacheDir()
	if err != nil || !filepath.IsAbs(base) {
		base = os.TempDir()
	}
	return filepath.Join(base, "apifw-monitor", uid)
}
