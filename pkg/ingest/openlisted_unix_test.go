//go:build unix

package ingest

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// A listed file swapped for a link or a FIFO before it is opened: the link
// is not followed, and the FIFO neither blocks the poller nor passes for a
// log (readHead refuses anything but a regular file).
func TestOpenListedRefusesSwappedFiles(t *testing.T) {
	dir, outside := t.TempDir(), t.TempDir()
	secret := filepath.Join(outside, "secret")
	if err := os.WriteFile(secret, []byte("secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "api-a.transaction.log")
	if err := os.Symlink(secret, link); err != nil {
		t.Fatal(err)
	}
	if f, err := openListed(link); err == nil {
		f.Close()
		t.Fatal("opened a symbolic link")
	}
	if _, err := readHead(link); err == nil {
		t.Fatal("readHead followed a symbolic link")
	}
	fifo := filepath.Join(dir, "api-b.transaction.log")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	done := make(chan error, 1)
	go func() { _, err := readHead(fifo); done <- err }()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("readHead accepted a FIFO")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("readHead blocked on a FIFO")
	}
}
