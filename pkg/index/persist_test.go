package index

import (
	"bytes"
	"errors"
	"fmt"
	"hash/maphash"
	"reflect"
	"testing"
	"time"

	"github.com/apifw/monitor/pkg/model"
)

// roundTrip encodes a capture of s and installs it into a new store.
func roundTrip(t *testing.T, s *Store, opts Options) (*Store, []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := s.Capture().Encode(&buf); err != nil {
		t.Fatal(err)
	}
	img, err := DecodeImage(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	r := NewStore(opts)
	if _, err := r.Install(img); err != nil {
		t.Fatal(err)
	}
	return r, buf.Bytes()
}

// all materialises every live row, by id.
func all(s *Store) map[string]model.Transaction {
	out := map[string]model.Transaction{}
	s.Range(time.Time{}, time.Time{}, func(tx *model.Transaction) bool {
		out[tx.UUID] = *tx
		return true
	})
	return out
}

func sameContent(t *testing.T, want, got *Store) {
	t.Helper()
	a, b := all(want), all(got)
	if len(a) != len(b) || want.Len() != got.Len() || got.Len() != len(b) {
		t.Fatalf("restored %d rows (Len %d), want %d (Len %d)", len(b), got.Len(), len(a), want.Len())
	}
	for id, tx := range a {
		if !same(tx, b[id]) {
			t.Fatalf("%s:\n got %+v\nwant %+v", id, b[id], tx)
		}
		pa, _ := want.Lookup(id)
		pb, ok := got.Lookup(id)
		if !ok || pa.Offset != pb.Offset || pa.Line != pb.Line || pa.FileID != pb.FileID {
			t.Fatalf("lookup %s: %+v %v, want %+v", id, pb, ok, pa)
		}
	}
	da, db := want.Snapshot().Dicts(), got.Snapshot().Dicts()
	if !reflect.DeepEqual(da.ClientIPs, db.ClientIPs) || !reflect.DeepEqual(da.Paths.Values(), db.Paths.Values()) ||
		!reflect.DeepEqual(da.Tuples, db.Tuples) || !reflect.DeepEqual(da.Files, db.Files) || !reflect.DeepEqual(da.Errors, db.Errors) {
		t.Fatal("dictionaries differ")
	}
	if !reflect.DeepEqual(want.Snapshot().Blocks(), got.Snapshot().Blocks()) {
		t.Fatalf("blocks differ:\n got %+v\nwant %+v", got.Snapshot().Blocks(), want.Snapshot().Blocks())
	}
}

// A restored index answers exactly as the one it was taken from, and goes on
// ingesting exactly as it would have: same codes, same runs, duplicates
// refused, through sealed blocks, the open block and odd ids.
func TestPersistRoundTrip(t *testing.T) {
	for _, bs := range []int{7, 64, 5000, DefaultBlockSize} {
		for _, n := range []int{0, 1, 6, 3000} {
			t.Run(fmt.Sprintf("block %d, %d rows", bs, n), func(t *testing.T) {
				txs := randomTxs(int64(n+bs), n+500)
				opts := Options{BlockSize: bs}
				s := NewStore(opts)
				s.Append(txs[:n])
				r, _ := roundTrip(t, s, opts)
				sameContent(t, s, r)
				// What arrives next, new ids and ids already held, lands the
				// same way in both.
				more := append(append([]model.Transaction(nil), txs[n:]...), txs[:min(n, 50)]...)
				if a, b := s.Append(more), r.Append(more); a != b || a != 500 {
					t.Fatalf("appended %d and %d, want 500", a, b)
				}
				sameContent(t, s, r)
			})
		}
	}
}

// Deletions logged after the snapshot was taken apply when it is installed
// (a crash came before the next snapshot); deletions it includes are not
// applied twice; a snapshot from another deletion log is refused.
func TestPersistDeletionLogPosition(t *testing.T) {
	now := t0.Add(48 * time.Hour)
	opts := func(dir string) Options {
		return Options{BlockSize: 64, StateDir: dir, Now: func() time.Time { return now }}
	}
	txs := randomTxs(5, 2000)
	dir := t.TempDir()
	s := NewStore(opts(dir))
	s.Append(txs)
	if _, err := s.Delete(DeleteCriteria{UUIDs: []string{txs[1].UUID}}); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := s.Capture().Encode(&buf); err != nil {
		t.Fatal(err)
	}
	later := []DeleteCriteria{{ClientIP: "10.1.0.0/16"}, {UUIDs: []string{txs[7].UUID, txs[8].UUID}}}
	for _, c := range later {
		if _, err := s.Delete(c); err != nil {
			t.Fatal(err)
		}
	}
	img, err := DecodeImage(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	r := NewStore(opts(dir)) // reads the whole log, as at start
	applied, err := r.Install(img)
	if err != nil || applied != 2 {
		t.Fatalf("applied %d later deletions (%v), want 2", applied, err)
	}
	sameContent(t, s, r)
	for _, tx := range txs {
		if _, ok := r.Lookup(tx.UUID); ok && (tx.UUID == txs[7].UUID || tx.ClientIP[:5] == "10.1.") {
			t.Fatalf("%s came back", tx.UUID)
		}
	}
	if r.Snapshot().rows != uint32(r.Len()) {
		t.Fatal("deleted rows not compacted away")
	}

	other := t.TempDir() // a log that does not begin with the snapshot's deletion
	o := NewStore(opts(other))
	if _, err := o.Delete(DeleteCriteria{UUIDs: []string{txs[2].UUID}}); err != nil {
		t.Fatal(err)
	}
	img, _ = DecodeImage(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if _, err := o.Install(img); err == nil || o.Len() != 0 {
		t.Fatalf("installed over another deletion log: %v, %d rows", err, o.Len())
	}
	img, _ = DecodeImage(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if _, err := NewStore(Options{BlockSize: 64}).Install(img); err == nil {
		t.Fatal("installed without the deletion log it was made with")
	}
	img, _ = DecodeImage(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if _, err := NewStore(Options{BlockSize: 128, StateDir: dir}).Install(img); err == nil {
		t.Fatal("installed into blocks of another size")
	}
}

// Damaged bytes are an error, never a panic or a huge allocation: every
// truncation, and a byte changed anywhere in a small image. (The file's
// checksum catches what the structure checks let through.)
func TestPersistDecodeDamaged(t *testing.T) {
	s := NewStore(Options{BlockSize: 16})
	s.Append(randomTxs(3, 40))
	var buf bytes.Buffer
	if err := s.Capture().Encode(&buf); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()
	for cut := 0; cut < len(good); cut++ {
		if _, err := DecodeImage(bytes.NewReader(good[:cut]), int64(cut)); !errors.Is(err, errCorrupt) {
			t.Fatalf("truncated at %d of %d: %v", cut, len(good), err)
		}
	}
	if _, err := DecodeImage(bytes.NewReader(append(good, 0)), int64(len(good)+1)); !errors.Is(err, errCorrupt) {
		t.Fatalf("a byte too many: %v", err)
	}
	for i := range good {
		for _, x := range []byte{0x01, 0x80, 0xff} {
			bad := append([]byte(nil), good...)
			bad[i] ^= x
			img, err := DecodeImage(bytes.NewReader(bad), int64(len(bad)))
			if err == nil {
				// Accepted: the change went where any value is valid (a
				// time, a length); the result must still be usable.
				r := NewStore(Options{BlockSize: 16})
				if _, err := r.Install(img); err == nil {
					all(r)
				}
			}
		}
	}
}

func TestValidParams(t *testing.T) {
	enc := func(params ...string) string {
		var b []byte
		for _, p := range params {
			b = appendParam(b, p)
		}
		return string(b)
	}
	cases := []struct {
		payload string
		n       int
		want    bool
	}{
		{"", 0, true},
		{enc("8812", "abc"), 2, true},
		{enc("8812", "abc"), 1, false},
		{enc("8812", "abc"), 3, false},
		{enc("abc")[:2], 1, false}, // a string cut short
		{"\xff", 1, false},         // an unfinished varint
	}
	for _, c := range cases {
		if got := validParams(c.payload, c.n); got != c.want {
			t.Errorf("validParams(%q, %d) = %v", c.payload, c.n, got)
		}
	}
}

// The uuid table is rebuilt on load rather than stored (its hash seed
// cannot be saved): what that costs per million rows.
func BenchmarkRebuildUUIDTable(b *testing.B) {
	s := NewStore()
	txs := randomTxs(1, 1<<20)
	for i := range txs {
		txs[i].UUID = fmt.Sprintf("%08x-0000-4000-8000-%012x", i, i*7919) // canonical, distinct
	}
	s.Append(txs)
	w := s.w
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w.rebuildTable(maphash.MakeSeed(), (w.rows()+1)*4/3)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(txs)), "ns/row")
}
