package generate

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestBurstsSchedule(t *testing.T) {
	apis := APIs(42, 5) // API 3 runs in monitor-only mode
	if got := BlockingAPIs(apis); len(got) != 4 || got[3] != 4 {
		t.Fatalf("blocking APIs %v", got)
	}
	b := DemoBursts // 6m cycles: spike 0–2m, enumeration 3m–4m30, storm 3m–4m in odd cycles
	tests := []struct {
		name    string
		elapsed time.Duration
		want    []burst
	}{
		{"spike on the first blocking API", 30 * time.Second, []burst{{AttackBlocked, 0, 40}}},
		{"quiet after the spike", 2*time.Minute + time.Second, nil},
		{"enumeration, no storm in an even cycle", 3*time.Minute + 10*time.Second, []burst{{AttackEnumeration, 0, 4}}},
		{"quiet at the end of the cycle", 5 * time.Minute, nil},
		{"second spike on the next blocking API", 7 * time.Minute, []burst{{AttackBlocked, 1, 40}}},
		{"storm in an odd cycle", 9*time.Minute + 30*time.Second, []burst{{AttackEnumeration, 1, 4}, {AttackRateLimit, 0, 15}}},
		{"the monitor-only API is skipped", 3*6*time.Minute + time.Second, []burst{{AttackBlocked, 4, 40}}},
		{"before the run", -time.Second, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := b.active(tc.elapsed, apis)
			if len(got) != len(tc.want) {
				t.Fatalf("active(%s) = %v, want %v", tc.elapsed, got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("active(%s) = %v, want %v", tc.elapsed, got, tc.want)
				}
			}
		})
	}
	if got := (Bursts{}).active(time.Minute, apis); got != nil {
		t.Fatalf("no bursts configured: %v", got)
	}
}

func TestAppendAttack(t *testing.T) {
	tests := []struct {
		kind    Attack
		api     int
		status  float64
		step    string
		client  string
		outcome string
	}{
		{AttackBlocked, 0, 400, "request_validation", AttackerIP, "blocked"},
		{AttackEnumeration, 1, 404, "hostpath_mapping", BotIP, "blocked"},
		{AttackRateLimit, 2, 429, "rate_limiting", FloodIP, "blocked"},
		{AttackBlocked, 3, 200, "request_validation", AttackerIP, "wouldBlock"}, // monitor-only API
	}
	for _, tc := range tests {
		t.Run(string(tc.kind), func(t *testing.T) {
			root := t.TempDir()
			l, err := NewLive(root, LiveConfig{Config: Config{Seed: 42, APIs: 5, Instances: 2}})
			if err != nil {
				t.Fatal(err)
			}
			if err := l.AppendAttack(tc.kind, tc.api, 5); err != nil {
				t.Fatal(err)
			}
			if err := l.Close(); err != nil {
				t.Fatal(err)
			}
			api := APIs(42, 5)[tc.api]
			n := 0
			for i := 0; i < 2; i++ {
				b, err := os.ReadFile(filepath.Join(root, InstanceName(i), "api-"+api.ID+".transaction.log"))
				if os.IsNotExist(err) {
					continue
				} else if err != nil {
					t.Fatal(err)
				}
				for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
					var r struct {
						API      string `json:"api"`
						SourceIP string `json:"source_ip"`
						Status   float64
						Errors   []struct{ Step string }
					}
					if err := json.Unmarshal([]byte(line), &r); err != nil {
						t.Fatal(err)
					}
					last := r.Errors[len(r.Errors)-1].Step
					if r.API != api.ID || r.SourceIP != tc.client || r.Status != tc.status || last != tc.step {
						t.Fatalf("record %s", line)
					}
					n++
				}
			}
			gt := l.Truth()
			if n != 5 || gt.Total != 5 || gt.ByOutcome[tc.outcome] != 5 || len(l.Present()) != 5 {
				t.Fatalf("%d records, truth %+v", n, gt)
			}
		})
	}
	l, _ := NewLive(t.TempDir(), LiveConfig{Config: Config{Seed: 1, APIs: 2, Instances: 1}})
	if err := l.AppendAttack("nope", 0, 1); err == nil {
		t.Fatal("unknown attack accepted")
	}
	if err := l.AppendAttack(AttackBlocked, 2, 1); err == nil {
		t.Fatal("unknown API accepted")
	}
}

func TestDrawSeedKeepsAPIsChangesDraws(t *testing.T) {
	a, _ := NewSource(Config{Seed: 42, APIs: 3, Instances: 2})
	b, _ := NewSource(Config{Seed: 42, APIs: 3, Instances: 2, DrawSeed: 7})
	ts := time.Unix(1700000000, 0)
	ga, gb := a.Next(ts, 0), b.Next(ts, 0)
	if ga.UUID == gb.UUID {
		t.Fatalf("same UUID %s with another draw seed", ga.UUID)
	}
	ids := map[string]bool{}
	for _, api := range APIs(42, 3) {
		ids[api.ID] = true
	}
	for i := 0; i < 50; i++ {
		if g := b.Next(ts, 0); g.APIID != "n/a" && !ids[g.APIID] {
			t.Fatalf("API %s is not one of seed 42's", g.APIID)
		}
	}
}

func TestBackfill(t *testing.T) {
	root := t.TempDir()
	l, err := NewLive(root, LiveConfig{Config: Config{Seed: 42, APIs: 3, Instances: 2}})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	l.now = func() time.Time { return now }
	if err := l.Backfill(10*time.Minute, 2); err != nil {
		t.Fatal(err)
	}
	if got := l.now(); !got.Equal(now) {
		t.Fatalf("clock not restored: %s", got)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if n := countRecords(t, root); n != 1200 || l.Truth().Total != 1200 {
		t.Fatalf("%d records, truth %d, want 1200", n, l.Truth().Total)
	}
	gt := l.Truth()
	if gt.First.Before(now.Add(-10*time.Minute)) || !gt.Last.Before(now) || gt.Last.Sub(gt.First) < 9*time.Minute {
		t.Fatalf("records from %s to %s, want within the 10 minutes before %s", gt.First, gt.Last, now)
	}
}
