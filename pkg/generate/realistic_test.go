package generate

import (
	"net/netip"
	"testing"
	"time"
)

// The realistic profile's cardinality: distinct paths grow with traffic,
// clients have a heavy tail and include IPv6, APIs have different mixes.
func TestRealisticProfileCardinality(t *testing.T) {
	n := 200_000
	if testing.Short() {
		n = 50_000
	}
	g, err := newGenerator(Config{Seed: 1, APIs: 21, Instances: 3, Profile: ProfileRealistic})
	if err != nil {
		t.Fatal(err)
	}
	paths, clients := map[string]int{}, map[string]int{}
	v6 := 0
	ts := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		r, _, _, _, client := g.next(ts)
		paths[r.URIPath]++
		if clients[client]++; clients[client] == 1 {
			a, err := netip.ParseAddr(client)
			if err != nil {
				t.Fatalf("client %q: %v", client, err)
			}
			if a.Is6() {
				v6++
			}
		}
	}
	top := 0
	for _, c := range clients {
		top = max(top, c)
	}
	t.Logf("%d records: %d distinct paths, %d clients (%d IPv6), busiest client %d", n, len(paths), len(clients), v6, top)
	if len(paths) < n/4 {
		t.Errorf("%d distinct paths in %d records, want at least a quarter", len(paths), n)
	}
	if v6 == 0 || v6 > len(clients)/2 {
		t.Errorf("%d IPv6 clients of %d", v6, len(clients))
	}
	if top < n/100 {
		t.Errorf("busiest client sent %d of %d: no heavy head", top, n)
	}
	a, b := RealisticAPIs(1, 21)[0], RealisticAPIs(1, 21)[1]
	if a.Operations[0].template == b.Operations[0].template && len(a.Operations) == len(b.Operations) {
		t.Errorf("APIs 0 and 1 have the same mix")
	}
	if d, _ := newGenerator(Config{Seed: 1, APIs: 4, Instances: 3}); d.realistic {
		t.Errorf("default profile is realistic")
	}
}
