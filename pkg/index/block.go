package index

import (
	"sort"
	"unsafe"

	"github.com/apifw/monitor/pkg/model"
)

// block holds up to BlockSize rows in arrival order, column by column. Sealed
// blocks never change. The open block (the tail) has wide columns that the
// writer fills in place past the rows any snapshot sees; when they are full
// it moves to a new block object with larger arrays, so a published block's
// slice headers never change.
type block struct {
	uuids    []uuidKey
	time     times
	tuple    codes       // Tuple dictionary code: instance, api, method, status, outcome, …
	ip       codes       // ClientIPs code
	path     codes       // Paths code
	dur      codes       // duration µs + 1; 0 = unknown
	length   codes       // record length in bytes
	runs     []run       // where the rows are on disk
	groupOff []int64     // sealed: offset of each timeGroup's first row, so a position sums at most one group
	tuples   tupleCounts // sealed: rows per tuple code
}

// run is a stretch of rows read one after the other from one file: each row
// starts on the next line, sep bytes after the previous row ends. Rows of a
// run store only their length; a lone row is a run of its own.
type run struct {
	first  uint32 // the run's first row in the block
	file   uint32 // Files code
	line   int64
	offset int64
	sep    int64
}

// blockView is a block as one snapshot sees it.
type blockView struct {
	b          *block
	start      uint32 // global row number of row 0
	n          int    // rows visible
	nRuns      int
	minT, maxT int64 // µs, over the visible rows
	sorted     bool  // times never decrease: time ranges are found by binary search
	del        bitmap
	deleted    int
}

// tailStart is the first capacity of an open block; it doubles as it fills.
const tailStart = 4096

func newTail(size, runs int) *block {
	return &block{
		uuids: make([]uuidKey, size),
		time:  times{raw: make([]int64, size)},
		tuple: wideCodes(size), ip: wideCodes(size), path: wideCodes(size),
		dur: wideCodes(size), length: wideCodes(size),
		runs: make([]run, runs),
	}
}

// grown copies the first n rows and nRuns runs of an open block into one with
// room for size rows and runs runs.
func (b *block) grown(n, nRuns, size, runs int) *block {
	nb := newTail(size, runs)
	copy(nb.uuids, b.uuids[:n])
	copy(nb.time.raw, b.time.raw[:n])
	copy(nb.tuple.u32, b.tuple.u32[:n])
	copy(nb.ip.u32, b.ip.u32[:n])
	copy(nb.path.u32, b.path.u32[:n])
	copy(nb.dur.u32, b.dur.u32[:n])
	copy(nb.length.u32, b.length.u32[:n])
	copy(nb.runs, b.runs[:nRuns])
	return nb
}

// seal packs a full tail into narrow columns.
func (b *block) seal(v blockView) *block {
	uuids := b.uuids[:v.n:v.n]
	if cap(b.uuids) != v.n {
		uuids = append([]uuidKey(nil), b.uuids[:v.n]...)
	}
	s := &block{
		uuids:  uuids,
		time:   packTimes(b.time.raw[:v.n]),
		tuple:  narrowCodes(b.tuple.u32[:v.n], false),
		ip:     narrowCodes(b.ip.u32[:v.n], false),
		path:   narrowCodes(b.path.u32[:v.n], false),
		dur:    narrowCodes(b.dur.u32[:v.n], true),
		length: narrowCodes(b.length.u32[:v.n], true),
		runs:   append([]run(nil), b.runs[:v.nRuns]...),
	}
	s.tuples = countTuples(&s.tuple, v.n)
	s.groupOff = make([]int64, (v.n+timeGroup-1)/timeGroup)
	k := 0
	var off int64
	for r := 0; r < v.n; r++ {
		if k+1 < v.nRuns && int(s.runs[k+1].first) == r {
			k++
		}
		if int(s.runs[k].first) == r {
			off = s.runs[k].offset
		} else {
			off += int64(s.length.get(r-1)) + s.runs[k].sep
		}
		if r%timeGroup == 0 {
			s.groupOff[r/timeGroup] = off
		}
	}
	return s
}

func (b *block) bytes() int64 {
	return 16*int64(cap(b.uuids)) + b.time.bytes() + b.tuple.bytes() + b.ip.bytes() + b.path.bytes() +
		b.dur.bytes() + b.length.bytes() + int64(unsafe.Sizeof(run{}))*int64(cap(b.runs)) + 8*int64(cap(b.groupOff)) +
		b.tuples.bytes()
}

// position computes where row r is on disk.
func (v *blockView) position(r int) (file uint32, line, offset int64, length int32) {
	runs := v.b.runs[:v.nRuns]
	k := sort.Search(len(runs), func(i int) bool { return int(runs[i].first) > r }) - 1
	ru := runs[k]
	start := int(ru.first)
	offset = ru.offset
	if g := r / timeGroup; v.b.groupOff != nil && g*timeGroup > start {
		start, offset = g*timeGroup, v.b.groupOff[g]
	}
	for j := start; j < r; j++ {
		offset += int64(v.b.length.get(j)) + ru.sep
	}
	return ru.file, ru.line + int64(r-int(ru.first)), offset, int32(v.b.length.get(r))
}

// timeRange returns the rows [lo, hi) of a sorted block with from <= t < to.
func (v *blockView) timeRange(from, to int64) (int, int) {
	lo := sort.Search(v.n, func(i int) bool { return v.b.time.get(i) >= from })
	hi := sort.Search(v.n, func(i int) bool { return v.b.time.get(i) >= to })
	return lo, hi
}

// durationUS decodes the duration column.
func durationUS(code uint32) int64 {
	if code == 0 {
		return -1
	}
	return int64(code) - 1
}

func durationCode(us int64) uint32 {
	switch {
	case us < 0:
		return 0
	case us >= 0xffffffff-1:
		return 0xffffffff // clamped: 71 minutes and more
	}
	return uint32(us + 1)
}

// materialize rebuilds the indexed part of a record.
func materialize(d *Dicts, v *blockView, r int, id string) model.Transaction {
	b := v.b
	tu := d.Tuples[b.tuple.get(r)]
	api := d.APIs[tu.API]
	file, line, off, length := v.position(r)
	f := d.Files[file]
	return model.Transaction{
		UUID:          id,
		Time:          microToTime(b.time.get(r)),
		DurationUS:    durationUS(b.dur.get(r)),
		Instance:      d.Instances[tu.Instance],
		APIID:         api.ID,
		APIName:       api.Name,
		ClientIP:      d.ClientIPs[b.ip.get(r)],
		Hostname:      d.Hostnames[tu.Hostname],
		Method:        d.Methods[tu.Method],
		Path:          d.Paths.At(int(b.path.get(r))),
		Operation:     d.Operations[tu.Operation],
		Status:        int(tu.Status),
		NonBlocking:   tu.NonBlocking,
		BlockingLevel: int(tu.BlockingLevel),
		Errors:        d.Errors[tu.Errors],
		Outcome:       tu.Outcome,
		FileID:        f.ID,
		File:          f.Path,
		Line:          int(line),
		Offset:        off,
		Length:        length,
	}
}
