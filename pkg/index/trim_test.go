package index

import (
	"fmt"
	"testing"
)

// Trim frees the writer's spare room and changes nothing a reader sees: not
// the snapshot taken before it, not the one after, not what appends after it
// add (the trimmed slices and the open block grow again).
func TestTrimKeepsContent(t *testing.T) {
	for _, bs := range []int{64, 5000, DefaultBlockSize} {
		t.Run(fmt.Sprint(bs), func(t *testing.T) {
			txs := randomTxs(3, 12000)
			for i := range txs { // many distinct paths: the path dictionary spans chunks
				txs[i].Path = fmt.Sprintf("/api/users/%d", i*7919)
				if i%5 == 0 {
					txs[i].Path = fmt.Sprintf("/odd/%x/path", i)
				}
			}
			s := NewStore(Options{BlockSize: bs})
			s.Append(txs[:7000])
			before := s.Snapshot()
			mem := s.MemoryBytes()
			s.Trim()
			if got := s.MemoryBytes(); got > mem {
				t.Fatalf("memory %d after Trim, %d before", got, mem)
			}
			check := func(snap *Snapshot, held []int) {
				t.Helper()
				for _, i := range held {
					pos, ok := snap.Lookup(txs[i].UUID)
					if !ok || !same(pos.Tx, txs[i]) {
						t.Fatalf("row %d: found %v\n got %+v\nwant %+v", i, ok, pos.Tx, txs[i])
					}
				}
			}
			rows := func(lo, hi int) []int {
				var out []int
				for i := lo; i < hi; i++ {
					out = append(out, i)
				}
				return out
			}
			check(before, rows(0, 7000))
			check(s.Snapshot(), rows(0, 7000))
			s.Append(txs[7000:])
			s.Trim()
			s.Trim() // nothing spare: a no-op
			check(before, rows(0, 7000))
			check(s.Snapshot(), rows(0, len(txs)))
			if s.Len() != len(txs) {
				t.Fatalf("len %d", s.Len())
			}
		})
	}
}
