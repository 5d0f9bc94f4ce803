package ingest

import (
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apifw/monitor/pkg/generate"
	"github.com/apifw/monitor/pkg/model"
)

// collectSink keeps the UUIDs it is given, in order.
type collectSink struct {
	mu   sync.Mutex
	ids  []string
	recs []model.Transaction
}

func (s *collectSink) Append(recs []model.Transaction) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range recs {
		s.ids = append(s.ids, r.UUID)
		s.recs = append(s.recs, r)
	}
}

func (s *collectSink) uuids() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.ids...)
}

func mustPoll(t *testing.T, tl *Tailer) PollStatus {
	t.Helper()
	ps := tl.Poll()
	if ps.Error != "" {
		t.Fatal(ps.Error)
	}
	if st := tl.Status(); len(st.FileErrors) > 0 {
		t.Fatalf("file errors: %v", st.FileErrors)
	}
	return ps
}

func TestTailerExactlyOnce(t *testing.T) {
	for _, layout := range []generate.Layout{generate.LayoutFiles, generate.LayoutStdout, generate.LayoutDocker, generate.LayoutCRI} {
		t.Run(string(layout), func(t *testing.T) {
			root, stateDir := t.TempDir(), t.TempDir()
			live, err := generate.NewLive(root, generate.LiveConfig{
				Config: generate.Config{Seed: 21, APIs: 3, Instances: 2}, Layout: layout,
				LongEvery: 13, GarbageEvery: 37, Console: generate.Console{RuntimeSplit: 5000},
			})
			if err != nil {
				t.Fatal(err)
			}
			defer live.Close()
			state := NewFileStateStore(stateDir, "ingest.json")
			sink := &collectSink{}
			tl := NewTailer([]string{root}, Options{}, sink, state)
			step := func(name string, do func() error) {
				t.Helper()
				if err := do(); err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				mustPoll(t, tl)
			}
			appendN := func(n int) func() error { return func() error { return live.Append(n) } }
			rotate := func(m generate.RotateMode) func() error { return func() error { return live.Rotate(m) } }

			step("first records", appendN(120))
			step("more", appendN(40))
			step("rename rotation with a late write", rotate(generate.RotateRename))
			step("after rename", appendN(30))
			step("copy-truncate", rotate(generate.RotateCopyTruncate))
			step("after copy-truncate", appendN(25))
			step("copy-truncate and appends between two polls", func() error {
				if err := live.Append(10); err != nil {
					return err
				}
				if err := live.Rotate(generate.RotateCopyTruncate); err != nil {
					return err
				}
				return live.Append(12)
			})
			var complete func() error
			step("a partial last line", func() (err error) { complete, err = live.AppendPartial(); return err })
			if st := tl.Status(); st.PendingFiles != 1 {
				t.Fatalf("pending files %d, want 1", st.PendingFiles)
			}
			step("the line completed", func() error { return complete() })
			step("deletion and re-creation", rotate(generate.RotateRecreate))
			step("after re-creation", appendN(33))
			step("nothing new", func() error { return nil })

			truth := live.Truth()
			sameMultiset(t, sink.uuids(), truth.UUIDs)
			st := tl.Status()
			if st.BadRecords != int64(truth.BadLines) || truth.BadLines == 0 {
				t.Fatalf("bad records %d, want %d: %+v", st.BadRecords, truth.BadLines, st.BadExamples)
			}
			if st.Records != int64(len(truth.UUIDs)) || st.PendingFiles != 0 || !st.FirstScan.Done {
				t.Fatalf("status: %+v", st)
			}
			checkPositions(t, tl, sink)
			if err := tl.Close(); err != nil {
				t.Fatal(err)
			}

			// While the backend is down, files are rotated, and retention
			// deletes the rotated ones.
			if expired, err := live.Expire(); err != nil || len(expired) == 0 {
				t.Fatalf("expire: %v %v", expired, err)
			}
			if err := live.Rotate(generate.RotateRename); err != nil {
				t.Fatal(err)
			}
			if err := live.Append(9); err != nil {
				t.Fatal(err)
			}
			// A restart rebuilds the in-memory index: every record still in
			// a file, once, even though the state says they were read.
			rebuilt := &collectSink{}
			tl2 := NewTailer([]string{root}, Options{}, rebuilt, state)
			mustPoll(t, tl2)
			sameMultiset(t, rebuilt.uuids(), live.Present())
			if notes := tl2.Status().Notes; len(notes) == 0 {
				t.Error("no note about the content deleted since the last run")
			} else {
				t.Logf("notes: %q", notes)
			}
			if err := tl2.Close(); err != nil {
				t.Fatal(err)
			}

			// Resuming (a sink that kept its records) continues at the saved
			// offsets: only what was written since arrives.
			if err := live.Append(17); err != nil {
				t.Fatal(err)
			}
			complete, err = live.AppendPartial()
			if err != nil {
				t.Fatal(err)
			}
			tl3 := NewTailer([]string{root}, Options{Resume: true}, rebuilt, state)
			mustPoll(t, tl3)
			if err := complete(); err != nil {
				t.Fatal(err)
			}
			mustPoll(t, tl3)
			sameMultiset(t, rebuilt.uuids(), live.Present())
			checkPositions(t, tl3, rebuilt)
		})
	}
}

// checkPositions reads a sample of records back from where the tailer says
// they are now.
func checkPositions(t *testing.T, tl *Tailer, sink *collectSink) {
	t.Helper()
	for i := 0; i < len(sink.recs); i += 7 {
		tx := sink.recs[i]
		ref, ok := tl.Locate(tx.FileID)
		if !ok {
			continue // deleted since: nothing to read
		}
		raw, err := ReadRecord(ref.Path, tx.Offset, tx.Length, ref.Layout)
		if err != nil {
			t.Fatalf("record %s (file %d %s line %d): %v", tx.UUID, tx.FileID, ref.Path, tx.Line, err)
		}
		d, err := ParseDetail(raw)
		if err != nil || d.UUID != tx.UUID {
			t.Fatalf("record %s read back as %q (%v) from %s", tx.UUID, d.UUID, err, ref.Path)
		}
	}
}

func TestTailerArchivesAndCopiesAreNotReadTwice(t *testing.T) {
	root := t.TempDir()
	inst := filepath.Join(root, "fw-1")
	now := time.Now().Add(-time.Hour).UnixMicro()
	var lines []string
	for i := 0; i < 40; i++ {
		lines = append(lines, bigRec("r"+itoa(int64(i)), now+int64(i)))
	}
	live := filepath.Join(inst, "api-a1.transaction.log")
	writeFile(t, live, strings.Join(lines[:30], "\n")+"\n")
	sink := &collectSink{}
	tl := NewTailer([]string{root}, Options{}, sink, nil)
	mustPoll(t, tl)

	// logrotate with compression: .1, then .1.gz, then .1 removed.
	if err := os.Rename(live, live+".1"); err != nil {
		t.Fatal(err)
	}
	writeFile(t, live, strings.Join(lines[30:], "\n")+"\n")
	mustPoll(t, tl)
	gzipFile(t, live+".1", live+".1.gz")
	mustPoll(t, tl) // both .1 and .1.gz present
	if err := os.Remove(live + ".1"); err != nil {
		t.Fatal(err)
	}
	mustPoll(t, tl)
	// A backup copy of the live file.
	copyTo(t, live, filepath.Join(inst, "backup.api-a1.transaction.log"))
	mustPoll(t, tl)
	sameMultiset(t, sink.uuids(), ids(40))
	ref, ok := tl.Locate(sink.recs[0].FileID)
	if !ok || ref.Path != live+".1.gz" {
		t.Fatalf("first records now in %q (%v)", ref.Path, ok)
	}
	checkPositions(t, tl, sink)

	// A fresh start with the archive, a copy and the live file: once each.
	fresh := &collectSink{}
	mustPoll(t, NewTailer([]string{root}, Options{}, fresh, nil))
	sameMultiset(t, fresh.uuids(), ids(40))
}

func TestTailerTruncateInPlaceAndSameInode(t *testing.T) {
	root := t.TempDir()
	path := filepath.Join(root, "fw", "api-a.transaction.log")
	now := time.Now().Add(-time.Hour).UnixMicro()
	writeFile(t, path, bigRec("a1", now)+"\n"+bigRec("a2", now)+"\n")
	sink := &collectSink{}
	tl := NewTailer([]string{root}, Options{}, sink, nil)
	mustPoll(t, tl)
	// Rewritten in place (same inode) with longer, different content.
	writeFile(t, path, bigRec("b1", now)+"\n"+bigRec("b2", now)+"\n"+bigRec("b3", now)+"\n")
	mustPoll(t, tl)
	// Truncated to nothing, then one record.
	writeFile(t, path, "")
	mustPoll(t, tl)
	writeFile(t, path, bigRec("c1", now)+"\n")
	mustPoll(t, tl)
	sameMultiset(t, sink.uuids(), []string{"a1", "a2", "b1", "b2", "b3", "c1"})
}

func TestTailerPartialRecordThatParses(t *testing.T) {
	root := t.TempDir()
	path := filepath.Join(root, "fw", "api-a.transaction.log")
	now := time.Now().Add(-time.Hour).UnixMicro()
	writeFile(t, path, bigRec("a1", now)) // complete JSON, newline not yet written
	sink := &collectSink{}
	tl := NewTailer([]string{root}, Options{}, sink, nil)
	mustPoll(t, tl)
	appendTo(t, path, "\n"+bigRec("a2", now)+"\n")
	mustPoll(t, tl)
	appendTo(t, path, `{"uuid":"a3","date_ep`)
	mustPoll(t, tl)
	appendTo(t, path, `och":`+itoa(now)+`}`+"\n")
	mustPoll(t, tl)
	sameMultiset(t, sink.uuids(), []string{"a1", "a2", "a3"})
	lines := []int{}
	for _, r := range sink.recs {
		lines = append(lines, r.Line)
	}
	if lines[0] != 1 || lines[1] != 2 || lines[2] != 3 {
		t.Fatalf("line numbers %v", lines)
	}
}

func TestTailerStatusAndPathOf(t *testing.T) {
	root := t.TempDir()
	now := time.Now().Add(-time.Hour).UnixMicro()
	path := filepath.Join(root, "fw-1", "api-a.transaction.log")
	writeFile(t, path, bigRec("x1", now)+"\nnot json\n"+bigRec("x2", now)+"\n")
	writeFile(t, filepath.Join(root, "fw-1", "error.log"), "[Tue Feb 20 13:22:04.480765 2024] [guardian:notice] start\n")
	sink := &collectSink{}
	tl := NewTailer([]string{root, filepath.Join(root, "missing")}, Options{}, sink, nil)
	ps := mustPoll(t, tl)
	if ps.Records != 2 || ps.BadRecords != 1 || ps.Files != 1 {
		t.Fatalf("poll %+v", ps)
	}
	st := tl.Status()
	r := st.Roots[0]
	if r.Records != 2 || r.BadRecords != 1 || r.TransactionFiles != 1 || r.OtherLogFiles != 1 || strings.Join(r.Instances, ",") != "fw-1" {
		t.Fatalf("root %+v", r)
	}
	if st.Roots[1].Error != "directory does not exist" {
		t.Fatalf("missing root %+v", st.Roots[1])
	}
	if len(st.BadExamples) != 1 || st.BadExamples[0].Line != 2 || st.BadExamples[0].File != path {
		t.Fatalf("bad examples %+v", st.BadExamples)
	}
	if len(st.Files) != 1 || st.Files[0].Records != 2 || st.Files[0].Offset != st.Files[0].Size {
		t.Fatalf("files %+v", st.Files)
	}
	if got, ok := tl.PathOf(sink.recs[0].FileID); !ok || got != path {
		t.Fatalf("PathOf = %q %v", got, ok)
	}
	if ps := tl.Poll(); ps.Records != 0 || ps.Files != 0 {
		t.Fatalf("second poll read again: %+v", ps)
	}
	if st.FirstScan.BytesRead != st.FirstScan.BytesTotal || !st.FirstScan.Done {
		t.Fatalf("first scan %+v", st.FirstScan)
	}
}

func TestTailerInvalidOptions(t *testing.T) {
	tl := NewTailer([]string{t.TempDir()}, Options{EpochUnit: "weeks"}, nil, nil)
	if ps := tl.Poll(); ps.Error == "" {
		t.Fatal("no error for an invalid unit")
	}
	if st := tl.Status(); st.Error == "" {
		t.Fatal("status without the error")
	}
}

func TestTailerIncludeExclude(t *testing.T) {
	root := t.TempDir()
	now := time.Now().Add(-time.Hour).UnixMicro()
	writeFile(t, filepath.Join(root, "fw-1", "api-a.transaction.log"), bigRec("a", now)+"\n")
	writeFile(t, filepath.Join(root, "fw-2", "api-a.transaction.log"), bigRec("b", now)+"\n")
	writeFile(t, filepath.Join(root, "fw-2", "old.api-a.transaction.log"), bigRec("c", now)+"\n")
	cases := []struct {
		name string
		opts Options
		want []string
	}{
		{"all", Options{}, []string{"a", "b", "c"}},
		{"include one instance", Options{Include: []string{"fw-2/*"}}, []string{"b", "c"}},
		{"exclude rotated", Options{Exclude: []string{"old.*"}}, []string{"a", "b"}},
		{"both", Options{Include: []string{"**/api-*"}, Exclude: []string{"fw-1/**"}}, []string{"b"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sink := &collectSink{}
			mustPoll(t, NewTailer([]string{root}, c.opts, sink, nil))
			sameMultiset(t, sink.uuids(), c.want)
		})
	}
}

// bigRec is a record longer than the fingerprint, as real ones are.
func bigRec(uuid string, epoch int64) string {
	return `{"uuid":"` + uuid + `","date_epoch":` + itoa(epoch) + `,"api":"a1","pad":"` + strings.Repeat("p", 1100) + `"}`
}

func ids(n int) []string {
	var out []string
	for i := 0; i < n; i++ {
		out = append(out, "r"+itoa(int64(i)))
	}
	return out
}

func appendTo(t *testing.T, path, text string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(text); err != nil {
		t.Fatal(err)
	}
}

func gzipFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	zw := gzip.NewWriter(out)
	if _, err := io.Copy(zw, in); err != nil {
		t.Fatal(err)
	}
	zw.Close()
	out.Close()
}

func copyTo(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, to, string(b))
}

// TestTailerPollBudget reads a backlog in bounded polls (Options.MaxPollBytes,
// as the shipper does), stopping mid-file, with a restart in between that
// resumes from the saved state: every record arrives once, bad lines are
// counted once.
func TestTailerPollBudget(t *testing.T) {
	for _, layout := range []generate.Layout{generate.LayoutFiles, generate.LayoutStdout, generate.LayoutDocker} {
		t.Run(string(layout), func(t *testing.T) {
			root, stateDir := t.TempDir(), t.TempDir()
			live, err := generate.NewLive(root, generate.LiveConfig{
				Config: generate.Config{Seed: 5, APIs: 1, Instances: 1}, Layout: layout,
				LongEvery: 97, GarbageEvery: 89, Console: generate.Console{RuntimeSplit: 5000},
			})
			if err != nil {
				t.Fatal(err)
			}
			defer live.Close()
			if err := live.Append(9000); err != nil {
				t.Fatal(err)
			}
			state := NewFileStateStore(stateDir, "ship.json")
			sink := &collectSink{}
			opts := Options{Resume: true, MaxPollBytes: 1} // each read goes to pollLimit's floor
			polls := 0
			drain := func(tl *Tailer, most int) bool {
				for k := 0; k < most; k++ {
					polls++
					if ps := mustPoll(t, tl); !ps.More {
						return true
					}
				}
				return false
			}
			tl := NewTailer([]string{root}, opts, sink, state)
			if drain(tl, 2) {
				t.Fatal("the backlog fits in two polls: the test reads no file in parts")
			}
			bad := tl.Status().BadRecords
			if err := tl.Close(); err != nil { // saves the state of the last poll
				t.Fatal(err)
			}
			tl = NewTailer([]string{root}, opts, sink, state)
			if !drain(tl, 100) {
				t.Fatal("the backlog is not read after 100 polls")
			}
			truth := live.Truth()
			sameMultiset(t, sink.uuids(), truth.UUIDs)
			if bad += tl.Status().BadRecords; bad != int64(truth.BadLines) || bad == 0 {
				t.Errorf("bad records %d, want %d (a line cut at the budget counted as bad?)", bad, truth.BadLines)
			}
			if polls < 4 {
				t.Errorf("%d polls: the budget did not split the file", polls)
			}
			checkPositions(t, tl, sink)
			t.Logf("%d records in %d polls", len(truth.UUIDs), polls)
		})
	}
}

// A stream resumed from the state is located at once, also when its file
// kept its name (the trace view reads its records).
func TestResumedStreamIsLocated(t *testing.T) {
	root, dir := t.TempDir(), t.TempDir()
	path := filepath.Join(root, "fw-1", "api-0.transaction.log")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	rec := `{"uuid":"00000000-0000-4000-8000-000000000001","date_epoch":` + strconv.FormatInt(time.Now().UnixMicro(), 10) + `}` + "\n"
	if err := os.WriteFile(path, []byte(rec), 0o644); err != nil {
		t.Fatal(err)
	}
	state := NewFileStateStore(dir, "state.json")
	sink := &collectSink{}
	tl := NewTailer([]string{root}, Options{}, sink, state)
	mustPoll(t, tl)
	if err := tl.Close(); err != nil || len(sink.recs) != 1 {
		t.Fatalf("%d records, %v", len(sink.recs), err)
	}
	tl2 := NewTailer([]string{root}, Options{Resume: true}, &collectSink{}, state)
	mustPoll(t, tl2)
	if ref, ok := tl2.Locate(sink.recs[0].FileID); !ok || ref.Path != path {
		t.Fatalf("resumed stream located at %+v %v", ref, ok)
	}
}

// Resuming never gives a new stream the id of one forgotten since: the
// sink may still hold that stream's records under it.
func TestResumeKeepsNextID(t *testing.T) {
	root := t.TempDir()
	path := filepath.Join(root, "fw-1", "api-0.transaction.log")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	rec := `{"uuid":"00000000-0000-4000-8000-000000000001","date_epoch":` + strconv.FormatInt(time.Now().UnixMicro(), 10) + `}` + "\n"
	if err := os.WriteFile(path, []byte(rec), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ next, want uint32 }{{0, 1}, {7, 7}} {
		state := &MemoryStateStore{}
		_ = state.Save(State{Version: stateVersion, NextID: c.next})
		sink := &collectSink{}
		mustPoll(t, NewTailer([]string{root}, Options{Resume: true}, sink, state))
		if len(sink.recs) != 1 || sink.recs[0].FileID != c.want {
			t.Fatalf("next id %d: records %+v, want file id %d", c.next, sink.recs, c.want)
		}
	}
}

// panicSink panics on its first Append, then collects.
type panicSink struct {
	collectSink
	panicked bool
}

func (s *panicSink) Append(recs []model.Transaction) {
	if !s.panicked {
		s.panicked = true
		panic("sink failure")
	}
	s.collectSink.Append(recs)
}

// A panic in the sink reaches Poll's caller, as it did before records were
// handed on from a goroutine of the reader's, and the reader is usable after
// it (its slots were all given back: the next Poll does not wait forever).
func TestTailerSinkPanicReachesPoll(t *testing.T) {
	root := t.TempDir()
	now := time.Now().Add(-time.Hour).UnixMicro()
	var lines []string
	for i := 0; i < 3000; i++ { // several chunks
		lines = append(lines, bigRec("p"+itoa(int64(i)), now+int64(i)))
	}
	writeFile(t, filepath.Join(root, "fw-1", "api-a1.transaction.log"), strings.Join(lines, "\n")+"\n")
	sink := &panicSink{}
	tl := NewTailer([]string{root}, Options{}, sink, nil)
	func() {
		defer func() {
			v := recover()
			if v == nil || !strings.Contains(fmt.Sprint(v), "sink failure") {
				t.Fatalf("Poll did not raise the sink's panic: %v", v)
			}
		}()
		tl.Poll()
	}()
	done := make(chan struct{})
	go func() {
		defer close(done)
		tl.Poll()
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("the Poll after a sink panic did not return")
	}
}
