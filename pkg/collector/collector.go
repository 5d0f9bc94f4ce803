// Package collector keeps the index in step with the log files under the
// configured roots and remembers what it found, for the health check.
package collector

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/apifw/monitor/pkg/index"
	"github.com/apifw/monitor/pkg/ingest"
	"github.com/apifw/monitor/pkg/model"
)

// maxBadExamples bounds the examples of bad records kept for the status views.
const maxBadExamples = 20

// Config says where the logs are and how to parse them.
type Config struct {
	LogRoots []string
	Parse    ingest.ParseOptions
	// MinRefresh is the shortest time between two looks at the file system.
	MinRefresh time.Duration
}

// RootStatus is what one configured root holds.
type RootStatus struct {
	Path             string   `json:"path"`
	Instances        int      `json:"instances"`
	InstanceNames    []string `json:"instanceNames"`
	TransactionFiles int      `json:"transactionFiles"`
	OtherLogFiles    int      `json:"otherLogFiles"`
	Records          int      `json:"records"`
	BadRecords       int      `json:"badRecords"`
	Skipped          []string `json:"skipped,omitempty"`
	Error            string   `json:"error,omitempty"`
}

// Status is what the collector found at its last refresh. Its JSON is the
// health check's details object, which the app's status page reads.
type Status struct {
	Roots        []RootStatus       `json:"roots"`
	Records      int                `json:"records"`
	BadRecords   int                `json:"badRecords"`
	BadExamples  []ingest.BadRecord `json:"badExamples"`
	PendingFiles int                `json:"pendingFiles"`
	FileErrors   []string           `json:"fileErrors,omitempty"`
	RefreshedAt  time.Time          `json:"refreshedAt"`
}

// Collector re-reads the roots when their files change and feeds the store.
type Collector struct {
	cfg   Config
	store *index.Store

	mu        sync.Mutex // serialises refreshes
	lastLook  time.Time
	signature string
	status    Status
}

// New returns a collector over cfg writing into store.
func New(cfg Config, store *index.Store) *Collector {
	if cfg.MinRefresh == 0 {
		cfg.MinRefresh = time.Second
	}
	return &Collector{cfg: cfg, store: store}
}

// Refresh brings the store up to date with the files, unless it looked less
// than MinRefresh ago. It is cheap when nothing changed: one directory listing
// per instance folder. It returns the resulting status.
func (c *Collector) Refresh() Status {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.lastLook.IsZero() && time.Since(c.lastLook) < c.cfg.MinRefresh {
		return c.status
	}
	c.lastLook = time.Now()

	var (
		files  []ingest.SourceFile
		rootOf []int // index into roots of each file
		roots  []RootStatus
	)
	for i, root := range c.cfg.LogRoots {
		f, rep := ingest.Discover(root)
		files = append(files, f...)
		for range f {
			rootOf = append(rootOf, i)
		}
		roots = append(roots, RootStatus{
			Path: rep.Path, Instances: len(rep.Instances), InstanceNames: rep.Instances,
			TransactionFiles: rep.TransactionFiles, OtherLogFiles: rep.OtherLogFiles,
			Skipped: rep.Skipped, Error: rep.Error,
		})
	}
	sig := signature(files)
	if sig == c.signature && !c.status.RefreshedAt.IsZero() {
		for i := range roots { // same files: same counts, fresh listing details
			roots[i].Records, roots[i].BadRecords = c.status.Roots[i].Records, c.status.Roots[i].BadRecords
		}
		c.status.Roots = roots
		return c.status
	}

	st := Status{Roots: roots, RefreshedAt: time.Now(), BadExamples: []ingest.BadRecord{}}
	var txs []model.Transaction
	for i, f := range files {
		res, err := ingest.ReadFile(f, c.cfg.Parse, func(t model.Transaction) { txs = append(txs, t) })
		st.Roots[rootOf[i]].Records += res.Records
		st.Roots[rootOf[i]].BadRecords += len(res.Bad)
		if err != nil {
			st.FileErrors = append(st.FileErrors, err.Error())
		}
		if res.Pending {
			st.PendingFiles++
		}
		st.BadRecords += len(res.Bad)
		for _, b := range res.Bad {
			if len(st.BadExamples) < maxBadExamples {
				st.BadExamples = append(st.BadExamples, b)
			}
		}
	}
	st.Records = len(txs)
	c.store.Replace(txs)
	c.signature = sig
	c.status = st
	return st
}

// signature identifies the set of files and their sizes and times.
func signature(files []ingest.SourceFile) string {
	parts := make([]string, len(files))
	for i, f := range files {
		parts[i] = fmt.Sprintf("%s|%d|%d", f.Path, f.Size, f.ModTime)
	}
	sort.Strings(parts)
	return strings.Join(parts, "\n")
}
