package ingest

import (
	"fmt"
	"runtime"
	"strings"
	"time"
)

// EpochUnit is the unit of the record's date_epoch field.
type EpochUnit string

const (
	EpochAuto         EpochUnit = ""   // detect by magnitude
	EpochSeconds      EpochUnit = "s"  // 1.7e9
	EpochMilliseconds EpochUnit = "ms" // 1.7e12
	EpochMicroseconds EpochUnit = "us" // 1.7e15, what firewall v1.0.25 writes
	EpochNanoseconds  EpochUnit = "ns" // 1.7e18
)

// Options are the ingestion settings a user can change (formats.md §6). The
// zero value reads the FILES layout and captured STDOUT as firewall v1.0.25
// writes them.
type Options struct {
	// EpochUnit is the unit of date_epoch; empty detects it by magnitude.
	EpochUnit EpochUnit `json:"dateEpochUnit,omitempty"`
	// MaxPast and MaxFuture bound how far from "now" a record time may be
	// before the record is rejected as corrupt; zero means 20 years in the
	// past and one day ahead.
	MaxPast   time.Duration `json:"-"`
	MaxFuture time.Duration `json:"-"`
	// Now is the clock the plausibility check uses; nil is time.Now.
	Now func() time.Time `json:"-"`

	// Include and Exclude are globs on the slash-separated path relative to
	// the root ("fw-1/api-*.transaction.log", "**/old.*"). A pattern without
	// a slash matches the base name at any depth; "**" matches any number of
	// directories. A file is read when it matches an Include pattern (or
	// Include is empty) and no Exclude pattern.
	Include []string `json:"include,omitempty"`
	Exclude []string `json:"exclude,omitempty"`
	// StdoutFiles are globs (same syntax) naming captured STDOUT files:
	// plain console text, Docker json-file or CRI lines, with the firewall's
	// prefix. Nil means DefaultStdoutFiles; an empty non-nil list turns
	// STDOUT reading off.
	StdoutFiles []string `json:"stdoutFiles,omitempty"`
	// MaxDepth is how many directory levels below a root are searched; zero
	// means 4 (enough for /var/log/pods/<pod>/<container>/0.log).
	MaxDepth int `json:"maxDepth,omitempty"`
	// ReadPipes reads named pipes that match the transaction log names
	// (without blocking: whatever is buffered at each poll). Off by default:
	// a pipe has no offsets, so its records cannot be re-read for the trace
	// view, and a reader changes how the writer behaves.
	ReadPipes bool `json:"readPipes,omitempty"`
	// ErrorLogTransactions reads the transactions the firewall writes into
	// its virtual hosts' error logs (vh-<uid>.error.log) at info level, as
	// "transaction[<uuid>]: {json}" lines (errorlog.go). Off by default; a
	// record also found in a transaction file is kept once (by uuid).
	ErrorLogTransactions bool `json:"errorLogTransactions,omitempty"`

	// Rules derive a record's outcome; the zero value is DefaultOutcomeRules.
	Rules OutcomeRules `json:"outcomeRules,omitempty"`
	// Paths override where the indexed keys live in a record.
	Paths JSONPaths `json:"jsonPaths,omitempty"`

	// Workers is how many goroutines parse in parallel; zero means GOMAXPROCS.
	Workers int `json:"-"`
	// Resume continues every file at the offset the StateStore saved instead
	// of reading it again from the start. Only for a sink that already holds
	// the records up to those offsets (a persisted index saved together with
	// Tailer.Checkpoint); the in-memory index must leave it off.
	Resume bool `json:"-"`
	// MaxPollBytes bounds how many bytes of plain files one Poll reads (0:
	// no bound); PollStatus.More says it stopped with bytes left, and the
	// next Poll continues there. For a sink that holds a poll's records
	// until the poll ends (the shipper spools them with the poll's
	// checkpoint): without it, a backlog is held in memory at once. Pipes
	// and gzip archives are read whole.
	MaxPollBytes int64 `json:"-"`
}

// ParseOptions is the former name of Options.
//
// Deprecated: use Options.
type ParseOptions = Options

// DefaultStdoutFiles are the names of captured STDOUT files read when
// Options.StdoutFiles is nil: "<name>.stdout.log" (a redirected console),
// Docker's "<container-id>-json.log", Kubernetes' "/var/log/pods/…/<n>.log"
// when the root is a "pods" or "stdout" folder, each with rotation suffixes.
var DefaultStdoutFiles = []string{
	"*.stdout.log", "*.stdout.log.*",
	"*-json.log", "*-json.log.*",
	"stdout/**/*.log", "stdout/**/*.log.*",
	"pods/**/*.log", "pods/**/*.log.*",
}

func (o Options) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

func (o Options) workers() int {
	if o.Workers > 0 {
		return o.Workers
	}
	return runtime.GOMAXPROCS(0)
}

func (o Options) maxDepth() int {
	if o.MaxDepth > 0 {
		return o.MaxDepth
	}
	return 4
}

func (o Options) stdoutFiles() []string {
	if o.StdoutFiles == nil {
		return DefaultStdoutFiles
	}
	return o.StdoutFiles
}

// timeBounds is the plausible window for record times at now.
func (o Options) timeBounds(now time.Time) (lo, hi time.Time) {
	maxPast, maxFuture := o.MaxPast, o.MaxFuture
	if maxPast == 0 {
		maxPast = 20 * 365 * 24 * time.Hour
	}
	if maxFuture == 0 {
		maxFuture = 24 * time.Hour
	}
	return now.Add(-maxPast), now.Add(maxFuture)
}

// Validate reports settings that cannot work: an unknown epoch unit, a
// malformed glob, conflicting JSON paths or an unknown outcome in a rule.
func (o Options) Validate() error {
	switch o.EpochUnit {
	case EpochAuto, EpochSeconds, EpochMilliseconds, EpochMicroseconds, EpochNanoseconds:
	default:
		return fmt.Errorf("dateEpochUnit %q is not one of s, ms, us, ns (or empty for auto)", o.EpochUnit)
	}
	for _, g := range [][]string{o.Include, o.Exclude, o.StdoutFiles} {
		for _, p := range g {
			if err := validGlob(p); err != nil {
				return err
			}
		}
	}
	if o.Paths != (JSONPaths{}) {
		if _, err := compilePaths(o.Paths); err != nil {
			return err
		}
	}
	if len(o.Rules.Rules) > 0 || o.Rules.Otherwise != "" {
		if _, err := compileRules(o.Rules); err != nil {
			return err
		}
	}
	return nil
}

// JSONPaths says where each indexed key lives in a record, as dotted paths
// from the top-level object ("pod.instance_name"). An empty field keeps the
// default: what firewall v1.0.25 writes. The Error* paths are relative to one
// element of the Errors array. Keys containing dots cannot be addressed.
type JSONPaths struct {
	UUID          string `json:"uuid,omitempty"`
	DateEpoch     string `json:"dateEpoch,omitempty"`
	DateRFC8601   string `json:"dateRfc8601,omitempty"`
	Duration      string `json:"duration,omitempty"`
	Instance      string `json:"instance,omitempty"`
	API           string `json:"api,omitempty"`
	APIName       string `json:"apiName,omitempty"`
	NonBlocking   string `json:"nonBlocking,omitempty"`
	BlockingLevel string `json:"blockingLevel,omitempty"`
	SourceIP      string `json:"sourceIp,omitempty"`
	Hostname      string `json:"hostname,omitempty"`
	Method        string `json:"method,omitempty"`
	URIPath       string `json:"uriPath,omitempty"`
	OASPath       string `json:"oasPath,omitempty"`
	Status        string `json:"status,omitempty"`
	Errors        string `json:"errors,omitempty"`
	ErrorStep     string `json:"errorStep,omitempty"`
	ErrorDepth    string `json:"errorDepth,omitempty"`
	ErrorState    string `json:"errorState,omitempty"`
	ErrorToken    string `json:"errorToken,omitempty"`
	ErrorMessage  string `json:"errorMessage,omitempty"`
}

// DefaultJSONPaths are the keys firewall v1.0.25 writes.
var DefaultJSONPaths = JSONPaths{
	UUID: "uuid", DateEpoch: "date_epoch", DateRFC8601: "date_rfc8601", Duration: "duration",
	Instance: "pod.instance_name", API: "api", APIName: "api_name",
	NonBlocking: "non_blocking_mode", BlockingLevel: "blocking_level",
	SourceIP: "source_ip", Hostname: "hostname", Method: "method", URIPath: "uri_path",
	OASPath: "oas_path", Status: "status", Errors: "errors",
	ErrorStep: "step", ErrorDepth: "depth", ErrorState: "state", ErrorToken: "kdb_token", ErrorMessage: "message",
}

// withDefaults fills every empty path with its default.
func (p JSONPaths) withDefaults() JSONPaths {
	d := DefaultJSONPaths
	pick := func(v *string, def string) {
		if strings.TrimSpace(*v) == "" {
			*v = def
		}
	}
	pick(&p.UUID, d.UUID)
	pick(&p.DateEpoch, d.DateEpoch)
	pick(&p.DateRFC8601, d.DateRFC8601)
	pick(&p.Duration, d.Duration)
	pick(&p.Instance, d.Instance)
	pick(&p.API, d.API)
	pick(&p.APIName, d.APIName)
	pick(&p.NonBlocking, d.NonBlocking)
	pick(&p.BlockingLevel, d.BlockingLevel)
	pick(&p.SourceIP, d.SourceIP)
	pick(&p.Hostname, d.Hostname)
	pick(&p.Method, d.Method)
	pick(&p.URIPath, d.URIPath)
	pick(&p.OASPath, d.OASPath)
	pick(&p.Status, d.Status)
	pick(&p.Errors, d.Errors)
	pick(&p.ErrorStep, d.ErrorStep)
	pick(&p.ErrorDepth, d.ErrorDepth)
	pick(&p.ErrorState, d.ErrorState)
	pick(&p.ErrorToken, d.ErrorToken)
	pick(&p.ErrorMessage, d.ErrorMessage)
	return p
}
