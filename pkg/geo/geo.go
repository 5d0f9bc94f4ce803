// Package geo resolves client IP addresses to a country, an autonomous
// system and a city from a local MaxMind-format database (.mmdb: GeoLite2,
// DB-IP, ip-location-db country, city or ASN files), read with
// github.com/oschwald/maxminddb-golang/v2. It never looks anything up over
// the network. Each distinct address is resolved once and kept.
package geo

import (
	"fmt"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/oschwald/maxminddb-golang/v2"
)

// Dimension names the query model gives what a database holds.
const (
	Country = "clientCountry"
	ASN     = "clientAsn"
	City    = "clientCity"
)

// Info is what the database says about one address; "" when it says nothing.
type Info struct {
	Country string // ISO 3166-1 alpha-2 code, e.g. "FR"
	ASN     string // "AS15169 Google LLC" (the number alone when the name is missing)
	City    string // English name
}

// maxCached bounds the per-address cache; past it the cache starts over.
const maxCached = 1 << 20

// DB is an open database with its per-address cache. Safe for concurrent use.
type DB struct {
	path   string
	reader *maxminddb.Reader
	has    map[string]bool // Country, ASN, City: the fields the database holds

	mu    sync.RWMutex
	cache map[string]Info
}

// Open opens a database file and works out which fields it holds (from its
// type, then from what a few well-known addresses give).
func Open(path string) (*DB, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("geo database: %w", err)
	}
	r, err := maxminddb.Open(path)
	if err != nil {
		return nil, fmt.Errorf("geo database %s: %w", path, err)
	}
	d := &DB{path: path, reader: r, has: map[string]bool{}, cache: map[string]Info{}}
	t := strings.ToLower(r.Metadata.DatabaseType)
	d.has[Country] = strings.Contains(t, "country") || strings.Contains(t, "city")
	d.has[City] = strings.Contains(t, "city")
	d.has[ASN] = strings.Contains(t, "asn")
	for _, probe := range []string{"8.8.8.8", "1.1.1.1", "81.2.69.142", "2001:4860:4860::8888", "89.160.20.112"} {
		in := d.resolve(probe)
		d.has[Country] = d.has[Country] || in.Country != ""
		d.has[City] = d.has[City] || in.City != ""
		d.has[ASN] = d.has[ASN] || in.ASN != ""
	}
	if !d.has[Country] && !d.has[City] && !d.has[ASN] {
		r.Close()
		return nil, fmt.Errorf("geo database %s (type %q) holds no country, city or ASN data this reader knows", path, r.Metadata.DatabaseType)
	}
	return d, nil
}

// Close releases the file.
func (d *DB) Close() error { return d.reader.Close() }

// Has says whether the database holds a dimension (Country, ASN, City).
func (d *DB) Has(dimension string) bool { return d != nil && d.has[dimension] }

// Dimensions lists the dimensions the database holds, in a fixed order.
func (d *DB) Dimensions() []string {
	var out []string
	for _, k := range []string{Country, ASN, City} {
		if d.Has(k) {
			out = append(out, k)
		}
	}
	return out
}

// Describe names the database for the health check.
func (d *DB) Describe() string {
	m := d.reader.Metadata
	return fmt.Sprintf("%s (%s, built %s; %s)", d.path, m.DatabaseType, m.BuildTime().UTC().Format("2006-01-02"), strings.Join(d.Dimensions(), ", "))
}

// Lookup resolves one address (text, as the logs give it); an address that
// does not parse, or that the database does not know, gives the empty Info.
func (d *DB) Lookup(ip string) Info {
	d.mu.RLock()
	in, ok := d.cache[ip]
	d.mu.RUnlock()
	if ok {
		return in
	}
	in = d.resolve(ip)
	d.mu.Lock()
	if len(d.cache) >= maxCached {
		d.cache = map[string]Info{}
	}
	d.cache[ip] = in
	d.mu.Unlock()
	return in
}

// Value is Lookup's answer for one dimension.
func (d *DB) Value(dimension, ip string) string {
	in := d.Lookup(ip)
	switch dimension {
	case Country:
		return in.Country
	case ASN:
		return in.ASN
	case City:
		return in.City
	}
	return ""
}

func (d *DB) resolve(ip string) Info {
	addr, err := netip.ParseAddr(strings.TrimSpace(ip))
	if err != nil {
		return Info{}
	}
	addr = addr.Unmap()
	if !addr.IsGlobalUnicast() || addr.IsPrivate() {
		return Info{} // private, loopback, link-local …: no place (some databases still list them)
	}
	var rec map[string]any
	if err := d.reader.Lookup(addr).Decode(&rec); err != nil || rec == nil {
		return Info{}
	}
	return infoOf(rec)
}

// infoOf reads the layouts in use: MaxMind's and DB-IP's (country.iso_code,
// city.names.en, autonomous_system_number / _organization) and
// ip-location-db's (country_code, city as text).
func infoOf(rec map[string]any) Info {
	var in Info
	if c, ok := rec["country"].(map[string]any); ok {
		in.Country, _ = c["iso_code"].(string)
	}
	if in.Country == "" {
		in.Country, _ = rec["country_code"].(string)
	}
	if in.Country == "" {
		if c, ok := rec["registered_country"].(map[string]any); ok {
			in.Country, _ = c["iso_code"].(string)
		}
	}
	switch c := rec["city"].(type) {
	case string:
		in.City = c
	case map[string]any:
		if names, ok := c["names"].(map[string]any); ok {
			in.City, _ = names["en"].(string)
		}
	}
	num := ""
	switch n := rec["autonomous_system_number"].(type) {
	case uint64:
		num = strconv.FormatUint(n, 10)
	case uint32:
		num = strconv.FormatUint(uint64(n), 10)
	case int:
		num = strconv.Itoa(n)
	case string:
		num = n
	}
	if num != "" {
		in.ASN = "AS" + strings.TrimPrefix(num, "AS")
		if org, _ := rec["autonomous_system_organization"].(string); org != "" {
			in.ASN += " " + org
		}
	}
	return in
}
