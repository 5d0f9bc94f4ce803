package generate

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/apifw/monitor/pkg/model"
	"github.com/apifw/monitor/pkg/reports"
)

func writeTestReports(t *testing.T, dir string, apis int) ReportsTruth {
	t.Helper()
	end := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	gt, err := WriteReports(dir, ReportsConfig{Seed: 7, APIs: apis, Start: end.Add(-60 * 24 * time.Hour), End: end})
	if err != nil {
		t.Fatal(err)
	}
	return gt
}

// The backend reads back exactly what the generator says it wrote.
func TestWriteReportsReadsBackAsTruth(t *testing.T) {
	dir := t.TempDir()
	gt := writeTestReports(t, dir, 6)
	store := reports.NewStore(reports.Config{Roots: []string{dir}})
	st := store.Refresh()
	if st.BadFiles != 0 || st.Unmapped != 0 || st.Unrecognised != 0 || st.Duplicates != 0 || st.Inventories != 1 {
		t.Fatalf("status %+v", st)
	}
	if st.Files != gt.Files {
		t.Errorf("%d files read, %d written", st.Files, gt.Files)
	}
	snap := store.Snapshot()
	if len(snap.Audits) != len(gt.Audits) || len(snap.Scans) != len(gt.Scans) || len(snap.SQGs) != len(gt.SQGs) {
		t.Fatalf("read %d/%d/%d, wrote %d/%d/%d", len(snap.Audits), len(snap.Scans), len(snap.SQGs), len(gt.Audits), len(gt.Scans), len(gt.SQGs))
	}
	formats, mappedBy, datedBy := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for i, want := range gt.Audits {
		got := snap.Audits[i]
		formats[got.Origin.Format], mappedBy[got.Origin.MappedBy], datedBy[got.Origin.DateFrom] = true, true, true
		var counts model.SeverityCounts
		for _, is := range want.Issues {
			counts[is.Criticality] += is.Count
		}
		if got.APIID != want.APIID || !got.Time.Equal(want.Time) || got.Origin.Format != want.Format ||
			!reflect.DeepEqual(got.Score, want.Score) || !reflect.DeepEqual(got.Valid, want.Valid) || got.Counts != counts ||
			got.Origin.RelPath != want.File || len(got.Issues) != len(want.Issues) {
			t.Errorf("audit %d: got %+v\nwant %+v", i, got, want)
		}
	}
	for i, want := range gt.Scans {
		got := snap.Scans[i]
		formats[got.Origin.Format], mappedBy[got.Origin.MappedBy], datedBy[got.Origin.DateFrom] = true, true, true
		if got.APIID != want.APIID || !got.Time.Equal(want.Time) || got.Origin.Format != want.Format || got.Requests != want.Requests ||
			got.RequestsSucceeded != want.Succeeded || got.RequestsFailed != want.Failed || got.Counts != model.SeverityCounts(want.Counts) ||
			got.OperationsExecuted != want.OperationsExecuted || (want.State != "" && got.State != want.State) {
			t.Errorf("scan %d: got %+v\nwant %+v", i, got, want)
		}
	}
	for i, want := range gt.SQGs {
		got := snap.SQGs[i]
		mappedBy[got.Origin.MappedBy], datedBy[got.Origin.DateFrom] = true, true
		if got.APIID != want.APIID || !got.Time.Equal(want.Time) || got.Pass != want.Pass {
			t.Errorf("sqg %d: got %+v\nwant %+v", i, got.ReportRef, want)
		}
	}
	// Every format, mapping and dating route is exercised.
	for _, set := range []struct {
		name string
		got  map[string]bool
		want []string
	}{
		{"formats", formats, []string{model.FormatAudit, model.FormatSARIFAudit, model.FormatScan2, model.FormatScan3, model.FormatSARIFScan}},
		{"mapped by", mappedBy, []string{model.FromReport, model.FromFileName, model.FromInventory}},
		{"dated by", datedBy, []string{model.FromReport, model.FromFileName, model.FromFileTime}},
	} {
		for _, w := range set.want {
			if !set.got[w] {
				t.Errorf("%s: %s never used (%v)", set.name, w, set.got)
			}
		}
	}
	// Scores go both ways, some definitions are invalid, SQGs pass and fail, scans fail.
	var up, down, invalid, pass, fail, unreachable int
	last := map[string]float64{}
	for _, a := range gt.Audits {
		if a.Valid != nil && !*a.Valid {
			invalid++
		}
		if a.Score != nil && *a.Valid {
			if p, ok := last[a.APIID]; ok && *a.Score > p {
				up++
			} else if ok {
				down++
			}
			last[a.APIID] = *a.Score
		}
	}
	for _, q := range gt.SQGs {
		if q.Pass {
			pass++
		} else {
			fail++
		}
	}
	for _, s := range gt.Scans {
		if s.State == "apiUnreachable" {
			unreachable++
		}
	}
	if up == 0 || down == 0 || invalid == 0 || pass == 0 || fail == 0 || unreachable == 0 {
		t.Errorf("not varied enough: up %d down %d invalid %d pass %d fail %d unreachable %d", up, down, invalid, pass, fail, unreachable)
	}
	if snap.APIs[gt.Inventory.APIs[len(gt.Inventory.APIs)-1].ID] == nil || len(snap.APIs) != 7 || len(snap.Users) != 7 || len(snap.Collections) != 4 {
		t.Errorf("catalogue: %d APIs, %d users, %d collections", len(snap.APIs), len(snap.Users), len(snap.Collections))
	}
}

func TestWriteReportsIsDeterministicAndSharesTrafficAPIs(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	ga, gb := writeTestReports(t, a, 3), writeTestReports(t, b, 3)
	if !reflect.DeepEqual(ga, gb) {
		t.Fatal("same seed, different truth")
	}
	for i, api := range APIs(7, 3) {
		if ga.Inventory.APIs[i].ID != api.ID || ga.Inventory.APIs[i].Name != api.Name {
			t.Errorf("inventory API %d is %+v, traffic API %+v", i, ga.Inventory.APIs[i], api)
		}
	}
	same := 0
	_ = filepath.WalkDir(a, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(a, p)
		x, _ := os.ReadFile(p)
		y, _ := os.ReadFile(filepath.Join(b, rel))
		if string(x) == string(y) {
			same++
		}
		return nil
	})
	if same != ga.Files {
		t.Errorf("%d of %d files identical", same, ga.Files)
	}
}
