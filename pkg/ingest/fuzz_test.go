package ingest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/apifw/monitor/pkg/model"
)

func FuzzParseRecord(f *testing.F) {
	f.Add([]byte(`{"uuid":"u1","date_epoch":1708435479176141,"api":"a","errors":[{"step":"s","depth":1}],"non_blocking_mode":true,"status":403}`))
	f.Add([]byte(`{"uuid":"u2","date_rfc8601":"2024-02-21T08:31:22.128004+0000","duration":"12"}`))
	f.Add([]byte(`{"uuid":"u3","date_epoch":1.7e15,"pod":null,"errors":null}`))
	f.Add([]byte("\x00\xff{"))
	f.Fuzz(func(t *testing.T, line []byte) {
		tx, err := ParseRecord(line, ParseOptions{})
		if err == nil && tx.UUID == "" {
			t.Fatalf("accepted a record without uuid: %q", line)
		}
	})
}

func FuzzReadFile(f *testing.F) {
	f.Add([]byte(`{"uuid":"a","date_epoch":1708435479176141}` + "\n" + `{"uuid":"b",` + "\n"))
	f.Add([]byte("\n\n\r\n{}"))
	f.Fuzz(func(t *testing.T, content []byte) {
		path := filepath.Join(t.TempDir(), "api-x.transaction.log")
		if err := os.WriteFile(path, content, 0o644); err != nil {
			t.Fatal(err)
		}
		n := 0
		res, err := ReadFile(SourceFile{Path: path, Instance: "i", Kind: KindTransactions}, ParseOptions{}, func(model.Transaction) { n++ })
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
