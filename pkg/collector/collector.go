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

// Status is what the collector found at its last refresh.
type Status struct {
	Roots        []ingest.RootReport `json:"roots"`
	Records      int                 `json:"records"`
	BadRecords   int                 `json:"badRecords"`
	BadExamples  []ingest.BadRecord  `json:"badExamples"`
	PendingFiles int                 `json:"pendingFiles"`
	FileErrors   []string            `json:"fileErrors,omitempty"`
	RefreshedAt  time.Time           `json:"refreshedAt"`
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
		files   []ingest.SourceFile
		reports []ingest.RootReport
	)
	for _, root := range c.cfg.LogRoots {
		f, rep := ingest.Discover(root)
		files = append(files, f...)
		reports = append(reports, rep)
	}
	sig := signature(files)
	if sig == c.signature && !c.status.RefreshedAt.IsZero() {
		c.status.Roots = reports
		return c.status
	}

	st := Status{Roots: reports, RefreshedAt: time.Now()}
	var txs []model.Transaction
	for _, f := range files {
		res, err := ingest.ReadFile(f, c.cfg.Parse, func(t model.Transaction) { txs = append(txs, t) })
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
