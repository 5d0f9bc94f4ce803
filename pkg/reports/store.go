// Package reports reads security audit, conformance scan and SQG reports and
// the inventory from the configured report roots, maps each report to its
// API, and keeps their history for the query engine. Like the collector for
// logs, it looks at the roots again when asked (at most once a MinRefresh)
// and re-parses only files whose size or time changed.
package reports

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apifw/monitor/pkg/model"
)

const (
	// DefaultMaxFileSize bounds one report file; larger files are reported, not read.
	DefaultMaxFileSize = 64 << 20
	maxExamples        = 20
)

// Config says where the reports are.
type Config struct {
	Roots []string
	// MinRefresh is the shortest time between two looks at the file system.
	MinRefresh  time.Duration
	MaxFileSize int64
}

// Problem is a file that was skipped, or a report that could not be placed.
type Problem struct {
	File   string `json:"file"`
	Reason string `json:"reason"`
}

// RootStatus is what one report root holds.
type RootStatus struct {
	Path  string `json:"path"`
	Files int    `json:"files"` // files holding reports or an inventory
	Error string `json:"error,omitempty"`
}

// Status is what the last refresh found, for the health check.
type Status struct {
	Roots                []RootStatus `json:"roots"`
	Files                int          `json:"files"`
	Audits               int          `json:"audits"`
	Scans                int          `json:"scans"`
	SQGResults           int          `json:"sqgResults"`
	Duplicates           int          `json:"duplicates"` // the same report read from another file
	Inventories          int          `json:"inventories"`
	APIs                 int          `json:"apis"`
	BadFiles             int          `json:"badFiles"`
	BadExamples          []Problem    `json:"badExamples"`
	Unmapped             int          `json:"unmapped"`
	UnmappedExamples     []Problem    `json:"unmappedExamples"`
	Unrecognised         int          `json:"unrecognised"`
	UnrecognisedExamples []Problem    `json:"unrecognisedExamples"`
	Skipped              []string     `json:"skipped,omitempty"` // not regular files
	RefreshedAt          time.Time    `json:"refreshedAt"`
}

// Snapshot is one consistent view of every report, oldest first, and of the
// APIs, collections, teams and users known. It is never modified once built.
type Snapshot struct {
	Audits      []model.AuditReport
	Scans       []model.ScanReport
	SQGs        []model.SQGResult
	APIs        map[string]*APIInfo
	Collections map[string]string // id → name
	Teams       map[string]string // id → name
	Users       map[string]bool
	TeamUsers   map[string]map[string]bool // team id → user keys
}

// Store keeps the snapshot in step with the report roots.
type Store struct {
	cfg Config

	mu        sync.Mutex // serialises refreshes
	lastLook  time.Time
	signature string
	cache     map[string]*parsedFile
	status    Status
	snap      atomic.Pointer[Snapshot]
}

type candidate struct {
	path, rel  string
	root       int
	size, mod  int64
	yaml, json bool // by extension; neither means "sniff the content"
}

type parsedFile struct {
	size, mod int64
	parsed    Parsed
	digest    string
	err       error
	ignored   bool // not a report (or not JSON at all, for unknown extensions)
}

// NewStore returns a store over cfg; nothing is read until Refresh.
func NewStore(cfg Config) *Store {
	if cfg.MinRefresh == 0 {
		cfg.MinRefresh = time.Second
	}
	if cfg.MaxFileSize == 0 {
		cfg.MaxFileSize = DefaultMaxFileSize
	}
	s := &Store{cfg: cfg, cache: map[string]*parsedFile{}}
	s.snap.Store(&Snapshot{APIs: map[string]*APIInfo{}, Collections: map[string]string{}, Teams: map[string]string{},
		Users: map[string]bool{}, TeamUsers: map[string]map[string]bool{}})
	return s
}

// Snapshot returns the current view; it stays valid after later refreshes.
func (s *Store) Snapshot() *Snapshot { return s.snap.Load() }

// Refresh re-reads what changed under the roots, unless it looked less than
// MinRefresh ago, and returns the resulting status.
func (s *Store) Refresh() Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.lastLook.IsZero() && time.Since(s.lastLook) < s.cfg.MinRefresh {
		return s.status
	}
	s.lastLook = time.Now()

	var files []candidate
	roots := make([]RootStatus, len(s.cfg.Roots))
	var skipped []string
	for i, root := range s.cfg.Roots {
		roots[i].Path = root
		f, sk, err := discover(root, i)
		if err != "" {
			roots[i].Error = err
		}
		files = append(files, f...)
		skipped = append(skipped, sk...)
	}
	sig := signature(files)
	if sig == s.signature && !s.status.RefreshedAt.IsZero() {
		for i := range roots {
			roots[i].Files = s.status.Roots[i].Files
		}
		s.status.Roots, s.status.Skipped = roots, skipped
		return s.status
	}

	seen := map[string]bool{}
	for _, f := range files {
		seen[f.path] = true
		if pf := s.cache[f.path]; pf != nil && pf.size == f.size && pf.mod == f.mod {
			continue
		}
		s.cache[f.path] = s.readFile(f)
	}
	for p := range s.cache {
		if !seen[p] {
			delete(s.cache, p)
		}
	}
	snap, st := build(files, s.cache)
	st.Roots, st.Skipped = roots, skipped
	for _, f := range files {
		if pf := s.cache[f.path]; pf.err == nil && !pf.ignored {
			st.Roots[f.root].Files++
		}
	}
	st.RefreshedAt = time.Now()
	s.snap.Store(snap)
	s.signature, s.status = sig, st
	return st
}

// discover lists the regular files under root. Symlinks and other special
// files are listed as skipped: a link could lead outside the root and a
// named pipe would block the reader.
func discover(root string, idx int) (files []candidate, skipped []string, rootErr string) {
	info, err := os.Stat(root)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil, "directory does not exist"
	case errors.Is(err, fs.ErrPermission):
		return nil, nil, "permission denied"
	case err != nil:
		return nil, nil, err.Error()
	case !info.IsDir():
		return nil, nil, "not a directory"
	}
	// A root that is itself a symbolic link is followed (links below it are not).
	walkRoot := root
	if resolved, err := filepath.EvalSymlinks(root); err == nil {
		walkRoot = resolved
	}
	_ = filepath.WalkDir(walkRoot, func(p string, d fs.DirEntry, err error) error {
		if rel, relErr := filepath.Rel(walkRoot, p); relErr == nil {
			p = filepath.Join(root, rel)
		}
		if err != nil {
			if p == root {
				rootErr = err.Error()
			} else {
				skipped = append(skipped, p+": "+err.Error())
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		if !d.Type().IsRegular() {
			skipped = append(skipped, p)
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		c := candidate{path: p, rel: filepath.ToSlash(rel), root: idx, size: fi.Size(), mod: fi.ModTime().UnixNano()}
		switch strings.ToLower(filepath.Ext(p)) {
		case ".json", ".sarif":
			c.json = true
		case ".yaml", ".yml":
			c.yaml = true
		}
		files = append(files, c)
		return nil
	})
	return files, skipped, rootErr
}

func signature(files []candidate) string {
	parts := make([]string, len(files))
	for i, f := range files {
		parts[i] = fmt.Sprintf("%s|%d|%d", f.path, f.size, f.mod)
	}
	sort.Strings(parts)
	return strings.Join(parts, "\n")
}

// readFile reads and parses one file. Files of unknown extension are read
// only when they start like a JSON object.
func (s *Store) readFile(f candidate) *parsedFile {
	pf := &parsedFile{size: f.size, mod: f.mod}
	if f.size > s.cfg.MaxFileSize {
		pf.err = fmt.Errorf("file is larger than %d bytes", s.cfg.MaxFileSize)
		return pf
	}
	fh, err := os.Open(f.path)
	if err != nil {
		pf.err = err
		return pf
	}
	defer fh.Close()
	// Sniff files of unknown extension before reading them whole.
	head := make([]byte, 512)
	n, err := io.ReadFull(fh, head)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		pf.err = err
		return pf
	}
	if !f.json && !f.yaml && !startsWithBrace(head[:n]) {
		pf.ignored = true
		return pf
	}
	rest, err := io.ReadAll(io.LimitReader(fh, s.cfg.MaxFileSize))
	if err != nil {
		pf.err = err
		return pf
	}
	content := append(head[:n], rest...)
	sum := sha256.Sum256(content)
	pf.digest = hex.EncodeToString(sum[:8])
	pf.parsed, pf.err = Parse(content, f.yaml)
	if errors.Is(pf.err, ErrNotReport) {
		pf.ignored = true
	}
	return pf
}

func startsWithBrace(b []byte) bool {
	for _, c := range b {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		}
		return c == '{'
	}
	return false
}

// build maps, dates and de-duplicates every record and indexes the APIs.
func build(files []candidate, cache map[string]*parsedFile) (*Snapshot, Status) {
	sort.Slice(files, func(i, j int) bool { return files[i].path < files[j].path })
	var st Status
	st.BadExamples, st.UnmappedExamples, st.UnrecognisedExamples = []Problem{}, []Problem{}, []Problem{}
	var invs []model.Inventory
	for _, f := range files {
		pf := cache[f.path]
		switch {
		case pf.ignored:
			if f.json || f.yaml {
				st.Unrecognised++
				st.UnrecognisedExamples = appendExample(st.UnrecognisedExamples, Problem{f.path, ErrNotReport.Error()})
			}
		case pf.err != nil:
			st.BadFiles++
			st.BadExamples = appendExample(st.BadExamples, Problem{f.path, pf.err.Error()})
		case pf.parsed.Inventory != nil:
			st.Files++
			st.Inventories++
			invs = append(invs, *pf.parsed.Inventory)
		default:
			st.Files++
		}
	}
	inv := mergeInventories(invs)
	cat, m := newCatalogue(inv), newMapper(inv)
	snap := &Snapshot{}
	seen := map[string]bool{}
	// place dates and maps one record; false drops it (unmapped or a copy).
	place := func(f candidate, pf *parsedFile, kind string, i int, r *model.ReportRef) bool {
		r.Origin.File, r.Origin.RelPath = f.path, f.rel
		r.Origin.Digest = fmt.Sprintf("%s#%s%d", pf.digest, kind, i)
		switch {
		case !r.Time.IsZero():
			r.Origin.DateFrom = model.FromReport
		case !dateFromName(f.rel).IsZero():
			r.Time, r.Origin.DateFrom = dateFromName(f.rel), model.FromFileName
		default:
			r.Time, r.Origin.DateFrom = time.Unix(0, f.mod).UTC(), model.FromFileTime
		}
		if !m.place(r) {
			// Shown all the same, under an API of its own (see placeUnmapped).
			placeUnmapped(r)
			st.Unmapped++
			st.UnmappedExamples = appendExample(st.UnmappedExamples, Problem{f.path,
				"no API id in the report, no inventory match, no UUID in the path, no inventory API of that name; " +
					"shown as " + strconv.Quote(unmappedName(r)) + " (unmapped)"})
		}
		key := fmt.Sprintf("%s|%s|%d|%s", kind, r.APIID, r.Time.UnixNano(), r.Origin.Digest)
		if seen[key] {
			st.Duplicates++
			return false
		}
		seen[key] = true
		return true
	}
	for _, f := range files {
		pf := cache[f.path]
		if pf.err != nil || pf.ignored {
			continue
		}
		for i, a := range pf.parsed.Audits {
			if place(f, pf, "a", i, &a.ReportRef) {
				snap.Audits = append(snap.Audits, a)
			}
		}
		for i, sc := range pf.parsed.Scans {
			if place(f, pf, "s", i, &sc.ReportRef) {
				snap.Scans = append(snap.Scans, sc)
			}
		}
		for i, q := range pf.parsed.SQGs {
			if place(f, pf, "q", i, &q.ReportRef) {
				snap.SQGs = append(snap.SQGs, q)
			}
		}
	}
	sortByTime(snap.Audits, func(a model.AuditReport) model.ReportRef { return a.ReportRef })
	sortByTime(snap.Scans, func(s model.ScanReport) model.ReportRef { return s.ReportRef })
	sortByTime(snap.SQGs, func(q model.SQGResult) model.ReportRef { return q.ReportRef })
	var refs []model.ReportRef
	for _, a := range snap.Audits {
		refs = append(refs, a.ReportRef)
	}
	for _, s := range snap.Scans {
		refs = append(refs, s.ReportRef)
	}
	for _, q := range snap.SQGs {
		refs = append(refs, q.ReportRef)
	}
	sort.SliceStable(refs, func(i, j int) bool { return refs[i].Time.Before(refs[j].Time) })
	for _, r := range refs {
		cat.addReport(r)
	}
	snap.APIs, snap.Collections, snap.Teams, snap.Users, snap.TeamUsers = cat.apis, cat.collections, cat.teams, cat.users, cat.teamUsers
	st.Audits, st.Scans, st.SQGResults, st.APIs = len(snap.Audits), len(snap.Scans), len(snap.SQGs), len(snap.APIs)
	return snap, st
}

// sortByTime orders records by time, then file and position, so a snapshot
// is the same whatever order the files were read in.
func sortByTime[T any](rs []T, ref func(T) model.ReportRef) {
	sort.SliceStable(rs, func(i, j int) bool {
		a, b := ref(rs[i]), ref(rs[j])
		if !a.Time.Equal(b.Time) {
			return a.Time.Before(b.Time)
		}
		if a.Origin.File != b.Origin.File {
			return a.Origin.File < b.Origin.File
		}
		return a.Origin.Digest < b.Origin.Digest
	})
}

func appendExample(list []Problem, p Problem) []Problem {
	if len(list) < maxExamples {
		list = append(list, p)
	}
	return list
}
