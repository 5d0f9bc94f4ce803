package ingest

import (
	"encoding/binary"
	"math/bits"
	"strconv"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// This file is a validating JSON scanner over bytes: it accepts exactly what
// encoding/json accepts (RFC 8259 grammar, nesting up to 10000 levels, any
// bytes ≥ 0x20 inside strings) without allocating, so the record parser can
// skip the keys it does not index at memory speed and still reject garbage.

// maxNestingDepth is encoding/json's limit, kept so both decoders agree.
const maxNestingDepth = 10000

// syntaxError is a JSON grammar error at a byte offset of the line.
type syntaxError struct {
	pos int
	msg string
}

func (e *syntaxError) Error() string {
	return "invalid JSON at byte " + strconv.Itoa(e.pos) + ": " + e.msg
}

func errAt(pos int, msg string) error { return &syntaxError{pos, msg} }

// valueKind is the JSON type of a scanned value.
type valueKind uint8

const (
	kindNone valueKind = iota
	kindString
	kindNumber
	kindTrue
	kindFalse
	kindNull
	kindObject
	kindArray
)

func (k valueKind) String() string {
	return [...]string{"nothing", "string", "number", "true", "false", "null", "object", "array"}[k]
}

// skipSpace returns the index of the first non-whitespace byte at or after i.
func skipSpace(b []byte, i int) int {
	for i < len(b) {
		c := b[i]
		if c > ' ' || (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
			return i
		}
		i++
	}
	return i
}

const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// specialMask flags, in the high bit of each byte of w, the bytes that end
// a plain run inside a string: '"', '\\' and control bytes (< 0x20). Only the
// lowest flagged byte is exact (borrows may flag higher ones), which is all
// the caller uses.
func specialMask(w uint64) uint64 {
	// w^0x02 maps '"' to 0x20 and keeps 0x00-0x1f below 0x20: one
	// "less than 0x21" test finds both; a zero test finds '\\'.
	q := w ^ (lsb * 0x02)
	s := w ^ (lsb * '\\')
	return ((q-lsb*0x21)&^q | (s-lsb)&^s) & msb
}

// plainEnd returns the index of the first '"', '\\' or control byte at or
// after j, eight bytes at a time; with stopHigh = msb it stops at a byte
// ≥ 0x80 too (stopHigh is a constant at every call: it folds away). Within
// the last seven bytes of b it stops early (at most at len(b)), leaving the
// rest to a byte-by-byte caller. Every string loop of both parsers (keys,
// skipped values, scanned values) runs on it; it inlines.
func plainEnd(b []byte, j int, stopHigh uint64) int {
	for ; j+8 <= len(b); j += 8 {
		w := binary.LittleEndian.Uint64(b[j : j+8])
		if m := specialMask(w) | w&stopHigh; m != 0 {
			return j + bits.TrailingZeros64(m)>>3
		}
	}
	return j
}

// scanString scans a string whose opening quote is at b[i-1]: it returns the
// index just past the closing quote, whether the content has escapes and
// whether it has bytes ≥ 0x80 (which may be invalid UTF-8).
func scanString(b []byte, i int) (end int, escaped, high bool, err error) {
	i = plainEnd(b, i, msb)
	if uint(i) < uint(len(b)) && b[i] == '"' {
		return i + 1, false, false, nil
	}
	return scanStringSlow(b, i)
}

// scanStringSlow continues scanString at b[i]: escapes, bytes ≥ 0x80,
// control characters and the last bytes of the line.
func scanStringSlow(b []byte, i int) (end int, escaped, high bool, err error) {
	for {
		if !high {
			i = plainEnd(b, i, msb)
		} else {
			i = plainEnd(b, i, 0) // high is known: only the end matters
		}
		if i >= len(b) {
			return i, escaped, false, errAt(i, "unterminated string")
		}
		c := b[i]
		switch {
		case c == '"':
			return i + 1, escaped, high, nil
		case c == '\\':
			escaped = true
			if i+1 >= len(b) {
				return i, escaped, false, errAt(i, "unterminated escape")
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(b) || !isHex4(b[i+2:i+6]) {
					return i, escaped, false, errAt(i, `invalid \u escape`)
				}
				i += 6
			default:
				return i, escaped, false, errAt(i, "invalid escape")
			}
		case c < 0x20:
			return i, escaped, false, errAt(i, "control character in string")
		default:
			high = high || c >= 0x80
			i++
		}
	}
}

// digitsEnd returns the index of the first byte at or after j that is not
// an ASCII digit, eight bytes at a time (trace timestamps have 16 digits).
func digitsEnd(b []byte, j int) int {
	for j+8 <= len(b) {
		x := binary.LittleEndian.Uint64(b[j:j+8]) ^ (lsb * '0') // digits become 0..9
		// A byte above 9 gets its high bit from the add (or already has it);
		// carries only move up, so the lowest flagged byte is exact.
		m := ((x + lsb*0x76) | x) & msb
		if m != 0 {
			return j + bits.TrailingZeros64(m)>>3
		}
		j += 8
	}
	for j < len(b) && b[j] >= '0' && b[j] <= '9' {
		j++
	}
	return j
}

// skipString is scanString for values nobody reads: it returns only the end.
func skipString(b []byte, i int) (int, error) {
	for {
		i = plainEnd(b, i, 0)
		if i >= len(b) {
			return i, errAt(i, "unterminated string")
		}
		switch c := b[i]; {
		case c == '"':
			return i + 1, nil
		case c == '\\':
			if i+1 >= len(b) {
				return i, errAt(i, "unterminated escape")
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(b) || !isHex4(b[i+2:i+6]) {
					return i, errAt(i, `invalid \u escape`)
				}
				i += 6
			default:
				return i, errAt(i, "invalid escape")
			}
		case c < 0x20:
			return i, errAt(i, "control character in string")
		default:
			i++
		}
	}
}

func isHex4(h []byte) bool {
	for _, c := range h {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// scanNumber validates a number starting at b[i] and returns its end.
func scanNumber(b []byte, i int) (int, error) {
	start := i
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		i++
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	default:
		return i, errAt(start, "invalid number")
	}
	if i < len(b) && b[i] == '.' {
		i++
		if i >= len(b) || b[i] < '0' || b[i] > '9' {
			return i, errAt(i, "invalid number")
		}
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || b[i] < '0' || b[i] > '9' {
			return i, errAt(i, "invalid number")
		}
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	}
	return i, nil
}

// scanLiteral checks that b[i:] starts with lit.
func scanLiteral(b []byte, i int, lit string) (int, error) {
	if len(b)-i < len(lit) || string(b[i:i+len(lit)]) != lit {
		return i, errAt(i, "invalid literal")
	}
	return i + len(lit), nil
}

// skipValue validates the value starting at b[i] (no leading space) and
// returns its end and kind. depth is the nesting depth of the value's
// container.
func skipValue(b []byte, i, depth int) (int, valueKind, error) {
	if i >= len(b) {
		return i, kindNone, errAt(i, "unexpected end of input")
	}
	switch c := b[i]; c {
	case '"':
		end, err := skipString(b, i+1)
		return end, kindString, err
	case '{':
		end, err := skipObject(b, i, depth+1)
		return end, kindObject, err
	case '[':
		end, err := skipArray(b, i, depth+1)
		return end, kindArray, err
	case 't':
		end, err := scanLiteral(b, i, "true")
		return end, kindTrue, err
	case 'f':
		end, err := scanLiteral(b, i, "false")
		return end, kindFalse, err
	case 'n':
		end, err := scanLiteral(b, i, "null")
		return end, kindNull, err
	default:
		if c == '-' || c >= '0' && c <= '9' {
			end, err := scanNumber(b, i)
			return end, kindNumber, err
		}
		return i, kindNone, errAt(i, "unexpected character "+strconv.QuoteRune(rune(c)))
	}
}

// validJSON reports whether b is one JSON value with optional surrounding space.
func validJSON(b []byte) error {
	i := skipSpace(b, 0)
	end, _, err := skipValue(b, i, 0)
	if err != nil {
		return err
	}
	if end = skipSpace(b, end); end != len(b) {
		return errAt(end, "data after the value")
	}
	return nil
}

// unquote decodes the content of a JSON string (without its quotes) the way
// encoding/json does: escapes resolved, invalid UTF-8 bytes and lone
// surrogates replaced by U+FFFD. The content must have passed scanString.
func unquote(s []byte) []byte { return appendUnquoted(make([]byte, 0, len(s)+utf8.UTFMax), s) }

// appendUnquoted appends the decoded content of s to b (see unquote).
func appendUnquoted(b, s []byte) []byte {
	for r := 0; r < len(s); {
		c := s[r]
		switch {
		case c == '\\':
			switch e := s[r+1]; e {
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'u':
				rr := hex4(s[r+2 : r+6])
				r += 6
				if utf16.IsSurrogate(rr) {
					if r+6 <= len(s) && s[r] == '\\' && s[r+1] == 'u' {
						if dec := utf16.DecodeRune(rr, hex4(s[r+2:r+6])); dec != unicode.ReplacementChar {
							r += 6
							b = utf8.AppendRune(b, dec)
							continue
						}
					}
					rr = unicode.ReplacementChar
				}
				b = utf8.AppendRune(b, rr)
				continue
			default: // '"', '\\', '/'
				b = append(b, e)
			}
			r += 2
		case c < utf8.RuneSelf:
			b = append(b, c)
			r++
		default:
			rr, size := utf8.DecodeRune(s[r:])
			r += size
			b = utf8.AppendRune(b, rr)
		}
	}
	return b
}

func hex4(h []byte) rune {
	var r rune
	for _, c := range h {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		default:
			c -= 'A' - 10
		}
		r = r<<4 | rune(c)
	}
	return r
}

// stringContent returns the decoded content of the string value b[start:end]
// (quotes included). It returns a subslice of b when nothing needs decoding.
func stringContent(b []byte, start, end int, escaped, high bool) []byte {
	s := b[start+1 : end-1]
	if escaped || (high && !utf8.Valid(s)) {
		return unquote(s)
	}
	return s
}

// skipObject validates the object at b[i] (depth is its own nesting
// depth): one loop per object, scalars inline, a call only for a nested
// object or array.
func skipObject(b []byte, i, depth int) (int, error) {
	if depth > maxNestingDepth {
		return i, errAt(i, "exceeded max depth")
	}
	n := len(b)
	i++
	if uint(i) < uint(n) && b[i] <= ' ' {
		i = skipSpace(b, i)
	}
	if uint(i) < uint(n) && b[i] == '}' {
		return i + 1, nil
	}
	for {
		// key
		if uint(i) >= uint(n) || b[i] != '"' {
			return i, errAt(i, "expected a key")
		}
		if j := plainEnd(b, i+1, 0); uint(j) < uint(n) && b[j] == '"' {
			i = j + 1
		} else {
			end, err := skipString(b, j)
			if err != nil {
				return end, err
			}
			i = end
		}
		if uint(i) < uint(n) && b[i] == ':' {
			i++
		} else {
			i = skipSpace(b, i)
			if uint(i) >= uint(n) || b[i] != ':' {
				return i, errAt(i, "expected ':'")
			}
			i = skipSpace(b, i+1)
		}
		// value
		end, err := skipValueInline(b, i, depth)
		if err != nil {
			return end, err
		}
		i = end
		// after
		if uint(i) < uint(n) && b[i] == ',' {
			i++
			if uint(i) < uint(n) && b[i] <= ' ' {
				i = skipSpace(b, i)
			}
			continue
		}
		if uint(i) < uint(n) && b[i] == '}' {
			return i + 1, nil
		}
		i = skipSpace(b, i)
		if uint(i) < uint(n) && b[i] == ',' {
			i = skipSpace(b, i+1)
			continue
		}
		if uint(i) < uint(n) && b[i] == '}' {
			return i + 1, nil
		}
		return i, errAt(i, "expected ',' or '}'")
	}
}

// skipArray is skipObject for arrays.
func skipArray(b []byte, i, depth int) (int, error) {
	if depth > maxNestingDepth {
		return i, errAt(i, "exceeded max depth")
	}
	n := len(b)
	i++
	if uint(i) < uint(n) && b[i] <= ' ' {
		i = skipSpace(b, i)
	}
	if uint(i) < uint(n) && b[i] == ']' {
		return i + 1, nil
	}
	for {
		end, err := skipValueInline(b, i, depth)
		if err != nil {
			return end, err
		}
		i = end
		if uint(i) < uint(n) && b[i] == ',' {
			i++
			if uint(i) < uint(n) && b[i] <= ' ' {
				i = skipSpace(b, i)
			}
			continue
		}
		if uint(i) < uint(n) && b[i] == ']' {
			return i + 1, nil
		}
		i = skipSpace(b, i)
		if uint(i) < uint(n) && b[i] == ',' {
			i = skipSpace(b, i+1)
			continue
		}
		if uint(i) < uint(n) && b[i] == ']' {
			return i + 1, nil
		}
		return i, errAt(i, "expected ',' or ']'")
	}
}

// skipValueInline skips one value at b[i] inside a container at depth.
func skipValueInline(b []byte, i, depth int) (int, error) {
	n := len(b)
	if uint(i) >= uint(n) {
		return i, errAt(i, "unexpected end of input")
	}
	switch c := b[i]; {
	case c == '"':
		j := plainEnd(b, i+1, 0)
		if uint(j) < uint(n) && b[j] == '"' {
			return j + 1, nil
		}
		return skipString(b, j)
	case c >= '1' && c <= '9':
		j := digitsEnd(b, i+1)
		if uint(j) < uint(n) && (b[j] == '.' || b[j] == 'e' || b[j] == 'E') {
			return scanNumber(b, i)
		}
		return j, nil
	case c == '{':
		return skipObject(b, i, depth+1)
	case c == '[':
		return skipArray(b, i, depth+1)
	case c == ' ' || c == '\t' || c == '\n' || c == '\r':
		if i = skipSpace(b, i); uint(i) < uint(n) && b[i] > ' ' {
			return skipValueInline(b, i, depth)
		}
	}
	end, _, err := skipValue(b, i, depth)
	return end, err
}
