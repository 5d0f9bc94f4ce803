package ship

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apifw/monitor/pkg/generate"
	"github.com/apifw/monitor/pkg/vlogs/vltest"
)

var t0 = time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)

func writeLogs(t *testing.T, root string, drawSeed int64, n int) generate.GroundTruth {
	t.Helper()
	gt, err := generate.WriteFiles(root, generate.Config{Seed: 1, DrawSeed: drawSeed, APIs: 3, Instances: 2, Records: n,
		Start: t0, End: t0.Add(6 * time.Hour), TrackUUIDs: true, Bodies: true})
	if err != nil {
		t.Fatal(err)
	}
	return gt
}

func newShipper(t *testing.T, c *vltest.Cluster, root, spool string) *Shipper {
	t.Helper()
	s, err := New(Config{Roots: []string{root}, SpoolDir: spool, InsertURL: c.URL(), ID: "test",
		PollInterval: 50 * time.Millisecond, ConfirmAfter: 200 * time.Millisecond, ResendAfter: 10 * time.Second,
		MaxBackoff: time.Second, Logf: t.Logf, DurableAfter: vltest.TestDurableAfter,
		MaxPollBytes: 1, // the floor (about 2 MiB): the logs are read, spooled and sent in several polls
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// drain polls and sends until every spooled record is confirmed.
func drain(t *testing.T, s *Shipper, within time.Duration) {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		n, err := s.PollOnce()
		if err != nil {
			t.Fatal(err)
		}
		err = s.SendOnce(ctx)
		if err == nil && n == 0 && s.Pending() == 0 {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("records still pending after %s: %d (last error %v)", within, s.Pending(), s.lastError.Load())
}

// counts returns total rows and distinct uuids in the cluster.
func counts(t *testing.T, c *vltest.Cluster) (int64, int64) {
	t.Helper()
	conn := &Conn{URL: c.URL()}
	var total, uniq int64
	err := conn.Query(context.Background(), "* | stats count() n, count_uniq(uuid) u", time.Time{}, time.Time{}, func(r map[string]string) error {
		fmt.Sscan(r["n"], &total)
		fmt.Sscan(r["u"], &uniq)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return total, uniq
}

func TestShipExactlyOnceAcrossRestarts(t *testing.T) {
	c := vltest.StartT(t, nil, nil)
	root, spool := filepath.Join(t.TempDir(), "logs"), t.TempDir()
	gt1 := writeLogs(t, filepath.Join(root, "a"), 0, 8000)

	// A first run spools two polls' worth (stopping inside a file: the
	// poll budget) and sends them, then "crashes" (no Close).
	s1 := newShipper(t, c, root, spool)
	n1, err1 := s1.PollOnce()
	n2, err2 := s1.PollOnce()
	if err1 != nil || err2 != nil || n1 == 0 || n2 == 0 || n1+n2 >= gt1.Total {
		t.Fatalf("first run spooled %d+%d of %d (%v, %v): want two polls that leave some", n1, n2, gt1.Total, err1, err2)
	}
	if err := s1.SendOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	// The checkpoint file is lost: the newest segment still carries it.
	os.Remove(filepath.Join(spool, "checkpoint.json"))

	gt2 := writeLogs(t, filepath.Join(root, "b"), 99, 6000)
	s2 := newShipper(t, c, root, spool)
	drain(t, s2, 3*time.Minute)
	s2.Close()

	// A third run finds nothing new.
	s3 := newShipper(t, c, root, spool)
	if n, err := s3.PollOnce(); err != nil || n != 0 {
		t.Fatalf("restart re-read %d records (%v)", n, err)
	}
	c.Flush(context.Background())
	want := int64(gt1.Total + gt2.Total)
	total, uniq := counts(t, c)
	if total != want || uniq != want {
		t.Fatalf("cluster holds %d rows, %d uuids; want %d of each", total, uniq, want)
	}
	// Bodies never leave the host; secrets are masked.
	conn := &Conn{URL: c.URL()}
	var bad int
	err := conn.Query(context.Background(), `detail:~"(?i)body\":\"|authorization\",\"value\":\"[^•]" | limit 5`, time.Time{}, time.Time{}, func(map[string]string) error { bad++; return nil })
	if err != nil || bad != 0 {
		t.Fatalf("%d shipped records carry a body or an unmasked secret (%v)", bad, err)
	}
	var det map[string]any
	conn.Query(context.Background(), `detail:* | limit 1`, time.Time{}, time.Time{}, func(r map[string]string) error {
		return json.Unmarshal([]byte(r["detail"]), &det)
	})
	if det["uuid"] == nil {
		t.Fatalf("no detail shipped: %v", det)
	}

	// Metrics.
	rec := httptest.NewRecorder()
	s2.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	for _, m := range []string{"apifw_ship_sent_total", "apifw_ship_retried_total", "apifw_ship_buffered_records 0", "apifw_ship_lag_seconds 0"} {
		if !strings.Contains(rec.Body.String(), m) {
			t.Errorf("metrics lack %q:\n%s", m, rec.Body.String())
		}
	}
}

// A storage node is killed while the shipper sends, then comes back:
// nothing is lost or duplicated; queries while it is down fail clearly.
func TestShipStorageNodeFault(t *testing.T) {
	c := vltest.StartT(t, nil, nil)
	root, spool := filepath.Join(t.TempDir(), "logs"), t.TempDir()
	s := newShipper(t, c, root, spool)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); s.Run(ctx) }()

	want := 0
	var postedBefore int64
	for i := 0; i < 6; i++ {
		want += writeLogs(t, filepath.Join(root, fmt.Sprint("part", i)), int64(i+1), 3000).Total
		time.Sleep(300 * time.Millisecond)
		if i == 3 || i == 4 {
			time.Sleep(2 * time.Second) // shipping goes on while the node is down
		}
		if i == 2 {
			postedBefore = s.M.Posted.Load()
			c.Storage[1].Kill()
			conn := &Conn{URL: c.URL()}
			err := conn.Query(context.Background(), "* | stats count() n", time.Time{}, time.Time{}, func(map[string]string) error { return nil })
			if err == nil {
				t.Errorf("a query with a storage node down answered without error")
			} else {
				t.Logf("query while a node is down: %v", err)
			}
		}
		if i == 4 {
			if s.M.Posted.Load() == postedBefore {
				t.Errorf("nothing was sent while the node was down: the fault was not exercised")
			}
			t.Logf("sent while a storage node was down: %d records", s.M.Posted.Load()-postedBefore)
			if err := c.Storage[1].Start(c.Bin); err != nil {
				t.Fatal(err)
			}
		}
	}
	deadline := time.Now().Add(4 * time.Minute)
	for s.Pending() > 0 || s.M.Read.Load() < int64(want) {
		if time.Now().After(deadline) {
			t.Fatalf("pending %d, read %d of %d", s.Pending(), s.M.Read.Load(), want)
		}
		time.Sleep(200 * time.Millisecond)
	}
	cancel()
	wg.Wait()
	c.Flush(context.Background())
	total, uniq := counts(t, c)
	if total != int64(want) || uniq != int64(want) {
		t.Logf("read %d, posted %d, sent %d, dropped %d", s.M.Read.Load(), s.M.Posted.Load(), s.M.Sent.Load(), s.M.Dropped.Load())
		t.Fatalf("after the fault: %d rows, %d uuids; want %d (lost %d)", total, uniq, want, int64(want)-uniq)
	}
	t.Logf("fault test: %d records shipped, %d lost, %d duplicated, %d retries, %d errors (confirmations refused while the node was down)", want, int64(want)-uniq, total-uniq, s.M.Retried.Load(), s.M.Errors.Load())
}

// Every storage node down, then the insert node killed (SIGKILL) while
// batches are in flight, then the whole cluster restarted: the shipper keeps
// each batch until it is queryable, retries what failed and sends again
// what went missing, so nothing is lost and nothing is duplicated.
func TestShipSurvivesClusterCrash(t *testing.T) {
	c := vltest.StartT(t, nil, nil)
	root, spool := filepath.Join(t.TempDir(), "logs"), t.TempDir()
	s, err := New(Config{Roots: []string{root}, SpoolDir: spool, InsertURL: c.URL(), ID: "crash", DurableAfter: vltest.TestDurableAfter,
		PollInterval: 50 * time.Millisecond, ConfirmAfter: 200 * time.Millisecond, ResendAfter: 3 * time.Second,
		MaxBackoff: time.Second, Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	s.ins.Client.Timeout = 5 * time.Second
	want := writeLogs(t, filepath.Join(root, "a"), 5, 3000).Total
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	for _, n := range c.Storage {
		n.Kill()
	}
	go func() { defer close(done); s.Run(ctx) }()
	time.Sleep(3 * time.Second)
	want += writeLogs(t, filepath.Join(root, "b"), 6, 2000).Total
	time.Sleep(2 * time.Second)
	c.Front.Kill()
	time.Sleep(time.Second)
	for _, n := range append(append([]*vltest.Node(nil), c.Storage...), c.Front) {
		if err := n.Start(c.Bin); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(3 * time.Minute)
	for s.Pending() > 0 || s.M.Read.Load() < int64(want) {
		if time.Now().After(deadline) {
			t.Fatalf("pending %d, read %d of %d", s.Pending(), s.M.Read.Load(), want)
		}
		time.Sleep(200 * time.Millisecond)
	}
	cancel()
	<-done
	c.Flush(context.Background())
	total, uniq := counts(t, c)
	if total != int64(want) || uniq != int64(want) {
		t.Fatalf("after the cluster crash: %d rows, %d uuids; want %d", total, uniq, want)
	}
	t.Logf("cluster crash: %d records, %d lost, %d duplicated; %d failed sends or resends, %d errors", want, int64(want)-uniq, total-uniq, s.M.Retried.Load(), s.M.Errors.Load())
}

func generateFiles(root string, n int) (int, error) {
	gt, err := generate.WriteFiles(root, generate.Config{Seed: 1, APIs: 3, Instances: 2, Records: n,
		Start: t0, End: t0.Add(6 * time.Hour), Bodies: true})
	return gt.Total, err
}
