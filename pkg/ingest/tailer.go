package ingest

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apifw/monitor/pkg/model"
)

// Sink receives parsed records. Append is called while Poll runs, never
// concurrently, in file order (from a goroutine of the reader's, so that the
// next records are parsed meanwhile: Poll's caller must not hold a lock that
// Append takes). The slice is reused once Append
// returns: copy the records you keep (the strings and Errors slices inside
// them are never reused and may be kept as they are).
type Sink interface {
	Append(records []model.Transaction)
}

// Expecter is a Sink that wants to know how many bytes of logs a first scan
// is about to hand it (to size its tables once instead of growing them step
// by step). Expect is called before the scan's first Append.
type Expecter interface {
	Expect(bytes int64)
}

// SinkFunc adapts a function to Sink.
type SinkFunc func([]model.Transaction)

// Append calls f.
func (f SinkFunc) Append(records []model.Transaction) { f(records) }

const (
	fpSize         = 1024 // bytes at a file's start that identify its content
	minFPLen       = 64   // a shorter start is not trusted to tell contents apart…
	minFPLine      = 8    // …unless it holds a complete first line this long
	saveEvery      = 5 * time.Second
	publishEvery   = time.Second
	maxGoneStreams = 4096 // contents remembered after their file went away
	maxBadExamples = 20
	maxNotes       = 20
)

// fileKey identifies a file across renames: device and inode, or the path
// where the system has no inodes.
type fileKey struct {
	dev, ino uint64
	path     string
}

func keyOf(sf SourceFile) fileKey {
	if sf.hasIno {
		return fileKey{dev: sf.dev, ino: sf.ino}
	}
	return fileKey{path: sf.Path}
}

// fpKey finds a content stream by the hash of its first bytes.
type fpKey struct {
	n    int
	hash uint64
}

// physFile is a file present at the last poll.
type physFile struct {
	key    fileKey
	src    SourceFile
	stream *stream // the content this file holds and is read for, or
	copyOf *stream // a copy of content another file holds (not read)
	// the archive's size and time when last read: unchanged archives are not decompressed again
	readSize, readMod int64
	pipe              *pipeReader
}

// stream is one content stream: the bytes a log file held from its
// creation, wherever they live now (renamed, copied, compressed). Its id is
// the FileID records carry.
type stream struct {
	id      uint32
	file    *physFile // nil: no file holds this content now
	path    string    // the last path that held it
	root    int
	layout  Layout
	kind    FileKind
	fp      uint64
	fpLen   int
	fpOK    bool // the fingerprint is trusted to identify the content (see trustedHead)
	cur     cursor
	records int64
	bad     int64
	fixed   int64 // records kept after a repair
	err     string
	goneAt  time.Time
}

// FileRef is where the records of a FileID are now, for ReadRecord.
type FileRef struct {
	Path   string
	Layout Layout
}

// Tailer follows the transaction logs under a set of roots: each Poll lists
// the files, recognises renamed, copied, truncated, re-created and archived
// ones, reads what is new and hands the records to the sink exactly once.
type Tailer struct {
	roots  []string
	opts   Options
	sink   Sink
	store  StateStore
	cfg    *parserConfig
	cfgErr error

	mu         sync.Mutex // one poll at a time; guards everything below up to refsMu
	reader     *streamReader
	files      map[fileKey]*physFile
	streams    map[uint32]*stream
	byFP       map[fpKey]*stream
	fpLens     map[int]int
	restored   map[fileKey]*stream // resuming: streams from the state, by identity, until the first poll
	nextID     uint32
	polls      int
	saved      State
	lastSave   time.Time
	dirty      bool
	reports    []RootReport
	instances  []map[string]bool // per root: instance names seen in STDOUT records
	badRing    []BadRecord
	badTotal   int64
	fixedTotal int64
	records    int64
	fileErrs   map[string]string
	notes      []string
	published  time.Time

	refsMu sync.RWMutex
	refs   map[uint32]FileRef

	statusMu  sync.Mutex
	status    Status
	scanRead  atomic.Int64
	scanTotal atomic.Int64
	scanDone  atomic.Bool
}

// NewTailer returns a tailer over roots that hands records to sink and keeps
// its memory in state (nil: none). Invalid options are reported by every
// Poll and Status rather than failing here.
func NewTailer(roots []string, opts Options, sink Sink, state StateStore) *Tailer {
	t := &Tailer{
		roots: append([]string(nil), roots...), opts: opts, sink: sink, store: state,
		files: map[fileKey]*physFile{}, streams: map[uint32]*stream{}, byFP: map[fpKey]*stream{},
		fpLens: map[int]int{}, restored: map[fileKey]*stream{}, nextID: 1,
		fileErrs: map[string]string{}, refs: map[uint32]FileRef{},
		instances: make([]map[string]bool, len(roots)),
	}
	for i := range t.instances {
		t.instances[i] = map[string]bool{}
	}
	if t.sink == nil {
		t.sink = SinkFunc(func([]model.Transaction) {})
	}
	t.cfg, t.cfgErr = newParserConfig(opts)
	if t.cfgErr == nil {
		t.reader = newStreamReader(t.cfg, opts.workers())
	}
	if state != nil {
		saved, err := state.Load()
		if err != nil {
			t.notes = append(t.notes, "state not loaded, starting afresh: "+err.Error())
		}
		t.saved = saved
		if opts.Resume {
			t.restore(saved)
		}
	}
	t.status = Status{Roots: []RootStatus{}, Files: []FileStatus{}, BadExamples: []BadRecord{}}
	return t
}

// PollStatus sums up one Poll.
type PollStatus struct {
	Records    int64 `json:"records"`    // handed to the sink
	BadRecords int64 `json:"badRecords"` // skipped (repaired ones not included)
	Bytes      int64 `json:"bytes"`
	Files      int   `json:"files"` // files read from
	// More: the poll stopped at Options.MaxPollBytes with bytes left to read.
	More  bool          `json:"more,omitempty"`
	Took  time.Duration `json:"took"`
	Error string        `json:"error,omitempty"`
}

// Poll makes one pass: list the roots, reconcile the files with what is
// known, read what is new and hand it to the sink. It costs one directory
// listing per folder and one stat per file when nothing changed.
func (t *Tailer) Poll() PollStatus {
	t.mu.Lock()
	defer t.mu.Unlock()
	began := time.Now()
	var ps PollStatus
	if t.cfgErr != nil {
		ps.Error = t.cfgErr.Error()
		t.publish(began)
		return ps
	}
	t.polls++
	listing := t.list()
	t.reconcile(listing)
	before, badBefore := t.records, t.badTotal
	ps.Files, ps.Bytes, ps.More = t.readAll()
	ps.Records, ps.BadRecords = t.records-before, t.badTotal-badBefore
	if t.polls == 1 {
		t.compareWithLastRun()
		t.restored = nil
	}
	ps.Took = time.Since(began)
	t.maybeSave(t.polls == 1) // first: a failed save shows in this poll's status
	t.publish(began)
	// Done only once the status holds the scan's counts: a caller waiting
	// for the first scan (the health check) must not read the last
	// progress report as the result.
	t.scanDone.Store(true)
	return ps
}

// Close saves the state.
func (t *Tailer) Close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, f := range t.files {
		if f.pipe != nil {
			f.pipe.Close()
			f.pipe = nil
		}
	}
	return t.save()
}

// PathOf returns the path that now holds the records of fileID (after a
// rename or a copy-truncate, the new one); false when no file holds them.
func (t *Tailer) PathOf(fileID uint32) (string, bool) {
	ref, ok := t.Locate(fileID)
	return ref.Path, ok
}

// Locate returns the path and layout to pass to ReadRecord for a record's FileID.
func (t *Tailer) Locate(fileID uint32) (FileRef, bool) {
	t.refsMu.RLock()
	defer t.refsMu.RUnlock()
	ref, ok := t.refs[fileID]
	return ref, ok
}

// Checkpoint returns the state as of the last completed poll: for a sink
// that persists its records, save both together and pass the state back
// with Options.Resume after a restart.
func (t *Tailer) Checkpoint() State {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.snapshotState()
}

// list discovers the files of every root.
func (t *Tailer) list() []SourceFile {
	var all []SourceFile
	t.reports = t.reports[:0]
	for _, root := range t.roots {
		files, rep := DiscoverWith(root, t.opts)
		t.reports = append(t.reports, rep)
		all = append(all, files...)
	}
	return all
}

func (t *Tailer) rootIndex(root string) int {
	for i, r := range t.roots {
		if r == root {
			return i
		}
	}
	return 0
}

// reconcile matches the listing with the known files and streams.
func (t *Tailer) reconcile(listing []SourceFile) {
	seen := make(map[fileKey]bool, len(listing))
	var fresh []SourceFile
	for _, sf := range listing {
		k := keyOf(sf)
		if seen[k] {
			continue // a hard link: the same file twice
		}
		seen[k] = true
		if f := t.files[k]; f != nil {
			t.update(f, sf)
		} else {
			fresh = append(fresh, sf)
		}
	}
	for k, f := range t.files {
		if !seen[k] {
			t.drop(f)
		}
	}
	// Plain files before archives and larger before smaller, so that when
	// several files hold the same content the fullest plain one is read.
	sort.SliceStable(fresh, func(i, j int) bool {
		gi, gj := IsGzip(fresh[i].Path), IsGzip(fresh[j].Path)
		if gi != gj {
			return !gi
		}
		return fresh[i].Size > fresh[j].Size
	})
	for _, sf := range fresh {
		t.adopt(sf)
	}
	t.promoteCopies()
	t.pruneGone()
}

// update handles a file already known: renamed, grown, truncated or replaced.
func (t *Tailer) update(f *physFile, sf SourceFile) {
	prev := f.src
	f.src = sf
	changed := prev.Size != sf.Size || prev.ModTime != sf.ModTime
	if s := f.stream; s != nil {
		t.follow(s, f)
		if sf.Pipe || (!changed && sf.Size >= s.cur.offset) {
			return
		}
		if !t.sameContent(f, s, true) { // truncated or rewritten: the content is no longer here
			t.detach(s)
			delete(t.files, f.key)
			t.adopt(sf)
		}
		return
	}
	if s := f.copyOf; s != nil && changed && !t.sameContent(f, s, false) {
		delete(t.files, f.key) // the copy was overwritten (a later rotation): look at it afresh
		t.adopt(sf)
	}
}

// adopt handles a file not seen before: the continuation of known content
// (renamed across file systems, re-created from a copy, compressed), a copy
// of content another file holds, or new content.
func (t *Tailer) adopt(sf SourceFile) {
	f := &physFile{key: keyOf(sf), src: sf}
	t.files[f.key] = f
	if sf.Pipe {
		t.newStream(f).cur.keepTail = true
		return
	}
	if s := t.restored[f.key]; s != nil && s.file == nil {
		delete(t.restored, f.key)
		if t.sameContent(f, s, true) {
			t.attach(s, f)
			return
		}
	}
	head, err := readHead(sf.Path)
	if err != nil {
		t.fileErrs[sf.Path] = err.Error()
		t.newStream(f)
		return
	}
	if s := t.matchHead(head); s != nil {
		if s.file == nil {
			t.attach(s, f)
		} else {
			f.copyOf = s
		}
		return
	}
	t.setFP(t.newStream(f), head)
}

// drop forgets a file that is no longer listed.
func (t *Tailer) drop(f *physFile) {
	delete(t.files, f.key)
	if f.stream != nil {
		t.detach(f.stream)
	}
	if f.pipe != nil {
		f.pipe.Close()
	}
}

func (t *Tailer) newStream(f *physFile) *stream {
	s := &stream{id: t.nextID}
	t.nextID++
	t.streams[s.id] = s
	t.attach(s, f)
	t.dirty = true
	return s
}

// attach makes f the holder of s.
func (t *Tailer) attach(s *stream, f *physFile) {
	s.file, f.stream, f.copyOf = f, s, nil
	s.goneAt = time.Time{}
	t.follow(s, f)
	// A stream resumed from the state kept its path (follow saw no
	// change) but has no ref yet.
	t.refsMu.Lock()
	t.refs[s.id] = FileRef{s.path, s.layout}
	t.refsMu.Unlock()
	t.dirty = true
}

// follow takes the holder's current name and place.
func (t *Tailer) follow(s *stream, f *physFile) {
	s.root, s.kind, s.layout = t.rootIndex(f.src.Root), f.src.Kind, f.src.Layout
	if s.path != f.src.Path {
		s.path = f.src.Path
		t.refsMu.Lock()
		t.refs[s.id] = FileRef{s.path, s.layout}
		t.refsMu.Unlock()
		t.dirty = true
	}
}

// detach notes that no file holds s any more (a copy may take over).
func (t *Tailer) detach(s *stream) {
	if s.file != nil {
		s.file.stream = nil
		s.file = nil
	}
	s.goneAt = time.Now()
	t.refsMu.Lock()
	delete(t.refs, s.id)
	t.refsMu.Unlock()
	t.dirty = true
}

// promoteCopies lets a copy hold content whose file went away: the
// copy-truncate rotation (the copy continues at the offset already read),
// or an archive replacing its plain file.
func (t *Tailer) promoteCopies() {
	best := map[*stream]*physFile{}
	for _, f := range t.files {
		s := f.copyOf
		if s == nil || s.file != nil {
			continue
		}
		if b := best[s]; b == nil || betterHolder(f, b) {
			best[s] = f
		}
	}
	for s, f := range best {
		t.attach(s, f)
	}
}

func betterHolder(a, b *physFile) bool {
	ga, gb := IsGzip(a.src.Path), IsGzip(b.src.Path)
	if ga != gb {
		return !ga
	}
	if a.src.Size != b.src.Size {
		return a.src.Size > b.src.Size
	}
	return a.src.Path < b.src.Path
}

// pruneGone forgets the oldest contents no file holds, beyond a bound.
func (t *Tailer) pruneGone() {
	var gone []*stream
	for _, s := range t.streams {
		if s.file == nil {
			gone = append(gone, s)
		}
	}
	if len(gone) <= maxGoneStreams {
		return
	}
	sort.Slice(gone, func(i, j int) bool { return gone[i].goneAt.Before(gone[j].goneAt) })
	for _, s := range gone[:len(gone)-maxGoneStreams] {
		t.unindexFP(s)
		delete(t.streams, s.id)
	}
}

// sameContent says whether f still holds s's content: not shorter than
// what was read (checkOffset; plain files) and starting with the same bytes.
// It extends a short fingerprint as the file grows.
func (t *Tailer) sameContent(f *physFile, s *stream, checkOffset bool) bool {
	if checkOffset && !IsGzip(f.src.Path) && f.src.Size < s.cur.offset {
		return false
	}
	head, err := readHead(f.src.Path)
	if err != nil {
		return true // cannot tell now; the read will report the error
	}
	if len(head) < s.fpLen || fpHash(head[:s.fpLen]) != s.fp {
		return false
	}
	if len(head) > s.fpLen {
		t.setFP(s, head)
	}
	return true
}

// setFP fingerprints s by head (up to fpSize bytes) and indexes it.
func (t *Tailer) setFP(s *stream, head []byte) {
	t.unindexFP(s)
	s.fpLen = min(len(head), fpSize)
	s.fp = fpHash(head[:s.fpLen])
	s.fpOK = trustedHead(head[:s.fpLen])
	t.indexFP(s)
	t.dirty = true
}

// trustedHead says whether a file's first bytes are enough to tell it from
// other files: 64 bytes, or a complete first line of some length (a record
// alone, or a garbage line a rotation copies). An empty or half-written
// start is not.
func trustedHead(head []byte) bool {
	if len(head) >= minFPLen {
		return true
	}
	nl := bytes.IndexByte(head, '\n')
	return nl >= 0 && len(bytes.TrimSpace(head[:nl])) >= minFPLine
}

func (t *Tailer) indexFP(s *stream) {
	if !s.fpOK {
		return
	}
	k := fpKey{s.fpLen, s.fp}
	if _, taken := t.byFP[k]; taken {
		return
	}
	t.byFP[k] = s
	t.fpLens[s.fpLen]++
}

func (t *Tailer) unindexFP(s *stream) {
	k := fpKey{s.fpLen, s.fp}
	if t.byFP[k] == s {
		delete(t.byFP, k)
		if t.fpLens[s.fpLen]--; t.fpLens[s.fpLen] == 0 {
			delete(t.fpLens, s.fpLen)
		}
	}
}

// matchHead finds the content stream whose fingerprint the head starts
// with, preferring the longest fingerprint.
func (t *Tailer) matchHead(head []byte) *stream {
	var found *stream
	bestLen := -1
	for n := range t.fpLens {
		if n > len(head) || n <= bestLen {
			continue
		}
		if s := t.byFP[fpKey{n, fpHash(head[:n])}]; s != nil {
			found, bestLen = s, n
		}
	}
	return found
}

func fpHash(b []byte) uint64 {
	h := fnv.New64a()
	h.Write(b)
	return h.Sum64()
}

// readHead returns up to fpSize bytes of a file's content (decompressed for .gz).
func readHead(path string) ([]byte, error) {
	var in io.Reader
	if IsGzip(path) {
		r, closeIn, err := openAt(path, 0)
		if err != nil {
			return nil, err
		}
		defer closeIn()
		in = r
	} else {
		fh, err := openListed(path)
		if err != nil {
			return nil, fmt.Errorf("open %s: %s", path, describeFSError(err))
		}
		defer fh.Close()
		if fi, err := fh.Stat(); err == nil && !fi.Mode().IsRegular() {
			return nil, fmt.Errorf("open %s: not a regular file", path)
		}
		in = fh
	}
	buf := make([]byte, fpSize)
	n, err := io.ReadFull(in, buf)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return buf[:n], err
	}
	return buf[:n], nil
}

// readAll reads the new bytes of every held stream, in path order, up to
// the poll's byte budget (more: it stopped with bytes left).
func (t *Tailer) readAll() (files int, bytesRead int64, more bool) {
	var todo []*stream
	var total int64
	for _, s := range t.streams {
		if s.file != nil {
			todo = append(todo, s)
			if t.polls == 1 {
				total += max(0, s.file.src.Size-s.cur.offset)
			}
		}
	}
	if t.polls == 1 {
		t.scanTotal.Store(total)
		if e, ok := t.sink.(Expecter); ok && total > 0 {
			e.Expect(total)
		}
	}
	sort.Slice(todo, func(i, j int) bool { return todo[i].path < todo[j].path })
	// Error logs last: a transaction also in a transaction file is then
	// kept from that file (the sink skips an id it already holds).
	sort.SliceStable(todo, func(i, j int) bool {
		return todo[i].layout != LayoutErrorLog && todo[j].layout == LayoutErrorLog
	})
	budget := t.opts.MaxPollBytes
	for _, s := range todo {
		limit := int64(0)
		if budget > 0 {
			if limit = budget - bytesRead; limit <= 0 {
				return files, bytesRead, true
			}
		}
		n, stopped := t.readStream(s, limit)
		if n > 0 {
			files++
			bytesRead += n
		}
		if stopped {
			return files, bytesRead, true
		}
	}
	return files, bytesRead, false
}

// pollLimit is how far one read of a plain file may go with limit bytes of
// the poll's budget left: never less than a line can be long, or a long
// line at the boundary would stay pending at every poll.
func pollLimit(limit int64) int64 { return max(limit, 2*(MaxLineBytes+1)) }

// readStream reads what is new in s's holder and returns the bytes consumed;
// with limit > 0 it reads a plain file up to about that many bytes, and
// stopped says it left some (the next poll reads on from s's offset).
func (t *Tailer) readStream(s *stream, limit int64) (consumed int64, stopped bool) {
	f := s.file
	path, gz := f.src.Path, IsGzip(f.src.Path)
	switch {
	case f.src.Pipe:
	case gz:
		if f.readSize == f.src.Size && f.readMod == f.src.ModTime {
			return 0, false // an archive does not change once written
		}
		if s.cur.offset > 0 && gzipSizeIs(path, s.cur.offset) {
			f.readSize, f.readMod = f.src.Size, f.src.ModTime
			return 0, false // the archive of content already read
		}
	default:
		if f.src.Size <= s.cur.offset+s.cur.pending {
			return 0, false
		}
	}
	fc := &fileCtx{id: s.id, path: path, instance: f.src.Instance, unknown: f.src.Kind == KindUnknownTransactions}
	start := s.cur.offset
	out := readOutput{
		records: func(recs []model.Transaction) {
			s.records += int64(len(recs))
			t.records += int64(len(recs))
			if s.layout == LayoutStdout {
				for i := range recs {
					t.instances[s.root][recs[i].Instance] = true
				}
			}
			t.sink.Append(recs)
			t.dirty = true
		},
		bad: func(b BadRecord) { t.noteBad(s, b) },
		progress: func(n int64) {
			if t.polls == 1 {
				t.scanRead.Add(n)
			}
			if time.Since(t.published) > publishEvery {
				t.publish(time.Time{})
			}
		},
	}
	var err error
	for {
		var (
			in      io.Reader
			closeIn func()
		)
		in, closeIn, err = t.open(f, s)
		if err != nil || in == nil {
			break
		}
		hint := f.src.Size - s.cur.offset
		if gz || f.src.Pipe {
			hint = readChunk
		} else if limit > 0 {
			left := pollLimit(limit - (s.cur.offset - start))
			if hint > left {
				in, hint, stopped = io.LimitReader(in, left), left, true
			}
		}
		err = t.reader.read(in, &s.cur, fc, s.layout, false, hint, out)
		closeIn()
		if !errors.Is(err, errReadAgain) {
			break
		}
	}
	if err != nil {
		s.err = err.Error()
		t.fileErrs[path] = fmt.Sprintf("%s: %v", path, err)
	} else {
		s.err = ""
		delete(t.fileErrs, path)
		f.readSize, f.readMod = f.src.Size, f.src.ModTime
	}
	return s.cur.offset - start, stopped
}

// open positions a reader on the holder of s at s's offset. It returns a
// nil reader when the path no longer leads to the listed file (rotated since).
func (t *Tailer) open(f *physFile, s *stream) (io.Reader, func(), error) {
	if f.src.Pipe {
		if f.pipe == nil {
			p, err := openPipe(f.src.Path)
			if err != nil {
				return nil, nil, err
			}
			f.pipe = p
		}
		return io.MultiReader(bytes.NewReader(s.cur.tailBuf), f.pipe), func() {}, nil
	}
	if f.src.hasIno && !IsGzip(f.src.Path) {
		// Check the descriptor, not the path: the path may have been
		// rotated to another file since the listing.
		fh, err := openListed(f.src.Path)
		if err != nil {
			return nil, nil, nil // gone (or a link now) since the listing: the next poll sees
		}
		fi, err := fh.Stat()
		if err != nil {
			fh.Close()
			return nil, nil, err
		}
		if dev, ino, ok := identityOf(fi); ok && (dev != f.key.dev || ino != f.key.ino) {
			fh.Close()
			return nil, nil, nil
		}
		if _, err := fh.Seek(s.cur.offset, io.SeekStart); err != nil {
			fh.Close()
			return nil, nil, err
		}
		return fh, func() { fh.Close() }, nil
	}
	return openAt(f.src.Path, s.cur.offset)
}

// gzipSizeIs reads the archive's trailer: the uncompressed size modulo 2³².
func gzipSizeIs(path string, size int64) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	var tail [4]byte
	fi, err := f.Stat()
	if err != nil || fi.Size() < 18 {
		return false
	}
	if _, err := f.ReadAt(tail[:], fi.Size()-4); err != nil {
		return false
	}
	return binary.LittleEndian.Uint32(tail[:]) == uint32(size)
}

func (t *Tailer) noteBad(s *stream, b BadRecord) {
	if b.Kept {
		s.fixed++
		t.fixedTotal++
	} else {
		s.bad++
		t.badTotal++
	}
	if len(t.badRing) == maxBadExamples {
		copy(t.badRing, t.badRing[1:])
		t.badRing = t.badRing[:maxBadExamples-1]
	}
	t.badRing = append(t.badRing, b)
}

// snapshotState is the state to save.
func (t *Tailer) snapshotState() State {
	st := State{Version: stateVersion, SavedAt: time.Now().UTC(), Roots: t.roots, Streams: []StreamState{}, NextID: t.nextID}
	for _, s := range t.streams {
		ss := StreamState{
			ID: s.id, Path: s.path, Layout: s.layout.String(), FP: fmt.Sprintf("%016x", s.fp), FPLen: s.fpLen, FPTrusted: s.fpOK,
			Offset: s.cur.offset, Line: s.cur.line, OpenLine: s.cur.openLine,
			RestartOffset: s.cur.offset, RestartLine: s.cur.line,
			Records: s.records, BadRecords: s.bad, Gone: s.file == nil,
		}
		if s.file != nil && s.file.src.hasIno {
			ss.Dev, ss.Ino = s.file.key.dev, s.file.key.ino
		}
		if s.cur.stdout != nil {
			if off, line := s.cur.stdout.restart(); off >= 0 {
				ss.RestartOffset, ss.RestartLine = off, line-1
			}
		}
		if s.file != nil && s.file.src.Pipe {
			continue // nothing to resume: a pipe is read from where it is
		}
		st.Streams = append(st.Streams, ss)
	}
	sort.Slice(st.Streams, func(i, j int) bool { return st.Streams[i].ID < st.Streams[j].ID })
	return st
}

// restore takes the saved streams back (Options.Resume): each continues at
// its offset once a file with its identity or fingerprint is listed.
func (t *Tailer) restore(st State) {
	t.nextID = max(t.nextID, st.NextID)
	for _, ss := range st.Streams {
		fp, err := hex.DecodeString(ss.FP)
		if err != nil || len(fp) != 8 {
			continue
		}
		s := &stream{
			id: ss.ID, path: ss.Path, fp: binary.BigEndian.Uint64(fp), fpLen: ss.FPLen, fpOK: ss.FPTrusted,
			cur:     cursor{offset: ss.Offset, line: ss.Line, openLine: ss.OpenLine},
			records: ss.Records, bad: ss.BadRecords, goneAt: st.SavedAt,
		}
		if ss.Layout == LayoutStdout.String() {
			s.layout = LayoutStdout
			if ss.RestartOffset < ss.Offset {
				s.cur = cursor{offset: ss.RestartOffset, line: ss.RestartLine, suppressUntil: ss.Offset}
			}
		} else {
			s.layout = LayoutNDJSON
		}
		t.streams[s.id] = s
		t.indexFP(s)
		if ss.Ino != 0 && !ss.Gone {
			t.restored[fileKey{dev: ss.Dev, ino: ss.Ino}] = s
		}
		t.nextID = max(t.nextID, s.id+1)
	}
}

// compareWithLastRun notes, after the first scan, the content the last run
// read that no file holds any more or that shrank: deleted by retention or
// truncated while the backend was down.
func (t *Tailer) compareWithLastRun() {
	for _, ss := range t.saved.Streams {
		if ss.Gone || ss.Records == 0 || len(t.notes) >= maxNotes {
			continue
		}
		fp, err := hex.DecodeString(ss.FP)
		if err != nil || len(fp) != 8 {
			continue
		}
		s := t.byFP[fpKey{ss.FPLen, binary.BigEndian.Uint64(fp)}]
		switch {
		case s == nil || s.file == nil:
			if f := t.holderByPrefix(ss); f == nil {
				t.notes = append(t.notes, fmt.Sprintf("%s: %d record(s) read by the last run are in no file now", ss.Path, ss.Records))
			}
		case !IsGzip(s.path) && s.file.src.Size < ss.Offset:
			t.notes = append(t.notes, fmt.Sprintf("%s shrank from %d to %d bytes since the last run", s.path, ss.Offset, s.file.src.Size))
		}
	}
}

// holderByPrefix finds a current stream whose content starts with a saved
// stream's fingerprint (the saved one was short and has grown since).
func (t *Tailer) holderByPrefix(ss StreamState) *physFile {
	fp, _ := hex.DecodeString(ss.FP)
	want := binary.BigEndian.Uint64(fp)
	for _, f := range t.files {
		if f.stream == nil || f.stream.fpLen < ss.FPLen {
			continue
		}
		if head, err := readHead(f.src.Path); err == nil && len(head) >= ss.FPLen && fpHash(head[:ss.FPLen]) == want {
			return f
		}
	}
	return nil
}

// maybeSave writes the state when something changed, at most every saveEvery.
func (t *Tailer) maybeSave(force bool) {
	if t.store == nil || !t.dirty || (!force && time.Since(t.lastSave) < saveEvery) {
		return
	}
	if err := t.save(); err != nil {
		t.fileErrs["state"] = "saving the ingestion state: " + err.Error()
	} else {
		delete(t.fileErrs, "state")
	}
}

func (t *Tailer) save() error {
	if t.store == nil {
		return nil
	}
	t.lastSave = time.Now()
	t.dirty = false
	return t.store.Save(t.snapshotState())
}
