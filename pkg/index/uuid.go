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
// linear probing over a slot array of row+1 (0 = empty). The key itself is not
// stored: the uuid column is compared instead, which keeps the table at 4 bytes
// a slot. The writer inserts with atomic stores and grows by building a new
// table; readers probe with atomic loads, so lookups never take a lock.
type uuidTable struct {
	seed  maphash.Seed
	slots []uint32
	n     int // keys held
}

// maxLoad bounds the table's fill; it grows by half when crossed, so it is
// between 53% and 80% full: 5 to 7.5 bytes per row.
const maxLoad = 0.8

func newUUIDTable(seed maphash.Seed, capacity int) *uuidTable {
	size := max(int(float64(capacity)/maxLoad)+1, 1024)
	return &uuidTable{seed: seed, slots: make([]uint32, size)}
}

func (t *uuidTable) home(k *uuidKey) int {
	h := maphash.Bytes(t.seed, k[:])
	hi, _ := bits.Mul64(h, uint64(len(t.slots))) // fast range reduction
	return int(hi)
}

// find returns the row holding k. keyOf gives the key of a row, or false for
// a row the caller cannot see yet (not in its snapshot).
func (t *uuidTable) find(k *uuidKey, keyOf func(row uint32) (uuidKey, bool)) (uint32, bool) {
	for i := t.home(k); ; i++ {
		if i == len(t.slots) {
			i = 0
		}
		s := atomic.LoadUint32(&t.slots[i])
		if s == 0 {
			return 0, false
		}
		if rk, ok := keyOf(s - 1); ok && rk == *k {
			return s - 1, true
		}
	}
}

// insert adds row under k (not already present). Writer only.
func (t *uuidTable) insert(k *uuidKey, row uint32) {
	for i := t.home(k); ; i++ {
		if i == len(t.slots) {
			i = 0
		}
		if t.slots[i] == 0 {
			atomic.StoreUint32(&t.slots[i], row+1)
			t.n++
			return
		}
	}
}

func (t *uuidTable) full(adding int) bool {
	return float64(t.n+adding) > maxLoad*float64(len(t.slots))
}

func (t *uuidTable) bytes() int64 { return 4 * int64(cap(t.slots)) }
