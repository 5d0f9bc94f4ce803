package index

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apifw/monitor/pkg/model"
)

// countByTuple counts the rows p matches per tuple code, from rows only or
// with whole blocks taken from their tuple counts.
func countByTuple(t *testing.T, sn *Snapshot, p *Predicate, whole bool) (map[uint32]int, int) {
	t.Helper()
	var mu sync.Mutex
	got, blocks := map[uint32]int{}, 0
	opt := ScanOptions{Cols: ColTuple}
	if whole {
		opt.TupleCounts = func(_ int, codes, counts []uint32) {
			mu.Lock()
			defer mu.Unlock()
			blocks++
			for i, c := range codes {
				got[c] += int(counts[i])
			}
		}
	}
	err := sn.Scan(context.Background(), p, opt, func(_ int, c *Chunk) {
		mu.Lock()
		defer mu.Unlock()
		for _, i := range c.Sel {
			got[c.Tuple[i]]++
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return got, blocks
}

// Counting whole blocks from their tuple counts gives what counting their
// rows gives, for every kind of predicate, with deletions, and after a
// restore from an image (which derives the counts again).
func TestTupleCountsMatchRows(t *testing.T) {
	txs := randomTxs(7, 6000)
	opts := Options{BlockSize: 256, StateDir: t.TempDir()}
	s := NewStore(opts)
	s.Append(txs)
	if _, err := s.Delete(DeleteCriteria{UUIDs: []string{txs[10].UUID, txs[3000].UUID}}); err != nil {
		t.Fatal(err)
	}
	d := s.Snapshot().Dicts()
	blocked := make([]bool, len(d.Tuples))
	for i, tu := range d.Tuples {
		blocked[i] = tu.Outcome == model.OutcomeBlocked
	}
	someIPs := make([]bool, len(d.ClientIPs))
	for i, v := range d.ClientIPs {
		someIPs[i] = strings.HasPrefix(v, "10.1.")
	}
	from, to := AllTime()
	preds := []Predicate{
		{From: from, To: to},
		{From: t0.Add(time.Hour).UnixMicro(), To: t0.Add(3 * time.Hour).UnixMicro()},
		{From: from, To: to, Tuples: blocked},
		{From: from, To: to, ClientIPs: someIPs},
		{From: t0.Add(30 * time.Minute).UnixMicro(), To: to, Tuples: blocked},
	}
	restored, _ := roundTrip(t, s, opts)
	// A snapshot whose first block has a row deleted and not yet compacted
	// away (Delete compacts at once; a published snapshot may predate it).
	pending := *s.Snapshot()
	pending.blocks = append([]blockView(nil), pending.blocks...)
	pending.blocks[0].del = pending.blocks[0].del.with([]int{3}, opts.BlockSize)
	pending.blocks[0].deleted = 1
	for k, p := range preds {
		for name, sn := range map[string]*Snapshot{"live": s.Snapshot(), "restored": restored.Snapshot(), "pending deletion": &pending} {
			t.Run(fmt.Sprint(k, name), func(t *testing.T) {
				want, _ := countByTuple(t, sn, &p, false)
				got, blocks := countByTuple(t, sn, &p, true)
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Fatalf("counts from tuple counts differ from rows:\n got %v\nwant %v", got, want)
				}
				if k == 0 && blocks == 0 {
					t.Fatal("no block was taken whole: the test does not exercise tuple counts")
				}
				if k == 3 && blocks != 0 {
					t.Fatal("a client-IP filter took whole blocks")
				}
			})
		}
	}
}
