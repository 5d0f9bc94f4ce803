package query

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/apifw/monitor/pkg/index"
	"github.com/apifw/monitor/pkg/model"
)

func TestLogSource(t *testing.T) {
	root := filepath.FromSlash("/var/log/apifw")
	fw1 := filepath.Join(root, "fw-01")
	for _, tc := range []struct{ path, want string }{
		{"", ""},
		{filepath.Join(fw1, "api-3bb72c9b-e45e-4b86-af95-e2ebf10063ec.transaction.log"), fw1},
		{filepath.Join(fw1, "api-unknown.transaction.log"), fw1},
		{filepath.Join(fw1, "api-3bb72c9b-e45e-4b86-af95-e2ebf10063ec.transaction.log.1"), fw1},
		{filepath.Join(fw1, "old.api-3bb72c9b-e45e-4b86-af95-e2ebf10063ec.transaction.log"), fw1},
		{filepath.Join(fw1, "api-3bb72c9b-e45e-4b86-af95-e2ebf10063ec.transaction.log-20240221.gz"), fw1},
		// A captured STDOUT file is its own source.
		{filepath.FromSlash("/var/lib/docker/containers/abc/abc-json.log"), filepath.FromSlash("/var/lib/docker/containers/abc/abc-json.log")},
		{filepath.FromSlash("/captures/fw-02.stdout.log"), filepath.FromSlash("/captures/fw-02.stdout.log")},
	} {
		if got := LogSource(tc.path); got != tc.want {
			t.Errorf("LogSource(%q) = %q, want %q", tc.path, got, tc.want)
		}
	}
}

// The instances query names each instance's sources: its folder once, however
// many API files and rotated copies it wrote, and STDOUT captures by file.
func TestInstancesSources(t *testing.T) {
	s := index.NewStore()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	fw1 := filepath.FromSlash("/logs/fw-01")
	files := []string{
		filepath.Join(fw1, "api-a1.transaction.log"),
		filepath.Join(fw1, "api-a1.transaction.log.1"),
		filepath.Join(fw1, "api-a2.transaction.log"),
		filepath.Join(fw1, "api-unknown.transaction.log"),
		filepath.FromSlash("/captures/fw-02.log"),
	}
	var txs []model.Transaction
	for k, f := range files {
		inst := "fw-01"
		if k == len(files)-1 {
			inst = "fw-02"
		}
		txs = append(txs, model.Transaction{UUID: "u" + string(rune('a'+k)), Time: t0.Add(time.Duration(k) * time.Second),
			Instance: inst, APIID: "a1", File: f, FileID: uint32(k + 1), Outcome: model.OutcomeAllowed})
	}
	s.Append(txs)
	e := &Engine{Store: s, Now: func() time.Time { return t0.Add(time.Minute) }}
	res, err := e.Instances(context.Background(), Query{}, TimeRange{From: t0, To: t0.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, r := range res.Rows {
		got[r.Name] = r.Sources
	}
	want := map[string][]string{"fw-01": {fw1}, "fw-02": {filepath.FromSlash("/captures/fw-02.log")}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("sources %v, want %v", got, want)
	}
}
