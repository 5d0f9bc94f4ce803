package ingest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/apifw/monitor/pkg/model"
)

// PurgeStatus says what Purge did to one file.
type PurgeStatus string

const (
	PurgeRewritten PurgeStatus = "rewritten" // the file now holds everything but the deleted records
	PurgeClean     PurgeStatus = "clean"     // no deleted record in it: not touched
	PurgeRefused   PurgeStatus = "refused"   // holds deleted records but may not be rewritten (Reason)
	PurgeFailed    PurgeStatus = "failed"    // an error while rewriting; the file is as it was
)

// PurgeResult is Purge's answer for one file.
type PurgeResult struct {
	Path    string      `json:"path"`
	Status  PurgeStatus `json:"status"`
	Removed int         `json:"removed"` // records taken out of the file
	Kept    int         `json:"kept"`    // records left in it
	Reason  string      `json:"reason,omitempty"`
}

// PurgeOptions tune Purge.
type PurgeOptions struct {
	// Quiet is how long a file must have gone unmodified to be rewritten
	// (default 1 minute). A firewall appends to its current log through an
	// open descriptor: rewriting that file would send its next lines to the
	// replaced inode, so files still being written are refused until they
	// are rotated.
	Quiet time.Duration
	// Now is the clock for Quiet (default time.Now).
	Now func() time.Time
}

// Relocator is told how the kept records of a content stream (FileID)
// moved, so that the index's positions stay right after a rewrite: move maps
// a kept record's old byte offset and line to the new ones.
type Relocator func(fileID uint32, move func(offset int64, line int) (int64, int))

// Purge rewrites the transaction logs the tailer knows (the files it reads
// and their copies) without the records drop selects — records deleted from
// the index. Each file is rewritten atomically: the kept bytes are copied
// unchanged into a temporary file in the same folder, which is fsynced and
// renamed over the original (mode kept), and the folder is fsynced. The
// tailer then follows the new file as the same content, at the same place
// (nothing is read again), relocate is told the kept records' new
// positions, and the state is saved.
//
// Refused with a reason: gzip archives, captured STDOUT files (records are
// wrapped and split across lines), named pipes, files without any write
// permission bit or in a folder that cannot be written, and files modified
// within opts.Quiet (still being written). A file that changes while it is
// rewritten is left as it was (failed; try again).
func (t *Tailer) Purge(ctx context.Context, drop func(*model.Transaction) bool, relocate Relocator, opts PurgeOptions) []PurgeResult {
	if opts.Quiet <= 0 {
		opts.Quiet = time.Minute
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.cfgErr != nil {
		return []PurgeResult{{Status: PurgeFailed, Reason: t.cfgErr.Error()}}
	}
	files := make([]*physFile, 0, len(t.files))
	for _, f := range t.files {
		files = append(files, f)
	}
	sort.Slice(files, func(i, j int) bool { return files[i].src.Path < files[j].src.Path })
	var out []PurgeResult
	for _, f := range files {
		if ctx.Err() != nil {
			out = append(out, PurgeResult{Path: f.src.Path, Status: PurgeFailed, Reason: "cancelled: " + ctx.Err().Error()})
			continue
		}
		out = append(out, t.purgeFile(f, drop, relocate, opts))
	}
	if t.dirty {
		if err := t.save(); err != nil {
			t.fileErrs["state"] = "saving the ingestion state: " + err.Error()
		}
	}
	return out
}

// cutSpan is a record to take out: bytes [off, end) of the file, line line.
type cutSpan struct {
	off, end int64
	line     int
}

func (t *Tailer) purgeFile(f *physFile, drop func(*model.Transaction) bool, relocate Relocator, opts PurgeOptions) PurgeResult {
	src := f.src
	res := PurgeResult{Path: src.Path}
	refuse := func(reason string) PurgeResult {
		res.Status, res.Reason = PurgeRefused, reason
		return res
	}
	fail := func(err error) PurgeResult {
		res.Status, res.Reason, res.Removed, res.Kept = PurgeFailed, err.Error(), 0, 0
		return res
	}
	if src.Pipe {
		return refuse("named pipe: nothing stored to rewrite")
	}
	before, err := os.Lstat(src.Path)
	if err != nil {
		return fail(err)
	}
	if !before.Mode().IsRegular() {
		return refuse("not a regular file")
	}
	if dev, ino, ok := identityOf(before); ok && src.hasIno && (dev != src.dev || ino != src.ino) {
		return fail(errors.New("the file was replaced since the last poll; try again"))
	}
	// Which records go. The file is read once with the ingestion settings,
	// so a record is judged exactly as it was when it was indexed.
	var spans []cutSpan
	lsrc := src
	lsrc.Size = before.Size()
	_, err = ReadFile(lsrc, t.opts, func(tx model.Transaction) {
		if drop(&tx) {
			spans = append(spans, cutSpan{off: tx.Offset, end: tx.Offset + int64(max(tx.Length, 0)), line: tx.Line})
		} else {
			res.Kept++
		}
	})
	if err != nil {
		return fail(err)
	}
	res.Removed = len(spans)
	if len(spans) == 0 {
		res.Status = PurgeClean
		return res
	}
	switch {
	case IsGzip(src.Path):
		return refuse("compressed archive: not rewritten (remove it, or decompress, purge and compress again)")
	case src.Layout == LayoutStdout:
		return refuse("captured STDOUT: records are wrapped and split across lines, not rewritten")
	case before.Mode().Perm()&0o222 == 0:
		return refuse(fmt.Sprintf("read-only file (mode %v)", before.Mode().Perm()))
	case opts.Now().Sub(before.ModTime()) < opts.Quiet:
		return refuse(fmt.Sprintf("modified %v ago: still being written; purge again after rotation", opts.Now().Sub(before.ModTime()).Round(time.Second)))
	}
	moves, newSize, err := rewriteWithout(src.Path, before, spans)
	if err != nil {
		return fail(err)
	}
	res.Status = PurgeRewritten
	after, err := os.Lstat(src.Path)
	if err != nil {
		return res // renamed already; the next poll sees what is there
	}
	t.followRewrite(f, after, newSize, spans, moves, relocate)
	return res
}

// rewriteWithout writes path's bytes minus spans (each with the line break
// after it) into a temporary file beside it and renames it over path.
func rewriteWithout(path string, before os.FileInfo, spans []cutSpan) (moves func(off int64, line int) (int64, int), newSize int64, err error) {
	sort.Slice(spans, func(i, j int) bool { return spans[i].off < spans[j].off })
	in, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	defer in.Close()
	if fi, err := in.Stat(); err != nil || !os.SameFile(fi, before) {
		return nil, 0, errors.New("the file was replaced while purging; try again")
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".purge-*")
	if err != nil {
		return nil, 0, fmt.Errorf("folder not writable: %w", err)
	}
	tmpName := tmp.Name()
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmpName)
		}
	}()
	r := bufio.NewReaderSize(in, 256<<10)
	w := bufio.NewWriterSize(tmp, 256<<10)
	// removed[i] = bytes taken out before spans[i] ends (its line break included).
	removed := make([]int64, len(spans))
	var pos, gone int64
	for i, sp := range spans {
		if sp.off < pos {
			return nil, 0, fmt.Errorf("overlapping records at offset %d", sp.off)
		}
		if _, err := io.CopyN(w, r, sp.off-pos); err != nil {
			return nil, 0, err
		}
		if _, err := r.Discard(int(sp.end - sp.off)); err != nil {
			return nil, 0, err
		}
		pos = sp.end
		if b, err := r.Peek(1); err == nil && b[0] == '\r' {
			if b2, err := r.Peek(2); err == nil && b2[1] == '\n' {
				_, _ = r.Discard(2)
				pos += 2
			}
		} else if err == nil && b[0] == '\n' {
			_, _ = r.Discard(1)
			pos++
		}
		gone += pos - sp.off
		removed[i] = gone
	}
	if _, err := io.Copy(w, r); err != nil {
		return nil, 0, err
	}
	if err := w.Flush(); err != nil {
		return nil, 0, err
	}
	if err := tmp.Chmod(before.Mode().Perm()); err != nil {
		return nil, 0, err
	}
	chownLike(tmp, before)
	if err := tmp.Sync(); err != nil {
		return nil, 0, err
	}
	if err := tmp.Close(); err != nil {
		return nil, 0, err
	}
	// Last look: a line appended meanwhile would be lost by the rename.
	now, err := os.Lstat(path)
	if err != nil || !os.SameFile(now, before) || now.Size() != before.Size() || !now.ModTime().Equal(before.ModTime()) {
		return nil, 0, errors.New("the file changed while purging; it was left as it was: try again")
	}
	if err := os.Rename(tmpName, path); err != nil {
		return nil, 0, err
	}
	ok = true
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	moves = func(off int64, line int) (int64, int) {
		// spans before off (they end at or before it: whole lines)
		k := sort.Search(len(spans), func(i int) bool { return spans[i].off >= off })
		if k == 0 {
			return off, line
		}
		return off - removed[k-1], line - k
	}
	return moves, before.Size() - gone, nil
}

// followRewrite makes the tailer see the rewritten file as the same content
// it was reading, at the place that corresponds to what it had read.
func (t *Tailer) followRewrite(f *physFile, after os.FileInfo, newSize int64, spans []cutSpan, moves func(int64, int) (int64, int), relocate Relocator) {
	delete(t.files, f.key)
	f.src.Size, f.src.ModTime = after.Size(), after.ModTime().UnixNano()
	f.src.dev, f.src.ino, f.src.hasIno = identityOf(after)
	f.key = keyOf(f.src)
	f.readSize, f.readMod = 0, 0
	t.files[f.key] = f
	t.dirty = true
	head, _ := readHead(f.src.Path)
	if s := f.copyOf; s != nil {
		if len(head) < s.fpLen || fpHash(head[:s.fpLen]) != s.fp {
			f.copyOf = nil // no longer the same content: looked at afresh next poll
			delete(t.files, f.key)
		}
		return
	}
	s := f.stream
	if s == nil {
		return
	}
	n := int64(countBefore(spans, s.cur.offset))
	s.cur.offset, s.cur.line = moves(s.cur.offset, s.cur.line)
	s.cur.offset = min(s.cur.offset, newSize)
	s.records -= n
	t.records -= n
	t.setFP(s, head)
	if relocate != nil {
		relocate(s.id, moves)
	}
}

// countBefore is the number of spans that had been read (start before off).
func countBefore(spans []cutSpan, off int64) int {
	return sort.Search(len(spans), func(i int) bool { return spans[i].off >= off })
}
