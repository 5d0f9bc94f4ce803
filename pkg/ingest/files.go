package ingest

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// FileKind says what a file in an instance folder holds.
type FileKind int

const (
	KindOther               FileKind = iota
	KindTransactions                 // api-<uuid>.transaction.log (and rotated copies)
	KindUnknownTransactions          // api-unknown.transaction.log: traffic that matched no API
	KindAccessLog                    // vh-<uid>.access.log
	KindErrorLog                     // error.log, vh-<uid>.error.log
	KindStdout                       // captured console output (any source, transactions among them)
)

func (k FileKind) String() string {
	switch k {
	case KindTransactions:
		return "transactions"
	case KindUnknownTransactions:
		return "unknown-transactions"
	case KindAccessLog:
		return "access"
	case KindErrorLog:
		return "error"
	case KindStdout:
		return "stdout"
	}
	return "other"
}

// transactionFileName matches the firewall's transaction log names with the
// rotation decorations seen or expected in the wild: a prefix such as "old.",
// numeric or date suffixes ("….transaction.log.1", "….transaction.log-20240221")
// and a final ".gz".
var transactionFileName = regexp.MustCompile(`^(?:[A-Za-z0-9_-]+\.)?api-([A-Za-z0-9-]+)\.transaction\.log(?:[.-][A-Za-z0-9_-]+)*?(\.gz)?$`)

// ClassifyFileName tells the kind of a file from its base name and, for
// transaction files, the API id it names ("unknown" for unmatched traffic).
// Captured STDOUT files are recognised by Options.StdoutFiles, not by name alone.
func ClassifyFileName(name string) (kind FileKind, apiID string) {
	if m := transactionFileName.FindStringSubmatch(name); m != nil {
		if m[1] == "unknown" {
			return KindUnknownTransactions, ""
		}
		return KindTransactions, m[1]
	}
	switch {
	case strings.HasSuffix(name, ".access.log") || strings.Contains(name, ".access.log."):
		return KindAccessLog, ""
	case name == "error.log" || strings.HasSuffix(name, ".error.log") || strings.Contains(name, ".error.log."):
		return KindErrorLog, ""
	}
	return KindOther, ""
}

// IsGzip says whether a file is a gzip archive, by name.
func IsGzip(name string) bool { return strings.HasSuffix(name, ".gz") }

// SourceFile is one file of transactions found under a root.
type SourceFile struct {
	Path     string
	Root     string
	Rel      string // slash-separated path relative to Root
	Instance string // the containing folder's name (fallback for the record's pod.instance_name)
	Kind     FileKind
	Layout   Layout
	APIID    string
	Size     int64
	ModTime  int64 // UnixNano, to notice changes cheaply
	Pipe     bool  // a named pipe (listed only when Options.ReadPipes)

	dev, ino uint64
	hasIno   bool
}

// RootReport is what a root directory holds, for the health check.
type RootReport struct {
	Path             string   `json:"path"`
	Instances        []string `json:"instances"`
	TransactionFiles int      `json:"transactionFiles"`
	StdoutFiles      int      `json:"stdoutFiles"`
	OtherLogFiles    int      `json:"otherLogFiles"`
	Skipped          []string `json:"skipped,omitempty"` // not regular files (pipes, symlinks, sockets), unreadable folders
	Error            string   `json:"error,omitempty"`
}

// Discover lists the transaction logs under one root with the default options.
func Discover(root string) ([]SourceFile, RootReport) { return DiscoverWith(root, Options{}) }

// DiscoverWith lists the files to read under one root: transaction logs in
// the FILES layout (<root>/<instance>/api-*.transaction.log; a root that
// directly holds them is one instance folder) and captured STDOUT files
// (Options.StdoutFiles), down to Options.MaxDepth folders, filtered by
// Include/Exclude. Only regular files are read: named pipes (unless
// ReadPipes) and symlinks are listed as skipped, so a reader never blocks on a
// FIFO nor leaves the root through a link.
func DiscoverWith(root string, opts Options) ([]SourceFile, RootReport) {
	rep := RootReport{Path: root}
	info, err := os.Stat(root)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		rep.Error = "directory does not exist"
		return nil, rep
	case errors.Is(err, fs.ErrPermission):
		rep.Error = "permission denied"
		return nil, rep
	case err != nil:
		rep.Error = err.Error()
		return nil, rep
	case !info.IsDir():
		rep.Error = "not a directory"
		return nil, rep
	}
	entries, err := os.ReadDir(root)
	if err != nil {
		rep.Error = describeFSError(err)
		return nil, rep
	}
	var files []SourceFile
	instanceSet := map[string]bool{}
	stdoutGlobs, maxDepth := opts.stdoutFiles(), opts.maxDepth()
	var walk func(dir, rel string, depth int, entries []os.DirEntry)
	walk = func(dir, rel string, depth int, entries []os.DirEntry) {
		instance := filepath.Base(dir)
		for _, e := range entries {
			full := filepath.Join(dir, e.Name())
			relPath := path.Join(rel, e.Name())
			if e.IsDir() {
				if depth >= maxDepth {
					continue
				}
				sub, err := os.ReadDir(full)
				if err != nil {
					rep.Skipped = append(rep.Skipped, full+" ("+describeFSError(err)+")")
					continue
				}
				walk(full, relPath, depth+1, sub)
				continue
			}
			kind, api := ClassifyFileName(e.Name())
			layout := LayoutNDJSON
			if kind == KindOther && matchAny(stdoutGlobs, relPath) {
				kind, layout = KindStdout, LayoutStdout
			}
			if kind == KindOther || !selected(opts, relPath) {
				continue
			}
			if kind == KindAccessLog || kind == KindErrorLog {
				rep.OtherLogFiles++
				continue
			}
			pipe := e.Type()&fs.ModeNamedPipe != 0
			if !e.Type().IsRegular() && !(pipe && opts.ReadPipes) {
				rep.Skipped = append(rep.Skipped, full)
				continue
			}
			fi, err := e.Info()
			if err != nil {
				continue // removed between ReadDir and Info: rotation at work
			}
			sf := SourceFile{
				Path: full, Root: root, Rel: relPath, Instance: instance, Kind: kind, Layout: layout, APIID: api,
				Size: fi.Size(), ModTime: fi.ModTime().UnixNano(), Pipe: pipe,
			}
			sf.dev, sf.ino, sf.hasIno = identityOf(fi)
			if layout == LayoutStdout {
				rep.StdoutFiles++
			} else {
				instanceSet[instance] = true
				rep.TransactionFiles++
			}
			files = append(files, sf)
		}
	}
	walk(root, "", 0, entries)
	for name := range instanceSet {
		rep.Instances = append(rep.Instances, name)
	}
	sort.Strings(rep.Instances)
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	return files, rep
}

// selected applies the Include and Exclude globs.
func selected(opts Options, rel string) bool {
	if len(opts.Include) > 0 && !matchAny(opts.Include, rel) {
		return false
	}
	return !matchAny(opts.Exclude, rel)
}

func describeFSError(err error) string {
	if errors.Is(err, fs.ErrPermission) {
		return "permission denied"
	}
	return err.Error()
}
