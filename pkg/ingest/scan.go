package ingest

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"github.com/apifw/monitor/pkg/model"
)

// MaxLineBytes bounds one record; longer lines are skipped and reported.
const MaxLineBytes = 1 << 20

// SourceFile is one transaction log found under a root.
type SourceFile struct {
	Path     string
	Instance string // the instance folder's name (fallback for the record's pod.instance_name)
	Kind     FileKind
	APIID    string
	Size     int64
	ModTime  int64 // UnixNano, to notice changes cheaply
}

// RootReport is what a root directory holds, for the health check.
type RootReport struct {
	Path             string   `json:"path"`
	Instances        []string `json:"instances"`
	TransactionFiles int      `json:"transactionFiles"`
	OtherLogFiles    int      `json:"otherLogFiles"`
	Skipped          []string `json:"skipped,omitempty"` // not regular files (pipes, symlinks, sockets)
	Error            string   `json:"error,omitempty"`
}

// Discover lists the transaction logs under one root in the FILES layout:
// <root>/<instance>/api-*.transaction.log. A root that directly contains
// transaction logs is treated as a single instance folder. Only regular files
// are read: named pipes and symlinks are listed as skipped, so a reader never
// blocks on a FIFO nor leaves the root through a link.
func Discover(root string) ([]SourceFile, RootReport) {
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
	collect := func(dir, instance string, entries []os.DirEntry) {
		for _, e := range entries {
			if e.IsDir() {
				continue
			}
			kind, api := ClassifyFileName(e.Name())
			if kind == KindOther {
				continue
			}
			full := filepath.Join(dir, e.Name())
			if !e.Type().IsRegular() {
				rep.Skipped = append(rep.Skipped, full)
				continue
			}
			if kind == KindAccessLog || kind == KindErrorLog {
				rep.OtherLogFiles++
				continue
			}
			fi, err := e.Info()
			if err != nil {
				continue // removed between ReadDir and Info: rotation at work
			}
			instanceSet[instance] = true
			files = append(files, SourceFile{
				Path: full, Instance: instance, Kind: kind, APIID: api,
				Size: fi.Size(), ModTime: fi.ModTime().UnixNano(),
			})
		}
	}
	collect(root, filepath.Base(filepath.Clean(root)), entries)
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		dir := filepath.Join(root, e.Name())
		sub, err := os.ReadDir(dir)
		if err != nil {
			rep.Skipped = append(rep.Skipped, dir+" ("+describeFSError(err)+")")
			continue
		}
		collect(dir, e.Name(), sub)
	}
	for name := range instanceSet {
		rep.Instances = append(rep.Instances, name)
	}
	sort.Strings(rep.Instances)
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	rep.TransactionFiles = len(files)
	return files, rep
}

func describeFSError(err error) string {
	if errors.Is(err, fs.ErrPermission) {
		return "permission denied"
	}
	return err.Error()
}

// BadRecord is a line that could not be used.
type BadRecord struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Reason string `json:"reason"`
}

// FileResult sums up one file read.
type FileResult struct {
	Records int
	Bad     []BadRecord
	Pending bool // the file ends with an incomplete line that may still be written
}

// ReadFile parses every record of one transaction log and calls emit for each
// good one, in file order. Bad lines are collected, never fatal. A last line
// without a newline is used when it parses (a finished file), otherwise it is
// reported as pending (a writer is still appending it).
func ReadFile(src SourceFile, opts ParseOptions, emit func(model.Transaction)) (FileResult, error) {
	var res FileResult
	f, err := os.Open(src.Path)
	if err != nil {
		return res, fmt.Errorf("open %s: %s", src.Path, describeFSError(err))
	}
	defer f.Close()
	var r io.Reader = f
	if IsGzip(src.Path) {
		gz, err := gzip.NewReader(f)
		if err != nil {
			return res, fmt.Errorf("gzip %s: %w", src.Path, err)
		}
		defer gz.Close()
		r = gz
	}
	br := bufio.NewReaderSize(r, 256<<10)
	var (
		lineNo int
		offset int64
		buf    []byte
	)
	for {
		chunk, err := br.ReadSlice('\n')
		buf = append(buf, chunk...)
		if errors.Is(err, bufio.ErrBufferFull) {
			if len(buf) > MaxLineBytes {
				// Drop the rest of an oversized line without holding it in memory.
				lineNo++
				n, derr := discardLine(br)
				res.Bad = append(res.Bad, BadRecord{src.Path, lineNo, fmt.Sprintf("line longer than %d bytes", MaxLineBytes)})
				offset += int64(len(buf)) + n
				buf = buf[:0]
				if derr != nil {
					break
				}
			}
			continue
		}
		complete := err == nil
		if len(buf) > 0 {
			lineNo++
			line := bytes.TrimRight(buf, "\r\n")
			if len(bytes.TrimSpace(line)) > 0 {
				t, perr := ParseRecord(line, opts)
				switch {
				case perr == nil:
					t.File, t.Line, t.Offset = src.Path, lineNo, offset
					if t.Instance == "" || t.Instance == "n/a" {
						t.Instance = src.Instance
					}
					t.Outcome = Classify(&t, src.Kind == KindUnknownTransactions)
					emit(t)
					res.Records++
				case !complete:
					res.Pending = true
				default:
					res.Bad = append(res.Bad, BadRecord{src.Path, lineNo, perr.Error()})
				}
			}
			offset += int64(len(buf))
			buf = buf[:0]
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				return res, fmt.Errorf("read %s line %d: %w", src.Path, lineNo+1, err)
			}
			break
		}
	}
	return res, nil
}

// discardLine skips to the next newline, returning the bytes skipped.
func discardLine(br *bufio.Reader) (int64, error) {
	var n int64
	for {
		chunk, err := br.ReadSlice('\n')
		n += int64(len(chunk))
		if err == nil {
			return n, nil
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			return n, err
		}
	}
}
