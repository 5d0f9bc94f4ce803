package ingest

import (
	"strings"
	"testing"
	"time"

	"github.com/apifw/monitor/pkg/model"
)

func TestDetectEpochUnit(t *testing.T) {
	want := time.Date(2024, 2, 20, 13, 24, 39, 0, time.UTC)
	cases := []struct {
		name  string
		value int64
		unit  EpochUnit
	}{
		{"seconds", want.Unix(), EpochSeconds},
		{"milliseconds", want.UnixMilli(), EpochMilliseconds},
		{"microseconds", want.UnixMicro(), EpochMicroseconds},
		{"nanoseconds", want.UnixNano(), EpochNanoseconds},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := DetectEpochUnit(c.value); got != c.unit {
				t.Fatalf("DetectEpochUnit(%d) = %q, want %q", c.value, got, c.unit)
			}
			if got := EpochToTime(c.value, EpochAuto); !got.Equal(want) {
				t.Fatalf("EpochToTime(%d) = %s, want %s", c.value, got, want)
			}
		})
	}
}

func TestParseRecord(t *testing.T) {
	fixed := func() time.Time { return time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC) }
	opts := ParseOptions{Now: fixed}
	cases := []struct {
		name    string
		line    string
		wantErr bool
		check   func(t *testing.T, tx model.Transaction)
	}{
		{
			name: "real-shaped record",
			line: `{"uuid":"u1","date_epoch":1708435479176141,"duration":218398,"pod":{"instance_name":"fw-1"},"api":"a1","api_name":"Simple  API","non_blocking_mode":true,"source_ip":"10.0.0.1","hostname":"h","method":"GET","uri_path":"/x","oas_path":"n/a","status":403,"errors":[{"step":"hostpath_mapping","depth":1,"state":"hostpath_mapping","kdb_token":"n/a","message":"path not defined in OAS"}]}`,
			check: func(t *testing.T, tx model.Transaction) {
				if tx.UUID != "u1" || tx.Instance != "fw-1" || tx.Status != 403 || tx.DurationUS != 218398 || !tx.NonBlocking {
					t.Fatalf("unexpected %+v", tx)
				}
				if tx.Time.UnixMicro() != 1708435479176141 {
					t.Fatalf("time %s", tx.Time)
				}
				if len(tx.Errors) != 1 || tx.Errors[0].Step != "hostpath_mapping" {
					t.Fatalf("errors %+v", tx.Errors)
				}
			},
		},
		{
			name: "rfc date only, no duration",
			line: `{"uuid":"u2","date_rfc8601":"2024-02-21T08:31:22.128004+0000","status":"200"}`,
			check: func(t *testing.T, tx model.Transaction) {
				if tx.Time.UnixMicro() != 1708504282128004 || tx.DurationUS != -1 || tx.Status != 200 {
					t.Fatalf("unexpected %+v", tx)
				}
			},
		},
		{name: "missing uuid", line: `{"date_epoch":1708435479176141}`, wantErr: true},
		{name: "no time", line: `{"uuid":"u3"}`, wantErr: true},
		{name: "far future", line: `{"uuid":"u4","date_epoch":4102444800}`, wantErr: true},
		{name: "truncated JSON", line: `{"uuid":"u5","date_epoch":17084`, wantErr: true},
		{name: "NUL bytes", line: "{\"uuid\":\"u6\",\x00\"date_epoch\":1708435479}", wantErr: true},
		{name: "wrong type for uuid", line: `{"uuid":12,"date_epoch":1708435479}`, wantErr: true},
		{name: "bad boolean", line: `{"uuid":"u7","date_epoch":1708435479,"non_blocking_mode":"maybe"}`, wantErr: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tx, err := ParseRecord([]byte(c.line), opts)
			if c.wantErr {
				if err == nil {
					t.Fatalf("want an error, got %+v", tx)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			c.check(t, tx)
		})
	}
}

func TestClassify(t *testing.T) {
	withErr := []model.TransactionError{{Step: "hostpath_mapping"}}
	cases := []struct {
		name        string
		tx          model.Transaction
		unknownFile bool
		want        model.Outcome
	}{
		{"unknown file", model.Transaction{APIID: "a"}, true, model.OutcomeUnmatched},
		{"api n/a", model.Transaction{APIID: "n/a", Errors: withErr}, false, model.OutcomeUnmatched},
		{"blocked", model.Transaction{APIID: "a", Errors: withErr}, false, model.OutcomeBlocked},
		{"would block", model.Transaction{APIID: "a", Errors: withErr, NonBlocking: true}, false, model.OutcomeWouldBlock},
		{"allowed", model.Transaction{APIID: "a", NonBlocking: true}, false, model.OutcomeAllowed},
	}
	for _, c := range cases {
		if got := Classify(&c.tx, c.unknownFile); got != c.want {
			t.Errorf("%s: got %s want %s", c.name, got, c.want)
		}
	}
}

func TestClassifyFileName(t *testing.T) {
	cases := []struct {
		name string
		kind FileKind
		api  string
	}{
		{"api-3bb72c9b-e45e-4b86-af95-e2ebf10063ec.transaction.log", KindTransactions, "3bb72c9b-e45e-4b86-af95-e2ebf10063ec"},
		{"old.api-3bb72c9b-e45e-4b86-af95-e2ebf10063ec.transaction.log", KindTransactions, "3bb72c9b-e45e-4b86-af95-e2ebf10063ec"},
		{"api-abc.transaction.log.1", KindTransactions, "abc"},
		{"api-abc.transaction.log-20240221.gz", KindTransactions, "abc"},
		{"api-unknown.transaction.log", KindUnknownTransactions, ""},
		{"vh-f1b7ae34-3b0e-47d4-892c-b0cfc129c7fe.access.log", KindAccessLog, ""},
		{"vh-f1b7ae34.error.log", KindErrorLog, ""},
		{"error.log", KindErrorLog, ""},
		{"notes.txt", KindOther, ""},
		{"api-abc.transaction.logger", KindOther, ""},
	}
	for _, c := range cases {
		kind, api := ClassifyFileName(c.name)
		if kind != c.kind || api != c.api {
			t.Errorf("%s: got (%s, %q) want (%s, %q)", c.name, kind, api, c.kind, c.api)
		}
	}
}

// The string scanners run eight bytes at a time and finish byte by byte:
// every special byte (quote, escape, control, ≥ 0x80) at every position
// relative to the words, and strings ending in the last seven bytes of the
// line, must give what a plain byte-by-byte scan gives.
func TestStringScannersAtEveryOffset(t *testing.T) {
	// reference: end just past the closing quote, escaped, high, ok
	ref := func(b []byte, i int) (int, bool, bool, bool) {
		esc, high := false, false
		for i < len(b) {
			switch c := b[i]; {
			case c == '"':
				return i + 1, esc, high, true
			case c == '\\':
				if i+1 >= len(b) {
					return 0, false, false, false
				}
				esc = true
				switch b[i+1] {
				case 'u':
					if i+6 > len(b) || !isHex4(b[i+2:i+6]) {
						return 0, false, false, false
					}
					i += 6
				case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
					i += 2
				default:
					return 0, false, false, false
				}
			case c < 0x20:
				return 0, false, false, false
			default:
				high = high || c >= 0x80
				i++
			}
		}
		return 0, false, false, false
	}
	specials := []string{`"`, `\"`, `\\`, `\u00e9`, "\xc3\xa9", "\xff", "\x01", `\q`, "\t"}
	for _, sp := range specials {
		for pre := 0; pre < 20; pre++ {
			for post := 0; post < 12; post++ {
				for _, tail := range []string{`"`, `", "k": 1}`, ``} {
					s := `"` + strings.Repeat("a", pre) + sp + strings.Repeat("b", post) + tail
					b := []byte(s)
					wantEnd, wantEsc, wantHigh, ok := ref(b, 1)
					end, esc, high, err := scanString(b, 1)
					if (err == nil) != ok || ok && (end != wantEnd || esc != wantEsc || high != wantHigh) {
						t.Fatalf("scanString(%q) = %d %v %v %v, want %d %v %v ok=%v", s, end, esc, high, err, wantEnd, wantEsc, wantHigh, ok)
					}
					send, serr := skipString(b, 1)
					if (serr == nil) != ok || ok && send != wantEnd {
						t.Fatalf("skipString(%q) = %d %v, want %d ok=%v", s, send, serr, wantEnd, ok)
					}
					// As a key and as a value, through both parsers' object loops.
					obj := []byte(`{` + s + `:` + s + `}`)
					if ok && wantEnd == len(b) {
						if _, err := skipObject(obj, 0, 1); err != nil {
							t.Fatalf("skipObject(%q): %v", obj, err)
						}
						if err := validJSON(obj); err != nil {
							t.Fatalf("validJSON(%q): %v", obj, err)
						}
					}
				}
			}
		}
	}
}
