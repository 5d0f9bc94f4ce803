package index

import (
	"fmt"
	"testing"
)

// Told the size of a first scan, the store sizes the uuid table once from the
// first records' lengths: no growth after that, every id found, and the
// table not much larger than the records need.
func TestExpectSizesTheUUIDTableOnce(t *testing.T) {
	const n = 3 * expectSample
	txs := randomTxs(5, n)
	var total int64
	for i := range txs {
		txs[i].UUID = fmt.Sprintf("%08x-0000-4000-8000-%012x", i, i*7919) // canonical, distinct
		total += int64(txs[i].Length) + 1
	}
	s := NewStore()
	s.Expect(total)
	s.Append(txs[:expectSample])
	sized := len(s.w.table.slots)
	if float64(sized)*maxLoad < n {
		t.Fatalf("table of %d slots for %d records", sized, n)
	}
	if float64(n) < 0.8*float64(sized) {
		t.Fatalf("table of %d slots for %d records: too large", sized, n)
	}
	s.Append(txs[expectSample:])
	if got := len(s.w.table.slots); got != sized {
		t.Fatalf("table grew from %d to %d slots", sized, got)
	}
	for _, tx := range txs {
		if _, ok := s.Lookup(tx.UUID); !ok {
			t.Fatalf("%s not found", tx.UUID)
		}
	}
}

// Records without lengths give no estimate: the table grows as usual.
func TestExpectWithoutLengths(t *testing.T) {
	txs := randomTxs(6, expectSample+10)
	for i := range txs {
		txs[i].Length = 0
	}
	s := NewStore()
	s.Expect(1 << 40)
	s.Append(txs)
	if got := len(s.w.table.slots); got > 4*len(txs) {
		t.Fatalf("table of %d slots for %d records", got, len(txs))
	}
	if s.expect.bytes != 0 {
		t.Fatal("the expectation is still open")
	}
}

// A scan smaller than the sample closes the expectation when its bytes are in.
func TestExpectSmallScan(t *testing.T) {
	txs := randomTxs(7, 100)
	var total int64
	for _, tx := range txs {
		total += int64(tx.Length) + 1
	}
	s := NewStore()
	s.Expect(total)
	s.Append(txs)
	if s.expect.bytes != 0 {
		t.Fatal("the expectation is still open")
	}
}
