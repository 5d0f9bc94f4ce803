package index

// tupleCounts is how many rows of a sealed block have each tuple code
// (codes ascending), so counting by a tuple dimension over a range that
// covers the block reads a few thousand entries instead of 65 536 rows.
// Derived from the tuple column at seal and at restore; never stored.
type tupleCounts struct {
	code, count codes
	n           int
}

// countTuples counts a sealed block's tuple column.
func countTuples(col *codes, rows int) tupleCounts {
	if rows == 0 {
		return tupleCounts{}
	}
	vals := make([]uint32, rows)
	col.decode(0, rows, vals)
	hi := uint32(0)
	for _, v := range vals {
		hi = max(hi, v)
	}
	dense := make([]uint32, hi+1)
	for _, v := range vals {
		dense[v]++
	}
	codesOut, counts := vals[:0], make([]uint32, 0, 64) // vals is read no more
	for c, n := range dense {
		if n > 0 {
			codesOut = append(codesOut, uint32(c))
			counts = append(counts, n)
		}
	}
	return tupleCounts{code: narrowCodes(codesOut, false), count: narrowCodes(counts, false), n: len(counts)}
}

func (t *tupleCounts) bytes() int64 { return t.code.bytes() + t.count.bytes() }

// wholeBlock reports whether a scan may take block view v from its tuple
// counts: every row is in p's time range, none is deleted, and p filters
// on nothing but the tuple.
func (v *blockView) wholeBlock(p *Predicate) bool {
	return v.b.tuples.n > 0 && v.n == len(v.b.uuids) && v.del == nil && p.ClientIPs == nil && p.Paths == nil &&
		p.From <= v.minT && v.maxT < p.To
}

// tupleCountsOf decodes v's tuple counts into codes and counts (scratch
// slices, grown as needed), keeping only the codes p.Tuples accepts.
func (v *blockView) tupleCountsOf(p *Predicate, codes, counts *[]uint32) ([]uint32, []uint32) {
	t := &v.b.tuples
	if cap(*codes) < t.n {
		*codes, *counts = make([]uint32, t.n), make([]uint32, t.n)
	}
	c, n := (*codes)[:t.n], (*counts)[:t.n]
	t.code.decode(0, t.n, c)
	t.count.decode(0, t.n, n)
	if p.Tuples == nil {
		return c, n
	}
	k := 0
	for i, code := range c {
		if p.Tuples[code] {
			c[k], n[k] = code, n[i]
			k++
		}
	}
	return c[:k], n[:k]
}
