//go:build integration

package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/apifw/monitor/pkg/generate"
	"github.com/apifw/monitor/tests/hosttest"
)

// dsSpec is one provisioned data source of a fault scenario.
type dsSpec struct {
	uid, root, stateDir string
}

// startWith starts Grafana with the app and one data source per spec.
func startWith(t *testing.T, specs ...dsSpec) *hosttest.Server {
	t.Helper()
	prov := t.TempDir()
	var ds strings.Builder
	ds.WriteString("apiVersion: 1\ndatasources:\n")
	for _, s := range specs {
		fmt.Fprintf(&ds, "  - {name: %s, uid: %s, type: apifw-monitor-datasource, access: proxy, jsonData: {logRoots: [%q], stateDir: %q}}\n",
			s.uid, s.uid, s.root, s.stateDir)
	}
	writeFileT(t, filepath.Join(prov, "datasources", "ds.yaml"), ds.String())
	writeFileT(t, filepath.Join(prov, "plugins", "app.yaml"), "apiVersion: 1\napps:\n  - {type: apifw-monitor-app, org_id: 1, disabled: false}\n")
	return hosttest.StartT(t, hosttest.Options{Dist: dist(), Provisioning: prov})
}

// statsTry runs one stats query and returns its columns, or the error (the
// backend may be restarting).
func statsTry(s *hosttest.Server, uid string, from, to time.Time) (map[string]float64, error) {
	body := map[string]any{
		"from": fmt.Sprint(from.UnixMilli()), "to": fmt.Sprint(to.UnixMilli()),
		"queries": []map[string]any{{"refId": "A", "datasource": map[string]string{"uid": uid}, "queryType": "stats"}},
	}
	var resp queryResponse
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.Do(ctx, "POST", "/api/ds/query", body, &resp); err != nil {
		return nil, err
	}
	res := resp.Results["A"]
	if res.Error != "" || len(res.Frames) != 1 {
		return nil, fmt.Errorf("result: %+v", res)
	}
	out := map[string]float64{}
	f := res.Frames[0]
	for i, field := range f.Schema.Fields {
		if len(f.Data.Values[i]) == 1 {
			if v, ok := f.Data.Values[i][0].(float64); ok {
				out[field.Name] = v
			}
		}
	}
	return out, nil
}

// waitStats polls stats until ok accepts them (the backend catches up, or
// comes back after a kill) and returns them; it fails after timeout.
func waitStats(t *testing.T, s *hosttest.Server, uid string, from, to time.Time, timeout time.Duration, ok func(map[string]float64) bool) map[string]float64 {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var last map[string]float64
	var lastErr error
	for time.Now().Before(deadline) {
		last, lastErr = statsTry(s, uid, from, to)
		if lastErr == nil && ok(last) {
			return last
		}
		time.Sleep(300 * time.Millisecond)
	}
	t.Fatalf("%s: after %v stats are %v (error %v)", uid, timeout, last, lastErr)
	return nil
}

func totalIs(n int) func(map[string]float64) bool {
	return func(m map[string]float64) bool { return int(m["total"]) == n }
}

// healthDetails is the collector status the health check carries.
type healthDetails struct {
	Roots []struct {
		Path    string   `json:"path"`
		Error   string   `json:"error"`
		Skipped []string `json:"skipped"`
	} `json:"roots"`
	Records    int      `json:"records"`
	BadRecords int      `json:"badRecords"`
	FileErrors []string `json:"fileErrors"`
	BadExample []struct {
		Reason string `json:"reason"`
	} `json:"badExamples"`
}

func health(t *testing.T, s *hosttest.Server, uid string) (string, healthDetails) {
	t.Helper()
	var h struct {
		Status  string          `json:"status"`
		Message string          `json:"message"`
		Details json.RawMessage `json:"details"`
	}
	err := s.Do(context.Background(), "GET", "/api/datasources/uid/"+uid+"/health", nil, &h)
	if he, ok := err.(*hosttest.HTTPError); ok && he.Status == 400 { // a failed check
		_ = json.Unmarshal([]byte(he.Body), &h)
	} else if err != nil {
		t.Fatalf("health %s: %v", uid, err)
	}
	var d healthDetails
	_ = json.Unmarshal(h.Details, &d)
	return h.Message, d
}

func firstString(col []any) string {
	if len(col) == 0 {
		return ""
	}
	v, _ := col[0].(string)
	return v
}

// dsQueryUID runs one query on data source uid and returns its frames.
func dsQueryUID(t *testing.T, s *hosttest.Server, uid string, from, to time.Time, q map[string]any) []frameJSON {
	t.Helper()
	q["refId"], q["datasource"] = "A", map[string]string{"uid": uid}
	body := map[string]any{"from": fmt.Sprint(from.UnixMilli()), "to": fmt.Sprint(to.UnixMilli()), "queries": []any{q}}
	var resp struct {
		Results map[string]struct {
			Error  string      `json:"error"`
			Frames []frameJSON `json:"frames"`
		} `json:"results"`
	}
	if err := s.Do(context.Background(), "POST", "/api/ds/query", body, &resp); err != nil {
		t.Fatalf("ds/query %v: %v", q, err)
	}
	if r := resp.Results["A"]; r.Error != "" || len(r.Frames) == 0 || len(r.Frames[0].Data.Values) == 0 {
		t.Fatalf("ds/query %v: %+v", q, r)
	}
	return resp.Results["A"].Frames
}

// waitHealth polls the health check until ok accepts its details (the
// collector looks at the files at most every 500 ms).
func waitHealth(t *testing.T, s *hosttest.Server, uid string, ok func(healthDetails) bool) healthDetails {
	t.Helper()
	var d healthDetails
	var msg string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if msg, d = health(t, s, uid); ok(d) {
			return d
		}
	}
	t.Fatalf("%s health: %s %+v", uid, msg, d)
	return d
}

// pluginPIDs lists the running processes of the backend of dist.
func pluginPIDs(t *testing.T) []int {
	t.Helper()
	want, err := filepath.Abs(filepath.Join(dist(), "datasource"))
	if err != nil {
		t.Fatal(err)
	}
	want, _ = filepath.EvalSymlinks(want)
	entries, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		exe, err := os.Readlink(filepath.Join("/proc", e.Name(), "exe"))
		if err != nil || !strings.Contains(filepath.Base(exe), "gpx_apifw_monitor") || !strings.HasPrefix(exe, want) {
			continue
		}
		pids = append(pids, pid)
	}
	return pids
}

// rssKB reads a process's resident set size.
func rssKB(pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			n, _ := strconv.Atoi(f[1])
			return n
		}
	}
	return 0
}

// liveWriter appends generated traffic under root in the background.
type liveWriter struct {
	live *generate.Live
	stop context.CancelFunc
	done chan error
}

func startLive(t *testing.T, root string, seed int64, rate float64, cfg generate.LiveConfig) *liveWriter {
	t.Helper()
	cfg.Config = generate.Config{Seed: seed, APIs: 3, Instances: 2, DrawSeed: seed}
	l, err := generate.NewLive(root, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	w := &liveWriter{live: l, stop: cancel, done: make(chan error, 1)}
	go func() { w.done <- l.Run(ctx, rate) }()
	return w
}

func (w *liveWriter) finish(t *testing.T) generate.GroundTruth {
	t.Helper()
	w.stop()
	if err := <-w.done; err != nil {
		t.Fatalf("live writer: %v", err)
	}
	return w.live.Truth()
}

// TestFaults injects faults into a running Grafana with the plugin and
// checks the exact counts against the generator's ground truth.
func TestFaults(t *testing.T) {
	base := t.TempDir()
	spec := func(uid string) dsSpec {
		d := dsSpec{uid: uid, root: filepath.Join(base, uid, "logs"), stateDir: filepath.Join(base, uid, "state")}
		for _, p := range []string{d.root, d.stateDir} {
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		return d
	}
	kill, rotate, root, skew, links := spec("ds-kill"), spec("ds-rotate"), spec("ds-root"), spec("ds-skew"), spec("ds-links")
	full := spec("ds-full")
	tiny, mounted := mountTiny(t, full.stateDir, "256k")
	s := startWith(t, kill, rotate, root, skew, links, full)
	from := time.Now().Add(-time.Hour)
	to := func() time.Time { return time.Now().Add(time.Hour) }

	t.Run("backend killed mid-ingest", func(t *testing.T) {
		w := startLive(t, kill.root, 11, 4000, generate.LiveConfig{RotateEvery: 7000, RotateMode: generate.RotateRename, GarbageEvery: 997})
		deadline := time.Now().Add(3 * time.Second)
		for time.Now().Before(deadline) {
			_, _ = statsTry(s, kill.uid, from, to())
			time.Sleep(200 * time.Millisecond)
		}
		before := pluginPIDs(t)
		if len(before) == 0 {
			t.Fatal("no gpx_apifw_monitor process found")
		}
		for _, pid := range before {
			if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
		}
		t.Logf("killed backend pid %v mid-ingest", before)
		time.Sleep(2 * time.Second)
		gt := w.finish(t)
		got := waitStats(t, s, kill.uid, from, to(), 60*time.Second, totalIs(gt.Total))
		after := pluginPIDs(t)
		if len(after) == 0 || after[0] == before[0] {
			t.Fatalf("backend not restarted: before %v after %v", before, after)
		}
		for _, k := range []string{"blocked", "allowed", "wouldBlock", "unmatched"} {
			if int(got[k]) != gt.ByOutcome[k] {
				t.Errorf("%s = %v, ground truth %d", k, got[k], gt.ByOutcome[k])
			}
		}
		if int(got["distinctClients"]) != gt.DistinctClients {
			t.Errorf("distinct clients %v, ground truth %d", got["distinctClients"], gt.DistinctClients)
		}
		if _, err := os.Stat(filepath.Join(kill.stateDir)); err == nil {
			entries, _ := os.ReadDir(kill.stateDir)
			t.Logf("state dir after restart holds %d file(s)", len(entries))
		}
		t.Logf("after the restart: %d transactions, exactly the %d written (backend %v → %v)", int(got["total"]), gt.Total, before, after)
	})

	t.Run("deletions survive a backend kill", func(t *testing.T) {
		if entries, _ := os.ReadDir(kill.stateDir); len(entries) == 0 {
			t.Skip("jsonData.stateDir is not wired into the backend in this build")
		}
		now := time.Now().Add(time.Minute)
		before := waitStats(t, s, kill.uid, from, now, 10*time.Second, func(map[string]float64) bool { return true })
		frames := dsQueryUID(t, s, kill.uid, from, now, map[string]any{"queryType": "topN", "dimension": "clientIp", "limit": 1})
		client := firstString(frames[0].column("clientIp"))
		rows := dsQueryUID(t, s, kill.uid, from, now, map[string]any{"queryType": "transactions", "limit": 1, "filters": map[string]any{"clientIp": client}})
		uuid := firstString(rows[0].column("uuid"))
		if client == "" || uuid == "" {
			t.Fatalf("no client/uuid to delete: %q %q", client, uuid)
		}
		var del struct {
			Deleted int `json:"deleted"`
		}
		err := s.Do(context.Background(), "POST", "/api/datasources/uid/"+kill.uid+"/resources/deletions", map[string]any{"clientIp": client}, &del)
		if hosttest.IsStatus(err, 404) || hosttest.IsStatus(err, 405) {
			t.Skipf("no deletion resource in this build: %v", err)
		}
		if err != nil || del.Deleted == 0 {
			t.Fatalf("delete %s: %+v %v", client, del, err)
		}
		want := int(before["total"]) - del.Deleted
		waitStats(t, s, kill.uid, from, now, 10*time.Second, totalIs(want))
		for _, pid := range pluginPIDs(t) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
		time.Sleep(time.Second)
		waitStats(t, s, kill.uid, from, now, 60*time.Second, totalIs(want))
		err = s.Do(context.Background(), "GET", "/api/datasources/uid/"+kill.uid+"/resources/trace/"+uuid, nil, nil)
		if !hosttest.IsStatus(err, 404) {
			t.Fatalf("trace of a deleted transaction after the restart: %v", err)
		}
		t.Logf("deleted %d transactions of %s; after the kill %d remain", del.Deleted, client, want)
	})

	t.Run("files rotated, truncated, deleted and re-created while ingesting", func(t *testing.T) {
		l, err := generate.NewLive(rotate.root, generate.LiveConfig{Config: generate.Config{Seed: 12, APIs: 3, Instances: 2, DrawSeed: 12}})
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		modes := []generate.RotateMode{generate.RotateRename, generate.RotateCopyTruncate, generate.RotateRecreate, generate.RotateCopyTruncate, generate.RotateRename, generate.RotateRecreate}
		for i, mode := range modes {
			if err := l.Append(1500); err != nil {
				t.Fatal(err)
			}
			// Rotate while the backend may be reading (no wait for it first),
			// except before deleting a file: what is deleted unread is gone.
			if mode == generate.RotateRecreate {
				waitStats(t, s, rotate.uid, from, to(), 30*time.Second, totalIs(l.Truth().Total))
			} else {
				_, _ = statsTry(s, rotate.uid, from, to())
			}
			if err := l.Rotate(mode); err != nil {
				t.Fatal(err)
			}
			if err := l.Append(300); err != nil {
				t.Fatal(err)
			}
			t.Logf("round %d (%s): %d written", i, mode, l.Truth().Total)
		}
		gt := l.Truth()
		waitStats(t, s, rotate.uid, from, to(), 30*time.Second, totalIs(gt.Total))
	})

	t.Run("a root that disappears and comes back", func(t *testing.T) {
		l, err := generate.NewLive(root.root, generate.LiveConfig{Config: generate.Config{Seed: 13, APIs: 2, Instances: 2, DrawSeed: 13}})
		if err != nil {
			t.Fatal(err)
		}
		if err := l.Append(2000); err != nil {
			t.Fatal(err)
		}
		l.Close()
		waitStats(t, s, root.uid, from, to(), 30*time.Second, totalIs(2000))
		if err := os.Rename(root.root, root.root+".away"); err != nil {
			t.Fatal(err)
		}
		waitHealth(t, s, root.uid, func(d healthDetails) bool { return len(d.Roots) == 1 && d.Roots[0].Error == "directory does not exist" })
		waitStats(t, s, root.uid, from, to(), 10*time.Second, totalIs(2000)) // what was read stays
		if err := os.Rename(root.root+".away", root.root); err != nil {
			t.Fatal(err)
		}
		l2, err := generate.NewLive(root.root, generate.LiveConfig{Config: generate.Config{Seed: 13, APIs: 2, Instances: 2, DrawSeed: 14}})
		if err != nil {
			t.Fatal(err)
		}
		if err := l2.Append(500); err != nil {
			t.Fatal(err)
		}
		l2.Close()
		waitStats(t, s, root.uid, from, to(), 30*time.Second, totalIs(2500))
		waitHealth(t, s, root.uid, func(d healthDetails) bool { return len(d.Roots) == 1 && d.Roots[0].Error == "" })
	})

	t.Run("clock skew in records", func(t *testing.T) {
		now := time.Now().UTC()
		var b strings.Builder
		good := 0
		for i, off := range []time.Duration{0, -300 * 24 * time.Hour, 20 * time.Hour, -time.Second, 400 * 24 * time.Hour, -30 * 365 * 24 * time.Hour, 5 * time.Minute, -2 * time.Hour} {
			plausible := off > -20*365*24*time.Hour && off < 24*time.Hour
			if plausible {
				good++
			}
			fmt.Fprintf(&b, `{"uuid":"00000000-0000-4000-8000-%012d","date_epoch":%d,"api":"a","pod":{"instance_name":"fw-1"},"response":{"status":200}}`+"\n", i, now.Add(off).UnixMicro())
		}
		writeFileT(t, filepath.Join(skew.root, "fw-1", "api-a.transaction.log"), b.String())
		wide := func() time.Time { return time.Now().Add(48 * time.Hour) }
		waitStats(t, s, skew.uid, now.Add(-20*365*24*time.Hour), wide(), 30*time.Second, totalIs(good))
		_, d := health(t, s, skew.uid)
		if d.BadRecords != 2 {
			t.Fatalf("bad records %d, want the 2 implausible dates: %+v", d.BadRecords, d)
		}
	})

	t.Run("links out of the root and unreadable folders", func(t *testing.T) {
		outside := t.TempDir()
		if _, err := generate.WriteFiles(outside, generate.Config{Seed: 15, APIs: 1, Instances: 1, Records: 100, Start: from, End: time.Now()}); err != nil {
			t.Fatal(err)
		}
		if _, err := generate.WriteFiles(links.root, generate.Config{Seed: 16, APIs: 1, Instances: 1, Records: 200, Start: from, End: time.Now()}); err != nil {
			t.Fatal(err)
		}
		entries, _ := os.ReadDir(outside)
		if err := os.Symlink(filepath.Join(outside, entries[0].Name()), filepath.Join(links.root, "linked-instance")); err != nil {
			t.Fatal(err)
		}
		waitStats(t, s, links.uid, from, to(), 30*time.Second, totalIs(200))
		waitHealth(t, s, links.uid, func(d healthDetails) bool {
			return len(d.Roots) == 1 && strings.Contains(strings.Join(d.Roots[0].Skipped, "\n"), "symbolic link to a folder outside the root, refused")
		})
		if os.Geteuid() == 0 {
			t.Log("running as root: chmod 000 does not stop root from reading, the unreadable-folder fault is covered by the link fault only")
			return
		}
		locked := filepath.Join(links.root, "locked")
		if _, err := generate.WriteFiles(locked, generate.Config{Seed: 17, APIs: 1, Instances: 1, Records: 50, Start: from, End: time.Now()}); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(locked, 0); err != nil {
			t.Fatal(err)
		}
		defer os.Chmod(locked, 0o755)
		waitHealth(t, s, links.uid, func(d healthDetails) bool {
			return strings.Contains(strings.Join(d.Roots[0].Skipped, "\n"), "permission denied")
		})
		waitStats(t, s, links.uid, from, to(), 10*time.Second, totalIs(200))
	})

	t.Run("disk full where the state is written", func(t *testing.T) {
		if !mounted {
			t.Skip("cannot mount a small tmpfs here: " + tiny)
		}
		if entries, _ := os.ReadDir(kill.stateDir); len(entries) == 0 {
			t.Skip("the backend wrote nothing in jsonData.stateDir of ds-kill: stateDir is not wired into the collector in this build")
		}
		fillDir(t, full.stateDir)
		w := startLive(t, full.root, 18, 3000, generate.LiveConfig{RotateEvery: 4000, RotateMode: generate.RotateCopyTruncate})
		time.Sleep(3 * time.Second)
		gt := w.finish(t)
		waitStats(t, s, full.uid, from, to(), 30*time.Second, totalIs(gt.Total))
		d := waitHealth(t, s, full.uid, func(d healthDetails) bool { return strings.Contains(strings.Join(d.FileErrors, "\n"), "no space left") })
		t.Logf("reported: %s", strings.Join(d.FileErrors, "; "))
	})
}

// mountTiny mounts a tmpfs of size on dir (root only) and unmounts it at the end.
func mountTiny(t *testing.T, dir, size string) (string, bool) {
	out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput()
	if err != nil {
		return strings.TrimSpace(string(out)) + " " + err.Error(), false
	}
	t.Cleanup(func() { _ = exec.Command("umount", "-l", dir).Run() })
	return dir, true
}

// fillDir writes a file until the file system is full.
func fillDir(t *testing.T, dir string) {
	t.Helper()
	f, err := os.Create(filepath.Join(dir, "filler"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 4096)
	for {
		if _, err := f.Write(buf); err != nil {
			return
		}
	}
}
