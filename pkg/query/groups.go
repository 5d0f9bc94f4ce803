package query

import (
	"container/heap"
	"context"
	"sort"

	"github.com/apifw/monitor/pkg/index"
)

// group is one value of a dimension with its counts by outcome.
type group struct {
	value   string
	apiName string // api dimension: the API's name
	count   [4]int64
	total   int64
}

// grouping is the result of counting matching rows by one dimension.
type grouping struct {
	groups []group
	byCode []int32 // dimension code (tuple code for tuple dimensions) → group, -1 when none
	total  int64
}

// countBy counts the rows matching p by the values of dim.
func countBy(ctx context.Context, sn *index.Snapshot, p *index.Predicate, dim dimension, workers int) (grouping, error) {
	d := sn.Dicts()
	out := outcomes(d)
	nw := index.Workers(workers, len(sn.Blocks()))
	var codes int
	var stride int // counters per code: 4 outcomes for own columns, 1 for tuples (the tuple fixes the outcome)
	switch dim.col {
	case index.ColClientIP:
		codes, stride = len(d.ClientIPs), 4
	case index.ColPath:
		codes, stride = len(d.Paths), 4
	default:
		codes, stride = len(d.Tuples), 1
	}
	local := make([][]uint32, nw)
	err := sn.Scan(ctx, p, index.ScanOptions{Cols: index.ColTuple | dim.col, Workers: nw}, func(w int, c *index.Chunk) {
		cnt := local[w]
		if cnt == nil {
			cnt = make([]uint32, codes*stride)
			local[w] = cnt
		}
		tu := c.Tuple
		switch dim.col {
		case index.ColTuple:
			for _, i := range c.Sel {
				cnt[tu[i]]++
			}
		case index.ColClientIP:
			col := c.ClientIP
			for _, i := range c.Sel {
				cnt[col[i]*4+uint32(out[tu[i]])]++
			}
		case index.ColPath:
			col := c.Path
			for _, i := range c.Sel {
				cnt[col[i]*4+uint32(out[tu[i]])]++
			}
		}
	})
	if err != nil {
		return grouping{}, scanErr(err)
	}
	g := grouping{byCode: make([]int32, codes)}
	sum := func(code int) (c [4]int64) {
		for _, cnt := range local {
			if cnt == nil {
				continue
			}
			if stride == 4 {
				for o := 0; o < 4; o++ {
					c[o] += int64(cnt[code*4+o])
				}
			} else {
				c[out[code]] += int64(cnt[code])
			}
		}
		return c
	}
	// The geo dimensions read the client address column, but several
	// addresses share a value: they take the merging path below.
	if dim.col != index.ColTuple && !IsGeoDimension(dim.name) {
		// A column of its own: one code, one value. No map, no strings
		// copied: a group is a code that counted something.
		for code := 0; code < codes; code++ {
			c := sum(code)
			n := c[0] + c[1] + c[2] + c[3]
			if n == 0 {
				g.byCode[code] = -1
				continue
			}
			g.byCode[code] = int32(len(g.groups))
			g.groups = append(g.groups, group{value: dim.value(d, uint32(code)), count: c, total: n})
			g.total += n
		}
		return g, nil
	}
	// Tuples: several tuples share a value (e.g. every tuple of one API).
	at := map[string]int32{}
	for code := 0; code < codes; code++ {
		g.byCode[code] = -1
		c := sum(code)
		n := c[0] + c[1] + c[2] + c[3]
		if n == 0 {
			continue // a value no matching row has is no group
		}
		v := dim.value(d, uint32(code))
		gi, seen := at[v]
		if !seen {
			gi = int32(len(g.groups))
			at[v] = gi
			g.groups = append(g.groups, group{value: v})
		}
		g.byCode[code] = gi
		gr := &g.groups[gi]
		for o := range c {
			gr.count[o] += c[o]
		}
		gr.total += n
		g.total += n
		if dim.name == "api" && gr.apiName == "" {
			gr.apiName = d.APIs[d.Tuples[code].API].Name
		}
	}
	return g, nil
}

// ahead orders groups: larger count first, ties by value.
func (g *grouping) ahead(a, b int32) bool {
	ga, gb := &g.groups[a], &g.groups[b]
	if ga.total != gb.total {
		return ga.total > gb.total
	}
	return ga.value < gb.value
}

// top returns the k first groups in order (a bounded heap: no sort of every
// value of a high-cardinality dimension).
func (g *grouping) top(k int) []int32 {
	h := &groupHeap{g: g}
	for i := range g.groups {
		gi := int32(i)
		if len(h.idx) < k {
			heap.Push(h, gi)
		} else if k > 0 && g.ahead(gi, h.idx[0]) {
			h.idx[0] = gi
			heap.Fix(h, 0)
		}
	}
	out := h.idx
	sort.Slice(out, func(a, b int) bool { return g.ahead(out[a], out[b]) })
	return out
}

// groupHeap keeps the k best groups; its root is the worst of them.
type groupHeap struct {
	g   *grouping
	idx []int32
}

func (h *groupHeap) Len() int           { return len(h.idx) }
func (h *groupHeap) Less(i, j int) bool { return h.g.ahead(h.idx[j], h.idx[i]) }
func (h *groupHeap) Swap(i, j int)      { h.idx[i], h.idx[j] = h.idx[j], h.idx[i] }
func (h *groupHeap) Push(x any)         { h.idx = append(h.idx, x.(int32)) }
func (h *groupHeap) Pop() any {
	x := h.idx[len(h.idx)-1]
	h.idx = h.idx[:len(h.idx)-1]
	return x
}
