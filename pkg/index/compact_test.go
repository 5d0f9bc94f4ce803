package index

import (
	"strings"
	"testing"
	"time"

	"github.com/apifw/monitor/pkg/model"
)

// A deletion leaves nothing of the deleted records in memory: no row, no id
// in the uuid table, no dictionary value that only they used; what is kept
// reads back exactly as it was appended, and appends go on as before.
func TestDeleteCompactsTheIndex(t *testing.T) {
	cases := []struct {
		name string
		c    DeleteCriteria
		hit  func(model.Transaction) bool
	}{
		{"client cidr", DeleteCriteria{ClientIP: "10.1.0.0/16"}, func(tx model.Transaction) bool { return strings.HasPrefix(tx.ClientIP, "10.1.") }},
		{"api", DeleteCriteria{APIs: []string{"api-2"}}, func(tx model.Transaction) bool { return tx.APIID == "api-2" }},
		{"uuids", DeleteCriteria{}, nil},
	}
	txs := randomTxs(11, 3000)
	cases[2].c = DeleteCriteria{UUIDs: []string{txs[3].UUID, txs[70].UUID, txs[2999].UUID}}
	cases[2].hit = func(tx model.Transaction) bool {
		return tx.UUID == txs[3].UUID || tx.UUID == txs[70].UUID || tx.UUID == txs[2999].UUID
	}
	now := t0.Add(48 * time.Hour)
	for _, bs := range []int{64, DefaultBlockSize} {
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				s := NewStore(Options{BlockSize: bs, StateDir: t.TempDir(), Now: func() time.Time { return now }})
				s.Append(txs)
				res, err := s.Delete(c.c)
				if err != nil {
					t.Fatal(err)
				}
				kept := map[string]model.Transaction{}
				for _, tx := range txs {
					if !c.hit(tx) {
						kept[tx.UUID] = tx
					}
				}
				if res.Deleted != len(txs)-len(kept) || s.Len() != len(kept) {
					t.Fatalf("deleted %d, len %d, kept %d", res.Deleted, s.Len(), len(kept))
				}
				sn := s.Snapshot()
				if int(sn.rows) != len(kept) {
					t.Fatalf("%d rows held (deleted ones included), want %d", sn.rows, len(kept))
				}
				for _, tx := range txs {
					_, _, held := sn.find(tx.UUID)
					if held == c.hit(tx) {
						t.Fatalf("%s: in the uuid index %v, deleted %v", tx.UUID, held, c.hit(tx))
					}
				}
				values := map[string]bool{}
				for _, tx := range kept {
					values[tx.ClientIP] = true
					values[tx.Path] = true
				}
				for _, v := range append(append([]string(nil), sn.dicts.ClientIPs...), sn.dicts.Paths.Values()...) {
					if !values[v] {
						t.Fatalf("dictionary still holds %q, used only by deleted records", v)
					}
				}
				for _, a := range sn.dicts.APIs {
					if c.name == "api" && a.ID == "api-2" {
						t.Fatalf("dictionary still holds the deleted API")
					}
				}
				n := 0
				s.Range(time.Time{}, time.Time{}, func(tx *model.Transaction) bool {
					want, ok := kept[tx.UUID]
					if !ok || !same(*tx, want) {
						t.Fatalf("row %+v\nwant %+v (kept %v)", *tx, want, ok)
					}
					n++
					return true
				})
				if n != len(kept) {
					t.Fatalf("range %d of %d", n, len(kept))
				}
				for id, tx := range kept {
					pos, ok := s.Lookup(id)
					if !ok || pos.Offset != tx.Offset || pos.Line != tx.Line || pos.FileID != tx.FileID {
						t.Fatalf("lookup %s: %+v %v", id, pos, ok)
					}
				}
				// Appends after the compaction: duplicates still skipped,
				// deleted records still refused.
				if added := s.Append(txs); added != 0 {
					t.Fatalf("re-append added %d", added)
				}
				fresh := randomTxs(12, 10)
				for i := range fresh {
					fresh[i].Time = now.Add(time.Minute)
					fresh[i].APIID, fresh[i].ClientIP = "api-9", "192.0.2.1"
				}
				if added := s.Append(fresh); added != 10 || s.Len() != len(kept)+10 {
					t.Fatalf("fresh append added %d, len %d", added, s.Len())
				}
			})
		}
	}
}

// A snapshot taken before a deletion finishes on what it saw.
func TestSnapshotSurvivesCompaction(t *testing.T) {
	txs := randomTxs(13, 500)
	s := NewStore(Options{BlockSize: 32})
	s.Append(txs)
	old := s.Snapshot()
	if _, err := s.Delete(DeleteCriteria{ClientIP: "10.0.0.0/8"}); err != nil {
		t.Fatal(err)
	}
	n := 0
	for bi := range old.blocks {
		for r := 0; r < old.blocks[bi].n; r++ {
			tx := old.materialize(bi, r)
			if tx.UUID == "" {
				t.Fatal("old snapshot lost a row")
			}
			n++
		}
	}
	if n != len(txs) || old.Len() != len(txs) {
		t.Fatalf("old snapshot %d rows, len %d", n, old.Len())
	}
}

// A record dated in the future (the firewall's clock ahead) that exists when
// a deletion is made is deleted with the others, and stays deleted after a
// restart; genuinely later traffic is not.
func TestDeletionCoversRecordsDatedAhead(t *testing.T) {
	now := t0.Add(time.Hour)
	dir := t.TempDir()
	clock := func() time.Time { return now }
	past := model.Transaction{UUID: "11111111-1111-4111-8111-111111111111", Time: t0, ClientIP: "10.9.9.9"}
	ahead := model.Transaction{UUID: "33333333-3333-4333-8333-333333333333", Time: now.Add(365 * 24 * time.Hour), ClientIP: "10.9.9.9"}
	other := model.Transaction{UUID: "44444444-4444-4444-8444-444444444444", Time: now.Add(365 * 24 * time.Hour), ClientIP: "10.1.1.1"}
	s := NewStore(Options{StateDir: dir, Now: clock})
	s.Append([]model.Transaction{past, ahead, other})
	if n := s.CountMatching(DeleteCriteria{ClientIP: "10.9.9.9"}); n != 2 {
		t.Fatalf("preview %d, want 2", n)
	}
	res, err := s.Delete(DeleteCriteria{ClientIP: "10.9.9.9"})
	if err != nil || res.Deleted != 2 || len(res.Record.Ahead) != 1 || res.Record.Ahead[0] != ahead.UUID {
		t.Fatalf("%+v %v", res, err)
	}
	later := model.Transaction{UUID: "22222222-2222-4222-8222-222222222222", Time: now.Add(time.Minute), ClientIP: "10.9.9.9"}
	for _, st := range []*Store{s, NewStore(Options{StateDir: dir, Now: clock})} {
		if n := st.Append([]model.Transaction{past, ahead, other, later}); st.Len() != 2 {
			t.Fatalf("added %d, len %d", n, st.Len())
		}
		for _, tx := range []model.Transaction{past, ahead} {
			if _, ok := st.Lookup(tx.UUID); ok {
				t.Fatalf("%s came back", tx.UUID)
			}
		}
		if _, ok := st.Lookup(later.UUID); !ok {
			t.Fatal("later traffic refused")
		}
	}
}

// BenchmarkDeleteCompaction: one deletion on a store of 500 000 records
// (the rebuild without the deleted rows dominates).
func BenchmarkDeleteCompaction(b *testing.B) {
	txs := randomTxs(21, 500000)
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		s := NewStore(Options{Now: func() time.Time { return t0.Add(24 * time.Hour) }})
		s.Append(txs)
		b.StartTimer()
		if _, err := s.Delete(DeleteCriteria{UUIDs: []string{txs[i%len(txs)].UUID}}); err != nil {
			b.Fatal(err)
		}
	}
}
