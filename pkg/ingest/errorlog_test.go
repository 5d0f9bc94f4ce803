package ingest

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// escapeErrorLog is what the firewall's error log does to a message: the
// backslashes doubled, control characters as \n … (the inverse of
// unescapeErrorLog, for generated lines).
func escapeErrorLog(s string) string {
	r := strings.NewReplacer(`\`, `\\`, "\n", `\n`, "\t", `\t`, "\r", `\r`)
	return r.Replace(s)
}

func errorLogLine(uuid, record string) string {
	return `[Tue Dec 05 08:19:25.777231 2023] [guardian:info] [140:140737436687160] [192.168.65.1:29959] transaction.cpp(850): transaction[` +
		uuid + `]: ` + escapeErrorLog(record)
}

func TestUnescapeErrorLog(t *testing.T) {
	cases := map[string]string{
		`{"ETag":"W/\\"{}\\""}`:    `{"ETag":"W/\"{}\""}`,
		`{"a":"x\\\\y"}`:           `{"a":"x\\y"}`,
		`{"a":"line\\nbreak"}`:     `{"a":"line\nbreak"}`,
		`{"a":"caf\xc3\xa9"}`:      "{\"a\":\"caf\u00e9\"}",
		`{"a":"keep \q and \x4"}`:  `{"a":"keep \q and \x4"}`,
		`{"a":"q\"uote"}`:          `{"a":"q"uote"}`,
		`{"a":"tab\there\\tthen"}`: "{\"a\":\"tab\there\\tthen\"}",
	}
	for in, want := range cases {
		if got := string(unescapeErrorLog(nil, []byte(in))); got != want {
			t.Errorf("%s: got %s, want %s", in, got, want)
		}
	}
}

// The real error log (Local-Firewall): 7 lines carry a transaction; the
// other 1 367 lines (including "transaction[…]: log in the API transaction
// log") are not records, and nothing is bad.
func TestRealErrorLogTransactions(t *testing.T) {
	dir := filepath.Join(realData, "Local-Firewall")
	path := filepath.Join(dir, "vh-8341f5c5-559b-4107-9fa6-3fc62707aed8.error.log")
	if _, err := os.Stat(path); err != nil {
		t.Skip("../shared/realdata not present")
	}
	// Off (the default): not read, but the root says it holds transactions.
	off := NewTailer([]string{dir}, Options{}, &collectSink{}, nil)
	mustPoll(t, off)
	if st := off.Status(); st.Records != 0 || st.Roots[0].ErrorLogsWithTransactions != 1 || st.Roots[0].TransactionFiles != 0 {
		t.Fatalf("off: %+v", st.Roots)
	}

	sink := &collectSink{}
	tl := NewTailer([]string{dir}, Options{ErrorLogTransactions: true}, sink, nil)
	mustPoll(t, tl)
	st := tl.Status()
	if st.Records != 7 || st.BadRecords != 0 || st.Roots[0].ErrorLogFiles != 1 || len(st.Roots[0].Instances) != 1 || st.Roots[0].Instances[0] != "Local-Firewall" {
		t.Fatalf("status %+v %+v", st.Roots, st.BadExamples)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	for _, tx := range sink.recs {
		line := lines[tx.Line-1]
		if !strings.Contains(line, "transaction["+tx.UUID+"]: {") || tx.Length != int32(len(line)) || tx.Instance != "Local-Firewall" ||
			tx.APIID != "bc8fa348-89dc-4b1e-9c8f-1b81b725b328" || tx.Time.Year() != 2023 || tx.Method == "" {
			t.Fatalf("record %+v", tx)
		}
		// The trace view reads it back as valid JSON, unescaped.
		raw, err := ReadRecord(path, tx.Offset, tx.Length, LayoutAuto)
		if err != nil {
			t.Fatal(err)
		}
		var obj map[string]any
		if err := json.Unmarshal(raw, &obj); err != nil || obj["uuid"] != tx.UUID {
			t.Fatalf("read back %v %v", err, obj["uuid"])
		}
		if strings.Contains(string(raw), `\\"`) {
			t.Fatalf("still escaped: %s", raw)
		}
	}
}

// Generated: escapes undone, malformed lines and a mismatched id counted as
// bad with file and line, a transaction also in a transaction file kept
// from that file (error logs are read last; the index keeps the first id).
func TestErrorLogGenerated(t *testing.T) {
	root := t.TempDir()
	inst := filepath.Join(root, "fw-1")
	base := time.Now().Add(-time.Hour).UnixMicro()
	withETag := func(uuid string, epoch int64) string {
		return `{"uuid":"` + uuid + `","date_epoch":` + itoa(epoch) + `,"api":"a1","method":"GET","params":{"response_header":[{"ETag":"W/\"{}\""}]},"errors":[]}`
	}
	writeFile(t, filepath.Join(inst, "api-a1.transaction.log"), rec("both", base)+"\n")
	elog := filepath.Join(inst, "vh-1111.error.log")
	content := strings.Join([]string{
		`[Tue Dec 05 08:19:25.765756 2023] [guardian:debug] [140:1] transaction.cpp(625): transaction[e1]: log in the API transaction log`,
		errorLogLine("e1", withETag("e1", base+1)),
		errorLogLine("both", rec("both", base)),
		errorLogLine("e2", `{"uuid":"e2", broken`),
		errorLogLine("e3", rec("other", base+3)),
		`[Tue Dec 05 08:19:26.000000 2023] [core:notice] [pid 1] AH00094: Command line: 'httpd'`,
		errorLogLine("e4", rec("e4", base+4)),
	}, "\n") + "\n"
	writeFile(t, elog, content)
	// The main error.log is never read for transactions.
	writeFile(t, filepath.Join(inst, "error.log"), errorLogLine("m1", rec("m1", base))+"\n")

	sink := &collectSink{}
	tl := NewTailer([]string{root}, Options{ErrorLogTransactions: true}, sink, nil)
	mustPoll(t, tl)
	st := tl.Status()
	got := sink.uuids()
	if strings.Join(got, ",") != "both,e1,both,e4" {
		t.Fatalf("records %v", got)
	}
	if sink.recs[0].File != filepath.Join(inst, "api-a1.transaction.log") || sink.recs[1].File != elog || sink.recs[1].Line != 2 {
		t.Errorf("order or positions %+v", sink.recs[:2])
	}
	if st.BadRecords != 2 || len(st.BadExamples) != 2 {
		t.Fatalf("bad %+v", st.BadExamples)
	}
	if b := st.BadExamples[0]; b.File != elog || b.Line != 4 || !strings.Contains(b.Reason, "transaction[e2]") {
		t.Errorf("malformed %+v", b)
	}
	if b := st.BadExamples[1]; b.File != elog || b.Line != 5 || !strings.Contains(b.Reason, `uuid is "other"`) {
		t.Errorf("mismatch %+v", b)
	}
	raw, err := ReadRecord(elog, sink.recs[1].Offset, sink.recs[1].Length, LayoutErrorLog)
	if err != nil || string(raw) != withETag("e1", base+1) {
		t.Fatalf("read back %s %v", raw, err)
	}
	// Appended lines are read on the next poll, a partial one waits for its newline.
	f, err := os.OpenFile(elog, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	line := errorLogLine("e5", rec("e5", base+5))
	_, _ = f.WriteString(line[:40])
	mustPoll(t, tl)
	_, _ = f.WriteString(line[40:] + "\n")
	f.Close()
	mustPoll(t, tl)
	if got := sink.uuids(); len(got) != 5 || got[4] != "e5" {
		t.Fatalf("after append %v", got)
	}
}
