package collector

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/apifw/monitor/pkg/index"
	"github.com/apifw/monitor/pkg/model"
)

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestRefreshCountsPerRootAndFollowsChanges(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	now := time.Now().UnixMicro()
	rec := func(id string) string {
		return `{"uuid":"` + id + `","date_epoch":` + itoa(now) + `,"api":"x"}` + "\n"
	}
	write(t, filepath.Join(a, "fw-1", "api-x.transaction.log"), rec("1")+rec("2")+"garbage\n")
	write(t, filepath.Join(b, "fw-2", "api-x.transaction.log"), rec("3"))
	write(t, filepath.Join(b, "fw-2", "error.log"), "[Tue Feb 20 13:22:04.480765 2024] [guardian:notice] start\n")

	store := index.NewStore()
	c := New(Config{LogRoots: []string{a, b, filepath.Join(a, "missing")}, MinRefresh: time.Nanosecond}, store)
	st := c.Refresh()
	if st.Records != 3 || st.BadRecords != 1 || store.Len() != 3 {
		t.Fatalf("status %+v, store %d", st, store.Len())
	}
	want := []RootStatus{
		{Path: a, Instances: 1, TransactionFiles: 1, Records: 2, BadRecords: 1},
		{Path: b, Instances: 1, TransactionFiles: 1, OtherLogFiles: 1, Records: 1},
		{Path: filepath.Join(a, "missing"), Error: "directory does not exist"},
	}
	for i, w := range want {
		g := st.Roots[i]
		if g.Path != w.Path || g.Instances != w.Instances || g.TransactionFiles != w.TransactionFiles ||
			g.OtherLogFiles != w.OtherLogFiles || g.Records != w.Records || g.BadRecords != w.BadRecords || g.Error != w.Error {
			t.Errorf("root %d: got %+v want %+v", i, g, w)
		}
	}
	if len(st.BadExamples) != 1 || st.BadExamples[0].Line != 3 {
		t.Errorf("bad examples %+v", st.BadExamples)
	}

	// An appended record is picked up at the next refresh; nothing is counted twice.
	f, err := os.OpenFile(filepath.Join(b, "fw-2", "api-x.transaction.log"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = f.WriteString(rec("4"))
	_ = f.Close()
	st = c.Refresh()
	if st.Records != 4 || st.Roots[1].Records != 2 || store.Len() != 4 {
		t.Fatalf("after append: %+v store %d", st, store.Len())
	}
	n := 0
	store.Range(time.Time{}, time.Time{}, func(*model.Transaction) bool { n++; return true })
	if n != 4 {
		t.Fatalf("range saw %d", n)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestBackgroundPollingAndState(t *testing.T) {
	root, stateDir := t.TempDir(), t.TempDir()
	now := time.Now().UnixMicro()
	path := filepath.Join(root, "fw-1", "api-x.transaction.log")
	line := func(id string) string {
		return `{"uuid":"` + id + `","date_epoch":` + itoa(now) + `,"api":"x"}` + "\n"
	}
	write(t, path, line("a"))
	store := index.NewStore()
	c := New(Config{LogRoots: []string{root}, StateDir: stateDir}, store)
	c.Start(100 * time.Millisecond)
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		_, _ = f.WriteString(line("b" + itoa(int64(i))))
	}
	_ = f.Close()
	written := time.Now()
	for store.Len() < 6 {
		if time.Since(written) > 2*time.Second {
			t.Fatalf("after 2s the store holds %d of 6 records", store.Len())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(stateDir, "ingest-state.json")); err != nil {
		t.Fatalf("no state saved: %v", err)
	}
	st := c.Status()
	if st.Records != 6 || !st.FirstScan.Done || st.Roots[0].InstanceNames[0] != "fw-1" {
		t.Fatalf("status %+v", st)
	}
}
