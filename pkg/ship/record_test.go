package ship

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apifw/monitor/pkg/ingest"
	"github.com/apifw/monitor/pkg/mask"
	"github.com/apifw/monitor/pkg/model"
)

func TestEncodeDecodeMasks(t *testing.T) {
	tx := model.Transaction{UUID: "u1", Time: time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC), DurationUS: 42, Instance: "fw-1",
		APIID: "a", APIName: "A", ClientIP: "10.0.0.1", Method: "GET", Path: "/p", Status: 404, BlockingLevel: -1,
		Errors: []model.TransactionError{{Step: "s1", Message: "m1"}, {Step: "s2", Message: "m2"}}, Outcome: model.OutcomeBlocked, File: "/f"}
	det := &model.TransactionDetail{UUID: "u1", RequestHeaders: []model.Header{{Name: "Authorization", Value: "Bearer x"}, {Name: "Accept", Value: "*/*"}}}
	line := Encode(&tx, det, mask.New(nil), "b:1")
	if strings.Contains(string(line), "Bearer x") {
		t.Fatalf("secret shipped: %s", line)
	}
	var f map[string]string
	if err := json.Unmarshal(line, &f); err != nil {
		t.Fatal(err)
	}
	if f[FieldErrorSteps] != "\ns1\ns2\n" || f[FieldErrorStep] != "s2" || f[FieldStatusClass] != "4xx" || f[FieldBatch] != "b:1" {
		t.Errorf("fields: %v", f)
	}
	back := Decode(f)
	tx.FileID, tx.Line, tx.Offset, tx.Length = 0, 0, 0, 0
	jb, _ := json.Marshal(back)
	jt, _ := json.Marshal(tx)
	if string(jb) != string(jt) {
		t.Errorf("round trip:\n%s\n%s", jb, jt)
	}
}

func TestSpoolCommitsRecordsWithCheckpoint(t *testing.T) {
	dir := t.TempDir()
	s := &Shipper{cfg: Config{SpoolDir: dir}}
	st := ingest.State{Version: 1, Streams: []ingest.StreamState{{ID: 1, Path: "/x", Offset: 99}}}
	if _, err := s.writeSegment(segHeader{Seq: 7, Batch: "h:7", Count: 2, State: st}, [][]byte{[]byte(`{"a":"1"}`), []byte(`{"a":"2"}`)}); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "seg-x.ndjson.tmp"), []byte("half"), 0o600) // a crash mid-write
	segs, cp, err := s.loadSpool()
	if err != nil {
		t.Fatal(err)
	}
	if len(segs) != 1 || segs[0].Count != 2 || cp.Seq != 7 || cp.State.Streams[0].Offset != 99 {
		t.Fatalf("segs %d, checkpoint %+v", len(segs), cp)
	}
	if _, err := os.Stat(filepath.Join(dir, "seg-x.ndjson.tmp")); !os.IsNotExist(err) {
		t.Errorf("temporary file left")
	}
	// The bound drops the oldest segment and counts it.
	s.segs = segs
	s.M.BufBytes.Store(segs[0].bytes)
	s.M.Buffered.Store(2)
	s.cfg.MaxBufferBytes = 1
	s.cfg.Logf = t.Logf
	s.writeSegment(segHeader{Seq: 8, Batch: "h:8", Count: 1, State: st}, [][]byte{[]byte(`{}`)})
	segs, _, _ = s.loadSpool()
	s.segs = segs
	s.M.BufBytes.Store(segs[0].bytes + segs[1].bytes)
	s.enforceBound()
	if s.M.Dropped.Load() != 2 || len(s.segs) != 1 || s.segs[0].Seq != 8 {
		t.Errorf("dropped %d, left %d", s.M.Dropped.Load(), len(s.segs))
	}
}
