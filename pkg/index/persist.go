package index

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/maphash"
	"io"
	"maps"
	"runtime"
	"slices"
	"sort"

	"github.com/apifw/monitor/pkg/model"
)

// Persisting the index, so a restart does not parse every log file again
// (collector/snapshot.go writes the file around it). What is written is what
// cannot be derived cheaply: the blocks' columns as they are in memory, the
// dictionaries' values in code order, the ids that are not canonical UUIDs,
// the rows deleted but not yet compacted away, and how much of the deletion
// log the content already reflects. What is rebuilt on load is what a lookup
// structure derives from those: the uuid table and the dictionaries' code
// tables (measured: 0.1 s per million rows, against 40 bytes a row more on
// disk to store them).

// persistVersion changes whenever the encoding does; a file of another
// version is not read (the logs are read again instead).
const persistVersion = 1

// Capture is a consistent copy of the index for writing to disk: the
// published columns (immutable, shared with readers) and copies of the
// writer's small mutable parts, taken together under the writer's lock.
// Encoding it afterwards holds no lock, so ingestion and queries go on.
type Capture struct {
	blockSize int
	sealed    []blockView
	tail      blockView
	dicts     Dicts
	tmplOf    map[string]uint64
	odd       map[uint32]string
	last      lastRow
	sepFor    map[uint32]int64
	live      int
	deletions int      // records of the deletion log the content reflects
	digest    [32]byte // of those records
}

// Capture copies what a snapshot of the index needs. It is cheap (no column
// is copied); the caller keeps ingestion still while it also records the
// tailer's position, so the two agree.
func (s *Store) Capture() *Capture {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	w := s.w
	c := &Capture{
		blockSize: w.blockSize, sealed: append([]blockView(nil), w.sealed...), tail: w.tv,
		dicts: w.dicts.view(), tmplOf: make(map[string]uint64, len(w.dicts.paths.tmplOf)),
		odd: map[uint32]string{}, last: w.last, sepFor: make(map[uint32]int64, len(w.sepFor)), live: w.live,
	}
	for k, v := range w.dicts.paths.tmplOf {
		c.tmplOf[k] = v
	}
	for k, v := range w.sepFor {
		c.sepFor[k] = v
	}
	s.oddMu.RLock()
	for row, id := range w.odd.byRow {
		c.odd[row] = id
	}
	s.oddMu.RUnlock()
	s.logMu.Lock()
	c.deletions, c.digest = len(s.log), deletionDigest(s.log)
	s.logMu.Unlock()
	return c
}

// Len is the number of live transactions captured.
func (c *Capture) Len() int { return c.live }

// Deletions is how many records of the deletion log the capture reflects.
func (c *Capture) Deletions() int { return c.deletions }

// deletionDigest identifies a prefix of the deletion log, so a snapshot is
// never combined with a log it was not made from (replaced, truncated).
func deletionDigest(recs []DeletionRecord) [32]byte {
	h := sha256.New()
	for _, r := range recs {
		b, _ := json.Marshal(r)
		h.Write(b)
		h.Write([]byte{'\n'})
	}
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// Encode writes the capture.
func (c *Capture) Encode(w io.Writer) error {
	e := &encoder{w: w}
	e.uvarint(persistVersion)
	e.uvarint(uint64(c.blockSize))
	e.uvarint(uint64(c.deletions))
	e.raw(c.digest[:])
	c.encodeDicts(e)
	e.uvarint(uint64(len(c.sealed)))
	for i := range c.sealed {
		encodeView(e, &c.sealed[i])
		encodeSealed(e, c.sealed[i].b, c.sealed[i].n)
	}
	encodeView(e, &c.tail)
	encodeTail(e, c.tail.b, c.tail.n, c.tail.nRuns)
	rows := slices.Sorted(maps.Keys(c.odd))
	e.uvarint(uint64(len(rows)))
	for _, row := range rows {
		e.uvarint(uint64(row))
		e.str(c.odd[row])
	}
	e.bool(c.last.ok)
	e.uvarint(uint64(c.last.file))
	e.varint(c.last.line)
	e.varint(c.last.end)
	files := slices.Sorted(maps.Keys(c.sepFor))
	e.uvarint(uint64(len(files)))
	for _, f := range files {
		e.uvarint(uint64(f))
		e.varint(c.sepFor[f])
	}
	return e.err
}

func (c *Capture) encodeDicts(e *encoder) {
	d := &c.dicts
	for _, values := range [][]string{d.Instances, d.Hostnames, d.Methods, d.Operations, d.ClientIPs} {
		e.uvarint(uint64(len(values)))
		for _, v := range values {
			e.str(v)
		}
	}
	e.uvarint(uint64(len(d.APIs)))
	for _, a := range d.APIs {
		e.str(a.ID)
		e.str(a.Name)
	}
	e.uvarint(uint64(len(d.Errors) - 1)) // [0] is "no errors", always there
	for _, errs := range d.Errors[1:] {
		e.uvarint(uint64(len(errs)))
		for _, x := range errs {
			e.str(x.Step)
			e.varint(int64(x.Depth))
			e.str(x.State)
			e.str(x.Token)
			e.str(x.Message)
		}
	}
	e.uvarint(uint64(len(d.Tuples)))
	for _, t := range d.Tuples {
		for _, v := range []uint32{t.Instance, t.API, t.Hostname, t.Method, t.Operation, t.Errors} {
			e.uvarint(uint64(v))
		}
		e.varint(int64(t.Status))
		e.varint(int64(t.BlockingLevel))
		e.uvarint(uint64(t.Outcome))
		e.bool(t.NonBlocking)
	}
	e.uvarint(uint64(len(d.Files)))
	for _, f := range d.Files {
		e.uvarint(uint64(f.ID))
		e.str(f.Path)
	}
	p := &d.Paths
	e.uvarint(uint64(len(p.templates)))
	for _, t := range p.templates {
		e.uvarint(uint64(len(t.parts)))
		for _, part := range t.parts {
			e.str(part)
		}
	}
	ops := make([]string, 0, len(c.tmplOf))
	for op := range c.tmplOf {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	e.uvarint(uint64(len(ops)))
	for _, op := range ops {
		e.str(op)
		e.uvarint(c.tmplOf[op])
	}
	e.uvarint(uint64(p.Len()))
	for i := 0; i < p.Len(); i++ {
		tmpl, payload := p.entry(i)
		e.uvarint(tmpl)
		e.bytes(payload)
	}
}

func encodeView(e *encoder, v *blockView) {
	e.uvarint(uint64(v.start))
	e.uvarint(uint64(v.n))
	e.uvarint(uint64(v.nRuns))
	e.varint(v.minT)
	e.varint(v.maxT)
	e.bool(v.sorted)
	putFixed(e, []uint64(v.del))
	e.uvarint(uint64(v.deleted))
}

func encodeSealed(e *encoder, b *block, n int) {
	e.raw(uuidBytes(b.uuids[:n]))
	putFixed(e, b.time.gmin)
	putFixed(e, b.time.gmax)
	putFixed(e, b.time.deltas)
	groups := make([]int, 0, len(b.time.wide))
	for g := range b.time.wide {
		groups = append(groups, g)
	}
	sort.Ints(groups)
	e.uvarint(uint64(len(groups)))
	for _, g := range groups {
		e.uvarint(uint64(g))
		putFixed(e, b.time.wide[g])
	}
	for _, c := range []*codes{&b.tuple, &b.ip, &b.path, &b.dur, &b.length} {
		encodeCodes(e, c)
	}
	encodeRuns(e, b.runs)
	putFixed(e, b.groupOff)
}

func encodeTail(e *encoder, b *block, n, nRuns int) {
	e.raw(uuidBytes(b.uuids[:n]))
	putFixed(e, b.time.raw[:n])
	for _, c := range []*codes{&b.tuple, &b.ip, &b.path, &b.dur, &b.length} {
		putFixed(e, c.u32[:n])
	}
	encodeRuns(e, b.runs[:nRuns])
}

// codes kinds, as written.
const (
	codesU8 = iota
	codesU16
	codesU24
	codesU32
	codesPacked
)

func encodeCodes(e *encoder, c *codes) {
	switch {
	case c.u8 != nil:
		e.uvarint(codesU8)
		e.bytes(c.u8)
	case c.u16 != nil:
		e.uvarint(codesU16)
		putFixed(e, c.u16)
	case c.u24 != nil:
		e.uvarint(codesU24)
		e.bytes(c.u24)
	case c.packed != nil:
		e.uvarint(codesPacked)
		e.uvarint(uint64(c.width))
		e.uvarint(uint64(c.base))
		putFixed(e, c.packed)
	default:
		e.uvarint(codesU32)
		putFixed(e, c.u32)
	}
}

func encodeRuns(e *encoder, runs []run) {
	e.uvarint(uint64(len(runs)))
	for _, r := range runs {
		e.uvarint(uint64(r.first))
		e.uvarint(uint64(r.file))
		e.varint(r.line)
		e.varint(r.offset)
		e.varint(r.sep)
	}
}

func uuidBytes(u []uuidKey) []byte { return unsafeBytes(u) }

// Image is a decoded index, not yet in a store (Store.Install).
type Image struct {
	w         *writer
	deletions int
	digest    [32]byte
}

// Len is the number of live transactions the image holds.
func (img *Image) Len() int { return img.w.live }

// DecodeImage reads what Capture.Encode wrote, at most size bytes of r. It
// checks the structure (every length against the bytes left, codes against
// the dictionaries they index); the caller checks the file's checksum before
// installing the image.
func DecodeImage(r io.Reader, size int64) (img *Image, err error) {
	// A damaged file is checked whole only at its end (the checksum): until
	// then any count in it may be wrong, and a slip this decoder does not
	// foresee must cost a re-read of the logs, not the data source.
	defer func() {
		if p := recover(); p != nil {
			img, err = nil, fmt.Errorf("%w: %v", errCorrupt, p)
		}
	}()
	d := &decoder{r: r, left: size}
	if v := d.uvarint(); d.err == nil && v != persistVersion {
		return nil, fmt.Errorf("%w: encoding version %d, this build reads %d", errCorrupt, v, persistVersion)
	}
	blockSize := int(d.u32())
	if d.err == nil && (blockSize <= 0 || blockSize > 1<<24) {
		d.fail("block size %d", blockSize)
	}
	img = &Image{}
	if n := d.uvarint(); n < 1<<40 {
		img.deletions = int(n)
	} else {
		d.fail("%d deletions", n)
	}
	d.read(img.digest[:])
	if d.err != nil {
		return nil, d.err
	}
	w := &writer{blockSize: blockSize, dicts: newDicts(), sepFor: map[uint32]int64{},
		odd: &oddIDs{byID: map[string]uint32{}, byRow: map[uint32]string{}}}
	decodeDicts(d, w.dicts)
	nSealed := d.count(1)
	start := uint32(0)
	for i := 0; i < nSealed && d.err == nil; i++ {
		v := decodeView(d, blockSize)
		if d.err == nil && (v.start != start || v.n != blockSize) {
			d.fail("sealed block %d starts at row %d with %d rows", i, v.start, v.n)
		}
		v.b = decodeSealed(d, v.n, v.nRuns)
		w.sealed = append(w.sealed, v)
		start += uint32(v.n)
	}
	w.tv = decodeView(d, blockSize)
	if d.err == nil && (w.tv.start != start || w.tv.n >= blockSize) {
		d.fail("open block starts at row %d with %d rows", w.tv.start, w.tv.n)
	}
	w.tail = decodeTail(d, w.tv.n, w.tv.nRuns, blockSize)
	w.tv.b = w.tail
	nOdd := d.count(2)
	for i := 0; i < nOdd && d.err == nil; i++ {
		row, id := d.u32(), d.str()
		w.odd.byID[id], w.odd.byRow[row] = row, id
	}
	w.odd.n.Store(int32(len(w.odd.byRow)))
	w.last = lastRow{ok: d.bool(), file: d.u32(), line: d.varint(), end: d.varint()}
	nSep := d.count(2)
	for i := 0; i < nSep && d.err == nil; i++ {
		w.sepFor[d.u32()] = d.varint()
	}
	if d.err == nil && d.left != 0 {
		d.fail("%d bytes after the end", d.left)
	}
	if d.err != nil {
		return nil, d.err
	}
	if err := w.check(); err != nil {
		return nil, err
	}
	w.rebuildTable(maphash.MakeSeed(), (w.rows()+1)*4/3)
	img.w = w
	return img, nil
}

// decodeDicts re-adds every value in code order through the functions
// appends use, which rebuilds the code tables; a value that does not get
// its old code (a duplicate) means the file is not what was written.
func decodeDicts(d *decoder, dd *dicts) {
	expect := func(what string, got uint32, want int) {
		if d.err == nil && int(got) != want {
			d.fail("%s %d decoded as code %d", what, want, got)
		}
	}
	for k, sd := range []*strDict{dd.instances, dd.hosts, dd.methods, dd.operations, dd.clientIPs} {
		n := d.count(1)
		sd.table.reserve(n, func(c uint32) uint64 { return sd.table.hash(sd.values[c]) })
		for i := 0; i < n && d.err == nil; i++ {
			if sd == dd.clientIPs {
				expect("client IP", dd.clientIP(d.str()), i)
			} else {
				expect(fmt.Sprintf("dictionary %d value", k), sd.code(d.str()), i)
			}
		}
	}
	n := d.count(2)
	for i := 0; i < n && d.err == nil; i++ {
		expect("API", dd.api(d.str(), d.str()), i)
	}
	n = d.count(1)
	for i := 0; i < n && d.err == nil; i++ {
		errs := make([]model.TransactionError, d.count(5))
		for j := range errs {
			errs[j] = model.TransactionError{Step: d.str(), Depth: int(d.varint()), State: d.str(), Token: d.str(), Message: d.str()}
		}
		if len(errs) == 0 {
			d.fail("empty errors entry %d", i+1)
		}
		if d.err == nil {
			expect("errors entry", dd.errors(errs), i+1)
		}
	}
	n = d.count(10)
	dd.tupleCodes.reserve(n, func(c uint32) uint64 { return maphash.Comparable(dd.tupleCodes.seed, dd.tuples[c]) })
	for i := 0; i < n && d.err == nil; i++ {
		t := Tuple{Instance: d.u32(), API: d.u32(), Hostname: d.u32(), Method: d.u32(), Operation: d.u32(), Errors: d.u32(),
			Status: int32(d.varint()), BlockingLevel: int32(d.varint()), Outcome: model.Outcome(d.uvarint()), NonBlocking: d.bool()}
		if d.err == nil && (int(t.Instance) >= len(dd.instances.values) || int(t.API) >= len(dd.apis) ||
			int(t.Hostname) >= len(dd.hosts.values) || int(t.Method) >= len(dd.methods.values) ||
			int(t.Operation) >= len(dd.operations.values) || int(t.Errors) >= len(dd.errs)) {
			d.fail("tuple %d names a code past its dictionary", i)
		}
		expect("tuple", dd.tuple(t), i)
	}
	n = d.count(2)
	for i := 0; i < n && d.err == nil; i++ {
		expect("file", dd.file(d.u32(), d.str()), i)
	}
	p := dd.paths
	n = d.count(1)
	for i := 0; i < n && d.err == nil; i++ {
		parts := make([]string, d.count(1))
		for j := range parts {
			parts[j] = d.str()
		}
		if d.err == nil && len(parts) == 0 {
			d.fail("empty path template %d", i)
		}
		p.templates = append(p.templates, pathTemplate{parts: parts})
	}
	n = d.count(2)
	for i := 0; i < n && d.err == nil; i++ {
		op, t := d.str(), d.uvarint()
		if t > uint64(len(p.templates)) {
			d.fail("operation %q names template %d of %d", op, t, len(p.templates))
		}
		p.tmplOf[op] = t
	}
	n = d.count(2)
	p.table.reserve(n, p.hashOf)
	for i := 0; i < n && d.err == nil; i++ {
		tmpl, payload := d.uvarint(), d.str()
		if d.err != nil {
			break
		}
		if tmpl > uint64(len(p.templates)) || (tmpl > 0 && !validParams(payload, len(p.templates[tmpl-1].parts)-1)) {
			d.fail("path %d: template %d with parameters %q", i, tmpl, payload)
			break
		}
		code := p.place(tmpl, payload)
		p.table.insert(p.hashOf(code), code, p.hashOf)
	}
}

// validParams tells whether payload holds exactly n parameters as
// appendParam writes them (what PathDict.AppendAt reads).
func validParams(payload string, n int) bool {
	b := []byte(payload)
	for ; n > 0; n-- {
		v, k := binary.Uvarint(b)
		if k <= 0 {
			return false
		}
		b = b[k:]
		if v&1 == 0 {
			if v>>1 > uint64(len(b)) {
				return false
			}
			b = b[v>>1:]
		}
	}
	return len(b) == 0
}

func decodeView(d *decoder, blockSize int) blockView {
	v := blockView{start: d.u32(), n: d.count(1), nRuns: d.count(1), minT: d.varint(), maxT: d.varint(), sorted: d.bool()}
	if d.err == nil && (v.n > blockSize || v.nRuns > max(v.n, 1) || (v.n > 0 && v.nRuns == 0)) {
		d.fail("block of %d rows and %d runs", v.n, v.nRuns)
	}
	del := getFixed[uint64](d)
	if len(del) > 0 {
		if len(del) != (blockSize+63)/64 {
			d.fail("deletion bitmap of %d words", len(del))
		}
		v.del = del
	}
	v.deleted = d.count(1)
	return v
}

func decodeSealed(d *decoder, n, nRuns int) *block {
	b := &block{uuids: make([]uuidKey, n)}
	d.read(unsafeBytes(b.uuids))
	b.time.gmin, b.time.gmax, b.time.deltas = getFixed[int64](d), getFixed[int64](d), getFixed[uint32](d)
	groups := (n + timeGroup - 1) / timeGroup
	if d.err == nil && (len(b.time.gmin) != groups || len(b.time.gmax) != groups || len(b.time.deltas) != n) {
		d.fail("time column of %d groups for %d rows", len(b.time.gmin), n)
	}
	nWide := d.count(1)
	for i := 0; i < nWide && d.err == nil; i++ {
		g := d.count(1)
		vals := getFixed[int64](d)
		if g >= groups || len(vals) != min(timeGroup, n-g*timeGroup) {
			d.fail("wide time group %d of %d values", g, len(vals))
			break
		}
		if b.time.wide == nil {
			b.time.wide = map[int][]int64{}
		}
		b.time.wide[g] = vals
	}
	for _, c := range []*codes{&b.tuple, &b.ip, &b.path, &b.dur, &b.length} {
		*c = decodeCodes(d, n)
	}
	b.runs = decodeRuns(d, nRuns, n)
	b.groupOff = getFixed[int64](d)
	if d.err == nil && len(b.groupOff) != groups {
		d.fail("%d group offsets for %d groups", len(b.groupOff), groups)
	}
	if d.err == nil {
		b.tuples = countTuples(&b.tuple, n)
	}
	return b
}

func decodeTail(d *decoder, n, nRuns, blockSize int) *block {
	b := newTail(min(max(n, tailStart), blockSize), max(nRuns, 64))
	d.read(unsafeBytes(b.uuids[:n]))
	if t := getFixed[int64](d); len(t) == n {
		copy(b.time.raw, t)
	} else {
		d.fail("open block: %d times for %d rows", len(t), n)
	}
	for _, c := range []*codes{&b.tuple, &b.ip, &b.path, &b.dur, &b.length} {
		if v := getFixed[uint32](d); len(v) == n {
			copy(c.u32, v)
		} else {
			d.fail("open block: %d codes for %d rows", len(v), n)
		}
	}
	copy(b.runs, decodeRuns(d, nRuns, n))
	return b
}

func decodeCodes(d *decoder, n int) codes {
	var c codes
	switch kind := d.uvarint(); kind {
	case codesU8:
		c.u8 = d.bytes()
		if len(c.u8) != n {
			d.fail("%d one-byte codes for %d rows", len(c.u8), n)
		}
	case codesU16:
		if c.u16 = getFixed[uint16](d); len(c.u16) != n {
			d.fail("%d two-byte codes for %d rows", len(c.u16), n)
		}
	case codesU24:
		if c.u24 = d.bytes(); len(c.u24) != 3*n+1 {
			d.fail("%d bytes of three-byte codes for %d rows", len(c.u24), n)
		}
	case codesU32:
		if c.u32 = getFixed[uint32](d); len(c.u32) != n {
			d.fail("%d four-byte codes for %d rows", len(c.u32), n)
		}
	case codesPacked:
		width, base := d.uvarint(), d.u32()
		c.packed, c.width, c.base = getFixed[uint64](d), uint8(width), base
		if width == 0 || width > 32 || len(c.packed) != (n*int(width)+63)/64+1 {
			d.fail("%d words of %d-bit codes for %d rows", len(c.packed), width, n)
		}
	default:
		d.fail("codes of kind %d", kind)
	}
	if d.err != nil {
		return codes{u32: make([]uint32, n)}
	}
	return c
}

func decodeRuns(d *decoder, want, rows int) []run {
	n := d.count(5)
	if d.err == nil && n != want {
		d.fail("%d runs, the block says %d", n, want)
	}
	runs := make([]run, n)
	for i := range runs {
		runs[i] = run{first: d.u32(), file: d.u32(), line: d.varint(), offset: d.varint(), sep: d.varint()}
		if d.err == nil && (int(runs[i].first) >= max(rows, 1) || (i == 0) != (runs[i].first == 0) || (i > 0 && runs[i].first <= runs[i-1].first)) {
			d.fail("run %d starts at row %d", i, runs[i].first)
		}
		if d.err != nil {
			break
		}
	}
	return runs
}

// check verifies that every code a row holds names a dictionary entry, so a
// query can never index past a dictionary, and that the counts agree.
func (w *writer) check() error {
	d := w.dicts
	limits := []uint32{uint32(len(d.tuples)), uint32(len(d.clientIPs.values)), uint32(len(d.paths.locs))}
	live := 0
	buf := make([]uint32, w.blockSize)
	views := append(append([]blockView(nil), w.sealed...), w.tv)
	for i := range views {
		v := &views[i]
		for k, c := range []*codes{&v.b.tuple, &v.b.ip, &v.b.path} {
			c.decode(0, v.n, buf)
			for _, code := range buf[:v.n] {
				if code >= limits[k] {
					return fmt.Errorf("%w: block %d: code %d past a dictionary of %d", errCorrupt, i, code, limits[k])
				}
			}
		}
		for _, r := range v.b.runs[:v.nRuns] {
			if int(r.file) >= len(d.files) {
				return fmt.Errorf("%w: block %d: file code %d past %d files", errCorrupt, i, r.file, len(d.files))
			}
		}
		n := 0
		for r := 0; r < v.n; r++ {
			if v.del.has(r) {
				n++
			}
		}
		if n != v.deleted {
			return fmt.Errorf("%w: block %d: %d rows marked deleted, %d counted", errCorrupt, i, n, v.deleted)
		}
		live += v.n - v.deleted
		runtime.Gosched()
	}
	for row := range w.odd.byRow {
		if int(row) >= w.rows() {
			return fmt.Errorf("%w: odd id for row %d of %d", errCorrupt, row, w.rows())
		}
	}
	w.live = live
	return nil
}

// Install makes img the store's content (the store must be empty), then
// applies the deletions logged after the image was made: a crash may have
// come between a deletion and the next snapshot. It returns how many such
// deletions there were. An image made from another deletion log (one it
// includes more of, or a different one) is refused.
func (s *Store) Install(img *Image) (int, error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if s.w.rows() != 0 {
		return 0, fmt.Errorf("index snapshot: the index is not empty")
	}
	if img.w.blockSize != s.opts.BlockSize {
		return 0, fmt.Errorf("index snapshot: blocks of %d rows, the index uses %d", img.w.blockSize, s.opts.BlockSize)
	}
	s.logMu.Lock()
	log := append([]DeletionRecord(nil), s.log...)
	s.logMu.Unlock()
	if img.deletions > len(log) || deletionDigest(log[:img.deletions]) != img.digest {
		return 0, fmt.Errorf("index snapshot: made with %d deletions that the deletion log (%d) does not begin with", img.deletions, len(log))
	}
	s.w = img.w
	s.publish()
	later := log[img.deletions:]
	removed := 0
	for _, rec := range later {
		removed += s.reapplyLocked(rec)
	}
	if removed > 0 {
		s.compactLocked(nil)
	}
	return len(later), nil
}

// reapplyLocked marks the rows a logged deletion covers as deleted (what
// Delete did when it was made) and returns how many.
func (s *Store) reapplyLocked(rec DeletionRecord) int {
	r, err := compileRule(rec.Criteria, rec.At)
	if err != nil {
		return 0 // loadDeletions skipped it too
	}
	sn := s.Snapshot()
	rows := sn.matchingRows(&r)
	for _, id := range rec.Ahead {
		if bi, row, ok := sn.find(id); ok && !sn.blocks[bi].del.has(row) {
			rows[bi] = append(rows[bi], row)
		}
	}
	w := s.w
	w.sealed = append([]blockView(nil), w.sealed...)
	n := 0
	for bi, rs := range rows {
		rs = uniqueInts(rs)
		v := &w.tv
		if bi < len(w.sealed) {
			v = &w.sealed[bi]
		}
		v.del = v.del.with(rs, w.blockSize)
		v.deleted += len(rs)
		n += len(rs)
	}
	w.live -= n
	s.publish()
	return n
}

func uniqueInts(xs []int) []int {
	sort.Ints(xs)
	out := xs[:0]
	for i, x := range xs {
		if i == 0 || x != xs[i-1] {
			out = append(out, x)
		}
	}
	return out
}

// Deletions is how many records of the deletion log the image reflects.
func (img *Image) Deletions() int { return img.deletions }

// DeletionCount is the number of records in the deletion log.
func (s *Store) DeletionCount() int {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	return len(s.log)
}
