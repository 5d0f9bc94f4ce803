package index

import (
	"fmt"
	"hash/maphash"
	"math/rand"
	"strings"
	"testing"
	"time"

	"github.com/apifw/monitor/pkg/model"
)

// Paths round-trip through the template-split dictionary, whatever their
// operation says, and equal paths get one code.
func TestPathDictRoundTrip(t *testing.T) {
	cases := []struct{ path, op string }{
		{"/users/8812/orders/1203", "/users/{userId}/orders/{orderId}"},
		{"/users/8812/orders/1203", "n/a"},                                // same path, other operation: same code
		{"/users/8812/orders", "/users/{userId}/orders/{orderId}"},        // too short
		{"/users/8812/orders/1203/x", "/users/{userId}/orders/{orderId}"}, // too long
		{"/users//orders/", "/users/{userId}/orders/{orderId}"},           // empty parameters
		{"/users/a%2Fb/orders/7", "/users/{userId}/orders/{orderId}"},
		{"/api/v1/search", "/api/v1/search"}, // a template without parameters
		{"/api/v1/search?q=1", "/api/v1/search"},
		{"/files/report.json", "/files/{name}.json"}, // a parameter inside a segment: verbatim
		{"/x/{id}", "/x/{id}"},
		{"", "/x/{id}"},
		{"/", "/"},
		{"/pets/1", "pets/{id}"},
		{"/ünïcode/12", "/ünïcode/{id}"},
		{"/a/1/b/2/c/3", "/a/{x}/b/{y}/c/{z}"},
		{"/a/1/b/2/c/", "/a/{x}/b/{y}/c/{z}"},
		{"/a/1/b/2/d/3", "/a/{x}/b/{y}/c/{z}"},
		{"/weird/{", "/weird/{"},
		{"/n/0/007/18446744073709551615/123456789012345678/-1/1e3", "/n/{a}/{b}/{c}/{d}/{e}/{f}"},
		{"/n/0/7/1/2/3/4", "/n/{a}/{b}/{c}/{d}/{e}/{f}"},
	}
	d := newPathDict()
	codes := map[string]uint32{}
	for _, c := range cases {
		code := d.code(c.path, c.op)
		if prev, ok := codes[c.path]; ok && prev != code {
			t.Fatalf("%q: code %d, earlier %d", c.path, code, prev)
		}
		codes[c.path] = code
		v := d.view()
		if got := v.At(int(code)); got != c.path {
			t.Fatalf("%q (operation %q) reads back as %q", c.path, c.op, got)
		}
	}
	v := d.view()
	if v.Len() != len(codes) {
		t.Fatalf("%d codes for %d paths", v.Len(), len(codes))
	}
	for p, code := range codes {
		if got := v.At(int(code)); got != p {
			t.Fatalf("%q reads back as %q", p, got)
		}
	}
	// A templated path costs its parameters, not its text.
	if _, payload := v.entry(int(codes["/a/1/b/2/c/3"])); string(payload) != "\x03\x05\x07" {
		t.Fatalf("payload %q", payload)
	}
}

// Many paths: chunks fill and roll over, the code table grows, earlier views
// stay valid while the writer goes on.
func TestPathDictGrowth(t *testing.T) {
	d := newPathDict()
	rng := rand.New(rand.NewSource(1))
	var paths []string
	var views []PathDict
	for i := 0; i < 300_000; i++ {
		var p, op string
		switch i % 3 {
		case 0:
			p, op = fmt.Sprintf("/users/%d/orders/%d", rng.Intn(5000), rng.Intn(100000)), "/users/{u}/orders/{o}"
		case 1:
			p, op = fmt.Sprintf("/static/%s/%d", strings.Repeat("x", rng.Intn(300)), i), "n/a"
		default:
			p, op = fmt.Sprintf("/docs/%d", rng.Intn(1000)), "/docs/{id}"
		}
		code := d.code(p, op)
		if int(code) == len(paths) {
			paths = append(paths, p)
		} else if paths[code] != p {
			t.Fatalf("%q got the code of %q", p, paths[code])
		}
		if i%50_000 == 0 {
			views = append(views, d.view())
		}
	}
	if len(d.chunks) < 2 {
		t.Fatalf("%d chunks", len(d.chunks))
	}
	for _, v := range append(views, d.view()) {
		for code := 0; code < v.Len(); code++ {
			if got := v.At(code); got != paths[code] {
				t.Fatalf("code %d: %q, want %q", code, got, paths[code])
			}
		}
	}
	for code, p := range paths {
		if c := d.code(p, "n/a"); int(c) != code {
			t.Fatalf("%q: code %d, want %d", p, c, code)
		}
	}
	perPath := float64(d.memory()) / float64(len(paths))
	t.Logf("%d paths, %d chunks, %.1f bytes a path", len(paths), len(d.chunks), perPath)
}

func TestStrDictArenaAndTable(t *testing.T) {
	d := newStrDict()
	var vals []string
	for i := 0; i < 100_000; i++ {
		s := fmt.Sprintf("10.%d.%d.%d", i>>16, i>>8&255, i&255)
		if i%7 == 0 {
			s = fmt.Sprintf("2001:db8::%x", i)
		}
		if i%1000 == 0 {
			s = strings.Repeat("y", 20000) + s // larger than an arena piece
		}
		buf := []byte(s) // the parser's buffer: reused
		if c := d.code(string(buf)); int(c) != len(vals) {
			t.Fatalf("new value %q got code %d", s, c)
		}
		vals = append(vals, s)
		for j := range buf {
			buf[j] = 0
		}
	}
	d.code("")
	vals = append(vals, "")
	for i, s := range vals {
		if d.values[i] != s {
			t.Fatalf("value %d is %q, want %q", i, d.values[i], s)
		}
		if c := d.code(s); int(c) != i {
			t.Fatalf("%q: code %d, want %d", s, c, i)
		}
	}
}

// The tagged uuid table: every inserted key is found at its row, keys not
// inserted are not, and rows past the row bits make the writer grow it.
func TestUUIDTableTags(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	keys := make([]uuidKey, 50_000)
	for i := range keys {
		rng.Read(keys[i][:])
	}
	tb := newUUIDTable(maphash.MakeSeed(), 10)
	keyOf := func(row uint32) (uuidKey, bool) { return keys[row], true }
	for i := range keys {
		if tb.full(1) {
			nt := newUUIDTable(tb.seed, (i+1)*3/2)
			for j := 0; j < i; j++ {
				nt.insert(&keys[j], uint32(j))
			}
			tb = nt
		}
		if !tb.fits(uint32(i)) {
			t.Fatalf("row %d does not fit a table of %d slots", i, len(tb.slots))
		}
		tb.insert(&keys[i], uint32(i))
	}
	for i := range keys {
		if row, ok := tb.find(&keys[i], keyOf); !ok || row != uint32(i) {
			t.Fatalf("key %d: row %d, %v", i, row, ok)
		}
	}
	for i := 0; i < 10_000; i++ {
		var k uuidKey
		rng.Read(k[:])
		if _, ok := tb.find(&k, keyOf); ok {
			t.Fatalf("absent key found")
		}
	}
	small := newUUIDTable(maphash.MakeSeed(), 1)
	if small.fits(uint32(len(small.slots))) && small.rowBits < 32 && uint64(len(small.slots))+1 > uint64(small.rowMask()) {
		t.Fatalf("row bits too narrow")
	}
	if small.fits(1 << small.rowBits) {
		t.Fatalf("row %d fits %d row bits", 1<<small.rowBits, small.rowBits)
	}
}

// Rows taken by ids that are not canonical UUIDs (no table entry) still make
// the table grow before a row number outgrows its row bits.
func TestUUIDTableGrowsForOddRows(t *testing.T) {
	s := NewStore(Options{BlockSize: 512})
	var txs []model.Transaction
	for i := 0; i < 5000; i++ {
		txs = append(txs, model.Transaction{UUID: fmt.Sprintf("odd-%d", i), Time: time.Unix(int64(i), 0)})
	}
	s.Append(txs)
	want := fmt.Sprintf("%08x-0000-4000-8000-000000000000", 7)
	s.Append([]model.Transaction{{UUID: want, Time: time.Unix(9999, 0)}})
	if _, ok := s.Lookup(want); !ok {
		t.Fatalf("canonical id after odd rows not found")
	}
	if _, ok := s.Lookup("odd-4321"); !ok {
		t.Fatalf("odd id not found")
	}
}
