package reports

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apifw/monitor/pkg/model"
)

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

const (
	idA = "11111111-1111-4111-8111-111111111111"
	idB = "22222222-2222-4222-8222-222222222222"
	idC = "33333333-3333-4333-8333-333333333333"
	idD = "44444444-4444-4444-8444-444444444444"
)

func audit(apiID, name string, score float64) string {
	return `{"apiId":"` + apiID + `","score":` + ftoa(score) + `,"valid":true,"summary":{"apiName":"` + name + `"},"data":{"score":0},"security":{"score":0}}`
}

func ftoa(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func fixtureRoots(t *testing.T) (string, string) {
	a, b := t.TempDir(), t.TempDir()
	write(t, filepath.Join(a, "inventory.yaml"), `
collections: [{id: c1, name: Payments}]
teams: [{id: t1, name: Core, users: [alice, bob]}]
apis:
  - {id: `+idA+`, name: Pets, collection: c1, team: t1, tags: [pci]}
  - {id: `+idC+`, name: Cats, match: ["ci/cats/**"]}
  - {id: `+idD+`, name: Dogs}
`)
	// Mapped by the id inside, dated by the file name.
	write(t, filepath.Join(a, "audit-2026-01-01.json"), audit(idA, "", 50))
	write(t, filepath.Join(a, "audit-2026-01-05.json"), audit(idA, "", 80))
	// A copy of the same report, elsewhere: counted once.
	write(t, filepath.Join(b, "copies", "audit-2026-01-05.json"), audit(idA, "", 80))
	// Mapped by the UUID in the path, dated by the envelope.
	write(t, filepath.Join(b, idB, "scan.json"), `{"tid":"t","cid":"c9","date":"2026-01-03T00:00:00Z","data":{"scanReportVersion":"2.2.1","summary":{"totalRequest":4},"paths":{}}}`)
	// Mapped by the inventory's match pattern, dated by the file's time.
	write(t, filepath.Join(b, "ci", "cats", "report.json"), audit("", "", 30))
	if err := os.Chtimes(filepath.Join(b, "ci", "cats", "report.json"), time.Time{}, time.Date(2026, 1, 4, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	// Mapped by the API name the report gives.
	write(t, filepath.Join(b, "dogs-2026-01-02.json"), audit("", "dogs", 95))
	// Cannot be placed; malformed; not a report; not JSON at all.
	write(t, filepath.Join(b, "orphan-2026-01-02.json"), audit("", "Nobody", 10))
	write(t, filepath.Join(b, "broken.json"), `{"score": 12, "data": {`)
	write(t, filepath.Join(b, "package.json"), `{"name":"x"}`)
	write(t, filepath.Join(b, "notes.txt"), "hello")
	if err := os.Symlink(filepath.Join(a, "audit-2026-01-01.json"), filepath.Join(b, "link.json")); err != nil {
		t.Fatal(err)
	}
	return a, b
}

func TestStoreLoadsMapsAndReports(t *testing.T) {
	a, b := fixtureRoots(t)
	s := NewStore(Config{Roots: []string{a, b, filepath.Join(a, "missing")}, MinRefresh: time.Nanosecond})
	st := s.Refresh()
	if st.Audits != 5 || st.Scans != 1 || st.Duplicates != 1 || st.Inventories != 1 || st.BadFiles != 1 ||
		st.Unmapped != 1 || st.Unrecognised != 1 || len(st.Skipped) != 1 {
		t.Fatalf("status %+v", st)
	}
	if st.BadExamples[0].File != filepath.Join(b, "broken.json") || !strings.Contains(st.BadExamples[0].Reason, "invalid JSON") {
		t.Errorf("bad %+v", st.BadExamples)
	}
	if st.UnmappedExamples[0].File != filepath.Join(b, "orphan-2026-01-02.json") {
		t.Errorf("unmapped %+v", st.UnmappedExamples)
	}
	if st.Roots[0].Files != 3 || st.Roots[1].Files != 5 || st.Roots[2].Error != "directory does not exist" {
		t.Errorf("roots %+v", st.Roots)
	}
	snap := s.Snapshot()
	type placed struct {
		api, mappedBy, dateFrom string
		day                     int
	}
	var got []placed
	for _, r := range snap.Audits {
		got = append(got, placed{r.APIID, r.Origin.MappedBy, r.Origin.DateFrom, r.Time.Day()})
	}
	want := []placed{
		{idA, model.FromReport, model.FromFileName, 1},
		{idD, model.FromAPIName, model.FromFileName, 2},
		{"unmapped:orphan-2026-01-02.json", model.FromUnmapped, model.FromFileName, 2},
		{idC, model.FromInventory, model.FromFileTime, 4},
		{idA, model.FromReport, model.FromFileName, 5},
	}
	if len(got) != len(want) {
		t.Fatalf("audits %+v", got)
	}
	for i, w := range want {
		if got[i] != w {
			t.Errorf("audit %d: %+v, want %+v", i, got[i], w)
		}
	}
	if sc := snap.Scans[0]; sc.APIID != idB || sc.Origin.MappedBy != model.FromFileName || !sc.Time.Equal(time.Date(2026, 1, 3, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("scan %+v", sc.ReportRef)
	}
	if api := snap.APIs[idA]; api.Name != "Pets" || api.Collection != "Payments" || api.Team != "Core" || !api.InInventory {
		t.Errorf("api A %+v", api)
	}
	// An API known only from reports takes the envelope's collection.
	if api := snap.APIs[idB]; api.CollectionID != "c9" || api.InInventory {
		t.Errorf("api B %+v", api)
	}
	// The report nothing placed is shown under its own API, named by its title.
	if api := snap.APIs["unmapped:orphan-2026-01-02.json"]; api == nil || api.Name != "Nobody" || !api.Unmapped ||
		!strings.Contains(api.MappingHint, `"orphan-2026-01-02.json"`) || !strings.Contains(api.MappingHint, "match") {
		t.Errorf("unmapped api %+v", api)
	}
	if len(snap.APIs) != 5 || len(snap.Collections) != 2 || len(snap.Teams) != 1 || len(snap.Users) != 2 {
		t.Errorf("catalogue %d APIs %v %v %v", len(snap.APIs), snap.Collections, snap.Teams, snap.Users)
	}
}

func TestStoreRefreshIsIdempotentAndFollowsChanges(t *testing.T) {
	a, b := fixtureRoots(t)
	s := NewStore(Config{Roots: []string{a, b}, MinRefresh: time.Nanosecond})
	first := s.Refresh()
	before := s.Snapshot()
	// Re-reading the same files changes nothing.
	again := s.Refresh()
	if again.Audits != first.Audits || s.Snapshot() != before {
		t.Fatalf("second refresh: %+v", again)
	}
	// Touching a file makes it re-read; the history keeps the same records.
	later := time.Now().Add(time.Minute)
	if err := os.Chtimes(filepath.Join(a, "audit-2026-01-01.json"), later, later); err != nil {
		t.Fatal(err)
	}
	if st := s.Refresh(); st.Audits != first.Audits || s.Snapshot() == before {
		t.Fatalf("after touch: %+v", st)
	}
	// Fixing the broken file adds its report; removing one drops it.
	write(t, filepath.Join(b, "broken.json"), audit(idB, "", 12))
	if err := os.Remove(filepath.Join(a, "audit-2026-01-05.json")); err != nil {
		t.Fatal(err)
	}
	st := s.Refresh()
	if st.BadFiles != 0 || st.Audits != first.Audits+1-0 || st.Duplicates != 0 {
		t.Fatalf("after changes: %+v (first %+v)", st, first)
	}
}

func TestStoreFollowsALinkedRootAndSniffsContent(t *testing.T) {
	target := t.TempDir()
	write(t, filepath.Join(target, "reports", "audit-2026-01-09"), audit(idA, "", 70)) // no extension: read for its content
	write(t, filepath.Join(target, "reports", "picture.png"), "\x89PNG\r\n\x1a\n")     // not JSON: ignored quietly
	write(t, filepath.Join(target, "reports", "big.json"), `{"score":1,"valid":true}`+strings.Repeat(" ", 2048))
	link := filepath.Join(t.TempDir(), "reports-link")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	s := NewStore(Config{Roots: []string{link}, MinRefresh: time.Nanosecond, MaxFileSize: 1024})
	st := s.Refresh()
	if st.Audits != 1 || st.Unrecognised != 0 || st.BadFiles != 1 || !strings.Contains(st.BadExamples[0].Reason, "larger than 1024 bytes") {
		t.Fatalf("status %+v", st)
	}
	a := s.Snapshot().Audits[0]
	if a.Origin.File != filepath.Join(link, "reports", "audit-2026-01-09") || a.Origin.RelPath != "reports/audit-2026-01-09" || a.Time.Day() != 9 {
		t.Errorf("origin %+v time %v", a.Origin, a.Time)
	}
}

// Unmapped reports of the same file, or with the same fileId, form one history.
func TestUnmappedReportsFormOneHistory(t *testing.T) {
	root := t.TempDir()
	withFileID := func(fileID string, score float64) string {
		return `{"score":` + ftoa(score) + `,"valid":true,"apiId":"","fileId":"` + fileID + `","data":{"score":50},"security":{"score":20}}`
	}
	write(t, filepath.Join(root, "ci", "run1", "audit-2026-01-01.json"), withFileID("f-1", 40))
	write(t, filepath.Join(root, "ci", "run2", "audit-2026-01-02.json"), withFileID("f-1", 60))
	write(t, filepath.Join(root, "graphql-report.json"), `{"score":-2,"valid":true,"issues":{}}`)
	s := NewStore(Config{Roots: []string{root}, MinRefresh: time.Nanosecond})
	st := s.Refresh()
	if st.Audits != 3 || st.Unmapped != 3 || st.APIs != 2 {
		t.Fatalf("status %+v", st)
	}
	snap := s.Snapshot()
	if a := snap.APIs["unmapped:f-1"]; a == nil || a.Name != "f-1" || !a.Unmapped {
		t.Fatalf("by fileId %+v", a)
	}
	if a := snap.APIs["unmapped:graphql-report.json"]; a == nil || a.Name != "graphql-report.json" {
		t.Fatalf("by path %+v", a)
	}
	n := 0
	for _, a := range snap.Audits {
		if a.APIID == "unmapped:f-1" {
			n++
		}
	}
	if n != 2 {
		t.Errorf("fileId history %d", n)
	}
}
