package ingest

import (
	"compress/gzip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apifw/monitor/pkg/generate"
	"github.com/apifw/monitor/pkg/model"
)

// realData is the shared folder of real firewall samples; tests that need it
// skip when it is absent (it is never copied into the repository).
const realData = "../../../shared/realdata/firewall"

func TestRealSamplesIndexExactly(t *testing.T) {
	if _, err := os.Stat(realData); err != nil {
		t.Skip("../shared/realdata not present")
	}
	files, rep := Discover(realData)
	if rep.Error != "" {
		t.Fatal(rep.Error)
	}
	if got := strings.Join(rep.Instances, ","); got != "SimpleAPI-Demo" {
		t.Fatalf("instances = %q", got)
	}
	// error.log and the access log of SimpleAPI-Demo, the error log of Local-Firewall (with transactions).
	if rep.TransactionFiles != 2 || rep.OtherLogFiles != 3 || rep.ErrorLogsWithTransactions != 1 {
		t.Fatalf("files: %+v", rep)
	}
	var txs []model.Transaction
	for _, f := range files {
		res, err := ReadFile(f, ParseOptions{}, func(tx model.Transaction) { txs = append(txs, tx) })
		if err != nil || len(res.Bad) != 0 || res.Pending {
			t.Fatalf("%s: %v %+v", f.Path, err, res)
		}
	}
	if len(txs) != 11 {
		t.Fatalf("records = %d, want 11", len(txs))
	}
	first := txs[0]
	if first.UUID != "2502a8cc-e008-4e44-aa27-1a800ef0da61" || first.Line != 1 || first.Offset != 0 ||
		first.Time.UnixMicro() != 1708435479176141 || first.Outcome != model.OutcomeWouldBlock ||
		first.Instance != "SimpleAPI-Demo" || first.Path != "/api/admin/all_users" || first.DurationUS != 218398 {
		t.Fatalf("first record: %+v", first)
	}
	for _, tx := range txs {
		if tx.Outcome != model.OutcomeWouldBlock { // non-blocking mode, every record has an error
			t.Errorf("%s: outcome %s", tx.UUID, tx.Outcome)
		}
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func rec(uuid string, epoch int64) string {
	return `{"uuid":"` + uuid + `","date_epoch":` + itoa(epoch) + `,"api":"a1","pod":{"instance_name":"n/a"},"errors":[]}`
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestReadFileBadInputKeepsTheRest(t *testing.T) {
	dir := t.TempDir()
	base := time.Now().Add(-time.Hour).UnixMicro()
	long := `{"uuid":"big","pad":"` + strings.Repeat("x", MaxLineBytes+10) + `"}`
	content := strings.Join([]string{
		rec("a", base),
		`{"uuid":"b", broken`,
		"\x00\x01\x02 binary junk",
		long,
		"",
		rec("c", base+1),
		`{"uuid":"d","date_epoch":99999999999999999}`, // year 5138 in µs: implausible
		rec("e", base+2),
	}, "\n") + "\n" + `{"uuid":"partial","date_ep`
	path := filepath.Join(dir, "fw-1", "api-a1.transaction.log")
	writeFile(t, path, content)

	files, rep := Discover(dir)
	if len(files) != 1 || rep.Instances[0] != "fw-1" {
		t.Fatalf("discover: %+v %+v", files, rep)
	}
	var got []string
	res, err := ReadFile(files[0], ParseOptions{}, func(tx model.Transaction) {
		got = append(got, tx.UUID+"@"+itoa(int64(tx.Line)))
		if tx.Instance != "fw-1" {
			t.Errorf("instance fallback: %q", tx.Instance)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, ",") != "a@1,c@6,e@8" {
		t.Fatalf("records: %v", got)
	}
	if !res.Pending {
		t.Error("partial last line not reported as pending")
	}
	var lines []int
	for _, b := range res.Bad {
		lines = append(lines, b.Line)
		if b.File != path {
			t.Errorf("bad record file %q", b.File)
		}
	}
	if len(lines) != 4 || lines[0] != 2 || lines[1] != 3 || lines[2] != 4 || lines[3] != 7 {
		t.Fatalf("bad lines %v (%+v)", lines, res.Bad)
	}
}

func TestReadGzipAndSkipPipes(t *testing.T) {
	dir := t.TempDir()
	base := time.Now().Add(-time.Hour).UnixMicro()
	gzPath := filepath.Join(dir, "fw", "api-a1.transaction.log.1.gz")
	if err := os.MkdirAll(filepath.Dir(gzPath), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(gzPath)
	if err != nil {
		t.Fatal(err)
	}
	zw := gzip.NewWriter(f)
	_, _ = zw.Write([]byte(rec("g1", base) + "\n" + rec("g2", base+1))) // finished archive, no final newline
	_ = zw.Close()
	_ = f.Close()
	mkfifo(t, filepath.Join(dir, "fw", "api-a2.transaction.log"))
	files, rep := Discover(dir)
	if len(files) != 1 || len(rep.Skipped) != 1 {
		t.Fatalf("files %+v report %+v", files, rep)
	}
	n := 0
	res, err := ReadFile(files[0], ParseOptions{}, func(model.Transaction) { n++ })
	if err != nil || n != 2 || res.Pending {
		t.Fatalf("n=%d err=%v res=%+v", n, err, res)
	}
}

func TestDiscoverErrors(t *testing.T) {
	dir := t.TempDir()
	if _, rep := Discover(filepath.Join(dir, "missing")); rep.Error != "directory does not exist" {
		t.Errorf("missing: %q", rep.Error)
	}
	file := filepath.Join(dir, "f")
	writeFile(t, file, "x")
	if _, rep := Discover(file); rep.Error != "not a directory" {
		t.Errorf("file: %q", rep.Error)
	}
	if os.Geteuid() != 0 { // root reads through any permission bits
		locked := filepath.Join(dir, "locked")
		_ = os.Mkdir(locked, 0)
		if _, rep := Discover(locked); rep.Error != "permission denied" {
			t.Errorf("locked: %q", rep.Error)
		}
	}
}

func TestRealSamplesEveryKey(t *testing.T) {
	if _, err := os.Stat(realData); err != nil {
		t.Skip("../shared/realdata not present")
	}
	sink := &collectSink{}
	tl := NewTailer([]string{realData}, Options{}, sink, nil)
	mustPoll(t, tl)
	st := tl.Status()
	if st.Records != 11 || st.BadRecords != 0 || st.Repaired != 0 || st.PendingFiles != 0 || len(st.Roots[0].Instances) != 1 {
		t.Fatalf("status %+v", st)
	}
	path := filepath.Join(realData, "SimpleAPI-Demo", "old.api-3bb72c9b-e45e-4b86-af95-e2ebf10063ec.transaction.log")
	lines := readLines(t, path)
	for i, tx := range sink.recs {
		if tx.Line != i+1 || tx.File != path || tx.Length != int32(len(lines[i])) {
			t.Fatalf("record %d position %+v", i, tx)
		}
		ref, err := parseRecordReference([]byte(lines[i]), Options{}, false)
		if err != nil {
			t.Fatal(err)
		}
		ref.FileID, ref.File, ref.Line, ref.Offset, ref.Length = tx.FileID, tx.File, tx.Line, tx.Offset, tx.Length
		if d := sameTransaction(tx, ref); d != "" {
			t.Fatalf("line %d:\n%s", i+1, d)
		}
		if tx.BlockingLevel != 1 || !tx.NonBlocking || tx.APIName != "Simple  API_1.0.0" || tx.Hostname != "pixi-secured.42crunch.test" ||
			tx.Method == "" || tx.Status == 0 || tx.ClientIP != "192.168.228.1" || len(tx.Errors) == 0 || tx.Errors[len(tx.Errors)-1].Message == "" {
			t.Fatalf("line %d: %+v", i+1, tx)
		}
		raw, err := ReadRecord(path, tx.Offset, tx.Length, LayoutNDJSON)
		if err != nil || string(raw) != lines[i] {
			t.Fatalf("line %d read back: %v", i+1, err)
		}
		d, err := ParseDetail(raw)
		if err != nil {
			t.Fatal(err)
		}
		if d.UUID != tx.UUID || !d.Time.Equal(tx.Time) || d.DurationUS != tx.DurationUS || d.Version == "" ||
			d.Instance != "SimpleAPI-Demo" || d.Namespace != "n/a" || d.SourcePort == 0 || d.DestinationPort != 443 ||
			d.Protocol != "HTTP/1.1" || d.URIPath != tx.Path || d.Operation != tx.Operation || d.BlockingLevel != 1 ||
			d.ResponseBodySize < 0 || d.RequestBodySize < 0 || d.BodiesOmitted || len(d.Problems) > 0 {
			t.Fatalf("line %d detail %+v", i+1, d)
		}
		if len(d.Traces) != 6 || d.Traces[0].Step != "request_fetching" || d.Traces[5].Step != "response_flushing" {
			t.Fatalf("line %d traces %+v", i+1, d.Traces)
		}
		for _, s := range d.Traces {
			if s.Time.Before(tx.Time) || s.DurationUS <= 0 || s.Depth != 1 {
				t.Fatalf("line %d step %+v", i+1, s)
			}
		}
		if len(d.RequestHeaders) < 5 || len(d.ResponseHeaders) == 0 || d.RequestHeaders[0].Name == "" {
			t.Fatalf("line %d headers %+v / %+v", i+1, d.RequestHeaders, d.ResponseHeaders)
		}
		if len(d.Errors) != len(tx.Errors) || len(d.Unknown) != 0 || len(d.Customs) != 0 {
			t.Fatalf("line %d errors %+v unknown %+v customs %+v", i+1, d.Errors, d.Unknown, d.Customs)
		}
	}
}

func TestReadFileLongLines(t *testing.T) {
	dir := t.TempDir()
	base := time.Now().Add(-time.Hour).UnixMicro()
	big := `{"uuid":"big","date_epoch":` + itoa(base) + `,"pad":"` + strings.Repeat("x", 300<<10) + `"}`
	huge := `{"uuid":"huge","pad":"` + strings.Repeat("y", 6<<20) + `"}`
	path := filepath.Join(dir, "fw", "api-a.transaction.log")
	writeFile(t, path, rec("a", base)+"\n"+big+"\n"+huge+"\n"+rec("b", base)+"\n")
	var got []string
	// Size 0: the buffers start small and must grow for the 300 KiB record.
	res, err := ReadFile(SourceFile{Path: path, Instance: "fw", Kind: KindTransactions}, Options{}, func(tx model.Transaction) {
		got = append(got, tx.UUID+"@"+itoa(int64(tx.Line)))
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, ",") != "a@1,big@2,b@4" || len(res.Bad) != 1 || res.Bad[0].Line != 3 {
		t.Fatalf("got %v bad %+v", got, res.Bad)
	}
}

func TestReadFileManyChunks(t *testing.T) {
	root := t.TempDir()
	end := time.Now().UTC()
	gt, err := generate.WriteFiles(root, generate.Config{Seed: 8, APIs: 1, Instances: 1, Records: 9000,
		Start: end.Add(-time.Hour), End: end, TrackUUIDs: true})
	if err != nil {
		t.Fatal(err)
	}
	files, _ := Discover(root)
	for _, workers := range []int{1, 2, 3} {
		var ids []string
		lastLine := map[string]int{}
		for _, f := range files {
			res, err := ReadFile(f, Options{Workers: workers}, func(tx model.Transaction) {
				ids = append(ids, tx.UUID)
				if tx.Line != lastLine[tx.File]+1 {
					t.Fatalf("workers %d: line %d after %d", workers, tx.Line, lastLine[tx.File])
				}
				lastLine[tx.File] = tx.Line
			})
			if err != nil || len(res.Bad) > 0 {
				t.Fatal(err, res.Bad)
			}
		}
		sameMultiset(t, ids, gt.UUIDs)
	}
}
