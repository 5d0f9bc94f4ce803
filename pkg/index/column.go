package index

import "math/bits"

// codes is a column of unsigned integers held in the narrowest form that fits
// the block's values: 1, 2, 3 or 4 bytes a value (exactly one slice is set;
// u24 holds 3 little-endian bytes a value), or, for the columns queries
// rarely scan (record length, duration), bit-packed (packed: width bits a
// value, less base, the block's smallest value) when that saves at least 4
// bits a value: record lengths of 1–2 KB take 10–11 bits instead of 16,
// durations up to 0.2 s 18 instead of 24. Decoding packed values costs about
// 4× a byte-aligned column, which is why the code columns every query reads
// (tuple, client IP, path) stay byte-aligned. The open tail block uses 4 bytes.
type codes struct {
	u8     []uint8
	u16    []uint16
	u24    []byte
	u32    []uint32
	packed []uint64 // one word of padding at the end: get reads two words
	width  uint8
	base   uint32
}

func wideCodes(n int) codes { return codes{u32: make([]uint32, n)} }

// narrowCodes copies src into the narrowest byte-aligned form that holds its
// values, or bit-packed when pack allows it and it saves 4 bits a value.
func narrowCodes(src []uint32, pack bool) codes {
	if len(src) == 0 {
		return codes{u8: []uint8{}}
	}
	lo, hi := src[0], src[0]
	for _, v := range src {
		lo, hi = min(lo, v), max(hi, v)
	}
	byteBits := 32
	switch {
	case hi <= 0xff:
		byteBits = 8
	case hi <= 0xffff:
		byteBits = 16
	case hi <= 0xffffff:
		byteBits = 24
	}
	if w := bits.Len32(hi - lo); pack && w+4 <= byteBits {
		return packCodes(src, lo, max(w, 1))
	}
	switch byteBits {
	case 8:
		out := make([]uint8, len(src))
		for i, v := range src {
			out[i] = uint8(v)
		}
		return codes{u8: out}
	case 16:
		out := make([]uint16, len(src))
		for i, v := range src {
			out[i] = uint16(v)
		}
		return codes{u16: out}
	case 24:
		out := make([]byte, 3*len(src)+1) // +1: decode reads 4 bytes at a time
		for i, v := range src {
			out[3*i], out[3*i+1], out[3*i+2] = byte(v), byte(v>>8), byte(v>>16)
		}
		return codes{u24: out}
	}
	return codes{u32: append([]uint32(nil), src...)}
}

func packCodes(src []uint32, base uint32, width int) codes {
	out := make([]uint64, (len(src)*width+63)/64+1)
	for i, v := range src {
		pos := i * width
		w, off := pos>>6, uint(pos&63)
		x := uint64(v - base)
		out[w] |= x << off
		if off+uint(width) > 64 {
			out[w+1] |= x >> (64 - off)
		}
	}
	return codes{packed: out, width: uint8(width), base: base}
}

func (c *codes) unpack(i int) uint32 {
	pos := i * int(c.width)
	w, off := pos>>6, uint(pos&63)
	x := c.packed[w]>>off | c.packed[w+1]<<(63-off)<<1 // off 0: the second word adds nothing
	return uint32(x&(1<<c.width-1)) + c.base
}

func (c *codes) get(i int) uint32 {
	switch {
	case c.u8 != nil:
		return uint32(c.u8[i])
	case c.u16 != nil:
		return uint32(c.u16[i])
	case c.u24 != nil:
		b := c.u24[3*i : 3*i+3]
		return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16
	case c.packed != nil:
		return c.unpack(i)
	}
	return c.u32[i]
}

// decode writes rows [lo, hi) into dst[:hi-lo].
func (c *codes) decode(lo, hi int, dst []uint32) {
	dst = dst[:hi-lo]
	switch {
	case c.u8 != nil:
		for i, v := range c.u8[lo:hi] {
			dst[i] = uint32(v)
		}
	case c.u16 != nil:
		for i, v := range c.u16[lo:hi] {
			dst[i] = uint32(v)
		}
	case c.u24 != nil:
		src := c.u24[3*lo : 3*hi+1]
		for i := range dst {
			b := src[3*i : 3*i+4]
			dst[i] = (uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24) & 0xffffff
		}
	case c.packed != nil:
		width := uint(c.width)
		mask, base, words := uint64(1)<<width-1, c.base, c.packed
		pos := uint(lo) * width
		for i := range dst {
			w, off := pos>>6, pos&63
			x := words[w]>>off | words[w+1]<<(63-off)<<1
			dst[i] = uint32(x&mask) + base
			pos += width
		}
	default:
		copy(dst, c.u32[lo:hi])
	}
}

func (c *codes) bytes() int64 {
	return int64(cap(c.u8)) + 2*int64(cap(c.u16)) + int64(cap(c.u24)) + 4*int64(cap(c.u32)) + 8*int64(cap(c.packed))
}

// timeGroup is how many rows share one anchor in a packed time column.
const timeGroup = 256

// times is a column of timestamps in µs since the epoch. Packed, each group
// of timeGroup rows keeps its smallest and largest time (a zone map: scans
// skip groups outside their range and need no per-row check for groups
// inside it) and every row a 32-bit offset from the smallest; a group that
// spans more than 71 minutes keeps raw values on the side. The open tail
// keeps raw values only.
type times struct {
	raw    []int64
	gmin   []int64 // per group
	gmax   []int64
	deltas []uint32
	wide   map[int][]int64 // group → raw values, for groups too wide for deltas
}

func packTimes(src []int64) times {
	ng := (len(src) + timeGroup - 1) / timeGroup
	t := times{gmin: make([]int64, ng), gmax: make([]int64, ng), deltas: make([]uint32, len(src))}
	for g := 0; g < ng; g++ {
		lo, hi := g*timeGroup, min((g+1)*timeGroup, len(src))
		mn, mx := src[lo], src[lo]
		for _, v := range src[lo:hi] {
			mn, mx = min(mn, v), max(mx, v)
		}
		t.gmin[g], t.gmax[g] = mn, mx
		if uint64(mx-mn) > 0xffffffff {
			if t.wide == nil {
				t.wide = map[int][]int64{}
			}
			t.wide[g] = append([]int64(nil), src[lo:hi]...)
			continue
		}
		for i := lo; i < hi; i++ {
			t.deltas[i] = uint32(src[i] - mn)
		}
	}
	return t
}

func (t *times) get(i int) int64 {
	if t.raw != nil {
		return t.raw[i]
	}
	g := i / timeGroup
	if t.wide != nil {
		if w, ok := t.wide[g]; ok {
			return w[i-g*timeGroup]
		}
	}
	return t.gmin[g] + int64(t.deltas[i])
}

func (t *times) decode(lo, hi int, dst []int64) {
	dst = dst[:hi-lo]
	if t.raw != nil {
		copy(dst, t.raw[lo:hi])
		return
	}
	for a := lo; a < hi; {
		g := a / timeGroup
		e := min(hi, (g+1)*timeGroup)
		if w, ok := t.wide[g]; ok {
			copy(dst[a-lo:e-lo], w[a-g*timeGroup:e-g*timeGroup])
		} else {
			base := t.gmin[g]
			out := dst[a-lo : e-lo]
			for i, d := range t.deltas[a:e] {
				out[i] = base + int64(d)
			}
		}
		a = e
	}
}

func (t *times) bytes() int64 {
	n := 8*int64(cap(t.raw)) + 16*int64(cap(t.gmin)) + 4*int64(cap(t.deltas))
	for _, w := range t.wide {
		n += 8*int64(cap(w)) + 48
	}
	return n
}

// bitmap marks deleted rows of a block. Deletion copies it (copy-on-write),
// so a published bitmap never changes.
type bitmap []uint64

func (b bitmap) has(i int) bool { return b != nil && b[i>>6]&(1<<(uint(i)&63)) != 0 }

func (b bitmap) with(rows []int, n int) bitmap {
	out := make(bitmap, (n+63)/64)
	copy(out, b)
	for _, r := range rows {
		out[r>>6] |= 1 << (uint(r) & 63)
	}
	return out
}
