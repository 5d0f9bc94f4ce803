package index

import (
	"context"
	"math"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/apifw/monitor/pkg/model"
)

// Snapshot is a consistent, immutable view of the store: what every reader
// works on. Taking one is an atomic load.
type Snapshot struct {
	blocks    []blockView
	dicts     Dicts
	rows      uint32 // global rows visible, deleted ones included
	live      int
	blockSize int
	table     *uuidTable
	store     *Store
	odd       *oddIDs
}

// Len is the number of transactions visible (deleted ones excluded).
func (sn *Snapshot) Len() int { return sn.live }

// Dicts returns the dictionaries the snapshot's codes refer to (read only).
func (sn *Snapshot) Dicts() *Dicts { return &sn.dicts }

// BlockInfo describes one block of a snapshot.
type BlockInfo struct {
	Rows             int
	MinTime, MaxTime int64 // µs
	Sorted           bool
}

// Blocks describes the snapshot's blocks, in scan order.
func (sn *Snapshot) Blocks() []BlockInfo {
	out := make([]BlockInfo, len(sn.blocks))
	for i, v := range sn.blocks {
		out[i] = BlockInfo{Rows: v.n, MinTime: v.minT, MaxTime: v.maxT, Sorted: v.sorted}
	}
	return out
}

// TimeBounds is the smallest and largest record time held (µs); ok is false
// when the snapshot is empty.
func (sn *Snapshot) TimeBounds() (lo, hi int64, ok bool) {
	lo, hi = math.MaxInt64, math.MinInt64
	for _, v := range sn.blocks {
		lo, hi = min(lo, v.minT), max(hi, v.maxT)
	}
	return lo, hi, len(sn.blocks) > 0
}

// Predicate selects rows. Masks are indexed by dictionary code; a nil mask
// selects every code.
type Predicate struct {
	From, To  int64 // µs, From <= time < To
	Tuples    []bool
	ClientIPs []bool
	Paths     []bool
}

// AllTime is a predicate's time range that covers every record.
func AllTime() (int64, int64) { return math.MinInt64, math.MaxInt64 }

// Col names the columns a scan decodes into its chunks.
type Col uint8

const (
	ColTime Col = 1 << iota
	ColTuple
	ColClientIP
	ColPath
	ColDuration // µs + 1; 0 = unknown (see DurationUS)
	ColFile     // Files code
)

// DurationUS turns a ColDuration value into µs, -1 when unknown.
func DurationUS(code uint32) int64 { return durationUS(code) }

// ScanOptions shape a scan.
type ScanOptions struct {
	Cols        Col
	Workers     int  // 0: GOMAXPROCS
	NewestFirst bool // hand out blocks by descending newest time
	// Skip, when set, is asked before each block; true skips it (e.g. a
	// top-k that can no longer be improved by rows this old).
	Skip func(worker int, b BlockInfo) bool
	// TupleCounts, when set, is given instead of its rows every block that
	// lies wholly in the time range, has no deleted row and needs no
	// client-IP or path filter: the tuple codes its matching rows have
	// (ascending) and how many rows have each. For counting by tuple.
	TupleCounts func(worker int, codes, counts []uint32)
}

// Chunk is a run of rows of one block that passed the predicate: Sel lists
// their indexes into the decoded columns (those asked for; others are nil).
// Callers read a chunk; they must not write into it.
type Chunk struct {
	Block int // block index in the snapshot
	Base  int // row of element 0 in the block
	Sel   []int32
	// Dense is set when Sel is 0, 1, …, len(Sel)-1 (every row of the run
	// matched): callers may then read the columns' first len(Sel) values
	// directly.
	Dense    bool
	ident    []int32 // 0, 1, …: the selection before any filter (never written)
	work     []int32 // the selection's storage once a filter drops rows
	Time     []int64
	Tuple    []uint32
	ClientIP []uint32
	Path     []uint32
	Duration []uint32
	File     []uint32
}

// RowRef names one row of a snapshot.
type RowRef struct {
	Block, Row int32
}

// Ref is the row of selected element i.
func (c *Chunk) Ref(i int32) RowRef { return RowRef{int32(c.Block), int32(c.Base) + i} }

const chunkRows = 2048

// Scan calls fn with chunks of the rows that match p, from several workers at
// once (fn gets the worker number, < the returned worker count, for
// worker-local state). It stops early when ctx is done and returns ctx.Err().
func (sn *Snapshot) Scan(ctx context.Context, p *Predicate, opt ScanOptions, fn func(worker int, c *Chunk)) error {
	order := make([]int, 0, len(sn.blocks))
	for i, v := range sn.blocks {
		if v.n > 0 && v.maxT >= p.From && v.minT < p.To {
			order = append(order, i)
		}
	}
	if opt.NewestFirst {
		sort.SliceStable(order, func(a, b int) bool { return sn.blocks[order[a]].maxT > sn.blocks[order[b]].maxT })
	}
	workers := Workers(opt.Workers, len(order))
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			c := newChunk(opt.Cols)
			var sc scratch
			var tcCodes, tcCounts []uint32
			for {
				k := int(next.Add(1) - 1)
				if k >= len(order) || ctx.Err() != nil {
					return
				}
				bi := order[k]
				v := &sn.blocks[bi]
				if opt.Skip != nil && opt.Skip(w, BlockInfo{Rows: v.n, MinTime: v.minT, MaxTime: v.maxT, Sorted: v.sorted}) {
					continue
				}
				if opt.TupleCounts != nil && v.wholeBlock(p) {
					codes, counts := v.tupleCountsOf(p, &tcCodes, &tcCounts)
					opt.TupleCounts(w, codes, counts)
					continue
				}
				sn.scanBlock(bi, p, opt.Cols, c, &sc, func(c *Chunk) { fn(w, c) })
			}
		}(w)
	}
	wg.Wait()
	return ctx.Err()
}

// Workers is how many goroutines a scan of n blocks uses.
func Workers(asked, n int) int {
	w := asked
	if w <= 0 {
		w = runtime.GOMAXPROCS(0)
	}
	return max(1, min(w, n))
}

type scratch struct {
	time              []int64
	tuple, ip, path32 []uint32
}

func newChunk(cols Col) *Chunk {
	c := &Chunk{Sel: make([]int32, chunkRows), ident: make([]int32, chunkRows)}
	for i := range c.ident {
		c.ident[i] = int32(i)
	}
	if cols&ColTime != 0 {
		c.Time = make([]int64, chunkRows)
	}
	if cols&ColTuple != 0 {
		c.Tuple = make([]uint32, chunkRows)
	}
	if cols&ColClientIP != 0 {
		c.ClientIP = make([]uint32, chunkRows)
	}
	if cols&ColPath != 0 {
		c.Path = make([]uint32, chunkRows)
	}
	if cols&ColDuration != 0 {
		c.Duration = make([]uint32, chunkRows)
	}
	if cols&ColFile != 0 {
		c.File = make([]uint32, chunkRows)
	}
	return c
}

// column returns the chunk's array for a column when asked for, else a
// scratch one, so filtering can decode what it needs either way.
func pick32(dst []uint32, sc *[]uint32) []uint32 {
	if dst != nil {
		return dst
	}
	if *sc == nil {
		*sc = make([]uint32, chunkRows)
	}
	return *sc
}

func (sn *Snapshot) scanBlock(bi int, p *Predicate, cols Col, c *Chunk, sc *scratch, emit func(*Chunk)) {
	v := &sn.blocks[bi]
	switch {
	case p.From <= v.minT && v.maxT < p.To: // the whole block is in range
		sn.scanRows(bi, 0, v.n, false, p, cols, c, sc, emit)
	case v.sorted:
		lo, hi := v.timeRange(p.From, p.To)
		sn.scanRows(bi, lo, hi, false, p, cols, c, sc, emit)
	case v.b.time.gmin != nil:
		// Zone maps: skip groups out of range, check times only in groups
		// that straddle a bound, and merge neighbours alike into one scan.
		t := &v.b.time
		const skip, inside, straddle = 0, 1, 2
		class := func(g int) int {
			switch {
			case t.gmax[g] < p.From || t.gmin[g] >= p.To:
				return skip
			case t.gmin[g] >= p.From && t.gmax[g] < p.To:
				return inside
			}
			return straddle
		}
		ng := len(t.gmin)
		for g := 0; g < ng; {
			k := class(g)
			e := g + 1
			for e < ng && class(e) == k {
				e++
			}
			if k != skip {
				sn.scanRows(bi, g*timeGroup, min(e*timeGroup, v.n), k == straddle, p, cols, c, sc, emit)
			}
			g = e
		}
	default:
		sn.scanRows(bi, 0, v.n, true, p, cols, c, sc, emit)
	}
}

// scanRows emits the rows [lo, hi) of a block that match p, checking their
// times only when checkTime is set.
func (sn *Snapshot) scanRows(bi, lo, hi int, checkTime bool, p *Predicate, cols Col, c *Chunk, sc *scratch, emit func(*Chunk)) {
	v := &sn.blocks[bi]
	b := v.b
	for a := lo; a < hi; a += chunkRows {
		e := min(a+chunkRows, hi)
		m := e - a
		c.Block, c.Base = bi, a
		// The selection starts as the identity (not written per chunk);
		// the first filter that checks rows writes into work.
		work := c.Sel[:m]
		sel := c.ident[:m]
		if checkTime || cols&ColTime != 0 {
			tm := c.Time
			if tm == nil {
				if sc.time == nil {
					sc.time = make([]int64, chunkRows)
				}
				tm = sc.time
			}
			b.time.decode(a, e, tm)
			if checkTime {
				k := 0
				for _, i := range sel {
					t := tm[i]
					work[k] = i
					if t >= p.From && t < p.To {
						k++
					}
				}
				sel = work[:k]
			}
		}
		if v.del != nil {
			k := 0
			for _, i := range sel {
				work[k] = i
				if !v.del.has(a + int(i)) {
					k++
				}
			}
			sel = work[:k]
		}
		if p.Tuples != nil || cols&ColTuple != 0 {
			tu := pick32(c.Tuple, &sc.tuple)
			b.tuple.decode(a, e, tu)
			sel = filter(work, sel, tu, p.Tuples)
		}
		if p.ClientIPs != nil || cols&ColClientIP != 0 {
			ip := pick32(c.ClientIP, &sc.ip)
			b.ip.decode(a, e, ip)
			sel = filter(work, sel, ip, p.ClientIPs)
		}
		if p.Paths != nil || cols&ColPath != 0 {
			pa := pick32(c.Path, &sc.path32)
			b.path.decode(a, e, pa)
			sel = filter(work, sel, pa, p.Paths)
		}
		if len(sel) == 0 {
			continue
		}
		c.Dense = len(sel) == m
		if cols&ColDuration != 0 {
			b.dur.decode(a, e, c.Duration)
		}
		if cols&ColFile != 0 {
			v.decodeFiles(a, e, c.File)
		}
		full := c.Sel
		c.Sel = sel
		emit(c)
		c.Sel = full[:cap(full)]
	}
}

// filter keeps the rows of sel whose code the mask accepts, writing them
// into work (which may be sel itself: it never writes ahead of its reads).
func filter(work, sel []int32, col []uint32, mask []bool) []int32 {
	if mask == nil {
		return sel
	}
	k := 0
	for _, i := range sel {
		work[k] = i
		if mask[col[i]] {
			k++
		}
	}
	return work[:k]
}

func (v *blockView) decodeFiles(lo, hi int, dst []uint32) {
	runs := v.b.runs[:v.nRuns]
	k := sort.Search(len(runs), func(i int) bool { return int(runs[i].first) > lo }) - 1
	for r := lo; r < hi; r++ {
		for k+1 < len(runs) && int(runs[k+1].first) <= r {
			k++
		}
		dst[r-lo] = runs[k].file
	}
}

// Row materialises one row.
func (sn *Snapshot) Row(ref RowRef) model.Transaction {
	return sn.materialize(int(ref.Block), int(ref.Row))
}

// UUID returns one row's transaction id.
func (sn *Snapshot) UUID(ref RowRef) string { return sn.uuidOf(int(ref.Block), int(ref.Row)) }

// Time returns one row's time in µs.
func (sn *Snapshot) Time(ref RowRef) int64 { return sn.blocks[ref.Block].b.time.get(int(ref.Row)) }

func (sn *Snapshot) uuidOf(bi, r int) string {
	v := &sn.blocks[bi]
	if sn.odd.n.Load() > 0 {
		sn.store.oddMu.RLock()
		id, odd := sn.odd.byRow[v.start+uint32(r)]
		sn.store.oddMu.RUnlock()
		if odd {
			return id
		}
	}
	return v.b.uuids[r].String()
}

func (sn *Snapshot) materialize(bi, r int) model.Transaction {
	return materialize(&sn.dicts, &sn.blocks[bi], r, sn.uuidOf(bi, r))
}

// locate finds the block and row of a global row number, if visible.
func (sn *Snapshot) locate(row uint32) (bi, r int, ok bool) {
	if row >= sn.rows {
		return 0, 0, false
	}
	return int(row) / sn.blockSize, int(row) % sn.blockSize, true
}

func (sn *Snapshot) keyOf(row uint32) (uuidKey, bool) {
	bi, r, ok := sn.locate(row)
	if !ok {
		return uuidKey{}, false
	}
	return sn.blocks[bi].b.uuids[r], true
}

// find returns the block and row of an id, deleted or not.
func (sn *Snapshot) find(id string) (bi, r int, ok bool) {
	var row uint32
	if key, canonical := parseUUID(id); canonical {
		row, ok = sn.table.find(&key, sn.keyOf)
	} else {
		sn.store.oddMu.RLock()
		row, ok = sn.odd.byID[id]
		sn.store.oddMu.RUnlock()
	}
	if !ok {
		return 0, 0, false
	}
	return sn.locate(row)
}

// Lookup finds a transaction by id; deleted transactions are not found.
func (sn *Snapshot) Lookup(id string) (Position, bool) {
	bi, r, ok := sn.find(id)
	if !ok || sn.blocks[bi].del.has(r) {
		return Position{}, false
	}
	tx := sn.materialize(bi, r)
	return Position{FileID: tx.FileID, Path: tx.File, Offset: tx.Offset, Length: tx.Length, Line: tx.Line, Tx: tx}, true
}

// LookupRef is Lookup without materialising: the row, for further reads.
func (sn *Snapshot) LookupRef(id string) (RowRef, bool) {
	bi, r, ok := sn.find(id)
	if !ok || sn.blocks[bi].del.has(r) {
		return RowRef{}, false
	}
	return RowRef{int32(bi), int32(r)}, true
}
