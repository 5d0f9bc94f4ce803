// Package index is the embedded store of transactions: dictionary-encoded
// columns in blocks, a UUID index, each record's place on disk (so details are
// read only when a trace is opened), and tombstones for deletions.
//
// One writer (Append, Replace, Delete) and any number of readers. Readers work
// on a Snapshot: immutable sealed blocks plus a prefix of the open block, all
// published through one atomic pointer, so a query never waits for ingestion.
package index

import (
	"hash/maphash"
	"math"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/apifw/monitor/pkg/model"
)

// DefaultBlockSize is the number of rows per block: large enough that per-block
// work (pruning, binary search, dispatch to a worker) is noise, small enough
// that the open block costs little to hold wide.
const DefaultBlockSize = 1 << 16

// publishEvery bounds how many rows an Append adds before readers see them.
const publishEvery = 8192

// yieldEvery is how many rows the writer handles between two yields.
const yieldEvery = 256

// Options configure a Store.
type Options struct {
	// StateDir holds the deletion log (deletions.jsonl). "" keeps deletions
	// in memory only.
	StateDir string
	// BlockSize is the number of rows per block (default DefaultBlockSize).
	BlockSize int
	// Now is the clock for deletion records (default time.Now).
	Now func() time.Time
}

// Store is the index. The zero value is not usable: call NewStore.
type Store struct {
	opts Options

	wmu sync.Mutex // the writer: Append, Replace, Delete
	w   *writer

	snap atomic.Pointer[Snapshot]

	// Guards the maps of ids that are not canonical UUIDs (writer.odd). Such
	// ids are rare, so they take a lock rather than a lock-free table.
	oddMu sync.RWMutex

	tomb    tombstones  // writer-owned
	expect  expectation // writer-owned: a first scan being sized
	logMu   sync.Mutex  // deletion log file and records
	log     []DeletionRecord
	loadErr error
}

type oddIDs struct {
	byID  map[string]uint32
	byRow map[uint32]string
	n     atomic.Int32 // entries, so readers skip the lock when there are none
}

// writer is everything Append changes. Replace builds a fresh one.
type writer struct {
	blockSize int
	dicts     *dicts
	sealed    []blockView
	tail      *block
	tv        blockView // the tail as of now
	table     *uuidTable
	live      int
	odd       *oddIDs

	last   lastRow
	sepFor map[uint32]int64 // learned gap between a file's records (newline bytes)
}

type lastRow struct {
	file      uint32
	line, end int64 // end = offset + length of the previous row
	ok        bool
}

// NewStore returns an empty store. With StateDir set it reads the deletion log
// there; a log that cannot be read is reported by LoadError and deletions go on
// being refused until it is fixed, so nothing deleted comes back unnoticed.
// (Options is optional so that callers written for the first version compile.)
func NewStore(opts ...Options) *Store {
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	if o.BlockSize <= 0 {
		o.BlockSize = DefaultBlockSize
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	s := &Store{opts: o, tomb: newTombstones()}
	s.loadDeletions()
	s.w = s.newWriter(0)
	s.publish()
	return s
}

func (s *Store) newWriter(capacity int) *writer {
	w := &writer{
		blockSize: s.opts.BlockSize,
		dicts:     newDicts(),
		tail:      newTail(min(tailStart, s.opts.BlockSize), 64),
		table:     newUUIDTable(maphash.MakeSeed(), capacity),
		odd:       &oddIDs{byID: map[string]uint32{}, byRow: map[uint32]string{}},
		sepFor:    map[uint32]int64{},
	}
	w.tv.b = w.tail
	return w
}

// Append adds transactions, skipping ids already held and records a deletion
// covers; it returns how many were added. Records may come in any time order.
func (s *Store) Append(txs []model.Transaction) int {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	return s.appendLocked(s.w, txs, true)
}

// Replace swaps the whole content for txs (deletions still apply). Readers see
// the old content until the new one is complete.
func (s *Store) Replace(txs []model.Transaction) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	w := s.newWriter(len(txs))
	s.w = w
	s.appendLocked(w, txs, false)
	s.publish()
}

func (s *Store) appendLocked(w *writer, txs []model.Transaction, publishAsYouGo bool) int {
	added := 0
	for i := range txs {
		t := &txs[i]
		if s.tomb.covers(t) {
			continue
		}
		key, canonical := parseUUID(t.UUID)
		slot, h := -1, uint64(0)
		if canonical {
			var dup bool
			if _, dup, slot, h = w.table.probe(&key, w.keyOf); dup {
				continue
			}
		} else {
			if _, dup := w.odd.byID[t.UUID]; dup {
				continue
			}
			key = uuidKey{}
		}
		if canonical && w.tableFull() {
			w.grow()  // before adding: the rebuild must not see the new row
			slot = -1 // a new table: the probe's slot is gone
		}
		row := w.add(t, key)
		switch {
		case canonical && slot >= 0:
			w.table.insertAt(slot, h, row)
		case canonical:
			w.table.insert(&key, row)
		default:
			id := strings.Clone(t.UUID)
			s.oddMu.Lock()
			w.odd.byID[id] = row
			w.odd.byRow[row] = id
			s.oddMu.Unlock()
			w.odd.n.Add(1)
		}
		added++
		if s.expect.bytes > 0 {
			w.expected(&s.expect, t.Length)
		}
		if w.tv.n == w.blockSize {
			w.seal()
		}
		if publishAsYouGo && added%publishEvery == 0 {
			s.publish()
		}
		if i%yieldEvery == yieldEvery-1 {
			runtime.Gosched() // let a query waiting for a CPU run: on 2 cores it matters
		}
	}
	if publishAsYouGo {
		s.publish()
	}
	return added
}

// keyOf gives the writer every row's key.
func (w *writer) keyOf(row uint32) (uuidKey, bool) {
	b := int(row) / w.blockSize
	r := int(row) % w.blockSize
	if b < len(w.sealed) {
		return w.sealed[b].b.uuids[r], true
	}
	return w.tail.uuids[r], r < w.tv.n
}

// tableFull tells whether the uuid table must grow before the next row is
// added: it is as full as allowed, or the next row number is past its row bits.
func (w *writer) tableFull() bool {
	return w.table.full(1) || !w.table.fits(uint32(w.rows()))
}

// grow rebuilds the uuid table half as large again. Readers keep probing the
// old table (which the writer no longer touches) until the next publish.
func (w *writer) grow() { w.rebuildTable(w.table.seed, (w.rows()+1)*4/3) }

// rebuildTable builds the uuid table anew from the uuid column, for
// capacity rows.
func (w *writer) rebuildTable(seed maphash.Seed, capacity int) {
	t := newUUIDTable(seed, capacity)
	w.forEachCanonical(func(k *uuidKey, row uint32) {
		t.insert(k, row)
		if row%65536 == 0 {
			runtime.Gosched()
		}
	})
	w.table = t
}

func (w *writer) rows() int { return len(w.sealed)*w.blockSize + w.tv.n }

func (w *writer) forEachCanonical(fn func(k *uuidKey, row uint32)) {
	visit := func(v *blockView, uuids []uuidKey) {
		for r := 0; r < v.n; r++ {
			row := v.start + uint32(r)
			if _, odd := w.odd.byRow[row]; odd {
				continue
			}
			fn(&uuids[r], row)
		}
	}
	for i := range w.sealed {
		visit(&w.sealed[i], w.sealed[i].b.uuids)
	}
	visit(&w.tv, w.tail.uuids)
}

// add writes one record into the tail and returns its global row.
func (w *writer) add(t *model.Transaction, key uuidKey) uint32 {
	d := w.dicts
	tu := Tuple{
		Instance:      d.instances.code(t.Instance),
		API:           d.api(t.APIID, t.APIName),
		Hostname:      d.hosts.code(t.Hostname),
		Method:        d.methods.code(t.Method),
		Operation:     d.operations.code(t.Operation),
		Errors:        d.errors(t.Errors),
		Status:        int32(t.Status),
		BlockingLevel: int32(t.BlockingLevel),
		Outcome:       t.Outcome,
		NonBlocking:   t.NonBlocking,
	}
	if w.tv.n == len(w.tail.uuids) {
		w.growTail(min(2*w.tv.n, w.blockSize), len(w.tail.runs))
	}
	if w.tv.nRuns == len(w.tail.runs) {
		w.growTail(len(w.tail.uuids), 2*w.tv.nRuns)
	}
	b, r := w.tail, w.tv.n
	us := t.Time.UnixMicro()
	b.uuids[r] = key
	b.time.raw[r] = us
	b.tuple.u32[r] = d.tuple(tu)
	b.ip.u32[r] = d.clientIP(t.ClientIP)
	b.path.u32[r] = d.paths.code(t.Path, t.Operation)
	b.dur.u32[r] = durationCode(t.DurationUS)
	length := int64(max(t.Length, 0))
	b.length.u32[r] = uint32(length)

	file := d.file(t.FileID, t.File)
	line, off := int64(t.Line), t.Offset
	l := w.last
	continues := false
	if l.ok && l.file == file && line == l.line+1 && w.tv.nRuns > 0 {
		gap := off - l.end
		cur := b.runs[w.tv.nRuns-1]
		if gap == cur.sep {
			continues = true
		} else if gap >= 0 && gap <= 2 {
			w.sepFor[file] = gap
		}
	}
	if !continues {
		sep, known := w.sepFor[file]
		if !known {
			sep = 1 // "\n" after a record, until the file shows otherwise
		}
		b.runs[w.tv.nRuns] = run{first: uint32(r), file: file, line: line, offset: off, sep: sep}
		w.tv.nRuns++
	}
	w.last = lastRow{file: file, line: line, end: off + length, ok: true}

	if r == 0 {
		w.tv.minT, w.tv.maxT, w.tv.sorted = us, us, true
	} else {
		if us < w.tv.maxT {
			w.tv.sorted = false
		}
		w.tv.minT, w.tv.maxT = min(w.tv.minT, us), max(w.tv.maxT, us)
	}
	w.tv.n++
	w.live++
	return w.tv.start + uint32(r)
}

// growTail moves the open block to larger arrays; snapshots keep the old ones.
func (w *writer) growTail(rows, runs int) {
	w.tail = w.tail.grown(w.tv.n, w.tv.nRuns, rows, runs)
	w.tv.b = w.tail
}

// seal turns the full tail into a packed block and opens a new tail.
func (w *writer) seal() {
	v := w.tv
	v.b = w.tail.seal(v)
	w.sealed = append(w.sealed, v)
	w.tail = newTail(min(tailStart, w.blockSize), 64)
	w.tv = blockView{b: w.tail, start: v.start + uint32(v.n)}
	w.last = lastRow{}
}

// publish makes the writer's current state the snapshot readers get.
func (s *Store) publish() {
	w := s.w
	blocks := make([]blockView, len(w.sealed), len(w.sealed)+1)
	copy(blocks, w.sealed)
	if w.tv.n > 0 {
		blocks = append(blocks, w.tv)
	}
	s.snap.Store(&Snapshot{
		blocks: blocks, dicts: w.dicts.view(), rows: uint32(w.rows()), live: w.live,
		blockSize: w.blockSize, table: w.table, store: s, odd: w.odd,
	})
}

// Snapshot returns the current consistent view for reading.
func (s *Store) Snapshot() *Snapshot { return s.snap.Load() }

// Len is the number of transactions held (deleted ones excluded).
func (s *Store) Len() int { return s.Snapshot().live }

// Range calls fn for each transaction with from <= Time < to, oldest first,
// until fn returns false. A zero to means no upper bound. It materialises
// every record: for tests and small tools, not for queries.
func (s *Store) Range(from, to time.Time, fn func(*model.Transaction) bool) {
	sn := s.Snapshot()
	lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
	if !from.IsZero() {
		lo = from.UnixMicro()
	}
	if !to.IsZero() {
		hi = to.UnixMicro()
	}
	type ref struct {
		t    int64
		b, r int
	}
	var refs []ref
	for bi := range sn.blocks {
		v := &sn.blocks[bi]
		for r := 0; r < v.n; r++ {
			if t := v.b.time.get(r); t >= lo && t < hi && !v.del.has(r) {
				refs = append(refs, ref{t, bi, r})
			}
		}
	}
	sort.SliceStable(refs, func(i, j int) bool { return refs[i].t < refs[j].t })
	for _, x := range refs {
		tx := sn.materialize(x.b, x.r)
		if !fn(&tx) {
			return
		}
	}
}

// Position is where a record is on disk, with its indexed fields.
type Position struct {
	FileID uint32
	Path   string
	Offset int64
	Length int32
	Line   int
	Tx     model.Transaction // the indexed row (Errors is shared: read only)
}

// Lookup finds a transaction by id. Deleted transactions are not found.
func (s *Store) Lookup(uuid string) (Position, bool) { return s.Snapshot().Lookup(uuid) }

// MemoryBytes estimates the heap the index holds: columns, dictionaries, the
// uuid table and the tombstones.
func (s *Store) MemoryBytes() int64 {
	var n int64
	for _, v := range s.MemoryBreakdown() {
		n += v
	}
	return n
}

// MemoryBreakdown is MemoryBytes by part, for the status page and benchmarks.
func (s *Store) MemoryBreakdown() map[string]int64 {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	w := s.w
	m := map[string]int64{
		"dictionaries": w.dicts.memory(),
		"uuidTable":    w.table.bytes(),
		"openBlock":    w.tail.bytes(),
		"tombstones":   s.tomb.bytes() + int64(len(w.odd.byID))*96,
	}
	for i := range w.sealed {
		b := w.sealed[i].b
		m["uuid"] += 16 * int64(cap(b.uuids))
		m["time"] += b.time.bytes()
		m["tuple"] += b.tuple.bytes()
		m["clientIp"] += b.ip.bytes()
		m["path"] += b.path.bytes()
		m["duration"] += b.dur.bytes()
		m["length"] += b.length.bytes()
		m["runs"] += int64(unsafe.Sizeof(run{})) * int64(cap(b.runs))
		m["deleted"] += 8 * int64(cap(w.sealed[i].del))
		m["runs"] += 8 * int64(cap(b.groupOff))
		m["tupleCounts"] += b.tuples.bytes()
	}
	return m
}

func microToTime(us int64) time.Time { return time.UnixMicro(us).UTC() }
