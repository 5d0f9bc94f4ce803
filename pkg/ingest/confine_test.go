package ingest

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestConfinePath(t *testing.T) {
	root, outside := t.TempDir(), t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(root, "fw-1"), 0o755))
	must(os.WriteFile(filepath.Join(root, "fw-1", "api-a.transaction.log"), []byte("{}\n"), 0o644))
	must(os.WriteFile(filepath.Join(outside, "secret.log"), []byte("secret\n"), 0o644))
	must(os.Symlink(filepath.Join(outside, "secret.log"), filepath.Join(root, "fw-1", "api-b.transaction.log")))
	must(os.Symlink(outside, filepath.Join(root, "fw-2")))
	must(os.Symlink(filepath.Join(root, "fw-1"), filepath.Join(root, "inside")))
	// A root reached through a link is resolved too.
	linkedRoot := filepath.Join(t.TempDir(), "logs")
	must(os.Symlink(root, linkedRoot))

	cases := []struct {
		path string
		ok   bool
	}{
		{filepath.Join(root, "fw-1", "api-a.transaction.log"), true},
		{"fw-1/api-a.transaction.log", true},
		{filepath.Join(root, "inside", "api-a.transaction.log"), true}, // a link that stays inside
		{filepath.Join(linkedRoot, "fw-1", "api-a.transaction.log"), true},
		{filepath.Join(root, "fw-1", "api-b.transaction.log"), false}, // file link out
		{filepath.Join(root, "fw-2", "secret.log"), false},            // folder link out
		{filepath.Join(root, "..", filepath.Base(outside), "secret.log"), false},
		{"../" + filepath.Base(outside) + "/secret.log", false},
		{"fw-1/../fw-1/api-a.transaction.log", false}, // ".." is refused outright
		{filepath.Join(outside, "secret.log"), false},
		{"/etc/passwd", false},
		{"", false},
		{"fw-1/\x00", false},
	}
	for _, c := range cases {
		got, err := ConfinePath([]string{linkedRoot, "relative/root"}, c.path)
		if c.ok != (err == nil) {
			t.Errorf("%q: %q %v, want ok=%v", c.path, got, err, c.ok)
		}
		if !c.ok && err != nil && !errors.Is(err, ErrOutsideRoots) && !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%q: error %v is not ErrOutsideRoots", c.path, err)
		}
		if c.ok && !strings.HasPrefix(got, root) {
			t.Errorf("%q resolved to %q", c.path, got)
		}
	}
}

// Links met while listing are never followed; those that lead to folders or
// carry a log's name are listed as skipped with the reason; roots must be
// absolute and clean.
func TestDiscoverRefusesLinksAndBadRoots(t *testing.T) {
	root, outside := t.TempDir(), t.TempDir()
	mk := func(p, content string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	rec := `{"uuid":"00000000-0000-4000-8000-000000000001","date_epoch":1700000000000000}` + "\n"
	mk(filepath.Join(root, "fw-1", "api-a.transaction.log"), rec)
	mk(filepath.Join(outside, "fw-9", "api-z.transaction.log"), rec)
	mk(filepath.Join(outside, "notes.txt"), "x")
	links := map[string]string{
		filepath.Join(root, "fw-2"):                          filepath.Join(outside, "fw-9"),
		filepath.Join(root, "fw-1", "api-b.transaction.log"): filepath.Join(outside, "fw-9", "api-z.transaction.log"),
		filepath.Join(root, "fw-1", "api-c.transaction.log"): filepath.Join(root, "fw-1", "api-a.transaction.log"),
		filepath.Join(root, "fw-1", "api-d.transaction.log"): filepath.Join(outside, "missing"),
		filepath.Join(root, "fw-1", "readme.txt"):            filepath.Join(outside, "notes.txt"),
	}
	for l, target := range links {
		if err := os.Symlink(target, l); err != nil {
			t.Fatal(err)
		}
	}
	files, rep := DiscoverWith(root, Options{})
	if len(files) != 1 || files[0].Rel != "fw-1/api-a.transaction.log" {
		t.Fatalf("files %+v", files)
	}
	want := map[string]string{
		filepath.Join(root, "fw-2"):                          "symbolic link to a folder outside the root, refused",
		filepath.Join(root, "fw-1", "api-b.transaction.log"): "symbolic link to a file outside the root, refused",
		filepath.Join(root, "fw-1", "api-c.transaction.log"): "symbolic link to a file, not followed",
		filepath.Join(root, "fw-1", "api-d.transaction.log"): "dangling",
	}
	if len(rep.Skipped) != len(want) {
		t.Fatalf("skipped %q", rep.Skipped)
	}
	for _, s := range rep.Skipped {
		p, reason, _ := strings.Cut(s, " (")
		if w, ok := want[p]; !ok || !strings.Contains(reason, w) {
			t.Errorf("skipped %q, want reason %q", s, w)
		}
	}
	for _, bad := range []string{"relative/logs", root + "/../x", root + "/./fw-1", ""} {
		if err := CheckRoot(bad); !errors.Is(err, ErrOutsideRoots) {
			t.Errorf("root %q accepted: %v", bad, err)
		}
	}
	if err := CheckRoot(root); err != nil {
		t.Error(err)
	}
}
