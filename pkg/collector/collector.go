// Package collector keeps the index in step with the log files under the
// configured roots (through an ingest.Tailer) and remembers what it found,
// for the health check.
package collector

import (
	"context"
	"errors"
	"io/fs"
	"path/filepath"
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
	// NoSnapshot turns the index snapshot off (snapshot.go): with a
	// StateDir the index is otherwise saved beside the state and restored at
	// start instead of reading every log again.
	NoSnapshot bool
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
	Snapshot     *SnapshotStatus     `json:"snapshot,omitempty"`
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

	// The index snapshot (snapshot.go); snapPath "" when off.
	snapPath string
	fp       string
	policy   snapshotPolicy
	seq      uint64 // guarded by pollMu: captures taken
	// restored counts what the snapshot's checkpoint had read, which the
	// tailer's counters (this run's) leave out.
	restored, restoredBad int64

	markMu   sync.Mutex
	mark     snapMark  // what the snapshot on disk holds
	failedAt time.Time // the last write failed then

	writing   atomic.Bool    // a capture is being written
	snapWG    sync.WaitGroup // the background write
	snapMu    sync.Mutex     // held while writing; guards the fields below
	floor     uint64         // captures older than this may not be written (a purge moved the records)
	snapState SnapshotStatus
}

// New returns a collector over cfg writing into store.
func New(cfg Config, store *index.Store) *Collector {
	if cfg.MinRefresh == 0 {
		cfg.MinRefresh = 500 * time.Millisecond
	}
	c := &Collector{cfg: cfg, store: store, stop: make(chan struct{}), policy: defaultSnapshotPolicy}
	var state ingest.StateStore
	opts := cfg.Parse
	if cfg.StateDir != "" {
		name := cfg.StateName
		if name == "" {
			name = "ingest-state.json"
		}
		state = ingest.NewFileStateStore(cfg.StateDir, name)
		if !cfg.NoSnapshot {
			c.snapPath = filepath.Join(cfg.StateDir, snapshotName(cfg.StateName))
			c.fp = fingerprint(cfg.LogRoots, cfg.Parse)
			c.snapState.Path = c.snapPath
			if cp, ok := c.restore(); ok {
				opts.Resume = true // the index holds what the checkpoint read
				state = resumeState{StateStore: state, cp: cp}
			}
		}
	}
	c.tailer = ingest.NewTailer(cfg.LogRoots, opts, storeSink{store}, state)
	return c
}

// restore installs the snapshot into the (empty) store and returns the
// tailer checkpoint to resume from; false (with a note when a snapshot was
// there) means the logs are read again.
func (c *Collector) restore() (ingest.State, bool) {
	removeTemps(c.snapPath)
	began := time.Now()
	img, meta, err := readSnapshot(c.snapPath, c.fp)
	if errors.Is(err, fs.ErrNotExist) {
		return ingest.State{}, false
	}
	applied := 0
	if err == nil {
		applied, err = c.store.Install(img)
	}
	if err != nil {
		c.snapState.Note = "index snapshot not used (" + err.Error() + "): the logs are read again"
		return ingest.State{}, false
	}
	for _, s := range meta.Checkpoint.Streams {
		c.restored += s.Records
		c.restoredBad += s.BadRecords
	}
	c.snapState.Restored = c.store.Len()
	c.snapState.RestoreMs = float64(time.Since(began).Microseconds()) / 1000
	// Deletions logged after the snapshot were applied on install: the next
	// poll writes a snapshot without what they deleted.
	c.mark = snapMark{valid: applied == 0, live: c.store.Len(), deletions: img.Deletions(), at: meta.SavedAt}
	return meta.Checkpoint, true
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
		held := c.store.Len()
		c.tailer.Poll()
		if c.store.Len()-held >= index.DefaultBlockSize {
			c.store.Trim() // a large poll (the first scan): give back its growth room
		}
		c.lastPoll = time.Now()
		c.firstDone.Store(true)
		if c.snapPath != "" && c.snapshotDueLocked(c.policy) {
			c.snapshotLocked(false)
		}
	}
	return c.Status()
}

// snapshotLocked captures the index and the tailer's checkpoint together
// (the caller holds pollMu, so no record arrives in between) and writes
// them: at once when wait is set or the index is small, else in the
// background (one write at a time; a newer capture is taken by a later poll).
func (c *Collector) snapshotLocked(wait bool) {
	if !c.writing.CompareAndSwap(false, true) {
		if !wait {
			return
		}
		c.snapWG.Wait() // the write in flight holds an older capture
		c.writing.Store(true)
	}
	capture, cp := c.store.Capture(), c.tailer.Checkpoint()
	c.seq++
	seq := c.seq
	mark := snapMark{valid: true, live: capture.Len(), deletions: capture.Deletions(), at: time.Now()}
	meta := snapshotMeta{Fingerprint: c.fp, SavedAt: mark.at.UTC(), Transactions: capture.Len(), Checkpoint: cp}
	write := func() {
		defer c.writing.Store(false)
		c.snapMu.Lock()
		defer c.snapMu.Unlock()
		if seq < c.floor {
			return // a purge moved the records this capture points to
		}
		began := time.Now()
		size, err := writeSnapshot(c.snapPath, meta, capture)
		if err != nil {
			c.snapState.Error = "saving the index snapshot: " + err.Error()
			c.markMu.Lock()
			c.failedAt = time.Now()
			c.markMu.Unlock()
			return
		}
		c.snapState.Error = ""
		c.snapState.WrittenAt, c.snapState.Transactions, c.snapState.Bytes = meta.SavedAt, meta.Transactions, size
		c.snapState.WriteMs = float64(time.Since(began).Microseconds()) / 1000
		c.markMu.Lock()
		c.mark = mark
		c.markMu.Unlock()
	}
	if wait || capture.Len() < syncSnapshotRows {
		write()
		return
	}
	c.snapWG.Add(1)
	go func() {
		defer c.snapWG.Done()
		write()
	}()
}

// snapshotDueLocked says whether a poll should write a snapshot now; after
// a failed write it waits snapshotRetry before trying again.
func (c *Collector) snapshotDueLocked(p snapshotPolicy) bool {
	c.markMu.Lock()
	mark, failedAt := c.mark, c.failedAt
	c.markMu.Unlock()
	if time.Since(failedAt) < snapshotRetry {
		return false
	}
	return snapshotDue(mark, c.store.Len(), c.store.DeletionCount(), time.Now(), p)
}

// Status is the status as of the last poll (with a running first scan's
// progress), without polling.
func (c *Collector) Status() Status {
	st := summarize(c.tailer.Status())
	st.Records += int(c.restored)
	st.BadRecords += int(c.restoredBad)
	if c.snapPath != "" {
		c.snapMu.Lock()
		snap := c.snapState
		c.snapMu.Unlock()
		st.Snapshot = &snap
		if snap.Note != "" {
			st.Notes = append([]string{snap.Note}, st.Notes...)
		}
		if snap.Error != "" {
			st.FileErrors = append(st.FileErrors, snap.Error)
		}
	}
	return st
}

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

// Close stops background polling, saves the index snapshot when the index
// changed since the last one, and saves the tailer's state.
func (c *Collector) Close() error {
	c.stopOnce.Do(func() { close(c.stop) })
	c.wg.Wait()
	c.pollMu.Lock()
	defer c.pollMu.Unlock()
	c.snapWG.Wait()
	if c.snapPath != "" && c.firstDone.Load() && c.snapshotDueLocked(snapshotPolicy{}) {
		c.snapshotLocked(true)
	}
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
	if c.snapPath != "" {
		// The snapshot points into the files as they are: it goes first
		// (a crash during the purge then costs a full read, not wrong
		// positions), and a new one is written after.
		c.snapMu.Lock()
		c.floor = c.seq + 1
		err := removeSnapshot(c.snapPath)
		c.snapMu.Unlock()
		if err != nil {
			return []ingest.PurgeResult{{Status: ingest.PurgeFailed, Reason: "the index snapshot could not be removed first: " + err.Error()}}
		}
		c.markMu.Lock()
		c.mark = snapMark{}
		c.markMu.Unlock()
		defer c.snapshotLocked(true)
	}
	moves := map[uint32]func(int64, int) (int64, int){}
	res := c.tailer.Purge(ctx, c.store.Covers(), func(id uint32, move func(int64, int) (int64, int)) {
		moves[id] = move
	}, opts)
	c.store.Relocate(moves)
	return res
}

// storeSink hands the tailer's records to the index, and tells it the size
// of a first scan.
type storeSink struct{ store *index.Store }

func (s storeSink) Append(txs []model.Transaction) { s.store.Append(txs) }
func (s storeSink) Expect(bytes int64)             { s.store.Expect(bytes) }
