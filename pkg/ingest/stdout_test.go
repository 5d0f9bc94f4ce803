package ingest

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/apifw/monitor/pkg/generate"
	"github.com/apifw/monitor/pkg/model"
)

func TestUnwrapLine(t *testing.T) {
	cases := []struct {
		name    string
		line    string
		stream  consoleStream
		text    string
		partial bool
		wantErr bool
	}{
		{"plain", "fw.main.error:1:5:0 hello", streamPlain, "fw.main.error:1:5:0 hello", false, false},
		{"docker full", `{"log":"a \"quoted\" line\n","stream":"stdout","time":"2024-02-21T08:31:22.128004Z"}`, streamStdout, `a "quoted" line`, false, false},
		{"docker partial", `{"log":"first half","stream":"stderr","time":"2024-02-21T08:31:22Z"}`, streamStderr, "first half", true, false},
		{"docker keys in any order", `{"time":"x","stream":"stdout","log":"x\r\n"}`, streamStdout, "x", false, false},
		{"docker without log", `{"stream":"stdout"}`, 0, "", false, true},
		{"docker log not a string", `{"log":12}`, 0, "", false, true},
		{"docker broken", `{"log":"abc`, 0, "", false, true},
		{"docker trailing junk", `{"log":"a\n"} x`, 0, "", false, true},
		{"cri full", "2024-02-21T08:31:22.128004Z stdout F some text", streamStdout, "some text", false, false},
		{"cri partial", "2024-02-21T08:31:22.128004000+00:00 stderr P some", streamStderr, "some", true, false},
		{"cri empty", "2024-02-21T08:31:22.128004Z stdout F", streamStdout, "", false, false},
		{"cri unknown tag is plain text", "2024-02-21T08:31:22.128004Z stdout X text", streamPlain, "2024-02-21T08:31:22.128004Z stdout X text", false, false},
		{"date-like plain text", "2024-02-21 is a date", streamPlain, "2024-02-21 is a date", false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cl, _, err := unwrapLine([]byte(c.line), nil)
			if c.wantErr {
				if err == nil {
					t.Fatalf("want an error, got %+v", cl)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cl.stream != c.stream || string(cl.text) != c.text || cl.partial != c.partial {
				t.Fatalf("got stream %d text %q partial %v", cl.stream, cl.text, cl.partial)
			}
		})
	}
}

func TestParseFirewallLine(t *testing.T) {
	cases := []struct {
		name   string
		line   string
		ok     bool
		source string
		want   fwLine
		msg    string
	}{
		{"first chunk with header", "fw-1.api-abc.transaction:12:300:1 [Wed Feb 21 08:31:22.128004 2024] [guardian:info] [19:1407] {\"uuid\"", true,
			"fw-1.api-abc.transaction", fwLine{counter: 12, length: 300, split: 1}, `{"uuid"`},
		{"later chunk, no header", "fw-1.api-abc.transaction:12:300:2 [1,2]}", true, "fw-1.api-abc.transaction", fwLine{counter: 12, length: 300, split: 2}, "[1,2]}"},
		{"unsplit", "fw.unknown.transaction:3:2:0 [d] [m:l] [p:t] {}", true, "fw.unknown.transaction", fwLine{counter: 3, length: 2, split: 0}, "{}"},
		{"instance with colons", "a:b.main.error:1:4:0 [d] [m:l] [p:t] text", true, "a:b.main.error", fwLine{counter: 1, length: 4}, "text"},
		{"not firewall output", "entrypoint: starting", false, "", fwLine{}, ""},
		{"negative number", "fw.main.error:1:-4:0 x", false, "", fwLine{}, ""},
		{"empty source", ":1:4:0 x", false, "", fwLine{}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l, ok := parseFirewallLine([]byte(c.line))
			if ok != c.ok {
				t.Fatalf("ok = %v", ok)
			}
			if !ok {
				return
			}
			if string(l.source) != c.source || l.counter != c.want.counter || l.length != c.want.length || l.split != c.want.split || string(l.message) != c.msg {
				t.Fatalf("got %+v message %q", l, l.message)
			}
		})
	}
}

func TestClassifySource(t *testing.T) {
	cases := []struct {
		src      string
		kind     sourceKind
		instance string
	}{
		{"fw-1.api-3bb72c9b-e45e.transaction", sourceTransactions, "fw-1"},
		{"my.dotted.instance.api-x.transaction", sourceTransactions, "my.dotted.instance"},
		{"fw-1.unknown.transaction", sourceUnknownTransactions, "fw-1"},
		{"fw-1.vh-f1b7.access", sourceOther, ""},
		{"fw-1.main.error", sourceOther, ""},
		{"fw-1.agent.error", sourceOther, ""},
		{"api-x.transaction", sourceOther, ""},
		{"fw-1.other.transaction", sourceOther, ""},
	}
	for _, c := range cases {
		kind, inst := classifySource([]byte(c.src))
		if kind != c.kind || string(inst) != c.instance {
			t.Errorf("%s: got (%d, %q)", c.src, kind, inst)
		}
	}
}

func TestReassembler(t *testing.T) {
	chunk := func(src string, counter uint64, length, split int, msg string) fwLine {
		return fwLine{source: []byte(src), counter: counter, length: length, split: split, message: []byte(msg)}
	}
	type step struct {
		l    fwLine
		want chunkOutcome
		msg  string
	}
	cases := []struct {
		name  string
		steps []step
	}{
		{"unsplit", []step{{chunk("a", 1, 3, 0, "abc"), chunkComplete, "abc"}}},
		{"unsplit length mismatch", []step{{chunk("a", 1, 4, 0, "abc"), chunkBad, ""}}},
		{"three chunks", []step{
			{chunk("a", 1, 7, 1, "abc"), chunkPending, ""},
			{chunk("a", 1, 7, 2, "de"), chunkPending, ""},
			{chunk("a", 1, 7, 3, "fg"), chunkComplete, "abcdefg"},
		}},
		{"interleaved sources and counters", []step{
			{chunk("a", 1, 4, 1, "ab"), chunkPending, ""},
			{chunk("b", 1, 4, 1, "wx"), chunkPending, ""},
			{chunk("a", 2, 2, 1, "zz"), chunkComplete, "zz"},
			{chunk("b", 1, 4, 2, "yz"), chunkComplete, "wxyz"},
			{chunk("a", 1, 4, 2, "cd"), chunkComplete, "abcd"},
		}},
		{"single numbered chunk", []step{{chunk("a", 1, 2, 1, "ab"), chunkComplete, "ab"}}},
		{"too long", []step{{chunk("a", 1, 3, 1, "ab"), chunkPending, ""}, {chunk("a", 1, 3, 2, "cd"), chunkBad, ""}}},
		{"gap", []step{{chunk("a", 1, 9, 1, "ab"), chunkPending, ""}, {chunk("a", 1, 9, 3, "cd"), chunkBad, ""}}},
		{"orphan chunk", []step{{chunk("a", 1, 9, 2, "ab"), chunkBad, ""}}},
		{"length changes", []step{{chunk("a", 1, 9, 1, "ab"), chunkPending, ""}, {chunk("a", 1, 8, 2, "cd"), chunkBad, ""}}},
		{"restarted counter drops the unfinished one", []step{
			{chunk("a", 1, 9, 1, "ab"), chunkPending, ""},
			{chunk("a", 1, 2, 1, "xy"), chunkComplete, "xy"},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var r reassembler
			for i, s := range c.steps {
				out, msg, _, _, reason := r.add(s.l, int64(i*10), i+1)
				if out != s.want || string(msg) != s.msg {
					t.Fatalf("step %d: got %d %q (%s)", i, out, msg, reason)
				}
			}
		})
	}
}

// readAll reads one file with ReadFile and returns the UUIDs found.
func readAllUUIDs(t *testing.T, src SourceFile, opts Options) ([]string, FileResult) {
	t.Helper()
	var ids []string
	res, err := ReadFile(src, opts, func(tx model.Transaction) {
		ids = append(ids, tx.UUID)
		if tx.Instance == "" || tx.Length <= 0 || tx.Line < 1 {
			t.Errorf("record without instance or position: %+v", tx)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids, res
}

func sameMultiset(t *testing.T, got, want []string) {
	t.Helper()
	g, w := append([]string(nil), got...), append([]string(nil), want...)
	sort.Strings(g)
	sort.Strings(w)
	if strings.Join(g, ",") != strings.Join(w, ",") {
		counts := map[string]int{}
		for _, id := range g {
			counts[id]++
		}
		for _, id := range w {
			counts[id]--
		}
		var diff []string
		for id, n := range counts {
			if n != 0 {
				diff = append(diff, id+"×"+itoa(int64(n)))
			}
		}
		sort.Strings(diff)
		if len(diff) > 10 {
			diff = diff[:10]
		}
		t.Fatalf("got %d records, want %d; differences (+extra, -missing): %v", len(got), len(want), diff)
	}
}

func TestStdoutLayoutsMatchGroundTruth(t *testing.T) {
	end := time.Now().UTC()
	for _, w := range []generate.Wrapper{generate.WrapPlain, generate.WrapDocker, generate.WrapCRI} {
		for _, runtimeSplit := range []int{0, 3000} {
			t.Run(string(w)+"/runtime-split-"+itoa(int64(runtimeSplit)), func(t *testing.T) {
				dir := t.TempDir()
				layout := map[generate.Wrapper]generate.Layout{generate.WrapPlain: generate.LayoutStdout,
					generate.WrapDocker: generate.LayoutDocker, generate.WrapCRI: generate.LayoutCRI}[w]
				path := generate.StdoutPath(dir, layout)
				gt, err := generate.WriteStdout(path, generate.StdoutConfig{
					Config:  generate.Config{Seed: 3, APIs: 3, Instances: 2, Records: 400, Start: end.Add(-time.Hour), End: end, TrackUUIDs: true},
					Console: generate.Console{Wrapper: w, RuntimeSplit: runtimeSplit}, LongEvery: 9, NoiseEvery: 5, Interleave: true,
				})
				if err != nil {
					t.Fatal(err)
				}
				files, rep := DiscoverWith(dir, Options{})
				if len(files) != 1 || rep.StdoutFiles != 1 || files[0].Layout != LayoutStdout {
					t.Fatalf("discover: %+v %+v", files, rep)
				}
				ids, res := readAllUUIDs(t, files[0], Options{})
				if len(res.Bad) != 0 || res.Pending {
					t.Fatalf("bad %v pending %v", res.Bad[:min(3, len(res.Bad))], res.Pending)
				}
				sameMultiset(t, ids, gt.UUIDs)
			})
		}
	}
}

func TestStdoutRecordsReadBack(t *testing.T) {
	end := time.Now().UTC()
	dir := t.TempDir()
	path := generate.StdoutPath(dir, generate.LayoutDocker)
	if _, err := generate.WriteStdout(path, generate.StdoutConfig{
		Config:  generate.Config{Seed: 4, APIs: 2, Instances: 2, Records: 60, Start: end.Add(-time.Hour), End: end, Bodies: true},
		Console: generate.Console{Wrapper: generate.WrapDocker}, LongEvery: 4, NoiseEvery: 3, Interleave: true,
	}); err != nil {
		t.Fatal(err)
	}
	files, _ := DiscoverWith(dir, Options{})
	n := 0
	_, err := ReadFile(files[0], Options{}, func(tx model.Transaction) {
		n++
		raw, err := ReadRecord(tx.File, tx.Offset, tx.Length, LayoutAuto)
		if err != nil {
			t.Fatalf("%s: %v", tx.UUID, err)
		}
		d, err := ParseDetail(raw)
		if err != nil || d.UUID != tx.UUID || d.BodiesOmitted {
			t.Fatalf("%s: detail %q %v, bodies still there: %v", tx.UUID, d.UUID, err, d.BodiesOmitted)
		}
		if strings.Contains(string(raw), "request_body\"") || strings.Contains(string(raw), "response_body\"") {
			t.Fatalf("bodies not stripped: %.200s", raw)
		}
	})
	if err != nil || n != 60 {
		t.Fatalf("read %d: %v", n, err)
	}
}

func TestStdoutBadInput(t *testing.T) {
	dir := t.TempDir()
	now := time.Now().UTC()
	rec := `{"uuid":"u1","date_epoch":` + itoa(now.Add(-time.Minute).UnixMicro()) + `,"api":"a"}`
	lines := []string{
		"fw.api-a.transaction:1:" + itoa(int64(len(rec))) + ":0 [d] [m:l] [p:t] " + rec, // good
		"fw.api-a.transaction:2:99:0 [d] [m:l] [p:t] " + rec,                            // length mismatch
		"fw.api-a.transaction:3:20:2 tail of nothing",                                   // orphan chunk
		"fw.api-a.transaction:4:9:0 [d] [m:l] [p:t] {broken}",                           // bad JSON
		"fw.vh-1.access:1:3:0 [d] [m:l] [p:t] GET",                                      // not a transaction: ignored
		"random console text", // ignored
		"fw.api-a.transaction:5:30:1 [d] [m:l] [p:t] {\"uuid\":\"u", // never completed: pending at EOF
	}
	path := filepath.Join(dir, "fw.stdout.log")
	writeFile(t, path, strings.Join(lines, "\n")+"\n")
	files, _ := DiscoverWith(dir, Options{})
	ids, res := readAllUUIDs(t, files[0], Options{})
	if strings.Join(ids, ",") != "u1" {
		t.Fatalf("ids %v", ids)
	}
	var got []int
	for _, b := range res.Bad {
		got = append(got, b.Line)
	}
	if len(got) != 3 || got[0] != 2 || got[1] != 3 || got[2] != 4 {
		t.Fatalf("bad lines %v: %+v", got, res.Bad)
	}
	raw, err := ReadRecord(path, 0, int32(len(lines[0])), LayoutStdout)
	if err != nil || string(raw) != rec {
		t.Fatalf("read back %q %v", raw, err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
}
