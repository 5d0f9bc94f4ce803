package generate

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// countRecords counts the lines holding a "uuid" under root: what a reader
// would find (STDOUT chunks: only first chunks carry the key's first bytes).
func countRecords(t *testing.T, root string) int {
	t.Helper()
	n := 0
	err := filepath.Walk(root, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<22)
		for sc.Scan() {
			if strings.Contains(sc.Text(), `"uuid":"`) && !strings.Contains(sc.Text(), `"uuid":"broken`) && !strings.Contains(sc.Text(), `"uuid":"future`) {
				n++
			}
		}
		return sc.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestLiveKeepsTruthOfWhatFilesHold(t *testing.T) {
	for _, mode := range []RotateMode{RotateRename, RotateCopyTruncate, RotateRecreate} {
		t.Run(string(mode), func(t *testing.T) {
			root := t.TempDir()
			l, err := NewLive(root, LiveConfig{Config: Config{Seed: 2, APIs: 2, Instances: 2}, RotateEvery: 40, RotateMode: mode, GarbageEvery: 25})
			if err != nil {
				t.Fatal(err)
			}
			if err := l.Append(130); err != nil {
				t.Fatal(err)
			}
			complete, err := l.AppendPartial()
			if err != nil {
				t.Fatal(err)
			}
			if err := complete(); err != nil {
				t.Fatal(err)
			}
			l.Close()
			truth := l.Truth()
			if truth.Total < 131 || len(truth.UUIDs) != truth.Total || truth.BadLines != 130/25 {
				t.Fatalf("truth total %d uuids %d bad %d", truth.Total, len(truth.UUIDs), truth.BadLines)
			}
			if got, want := countRecords(t, root), len(l.Present()); got != want {
				t.Fatalf("files hold %d records, Present says %d", got, want)
			}
			if mode != RotateRecreate && len(l.Present()) != truth.Total {
				t.Fatalf("%s lost records: %d of %d present", mode, len(l.Present()), truth.Total)
			}
		})
	}
}

func TestConsoleSplitsAndWraps(t *testing.T) {
	c := Console{Wrapper: WrapCRI, SplitSize: 10, RuntimeSplit: 30}
	ts := time.Date(2024, 2, 21, 8, 31, 22, 0, time.UTC)
	lines := c.Message("fw.api-a.transaction", ts, []byte(strings.Repeat("x", 25)))
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "fw.api-a.transaction:1:25:1 [Wed Feb 21 08:31:22.000000 2024]") ||
		lines[1] != "fw.api-a.transaction:1:25:2 xxxxxxxxxx" {
		t.Fatalf("lines %q", lines)
	}
	wrapped := c.Wrap(lines[0], ts)
	parts := strings.Split(strings.TrimSuffix(wrapped, "\n"), "\n")
	var joined string
	for i, p := range parts {
		tag := " stdout P "
		if i == len(parts)-1 {
			tag = " stdout F "
		}
		_, text, ok := strings.Cut(p, tag)
		if !ok {
			t.Fatalf("part %d %q", i, p)
		}
		joined += text
	}
	if len(parts) < 2 || joined != lines[0] {
		t.Fatalf("wrapped %q", wrapped)
	}
}
