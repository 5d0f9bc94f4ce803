package ingest

import (
	"bytes"
	"fmt"
	"strconv"
)

// This file reads captured STDOUT (formats.md §1): each physical line may be
// wrapped by the container runtime (Docker json-file, CRI) and holds a
// firewall console line "source:counter:length:split [date] [module:level]
// [pid:tid] message"; long messages are split over several lines that share
// (source, counter) and are joined again here.

// Layout says how a file frames its records.
type Layout uint8

const (
	LayoutAuto   Layout = iota // ReadRecord: detect from the bytes
	LayoutNDJSON               // FILES layout: one JSON record per line
	LayoutStdout               // captured console output, plain or wrapped
)

// LayoutErrorLog is a vhost error log: transactions embedded as
// transaction[<uuid>]: {json} lines (errorlog.go).
const LayoutErrorLog = LayoutStdout + 1

func (l Layout) String() string {
	switch l {
	case LayoutNDJSON:
		return "ndjson"
	case LayoutStdout:
		return "stdout"
	case LayoutErrorLog:
		return "errorlog"
	}
	return "auto"
}

// consoleStream tells a runtime's stdout and stderr apart (plain text: none).
type consoleStream uint8

const (
	streamPlain consoleStream = iota
	streamStdout
	streamStderr
)

// consoleLine is one physical line of a captured STDOUT file, unwrapped.
type consoleLine struct {
	stream  consoleStream
	text    []byte // the console text, without its newline
	partial bool   // the runtime cut the line: it continues in the stream's next line
}

// unwrapLine removes the container runtime's framing from one physical line
// (without its newline). Docker's log text is decoded into scratch, which
// the result may alias; the grown scratch is returned for reuse.
func unwrapLine(line, scratch []byte) (consoleLine, []byte, error) {
	if len(line) > 0 && line[0] == '{' {
		return unwrapDocker(line, scratch)
	}
	if cl, ok := unwrapCRI(line); ok {
		return cl, scratch, nil
	}
	return consoleLine{text: line}, scratch, nil
}

// unwrapDocker reads a json-file line: {"log":"text\n","stream":"stdout","time":"…"}.
// A log text without its final newline is a part of a longer line.
func unwrapDocker(line, scratch []byte) (consoleLine, []byte, error) {
	var (
		cl     consoleLine
		logged bool
	)
	i := skipSpace(line, 1)
	if i < len(line) && line[i] == '}' {
		return cl, scratch, fmt.Errorf("not a Docker json-file line: no \"log\"")
	}
	for {
		if i >= len(line) || line[i] != '"' {
			return cl, scratch, errAt(i, "expected a key")
		}
		kend, kesc, khigh, err := scanString(line, i+1)
		if err != nil {
			return cl, scratch, err
		}
		key := stringContent(line, i, kend, kesc, khigh)
		i = skipSpace(line, kend)
		if i >= len(line) || line[i] != ':' {
			return cl, scratch, errAt(i, "expected ':'")
		}
		i = skipSpace(line, i+1)
		vstart := i
		var kind valueKind
		var esc, high bool
		if i < len(line) && line[i] == '"' {
			i, esc, high, err = scanString(line, i+1)
			kind = kindString
		} else {
			i, kind, err = skipValue(line, i, 1)
		}
		if err != nil {
			return cl, scratch, err
		}
		switch string(key) {
		case "log":
			if kind != kindString {
				return cl, scratch, fmt.Errorf("Docker json-file line: \"log\" is %s", kind)
			}
			content := line[vstart+1 : i-1]
			if esc || high {
				scratch = appendUnquoted(scratch[:0], content)
				content = scratch
			}
			cl.text, logged = content, true
		case "stream":
			if kind == kindString {
				switch string(line[vstart+1 : i-1]) {
				case "stdout":
					cl.stream = streamStdout
				case "stderr":
					cl.stream = streamStderr
				}
			}
		}
		i = skipSpace(line, i)
		if i < len(line) && line[i] == ',' {
			i = skipSpace(line, i+1)
			continue
		}
		if i < len(line) && line[i] == '}' {
			if end := skipSpace(line, i+1); end != len(line) {
				return cl, scratch, errAt(end, "data after the Docker json-file line")
			}
			break
		}
		return cl, scratch, errAt(i, "expected ',' or '}'")
	}
	if !logged {
		return cl, scratch, fmt.Errorf("not a Docker json-file line: no \"log\"")
	}
	if n := len(cl.text); n > 0 && cl.text[n-1] == '\n' {
		cl.text = cl.text[:n-1]
		if n := len(cl.text); n > 0 && cl.text[n-1] == '\r' {
			cl.text = cl.text[:n-1]
		}
	} else {
		cl.partial = true
	}
	return cl, scratch, nil
}

// unwrapCRI reads a CRI (containerd, CRI-O) line:
// "2024-02-21T08:31:22.128004Z stdout F text", P marking a partial line.
func unwrapCRI(line []byte) (consoleLine, bool) {
	var cl consoleLine
	sp := bytes.IndexByte(line, ' ')
	if sp < 20 || line[4] != '-' || line[7] != '-' || line[10] != 'T' || !isDigits(line[:4]) {
		return cl, false
	}
	rest := line[sp+1:]
	switch {
	case bytes.HasPrefix(rest, []byte("stdout ")):
		cl.stream, rest = streamStdout, rest[7:]
	case bytes.HasPrefix(rest, []byte("stderr ")):
		cl.stream, rest = streamStderr, rest[7:]
	default:
		return cl, false
	}
	tag := rest
	if sp := bytes.IndexByte(rest, ' '); sp >= 0 {
		tag, rest = rest[:sp], rest[sp+1:]
	} else {
		rest = nil
	}
	if c := bytes.IndexByte(tag, ':'); c >= 0 { // future tags are ':'-separated after P/F
		tag = tag[:c]
	}
	switch string(tag) {
	case "F":
	case "P":
		cl.partial = true
	default:
		return cl, false
	}
	cl.text = rest
	return cl, true
}

func isDigits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return len(b) > 0
}

// fwLine is one firewall console line (or chunk of a split message).
type fwLine struct {
	source  []byte
	counter uint64
	length  int // of the whole message
	split   int // 0: not split; 1, 2, …: chunk number
	message []byte
}

// parseFirewallLine reads "source:counter:length:split" and, on a message's
// first chunk, the "[date] [module:level] [pid:tid]" header. ok is false for
// console text that is not firewall output.
func parseFirewallLine(text []byte) (fwLine, bool) {
	var l fwLine
	sp := bytes.IndexByte(text, ' ')
	if sp < 0 {
		sp = len(text)
	}
	prefix := text[:sp]
	var nums [3]int64
	for k := 2; k >= 0; k-- {
		c := bytes.LastIndexByte(prefix, ':')
		if c < 0 {
			return l, false
		}
		n, err := strconv.ParseInt(string(prefix[c+1:]), 10, 64)
		if err != nil || n < 0 {
			return l, false
		}
		nums[k], prefix = n, prefix[:c]
	}
	if len(prefix) == 0 || nums[1] > 1<<40 {
		return l, false
	}
	l.source, l.counter, l.length, l.split = prefix, uint64(nums[0]), int(nums[1]), int(nums[2])
	if sp < len(text) {
		l.message = text[sp+1:]
	}
	if l.split <= 1 {
		l.message = skipHeader(l.message)
	}
	return l, true
}

// skipHeader drops up to three "[…] " groups: the date, module:level and pid:tid.
func skipHeader(m []byte) []byte {
	for g := 0; g < 3 && len(m) > 0 && m[0] == '['; g++ {
		end := bytes.IndexByte(m, ']')
		if end < 0 {
			return m
		}
		m = m[end+1:]
		if len(m) > 0 && m[0] == ' ' {
			m = m[1:]
		}
	}
	return m
}

// sourceKind is what a console source writes.
type sourceKind uint8

const (
	sourceOther sourceKind = iota
	sourceTransactions
	sourceUnknownTransactions
)

// classifySource reads "<instance>.api-<uid>.transaction" and
// "<instance>.unknown.transaction"; access and error sources are other.
func classifySource(src []byte) (kind sourceKind, instance []byte) {
	rest, ok := bytes.CutSuffix(src, []byte(".transaction"))
	if !ok {
		return sourceOther, nil
	}
	dot := bytes.LastIndexByte(rest, '.')
	if dot <= 0 {
		return sourceOther, nil
	}
	switch name := rest[dot+1:]; {
	case string(name) == "unknown":
		return sourceUnknownTransactions, rest[:dot]
	case bytes.HasPrefix(name, []byte("api-")):
		return sourceTransactions, rest[:dot]
	}
	return sourceOther, nil
}

// msgKey identifies one message of one source.
type msgKey struct {
	source  string
	counter uint64
}

// partialMsg is a split message still missing chunks.
type partialMsg struct {
	buf    []byte
	length int
	next   int   // the split counter expected next
	offset int64 // of the first chunk's line
	line   int
}

// chunkOutcome is what adding one chunk gives.
type chunkOutcome uint8

const (
	chunkPending  chunkOutcome = iota // more chunks to come
	chunkComplete                     // msg holds the whole message
	chunkBad                          // reason says why; nothing to emit
)

// reassembler joins split messages by (source, counter), checking the
// declared length and the chunk order.
type reassembler struct {
	pending map[msgKey]*partialMsg
}

// add takes one chunk whose physical line starts at offset. On complete, msg
// is the whole message and offset/line those of its first chunk.
func (r *reassembler) add(l fwLine, offset int64, line int) (out chunkOutcome, msg []byte, firstOffset int64, firstLine int, reason string) {
	if l.split == 0 {
		if len(l.message) != l.length {
			return chunkBad, nil, offset, line, fmt.Sprintf("message length %d, prefix says %d", len(l.message), l.length)
		}
		return chunkComplete, l.message, offset, line, ""
	}
	if r.pending == nil {
		r.pending = map[msgKey]*partialMsg{}
	}
	key := msgKey{string(l.source), l.counter}
	p := r.pending[key]
	if l.split == 1 {
		if p != nil { // a restarted counter: the earlier message never completed
			delete(r.pending, key)
		}
		p = &partialMsg{length: l.length, next: 1, offset: offset, line: line}
	} else if p == nil {
		return chunkBad, nil, offset, line, fmt.Sprintf("chunk %d of a split message whose first chunk was not seen", l.split)
	}
	if l.split != p.next {
		delete(r.pending, key)
		return chunkBad, nil, p.offset, p.line, fmt.Sprintf("split message: chunk %d after chunk %d", l.split, p.next-1)
	}
	if l.length != p.length {
		delete(r.pending, key)
		return chunkBad, nil, p.offset, p.line, fmt.Sprintf("split message: chunk %d declares length %d, first chunk %d", l.split, l.length, p.length)
	}
	p.buf = append(p.buf, l.message...)
	p.next++
	switch {
	case len(p.buf) == p.length:
		delete(r.pending, key)
		return chunkComplete, p.buf, p.offset, p.line, ""
	case len(p.buf) > p.length:
		delete(r.pending, key)
		return chunkBad, nil, p.offset, p.line, fmt.Sprintf("split message longer (%d bytes) than its prefix says (%d)", len(p.buf), p.length)
	}
	r.pending[key] = p
	return chunkPending, nil, 0, 0, ""
}

// expire drops messages whose first chunk is before limit: their writer
// moved on long ago, the rest will not come.
func (r *reassembler) expire(limit int64, drop func(p *partialMsg)) {
	for k, p := range r.pending {
		if p.offset < limit {
			delete(r.pending, k)
			drop(p)
		}
	}
}

// earliest is the offset of the oldest unfinished message, or -1.
func (r *reassembler) earliest() (int64, int) {
	off, line := int64(-1), 0
	for _, p := range r.pending {
		if off < 0 || p.offset < off {
			off, line = p.offset, p.line
		}
	}
	return off, line
}

// stdoutMaxBehind is how far (bytes) the reader may move past the first
// chunk of an unfinished split message, or the start of a runtime-split
// line, before giving up on it.
const stdoutMaxBehind = 4 << 20

// stdoutReader is the state of one captured STDOUT stream between lines:
// runtime-split lines being joined and split messages being reassembled.
type stdoutReader struct {
	joins   [3]joinBuf // per consoleStream
	reasm   reassembler
	scratch []byte
	other   int64 // console lines that are not transactions (access, error, anything else)
}

// joinBuf collects the parts of a line the runtime cut (CRI "P", Docker
// without final newline).
type joinBuf struct {
	text   []byte
	offset int64
	line   int
	active bool
}

// restart is where reading must start again to rebuild the unfinished
// state: the earliest unfinished message or line, or -1 if none.
func (s *stdoutReader) restart() (int64, int) {
	off, line := s.reasm.earliest()
	for _, j := range s.joins {
		if j.active && (off < 0 || j.offset < off) {
			off, line = j.offset, j.line
		}
	}
	return off, line
}

// parseStdoutLines feeds complete physical lines (line is the number of the
// line before data) through unwrapping, joining and reassembly, and returns
// the number of lines.
func (p *recordParser) parseStdoutLines(data []byte, off int64, line int, c *cursor, fc *fileCtx, out *batch) int {
	first := line
	for len(data) > 0 {
		nl := bytes.IndexByte(data, '\n')
		l, adv := data, len(data)
		if nl >= 0 {
			l, adv = data[:nl], nl+1
		}
		line++
		p.feedStdout(l, off, line, c, fc, out)
		off += int64(adv)
		data = data[adv:]
	}
	p.expireStdout(off-stdoutMaxBehind, c, fc, out)
	return line - first
}

// expireStdout reports unfinished messages and lines that started before limit.
func (p *recordParser) expireStdout(limit int64, c *cursor, fc *fileCtx, out *batch) {
	s := c.stdout
	if s == nil || limit <= 0 {
		return
	}
	s.reasm.expire(limit, func(m *partialMsg) {
		out.bad = append(out.bad, BadRecord{File: fc.path, Line: m.line, Offset: m.offset,
			Reason: fmt.Sprintf("split message never completed (%d of %d bytes)", len(m.buf), m.length)})
	})
	for k := range s.joins {
		if j := &s.joins[k]; j.active && j.offset < limit {
			j.active = false
			out.bad = append(out.bad, BadRecord{File: fc.path, Line: j.line, Offset: j.offset,
				Reason: "partial console line never completed"})
		}
	}
}

// feedStdout handles one physical line (without newline) at offset off.
func (p *recordParser) feedStdout(raw []byte, off int64, line int, c *cursor, fc *fileCtx, out *batch) {
	if c.stdout == nil {
		c.stdout = &stdoutReader{}
	}
	c.stdout.consume(raw, off, line,
		func(m stdoutMessage) {
			inst := p.intern.get(cacheSourceInstance, m.instance)
			p.record(m.text, m.offset, int32(m.end-m.offset), m.line, m.kind == sourceUnknownTransactions, inst, fc, out)
		},
		func(off int64, line int, reason string) {
			out.bad = append(out.bad, BadRecord{File: fc.path, Line: line, Offset: off, Reason: reason})
		})
}

// stdoutMessage is one complete transaction message.
type stdoutMessage struct {
	text     []byte // valid until the next consume
	offset   int64  // of its first physical line
	line     int
	end      int64 // end of its last physical line (without newline)
	kind     sourceKind
	instance []byte
}

// consume handles one physical line (without newline) at offset off: it
// unwraps, joins runtime-split lines, reassembles split messages and calls
// message for each complete transaction message, bad for what cannot be used.
func (s *stdoutReader) consume(raw []byte, off int64, line int, message func(stdoutMessage), bad func(off int64, line int, reason string)) {
	if n := len(raw); n > 0 && raw[n-1] == '\r' {
		raw = raw[:n-1]
	}
	if skipSpace(raw, 0) == len(raw) {
		return
	}
	if len(raw) > MaxLineBytes {
		bad(off, line, "line longer than "+strconv.Itoa(MaxLineBytes)+" bytes")
		return
	}
	cl, scratch, err := unwrapLine(raw, s.scratch)
	s.scratch = scratch
	if err != nil {
		bad(off, line, "container log line: "+err.Error())
		return
	}
	end := off + int64(len(raw))
	text, firstOff, firstLine := cl.text, off, line
	j := &s.joins[cl.stream]
	if cl.partial {
		if !j.active {
			j.active, j.offset, j.line, j.text = true, off, line, j.text[:0]
		}
		j.text = append(j.text, cl.text...)
		if len(j.text) > MaxLineBytes {
			j.active = false
			bad(j.offset, j.line, "line longer than "+strconv.Itoa(MaxLineBytes)+" bytes")
		}
		return
	}
	if j.active {
		j.text = append(j.text, cl.text...)
		text, firstOff, firstLine, j.active = j.text, j.offset, j.line, false
	}
	fl, ok := parseFirewallLine(text)
	if !ok {
		s.other++
		return
	}
	kind, instance := classifySource(fl.source)
	if kind == sourceOther {
		if fl.split <= 1 {
			s.other++
		}
		return
	}
	if fl.length > MaxLineBytes {
		if fl.split <= 1 {
			bad(firstOff, firstLine, fmt.Sprintf("message of %d bytes is longer than %d", fl.length, MaxLineBytes))
		}
		return
	}
	res, msg, mOff, mLine, reason := s.reasm.add(fl, firstOff, firstLine)
	switch res {
	case chunkBad:
		bad(mOff, mLine, reason)
	case chunkComplete:
		message(stdoutMessage{text: msg, offset: mOff, line: mLine, end: end, kind: kind, instance: instance})
	}
}
