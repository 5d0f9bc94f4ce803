package collector

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apifw/monitor/pkg/index"
	"github.com/apifw/monitor/pkg/model"
)

func appendTo(t *testing.T, path string, lines ...string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range lines {
		if _, err := f.WriteString(l); err != nil {
			t.Fatal(err)
		}
	}
	f.Close()
}

// batch makes n records numbered from first.
func batch(first, n int, at time.Time) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = logLine(uuidN(first+i), at.Add(time.Duration(i)*time.Millisecond), "10.0.0.1", "api-0", "/p")
	}
	return out
}

// tinyFS mounts a small tmpfs (root only) for disk-full faults.
func tinyFS(t *testing.T, size string) string {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here (%v: %s)", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("umount", dir).Run() })
	return dir
}

func fill(t *testing.T, dir string) {
	t.Helper()
	f, err := os.Create(filepath.Join(dir, "filler"))
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4096)
	for {
		if _, err := f.Write(buf); err != nil {
			break
		}
	}
	f.Close()
}

// The disk where the state and the deletion log live is full: ingestion
// goes on (the state is a convenience, the logs are the truth), the status
// says the state could not be saved, and a deletion is refused rather than
// applied without being recorded. With space again, both work.
func TestFaultStateDiskFull(t *testing.T) {
	state := tinyFS(t, "64k")
	fill(t, state)
	root := t.TempDir()
	path := filepath.Join(root, "fw-1", "api-0.transaction.log")
	now := time.Now()
	appendTo(t, path, batch(0, 500, now.Add(-time.Hour))...)
	store := index.NewStore(index.Options{StateDir: state})
	c := New(Config{LogRoots: []string{root}, StateDir: state, MinRefresh: time.Nanosecond}, store)
	defer c.Close()
	st := c.Refresh()
	if store.Len() != 500 || st.Records != 500 {
		t.Fatalf("indexed %d, status %d", store.Len(), st.Records)
	}
	if !strings.Contains(strings.Join(st.FileErrors, "\n"), "saving the ingestion state") {
		t.Fatalf("no state error in the status: %q", st.FileErrors)
	}
	if _, err := store.Delete(index.DeleteCriteria{UUIDs: []string{uuidN(1)}}); err == nil {
		t.Fatal("deletion accepted without being recorded")
	}
	if _, ok := store.Lookup(uuidN(1)); !ok || store.Len() != 500 {
		t.Fatal("a refused deletion removed records")
	}
	appendTo(t, path, batch(500, 100, now)...)
	if c.Refresh(); store.Len() != 600 {
		t.Fatalf("ingestion stopped on a full state disk: %d", store.Len())
	}
	if err := os.Remove(filepath.Join(state, "filler")); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Delete(index.DeleteCriteria{UUIDs: []string{uuidN(1)}}); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatalf("state not saved with space again: %v", err)
	}
	// Restart: the deletion holds, nothing lost or doubled.
	store2 := index.NewStore(index.Options{StateDir: state})
	c2 := New(Config{LogRoots: []string{root}, StateDir: state, MinRefresh: time.Nanosecond}, store2)
	defer c2.Close()
	if c2.Refresh(); store2.Len() != 599 {
		t.Fatalf("after restart %d, want 599", store2.Len())
	}
}

// A root that disappears (unmounted, renamed away) and comes back: its
// records stay, the status says what happened, and nothing is read twice.
func TestFaultRootDisappearsAndComesBack(t *testing.T) {
	parent := t.TempDir()
	root := filepath.Join(parent, "logs")
	path := filepath.Join(root, "fw-1", "api-0.transaction.log")
	now := time.Now()
	appendTo(t, path, batch(0, 300, now.Add(-time.Hour))...)
	store := index.NewStore()
	c := New(Config{LogRoots: []string{root}, MinRefresh: time.Nanosecond}, store)
	defer c.Close()
	c.Refresh()
	if err := os.Rename(root, root+".away"); err != nil {
		t.Fatal(err)
	}
	st := c.Refresh()
	if st.Roots[0].Error != "directory does not exist" || store.Len() != 300 {
		t.Fatalf("root gone: %+v, store %d", st.Roots[0], store.Len())
	}
	appendTo(t, filepath.Join(root+".away", "fw-1", "api-0.transaction.log"), batch(300, 50, now)...)
	if err := os.Rename(root+".away", root); err != nil {
		t.Fatal(err)
	}
	st = c.Refresh()
	if st.Roots[0].Error != "" || store.Len() != 350 || st.Records != 350 {
		t.Fatalf("root back: %+v, store %d, records %d", st.Roots[0], store.Len(), st.Records)
	}
	// Gone and re-created empty, then the firewall writes again.
	if err := os.RemoveAll(root); err != nil {
		t.Fatal(err)
	}
	c.Refresh()
	appendTo(t, path, batch(1000, 20, now)...)
	if c.Refresh(); store.Len() != 370 {
		t.Fatalf("after re-creation: %d, want 370", store.Len())
	}
}

// Records whose clocks are off: plausible skew (a year back, minutes ahead,
// out of order) is indexed once and found at its own time; implausible
// dates (a year ahead, 1970) are bad records with the reason, not indexed.
func TestFaultClockSkew(t *testing.T) {
	root := t.TempDir()
	now := time.Now().UTC()
	cases := []struct {
		at time.Time
		ok bool
	}{
		{now, true}, {now.Add(-24 * 365 * time.Hour), true}, {now.Add(24 * 365 * time.Hour), false},
		{now.Add(-time.Second), true}, {time.Unix(1, 0), false}, {now.Add(10 * time.Minute), true},
		{now.Add(-5 * time.Hour), true},
	}
	var lines []string
	indexed := 0
	for i, c := range cases {
		lines = append(lines, logLine(uuidN(i), c.at, "10.0.0.1", "api-0", "/p"))
		if c.ok {
			indexed++
		}
	}
	appendTo(t, filepath.Join(root, "fw-1", "api-0.transaction.log"), lines...)
	store := index.NewStore()
	c := New(Config{LogRoots: []string{root}, MinRefresh: time.Nanosecond}, store)
	defer c.Close()
	st := c.Refresh()
	if store.Len() != indexed || st.BadRecords != len(cases)-indexed {
		t.Fatalf("indexed %d of %d, bad %d: %+v", store.Len(), indexed, st.BadRecords, st.BadExamples)
	}
	for _, b := range st.BadExamples {
		if !strings.Contains(b.Reason, "implausible") {
			t.Errorf("bad record reason %q", b.Reason)
		}
	}
	for i, c := range cases {
		n := 0
		store.Range(c.at, c.at.Add(time.Microsecond), func(tx *model.Transaction) bool {
			if tx.UUID != uuidN(i) {
				t.Errorf("at %v: %s", c.at, tx.UUID)
			}
			n++
			return true
		})
		if want := map[bool]int{true: 1}[c.ok]; n != want {
			t.Errorf("record dated %v found %d times, want %d", c.at, n, want)
		}
	}
}

// Rotation, truncation, deletion and re-creation while ingesting: the
// store ends with exactly the distinct records written.
func TestFaultRotationWhileIngesting(t *testing.T) {
	root := t.TempDir()
	path := filepath.Join(root, "fw-1", "api-0.transaction.log")
	now := time.Now()
	store := index.NewStore()
	c := New(Config{LogRoots: []string{root}, MinRefresh: time.Nanosecond}, store)
	defer c.Close()
	next, want := 0, 0
	write := func(n int) {
		appendTo(t, path, batch(next, n, now)...)
		next += n
		want += n
	}
	for round := 0; round < 20; round++ {
		write(37)
		if round%2 == 0 {
			c.Refresh()
		}
		switch round % 4 {
		case 0: // rename rotation
			if err := os.Rename(path, fmt.Sprintf("%s.%d", path, round)); err != nil {
				t.Fatal(err)
			}
		case 1: // copy-truncate, after the poll saw everything
			c.Refresh()
			b, _ := os.ReadFile(path)
			_ = os.WriteFile(fmt.Sprintf("%s.c%d", path, round), b, 0o644)
			_ = os.Truncate(path, 0)
		case 2: // deleted after being read, re-created
			c.Refresh()
			_ = os.Remove(path)
		}
	}
	c.Refresh()
	if store.Len() != want {
		t.Fatalf("store %d, written %d", store.Len(), want)
	}
}

// A backend killed mid-ingest: the collector never closed (state saved at
// some earlier poll, or torn), a new one starts on the same state dir.
// Nothing is lost or doubled, and deletions made before still hold.
func TestFaultKilledMidIngest(t *testing.T) {
	for _, torn := range []bool{false, true} {
		t.Run(fmt.Sprintf("torn state %v", torn), func(t *testing.T) {
			root, state := t.TempDir(), t.TempDir()
			path := filepath.Join(root, "fw-1", "api-0.transaction.log")
			now := time.Now()
			appendTo(t, path, batch(0, 400, now.Add(-time.Hour))...)
			store := index.NewStore(index.Options{StateDir: state})
			c := New(Config{LogRoots: []string{root}, StateDir: state, MinRefresh: time.Nanosecond}, store)
			c.Refresh()
			if _, err := store.Delete(index.DeleteCriteria{UUIDs: []string{uuidN(7)}}); err != nil {
				t.Fatal(err)
			}
			appendTo(t, path, batch(400, 100, now)...)
			c.Refresh()
			_ = os.Rename(path, path+".1") // rotated while nobody watches
			appendTo(t, path, batch(500, 50, now)...)
			if torn {
				_ = os.WriteFile(filepath.Join(state, "ingest-state.json"), []byte(`{"streams":[{"id":1,"pa`), 0o600)
				f, _ := os.OpenFile(filepath.Join(state, "deletions.jsonl"), os.O_APPEND|os.O_WRONLY, 0)
				_, _ = f.WriteString(`{"criteria":{"uuids":["`)
				f.Close()
			}
			// No Close: the process is gone. A new one starts.
			store2 := index.NewStore(index.Options{StateDir: state})
			c2 := New(Config{LogRoots: []string{root}, StateDir: state, MinRefresh: time.Nanosecond}, store2)
			defer c2.Close()
			st := c2.Refresh()
			if store2.Len() != 549 || st.Records != 550 {
				t.Fatalf("after restart: store %d (want 549), records read %d (want 550)", store2.Len(), st.Records)
			}
			if _, ok := store2.Lookup(uuidN(7)); ok {
				t.Fatal("a deletion made before the kill came back")
			}
			if torn != (store2.LoadError() != nil) {
				t.Fatalf("torn deletion log reported: %v", store2.LoadError())
			}
		})
	}
}
