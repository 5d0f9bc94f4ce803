package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apifw/monitor/pkg/model"
)

// MaxLineBytes bounds one record; longer lines are skipped and reported.
const MaxLineBytes = 1 << 20

// readChunk is how much of a file is read at once; it is cut at the last
// newline and the complete lines are shared among the parse workers. 16
// slots of 128 KiB stay in the L2 cache between the read and the parse:
// faster than 512 KiB in 6 of 6 alternating runs of the 1 M realistic first
// load (1–20%); 64 KiB was no better.
const readChunk = 128 << 10

// minPieceBytes keeps small reads on one worker: starting goroutines costs
// more than parsing a few records.
const minPieceBytes = 64 << 10

// BadRecord is input that could not be used as it was.
type BadRecord struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Offset int64  `json:"offset"`
	Reason string `json:"reason"`
	// Kept: the record was used after a repair (invalid UTF-8 replaced).
	Kept bool `json:"kept,omitempty"`
}

// fileCtx is what the parsers need to know about the file they parse.
type fileCtx struct {
	id       uint32
	path     string
	instance string // fallback for records without pod.instance_name
	unknown  bool   // api-unknown.transaction.log: unmatched traffic
}

// batch is what parsing a run of complete lines gives, in file order.
type batch struct {
	recs  []model.Transaction
	bad   []BadRecord
	lines int // lines parsed
	// relative: Line numbers count from the batch's first line (parallel
	// workers do not know how many lines the chunks before theirs hold).
	relative bool
}

func (b *batch) reset() { b.recs, b.bad, b.lines, b.relative = b.recs[:0], b.bad[:0], 0, false }

// cursor is a reading position in one content stream.
type cursor struct {
	offset   int64 // bytes consumed: complete lines (or an emitted unterminated one)
	line     int   // lines consumed
	openLine bool  // the consumed bytes end inside a line whose record was emitted
	pending  int64 // bytes after offset that form an unfinished last line
	stdout   *stdoutReader
	// suppressUntil: records whose last line ends before this offset are
	// already in the sink (resuming a STDOUT file from its restart point).
	suppressUntil int64
	// keepTail: the source cannot be read again (a pipe), so the pending
	// bytes are kept in tailBuf and read first next time.
	keepTail bool
	tailBuf  []byte
}

// readOutput receives what a read produces, in file order, one call at a
// time, on the handing goroutine (see handing).
type readOutput struct {
	records  func([]model.Transaction) // the slice is reused after the call
	bad      func(BadRecord)
	progress func(bytes int64)
}

// streamReader reads files: chunks cut at newlines, parsed by several
// workers at once while the next chunks are read and the earlier ones'
// records are handed on. One per Tailer (or ReadFile call); not concurrent.
//
// Three stages run at once: the reading goroutine reads chunks into a ring
// of slots; each chunk is cut into up to 4W pieces that W parsers take in
// turn (older chunks first), so no core waits for a slow piece; one handing
// goroutine passes each chunk's records on, in file order, as soon as its
// pieces are parsed. The hand-on (the index append) is serial; the pipeline
// lets it run beside the parsing instead of between two parses.
type streamReader struct {
	cfg     *parserConfig
	parsers []*recordParser    // [0] also parses in-order layouts and the tail
	pool    chan *recordParser // the parsers not parsing a piece now
	slots   [readSlots]slot
	chunk   int // the size of a read buffer
	now     func() time.Time
}

// readSlots is how many chunks can be in the pipeline at once: one being
// read, the others parsed or waiting to be handed on. The hand-on is serial
// and its pace varies (a dictionary or uuid table growing); a deep queue
// keeps the parsers busy meanwhile (16 used both cores a tenth better than 4
// on the 1 M realistic bench). Buffers are made as slots are first used and
// let go after a large read, so a tailer between polls holds little.
const readSlots = 16

// slot is one chunk's buffer, with the batches of its pieces and the parse
// in progress. free holds a token while nobody uses the slot.
type slot struct {
	buf  []byte
	set  []batch // per piece
	fl   flight
	free chan struct{}
}

// piecesPerWorker is how many pieces a chunk is cut into per worker.
const piecesPerWorker = 4

func newStreamReader(cfg *parserConfig, workers int) *streamReader {
	r := &streamReader{cfg: cfg, now: cfg.opts.now}
	for k := 0; k < max(1, workers); k++ {
		r.parsers = append(r.parsers, newRecordParser(cfg))
	}
	r.pool = make(chan *recordParser, len(r.parsers))
	for _, p := range r.parsers {
		r.pool <- p
	}
	for i := range r.slots {
		r.slots[i].set = make([]batch, piecesPerWorker*len(r.parsers))
		r.slots[i].free = make(chan struct{}, 1)
		r.slots[i].free <- struct{}{}
	}
	return r
}

// minChunk is the smallest read buffer: small files need no more.
const minChunk = 64 << 10

// buffers sets the size of the read buffers: at least n bytes (up to
// readChunk). They are made when a slot is taken (slotBuf).
func (r *streamReader) buffers(n int64) {
	r.chunk = int(min(max(n, minChunk), readChunk))
}

// take waits until slot i is free and returns its buffer, made or remade to
// the current size.
func (r *streamReader) take(i int) []byte {
	<-r.slots[i].free
	if len(r.slots[i].buf) < r.chunk {
		r.slots[i].buf = make([]byte, r.chunk)
	}
	return r.slots[i].buf
}

// release lets go of what a large read used: the buffers and the parsed
// records (whose strings would stay reachable until the next read). Every
// slot is free.
func (r *streamReader) release() {
	for i := range r.slots {
		s := &r.slots[i]
		if len(s.buf) > minChunk {
			s.buf, s.fl.pieces = nil, nil // the pieces point into the buffer
		}
		for k := range s.set {
			if cap(s.set[k].recs) > 64 {
				s.set[k].recs = nil
			} else {
				clear(s.set[k].recs[:cap(s.set[k].recs)])
			}
		}
	}
}

// grow doubles the buffers (keeping cur's first keep bytes), for a line
// longer than they are but not beyond MaxLineBytes. Only cur is in use.
func (r *streamReader) grow(cur, keep int) {
	r.chunk = min(2*len(r.slots[cur].buf), max(readChunk, MaxLineBytes+1))
	next := make([]byte, r.chunk)
	copy(next, r.slots[cur].buf[:keep])
	r.slots[cur].buf = next
}

// flight is a parse in progress: pieces of one chunk, taken in turn by the
// parsers, and what handing its records on needs.
type flight struct {
	wg     sync.WaitGroup // the pieces' parsers
	set    []batch        // per piece
	pieces []piece
	next   atomic.Int32 // the next piece to take
	fc     *fileCtx
	bytes  int64
	now    time.Time
	slot   int
}

// piece is a run of whole lines starting at stream offset off.
type piece struct {
	data []byte
	off  int64
}

// work parses pieces until none is left.
func (fl *flight) work(p *recordParser) {
	p.setNow(fl.now)
	for {
		k := int(fl.next.Add(1)) - 1
		if k >= len(fl.pieces) {
			return
		}
		set := &fl.set[k]
		set.lines = p.parseNDJSON(fl.pieces[k].data, fl.pieces[k].off, 0, fl.fc, set)
		set.relative = true
	}
}

// handing passes parsed chunks on, in order, on a goroutine of its own while
// the reading goroutine reads what follows and the parsers parse it. drain waits until
// everything submitted is handed on; the cursor is the handing goroutine's
// until then.
type handing struct {
	r       *streamReader
	c       *cursor
	out     readOutput
	queue   chan *flight
	pending sync.WaitGroup
	stopped chan struct{}
	// A panic in the sink is caught here and raised again by drain on the
	// reading goroutine, where it was raised before the pipeline; the
	// chunks after it are dropped, their slots freed.
	failed   atomic.Bool
	panicked error
}

func (r *streamReader) startHanding(c *cursor, out readOutput) *handing {
	h := &handing{r: r, c: c, out: out, queue: make(chan *flight, readSlots), stopped: make(chan struct{})}
	go h.run()
	return h
}

func (h *handing) run() {
	defer close(h.stopped)
	for fl := range h.queue {
		fl.wg.Wait()
		if !h.failed.Load() {
			h.handOnCaught(fl)
		}
		h.r.slots[fl.slot].free <- struct{}{}
		h.pending.Done()
	}
}

func (h *handing) handOnCaught(fl *flight) {
	defer func() {
		if v := recover(); v != nil {
			h.panicked = fmt.Errorf("ingest: handing records on: %v\n%s", v, debug.Stack())
			h.failed.Store(true)
		}
	}()
	h.handOn(fl)
}

// handOn numbers a parsed chunk's lines and passes its records on.
func (h *handing) handOn(fl *flight) {
	c := h.c
	for k := range fl.set[:max(1, len(fl.pieces))] {
		b := &fl.set[k]
		if b.relative {
			for i := range b.recs {
				b.recs[i].Line += c.line
			}
			for i := range b.bad {
				b.bad[i].Line += c.line
			}
		}
		c.line += b.lines
		h.r.emit(b, c, h.out)
	}
	c.offset += fl.bytes
	if h.out.progress != nil {
		h.out.progress(fl.bytes)
	}
}

func (h *handing) submit(fl *flight) {
	h.pending.Add(1)
	h.queue <- fl
}

// drain waits until everything submitted is handed on; it panics when the
// sink did.
func (h *handing) drain() {
	h.pending.Wait()
	if h.failed.Load() {
		panic(h.panicked)
	}
}

func (h *handing) stop() {
	close(h.queue)
	<-h.stopped
}

// read consumes src (positioned at c.offset) to its end; sizeHint is how
// many bytes are expected (it sizes the buffers). final says src is complete
// (a finished archive): an unterminated last line is then a record or a bad
// one, never pending.
func (r *streamReader) read(src io.Reader, c *cursor, fc *fileCtx, layout Layout, final bool, sizeHint int64, out readOutput) error {
	r.buffers(sizeHint + 1)
	inOrder := layout == LayoutStdout || layout == LayoutErrorLog // parsed on this goroutine
	h := r.startHanding(c, out)
	cur, carry := 0, 0
	r.take(cur)
	var consumed int64
	defer func() { // no drain here: its panic would skip the cleanup
		h.pending.Wait()
		h.stop()
		r.slots[cur].free <- struct{}{}
		if consumed > readChunk {
			r.release()
		}
	}()
	dispatchOff, dispatchLine := c.offset, c.line
	first := true

	var readErr error
	for {
		buf := r.slots[cur].buf
		n, err := io.ReadFull(src, buf[carry:])
		eof := errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
		if err != nil && !eof {
			readErr = err
		}
		data := buf[:carry+n]
		if first && n > 0 {
			first = false
			if c.openLine { // the newline after a record already emitted
				c.openLine = false
				if data[0] == '\n' {
					data = data[1:]
					dispatchOff++
					c.offset++
				} else {
					c.line-- // more text on the emitted line: report it under the same number
					dispatchLine--
				}
			}
		}
		cut := bytes.LastIndexByte(data, '\n') + 1
		if cut == 0 && carry+n == len(buf) && len(buf) <= MaxLineBytes {
			// A line longer than the buffer but maybe not too long: wait for
			// the chunks in flight (they use the other buffers), then grow.
			h.drain()
			start := len(buf) - len(data) // 1 when an already-emitted newline was skipped
			r.grow(cur, len(buf))
			carry = len(buf)
			if start > 0 {
				copy(r.slots[cur].buf, r.slots[cur].buf[start:carry])
				carry -= start
			}
			if eof || readErr != nil {
				break
			}
			continue
		}
		if cut == 0 && carry+n == len(buf) {
			// No newline in a whole buffer: a line far beyond MaxLineBytes.
			h.drain()
			skipped, found, err := discardLine(src)
			if !found {
				// The writer has not finished it: count it once, when it ends.
				c.pending = int64(len(data)) + skipped
				return err
			}
			out.bad(BadRecord{File: fc.path, Line: c.line + 1, Offset: c.offset,
				Reason: fmt.Sprintf("line longer than %d bytes", MaxLineBytes)})
			c.offset += int64(len(data)) + skipped
			c.line++
			return err // errReadAgain: the bytes after the newline are read from the new offset
		}
		rest := data[cut:]
		if cut > 0 {
			// Parse the complete lines while the next chunk is read and the
			// earlier ones' records are handed on; the slot is the handing
			// goroutine's until it has handed them on.
			s := &r.slots[cur]
			fl := &s.fl
			fl.set, fl.bytes, fl.pieces, fl.slot = s.set, int64(cut), fl.pieces[:0], cur
			fl.next.Store(0)
			r.launch(fl, data[:cut], dispatchOff, dispatchLine, fc, layout, c)
			dispatchOff += int64(cut)
			if inOrder {
				dispatchLine += fl.set[0].lines
			}
			h.submit(fl)
			if inOrder {
				h.drain() // the next chunk's reassembly reads the cursor
			}
			next := (cur + 1) % readSlots
			consumed += int64(cut)
			carry = copy(r.take(next), rest)
			cur = next
			if h.failed.Load() {
				break // drain raises the sink's panic
			}
		} else {
			carry = copy(buf, rest)
		}
		if eof || readErr != nil {
			break
		}
	}
	h.drain()
	if f, ok := src.(finisher); ok && f.finished() {
		final = true
	}
	tail := r.slots[cur].buf[:carry]
	c.pending = 0
	if len(tail) > 0 {
		r.tail(tail, c, fc, layout, final, out)
	}
	if c.keepTail {
		c.tailBuf = append(c.tailBuf[:0], tail[len(tail)-int(c.pending):]...)
	}
	return readErr
}

// tail handles an unterminated last line: a finished archive's last record,
// a record whose newline is not written yet (used if it parses: a JSON
// object cannot grow once closed) or a line still being written (pending).
func (r *streamReader) tail(tail []byte, c *cursor, fc *fileCtx, layout Layout, final bool, out readOutput) {
	if (layout == LayoutStdout || layout == LayoutErrorLog) && !final {
		c.pending = int64(len(tail))
		return
	}
	set := &r.slots[0].set[0] // every slot is free again
	set.reset()
	p := r.parsers[0]
	p.setNow(r.now())
	if layout == LayoutStdout {
		p.feedStdout(tail, c.offset, c.line+1, c, fc, set)
	} else if layout == LayoutErrorLog {
		p.parseErrorLogLine(tail, c.offset, c.line+1, fc, set)
	} else {
		p.parseLine(tail, c.offset, c.line+1, fc, set)
	}
	if !final && len(set.recs) == 0 {
		c.pending = int64(len(tail))
		return
	}
	r.emit(set, c, out)
	c.offset += int64(len(tail))
	c.line++
	c.openLine = !final
	if out.progress != nil {
		out.progress(int64(len(tail)))
	}
}

// emit hands a batch on, dropping what a resumed stream already delivered.
func (r *streamReader) emit(b *batch, c *cursor, out readOutput) {
	recs := b.recs
	if c.suppressUntil > 0 {
		kept := recs[:0]
		for _, t := range recs {
			if t.Offset+int64(t.Length) >= c.suppressUntil {
				kept = append(kept, t)
			}
		}
		recs = kept
	}
	if len(recs) > 0 && out.records != nil {
		out.records(recs)
	}
	for _, bad := range b.bad {
		if c.suppressUntil > 0 && bad.Offset < c.suppressUntil {
			continue
		}
		out.bad(bad)
	}
	b.reset()
}

// launch starts parsing data (complete lines starting at offset off, line
// number line+1): STDOUT and error logs at once, in order, on this
// goroutine; NDJSON cut into pieces of whole lines for the parsers, each
// taken from the pool by a goroutine of its own (a parser still busy with an
// older chunk's piece finishes that first).
func (r *streamReader) launch(fl *flight, data []byte, off int64, line int, fc *fileCtx, layout Layout, c *cursor) {
	fl.now, fl.fc = r.now(), fc
	if layout == LayoutStdout { // reassembly is sequential: absolute line numbers
		p := r.parsers[0]
		p.setNow(fl.now)
		fl.set[0].reset()
		fl.set[0].lines = p.parseStdoutLines(data, off, line, c, fc, &fl.set[0])
		return
	}
	if layout == LayoutErrorLog { // few records among many lines: in order, absolute line numbers
		p := r.parsers[0]
		p.setNow(fl.now)
		fl.set[0].reset()
		fl.set[0].lines = p.parseErrorLogLines(data, off, line, fc, &fl.set[0])
		return
	}
	n := min(len(fl.set), max(1, len(data)/minPieceBytes))
	fl.pieces = fl.pieces[:0]
	for start := 0; start < len(data); {
		end := len(data)
		if k := len(fl.pieces); k < n-1 {
			end = start + (len(data)-start)/(n-k)
			if nl := bytes.IndexByte(data[end:], '\n'); nl >= 0 {
				end += nl + 1
			} else {
				end = len(data)
			}
		}
		fl.set[len(fl.pieces)].reset()
		fl.pieces = append(fl.pieces, piece{data[start:end], off + int64(start)})
		start = end
	}
	for k := 0; k < len(r.parsers) && k < len(fl.pieces); k++ {
		fl.wg.Add(1)
		go func() {
			defer fl.wg.Done()
			p := <-r.pool
			fl.work(p)
			r.pool <- p
		}()
	}
}

// discardLine skips to the next newline, returning the bytes skipped
// (newline included) and whether one was found.
func discardLine(src io.Reader) (int64, bool, error) {
	var (
		n   int64
		buf [32 << 10]byte
	)
	for {
		k, err := src.Read(buf[:])
		if nl := bytes.IndexByte(buf[:k], '\n'); nl >= 0 {
			// The bytes after the newline are lost to this read; the caller
			// re-reads from the new offset next time.
			return n + int64(nl) + 1, true, errReadAgain
		}
		n += int64(k)
		if err != nil {
			if errors.Is(err, io.EOF) {
				return n, false, nil
			}
			return n, false, err
		}
	}
}

// errReadAgain stops a read early; the next poll continues from the
// committed offset. Not a failure.
var errReadAgain = errors.New("read again")

// eachLine calls fn for each line of data (without its newline; the last
// one may lack it) with its offset and number, line being the number of the
// line before data; it returns the number of lines.
func eachLine(data []byte, off int64, line int, fn func(l []byte, off int64, line int)) int {
	first := line
	for len(data) > 0 {
		nl := bytes.IndexByte(data, '\n')
		l, adv := data, len(data)
		if nl >= 0 {
			l, adv = data[:nl], nl+1
		}
		line++
		fn(l, off, line)
		off += int64(adv)
		data = data[adv:]
	}
	return line - first
}

// parseNDJSON parses complete NDJSON lines; line is the number of the line
// before data. It returns the number of lines.
func (p *recordParser) parseNDJSON(data []byte, off int64, line int, fc *fileCtx, out *batch) int {
	return eachLine(data, off, line, func(l []byte, off int64, line int) { p.parseLine(l, off, line, fc, out) })
}

// parseLine parses one NDJSON line (without newline) at offset off.
func (p *recordParser) parseLine(l []byte, off int64, line int, fc *fileCtx, out *batch) {
	if n := len(l); n > 0 && l[n-1] == '\r' {
		l = l[:n-1]
	}
	if skipSpace(l, 0) == len(l) {
		return // blank lines are not records
	}
	if len(l) > MaxLineBytes {
		out.bad = append(out.bad, BadRecord{File: fc.path, Line: line, Offset: off,
			Reason: "line longer than " + strconv.Itoa(MaxLineBytes) + " bytes"})
		return
	}
	p.record(l, off, int32(len(l)), line, fc.unknown, fc.instance, fc, out)
}

// record parses one record's JSON and appends it (or why it is bad) to out.
func (p *recordParser) record(js []byte, off int64, length int32, line int, unknown bool, instance string, fc *fileCtx, out *batch) {
	if n := len(out.recs); n < cap(out.recs) {
		out.recs = out.recs[:n+1] // parse overwrites every field
	} else {
		out.recs = append(out.recs, model.Transaction{})
	}
	t := &out.recs[len(out.recs)-1]
	p.repaired = ""
	parse := p.parse
	if p.swap != nil {
		parse = p.swap
	}
	if err := parse(js, unknown, t); err != nil {
		out.recs = out.recs[:len(out.recs)-1]
		out.bad = append(out.bad, BadRecord{File: fc.path, Line: line, Offset: off, Reason: err.Error()})
		return
	}
	t.FileID, t.File, t.Line, t.Offset, t.Length = fc.id, fc.path, line, off, length
	if t.Instance == "" || t.Instance == unmatchedAPI {
		t.Instance = instance
	}
	if p.repaired != "" {
		out.bad = append(out.bad, BadRecord{File: fc.path, Line: line, Offset: off, Kept: true,
			Reason: "invalid UTF-8 in " + p.repaired + " replaced by U+FFFD"})
	}
}
