package index

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apifw/monitor/pkg/model"
)

var t0 = time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)

// randomTxs makes n varied transactions: several files read record after
// record (so positions form runs), times in no particular order, odd ids now
// and then.
func randomTxs(seed int64, n int) []model.Transaction {
	rng := rand.New(rand.NewSource(seed))
	type file struct {
		id       uint32
		path     string
		line     int
		off      int64
		instance string
	}
	files := []*file{}
	for i := 0; i < 5; i++ {
		files = append(files, &file{id: uint32(100 + i), path: fmt.Sprintf("/logs/fw-%d/api-%d.transaction.log", i%3, i), line: 1, instance: fmt.Sprintf("fw-%d", i%3)})
	}
	steps := []string{"hostpath_mapping", "request_validation", "rate_limiting"}
	out := make([]model.Transaction, n)
	for i := range out {
		f := files[rng.Intn(len(files))]
		if rng.Intn(50) == 0 { // a bad line was skipped: the run breaks
			f.line++
			f.off += 17
		}
		length := int32(200 + rng.Intn(3000))
		tx := model.Transaction{
			UUID:        fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", rng.Uint32(), rng.Intn(1<<16), rng.Intn(1<<12), rng.Intn(1<<12), rng.Int63n(1<<48)),
			Time:        t0.Add(time.Duration(rng.Int63n(int64(6 * time.Hour)))).Truncate(time.Microsecond),
			DurationUS:  int64(rng.Intn(200000)) - 1,
			Instance:    f.instance,
			APIID:       fmt.Sprintf("api-%d", rng.Intn(4)),
			ClientIP:    fmt.Sprintf("10.%d.0.%d", rng.Intn(3), rng.Intn(40)),
			Hostname:    "api.example.test",
			Method:      []string{"GET", "POST", "get"}[rng.Intn(3)],
			Path:        fmt.Sprintf("/api/users/%d", rng.Intn(300)),
			Operation:   "/api/users/{id}",
			Status:      []int{200, 404, 403, 502}[rng.Intn(4)],
			NonBlocking: rng.Intn(5) == 0,
			Outcome:     model.Outcome(rng.Intn(4)),
			FileID:      f.id, File: f.path, Line: f.line, Offset: f.off, Length: length,
			BlockingLevel: rng.Intn(3),
		}
		tx.APIName = "name-" + tx.APIID
		if rng.Intn(3) == 0 {
			tx.Errors = []model.TransactionError{{Step: steps[rng.Intn(3)], Depth: 1, Message: "m" + fmt.Sprint(rng.Intn(3))}}
		}
		if rng.Intn(40) == 0 {
			tx.UUID = "odd-" + fmt.Sprint(rng.Int63())
		}
		if rng.Intn(30) == 0 {
			tx.ClientIP = "not-an-ip"
		}
		f.line++
		f.off += int64(length) + 1
		out[i] = tx
	}
	return out
}

// same compares a materialised row with the transaction it came from.
func same(a, b model.Transaction) bool {
	a.Time, b.Time = time.Time{}.Add(time.Duration(a.Time.UnixMicro())), time.Time{}.Add(time.Duration(b.Time.UnixMicro()))
	if len(a.Errors) == 0 && len(b.Errors) == 0 {
		a.Errors, b.Errors = nil, nil
	}
	return reflect.DeepEqual(a, b)
}

func TestAppendLookupRoundTrip(t *testing.T) {
	for _, bs := range []int{7, 64, 5000, DefaultBlockSize} {
		t.Run(fmt.Sprint(bs), func(t *testing.T) {
			txs := randomTxs(1, 9000)
			s := NewStore(Options{BlockSize: bs})
			if n := s.Append(txs[:1000]) + s.Append(txs[1000:]); n != len(txs) {
				t.Fatalf("added %d", n)
			}
			if s.Len() != len(txs) {
				t.Fatalf("len %d", s.Len())
			}
			canonical := 0
			for _, tx := range txs {
				if _, ok := parseUUID(tx.UUID); ok {
					canonical++
				}
			}
			if s.w.table.n != canonical { // each id once, through every growth
				t.Fatalf("uuid table holds %d keys for %d ids", s.w.table.n, canonical)
			}
			for _, tx := range txs {
				pos, ok := s.Lookup(tx.UUID)
				if !ok {
					t.Fatalf("%s not found", tx.UUID)
				}
				if !same(pos.Tx, tx) {
					t.Fatalf("round trip:\n got %+v\nwant %+v", pos.Tx, tx)
				}
				if pos.Offset != tx.Offset || pos.Line != tx.Line || pos.Length != tx.Length || pos.FileID != tx.FileID || pos.Path != tx.File {
					t.Fatalf("position %+v of %+v", pos, tx)
				}
			}
			if _, ok := s.Lookup("00000000-0000-4000-8000-000000000000"); ok {
				t.Fatal("unknown id found")
			}
			// Appending again adds nothing: ids already held are skipped.
			if n := s.Append(txs); n != 0 || s.Len() != len(txs) {
				t.Fatalf("re-append added %d", n)
			}
		})
	}
}

func TestRangeIsTimeOrderedAcrossOverlappingBlocks(t *testing.T) {
	txs := randomTxs(2, 500)
	s := NewStore(Options{BlockSize: 16})
	s.Append(txs)
	from, to := t0.Add(time.Hour), t0.Add(3*time.Hour)
	var want []string
	sorted := append([]model.Transaction(nil), txs...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Time.Before(sorted[j].Time) })
	for _, tx := range sorted {
		if !tx.Time.Before(from) && tx.Time.Before(to) {
			want = append(want, tx.UUID)
		}
	}
	var got []string
	last := time.Time{}
	s.Range(from, to, func(tx *model.Transaction) bool {
		if tx.Time.Before(last) {
			t.Fatal("not time ordered")
		}
		last = tx.Time
		got = append(got, tx.UUID)
		return true
	})
	sort.Strings(got)
	sort.Strings(want)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("range: %d rows, want %d", len(got), len(want))
	}
}

func TestScanMatchesPredicate(t *testing.T) {
	txs := randomTxs(3, 5000)
	s := NewStore(Options{BlockSize: 300})
	s.Append(txs)
	sn := s.Snapshot()
	d := sn.Dicts()
	p := Predicate{From: t0.Add(time.Hour).UnixMicro(), To: t0.Add(2 * time.Hour).UnixMicro()}
	p.ClientIPs = make([]bool, len(d.ClientIPs))
	for i, v := range d.ClientIPs {
		p.ClientIPs[i] = strings.HasPrefix(v, "10.1.")
	}
	p.Tuples = make([]bool, len(d.Tuples))
	for i, tu := range d.Tuples {
		p.Tuples[i] = tu.Outcome == model.OutcomeBlocked
	}
	want := map[string]bool{}
	for _, tx := range txs {
		us := tx.Time.UnixMicro()
		if us >= p.From && us < p.To && strings.HasPrefix(tx.ClientIP, "10.1.") && tx.Outcome == model.OutcomeBlocked {
			want[tx.UUID] = true
		}
	}
	var mu sync.Mutex
	got := map[string]bool{}
	err := sn.Scan(context.Background(), &p, ScanOptions{Cols: ColTime | ColFile}, func(w int, c *Chunk) {
		mu.Lock()
		defer mu.Unlock()
		for _, i := range c.Sel {
			tx := sn.Row(c.Ref(i))
			if tx.Time.UnixMicro() != c.Time[i] || d.Files[c.File[i]].Path != tx.File {
				t.Errorf("decoded columns disagree with the row")
			}
			got[tx.UUID] = true
		}
	})
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("scan: %v, %d rows, want %d", err, len(got), len(want))
	}
}

func TestDeleteCriteriaAndPersistence(t *testing.T) {
	txs := randomTxs(4, 2000)
	now := t0.Add(24 * time.Hour)
	clock := func() time.Time { return now }
	cases := []struct {
		name string
		c    DeleteCriteria
		hit  func(model.Transaction) bool
	}{
		{"uuids", DeleteCriteria{UUIDs: []string{txs[0].UUID, txs[5].UUID, "missing"}},
			func(tx model.Transaction) bool { return tx.UUID == txs[0].UUID || tx.UUID == txs[5].UUID }},
		{"client cidr", DeleteCriteria{ClientIP: "10.1.0.0/16"}, func(tx model.Transaction) bool { return strings.HasPrefix(tx.ClientIP, "10.1.") }},
		{"client addr", DeleteCriteria{ClientIP: "::ffff:10.2.0.7"}, func(tx model.Transaction) bool { return tx.ClientIP == "10.2.0.7" }},
		{"api by name and instance", DeleteCriteria{APIs: []string{"name-api-1"}, Instances: []string{"fw-2"}},
			func(tx model.Transaction) bool { return tx.APIID == "api-1" && tx.Instance == "fw-2" }},
		{"time range", DeleteCriteria{From: t0.Add(time.Hour), To: t0.Add(90 * time.Minute)},
			func(tx model.Transaction) bool {
				return !tx.Time.Before(t0.Add(time.Hour)) && tx.Time.Before(t0.Add(90*time.Minute))
			}},
		{"combination", DeleteCriteria{ClientIP: "10.0.0.0/16", APIs: []string{"api-0"}, From: t0.Add(2 * time.Hour), Actor: "admin"},
			func(tx model.Transaction) bool {
				return strings.HasPrefix(tx.ClientIP, "10.0.") && tx.APIID == "api-0" && !tx.Time.Before(t0.Add(2*time.Hour))
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			s := NewStore(Options{StateDir: dir, BlockSize: 128, Now: clock})
			s.Append(txs[:1500])
			want := 0
			for _, tx := range txs[:1500] {
				if c.hit(tx) {
					want++
				}
			}
			if n := s.CountMatching(c.c); n != want {
				t.Fatalf("preview %d, want %d", n, want)
			}
			res, err := s.Delete(c.c)
			if err != nil || res.Deleted != want || s.Len() != 1500-want {
				t.Fatalf("delete: %+v %v; len %d; want %d", res, err, s.Len(), want)
			}
			s.Append(txs[1500:]) // later appends are filtered too
			check := func(s *Store) {
				t.Helper()
				kept := 0
				for _, tx := range txs {
					_, found := s.Lookup(tx.UUID)
					if found == c.hit(tx) {
						t.Fatalf("%s: found %v, deleted %v", tx.UUID, found, c.hit(tx))
					}
					if found {
						kept++
					}
				}
				if s.Len() != kept {
					t.Fatalf("len %d, kept %d", s.Len(), kept)
				}
				n := 0
				s.Range(time.Time{}, time.Time{}, func(tx *model.Transaction) bool {
					if c.hit(*tx) {
						t.Fatalf("range shows deleted %s", tx.UUID)
					}
					n++
					return true
				})
				if n != kept {
					t.Fatalf("range %d, kept %d", n, kept)
				}
			}
			check(s)
			// A restart re-reads every file: nothing deleted comes back.
			s2 := NewStore(Options{StateDir: dir, BlockSize: 128, Now: clock})
			if err := s2.LoadError(); err != nil {
				t.Fatal(err)
			}
			s2.Replace(append([]model.Transaction(nil), txs...))
			check(s2)
			log := s2.Deletions()
			if len(log) != 1 || log[0].Count != want || !log[0].At.Equal(now) || log[0].Actor != c.c.Actor || log[0].Criteria.Actor != "" {
				t.Fatalf("log %+v", log)
			}
		})
	}
}

func TestDeletionCoversOnlyWhatExisted(t *testing.T) {
	now := t0.Add(time.Hour)
	s := NewStore(Options{Now: func() time.Time { return now }})
	old := model.Transaction{UUID: "11111111-1111-4111-8111-111111111111", Time: t0, ClientIP: "10.9.9.9"}
	s.Append([]model.Transaction{old})
	if _, err := s.Delete(DeleteCriteria{ClientIP: "10.9.9.9"}); err != nil {
		t.Fatal(err)
	}
	later := model.Transaction{UUID: "22222222-2222-4222-8222-222222222222", Time: now.Add(time.Minute), ClientIP: "10.9.9.9"}
	if n := s.Append([]model.Transaction{old, later}); n != 1 {
		t.Fatalf("added %d, want only the new record", n)
	}
}

func TestDeleteRejectsBadCriteria(t *testing.T) {
	s := NewStore()
	for _, c := range []DeleteCriteria{
		{},
		{Actor: "someone"},
		{ClientIP: "10.0.0.0/99"},
		{ClientIP: "nope"},
		{From: t0, To: t0},
	} {
		if _, err := s.Delete(c); err == nil {
			t.Errorf("%+v accepted", c)
		}
	}
	if len(s.Deletions()) != 0 {
		t.Fatal("a rejected deletion was logged")
	}
}

func TestDeletionLogSurvivesATornLine(t *testing.T) {
	dir := t.TempDir()
	s := NewStore(Options{StateDir: dir})
	if _, err := s.Delete(DeleteCriteria{UUIDs: []string{"a"}}); err != nil {
		t.Fatal(err)
	}
	f, _ := os.OpenFile(filepath.Join(dir, deletionLog), os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"criteria":{"uuids":["b"`) // a crash mid-write
	f.Close()
	s2 := NewStore(Options{StateDir: dir})
	if s2.LoadError() == nil || len(s2.Deletions()) != 1 {
		t.Fatalf("torn line: %v %d", s2.LoadError(), len(s2.Deletions()))
	}
	if _, err := s2.Delete(DeleteCriteria{UUIDs: []string{"c"}}); err != nil {
		t.Fatal(err)
	}
	s3 := NewStore(Options{StateDir: dir})
	if got := len(s3.Deletions()); got != 2 {
		t.Fatalf("after a torn line, %d records", got)
	}
	if n := s3.Append([]model.Transaction{{UUID: "a"}, {UUID: "c"}, {UUID: "d"}}); n != 1 {
		t.Fatalf("added %d", n)
	}
}

// One writer appends and deletes while readers scan and look up: run with -race.
func TestConcurrentReadersAndWriter(t *testing.T) {
	txs := randomTxs(5, 20000)
	s := NewStore(Options{BlockSize: 512})
	s.Append(txs[:2000])
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for r := 0; r < 3; r++ {
		wg.Add(1)
		go func(r int) {
			defer wg.Done()
			rng := rand.New(rand.NewSource(int64(r)))
			for {
				select {
				case <-stop:
					return
				default:
				}
				sn := s.Snapshot()
				lo, hi := AllTime()
				n := 0
				_ = sn.Scan(context.Background(), &Predicate{From: lo, To: hi}, ScanOptions{Cols: ColTime | ColTuple | ColFile}, func(w int, c *Chunk) {})
				_ = sn.Scan(context.Background(), &Predicate{From: lo, To: hi}, ScanOptions{Workers: 1}, func(w int, c *Chunk) { n += len(c.Sel) })
				if n != sn.Len() {
					t.Errorf("snapshot scan saw %d of %d", n, sn.Len())
					return
				}
				tx := txs[rng.Intn(2000)]
				if pos, ok := s.Lookup(tx.UUID); ok && pos.Tx.UUID != tx.UUID {
					t.Errorf("lookup %s gave %s", tx.UUID, pos.Tx.UUID)
				}
			}
		}(r)
	}
	for i := 2000; i < len(txs); i += 500 {
		s.Append(txs[i : i+500])
		if i%5000 == 0 {
			if _, err := s.Delete(DeleteCriteria{UUIDs: []string{txs[i].UUID}}); err != nil {
				t.Error(err)
			}
		}
	}
	close(stop)
	wg.Wait()
	if s.Len() != len(txs)-3 {
		t.Fatalf("len %d", s.Len())
	}
}

func TestMemoryBytesPerTransaction(t *testing.T) {
	// Files read one after the other, as at start-up: long runs of positions.
	txs := randomTxs(6, 300000)
	sort.SliceStable(txs, func(i, j int) bool { return txs[i].FileID < txs[j].FileID })
	s := NewStore()
	s.Append(txs)
	per := float64(s.MemoryBytes()) / float64(s.Len())
	t.Logf("%.1f bytes per transaction (estimate, 300k random records): %v", per, s.MemoryBreakdown())
	if per > 80 { // random data is the worst case (times unordered, tuples uncorrelated); see the benchmarks for real figures
		t.Fatalf("%.1f bytes per transaction", per)
	}
}

func TestPackTimesFallsBackForWideGroups(t *testing.T) {
	src := make([]int64, 3*timeGroup+5)
	for i := range src {
		src[i] = int64(i)
	}
	src[timeGroup+3] = 1 << 40 // the second group is too wide for 32-bit deltas
	src[2*timeGroup] = -7
	p := packTimes(src)
	if len(p.wide) != 1 {
		t.Fatalf("wide groups %v", len(p.wide))
	}
	all := make([]int64, len(src))
	p.decode(0, len(src), all)
	for i, v := range src {
		if p.get(i) != v || all[i] != v {
			t.Fatalf("%d: %d %d != %d", i, p.get(i), all[i], v)
		}
	}
	near := make([]int64, 1000)
	for i := range near {
		near[i] = 1_700_000_000_000_000 + int64(i*i)
	}
	p = packTimes(near)
	if p.raw != nil || len(p.wide) != 0 {
		t.Fatal("close times should pack")
	}
	dst := make([]int64, 500)
	p.decode(300, 800, dst)
	for i := range dst {
		if dst[i] != near[300+i] {
			t.Fatal("decode")
		}
	}
}

func TestUUIDParse(t *testing.T) {
	for _, c := range []struct {
		s  string
		ok bool
	}{
		{"6f1e2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b", true},
		{"6F1E2A3B-4C5D-4E6F-8A9B-0C1D2E3F4A5B", false}, // kept as written, on the side
		{"6f1e2a3b4c5d4e6f8a9b0c1d2e3f4a5b", false},
		{"", false},
		{"6f1e2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5g", false},
	} {
		k, ok := parseUUID(c.s)
		if ok != c.ok || (ok && k.String() != c.s) {
			t.Errorf("%q: %v %v", c.s, ok, k)
		}
	}
}
