package generate

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apifw/monitor/pkg/geo"
)

// The public demo clients resolve, in the bundled country database, to the
// country each network is listed with (the geography panels' point).
func TestPublicClientIPCountries(t *testing.T) {
	p := filepath.Join("..", "..", "node_modules", "@ip-location-db", "geo-whois-asn-country-mmdb", "geo-whois-asn-country.mmdb")
	if _, err := os.Stat(p); err != nil {
		t.Skip("node_modules/@ip-location-db/geo-whois-asn-country-mmdb absent (npm ci)")
	}
	db, err := geo.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for rank := 0; rank < 5000; rank += 7 {
		ip := publicClientIP(rank)
		want := publicClientNets[rank%len(publicClientNets)].Country
		if got := db.Value(geo.Country, ip); got != want {
			t.Fatalf("rank %d: %s is in %q, want %q", rank, ip, got, want)
		}
	}
}

// PublicClients changes the client addresses only: the same draws, records
// and truth otherwise, and no 10.x address left.
func TestPublicClientsKeepTheDraws(t *testing.T) {
	end := time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
	cfg := Config{Seed: 3, APIs: 3, Instances: 2, Records: 400, Start: end.Add(-time.Hour), End: end, TrackUUIDs: true}
	private, err := WriteFiles(t.TempDir(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	cfg.PublicClients = true
	dir := t.TempDir()
	public, err := WriteFiles(dir, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(private.UUIDs, ",") != strings.Join(public.UUIDs, ",") || private.Total != public.Total || private.ByOutcome["blocked"] != public.ByOutcome["blocked"] {
		t.Fatalf("the draws changed: %d/%d records, %d/%d blocked", private.Total, public.Total, private.ByOutcome["blocked"], public.ByOutcome["blocked"])
	}
	err = filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.Contains(string(b), `"source_ip":"10.`) {
			t.Errorf("%s still has a 10.x client", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := WriteFiles(t.TempDir(), Config{Seed: 3, APIs: 3, Instances: 2, Records: 10, Start: cfg.Start, End: end, Profile: ProfileRealistic, PublicClients: true}); err == nil {
		t.Error("the realistic profile took PublicClients")
	}
}
