package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apifw/monitor/pkg/model"
)

// MaxLineBytes bounds one record; longer lines are skipped and reported.
const MaxLineBytes = 1 << 20

// readChunk is how much of a file is read at once; it is cut at the last
// newline and the complete lines are shared among the parse workers.
const readChunk = 512 << 10

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

// readOutput receives what a read produces, in file order, on the reading goroutine.
type readOutput struct {
	records  func([]model.Transaction) // the slice is reused after the call
	bad      func(BadRecord)
	progress func(bytes int64)
}

// streamReader reads files: chunks cut at newlines, parsed by several
// workers at once while the next chunk is read and the previous one's
// records are handed on. One per Tailer (or ReadFile call); not concurrent.
//
// With W workers, W-1 goroutines parse and the reading goroutine joins them
// once it has read the next chunk; a chunk is cut into up to 4W pieces that
// whoever is free takes next, so no core waits for a slow piece.
type streamReader struct {
	cfg     *parserConfig
	parsers []*recordParser // [0] is the reading goroutine's
	bufs    [2][]byte
	sets    [2][]batch // per buffer, one batch per piece
	now     func() time.Time
}

// piecesPerWorker is how many pieces a chunk is cut into per worker.
const piecesPerWorker = 4

func newStreamReader(cfg *parserConfig, workers int) *streamReader {
	r := &streamReader{cfg: cfg, now: cfg.opts.now}
	for k := 0; k < max(1, workers); k++ {
		r.parsers = append(r.parsers, newRecordParser(cfg))
	}
	for i := range r.sets {
		r.sets[i] = make([]batch, piecesPerWorker*len(r.parsers))
	}
	return r
}

// minChunk is the smallest read buffer: small files need no more.
const minChunk = 64 << 10

// buffers makes the read buffers hold at least n bytes (up to readChunk).
func (r *streamReader) buffers(n int64) {
	n = min(max(n, minChunk), readChunk)
	if int64(len(r.bufs[0])) < n {
		r.bufs[0], r.bufs[1] = make([]byte, n), make([]byte, n)
	}
}

// grow doubles the buffers (keeping cur's first keep bytes), for a line
// longer than they are but not beyond MaxLineBytes.
func (r *streamReader) grow(cur, keep int) {
	n := min(2*len(r.bufs[0]), max(readChunk, MaxLineBytes+1))
	next := make([]byte, n)
	copy(next, r.bufs[cur][:keep])
	r.bufs[cur], r.bufs[1-cur] = next, make([]byte, n)
}

// flight is a parse in progress: pieces of one chunk, taken in turn by the
// helpers and the reading goroutine.
type flight struct {
	wg     sync.WaitGroup // the helper goroutines
	set    []batch        // per piece
	pieces []piece
	next   atomic.Int32 // the next piece to take
	fc     *fileCtx
	bytes  int64
}

// piece is a run of whole lines starting at stream offset off.
type piece struct {
	data []byte
	off  int64
}

// work parses pieces until none is left.
func (fl *flight) work(p *recordParser) {
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

// wait finishes the flight: the reading goroutine takes what is left, then
// waits for the helpers.
func (r *streamReader) wait(fl *flight) {
	fl.work(r.parsers[0])
	fl.wg.Wait()
}

// read consumes src (positioned at c.offset) to its end; sizeHint is how
// many bytes are expected (it sizes the buffers). final says src is complete
// (a finished archive): an unterminated last line is then a record or a bad
// one, never pending.
func (r *streamReader) read(src io.Reader, c *cursor, fc *fileCtx, layout Layout, final bool, sizeHint int64, out readOutput) error {
	r.buffers(sizeHint + 1)
	cur, carry := 0, 0
	var inFlight *flight
	flights := [2]flight{}
	dispatchOff, dispatchLine := c.offset, c.line
	first := true

	finish := func() {
		if inFlight == nil {
			return
		}
		r.wait(inFlight)
		for k := range inFlight.set[:max(1, len(inFlight.pieces))] {
			b := &inFlight.set[k]
			if b.relative {
				for i := range b.recs {
					b.recs[i].Line += c.line
				}
				for i := range b.bad {
					b.bad[i].Line += c.line
				}
			}
			c.line += b.lines
			r.emit(b, c, out)
		}
		c.offset += inFlight.bytes
		if out.progress != nil {
			out.progress(inFlight.bytes)
		}
		inFlight = nil
	}

	var readErr error
	for {
		buf := r.bufs[cur]
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
			// the parse in flight (it reads the other buffer), then grow.
			finish()
			start := len(buf) - len(data) // 1 when an already-emitted newline was skipped
			r.grow(cur, len(buf))
			carry = len(buf)
			if start > 0 {
				copy(r.bufs[cur], r.bufs[cur][start:carry])
				carry -= start
			}
			if eof || readErr != nil {
				break
			}
			continue
		}
		if cut == 0 && carry+n == len(buf) {
			// No newline in a whole buffer: a line far beyond MaxLineBytes.
			finish()
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
		// Parse the complete lines while the previous chunk's records are
		// handed on and the next chunk is read. The workers' parsers are
		// free once the previous parse is done.
		prev := inFlight
		if prev != nil {
			r.wait(prev)
		}
		var fl *flight
		if cut > 0 {
			fl = &flights[cur]
			fl.set, fl.bytes, fl.pieces = r.sets[cur], int64(cut), fl.pieces[:0]
			fl.next.Store(0)
			r.launch(fl, data[:cut], dispatchOff, dispatchLine, fc, layout, c)
			dispatchOff += int64(cut)
			if layout == LayoutStdout || layout == LayoutErrorLog { // parsed already, in order
				dispatchLine += fl.set[0].lines
			}
		}
		if prev != nil {
			inFlight = prev
			finish()
		}
		inFlight = fl
		rest := data[cut:]
		next := r.bufs[1-cur]
		carry = copy(next, rest)
		cur = 1 - cur
		if eof || readErr != nil {
			break
		}
	}
	finish()
	if f, ok := src.(finisher); ok && f.finished() {
		final = true
	}
	tail := r.bufs[cur][:carry]
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
	set := &r.sets[0][0]
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
// number line+1): STDOUT at once, in order; NDJSON cut into pieces of whole
// lines for the helpers (the reading goroutine joins in r.wait).
func (r *streamReader) launch(fl *flight, data []byte, off int64, line int, fc *fileCtx, layout Layout, c *cursor) {
	now := r.now()
	fl.fc = fc
	if layout == LayoutStdout { // reassembly is sequential: absolute line numbers
		p := r.parsers[0]
		p.setNow(now)
		fl.set[0].reset()
		fl.set[0].lines = p.parseStdoutLines(data, off, line, c, fc, &fl.set[0])
		return
	}
	if layout == LayoutErrorLog { // few records among many lines: in order, absolute line numbers
		p := r.parsers[0]
		p.setNow(now)
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
	for _, p := range r.parsers {
		p.setNow(now)
	}
	for h := 1; h < len(r.parsers) && h < len(fl.pieces); h++ {
		fl.wg.Add(1)
		go func(p *recordParser) {
			defer fl.wg.Done()
			fl.work(p)
		}(r.parsers[h])
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
