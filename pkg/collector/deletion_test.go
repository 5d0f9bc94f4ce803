package collector

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apifw/monitor/pkg/index"
	"github.com/apifw/monitor/pkg/ingest"
	"github.com/apifw/monitor/pkg/query"
)

// logLine is one transaction record as the firewall writes it.
func logLine(id string, at time.Time, client, api, path string) string {
	return fmt.Sprintf(`{"uuid":%q,"date_epoch":%d,"api":%q,"source_ip":%q,"pod":{"instance_name":"fw-1"},"request":{"method":"GET","uri":{"path":%q}},"response":{"status":403}}`,
		id, at.UnixMicro(), api, client, path) + "\n"
}

func uuidN(i int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", i) }

// world is a log tree, a state dir and the ground truth of what it holds.
type world struct {
	root, state string
	now         time.Time
	files       []string
}

func newWorld(t *testing.T) *world {
	w := &world{root: t.TempDir(), state: t.TempDir(), now: time.Now().UTC()}
	clients := []string{"10.0.0.1", "10.0.0.9", "192.0.2.5"}
	for f := 0; f < 2; f++ {
		var b strings.Builder
		for i := 0; i < 30; i++ {
			n := f*30 + i
			b.WriteString(logLine(uuidN(n), w.now.Add(-time.Duration(60-n)*time.Minute), clients[n%3], fmt.Sprintf("api-%d", f), fmt.Sprintf("/secret/%s/%d", clients[n%3], n)))
			if i == 10 {
				b.WriteString("not json at all\n")
			}
		}
		p := filepath.Join(w.root, "fw-1", fmt.Sprintf("api-%d.transaction.log", f))
		write(t, p, b.String())
		w.files = append(w.files, p)
	}
	return w
}

// open starts a store and collector on the world, as the data source does at
// start; ingestState is where the collector keeps its file state.
func (w *world) open(t *testing.T, ingestState string) (*index.Store, *Collector) {
	t.Helper()
	store := index.NewStore(index.Options{StateDir: w.state})
	if err := store.LoadError(); err != nil {
		t.Fatal(err)
	}
	c := New(Config{LogRoots: []string{w.root}, StateDir: ingestState, MinRefresh: time.Nanosecond}, store)
	c.Refresh()
	t.Cleanup(func() { c.Close() })
	return store, c
}

// deleted says whether record n is covered by the test's deletions.
func deletedN(n int) bool { return n%3 == 1 || n == 3 }

// checkForgotten runs every query type and looks at the dictionaries.
func checkForgotten(t *testing.T, w *world, store *index.Store) {
	t.Helper()
	ctx := context.Background()
	e := &query.Engine{Store: store}
	tr := query.TimeRange{From: w.now.Add(-2 * time.Hour), To: w.now.Add(time.Hour)}
	want := 0
	for n := 0; n < 60; n++ {
		if !deletedN(n) {
			want++
		}
	}
	if store.Len() != want {
		t.Fatalf("store holds %d, want %d", store.Len(), want)
	}
	st, err := e.Stats(ctx, query.Query{QueryType: query.TypeStats}, tr)
	if err != nil || st.Total != int64(want) {
		t.Fatalf("stats %+v %v, want %d", st, err, want)
	}
	for _, dim := range []string{"clientIp", "path", "api"} {
		top, err := e.TopN(ctx, query.Query{QueryType: query.TypeTopN, Dimension: dim, Limit: 1000}, tr)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range top.Rows {
			if strings.Contains(r.Value, "10.0.0.9") {
				t.Fatalf("topN %s shows %q", dim, r.Value)
			}
		}
	}
	q := query.Query{QueryType: query.TypeTransactions, Filters: query.Filters{ClientIP: "10.0.0.9"}}
	if rows, err := e.Transactions(ctx, q, tr); err != nil || len(rows.Rows) != 0 {
		t.Fatalf("transactions of the deleted client: %d %v", len(rows.Rows), err)
	}
	rows, err := e.Transactions(ctx, query.Query{QueryType: query.TypeTransactions, Limit: 1000}, tr)
	if err != nil || len(rows.Rows) != want {
		t.Fatalf("transactions: %d %v", len(rows.Rows), err)
	}
	traffic, err := e.Traffic(ctx, query.Query{QueryType: query.TypeTraffic, SplitBy: "clientIp"}, tr)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range traffic.Series {
		if strings.Contains(fmt.Sprint(s), "10.0.0.9") {
			t.Fatalf("traffic series for the deleted client: %v", s)
		}
	}
	for _, id := range []string{uuidN(1), uuidN(3), uuidN(58)} {
		if _, err := e.Trace(ctx, query.Query{QueryType: query.TypeTrace, UUID: id}); !errors.Is(err, query.ErrNotFound) {
			t.Fatalf("trace %s: %v", id, err)
		}
	}
	if _, err := e.Trace(ctx, query.Query{QueryType: query.TypeTrace, UUID: uuidN(6)}); err != nil {
		t.Fatalf("kept trace: %v", err)
	}
	// Suggestions and ad hoc filters read the dictionaries: nothing of the
	// deleted records may be there.
	d := store.Snapshot().Dicts()
	for _, v := range append(append([]string(nil), d.ClientIPs...), d.Paths.Values()...) {
		if strings.Contains(v, "10.0.0.9") {
			t.Fatalf("dictionary holds %q", v)
		}
	}
}

// Deleted transactions never come back: at once, after a restart (a new
// store and collector on the same state), after a full re-index (the ingest
// state gone), through every query type, trace lookup and the dictionaries
// suggestions come from. Later traffic of the same client is indexed.
func TestDeletedTransactionsNeverComeBack(t *testing.T) {
	w := newWorld(t)
	ingestState := t.TempDir()
	store, c := w.open(t, ingestState)
	if store.Len() != 60 {
		t.Fatalf("indexed %d", store.Len())
	}
	for _, crit := range []index.DeleteCriteria{{ClientIP: "10.0.0.9", Actor: "admin"}, {UUIDs: []string{uuidN(3)}, Actor: "admin"}} {
		if _, err := store.Delete(crit); err != nil {
			t.Fatal(err)
		}
	}
	checkForgotten(t, w, store)
	// The ingest goes on: a re-read of the same bytes adds nothing.
	c.Refresh()
	checkForgotten(t, w, store)
	c.Close()

	t.Run("restart", func(t *testing.T) {
		store, _ := w.open(t, ingestState)
		checkForgotten(t, w, store)
	})
	t.Run("full re-index", func(t *testing.T) {
		store, _ := w.open(t, t.TempDir())
		checkForgotten(t, w, store)
	})
	t.Run("later traffic of the same client", func(t *testing.T) {
		store, c := w.open(t, ingestState)
		f, err := os.OpenFile(w.files[0], os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = f.WriteString(logLine(uuidN(100), time.Now().Add(time.Minute), "10.0.0.9", "api-0", "/later"))
		f.Close()
		c.Refresh()
		if _, ok := store.Lookup(uuidN(100)); !ok {
			t.Fatal("traffic after the deletion was not indexed")
		}
	})
}

func TestPurgeRewritesFilesWithoutDeletedRecords(t *testing.T) {
	w := newWorld(t)
	// Extra files: an archive and a read-only file holding deleted records,
	// a file still being written, a file without any deleted record.
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write([]byte(logLine(uuidN(200), w.now.Add(-time.Hour), "10.0.0.9", "api-9", "/z")))
	zw.Close()
	archive := filepath.Join(w.root, "fw-1", "api-9.transaction.log.1.gz")
	write(t, archive, gz.String())
	readOnly := filepath.Join(w.root, "fw-1", "api-8.transaction.log")
	write(t, readOnly, logLine(uuidN(300), w.now.Add(-time.Hour), "10.0.0.9", "api-8", "/r")+logLine(uuidN(301), w.now.Add(-time.Hour), "10.0.0.1", "api-8", "/r"))
	if err := os.Chmod(readOnly, 0o444); err != nil {
		t.Fatal(err)
	}
	active := filepath.Join(w.root, "fw-1", "api-7.transaction.log")
	write(t, active, logLine(uuidN(400), w.now.Add(-time.Hour), "10.0.0.9", "api-7", "/a"))
	clean := filepath.Join(w.root, "fw-1", "api-6.transaction.log")
	write(t, clean, logLine(uuidN(500), w.now.Add(-time.Hour), "10.0.0.1", "api-6", "/c"))
	old := time.Now().Add(-10 * time.Minute)
	for _, p := range append([]string{archive, readOnly, clean}, w.files...) {
		if err := os.Chtimes(p, old, old); err != nil {
			t.Fatal(err)
		}
	}
	ingestState := t.TempDir()
	store, c := w.open(t, ingestState)
	if store.Len() != 65 {
		t.Fatalf("indexed %d", store.Len())
	}
	originals := map[string][]byte{}
	for _, p := range append([]string{archive, readOnly, clean, active}, w.files...) {
		b, _ := os.ReadFile(p)
		originals[p] = b
	}
	cleanBefore, _ := os.Stat(clean)
	for _, crit := range []index.DeleteCriteria{{ClientIP: "10.0.0.9"}, {UUIDs: []string{uuidN(3)}}} {
		if _, err := store.Delete(crit); err != nil {
			t.Fatal(err)
		}
	}
	lenAfterDelete := store.Len()
	res := c.Purge(context.Background(), PurgeOptions{})
	got := map[string]ingest.PurgeResult{}
	for _, r := range res {
		got[r.Path] = r
	}
	want := map[string]struct {
		status           ingest.PurgeStatus
		removed, kept    int
		reasonContaining string
	}{
		w.files[0]: {ingest.PurgeRewritten, 11, 19, ""}, // n%3==1 for n<30: 10, plus n=3
		w.files[1]: {ingest.PurgeRewritten, 10, 20, ""},
		archive:    {ingest.PurgeRefused, 1, 0, "compressed"},
		readOnly:   {ingest.PurgeRefused, 1, 1, "read-only"},
		active:     {ingest.PurgeRefused, 1, 0, "still being written"},
		clean:      {ingest.PurgeClean, 0, 1, ""},
	}
	if len(got) != len(want) {
		t.Fatalf("results %+v", res)
	}
	for p, wr := range want {
		r := got[p]
		if r.Status != wr.status || r.Removed != wr.removed || r.Kept != wr.kept || !strings.Contains(r.Reason, wr.reasonContaining) {
			t.Errorf("%s: %+v, want %+v", filepath.Base(p), r, wr)
		}
	}
	// Refused and clean files are untouched; rewritten ones hold exactly
	// the original lines minus the deleted records, bad lines included.
	for p, b := range originals {
		now, _ := os.ReadFile(p)
		if got[p].Status != ingest.PurgeRewritten {
			if !bytes.Equal(now, b) {
				t.Errorf("%s changed", p)
			}
			continue
		}
		var expect []byte
		for _, line := range bytes.SplitAfter(b, []byte("\n")) {
			keep := true
			for n := 0; n < 60; n++ {
				if deletedN(n) && bytes.Contains(line, []byte(uuidN(n))) {
					keep = false
				}
			}
			if keep {
				expect = append(expect, line...)
			}
		}
		if !bytes.Equal(now, expect) {
			t.Errorf("%s:\n%s\nwant\n%s", p, now, expect)
		}
		if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o644 {
			t.Errorf("%s mode %v", p, fi.Mode())
		}
		if left, _ := filepath.Glob(filepath.Join(filepath.Dir(p), ".*purge*")); len(left) > 0 {
			t.Errorf("temporary files left: %v", left)
		}
	}
	if fi, _ := os.Stat(clean); !os.SameFile(fi, cleanBefore) {
		t.Error("the clean file was replaced")
	}
	// The index points at the kept records' new places.
	for n := 0; n < 60; n++ {
		if deletedN(n) {
			continue
		}
		pos, ok := store.Lookup(uuidN(n))
		if !ok {
			t.Fatalf("%s lost", uuidN(n))
		}
		raw, err := ingest.ReadRecord(pos.Path, pos.Offset, pos.Length, ingest.LayoutNDJSON)
		if err != nil || !bytes.Contains(raw, []byte(uuidN(n))) {
			t.Fatalf("%s at %s:%d reads %q %v", uuidN(n), pos.Path, pos.Offset, raw, err)
		}
		line := bytes.Split(must(os.ReadFile(pos.Path)), []byte("\n"))[pos.Line-1]
		if !bytes.Contains(line, []byte(uuidN(n))) {
			t.Fatalf("%s: line %d is %q", uuidN(n), pos.Line, line)
		}
	}
	// Nothing is read again; what is appended later is.
	c.Refresh()
	if store.Len() != lenAfterDelete {
		t.Fatalf("after purge and a poll: %d, want %d", store.Len(), lenAfterDelete)
	}
	f, _ := os.OpenFile(w.files[1], os.O_APPEND|os.O_WRONLY, 0)
	_, _ = f.WriteString(logLine(uuidN(600), time.Now(), "10.0.0.1", "api-1", "/new"))
	f.Close()
	st := c.Refresh()
	if store.Len() != lenAfterDelete+1 {
		t.Fatalf("after an append: %d, want %d", store.Len(), lenAfterDelete+1)
	}
	if pos, ok := store.Lookup(uuidN(600)); !ok || pos.Line != 21+1 {
		t.Fatalf("appended record at %+v %v", pos, ok)
	}
	for _, n := range st.Notes {
		if strings.Contains(n, "shr") {
			t.Errorf("note after purge: %s", n)
		}
	}
	c.Close()
	// A restart after the purge reads the same, and notices nothing amiss.
	store2, c2 := w.open(t, ingestState)
	if store2.Len() != lenAfterDelete+1 {
		t.Fatalf("after restart: %d, want %d", store2.Len(), lenAfterDelete+1)
	}
	if notes := c2.Status().Notes; len(notes) > 0 {
		t.Errorf("notes after restart: %v", notes)
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}
