package geo

import (
	"os"
	"path/filepath"
	"testing"
)

// testDB is the CC0 country database the npm package
// @ip-location-db/geo-whois-asn-country-mmdb installs (npm ci); the test is
// skipped without it. Nothing is downloaded at run time.
func testDB(t *testing.T) *DB {
	t.Helper()
	p := filepath.Join("..", "..", "node_modules", "@ip-location-db", "geo-whois-asn-country-mmdb", "geo-whois-asn-country.mmdb")
	if _, err := os.Stat(p); err != nil {
		t.Skip("node_modules/@ip-location-db/geo-whois-asn-country-mmdb absent (npm ci)")
	}
	d, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func TestCountryDatabase(t *testing.T) {
	d := testDB(t)
	if !d.Has(Country) || d.Has(City) || d.Has(ASN) || len(d.Dimensions()) != 1 {
		t.Fatalf("fields %v (%s)", d.Dimensions(), d.Describe())
	}
	for ip, want := range map[string]string{
		"8.8.8.8":              "US",
		"::ffff:8.8.8.8":       "US",
		"2001:4860:4860::8888": "US",
		"192.168.228.1":        "", // private: no country
		"not an ip":            "",
		"":                     "",
	} {
		if got := d.Lookup(ip).Country; got != want {
			t.Errorf("%q: %q, want %q", ip, got, want)
		}
	}
	// Resolved once: the second look-up is the cached answer.
	if _, ok := d.cache["8.8.8.8"]; !ok {
		t.Error("not cached")
	}
	if d.Value(Country, "8.8.8.8") != "US" || d.Value(City, "8.8.8.8") != "" {
		t.Error("Value")
	}
}

func TestInfoOfLayouts(t *testing.T) {
	maxmind := map[string]any{"country": map[string]any{"iso_code": "SE"}, "city": map[string]any{"names": map[string]any{"en": "Linköping"}}}
	if in := infoOf(maxmind); in.Country != "SE" || in.City != "Linköping" {
		t.Errorf("maxmind %+v", in)
	}
	ipdb := map[string]any{"country_code": "FR", "city": "Paris"}
	if in := infoOf(ipdb); in.Country != "FR" || in.City != "Paris" {
		t.Errorf("ip-location-db %+v", in)
	}
	asn := map[string]any{"autonomous_system_number": uint64(15169), "autonomous_system_organization": "Google LLC"}
	if in := infoOf(asn); in.ASN != "AS15169 Google LLC" {
		t.Errorf("asn %+v", in)
	}
}

func TestOpenMissing(t *testing.T) {
	if _, err := Open(filepath.Join(t.TempDir(), "none.mmdb")); err == nil {
		t.Error("no error")
	}
}
