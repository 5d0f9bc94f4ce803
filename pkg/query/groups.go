package query

import (
	"container/heap"
	"context"
	"sort"
	"sync"

	"github.com/apifw/monitor/pkg/index"
)

// group is one value of a dimension with its counts by outcome.
type group struct {
	value   string
	apiName string // api dimension: the API's name
	count   [4]int64
	total   int64
}

// ranking is the result of counting matching rows by one dimension: the k
// largest values in order, and what all the others add up to.
type ranking struct {
	top      []group
	topCodes [][]uint32 // the dimension codes of each top group (tuple codes for tuple dimensions)
	rest     [4]int64   // counts by outcome of every value past the top
	values   int        // values that counted something
	total    int64
}

// counterPool recycles the per-worker counter arrays of high-cardinality
// dimensions (clientIp, path): a query over hundreds of thousands of distinct
// values allocates nothing per value, it clears a reused array.
var counterPool sync.Pool // *[]uint32

func getCounters(n int) *[]uint32 {
	if p, ok := counterPool.Get().(*[]uint32); ok && cap(*p) >= n {
		*p = (*p)[:n]
		clear(*p)
		return p
	}
	s := make([]uint32, n)
	return &s
}

// rankBy counts the rows matching p by the values of dim and keeps the k
// largest (ties by value).
func rankBy(ctx context.Context, sn *index.Snapshot, p *index.Predicate, dim dimension, workers, k int) (ranking, error) {
	d := sn.Dicts()
	out := outcomes(d)
	nw := index.Workers(workers, len(sn.Blocks()))
	var codes int
	switch dim.col {
	case index.ColClientIP:
		codes = len(d.ClientIPs)
	case index.ColPath:
		codes = d.Paths.Len()
	default:
		return rankTuples(ctx, sn, p, dim, nw, k)
	}
	// A column of its own: 4 counters (one per outcome) per code and worker,
	// summed into the first worker's array.
	local := make([]*[]uint32, nw)
	defer func() {
		for _, c := range local {
			if c != nil {
				counterPool.Put(c)
			}
		}
	}()
	err := sn.Scan(ctx, p, index.ScanOptions{Cols: index.ColTuple | dim.col, Workers: nw}, func(w int, c *index.Chunk) {
		if local[w] == nil {
			local[w] = getCounters(codes * 4)
		}
		cnt := *local[w]
		tu := c.Tuple
		col := c.ClientIP
		if dim.col == index.ColPath {
			col = c.Path
		}
		if c.Dense {
			n := len(c.Sel)
			for i, v := range col[:n] {
				cnt[v*4+uint32(out[tu[i]])]++
			}
			return
		}
		for _, i := range c.Sel {
			cnt[col[i]*4+uint32(out[tu[i]])]++
		}
	})
	if err != nil {
		return ranking{}, scanErr(err)
	}
	var arrays [][]uint32
	for _, c := range local {
		if c != nil {
			arrays = append(arrays, *c)
		}
	}
	var r ranking
	if len(arrays) == 0 {
		return r, nil
	}
	sum := arrays[0]
	if len(arrays) > 1 { // add the other workers' counts into the first array
		for _, a := range arrays[1:] {
			for i, v := range a {
				sum[i] += v
			}
		}
	}
	if dim.merge { // several codes share a value (the geo dimensions)
		return rankByValue(d, dim, sum, codes, k), nil
	}
	// The k best codes in a bounded heap; the rest only adds up.
	h := &codeHeap{dim: dim, d: d}
	var all [4]int64
	var root int64 = -1 // the heap root's count once the heap is full
	for code := 0; code < codes; code++ {
		c := sum[code*4 : code*4+4 : code*4+4]
		c0, c1, c2, c3 := c[0], c[1], c[2], c[3]
		n := int64(c0) + int64(c1) + int64(c2) + int64(c3)
		if n == 0 {
			continue
		}
		r.values++
		all[0] += int64(c0)
		all[1] += int64(c1)
		all[2] += int64(c2)
		all[3] += int64(c3)
		if n < root {
			continue
		}
		e := codeCount{code: uint32(code), n: n}
		switch {
		case len(h.e) < k:
			heap.Push(h, e)
		case k > 0 && h.better(e, h.e[0]):
			h.e[0] = e
			heap.Fix(h, 0)
		}
		if len(h.e) == k && k > 0 {
			root = h.e[0].n
		}
	}
	r.total = all[0] + all[1] + all[2] + all[3]
	best := h.e
	sort.Slice(best, func(a, b int) bool { return h.better(best[a], best[b]) })
	r.rest = all
	for _, e := range best {
		g := group{value: dim.value(d, e.code), total: e.n}
		for o := range g.count {
			g.count[o] = int64(sum[int(e.code)*4+o])
			r.rest[o] -= g.count[o]
		}
		r.top = append(r.top, g)
		r.topCodes = append(r.topCodes, []uint32{e.code})
	}
	return r, nil
}

type codeCount struct {
	code uint32
	n    int64
}

// codeHeap keeps the k best codes; its root is the worst of them.
type codeHeap struct {
	dim dimension
	d   *index.Dicts
	e   []codeCount
}

func (h *codeHeap) better(a, b codeCount) bool {
	if a.n != b.n {
		return a.n > b.n
	}
	return h.dim.value(h.d, a.code) < h.dim.value(h.d, b.code)
}
func (h *codeHeap) Len() int           { return len(h.e) }
func (h *codeHeap) Less(i, j int) bool { return h.better(h.e[j], h.e[i]) }
func (h *codeHeap) Swap(i, j int)      { h.e[i], h.e[j] = h.e[j], h.e[i] }
func (h *codeHeap) Push(x any)         { h.e = append(h.e, x.(codeCount)) }
func (h *codeHeap) Pop() any {
	x := h.e[len(h.e)-1]
	h.e = h.e[:len(h.e)-1]
	return x
}

// rankTuples ranks a dimension that is a field of the tuple: one counter per
// tuple (the tuple fixes the outcome), then tuples with the same value merge
// into one group.
func rankTuples(ctx context.Context, sn *index.Snapshot, p *index.Predicate, dim dimension, nw, k int) (ranking, error) {
	d := sn.Dicts()
	out := outcomes(d)
	codes := len(d.Tuples)
	pooled := make([]*[]uint32, nw)
	local := make([][]uint32, nw)
	defer func() {
		for _, c := range pooled {
			if c != nil {
				counterPool.Put(c)
			}
		}
	}()
	counters := func(w int) []uint32 {
		if local[w] == nil {
			pooled[w] = getCounters(codes)
			local[w] = *pooled[w]
		}
		return local[w]
	}
	// Whole blocks come as counts by tuple (index.ScanOptions.TupleCounts).
	wholeBlock := func(w int, tuples, counts []uint32) {
		cnt := counters(w)
		for i, code := range tuples {
			cnt[code] += counts[i]
		}
	}
	err := sn.Scan(ctx, p, index.ScanOptions{Cols: index.ColTuple, Workers: nw, TupleCounts: wholeBlock}, func(w int, c *index.Chunk) {
		cnt := counters(w)
		if c.Dense {
			for _, v := range c.Tuple[:len(c.Sel)] {
				cnt[v]++
			}
			return
		}
		tu := c.Tuple
		for _, i := range c.Sel {
			cnt[tu[i]]++
		}
	})
	if err != nil {
		return ranking{}, scanErr(err)
	}
	tg := tupleGroupsOf(d, dim)
	groups := make([]group, len(tg.values))
	for code := 0; code < codes; code++ {
		var n int64
		for _, cnt := range local {
			if cnt != nil {
				n += int64(cnt[code])
			}
		}
		if n == 0 {
			continue // a value no matching row has is no group
		}
		gr := &groups[tg.group[code]]
		gr.count[out[code]] += n
		gr.total += n
	}
	for gi := range groups {
		if groups[gi].total > 0 {
			groups[gi].value, groups[gi].apiName = tg.values[gi], tg.apiNames[gi]
		}
	}
	// The member tuples only for the top.
	return rankGroups(groups, k, func(gi int) []uint32 {
		var members []uint32
		for code := 0; code < codes; code++ {
			if tg.group[code] == int32(gi) {
				members = append(members, uint32(code))
			}
		}
		return members
	}), nil
}

// rankByValue ranks a dimension whose codes share values (the geo
// dimensions: several client addresses, one country) from the counts by
// code and outcome of rankBy: codes that counted something merge by value.
func rankByValue(d *index.Dicts, dim dimension, sum []uint32, codes, k int) ranking {
	at := map[string]int{}
	var groups []group
	var members [][]uint32
	for code := 0; code < codes; code++ {
		c := sum[code*4 : code*4+4 : code*4+4]
		n := int64(c[0]) + int64(c[1]) + int64(c[2]) + int64(c[3])
		if n == 0 {
			continue
		}
		v := dim.value(d, uint32(code))
		gi, ok := at[v]
		if !ok {
			gi = len(groups)
			at[v] = gi
			groups = append(groups, group{value: v})
			members = append(members, nil)
		}
		g := &groups[gi]
		for o := range g.count {
			g.count[o] += int64(c[o])
		}
		g.total += n
		members[gi] = append(members[gi], uint32(code))
	}
	return rankGroups(groups, k, func(gi int) []uint32 { return members[gi] })
}

// rankGroups ranks the groups that counted something (largest first, ties
// by value): the k first with their member codes, and the rest added up.
func rankGroups(groups []group, k int, members func(gi int) []uint32) ranking {
	var r ranking
	idx := make([]int, 0, len(groups))
	for gi := range groups {
		if groups[gi].total == 0 {
			continue
		}
		idx = append(idx, gi)
		r.total += groups[gi].total
		for o := range r.rest {
			r.rest[o] += groups[gi].count[o]
		}
	}
	r.values = len(idx)
	sort.Slice(idx, func(a, b int) bool {
		ga, gb := &groups[idx[a]], &groups[idx[b]]
		if ga.total != gb.total {
			return ga.total > gb.total
		}
		return ga.value < gb.value
	})
	for _, gi := range idx[:min(k, len(idx))] {
		r.top = append(r.top, groups[gi])
		r.topCodes = append(r.topCodes, members(gi))
		for o := range r.rest {
			r.rest[o] -= groups[gi].count[o]
		}
	}
	return r
}

// tupleGroups maps the tuples of a dictionary to the values of one tuple
// dimension: built once per dimension and extended as tuples are added, so a
// query neither formats values nor hashes them per tuple.
type tupleGroups struct {
	tuples   []index.Tuple // the dictionary it was built for (its identity)
	group    []int32       // tuple code → value number
	values   []string      // value number → value
	apiNames []string      // api dimension: the API's name
	at       map[string]int32
}

var tupleGroupCache sync.Map // dimension name → *tupleGroups

func tupleGroupsOf(d *index.Dicts, dim dimension) *tupleGroups {
	n := len(d.Tuples)
	var tg *tupleGroups
	if v, ok := tupleGroupCache.Load(dim.name); ok {
		tg = v.(*tupleGroups)
		same := len(tg.tuples) > 0 && n > 0 && &tg.tuples[0] == &d.Tuples[0]
		switch {
		case same && len(tg.tuples) >= n:
			return tg // an append-only dictionary: its prefix has not changed
		case !same:
			tg = nil
		}
	}
	// Extend (or build) a copy: queries still reading the old one keep it.
	nt := &tupleGroups{tuples: d.Tuples, at: map[string]int32{}}
	if tg != nil {
		nt.group = append(make([]int32, 0, n), tg.group...)
		nt.values = append([]string(nil), tg.values...)
		nt.apiNames = append([]string(nil), tg.apiNames...)
		for k, v := range tg.at {
			nt.at[k] = v
		}
	}
	for code := len(nt.group); code < n; code++ {
		v := dim.value(d, uint32(code))
		gi, seen := nt.at[v]
		if !seen {
			gi = int32(len(nt.values))
			nt.at[v] = gi
			nt.values = append(nt.values, v)
			nt.apiNames = append(nt.apiNames, "")
		}
		if dim.name == "api" && nt.apiNames[gi] == "" { // the first name the id is seen with
			nt.apiNames[gi] = d.APIs[d.Tuples[code].API].Name
		}
		nt.group = append(nt.group, gi)
	}
	tupleGroupCache.Store(dim.name, nt)
	return nt
}
