package collector

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/apifw/monitor/pkg/index"
	"github.com/apifw/monitor/pkg/ingest"
	"github.com/apifw/monitor/pkg/model"
	"github.com/apifw/monitor/pkg/query"
)

func TestSnapshotDue(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	p := snapshotPolicy{growth: 0.05, minRows: 100, every: 10 * time.Minute}
	last := snapMark{valid: true, live: 10_000, deletions: 2, at: now.Add(-time.Minute)}
	cases := []struct {
		name            string
		last            snapMark
		live, deletions int
		now             time.Time
		want            bool
	}{
		{"nothing on disk", snapMark{}, 0, 0, now, true},
		{"unchanged", last, 10_000, 2, now, false},
		{"unchanged for long", last, 10_000, 2, now.Add(time.Hour), false},
		{"a deletion since", last, 9_000, 3, now, true},
		{"below the growth share", last, 10_499, 2, now, false},
		{"the growth share", last, 10_500, 2, now, true},
		{"few new rows, for long", last, 10_001, 2, now.Add(10 * time.Minute), true},
		{"small index: at least minRows", snapMark{valid: true, live: 10, at: now}, 109, 0, now, false},
		{"small index: minRows reached", snapMark{valid: true, live: 10, at: now}, 110, 0, now, true},
		{"fewer rows (compacted)", last, 9_000, 2, now.Add(time.Hour), false},
	}
	for _, c := range cases {
		if got := snapshotDue(c.last, c.live, c.deletions, c.now, p); got != c.want {
			t.Errorf("%s: due %v, want %v", c.name, got, c.want)
		}
	}
	// Close: any change is due.
	if !snapshotDue(last, 10_001, 2, now, snapshotPolicy{}) || snapshotDue(last, 10_000, 2, now, snapshotPolicy{}) {
		t.Error("Close's policy")
	}
}

func TestSnapshotName(t *testing.T) {
	for in, want := range map[string]string{
		"":                  "index-snapshot.bin",
		"ingest-state.json": "ingest-state.index-snapshot.bin",
		"ds-7.json":         "ds-7.index-snapshot.bin",
	} {
		if got := snapshotName(in); got != want {
			t.Errorf("snapshotName(%q) = %q, want %q", in, got, want)
		}
	}
}

// Every setting that changes what is indexed changes the fingerprint; the
// others do not.
func TestFingerprint(t *testing.T) {
	base := ingest.Options{}
	fp := fingerprint([]string{"/logs"}, base)
	changed := map[string]func() ([]string, ingest.Options){
		"roots": func() ([]string, ingest.Options) { return []string{"/logs", "/more"}, base },
		"epoch unit": func() ([]string, ingest.Options) {
			o := base
			o.EpochUnit = ingest.EpochMilliseconds
			return []string{"/logs"}, o
		},
		"include": func() ([]string, ingest.Options) {
			o := base
			o.Include = []string{"fw-1/*"}
			return []string{"/logs"}, o
		},
		"exclude": func() ([]string, ingest.Options) {
			o := base
			o.Exclude = []string{"old.*"}
			return []string{"/logs"}, o
		},
		"stdout off": func() ([]string, ingest.Options) { o := base; o.StdoutFiles = []string{}; return []string{"/logs"}, o },
		"error logs": func() ([]string, ingest.Options) {
			o := base
			o.ErrorLogTransactions = true
			return []string{"/logs"}, o
		},
		"outcome rules": func() ([]string, ingest.Options) {
			o := base
			o.Rules.Otherwise = "blocked"
			return []string{"/logs"}, o
		},
		"json paths": func() ([]string, ingest.Options) { o := base; o.Paths.UUID = "id"; return []string{"/logs"}, o },
		"max past":   func() ([]string, ingest.Options) { o := base; o.MaxPast = time.Hour; return []string{"/logs"}, o },
		"depth":      func() ([]string, ingest.Options) { o := base; o.MaxDepth = 2; return []string{"/logs"}, o },
		"pipes":      func() ([]string, ingest.Options) { o := base; o.ReadPipes = true; return []string{"/logs"}, o },
	}
	for name, f := range changed {
		if fingerprint(f()) == fp {
			t.Errorf("%s: same fingerprint", name)
		}
	}
	same := base
	same.Workers, same.Resume, same.Now = 3, true, time.Now
	if fingerprint([]string{"/logs"}, same) != fp {
		t.Error("workers, resume or the clock changed the fingerprint")
	}
}

// snapWorld is a log tree whose records are all dated an hour ago (so a
// client deletion covers every record of the client, whenever it is read),
// and the ground truth of what it holds.
type snapWorld struct {
	root, state string
	at          time.Time
	ids         map[string]string // uuid → client
	next        int
}

func newSnapWorld(t *testing.T) *snapWorld {
	return &snapWorld{root: t.TempDir(), state: t.TempDir(), at: time.Now().Add(-time.Hour), ids: map[string]string{}}
}

var snapClients = []string{"10.0.0.1", "10.0.0.9", "192.0.2.5", "2001:db8::7"}

// add appends n records to file f (fw-1/api-<f>.transaction.log).
func (w *snapWorld) add(t *testing.T, f, n int) {
	t.Helper()
	lines := make([]string, n)
	for i := range lines {
		id, client := uuidN(w.next), snapClients[w.next%len(snapClients)]
		lines[i] = logLine(id, w.at.Add(time.Duration(w.next)*time.Millisecond), client, fmt.Sprintf("api-%d", f), fmt.Sprintf("/users/%d", w.next%97))
		w.ids[id] = client
		w.next++
	}
	appendTo(t, w.file(f), lines...)
}

func (w *snapWorld) file(f int) string {
	return filepath.Join(w.root, "fw-1", fmt.Sprintf("api-%d.transaction.log", f))
}

func (w *snapWorld) cfg() Config {
	return Config{LogRoots: []string{w.root}, StateDir: w.state, MinRefresh: time.Nanosecond}
}

func (w *snapWorld) open(t *testing.T) (*index.Store, *Collector) {
	t.Helper()
	store := index.NewStore(index.Options{StateDir: w.state})
	if err := store.LoadError(); err != nil {
		t.Fatal(err)
	}
	return store, New(w.cfg(), store)
}

// check compares the store with the ground truth less the deleted ids, by
// Len, Range, Lookup and a query: nothing lost, doubled or brought back.
func (w *snapWorld) check(t *testing.T, store *index.Store, deleted func(id, client string) bool) {
	t.Helper()
	want := 0
	for id, client := range w.ids {
		_, held := store.Lookup(id)
		if gone := deleted(id, client); held == gone {
			t.Fatalf("%s (client %s): held %v, deleted %v", id, client, held, gone)
		} else if !gone {
			want++
		}
	}
	seen := map[string]bool{}
	store.Range(time.Time{}, time.Time{}, func(tx *model.Transaction) bool {
		if seen[tx.UUID] || deleted(tx.UUID, tx.ClientIP) {
			t.Fatalf("Range: %s doubled (%v) or deleted", tx.UUID, seen[tx.UUID])
		}
		seen[tx.UUID] = true
		return true
	})
	if store.Len() != want || len(seen) != want {
		t.Fatalf("Len %d, Range %d, want %d", store.Len(), len(seen), want)
	}
	e := &query.Engine{Store: store}
	tr := query.TimeRange{From: w.at.Add(-time.Hour), To: time.Now().Add(time.Hour)}
	st, err := e.Stats(context.Background(), query.Query{QueryType: query.TypeStats}, tr)
	if err != nil || st.Total != int64(want) {
		t.Fatalf("stats %+v %v, want %d", st, err, want)
	}
	top, err := e.TopN(context.Background(), query.Query{QueryType: query.TypeTopN, Dimension: "clientIp", Limit: 100}, tr)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range top.Rows {
		if deleted("", r.Value) {
			t.Fatalf("topN shows the deleted client %s", r.Value)
		}
	}
}

func noneDeleted(string, string) bool { return false }

// A restart installs the snapshot and reads only what was written after it,
// through the rotations that happened while the data source was down;
// a third start finds the second's snapshot.
func TestSnapshotRestartResumes(t *testing.T) {
	w := newSnapWorld(t)
	w.add(t, 0, 300)
	w.add(t, 1, 300)
	w.add(t, 2, 40) // truncated while down
	w.add(t, 3, 30) // deleted while down
	store, c := w.open(t)
	c.Refresh()
	st := c.Status()
	if st.Snapshot == nil || st.Snapshot.Transactions != 670 || st.Snapshot.Bytes == 0 || st.Snapshot.Error != "" {
		t.Fatalf("no snapshot after the first scan: %+v", st.Snapshot)
	}
	w.add(t, 0, 50) // read by this run, after the snapshot: Close saves it
	c.Refresh()
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	w.check(t, store, noneDeleted)

	// While down: appended, rotated (renamed, a new file), appended again;
	// one file truncated and written again, one deleted. What the index
	// held stays (as in the running index); what is new is read once.
	w.add(t, 0, 40)
	if err := os.Rename(w.file(1), w.file(1)+".1"); err != nil {
		t.Fatal(err)
	}
	w.add(t, 1, 30)
	must(nil, os.Truncate(w.file(2), 0))
	w.add(t, 2, 5)
	must(nil, os.Remove(w.file(3)))
	store2, c2 := w.open(t)
	st = c2.Refresh()
	if st.Snapshot.Restored != 720 || st.Snapshot.Note != "" {
		t.Fatalf("snapshot: %+v", st.Snapshot)
	}
	if read := c2.Detail().Records; read != 75 {
		t.Fatalf("the restart parsed %d records, want the 75 new ones", read)
	}
	if !strings.Contains(strings.Join(st.Notes, "\n"), "are in no file now") {
		t.Fatalf("no note about the deleted file: %q", st.Notes)
	}
	if st.Records != 795 {
		t.Fatalf("status counts %d records, want 795", st.Records)
	}
	w.check(t, store2, noneDeleted)
	// Trace details read the right bytes, also in the renamed file.
	for _, id := range []string{uuidN(0), uuidN(450), uuidN(700), uuidN(750), uuidN(770), uuidN(792)} {
		pos, ok := store2.Lookup(id)
		if !ok {
			t.Fatalf("%s not found", id)
		}
		ref, ok := c2.Locate(pos.FileID)
		if !ok {
			t.Fatalf("%s: file %d not located", id, pos.FileID)
		}
		b, err := os.ReadFile(ref.Path)
		if err != nil || !strings.Contains(string(b[pos.Offset:pos.Offset+int64(pos.Length)]), id) {
			t.Fatalf("%s: the record at %s:%d is not it (%v)", id, ref.Path, pos.Offset, err)
		}
	}
	c2.Close()

	store3, c3 := w.open(t)
	defer c3.Close()
	if st := c3.Refresh(); st.Snapshot.Restored != 795 || c3.Detail().Records != 0 {
		t.Fatalf("third start: restored %d, parsed %d", st.Snapshot.Restored, c3.Detail().Records)
	}
	w.check(t, store3, noneDeleted)
}

// A snapshot that cannot be used is ignored with a note, never an error: the
// logs are read again and the index is complete.
func TestSnapshotIgnoredWhenUnusable(t *testing.T) {
	cases := []struct {
		name   string
		damage func(t *testing.T, w *snapWorld, path string)
		note   string
	}{
		{"cut short", func(t *testing.T, w *snapWorld, p string) { must(nil, os.Truncate(p, fileSize(t, p)/2)) }, "cut short"},
		{"header never written", func(t *testing.T, w *snapWorld, p string) { patch(t, p, 0, make([]byte, 32)) }, "not an index snapshot"},
		{"header damaged", func(t *testing.T, w *snapWorld, p string) { patch(t, p, 17, []byte{0x55}) }, "damaged header"},
		{"payload damaged", func(t *testing.T, w *snapWorld, p string) { patch(t, p, fileSize(t, p)-40, []byte{0x55, 0xaa}) }, "damaged"},
		{"a byte more", func(t *testing.T, w *snapWorld, p string) {
			f, _ := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
			f.Write([]byte{0})
			f.Close()
		}, "cut short or overwritten"},
		{"foreign file", func(t *testing.T, w *snapWorld, p string) {
			must(nil, os.WriteFile(p, []byte(`{"version":1,"streams":[]}`), 0o600))
		}, "not an index snapshot"},
		{"deletion log removed", func(t *testing.T, w *snapWorld, p string) {
			must(nil, os.Remove(filepath.Join(w.state, "deletions.jsonl")))
		}, "deletion log"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newSnapWorld(t)
			w.add(t, 0, 200)
			store, col := w.open(t)
			col.Refresh()
			if _, err := store.Delete(index.DeleteCriteria{UUIDs: []string{uuidN(5)}}); err != nil {
				t.Fatal(err)
			}
			col.Close()
			c.damage(t, w, col.snapPath)
			store2, col2 := w.open(t)
			defer col2.Close()
			st := col2.Refresh()
			if !strings.Contains(strings.Join(st.Notes, "\n"), "index snapshot not used") ||
				!strings.Contains(st.Snapshot.Note, c.note) || st.Snapshot.Restored != 0 {
				t.Fatalf("notes %q, snapshot %+v", st.Notes, st.Snapshot)
			}
			if st.Error != "" || len(st.FileErrors) != 0 {
				t.Fatalf("an unusable snapshot is an error: %q %q", st.Error, st.FileErrors)
			}
			logGone := c.name == "deletion log removed"
			w.check(t, store2, func(id, _ string) bool { return id == uuidN(5) && !logGone })
			if st := col2.Status(); st.Snapshot.Transactions != store2.Len() {
				t.Fatalf("no new snapshot after the full read: %+v", st.Snapshot)
			}
		})
	}
	t.Run("other settings", func(t *testing.T) {
		w := newSnapWorld(t)
		w.add(t, 0, 100)
		w.add(t, 1, 100)
		_, col := w.open(t)
		col.Refresh()
		col.Close()
		cfg := w.cfg()
		cfg.Parse.Include = []string{"fw-1/api-0.*"}
		store := index.NewStore(index.Options{StateDir: w.state})
		col2 := New(cfg, store)
		defer col2.Close()
		st := col2.Refresh()
		if !strings.Contains(st.Snapshot.Note, "other ingestion settings") || store.Len() != 100 {
			t.Fatalf("snapshot %+v, %d indexed", st.Snapshot, store.Len())
		}
	})
}

func fileSize(t *testing.T, p string) int64 {
	t.Helper()
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

func patch(t *testing.T, p string, at int64, b []byte) {
	t.Helper()
	f, err := os.OpenFile(p, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	old := make([]byte, len(b))
	r, _ := os.Open(p)
	r.ReadAt(old, at)
	r.Close()
	for i := range b {
		b[i] ^= old[i] | 1 // always a change
	}
	if _, err := f.WriteAt(b, at); err != nil {
		t.Fatal(err)
	}
}

// A purge moves records in the files: the snapshot goes before, a new one
// is written after, and a restart's positions read the right records.
func TestSnapshotAfterPurge(t *testing.T) {
	w := newSnapWorld(t)
	w.add(t, 0, 100)
	old := time.Now().Add(-time.Hour)
	must(nil, os.Chtimes(w.file(0), old, old))
	store, c := w.open(t)
	c.Refresh()
	if _, err := store.Delete(index.DeleteCriteria{ClientIP: "10.0.0.9"}); err != nil {
		t.Fatal(err)
	}
	res := c.Purge(context.Background(), PurgeOptions{})
	if len(res) != 1 || res[0].Status != ingest.PurgeRewritten {
		t.Fatalf("purge: %+v", res)
	}
	if st := c.Status(); st.Snapshot.Transactions != 75 {
		t.Fatalf("snapshot after the purge: %+v", st.Snapshot)
	}
	c.Close()
	store2, c2 := w.open(t)
	defer c2.Close()
	c2.Refresh()
	gone := func(_, client string) bool { return client == "10.0.0.9" }
	w.check(t, store2, gone)
	b, _ := os.ReadFile(w.file(0))
	for id, client := range w.ids {
		if gone(id, client) {
			continue
		}
		pos, _ := store2.Lookup(id)
		if !strings.Contains(string(b[pos.Offset:pos.Offset+int64(pos.Length)]), id) {
			t.Fatalf("%s: position %d reads another record after the purge", id, pos.Offset)
		}
	}
}

// Kill points of a snapshot write (snapshotStep); "mid" is half the size
// of the previous snapshot.
var killPoints = []string{"write:1", "write:mid", "flushed:0", "written:0", "synced:0", "renamed:0"}

// The process is killed (SIGKILL) while it writes a snapshot, at every step:
// the snapshot of the run before it (or the new one, once renamed) is used,
// the deletions made just before the kill hold, records written after the
// snapshot are read once, and nothing is lost or doubled. The write runs in
// a child process (this test binary, TestSnapshotCrashChild) that kills itself.
func TestSnapshotKilledWhileWriting(t *testing.T) {
	if testing.Short() {
		t.Skip("re-executes the test binary")
	}
	deleted := map[string]bool{uuidN(3): true, uuidN(250): true, uuidN(655): true}
	gone := func(id, client string) bool { return deleted[id] || client == "10.0.0.9" }
	for _, point := range killPoints {
		t.Run(point, func(t *testing.T) {
			w := newSnapWorld(t)
			w.add(t, 0, 300)
			w.add(t, 1, 300)
			_, c := w.open(t) // the run before: its snapshot is on disk
			c.Refresh()
			c.Close()
			size := fileSize(t, c.snapPath)
			w.add(t, 0, 60) // after that snapshot; the child reads it
			w.add(t, 1, 40)

			point = strings.Replace(point, "mid", strconv.FormatInt(size/2, 10), 1)
			cmd := exec.Command(os.Args[0], "-test.run=^TestSnapshotCrashChild$", "-test.count=1")
			cmd.Env = append(os.Environ(), "APIFW_SNAPSHOT_CRASH="+strings.Join([]string{point, w.root, w.state}, "|"))
			out, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
				t.Fatalf("the child was not killed at %s: %v\n%s", point, err, out)
			}

			w.add(t, 0, 20) // while down: appended, rotated
			must(nil, os.Rename(w.file(1), w.file(1)+".1"))
			w.add(t, 1, 10)

			for run := 0; run < 2; run++ { // the restart, and a start after it
				store, c := w.open(t)
				st := c.Refresh()
				if st.Snapshot.Restored == 0 || st.Snapshot.Note != "" {
					t.Fatalf("run %d: the snapshot was not used: %+v", run, st.Snapshot)
				}
				w.check(t, store, gone)
				if tmps, _ := filepath.Glob(c.snapPath + ".tmp-*"); len(tmps) != 0 {
					t.Fatalf("left behind: %v", tmps)
				}
				c.Close()
			}
		})
	}
}

// TestSnapshotCrashChild is the process TestSnapshotKilledWhileWriting
// kills: it starts from the state directory, reads what is new, deletes,
// and writes a snapshot, killing itself at the step it is given.
func TestSnapshotCrashChild(t *testing.T) {
	spec := os.Getenv("APIFW_SNAPSHOT_CRASH")
	if spec == "" {
		t.Skip("run by TestSnapshotKilledWhileWriting")
	}
	parts := strings.Split(spec, "|")
	kill := strings.SplitN(parts[0], ":", 2)
	at, _ := strconv.ParseInt(kill[1], 10, 64)
	snapshotBuffer = 512 // many writes: a kill can fall between any two
	snapshotStep = func(step string, n int64) {
		if step == kill[0] && n >= at {
			_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
			select {}
		}
	}
	w := &snapWorld{root: parts[1], state: parts[2]}
	store, c := w.open(t)
	if st := c.Refresh(); st.Snapshot.Restored == 0 {
		t.Fatalf("the child did not start from the snapshot: %+v", st.Snapshot)
	}
	for _, crit := range []index.DeleteCriteria{{UUIDs: []string{uuidN(3), uuidN(250), uuidN(655)}}, {ClientIP: "10.0.0.9"}} {
		if _, err := store.Delete(crit); err != nil {
			t.Fatal(err)
		}
	}
	c.Refresh() // a deletion since the snapshot: one is due
	t.Fatalf("not killed at %s", parts[0])
}

// A snapshot written in the background while records arrive and deletions
// are made holds a consistent state (run with -race: the writer reads the
// published columns only).
func TestSnapshotInBackground(t *testing.T) {
	defer func(n int) { syncSnapshotRows = n }(syncSnapshotRows)
	syncSnapshotRows = 0
	w := newSnapWorld(t)
	w.add(t, 0, 3000)
	store, c := w.open(t)
	c.policy = snapshotPolicy{growth: 0.01, minRows: 1}
	for i := 0; i < 20; i++ {
		c.Refresh() // each may start a background write
		w.add(t, i%2, 50)
		if i == 10 {
			if _, err := store.Delete(index.DeleteCriteria{ClientIP: "10.0.0.9"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	c.Close()
	gone := func(_, client string) bool { return client == "10.0.0.9" }
	store2, c2 := w.open(t)
	defer c2.Close()
	if st := c2.Refresh(); st.Snapshot.Restored != store.Len() {
		t.Fatalf("restored %d, held %d at Close", st.Snapshot.Restored, store.Len())
	}
	w.check(t, store2, gone)
}
