//go:build unix

package ingest

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

func mkfifo(t *testing.T, path string) {
	t.Helper()
	if err := syscall.Mkfifo(path, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestTailerReadsPipesWithoutBlocking(t *testing.T) {
	root := t.TempDir()
	now := time.Now().Add(-time.Hour).UnixMicro()
	path := filepath.Join(root, "fw", "api-p.transaction.log")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	mkfifo(t, path)

	skipped := NewTailer([]string{root}, Options{}, nil, nil)
	mustPoll(t, skipped)
	if st := skipped.Status(); len(st.Roots[0].Skipped) != 1 {
		t.Fatalf("pipe not skipped by default: %+v", st.Roots[0])
	}

	sink := &collectSink{}
	tl := NewTailer([]string{root}, Options{ReadPipes: true}, sink, nil)
	defer tl.Close()
	done := make(chan struct{})
	go func() { mustPoll(t, tl); close(done) }() // no writer: must not block
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("poll blocked on a pipe without writer")
	}
	w, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	full := bigRec("p2", now)
	if _, err := w.WriteString(bigRec("p1", now) + "\n" + full[:50]); err != nil {
		t.Fatal(err)
	}
	mustPoll(t, tl)
	if _, err := w.WriteString(full[50:] + "\n"); err != nil {
		t.Fatal(err)
	}
	mustPoll(t, tl)
	sameMultiset(t, sink.uuids(), []string{"p1", "p2"})
}
