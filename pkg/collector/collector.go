// Package collector keeps the index in step with the log files under the
// configured roots (through an ingest.Tailer) and remembers what it found,
// for the health check.
package collector

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apifw/monitor/pkg/index"
	"github.com/apifw/monitor/pkg/ingest"
	"github.com/apifw/monitor/pkg/model"
)

// Config says where the logs are and how to read them.
type Config struct {
	LogRoots []string
	// Parse holds every ingestion setting (epoch unit, globs, outcome rules,
	// JSON paths …); ingest.ParseOptions is ingest.Options.
	Parse ingest.ParseOptions
	// MinRefresh is the shortest time between two looks at the file system
	// (default 500 ms: records are queryable within a second of being written).
	MinRefresh time.Duration
	// StateDir keeps the tailer's memory of the files between runs
	// (ingest-state.json); empty keeps it in memory only.
	StateDir string
	// StateName names the state file, one per data source (default ingest-state.json).
	StateName string
}

// RootStatus is what one configured root holds.
type RootStatus struct {
	Path             string   `json:"path"`
	Instances        int      `json:"instances"`
	InstanceNames    []string `json:"instanceNames"`
	TransactionFiles int      `json:"transactionFiles"`
	StdoutFiles      int      `json:"stdoutFiles"`
	OtherLogFiles    int      `json:"otherLogFiles"`
	Records          int      `json:"records"`
	BadRecords       int      `json:"badRecords"`
	Skipped          []string `json:"skipped,omitempty"`
	Error            string   `json:"error,omitempty"`

	// ErrorLogFiles: vhost error logs read for their transactions;
	// ErrorLogsWithTransactions: vhost error logs holding transactions that
	// are not read (the errorLogTransactions setting is off).
	ErrorLogFiles             int `json:"errorLogFiles,omitempty"`
	ErrorLogsWithTransactions int `json:"errorLogsWithTransactions,omitempty"`
}

// Status is what the collector found at its last refresh. Its JSON is the
// health check's details object, which the app's status page reads.
type Status struct {
	Roots        []RootStatus        `json:"roots"`
	Records      int                 `json:"records"`
	BadRecords   int                 `json:"badRecords"`
	Repaired     int                 `json:"repaired"`
	BadExamples  []ingest.BadRecord  `json:"badExamples"`
	PendingFiles int                 `json:"pendingFiles"`
	FirstScan    ingest.ScanProgress `json:"firstScan"`
	FileErrors   []string            `json:"fileErrors,omitempty"`
	Notes        []string            `json:"notes,omitempty"`
	Error        string              `json:"error,omitempty"`
	RefreshedAt  time.Time           `json:"refreshedAt"`
}

// Collector polls the roots when asked (at most every MinRefresh) and feeds
// what is new to the store.
type Collector struct {
	cfg    Config
	store  *index.Store
	tailer *ingest.Tailer

	pollMu    sync.Mutex // one poll at a time
	lastPoll  time.Time
	firstDone atomic.Bool

	stop     chan struct{}
	stopOnce sync.Once
	wg       sync.WaitGroup
}

// New returns a collector over cfg writing into store.
func New(cfg Config, store *index.Store) *Collector {
	if cfg.MinRefresh == 0 {
		cfg.MinRefresh = 500 * time.Millisecond
	}
	var state ingest.StateStore
	if cfg.StateDir != "" {
		name := cfg.StateName
		if name == "" {
			name = "ingest-state.json"
		}
		state = ingest.NewFileStateStore(cfg.StateDir, name)
	}
	sink := ingest.SinkFunc(func(txs []model.Transaction) { store.Append(txs) })
	return &Collector{cfg: cfg, store: store, tailer: ingest.NewTailer(cfg.LogRoots, cfg.Parse, sink, state), stop: make(chan struct{})}
}

// Refresh brings the store up to date with the files, unless it looked less
// than MinRefresh ago, and returns the resulting status. While another call
// runs the first scan (which may take long on a big archive), it returns the
// scan's progress at once instead of waiting.
func (c *Collector) Refresh() Status {
	if !c.pollMu.TryLock() {
		if !c.firstDone.Load() {
			return c.Status()
		}
		c.pollMu.Lock() // an incremental poll: short, wait for its records
	}
	defer c.pollMu.Unlock()
	if c.lastPoll.IsZero() || time.Since(c.lastPoll) >= c.cfg.MinRefresh {
		c.tailer.Poll()
		c.lastPoll = time.Now()
		c.firstDone.Store(true)
	}
	return c.Status()
}

// Status is the status as of the last poll (with a running first scan's
// progress), without polling.
func (c *Collector) Status() Status { return summarize(c.tailer.Status()) }

// Detail is the tailer's full status: every file with its offset, records
// and bad records (the status query).
func (c *Collector) Detail() ingest.Status { return c.tailer.Status() }

// Locate returns where the records of a FileID are now, for ingest.ReadRecord.
// A path that no longer lies inside the configured roots once its links are
// resolved (a folder swapped for a link since it was listed) is not given out.
func (c *Collector) Locate(fileID uint32) (ingest.FileRef, bool) {
	ref, ok := c.tailer.Locate(fileID)
	if !ok {
		return ref, false
	}
	if _, err := ingest.ConfinePath(c.cfg.LogRoots, ref.Path); err != nil {
		return ingest.FileRef{}, false
	}
	return ref, true
}

// ConfinePath resolves a path a request names and refuses it unless it lies
// inside the configured log roots (ingest.ConfinePath).
func (c *Collector) ConfinePath(p string) (string, error) {
	return ingest.ConfinePath(c.cfg.LogRoots, p)
}

// Start polls every interval in the background until Close, so records
// arrive without queries (live views, alerting on an idle dashboard).
func (c *Collector) Start(interval time.Duration) {
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			c.Refresh()
			select {
			case <-c.stop:
				return
			case <-t.C:
			}
		}
	}()
}

// Close stops background polling and saves the tailer's state.
func (c *Collector) Close() error {
	c.stopOnce.Do(func() { close(c.stop) })
	c.wg.Wait()
	c.pollMu.Lock()
	defer c.pollMu.Unlock()
	return c.tailer.Close()
}

// summarize maps the tailer's status to the health details' shape.
func summarize(st ingest.Status) Status {
	out := Status{
		Records: int(st.Records), BadRecords: int(st.BadRecords), Repaired: int(st.Repaired),
		BadExamples: st.BadExamples, PendingFiles: st.PendingFiles, FirstScan: st.FirstScan,
		FileErrors: st.FileErrors, Notes: st.Notes, Error: st.Error, RefreshedAt: st.LastPoll,
		Roots: make([]RootStatus, len(st.Roots)),
	}
	if out.BadExamples == nil {
		out.BadExamples = []ingest.BadRecord{}
	}
	for i, r := range st.Roots {
		out.Roots[i] = RootStatus{
			Path: r.Path, Instances: len(r.Instances), InstanceNames: r.Instances,
			TransactionFiles: r.TransactionFiles, StdoutFiles: r.StdoutFiles, OtherLogFiles: r.OtherLogFiles,
			Records: int(r.Records), BadRecords: int(r.BadRecords), Skipped: r.Skipped, Error: r.Error,
			ErrorLogFiles: r.ErrorLogFiles, ErrorLogsWithTransactions: r.ErrorLogsWithTransactions,
		}
	}
	return out
}

// PurgeOptions tune Purge (ingest.PurgeOptions).
type PurgeOptions = ingest.PurgeOptions

// Purge rewrites the writable log files without the records deleted from
// the index (ingest.Tailer.Purge: atomic per file, the rest byte for byte,
// archives and files still being written refused with a reason) and moves
// the index's positions of the kept records along, so trace details still
// read the right bytes and nothing is read again. One result per file known.
func (c *Collector) Purge(ctx context.Context, opts PurgeOptions) []ingest.PurgeResult {
	c.pollMu.Lock()
	defer c.pollMu.Unlock()
	moves := map[uint32]func(int64, int) (int64, int){}
	res := c.tailer.Purge(ctx, c.store.Covers(), func(id uint32, move func(int64, int) (int64, int)) {
		moves[id] = move
	}, opts)
	c.store.Relocate(moves)
	return res
}
