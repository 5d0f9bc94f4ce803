package vlogs

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/apifw/monitor/pkg/index"
	"github.com/apifw/monitor/pkg/query"
	"github.com/apifw/monitor/pkg/ship"
)

// Deleted transactions never come back, by any query type, through
// VictoriaLogs' delete task and the persisted list, after restarts of the
// data source and of every cluster node.
func TestDeletionNeverComesBack(t *testing.T) {
	f := setup(t, 4000)
	ctx := context.Background()
	dir := t.TempDir()
	dels, err := OpenDeletions(dir)
	if err != nil {
		t.Fatal(err)
	}
	gone := f.truth.UUIDs[10:13]
	window := Deletion{Instances: []string{"fw-02"}, From: t0.Add(time.Hour), To: t0.Add(90 * time.Minute)}
	conn := f.backend.Conn
	for _, d := range []Deletion{{UUIDs: gone}, window} {
		got, err := dels.Add(ctx, conn, d)
		if err != nil {
			t.Fatal(err)
		}
		if got.TaskID == "" {
			t.Errorf("no VictoriaLogs delete task: %s", got.TaskError)
		}
	}
	// The embedded store, given the same deletions, is the reference.
	for _, c := range []index.DeleteCriteria{{UUIDs: gone}, {Instances: window.Instances, From: window.From, To: window.To}} {
		if _, err := f.engine.Store.Delete(c); err != nil {
			t.Fatal(err)
		}
	}
	tr := query.TimeRange{From: t0.Add(-time.Hour), To: t0.Add(7 * time.Hour)}
	check := func(stage string, b *Backend) {
		t.Helper()
		se, _ := f.engine.Stats(ctx, query.Query{}, tr)
		sv, err := b.Stats(ctx, query.Query{}, tr)
		if err != nil || !same(se, sv) {
			t.Errorf("%s: stats %+v vs %+v (%v)", stage, se, sv, err)
		}
		for _, dim := range []string{"instance", "clientIp"} {
			te, _ := f.engine.TopN(ctx, query.Query{Dimension: dim}, tr)
			tv, err := b.TopN(ctx, query.Query{Dimension: dim}, tr)
			if err != nil || !same(te, tv) {
				t.Errorf("%s: topN %s differs (%v)", stage, dim, err)
			}
		}
		xq := query.Query{Limit: 5000}
		xv, err := b.Transactions(ctx, xq, tr)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range xv.Rows {
			if r.UUID == gone[0] || r.UUID == gone[1] || r.UUID == gone[2] ||
				(r.Instance == "fw-02" && !r.Time.Before(window.From) && r.Time.Before(window.To)) {
				t.Errorf("%s: deleted transaction %s listed", stage, r.UUID)
			}
		}
		for _, id := range gone {
			if _, _, err := b.Trace(ctx, query.Query{UUID: id}); err == nil {
				t.Errorf("%s: deleted transaction %s traced", stage, id)
			}
		}
		ie, _ := f.engine.Instances(ctx, query.Query{}, tr)
		iv, err := b.Instances(ctx, query.Query{}, tr)
		if err != nil || !same(ie, iv) {
			t.Errorf("%s: instances differ (%v)", stage, err)
		}
		qy := query.Query{SplitBy: "instance", IntervalMs: 600_000}
		re, _ := f.engine.Traffic(ctx, qy, tr)
		rv, err := b.Traffic(ctx, qy, tr)
		if err != nil || !same(re, rv) {
			t.Errorf("%s: traffic differs (%v)", stage, err)
		}
	}
	check("at once", &Backend{Conn: conn, Deletions: dels, Now: f.backend.Now})

	// Restart the data source (the list is reloaded) and every node.
	dels2, err := OpenDeletions(dir)
	if err != nil || len(dels2.List()) != 2 {
		t.Fatalf("reloaded %d deletions (%v)", len(dels2.List()), err)
	}
	f.cluster.Stop()
	for _, n := range append(f.cluster.Storage, f.cluster.Front) {
		if err := n.Start(f.cluster.Bin); err != nil {
			t.Fatal(err)
		}
	}
	check("after restarts", &Backend{Conn: conn, Deletions: dels2, Now: f.backend.Now})

	// Once VictoriaLogs' tasks finish, the rows are gone from the cluster
	// itself: even a query without the list does not find them.
	deadline := time.Now().Add(2 * time.Minute)
	for {
		active, err := ActiveDeleteTasks(ctx, conn)
		if err == nil && !strings.Contains(active, "task_id") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("delete tasks still active: %s %v", active, err)
		}
		time.Sleep(500 * time.Millisecond)
	}
	check("tasks done, without the list", &Backend{Conn: conn, Now: f.backend.Now})
	var n int
	conn.Query(ctx, ship.FieldUUID+":in("+q(gone[0])+","+q(gone[1])+")", time.Time{}, time.Time{}, func(map[string]string) error { n++; return nil })
	if n != 0 {
		t.Errorf("%d deleted rows still stored in VictoriaLogs", n)
	}
}
