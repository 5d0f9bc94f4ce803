package ingest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apifw/monitor/pkg/generate"
	"github.com/apifw/monitor/pkg/model"
)

// recordSeeds are record lines for the parser fuzz targets: real samples
// when present, generated records, and shapes that probe the edges.
func recordSeeds(f *testing.F) [][]byte {
	seeds := [][]byte{
		[]byte(`{"uuid":"u1","date_epoch":1708435479176141,"api":"a","errors":[{"step":"s","depth":1}],"non_blocking_mode":true,"status":403}`),
		[]byte(`{"uuid":"u2","date_rfc8601":"2024-02-21T08:31:22.128004+0000","duration":"12"}`),
		[]byte(`{"uuid":"u3","date_epoch":1.7e15,"pod":null,"errors":null}`),
		[]byte(`{"uuid":"u4","date_epoch":1708435479,"pod":"x"}`),
		[]byte(`{"uuid":"u5","date_epoch":1708435479,"pod":{"instance_name":"a"},"pod":{"ip":"b"}}`),
		[]byte(`{"uuid":"u6","date_epoch":"1708435479","status":"2e2","blocking_level":-1,"non_blocking_mode":"1"}`),
		[]byte(`{"u\u0075id":"u7","date_epoch":1708435479,"uri_path":"/\ud800x\u00e9\"","errors":[null,{"step":null,"message":"m"}]}`),
		[]byte("{\"uuid\":\"u8\",\"date_epoch\":1708435479,\"uri_path\":\"/\xff\xfe\"}"),
		[]byte(`{"uuid":"u9","date_epoch":1708435479,"errors":[1]}`),
		[]byte(`{"uuid":"u10","date_epoch":1708435479,"traces":[[[[[]]]]],"x":[1,-0.5e+3,true,false,null,{"":""}]}`),
		[]byte(` {"uuid":"u11","date_epoch":1708435479} ` + "\t"),
		[]byte(`{"uuid":"u12","date_epoch":1708435479}x`),
		[]byte(`{"uuid":"u13","date_epoch":01}`),
		[]byte("\x00\xff{"),
		[]byte(`[]`),
	}
	if b, err := os.ReadFile(filepath.Join(realData, "SimpleAPI-Demo", "old.api-3bb72c9b-e45e-4b86-af95-e2ebf10063ec.transaction.log")); err == nil {
		seeds = append(seeds, bytes.Split(bytes.TrimSpace(b), []byte{'\n'})...)
	}
	src, err := generate.NewSource(generate.Config{Seed: 1, APIs: 2, Instances: 2, Bodies: true})
	if err != nil {
		f.Fatal(err)
	}
	for i := 0; i < 12; i++ {
		seeds = append(seeds, src.Next(fixedNow().Add(-time.Duration(i)*time.Hour), 0).JSON)
	}
	return seeds
}

func FuzzParseRecord(f *testing.F) {
	for _, s := range recordSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		tx, err := ParseRecord(line, Options{Now: fixedNow})
		if err == nil && tx.UUID == "" {
			t.Fatalf("accepted a record without uuid: %q", line)
		}
	})
}

// FuzzFastParserMatchesReference: the hand-written parser and the
// encoding/json decoder accept the same lines and extract the same values,
// with the default and with moved JSON paths.
func FuzzFastParserMatchesReference(f *testing.F) {
	for _, s := range recordSeeds(f) {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Add([]byte(`{"meta":{"id":"x","when":1708435479},"req":{"ip":"1.2.3.4"},"problems":[{"kind":{"name":"k"},"text":"t"}]}`), true)
	moved := Options{Now: fixedNow, Paths: JSONPaths{UUID: "meta.id", DateEpoch: "meta.when", SourceIP: "req.ip",
		Instance: "meta.pod.name", Errors: "problems", ErrorStep: "kind.name", ErrorMessage: "text"}}
	f.Fuzz(func(t *testing.T, line []byte, movedPaths bool) {
		opts := Options{Now: fixedNow}
		if movedPaths {
			opts = moved
		}
		cfg, err := newParserConfig(opts)
		if err != nil {
			t.Fatal(err)
		}
		p := newRecordParser(cfg)
		var fast model.Transaction
		ferr := p.parse(line, false, &fast)
		ref, rerr := parseRecordReference(line, opts, false)
		if (ferr == nil) != (rerr == nil) {
			t.Fatalf("fast error %v, reference error %v for %q", ferr, rerr, line)
		}
		if ferr == nil {
			if d := sameTransaction(fast, ref); d != "" {
				t.Fatalf("%q\n%s", line, d)
			}
		}
		if errors.Is(ferr, ErrNotTransaction) != errors.Is(rerr, ErrNotTransaction) && ferr != nil && rerr != nil {
			var te *typeError
			if !errors.As(ferr, &te) { // a type error may be found before the missing uuid
				t.Fatalf("fast %v, reference %v", ferr, rerr)
			}
		}
	})
}

// FuzzValidJSON: the scanner accepts exactly what encoding/json accepts.
func FuzzValidJSON(f *testing.F) {
	for _, s := range recordSeeds(f) {
		f.Add(s)
	}
	f.Add([]byte(strings.Repeat("[", 10001) + strings.Repeat("]", 10001)))
	f.Add([]byte(strings.Repeat("[", 10000) + strings.Repeat("]", 10000)))
	f.Add([]byte(`"\u12"`))
	f.Add([]byte(`1e`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := validJSON(b) == nil, json.Valid(b); got != want {
			t.Fatalf("validJSON %v, json.Valid %v for %q", got, want, b)
		}
	})
}

func FuzzReadFile(f *testing.F) {
	f.Add([]byte(`{"uuid":"a","date_epoch":1708435479176141}`+"\n"+`{"uuid":"b",`+"\n"), false)
	f.Add([]byte("\n\n\r\n{}"), true)
	f.Add([]byte("fw.api-a.transaction:1:2:0 [d] [m:l] [p:t] {}\n"), true)
	f.Fuzz(func(t *testing.T, content []byte, stdout bool) {
		path := filepath.Join(t.TempDir(), "api-x.transaction.log")
		if err := os.WriteFile(path, content, 0o644); err != nil {
			t.Fatal(err)
		}
		layout := LayoutNDJSON
		if stdout {
			layout = LayoutStdout
		}
		n := 0
		res, err := ReadFile(SourceFile{Path: path, Instance: "i", Kind: KindTransactions, Layout: layout}, Options{Now: fixedNow}, func(tx model.Transaction) {
			n++
			if tx.Offset < 0 || tx.Length <= 0 || tx.Offset+int64(tx.Length) > int64(len(content)) {
				t.Fatalf("position %d+%d outside the file", tx.Offset, tx.Length)
			}
			if _, err := ReadRecord(path, tx.Offset, tx.Length, layout); err != nil {
				t.Fatalf("record %s not read back: %v", tx.UUID, err)
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		if n != res.Records {
			t.Fatalf("emitted %d, counted %d", n, res.Records)
		}
		for _, b := range res.Bad {
			if b.Line < 1 || b.File != path {
				t.Fatalf("bad record without position: %+v", b)
			}
		}
	})
}

// FuzzStdoutLines feeds arbitrary console lines through unwrapping, joining
// and reassembly: no panic, and every message has the length it declared.
func FuzzStdoutLines(f *testing.F) {
	f.Add([]byte("fw.api-a.transaction:1:4:1 [d] [m:l] [p:t] ab\nfw.api-a.transaction:1:4:2 cd\n"))
	f.Add([]byte(`{"log":"fw.unknown.transaction:7:2:0 [d] [m:l] [p:t] {}\n","stream":"stdout"}` + "\n"))
	f.Add([]byte("2024-02-21T08:31:22.128004Z stdout P fw.api-a.transaction:1:2:0 [d] [m:l] [p:t] {\n2024-02-21T08:31:22.128004Z stdout F }\n"))
	f.Add([]byte("x:1:1:0 a\n:::\n1:2:3:4\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var s stdoutReader
		off := int64(0)
		for line, l := range bytes.Split(data, []byte{'\n'}) {
			s.consume(l, off, line+1, func(m stdoutMessage) {
				if m.offset > off || m.end < m.offset || m.end > int64(len(data)) {
					t.Fatalf("message position %d..%d at line offset %d", m.offset, m.end, off)
				}
			}, func(int64, int, string) {})
			off += int64(len(l)) + 1
		}
	})
}

// FuzzReassembly: chunks in any order never produce a message whose length
// differs from what its prefix declared.
func FuzzReassembly(f *testing.F) {
	f.Add([]byte{1, 1, 4, 1, 2, 1, 4, 2, 2}, []byte("abcdefgh"))
	f.Fuzz(func(t *testing.T, plan []byte, text []byte) {
		var r reassembler
		for i := 0; i+3 < len(plan); i += 4 {
			n := int(plan[i+3]) % (len(text) + 1)
			l := fwLine{source: []byte{'s', plan[i] % 3}, counter: uint64(plan[i+1] % 4), length: int(plan[i+2]) % 16,
				split: int(plan[i+3]) % 4, message: text[:n]}
			out, msg, _, _, _ := r.add(l, int64(i), i)
			if out == chunkComplete && len(msg) != l.length {
				t.Fatalf("message of %d bytes, declared %d", len(msg), l.length)
			}
		}
	})
}

// FuzzDockerWrapper: the json-file unwrapper agrees with encoding/json on
// the log text.
func FuzzDockerWrapper(f *testing.F) {
	f.Add([]byte(`{"log":"a\n","stream":"stdout","time":"2024-02-21T08:31:22Z"}`))
	f.Add([]byte(`{"log":"\u00e9\ud800\"x","stream":"stderr"}`))
	f.Add([]byte(`{"stream":"stdout","log":"a","log":"b\n"}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		if len(line) == 0 || line[0] != '{' {
			return
		}
		cl, _, err := unwrapDocker(line, nil)
		var ref map[string]any
		jerr := json.Unmarshal(line, &ref)
		logText, isString := ref["log"].(string)
		if jerr != nil || !isString {
			if err == nil {
				t.Fatalf("accepted %q (json: %v)", line, jerr)
			}
			return
		}
		if err != nil {
			t.Fatalf("rejected %q: %v", line, err)
		}
		want := strings.TrimSuffix(logText, "\n")
		if !cl.partial {
			want = strings.TrimSuffix(want, "\r")
		}
		if string(cl.text) != want || cl.partial == strings.HasSuffix(logText, "\n") {
			t.Fatalf("text %q partial %v, want %q", cl.text, cl.partial, want)
		}
	})
}

// FuzzCRIWrapper: a CRI line is recognised only with its time, stream and
// tag, and its text is the rest of the line.
func FuzzCRIWrapper(f *testing.F) {
	f.Add([]byte("2024-02-21T08:31:22.128004Z stdout F text"))
	f.Add([]byte("2024-02-21T08:31:22.128004Z stderr P:x text"))
	f.Add([]byte("2024-02-21T08:31:22Z stdout F"))
	f.Fuzz(func(t *testing.T, line []byte) {
		cl, ok := unwrapCRI(line)
		if !ok {
			return
		}
		if !bytes.HasSuffix(line, cl.text) || cl.stream == streamPlain {
			t.Fatalf("%q: text %q stream %d", line, cl.text, cl.stream)
		}
		if !bytes.Contains(line, []byte(" stdout ")) && !bytes.Contains(line, []byte(" stderr ")) {
			t.Fatalf("%q recognised without a stream", line)
		}
	})
}

// FuzzStripBodies: the result is valid JSON without body keys and keeps
// every other key.
func FuzzStripBodies(f *testing.F) {
	for _, s := range recordSeeds(f) {
		f.Add(s)
	}
	f.Add([]byte(`{"request_body":"c2VjcmV0","a":1,"response_body":{"x":[1]},"b":"\u0072equest_body"}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		out, err := StripBodies(raw)
		if err != nil {
			return
		}
		var got, orig map[string]json.RawMessage
		if json.Unmarshal(out, &got) != nil || json.Unmarshal(raw, &orig) != nil {
			t.Fatalf("not an object after stripping: %q", out)
		}
		for k := range got {
			if contains(bodyKeys, k) {
				t.Fatalf("%s kept in %q", k, out)
			}
		}
		for k := range orig {
			if _, ok := got[k]; !ok && !contains(bodyKeys, k) {
				t.Fatalf("%s lost in %q", k, out)
			}
		}
	})
}

// FuzzParseDetail: any input is decoded or refused, never a panic, and a
// decoded detail has its uuid.
func FuzzParseDetail(f *testing.F) {
	for _, s := range recordSeeds(f) {
		f.Add(s)
	}
	f.Add([]byte(`{"uuid":"u","params":{"request_header":{"Host":"h","X":1}},"traces":[{"step":"s","date_epoch":"1708435479176141"}]}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		d, err := ParseDetail(raw)
		if err == nil && d.UUID == "" {
			t.Fatalf("detail without uuid from %q", raw)
		}
	})
}

// readLines is a helper for tests that look at generated files.
func readLines(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 4<<20)
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	return out
}
