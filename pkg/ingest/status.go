package ingest

import (
	"sort"
	"time"
)

// Status is what the tailer knows, for the health check and the status
// query. Its JSON is part of the health details the app's status page reads.
type Status struct {
	Roots       []RootStatus `json:"roots"`
	Files       []FileStatus `json:"files"`
	Records     int64        `json:"records"`    // handed to the sink since the start
	BadRecords  int64        `json:"badRecords"` // skipped
	Repaired    int64        `json:"repaired"`   // kept after a repair (invalid UTF-8 replaced)
	BadExamples []BadRecord  `json:"badExamples"`
	// PendingFiles end with a line still being written (PendingBytes in all).
	PendingFiles int          `json:"pendingFiles"`
	PendingBytes int64        `json:"pendingBytes"`
	FirstScan    ScanProgress `json:"firstScan"`
	FileErrors   []string     `json:"fileErrors,omitempty"`
	// Notes: what changed since the last run (content deleted or truncated
	// while the backend was down), state problems.
	Notes    []string  `json:"notes,omitempty"`
	LastPoll time.Time `json:"lastPoll"`
	PollMS   int64     `json:"pollMs"`
	Error    string    `json:"error,omitempty"` // invalid options: nothing is read
}

// ScanProgress is how far the first scan after start is.
type ScanProgress struct {
	BytesRead  int64 `json:"bytesRead"`
	BytesTotal int64 `json:"bytesTotal"`
	Done       bool  `json:"done"`
}

// RootStatus is what one configured root holds.
type RootStatus struct {
	Path             string   `json:"path"`
	Instances        []string `json:"instances"`
	TransactionFiles int      `json:"transactionFiles"`
	StdoutFiles      int      `json:"stdoutFiles"`
	OtherLogFiles    int      `json:"otherLogFiles"`
	Records          int64    `json:"records"`
	BadRecords       int64    `json:"badRecords"`
	Skipped          []string `json:"skipped,omitempty"`
	Error            string   `json:"error,omitempty"`

	// ErrorLogFiles: vhost error logs read for the transactions they embed
	// (Options.ErrorLogTransactions). ErrorLogsWithTransactions: with that
	// setting off, the vhost error logs that embed transactions (the health
	// check suggests the setting when the root has no transaction file).
	ErrorLogFiles             int `json:"errorLogFiles,omitempty"`
	ErrorLogsWithTransactions int `json:"errorLogsWithTransactions,omitempty"`
}

// FileStatus is one listed file.
type FileStatus struct {
	ID           uint32 `json:"id,omitempty"` // the FileID its records carry (0 for a copy)
	Path         string `json:"path"`
	Instance     string `json:"instance"`
	Kind         string `json:"kind"`
	Layout       string `json:"layout"`
	Size         int64  `json:"size"`
	Offset       int64  `json:"offset"` // bytes read
	Records      int64  `json:"records"`
	BadRecords   int64  `json:"badRecords"`
	PendingBytes int64  `json:"pendingBytes,omitempty"`
	// State: "reading"; "copy" (holds content another file holds: not read
	// twice); "archive" (.gz).
	State string `json:"state"`
	Error string `json:"error,omitempty"`
}

// Status returns the tailer's status as of its last poll, with the live
// progress of a running first scan. Safe to call while Poll runs.
func (t *Tailer) Status() Status {
	t.statusMu.Lock()
	st := t.status
	t.statusMu.Unlock()
	st.FirstScan = ScanProgress{BytesRead: t.scanRead.Load(), BytesTotal: t.scanTotal.Load(), Done: t.scanDone.Load()}
	return st
}

// publish rebuilds the status snapshot (on the polling goroutine).
func (t *Tailer) publish(pollStart time.Time) {
	t.published = time.Now()
	st := Status{
		Roots: make([]RootStatus, len(t.roots)), Files: []FileStatus{},
		Records: t.records, BadRecords: t.badTotal, Repaired: t.fixedTotal,
		BadExamples: append([]BadRecord{}, t.badRing...),
		Notes:       append([]string(nil), t.notes...),
	}
	if t.cfgErr != nil {
		st.Error = "invalid ingestion settings: " + t.cfgErr.Error()
	}
	for i, root := range t.roots {
		rs := RootStatus{Path: root, Instances: []string{}}
		if i < len(t.reports) {
			rep := t.reports[i]
			rs.TransactionFiles, rs.StdoutFiles, rs.OtherLogFiles = rep.TransactionFiles, rep.StdoutFiles, rep.OtherLogFiles
			rs.ErrorLogFiles, rs.ErrorLogsWithTransactions = rep.ErrorLogFiles, rep.ErrorLogsWithTransactions
			rs.Skipped, rs.Error = rep.Skipped, rep.Error
			rs.Instances = append(rs.Instances, rep.Instances...)
		}
		for name := range t.instances[i] {
			if !contains(rs.Instances, name) {
				rs.Instances = append(rs.Instances, name)
			}
		}
		sort.Strings(rs.Instances)
		st.Roots[i] = rs
	}
	for _, s := range t.streams {
		if s.root < len(st.Roots) {
			st.Roots[s.root].Records += s.records
			st.Roots[s.root].BadRecords += s.bad
		}
	}
	for _, f := range t.files {
		fs := FileStatus{Path: f.src.Path, Instance: f.src.Instance, Kind: f.src.Kind.String(),
			Layout: f.src.Layout.String(), Size: f.src.Size, State: "reading"}
		if IsGzip(f.src.Path) {
			fs.State = "archive"
		}
		if s := f.stream; s != nil {
			fs.ID, fs.Offset, fs.Records, fs.BadRecords, fs.PendingBytes, fs.Error =
				s.id, s.cur.offset, s.records, s.bad, s.cur.pending, s.err
			if s.cur.pending > 0 {
				st.PendingFiles++
				st.PendingBytes += s.cur.pending
			}
		} else if f.copyOf != nil {
			fs.State = "copy"
		}
		st.Files = append(st.Files, fs)
	}
	sort.Slice(st.Files, func(i, j int) bool { return st.Files[i].Path < st.Files[j].Path })
	for _, e := range t.fileErrs {
		st.FileErrors = append(st.FileErrors, e)
	}
	sort.Strings(st.FileErrors)
	if !pollStart.IsZero() {
		st.LastPoll = pollStart
		st.PollMS = time.Since(pollStart).Milliseconds()
	} else {
		st.LastPoll, st.PollMS = t.status.LastPoll, t.status.PollMS
	}
	t.statusMu.Lock()
	t.status = st
	t.statusMu.Unlock()
}
