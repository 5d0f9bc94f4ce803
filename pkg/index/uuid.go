package index

import (
	"encoding/hex"
	"hash/maphash"
	"math/bits"
	"sync/atomic"
)

// uuidKey is a transaction id in 16 bytes. Ids in the canonical lower-case
// 8-4-4-4-12 form (what firewalls write) are stored this way; any other id is
// kept as a string on the side (see Store.odd), so every id round-trips exactly.
type uuidKey [16]byte

// parseUUID reads a canonical lower-case UUID.
func parseUUID(s string) (uuidKey, bool) {
	var k uuidKey
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return k, false
	}
	j := 0
	for i := 0; i < 36; {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			i++
			continue
		}
		hi, ok1 := lowerHex(s[i])
		lo, ok2 := lowerHex(s[i+1])
		if !ok1 || !ok2 {
			return k, false
		}
		k[j] = hi<<4 | lo
		i += 2
		j++
	}
	return k, true
}

func lowerHex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	}
	return 0, false
}

func (k uuidKey) String() string {
	var b [36]byte
	hex.Encode(b[0:8], k[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], k[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], k[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], k[8:10])
	b[23] = '-'
	hex.Encode(b[24:36], k[10:16])
	return string(b[:])
}

// uuidTable maps canonical ids to global row numbers: open addressing with
// linear probing over 4-byte slots. The key itself is not stored: the uuid
// column is compared instead. A slot holds row+1 in its low rowBits bits (0 =
// empty) and, above them, a tag of the key's hash, so a probe reads the uuid
// column (a cache miss as the index grows) only when the tags agree: an
// insert of a new id, what every append does, mostly reads slots alone. The
// row bits are fixed when the table is built for its capacity (21 at 1 M, 24
// at 10 M), the tag takes the rest. The writer inserts with atomic stores and
// grows by building a new table; readers probe with atomic loads, so lookups
// never take a lock.
type uuidTable struct {
	seed    maphash.Seed
	slots   []uint32
	n       int // keys held
	rowBits uint
}

// maxLoad bounds the table's fill; it grows by a third when crossed, so it is
// between 67% and 90% full: 4.4 to 6 bytes per row. The tags keep the long
// probe runs of a full table cheap (slots are read in sequence; the uuid
// column only on a tag match).
const maxLoad = 0.9

func newUUIDTable(seed maphash.Seed, capacity int) *uuidTable {
	size := max(int(float64(capacity)/maxLoad)+1, 1024)
	// Rows held stay below the slot count: row+1 fits in rowBits.
	return &uuidTable{seed: seed, slots: make([]uint32, size), rowBits: uint(bits.Len(uint(size)))}
}

func (t *uuidTable) hash(k *uuidKey) uint64 { return maphash.Bytes(t.seed, k[:]) }

func (t *uuidTable) home(h uint64) int {
	hi, _ := bits.Mul64(h, uint64(len(t.slots))) // fast range reduction
	return int(hi)
}

// tag is the part of a slot above the row bits that h gives (the hash's low
// bits: home uses the high ones).
func (t *uuidTable) tag(h uint64) uint32 {
	if t.rowBits >= 32 {
		return 0
	}
	return uint32(h) << t.rowBits
}

func (t *uuidTable) rowMask() uint32 {
	if t.rowBits >= 32 {
		return ^uint32(0)
	}
	return 1<<t.rowBits - 1
}

// find returns the row holding k. keyOf gives the key of a row, or false for
// a row the caller cannot see yet (not in its snapshot).
func (t *uuidTable) find(k *uuidKey, keyOf func(row uint32) (uuidKey, bool)) (uint32, bool) {
	row, found, _, _ := t.probe(k, keyOf)
	return row, found
}

// probe walks k's run: the row holding k, or (found false) the empty slot
// that ends the run, with k's hash, where the writer then adds k
// (insertAt): one walk instead of find then insert, and the run is long
// when the table is nearly full.
func (t *uuidTable) probe(k *uuidKey, keyOf func(row uint32) (uuidKey, bool)) (row uint32, found bool, slot int, h uint64) {
	h = t.hash(k)
	tag, mask := t.tag(h), t.rowMask()
	for i := t.home(h); ; i++ {
		if i == len(t.slots) {
			i = 0
		}
		s := atomic.LoadUint32(&t.slots[i]) // readers probe while the writer inserts
		if s == 0 {
			return 0, false, i, h
		}
		if s&^mask != tag {
			continue
		}
		if rk, ok := keyOf(s&mask - 1); ok && rk == *k {
			return s&mask - 1, true, i, h
		}
	}
}

// insertAt adds row in the empty slot a probe of the same table ended at,
// with nothing inserted since. Writer only.
func (t *uuidTable) insertAt(slot int, h uint64, row uint32) {
	if uint64(row)+1 > uint64(t.rowMask()) {
		panic("index: uuid table built for fewer rows")
	}
	atomic.StoreUint32(&t.slots[slot], t.tag(h)|(row+1))
	t.n++
}

// insert adds row under k (not already present). Writer only.
func (t *uuidTable) insert(k *uuidKey, row uint32) {
	h := t.hash(k)
	if uint64(row)+1 > uint64(t.rowMask()) {
		panic("index: uuid table built for fewer rows")
	}
	for i := t.home(h); ; i++ {
		if i == len(t.slots) {
			i = 0
		}
		if t.slots[i] == 0 {
			atomic.StoreUint32(&t.slots[i], t.tag(h)|(row+1))
			t.n++
			return
		}
	}
}

// fits tells whether row can be held (row+1 within the row bits).
func (t *uuidTable) fits(row uint32) bool { return uint64(row)+1 <= uint64(t.rowMask()) }

func (t *uuidTable) full(adding int) bool {
	return float64(t.n+adding) > maxLoad*float64(len(t.slots))
}

func (t *uuidTable) bytes() int64 { return 4 * int64(cap(t.slots)) }
