package ingest

import (
	"errors"
	"fmt"
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

	// ErrorLogFiles: vhost error logs read for the transactions they embed
	// (Options.ErrorLogTransactions). ErrorLogsWithTransactions: with that
	// setting off, the vhost error logs that embed transactions (the health
	// check suggests the setting when the root has no transaction file).
	ErrorLogFiles             int `json:"errorLogFiles,omitempty"`
	ErrorLogsWithTransactions int `json:"errorLogsWithTransactions,omitempty"`
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
			if e.Type()&fs.ModeSymlink != 0 {
				// Never followed, whatever it points to; listed when it
				// leads to a folder or is named like a log, so the operator
				// sees why those records are missing.
				if reason := symlinkReason(root, full); reason != "" {
					rep.Skipped = append(rep.Skipped, full+" ("+reason+")")
				}
				continue
			}
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
			if kind == KindErrorLog && isVhostErrorLog(e.Name()) {
				if opts.ErrorLogTransactions {
					layout = LayoutErrorLog
				} else {
					rep.OtherLogFiles++
					if e.Type().IsRegular() && errorLogHasTransactions(full) {
						rep.ErrorLogsWithTransactions++
					}
					continue
				}
			}
			if kind == KindAccessLog || (kind == KindErrorLog && layout != LayoutErrorLog) {
				rep.OtherLogFiles++
				continue
			}
			pipe := e.Type()&fs.ModeNamedPipe != 0
			if !e.Type().IsRegular() && !(pipe && opts.ReadPipes) {
				reason := "not a regular file"
				if pipe {
					reason = "named pipe, not read (readPipes is off)"
				}
				rep.Skipped = append(rep.Skipped, full+" ("+reason+")")
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
			} else if layout == LayoutErrorLog {
				instanceSet[instance] = true
				rep.ErrorLogFiles++
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

// ErrOutsideRoots is what ConfinePath and CheckRoot answer for a path that
// is not absolute, holds "..", or leads out of every configured root.
var ErrOutsideRoots = errors.New("path outside the configured roots")

// CheckRoot accepts a root for the settings: an absolute, clean path.
func CheckRoot(root string) error {
	switch {
	case root == "" || !filepath.IsAbs(root):
		return fmt.Errorf("%w: root %q is not an absolute path", ErrOutsideRoots, root)
	case filepath.Clean(root) != root && filepath.Clean(root)+string(filepath.Separator) != root:
		return fmt.Errorf("%w: root %q is not a clean path (no \"..\", \".\" or doubled separators)", ErrOutsideRoots, root)
	}
	return nil
}

// ConfinePath resolves p (absolute, or relative to the first root) and
// accepts it only when it is inside one of roots once every symbolic link is
// resolved, both in p and in the root: "..", absolute paths elsewhere and
// links pointing out of the root are refused with ErrOutsideRoots. It
// returns the resolved path, which is what to open.
func ConfinePath(roots []string, p string) (string, error) {
	if p == "" || strings.ContainsRune(p, 0) {
		return "", fmt.Errorf("%w: empty or invalid path", ErrOutsideRoots)
	}
	for _, el := range strings.Split(filepath.ToSlash(p), "/") {
		if el == ".." {
			return "", fmt.Errorf("%w: %q holds \"..\"", ErrOutsideRoots, p)
		}
	}
	if !filepath.IsAbs(p) {
		if len(roots) == 0 {
			return "", fmt.Errorf("%w: %q is relative and no root is configured", ErrOutsideRoots, p)
		}
		p = filepath.Join(roots[0], p)
	}
	resolved, err := filepath.EvalSymlinks(p)
	if err == nil {
		resolved, err = filepath.Abs(resolved)
	}
	if err != nil {
		return "", err
	}
	for _, root := range roots {
		r, err := filepath.EvalSymlinks(root)
		if err == nil {
			r, err = filepath.Abs(r)
		}
		if err != nil {
			continue
		}
		if within(r, resolved) {
			return resolved, nil
		}
	}
	return "", fmt.Errorf("%w: %q", ErrOutsideRoots, p)
}

// within says whether p is root or below it (both clean and absolute).
func within(root, p string) bool {
	if p == root {
		return true
	}
	if !strings.HasSuffix(root, string(filepath.Separator)) {
		root += string(filepath.Separator)
	}
	return strings.HasPrefix(p, root)
}

// symlinkReason says why a symbolic link met while listing is worth
// reporting, or "" for a link to an ordinary file not named like a log.
func symlinkReason(root, link string) string {
	target, err := filepath.EvalSymlinks(link)
	outside := false
	if err == nil {
		r, rerr := filepath.EvalSymlinks(root)
		outside = rerr == nil && !within(r, target)
	}
	kind, _ := ClassifyFileName(filepath.Base(link))
	isDir := false
	if fi, err := os.Stat(link); err == nil && fi.IsDir() {
		isDir = true
	}
	if !isDir && kind == KindOther {
		return ""
	}
	what := "symbolic link to a file"
	if isDir {
		what = "symbolic link to a folder"
	}
	switch {
	case err != nil:
		return what + ", not followed: dangling"
	case outside:
		return what + " outside the root, refused"
	}
	return what + ", not followed (links are never followed)"
}
