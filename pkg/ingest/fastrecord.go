package ingest

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/apifw/monitor/pkg/model"
)

// This file is the record parser the tailer uses: one pass over the line's
// bytes that validates the whole JSON text (see jsonscan.go), records where
// the indexed keys' values are, and converts only those. It agrees with the
// encoding/json decoder in record_reference_test.go on every input (the
// differential fuzz test checks it).

// span is where a value sits in the line.
type span struct {
	start, end int32
	kind       valueKind
	escaped    bool // string with escapes
	high       bool // string with bytes ≥ 0x80
}

// parserConfig is what every worker's parser shares: compiled once per Options.
type parserConfig struct {
	paths *compiledPaths
	rules ruleSet
	unit  EpochUnit
	opts  Options
}

func newParserConfig(opts Options) (*parserConfig, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	paths, err := compilePaths(opts.Paths)
	if err != nil {
		return nil, err
	}
	rules, err := compileRules(opts.Rules)
	if err != nil {
		return nil, err
	}
	return &parserConfig{paths: paths, rules: rules, unit: opts.EpochUnit, opts: opts}, nil
}

// recordParser is one worker's parser: the shared config plus scratch space
// and caches that make parsing allocation-free in the steady state.
type recordParser struct {
	cfg      *parserConfig
	lo, hi   time.Time // plausible record times
	vals     []span    // per record slot
	elems    []span    // errors elements, cfg.paths.errs.slots each
	elemKind []valueKind
	intern   interner
	arena    arena
	errSlab  []model.TransactionError
	repaired string // the path of a string whose invalid UTF-8 was replaced, in the last record
	// swap replaces parse (the benchmark plugs the encoding/json baseline in).
	swap func(line []byte, unknown bool, t *model.Transaction) error
}

func newRecordParser(cfg *parserConfig) *recordParser {
	p := &recordParser{
		cfg:    cfg,
		vals:   make([]span, cfg.paths.record.slots),
		intern: interner{cache: make([]string, internSlots)},
	}
	p.setNow(cfg.opts.now())
	return p
}

// setNow moves the plausibility window; called once per batch, not per record.
func (p *recordParser) setNow(now time.Time) { p.lo, p.hi = p.cfg.opts.timeBounds(now) }

// parse parses one record line (no newline) into t. Outcome is classified;
// File, Line, Offset, Length and the instance fallback are the caller's.
func (p *recordParser) parse(line []byte, unknownSource bool, t *model.Transaction) error {
	if err := p.scan(line); err != nil {
		return err
	}
	if err := p.build(line, t); err != nil {
		return err
	}
	t.Outcome = p.cfg.rules.classify(t, unknownSource)
	return nil
}

// scan validates line and records the spans of the wanted values.
func (p *recordParser) scan(b []byte) error {
	clear(p.vals)
	p.elems = p.elems[:0]
	p.elemKind = p.elemKind[:0]
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		if _, _, err := skipValue(b, i, 0); err != nil {
			return err
		}
		return errNotObject
	}
	end, err := p.walkObject(b, i, 1, p.cfg.paths.record.root, p.vals, true)
	if err != nil {
		return err
	}
	if end = skipSpace(b, end); end != len(b) {
		return errAt(end, "data after the record")
	}
	return nil
}

var errNotObject = errors.New("not a JSON object")

// walkObject validates the object at b[i] (depth is its own nesting depth),
// recording into dst the spans of the keys n wants. top says dst is the
// record's slots (where the errors list lives).
func (p *recordParser) walkObject(b []byte, i, depth int, n *pathNode, dst []span, top bool) (int, error) {
	if depth > maxNestingDepth {
		return i, errAt(i, "exceeded max depth")
	}
	nb := len(b)
	i++
	if uint(i) < uint(nb) && b[i] <= ' ' {
		i = skipSpace(b, i)
	}
	if uint(i) < uint(nb) && b[i] == '}' {
		return i + 1, nil
	}
	for {
		if uint(i) >= uint(nb) || b[i] != '"' {
			return i, errAt(i, "expected a key")
		}
		// Most keys are short, plain ASCII: find the closing quote eight
		// bytes at a time and look the key up without decoding it.
		idx := -1
		// plain: no escape, no byte ≥ 0x80, and room to load the key's
		// first two words.
		j := plainEnd(b, i+1, msb)
		if uint(j) < uint(nb) && b[j] == '"' && i+17 <= nb {
			// The key is b[i+1:j]: hash its first word and length and compare
			// by words with the table's candidate (no call: a call spills
			// every live register).
			kl := j - i - 1
			w0 := binary.LittleEndian.Uint64(b[i+1:i+9]) & lowBytes[min(kl, 8)]
			if e := n.table[wordHash(w0, kl)]; e != 0 {
				c := &n.words[e-1]
				if c.n == kl && kl <= 16 {
					w1 := uint64(0)
					if kl > 8 {
						w1 = binary.LittleEndian.Uint64(b[i+9:i+17]) & c.m1
					}
					if w0 == c.w0 && w1 == c.w1 {
						idx = int(e) - 1
					} else {
						idx = n.find(b[i+1 : j])
					}
				} else {
					idx = n.find(b[i+1 : j])
				}
			}
			i = j + 1
		} else {
			kend, kesc, khigh, err := scanString(b, i+1)
			if err != nil {
				return kend, err
			}
			idx = n.find(stringContent(b, i, kend, kesc, khigh))
			i = kend
		}
		if uint(i) < uint(nb) && b[i] == ':' {
			i++
		} else {
			i = skipSpace(b, i)
			if uint(i) >= uint(nb) || b[i] != ':' {
				return i, errAt(i, "expected ':'")
			}
			i++
		}
		if uint(i) < uint(nb) && b[i] <= ' ' {
			i = skipSpace(b, i)
		}
		var err error
		switch {
		case idx < 0 && uint(i) < uint(nb) && b[i] == '"':
			// Unwanted strings and integers inline, as in skipUnwanted.
			if j := plainEnd(b, i+1, 0); uint(j) < uint(nb) && b[j] == '"' {
				i = j + 1
			} else {
				i, err = skipString(b, j)
			}
		case idx < 0 && uint(i) < uint(nb) && b[i] >= '1' && b[i] <= '9':
			j := digitsEnd(b, i+1)
			if j < nb && (b[j] == '.' || b[j] == 'e' || b[j] == 'E') {
				i, err = scanNumber(b, i)
			} else {
				i = j
			}
		case idx < 0:
			i, err = skipUnwanted(b, i, depth)
		case n.leafString[idx] && uint(i) < uint(nb) && b[i] >= '1' && b[i] <= '9':
			// A number leaf (time, duration, status) inline as well.
			start := i
			j := digitsEnd(b, i+1)
			if uint(j) < uint(nb) && (b[j] == '.' || b[j] == 'e' || b[j] == 'E') {
				j, err = scanNumber(b, i)
			}
			dst[n.slot[idx]] = span{start: int32(start), end: int32(j), kind: kindNumber}
			i = j
		case n.leafString[idx] && uint(i) < uint(nb) && b[i] == '"':
			// The common wanted value: a string leaf. Recorded here, not in
			// walkWanted, which objects and the errors list need.
			end, esc, high, serr := scanString(b, i+1)
			dst[n.slot[idx]] = span{start: int32(i), end: int32(end), kind: kindString, escaped: esc, high: high}
			i, err = end, serr
		default:
			i, err = p.walkWanted(b, i, depth, n, idx, dst, top)
		}
		if err != nil {
			return i, err
		}
		if uint(i) < uint(nb) && b[i] <= ' ' {
			i = skipSpace(b, i)
		}
		if uint(i) < uint(nb) && b[i] == ',' {
			i++
			if uint(i) < uint(nb) && b[i] <= ' ' {
				i = skipSpace(b, i)
			}
			continue
		}
		if uint(i) < uint(nb) && b[i] == '}' {
			return i + 1, nil
		}
		return i, errAt(i, "expected ',' or '}'")
	}
}

// skipUnwanted skips a value nobody reads, with the common scalars inline.
func skipUnwanted(b []byte, i, depth int) (int, error) {
	if i < len(b) {
		switch c := b[i]; {
		case c == '"':
			j := plainEnd(b, i+1, 0)
			if j < len(b) && b[j] == '"' {
				return j + 1, nil
			}
			return skipString(b, j)
		case c >= '1' && c <= '9':
			j := digitsEnd(b, i+1)
			if j >= len(b) || (b[j] != '.' && b[j] != 'e' && b[j] != 'E') {
				return j, nil
			}
		case c == '{':
			return skipObject(b, i, depth+1)
		case c == '[':
			return skipArray(b, i, depth+1)
		}
	}
	end, _, err := skipValue(b, i, depth)
	return end, err
}

// walkWanted scans the value of wanted key idx of node n.
func (p *recordParser) walkWanted(b []byte, i, depth int, n *pathNode, idx int, dst []span, top bool) (int, error) {
	r := n.below[idx]
	if r[1]-r[0] > 1 {
		clear(dst[r[0]:r[1]]) // a repeated key replaces everything it held
	}
	slot := n.slot[idx]
	listSlot := -1
	if top {
		listSlot = p.cfg.paths.record.listSlot
		if listSlot >= r[0] && listSlot < r[1] {
			p.elems, p.elemKind = p.elems[:0], p.elemKind[:0]
		}
	}
	start := i
	if i >= len(b) {
		return i, errAt(i, "unexpected end of input")
	}
	var (
		end  int
		kind valueKind
		err  error
		esc  bool
		high bool
	)
	switch child := n.children[idx]; {
	case child != nil && b[i] == '{':
		end, err = p.walkObject(b, i, depth+1, child, dst, top)
		kind = kindObject
	case slot == listSlot && b[i] == '[':
		end, err = p.walkList(b, i, depth+1)
		kind = kindArray
	case b[i] == '"':
		end, esc, high, err = scanString(b, i+1)
		kind = kindString
	default:
		end, kind, err = skipValue(b, i, depth)
	}
	if err != nil {
		return end, err
	}
	dst[slot] = span{start: int32(start), end: int32(end), kind: kind, escaped: esc, high: high}
	return end, nil
}

// walkList walks the errors array at b[i], one element trie walk per object.
func (p *recordParser) walkList(b []byte, i, depth int) (int, error) {
	if depth > maxNestingDepth {
		return i, errAt(i, "exceeded max depth")
	}
	et := p.cfg.paths.errs
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == ']' {
		return i + 1, nil
	}
	for {
		var err error
		switch {
		case i < len(b) && b[i] == '{':
			at := len(p.elems)
			for k := 0; k < et.slots; k++ {
				p.elems = append(p.elems, span{})
			}
			p.elemKind = append(p.elemKind, kindObject)
			i, err = p.walkObject(b, i, depth+1, et.root, p.elems[at:at+et.slots], false)
		default:
			var kind valueKind
			i, kind, err = skipValue(b, i, depth)
			if kind != kindNull {
				p.elemKind = append(p.elemKind, kind)
				for k := 0; k < et.slots; k++ {
					p.elems = append(p.elems, span{})
				}
			}
		}
		if err != nil {
			return i, err
		}
		i = skipSpace(b, i)
		if i < len(b) && b[i] == ',' {
			i = skipSpace(b, i+1)
			continue
		}
		if i < len(b) && b[i] == ']' {
			return i + 1, nil
		}
		return i, errAt(i, "expected ',' or ']'")
	}
}

// pathRef names a slot's dotted path, looked up only for an error message.
type pathRef struct {
	t    *pathTrie
	slot int
}

func (r pathRef) String() string { return r.t.slotPath[r.slot] }

// typeError is a value of the wrong JSON type for an indexed key.
type typeError struct {
	path string
	want string
	got  valueKind
}

func (e *typeError) Error() string {
	return fmt.Sprintf("%s: want %s, got %s", e.path, e.want, e.got)
}

// inErrors names a key of an errors element in messages.
func inErrors(err error) error {
	if te, ok := err.(*typeError); ok {
		return &typeError{"errors[]." + te.path, te.want, te.got}
	}
	return fmt.Errorf("errors[]: %w", err)
}

// build converts the recorded spans into t.
func (p *recordParser) build(b []byte, t *model.Transaction) error {
	rt := p.cfg.paths.record
	// Objects on the way to a key must be objects (or null / missing).
	for _, n := range rt.objects {
		if k := p.vals[n].kind; k != kindNone && k != kindNull && k != kindObject {
			return &typeError{rt.slotPath[n], "an object", k}
		}
	}
	val := func(f field) span { return p.vals[rt.slotOf[f]] }
	path := func(f field) pathRef { return pathRef{rt, rt.slotOf[f]} }

	uuid := val(fUUID)
	switch uuid.kind {
	case kindNone, kindNull:
		return ErrNotTransaction
	case kindString:
	default:
		return &typeError{path(fUUID).String(), "a string", uuid.kind}
	}
	raw := stringContent(b, int(uuid.start), int(uuid.end), uuid.escaped, uuid.high)
	if uuid.high && !utf8.Valid(b[uuid.start+1:uuid.end-1]) {
		p.repaired = path(fUUID).String()
	}
	if len(raw) == 0 {
		return ErrNotTransaction
	}
	*t = model.Transaction{DurationUS: -1, BlockingLevel: -1}

	ts, err := p.recordTime(b, val(fDateEpoch), val(fDateRFC), path(fDateEpoch), path(fDateRFC))
	if err != nil {
		return err
	}
	t.Time = ts
	if d, ok, err := spanInt(b, val(fDuration), path(fDuration)); err != nil {
		return err
	} else if ok && d >= 0 {
		t.DurationUS = d
	}
	if v, ok, err := spanInt(b, val(fBlockingLevel), path(fBlockingLevel)); err != nil {
		return err
	} else if ok {
		t.BlockingLevel = int(v)
	}
	if v, ok, err := spanInt(b, val(fStatus), path(fStatus)); err != nil {
		return err
	} else if ok {
		t.Status = int(v)
	}
	if t.NonBlocking, err = spanBool(b, val(fNonBlocking), path(fNonBlocking)); err != nil {
		return err
	}
	strs := [...]struct {
		f   field
		dst *string
	}{
		{fInstance, &t.Instance}, {fAPI, &t.APIID}, {fAPIName, &t.APIName}, {fSourceIP, &t.ClientIP},
		{fHostname, &t.Hostname}, {fMethod, &t.Method}, {fURIPath, &t.Path}, {fOASPath, &t.Operation},
	}
	for k, s := range strs {
		if *s.dst, err = p.spanString(b, val(s.f), path(s.f), k); err != nil {
			return err
		}
	}
	switch errs := val(fErrors); errs.kind {
	case kindNone, kindNull:
	case kindArray:
		if err := p.buildErrors(b, t); err != nil {
			return err
		}
	default:
		return &typeError{path(fErrors).String(), "an array", errs.kind}
	}
	t.UUID = p.arena.string(raw)
	return nil
}

func (p *recordParser) buildErrors(b []byte, t *model.Transaction) error {
	et := p.cfg.paths.errs
	n := len(p.elemKind)
	if n == 0 {
		return nil
	}
	if cap(p.errSlab)-len(p.errSlab) < n {
		p.errSlab = make([]model.TransactionError, 0, max(512, n))
	}
	at := len(p.errSlab)
	p.errSlab = p.errSlab[:at+n]
	errs := p.errSlab[at : at+n : at+n]
	for k := range errs {
		if p.elemKind[k] != kindObject {
			return &typeError{p.cfg.paths.record.slotPath[p.cfg.paths.record.slotOf[fErrors]] + "[]", "an object", p.elemKind[k]}
		}
		vals := p.elems[k*et.slots : (k+1)*et.slots]
		for _, s := range et.objects {
			if kd := vals[s].kind; kd != kindNone && kd != kindNull && kd != kindObject {
				return inErrors(&typeError{et.slotPath[s], "an object", kd})
			}
		}
		val := func(f int) span { return vals[et.slotOf[f]] }
		path := func(f int) pathRef { return pathRef{et, et.slotOf[f]} }
		e := &errs[k]
		*e = model.TransactionError{}
		var err error
		if e.Step, err = p.spanString(b, val(efStep), path(efStep), cacheErrStep); err != nil {
			return inErrors(err)
		}
		if e.State, err = p.spanString(b, val(efState), path(efState), cacheErrState); err != nil {
			return inErrors(err)
		}
		if e.Token, err = p.spanString(b, val(efToken), path(efToken), cacheErrToken); err != nil {
			return inErrors(err)
		}
		if e.Message, err = p.spanString(b, val(efMessage), path(efMessage), cacheErrMessage); err != nil {
			return inErrors(err)
		}
		if d, ok, err := spanInt(b, val(efDepth), path(efDepth)); err != nil {
			return inErrors(err)
		} else if ok {
			e.Depth = int(d)
		}
	}
	t.Errors = errs
	return nil
}

// Intern cache slots beyond the eight record strings.
const (
	cacheErrStep = 8 + iota
	cacheErrState
	cacheErrToken
	cacheErrMessage
	cacheSourceInstance
	numCaches
)

// spanString returns a string value, interned (most values repeat).
func (p *recordParser) spanString(b []byte, s span, path pathRef, cache int) (string, error) {
	switch s.kind {
	case kindNone, kindNull:
		return "", nil
	case kindString:
		if s.high && !utf8.Valid(b[s.start+1:s.end-1]) {
			p.repaired = path.String()
		}
		return p.intern.get(cache, stringContent(b, int(s.start), int(s.end), s.escaped, s.high)), nil
	}
	return "", &typeError{path.String(), "a string", s.kind}
}

// numberText returns the number literal of a number value, or of a string
// holding one (older builds quote numbers); ok is false when absent or null.
func numberText(b []byte, s span, path pathRef) (text []byte, ok bool, err error) {
	switch s.kind {
	case kindNone, kindNull:
		return nil, false, nil
	case kindNumber:
		return b[s.start:s.end], true, nil
	case kindString:
		c := stringContent(b, int(s.start), int(s.end), s.escaped, s.high)
		if !isNumberLiteral(c) {
			return nil, false, fmt.Errorf("%s: %.40q is not a number", path, c)
		}
		return c, true, nil
	}
	return nil, false, &typeError{path.String(), "a number", s.kind}
}

// spanInt reads an integer value; ok is false when absent, null or not
// representable (a fraction is truncated; beyond int64 is not representable).
func spanInt(b []byte, s span, path pathRef) (int64, bool, error) {
	text, ok, err := numberText(b, s, path)
	if !ok || err != nil {
		return 0, false, err
	}
	v, ok := numberToInt64(text)
	return v, ok, nil
}

func spanBool(b []byte, s span, path pathRef) (bool, error) {
	switch s.kind {
	case kindNone, kindNull, kindFalse:
		return false, nil
	case kindTrue:
		return true, nil
	case kindNumber, kindString:
		text := b[s.start:s.end]
		if s.kind == kindString {
			text = stringContent(b, int(s.start), int(s.end), s.escaped, s.high)
		}
		if v, ok := flexBoolText(text, s.kind == kindString); ok {
			return v, nil
		}
		return false, fmt.Errorf("%s: %.20q is not a boolean", path, text)
	}
	return false, &typeError{path.String(), "a boolean", s.kind}
}

func (p *recordParser) recordTime(b []byte, epoch, rfc span, epochPath, rfcPath pathRef) (time.Time, error) {
	var ts time.Time
	text, ok, err := numberText(b, epoch, epochPath)
	switch {
	case err != nil:
		return ts, err
	case ok:
		n, ok := numberToInt64(text)
		if !ok {
			return ts, fmt.Errorf("%s %.40s is out of range", epochPath, text)
		}
		ts = EpochToTime(n, p.cfg.unit)
	default:
		switch rfc.kind {
		case kindNone, kindNull:
			return ts, fmt.Errorf("record has neither %s nor %s", epochPath, rfcPath)
		case kindString:
		default:
			return ts, &typeError{rfcPath.String(), "a string", rfc.kind}
		}
		if ts, err = parseRFCDate(string(stringContent(b, int(rfc.start), int(rfc.end), rfc.escaped, rfc.high))); err != nil {
			return ts, err
		}
	}
	return ts, checkPlausible(ts, p.lo, p.hi)
}

// interner returns one string per distinct value: a per-field "same as the
// previous record" check first (most files repeat instance, API, host), then
// a direct-mapped cache of recent values (client IPs and paths repeat
// too). Cheaper than a map: one hash, one comparison, no growth.
type interner struct {
	last  [numCaches]string
	cache []string // nil: a one-off parser (ParseRecord), no caching
}

const internSlots = 1 << 14

func (in *interner) get(cache int, b []byte) string {
	if string(b) == in.last[cache] {
		return in.last[cache]
	}
	if in.cache == nil {
		return string(b)
	}
	h := internHash(b) & (internSlots - 1)
	s := in.cache[h]
	if s != string(b) {
		s = string(b)
		in.cache[h] = s
	}
	in.last[cache] = s
	return s
}

// internHash is FNV-1a over 8-byte words: short values, cheap and good enough
// for a cache index.
func internHash(b []byte) uint64 {
	h := uint64(14695981039346656037)
	for len(b) >= 8 {
		h = (h ^ binary.LittleEndian.Uint64(b)) * 1099511628211
		b = b[8:]
	}
	for _, c := range b {
		h = (h ^ uint64(c)) * 1099511628211
	}
	return h ^ h>>29
}

// arena hands out strings backed by large blocks: one allocation per block
// instead of one per UUID. Blocks are never written again once a string
// points into them.
type arena struct{ buf []byte }

const arenaBlock = 64 << 10

func (a *arena) string(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if cap(a.buf)-len(a.buf) < len(b) {
		a.buf = make([]byte, 0, max(arenaBlock, len(b)))
	}
	off := len(a.buf)
	a.buf = append(a.buf, b...)
	return unsafe.String(&a.buf[off], len(b))
}
