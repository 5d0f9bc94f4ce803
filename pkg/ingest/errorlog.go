package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
)

// This file reads the transactions a firewall writes into its virtual hosts'
// error logs (vh-<uid>.error.log) at info level, one per line:
//
//	[Tue Dec 05 08:19:25.777231 2023] [guardian:info] [140:1407…] [192.168.65.1:29959] transaction.cpp(850): transaction[<uuid>]: {json}
//
// The JSON went through the web server's error-log escaping: a backslash is
// written doubled ("W/\\"{}\\"" for the JSON text "W/\"{}\""), control
// characters as \n, \t … and other unprintable bytes as \xHH. The lines are
// the only persistent copy of the transactions where the transaction logs
// are named pipes, so Options.ErrorLogTransactions reads them (off by
// default: the transaction files are the normal source, and a record found
// in both is kept once, from the transaction file, by its uuid).

// errorLogMarker starts the transaction id in an error-log line.
var errorLogMarker = []byte("transaction[")

// errorLogScratch holds the unescaped JSON of one line while it is parsed.
var errorLogScratch = sync.Pool{New: func() any { b := make([]byte, 0, 16<<10); return &b }}

// errorLogTransaction finds the transaction a vhost error-log line carries:
// the id in brackets and the escaped JSON after "]: ". ok is false for the
// other lines (start-up messages, "transaction[…]: log in the API
// transaction log" and the like), which are not records.
func errorLogTransaction(line []byte) (id, escaped []byte, ok bool) {
	for from := 0; ; {
		i := bytes.Index(line[from:], errorLogMarker)
		if i < 0 {
			return nil, nil, false
		}
		start := from + i + len(errorLogMarker)
		end := bytes.IndexByte(line[start:], ']')
		if end < 0 {
			return nil, nil, false
		}
		rest := line[start+end+1:]
		if bytes.HasPrefix(rest, []byte(": {")) {
			return line[start : start+end], rest[2:], true
		}
		from = start
	}
}

// unescapeErrorLog undoes the error log's escaping into dst: \\ is a
// backslash, \" a quote, \n \r \t \b \v \f control characters, \xHH a byte.
// Any other backslash is kept as written.
func unescapeErrorLog(dst, s []byte) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 == len(s) {
			dst = append(dst, c)
			continue
		}
		switch n := s[i+1]; n {
		case '\\', '"':
			dst = append(dst, n)
			i++
		case 'n':
			dst, i = append(dst, '\n'), i+1
		case 'r':
			dst, i = append(dst, '\r'), i+1
		case 't':
			dst, i = append(dst, '\t'), i+1
		case 'b':
			dst, i = append(dst, '\b'), i+1
		case 'v':
			dst, i = append(dst, '\v'), i+1
		case 'f':
			dst, i = append(dst, '\f'), i+1
		case 'x':
			if i+3 < len(s) {
				if v, ok := hexByte(s[i+2], s[i+3]); ok {
					dst, i = append(dst, v), i+3
					continue
				}
			}
			dst = append(dst, c)
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

func hexByte(a, b byte) (byte, bool) {
	h, ok1 := hexDigit(a)
	l, ok2 := hexDigit(b)
	return h<<4 | l, ok1 && ok2
}

func hexDigit(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// errorLogRecord returns the JSON of the transaction in one error-log line
// (unescaped into dst) and the id in brackets.
func errorLogRecord(dst, line []byte) (js []byte, id string, ok bool) {
	rawID, escaped, ok := errorLogTransaction(line)
	if !ok {
		return dst, "", false
	}
	escaped = bytes.TrimRight(escaped, " \t\r")
	return unescapeErrorLog(dst[:0], escaped), string(rawID), true
}

// parseErrorLogLines parses complete error-log lines; line is the number
// of the line before data. Every line is one record or none, so the record's
// position is its whole line (what ReadRecord and Purge work on).
func (p *recordParser) parseErrorLogLines(data []byte, off int64, line int, fc *fileCtx, out *batch) int {
	return eachLine(data, off, line, func(l []byte, off int64, line int) { p.parseErrorLogLine(l, off, line, fc, out) })
}

// parseErrorLogLine parses one error-log line (without its newline).
func (p *recordParser) parseErrorLogLine(l []byte, off int64, line int, fc *fileCtx, out *batch) {
	if n := len(l); n > 0 && l[n-1] == '\r' {
		l = l[:n-1]
	}
	if !bytes.Contains(l, errorLogMarker) {
		return
	}
	if len(l) > MaxLineBytes {
		out.bad = append(out.bad, BadRecord{File: fc.path, Line: line, Offset: off,
			Reason: fmt.Sprintf("line longer than %d bytes", MaxLineBytes)})
		return
	}
	bp := errorLogScratch.Get().(*[]byte)
	defer errorLogScratch.Put(bp)
	js, id, ok := errorLogRecord(*bp, l)
	*bp = js[:0]
	if !ok {
		return
	}
	before := len(out.recs)
	p.record(js, off, int32(len(l)), line, false, fc.instance, fc, out)
	if len(out.recs) == before {
		// Not parsed: say where the bad record came from.
		if b := &out.bad[len(out.bad)-1]; !b.Kept {
			b.Reason = "error-log transaction[" + id + "]: " + b.Reason
		}
		return
	}
	if t := &out.recs[len(out.recs)-1]; !strings.EqualFold(t.UUID, id) {
		out.recs = out.recs[:before]
		out.bad = append(out.bad, BadRecord{File: fc.path, Line: line, Offset: off,
			Reason: fmt.Sprintf("error-log transaction[%s] holds a record whose uuid is %q", id, t.UUID)})
	}
}

// errorLogRecordAt is ReadRecord's part for an error-log line.
func errorLogRecordAt(b []byte) ([]byte, error) {
	line := bytes.TrimRight(b, "\r\n")
	if nl := bytes.IndexByte(line, '\n'); nl >= 0 {
		line = line[:nl]
	}
	js, _, ok := errorLogRecord(nil, line)
	if !ok {
		return nil, errors.New("no transaction in the error-log line")
	}
	return js, nil
}

// isVhostErrorLog: a virtual host's error log (vh-<uid>.error.log, rotated
// copies included), where transactions are written at info level.
func isVhostErrorLog(name string) bool {
	i := strings.Index(name, "vh-")
	return i >= 0 && (i == 0 || name[i-1] == '.') && strings.Contains(name[i:], ".error.log")
}

// errorLogSniff remembers, per error log, how far it was searched for an
// embedded transaction and whether one was found, so listing a root (every
// poll) reads each file's new bytes once, at most sniffLimit per look.
var errorLogSniff = struct {
	sync.Mutex
	m map[string]sniffState
}{m: map[string]sniffState{}}

type sniffState struct {
	checked int64
	found   bool
}

const sniffLimit = 1 << 20

// errorLogHasTransactions says whether an error log holds at least one
// "transaction[<uuid>]: {json}" line (looking at new bytes only, up to
// sniffLimit per call).
func errorLogHasTransactions(path string) bool {
	errorLogSniff.Lock()
	st := errorLogSniff.m[path]
	errorLogSniff.Unlock()
	if st.found {
		return true
	}
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		return false
	}
	if fi.Size() < st.checked {
		st.checked = 0 // truncated or replaced
	}
	if fi.Size() == st.checked {
		return false
	}
	buf := make([]byte, min(fi.Size()-st.checked, sniffLimit))
	n, _ := f.ReadAt(buf, st.checked)
	buf = buf[:n]
	if nl := bytes.LastIndexByte(buf, '\n'); nl >= 0 {
		buf = buf[:nl+1]
	} else if int64(n) < sniffLimit {
		return false // a line still being written: look again later
	}
	st.checked += int64(len(buf))
	for len(buf) > 0 && !st.found {
		l := buf
		if nl := bytes.IndexByte(buf, '\n'); nl >= 0 {
			l, buf = buf[:nl], buf[nl+1:]
		} else {
			buf = nil
		}
		_, _, st.found = errorLogTransaction(l)
	}
	errorLogSniff.Lock()
	errorLogSniff.m[path] = st
	errorLogSniff.Unlock()
	return st.found
}
