package index

import (
	"encoding/binary"
	"hash/maphash"
	"math/bits"
	"strconv"
	"strings"
	"unsafe"
)

// Compact dictionary storage: strings live in shared byte chunks (no
// allocation, header or size-class rounding per value) and the writer finds a
// value's code through an open-addressing table of codes (4 bytes a slot,
// the key is compared in the dictionary itself), instead of a Go map holding a
// second string header per value.

// codeTable maps values to dictionary codes for the writer: linear probing,
// between 60% and 90% full (it grows by half). A slot holds code+1 in its low codeBits bits
// (0 = empty) and a tag of the value's hash above them, so a probe compares
// values only when the tags agree.
type codeTable struct {
	seed     maphash.Seed
	slots    []uint32
	n        int
	codeBits uint
}

func newCodeTable() codeTable {
	return codeTable{seed: maphash.MakeSeed(), slots: make([]uint32, 16), codeBits: uint(bits.Len(16))}
}

func (t *codeTable) hash(s string) uint64 { return maphash.String(t.seed, s) }

func (t *codeTable) home(h uint64) int {
	hi, _ := bits.Mul64(h, uint64(len(t.slots)))
	return int(hi)
}

func (t *codeTable) tag(h uint64) uint32 {
	if t.codeBits >= 32 {
		return 0
	}
	return uint32(h) << t.codeBits
}

func (t *codeTable) mask() uint32 {
	if t.codeBits >= 32 {
		return ^uint32(0)
	}
	return 1<<t.codeBits - 1
}

// find returns the code whose value eq accepts among the codes hashed to h.
func (t *codeTable) find(h uint64, eq func(code uint32) bool) (uint32, bool) {
	tag, mask := t.tag(h), t.mask()
	for i := t.home(h); ; i++ {
		if i == len(t.slots) {
			i = 0
		}
		s := t.slots[i]
		if s == 0 {
			return 0, false
		}
		if s&^mask == tag && eq(s&mask-1) {
			return s&mask - 1, true
		}
	}
}

// insert adds code under h; hashOf gives any held code's hash when the table
// grows.
func (t *codeTable) insert(h uint64, code uint32, hashOf func(code uint32) uint64) {
	if (t.n+1)*10 > len(t.slots)*9 {
		t.resize(len(t.slots)*3/2, hashOf)
	}
	t.place(h, code)
	t.n++
}

// reserve makes room for n codes in all, so that adding them never grows
// the table (a restore knows how many it adds; growing rehashes every code).
func (t *codeTable) reserve(n int, hashOf func(code uint32) uint64) {
	if n*10 > len(t.slots)*9 {
		t.resize(n*10/9+1, hashOf)
	}
}

func (t *codeTable) resize(size int, hashOf func(code uint32) uint64) {
	old, oldMask := t.slots, t.mask()
	t.slots = make([]uint32, size)
	t.codeBits = uint(bits.Len(uint(len(t.slots))))
	for _, s := range old {
		if s != 0 {
			c := s&oldMask - 1
			t.place(hashOf(c), c)
		}
	}
}

func (t *codeTable) place(h uint64, code uint32) {
	for i := t.home(h); ; i++ {
		if i == len(t.slots) {
			i = 0
		}
		if t.slots[i] == 0 {
			t.slots[i] = t.tag(h) | (code + 1)
			return
		}
	}
}

func (t *codeTable) bytes() int64 { return 4 * int64(cap(t.slots)) }

// arena hands out immutable strings carved from shared chunks. Chunks are
// never reallocated: a string stays valid as long as anything refers to it.
type arena struct {
	cur   []byte // the chunk being filled (len = used)
	bytes int64  // chunk bytes allocated
}

const arenaChunk = 64 << 10

func (a *arena) clone(s string) string {
	if len(s) == 0 {
		return ""
	}
	if len(s) > arenaChunk/8 {
		a.bytes += int64(len(s))
		return strings.Clone(s)
	}
	if cap(a.cur)-len(a.cur) < len(s) {
		size := arenaChunk
		if a.bytes < arenaChunk { // small dictionaries stay small
			size = max(512, int(a.bytes)*2, len(s))
		}
		a.cur = make([]byte, 0, size)
		a.bytes += int64(size)
	}
	n := len(a.cur)
	a.cur = append(a.cur, s...)
	return unsafe.String(&a.cur[n], len(s))
}

// PathDict is the dictionary of request paths, read-only in a snapshot. Real
// APIs put ids in their paths (/users/8812/orders/1203), so it is the largest
// dictionary. A path that fills its operation's template (the record's
// oas_path, such as /users/{userId}/orders/{orderId}) is held as the
// template's number and the parameters (numbers as varints: 8812 and 1203
// take 2 bytes each); any other path verbatim. Entries are packed one after the other in byte chunks: 4 bytes of
// locator, 2 of header and the payload per value.
type PathDict struct {
	locs      []uint32 // chunk << chunkBits | offset, per code
	chunks    [][]byte // full length: a snapshot may read any entry its locs name
	templates []pathTemplate
}

// pathTemplate is an operation template cut at its parameters: parts has
// one more element than the template has parameters.
type pathTemplate struct {
	parts []string
}

const (
	pathChunkBits = 20 // offsets within a chunk; 4096 chunks of up to 1 MiB
	pathChunkMax  = 1 << pathChunkBits
)

// Len is the number of paths.
func (p *PathDict) Len() int { return len(p.locs) }

// At returns path code i.
func (p *PathDict) At(i int) string {
	return string(p.AppendAt(nil, i))
}

// AppendAt appends path code i to dst.
func (p *PathDict) AppendAt(dst []byte, i int) []byte {
	tmpl, payload := p.entry(i)
	if tmpl == 0 {
		return append(dst, payload...)
	}
	parts := p.templates[tmpl-1].parts
	dst = append(dst, parts[0]...)
	for _, part := range parts[1:] {
		v, k := binary.Uvarint(payload)
		payload = payload[k:]
		if v&1 == 1 {
			dst = strconv.AppendUint(dst, v>>1, 10)
		} else {
			dst = append(dst, payload[:v>>1]...)
			payload = payload[v>>1:]
		}
		dst = append(dst, part...)
	}
	return dst
}

// appendParam encodes one parameter: a decimal number (no sign, no leading
// zero, below 10¹⁸) as a varint of 2n+1, anything else as 2·length and its bytes.
func appendParam(b []byte, p string) []byte {
	if n, ok := decimal(p); ok {
		return binary.AppendUvarint(b, n<<1|1)
	}
	b = binary.AppendUvarint(b, uint64(len(p))<<1)
	return append(b, p...)
}

func decimal(p string) (uint64, bool) {
	if len(p) == 0 || len(p) > 18 || (p[0] == '0' && len(p) > 1) {
		return 0, false
	}
	var n uint64
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	return n, true
}

// Values returns every path (for tests and tools: it allocates them all).
func (p *PathDict) Values() []string {
	out := make([]string, p.Len())
	for i := range out {
		out[i] = p.At(i)
	}
	return out
}

func (p *PathDict) entry(i int) (tmpl uint64, payload []byte) {
	loc := p.locs[i]
	c := p.chunks[loc>>pathChunkBits][loc&(pathChunkMax-1):]
	n, k := binary.Uvarint(c)
	c = c[k:]
	tmpl, k = binary.Uvarint(c)
	return tmpl, c[k : k+int(n)]
}

// pathDict is the writer's side of PathDict.
type pathDict struct {
	PathDict
	table   codeTable
	used    int // bytes used in the last chunk
	bytes   int64
	tmplOf  map[string]uint64 // operation → template number (0: not a template)
	scratch []byte
}

func newPathDict() *pathDict {
	return &pathDict{table: newCodeTable(), tmplOf: map[string]uint64{}}
}

func (d *pathDict) equal(code uint32, s string) bool {
	d.scratch = d.AppendAt(d.scratch[:0], int(code))
	return string(d.scratch) == s
}

func (d *pathDict) hashOf(code uint32) uint64 {
	d.scratch = d.AppendAt(d.scratch[:0], int(code))
	return d.table.hash(unsafe.String(unsafe.SliceData(d.scratch), len(d.scratch)))
}

// code returns the code of path s, adding it when new; operation is the
// record's operation template, used to store s compactly.
func (d *pathDict) code(s, operation string) uint32 {
	h := d.table.hash(s)
	if c, ok := d.table.find(h, func(c uint32) bool { return d.equal(c, s) }); ok {
		return c
	}
	tmpl, params := d.split(s, operation)
	payload := s
	if tmpl != 0 {
		payload = params
	}
	code := d.place(tmpl, payload)
	d.table.insert(h, code, d.hashOf)
	return code
}

// place stores one entry (template number and payload, or 0 and the path)
// in the chunks and returns its code; the caller adds it to the table.
func (d *pathDict) place(tmpl uint64, payload string) uint32 {
	var hdr [2 * binary.MaxVarintLen64]byte
	k := binary.PutUvarint(hdr[:], uint64(len(payload)))
	k += binary.PutUvarint(hdr[k:], tmpl)
	need := k + len(payload)
	if len(d.chunks) == 0 || d.used+need > len(d.chunks[len(d.chunks)-1]) {
		size := pathChunkMax
		if d.bytes < pathChunkMax {
			size = max(1024, int(d.bytes)*2)
		}
		size = min(max(size, need), pathChunkMax)
		if need > pathChunkMax { // a path of a MiB: cut (never in practice)
			payload, tmpl = payload[:pathChunkMax-32], 0
			k = binary.PutUvarint(hdr[:], uint64(len(payload)))
			k += binary.PutUvarint(hdr[k:], 0)
			need = k + len(payload)
		}
		d.chunks = append(d.chunks, make([]byte, size))
		d.used = 0
		d.bytes += int64(size)
	}
	ci := len(d.chunks) - 1
	c := d.chunks[ci]
	copy(c[d.used:], hdr[:k])
	copy(c[d.used+k:], payload)
	code := uint32(len(d.locs))
	d.locs = append(d.locs, uint32(ci)<<pathChunkBits|uint32(d.used))
	d.used += need
	return code
}

// split returns the template number of operation and the parameters of s
// (appendParam), when s fills the template (every {…} a whole segment);
// else 0.
func (d *pathDict) split(s, operation string) (uint64, string) {
	if !strings.Contains(operation, "{") {
		if operation != "" && s == operation && strings.HasPrefix(s, "/") {
			// A template without parameters: the path is the template.
		} else {
			return 0, ""
		}
	}
	n, ok := d.tmplOf[operation]
	if !ok {
		if parts, valid := cutTemplate(operation); valid && len(d.templates) < 1<<20 {
			d.templates = append(d.templates, pathTemplate{parts: parts})
			n = uint64(len(d.templates))
		}
		d.tmplOf[strings.Clone(operation)] = n
	}
	if n == 0 {
		return 0, ""
	}
	parts := d.templates[n-1].parts
	if !strings.HasPrefix(s, parts[0]) {
		return 0, ""
	}
	rest := s[len(parts[0]):]
	var b []byte
	for _, part := range parts[1:] {
		k := strings.IndexByte(rest, '/')
		if k < 0 {
			k = len(rest)
		}
		b = appendParam(b, rest[:k])
		rest = rest[k:]
		if !strings.HasPrefix(rest, part) {
			return 0, ""
		}
		rest = rest[len(part):]
	}
	if rest != "" {
		return 0, ""
	}
	return n, string(b)
}

// cutTemplate cuts an OpenAPI path template at its parameters; valid when
// every {…} is a whole segment (so parameters hold no '/').
func cutTemplate(t string) ([]string, bool) {
	if !strings.HasPrefix(t, "/") {
		return nil, false
	}
	var parts []string
	lit := 0
	for i := 0; i < len(t); i++ {
		switch t[i] {
		case '{':
			end := strings.IndexByte(t[i:], '}')
			if end < 0 || t[i-1] != '/' || (i+end+1 < len(t) && t[i+end+1] != '/') {
				return nil, false
			}
			parts = append(parts, t[lit:i])
			i += end
			lit = i + 1
		case '}':
			return nil, false
		}
	}
	return append(parts, t[lit:]), true
}

func (d *pathDict) view() PathDict {
	return PathDict{locs: d.locs, chunks: d.chunks, templates: d.templates}
}

func (d *pathDict) memory() int64 {
	n := d.bytes + 4*int64(cap(d.locs)) + d.table.bytes() + int64(cap(d.chunks))*24
	for _, t := range d.templates {
		n += 24 + 16*int64(len(t.parts))
		for _, p := range t.parts {
			n += int64(len(p))
		}
	}
	return n + int64(len(d.tmplOf))*64
}
