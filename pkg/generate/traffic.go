// Package generate writes realistic, deterministic firewall data for tests,
// benchmarks and the demo, together with the exact aggregates it wrote.
package generate

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"time"
)

// Config describes the traffic to write.
type Config struct {
	Seed      int64
	APIs      int
	Instances int
	Records   int
	Start     time.Time
	End       time.Time
	// Bodies adds base64 request/response bodies, as firewalls with body
	// logging on do (the backend must never index or show them).
	Bodies bool
	// TrackUUIDs lists every written UUID in GroundTruth.UUIDs, so tests
	// can check that each record was read exactly once.
	TrackUUIDs bool
	// DrawSeed, when not 0, seeds the draws (times, clients, UUIDs) while
	// Seed still names the APIs: a live writer appending to files another
	// run wrote for the same APIs draws other UUIDs.
	DrawSeed int64
	// Profile is the cardinality of the draws: ProfileDemo ("", the
	// default: few distinct paths and IPv4 clients) or ProfileRealistic.
	Profile Profile
	// PublicClients (demo profile only) names the clients from public
	// ranges a geo database resolves (PublicClientIP) instead of 10.x, so
	// the demo's geography panels show countries. The draws are the same:
	// only the addresses written change.
	PublicClients bool
}

// Profile names a cardinality profile of generated traffic.
type Profile string

const (
	// ProfileDemo is the original profile: 12 operation templates with ids
	// 1–5000, 5 000 IPv4 clients (Zipf). Paths repeat a lot.
	ProfileDemo Profile = ""
	// ProfileRealistic is traffic at real-world cardinality: ids in path
	// segments (users, orders, accounts, documents…, several per path), so
	// distinct paths grow with traffic (about 250 k per 1 M transactions);
	// clients with a heavy tail (a few scanners and gateways, then a long
	// tail of single visitors), a quarter of them IPv6; each API has its own
	// operations with its own skewed mix.
	ProfileRealistic Profile = "realistic"
)

// ParseProfile checks a profile name ("demo" is the default profile).
func ParseProfile(s string) (Profile, error) {
	switch s {
	case "", "demo":
		return ProfileDemo, nil
	case string(ProfileRealistic):
		return ProfileRealistic, nil
	}
	return "", fmt.Errorf("unknown profile %q (demo or realistic)", s)
}

// GroundTruth is what the written files contain, computed while writing.
type GroundTruth struct {
	Total           int            `json:"total"`
	ByOutcome       map[string]int `json:"byOutcome"`
	ByInstance      map[string]int `json:"byInstance"`
	ByAPI           map[string]int `json:"byApi"`
	DistinctClients int            `json:"distinctClients"`
	First           time.Time      `json:"first"`
	Last            time.Time      `json:"last"`
	// UUIDs of every record written (Config.TrackUUIDs), in writing order.
	UUIDs []string `json:"uuids,omitempty"`
	// BadLines is how many bad records the injected garbage must produce.
	BadLines int `json:"badLines,omitempty"`
}

// newTruth returns an empty ground truth.
func newTruth() GroundTruth {
	return GroundTruth{ByOutcome: map[string]int{}, ByInstance: map[string]int{}, ByAPI: map[string]int{}}
}

// add counts one written record.
func (gt *GroundTruth) add(r *record, inst, outcome string, client string, clients map[string]bool, track bool) {
	ts := time.UnixMicro(r.DateEpoch).UTC()
	gt.Total++
	gt.ByOutcome[outcome]++
	gt.ByInstance[inst]++
	gt.ByAPI[r.API]++
	clients[client] = true
	gt.DistinctClients = len(clients)
	if gt.First.IsZero() || ts.Before(gt.First) {
		gt.First = ts
	}
	if ts.After(gt.Last) {
		gt.Last = ts
	}
	if track {
		gt.UUIDs = append(gt.UUIDs, r.UUID)
	}
}

// generator draws records: the same draws in the same order for a seed.
type generator struct {
	rng        *rand.Rand
	apis       []API
	clientZipf *rand.Zipf
	apiZipf    *rand.Zipf
	instances  int
	bodies     bool
	realistic  bool
	// publicClients: Config.PublicClients, demo profile only.
	publicClients bool
}

func newGenerator(cfg Config) (*generator, error) {
	if cfg.APIs < 1 || cfg.Instances < 1 {
		return nil, fmt.Errorf("need at least one API and instance")
	}
	drawSeed := cfg.Seed
	if cfg.DrawSeed != 0 {
		drawSeed = cfg.DrawSeed
	}
	rng := rand.New(rand.NewSource(drawSeed))
	g := &generator{rng: rng, apis: APIs(cfg.Seed, cfg.APIs), instances: cfg.Instances, bodies: cfg.Bodies}
	switch cfg.Profile {
	case ProfileDemo:
		g.clientZipf = rand.NewZipf(rng, 1.2, 4, 4999)
		g.publicClients = cfg.PublicClients
	case ProfileRealistic:
		if cfg.PublicClients {
			return nil, fmt.Errorf("public clients are for the demo profile only")
		}
		g.realistic = true
		g.apis = RealisticAPIs(cfg.Seed, cfg.APIs)
		g.clientZipf = rand.NewZipf(rng, 1.4, 10, realisticClients-1)
	default:
		return nil, fmt.Errorf("unknown profile %q", cfg.Profile)
	}
	g.apiZipf = rand.NewZipf(rng, 1.1, 2, uint64(cfg.APIs-1))
	return g, nil
}

// next draws one transaction at ts: the record, its instance, the file it
// belongs to in the FILES layout, its outcome and client.
func (g *generator) next(ts time.Time) (r record, inst, file, outcome, client string) {
	inst = InstanceName(g.rng.Intn(g.instances))
	api := g.apis[g.apiZipf.Uint64()]
	rank := int(g.clientZipf.Uint64())
	client = clientIP(rank)
	if g.publicClients {
		client = publicClientIP(rank)
	}
	if g.realistic {
		client = realisticClientIP(int(g.clientZipf.Uint64()))
	}
	sc := pickScenario(g.rng)
	r = buildRecord(g.rng, ts, inst, api, client, sc, g.bodies)
	file = "api-" + api.ID + ".transaction.log"
	outcome = "allowed"
	switch {
	case sc == unmatchedHost:
		file, outcome = "api-unknown.transaction.log", "unmatched"
	case len(r.Errors) > 0 && api.NonBlocking:
		outcome = "wouldBlock"
	case len(r.Errors) > 0:
		outcome = "blocked"
	}
	return r, inst, file, outcome, client
}

// API is one generated protected API.
type API struct {
	ID          string
	Name        string
	NonBlocking bool
	Operations  []operation
}

type operation struct {
	method, template string
	// realistic profile: the share of the API's calls (cumulative over the
	// API's operations) and the id space of each {…} segment, in order.
	cum float64
	ids []int
}

var operationPool = []struct{ method, template string }{
	{"GET", "/api/users/{id}"}, {"PUT", "/api/users/{id}"}, {"POST", "/api/user/login"},
	{"POST", "/api/user/register"}, {"GET", "/api/user/info"}, {"GET", "/api/admin/all_users"},
	{"GET", "/api/pictures/{id}"}, {"POST", "/api/pictures"}, {"DELETE", "/api/pictures/{id}"},
	{"GET", "/api/orders"}, {"GET", "/api/orders/{id}"}, {"POST", "/api/orders"},
}

// APIs returns the deterministic API list for a seed.
func APIs(seed int64, n int) []API {
	rng := rand.New(rand.NewSource(seed ^ 0x5eed))
	apis := make([]API, n)
	for i := range apis {
		ops := make([]operation, len(operationPool))
		for k, o := range operationPool {
			ops[k] = operation{method: o.method, template: o.template}
		}
		rng.Shuffle(len(ops), func(a, b int) { ops[a], ops[b] = ops[b], ops[a] })
		apis[i] = API{
			ID:          uuidFrom(rng),
			Name:        fmt.Sprintf("Demo API %d_1.%d.0", i+1, i%3),
			NonBlocking: i%4 == 3, // every fourth API runs in monitor-only mode
			Operations:  ops[:6+rng.Intn(6)],
		}
	}
	return apis
}

// InstanceName is the name of the i-th generated firewall instance.
func InstanceName(i int) string { return fmt.Sprintf("fw-%02d", i+1) }

func uuidFrom(rng *rand.Rand) string {
	var b [16]byte
	rng.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// record is one transaction in the firewall's v1.0.25 format.
type record struct {
	Version          string           `json:"version"`
	UUID             string           `json:"uuid"`
	DateRFC          string           `json:"date_rfc8601"`
	DateEpoch        int64            `json:"date_epoch"`
	Duration         int64            `json:"duration"`
	Pod              map[string]any   `json:"pod"`
	API              string           `json:"api"`
	APIName          string           `json:"api_name"`
	NonBlocking      bool             `json:"non_blocking_mode"`
	BlockingLevel    int              `json:"blocking_level"`
	SourceIP         string           `json:"source_ip"`
	SourcePort       int              `json:"source_port"`
	DestinationIP    string           `json:"destination_ip"`
	DestinationPort  int              `json:"destination_port"`
	Protocol         string           `json:"protocol"`
	Hostname         string           `json:"hostname"`
	URIPath          string           `json:"uri_path"`
	OASPath          string           `json:"oas_path"`
	Method           string           `json:"method"`
	Query            string           `json:"query"`
	Status           int              `json:"status"`
	Params           map[string]any   `json:"params"`
	RequestBodySize  int              `json:"request_body_size"`
	ResponseBodySize int              `json:"response_body_size"`
	ResponseAborted  bool             `json:"response_aborted"`
	RequestBody      string           `json:"request_body,omitempty"`
	ResponseBody     string           `json:"response_body,omitempty"`
	Errors           []map[string]any `json:"errors"`
	Traces           []map[string]any `json:"traces"`
	Customs          map[string]any   `json:"customs"`
}

// scenario is what kind of call a generated transaction is.
type scenario int

const (
	normal          scenario = iota
	enumeration              // 404 "path not defined in OAS" from a scanning bot
	missingToken             // required security header absent
	requestInvalid           // request validation failed
	responseInvalid          // 502 response validation
	rateLimited              // 429
	wrongMethod              // 405 operation mapping
	unmatchedHost            // matched no API: api-unknown file
)

// WriteFiles writes cfg.Records transactions under root and returns their aggregates.
func WriteFiles(root string, cfg Config) (GroundTruth, error) {
	if cfg.APIs < 1 || cfg.Instances < 1 || !cfg.End.After(cfg.Start) {
		return GroundTruth{}, fmt.Errorf("need at least one API and instance and a non-empty time span")
	}
	g, err := newGenerator(cfg)
	if err != nil {
		return GroundTruth{}, err
	}

	type key struct{ instance, file string }
	byFile := map[key][]record{}
	gt := newTruth()
	clients := map[string]bool{}
	span := cfg.End.Sub(cfg.Start)

	for i := 0; i < cfg.Records; i++ {
		ts := cfg.Start.Add(time.Duration(g.rng.Int63n(int64(span)))).Truncate(time.Microsecond) // records carry µs
		r, inst, file, outcome, client := g.next(ts)
		byFile[key{inst, file}] = append(byFile[key{inst, file}], r)
		gt.add(&r, inst, outcome, client, clients, cfg.TrackUUIDs)
	}

	keys := make([]key, 0, len(byFile))
	for k := range byFile {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].instance+keys[i].file < keys[j].instance+keys[j].file })
	for _, k := range keys {
		recs := byFile[k]
		sort.Slice(recs, func(i, j int) bool { return recs[i].DateEpoch < recs[j].DateEpoch })
		if err := writeNDJSON(filepath.Join(root, k.instance, k.file), recs); err != nil {
			return gt, err
		}
	}
	// Every instance also has its (empty or not) unknown-traffic file, as real ones do.
	for i := 0; i < cfg.Instances; i++ {
		p := filepath.Join(root, InstanceName(i), "api-unknown.transaction.log")
		if _, err := os.Stat(p); os.IsNotExist(err) {
			if err := writeNDJSON(p, nil); err != nil {
				return gt, err
			}
		}
	}
	return gt, nil
}

func writeNDJSON(path string, recs []record) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for i := range recs {
		if err := enc.Encode(&recs[i]); err != nil {
			f.Close()
			return err
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func clientIP(rank int) string {
	return fmt.Sprintf("10.%d.%d.%d", 20+rank/65536%200, rank/256%256, rank%256)
}

// publicClientNets are /24s of Internet infrastructure operators (regional
// registries, root name servers, exchange points) on five continents. Why
// these: the documentation ranges (RFC 5737) are the safe choice for made-up
// addresses but geo databases do not place them in real countries, and an
// address drawn at random could be a real person's; these networks are
// publicly listed infrastructure that every geo database places, in the
// country noted (as @ip-location-db/geo-whois-asn-country-mmdb does; checked
// by TestPublicClientIPCountries).
var publicClientNets = []struct{ Prefix, Country string }{
	{"193.0.0", "NL"},     // RIPE NCC
	{"199.7.83", "US"},    // ICANN, L-root
	{"202.12.27", "JP"},   // WIDE, M-root
	{"200.160.0", "BR"},   // NIC.br
	{"80.81.192", "DE"},   // DE-CIX peering LAN
	{"195.66.224", "GB"},  // LINX peering LAN
	{"192.36.148", "SE"},  // Netnod, I-root
	{"203.119.101", "AU"}, // APNIC
	{"196.216.2", "ZA"},   // AFRINIC
	{"200.3.12", "UY"},    // LACNIC
}

// publicClientIP names the demo client of a Zipf rank in publicClientNets
// (2 540 addresses: ranks past that share one).
func publicClientIP(rank int) string {
	n := publicClientNets[rank%len(publicClientNets)]
	return fmt.Sprintf("%s.%d", n.Prefix, rank/len(publicClientNets)%254+1)
}

func pickScenario(rng *rand.Rand) scenario {
	switch p := rng.Intn(1000); {
	case p < 780:
		return normal
	case p < 850:
		return enumeration
	case p < 880:
		return missingToken
	case p < 920:
		return requestInvalid
	case p < 935:
		return responseInvalid
	case p < 955:
		return rateLimited
	case p < 965:
		return wrongMethod
	default:
		return unmatchedHost
	}
}

var userAgents = []string{"Mozilla/5.0 (X11; Linux x86_64)", "PostmanRuntime/7.36.3", "curl/8.5.0", "python-requests/2.31.0", "okhttp/4.12.0"}

func buildRecord(rng *rand.Rand, ts time.Time, inst string, api API, client string, sc scenario, bodies bool) record {
	var op operation
	var path string
	if api.Operations[0].cum > 0 { // realistic profile
		op = pickOperation(api.Operations, rng.Float64())
		path = fillIDs(op, rng)
	} else {
		op = api.Operations[rng.Intn(len(api.Operations))]
		path = fillTemplate(op.template, rng)
	}
	oas := op.template
	method := op.method
	status := []int{200, 200, 200, 201, 204}[rng.Intn(5)]
	var errs []map[string]any
	addErr := func(step, msg string) {
		errs = append(errs, map[string]any{"step": step, "depth": 1, "state": step, "kdb_token": "n/a", "message": msg})
	}
	switch sc {
	case enumeration:
		path = []string{"/api/admin/users/search", "/.env", "/api/v1/debug", "/api/internal/config", "/backup.zip"}[rng.Intn(5)]
		oas, status = "n/a", 404
		addErr("hostpath_mapping", "path not defined in OAS")
	case missingToken:
		status = 401
		addErr("request_security", `missing ["x-access-token"]`)
		addErr("request_validation", "Fault: Request validation failed")
	case requestInvalid:
		status = 400
		addErr("request_validation", "validation of pattern failed for #/paths/~1user~1login/post/requestBody/content/application~1json/schema/properties/user")
		addErr("request_validation", "Fault: Request validation failed")
	case responseInvalid:
		status = 502
		addErr("response_validation", "Fault: Response validation failed")
	case rateLimited:
		status = 429
		addErr("rate_limiting", "Fault: Too many requests for this client")
	case wrongMethod:
		method, status = "PATCH", 405
		addErr("operation_mapping", "operation not defined in OAS")
	case unmatchedHost:
		path, oas, status = []string{"/wp-login.php", "/", "/robots.txt"}[rng.Intn(3)], "n/a", 404
	}
	if api.NonBlocking && len(errs) > 0 {
		// Monitor-only mode: the firewall reports and lets the call through.
		status = 200
	}
	apiID, apiName, nonBlocking := api.ID, api.Name, api.NonBlocking
	if sc == unmatchedHost {
		apiID, apiName, nonBlocking = "n/a", "n/a", false
	}
	epoch := ts.UnixMicro()
	steps := []string{"request_fetching", "hostpath_mapping", "request_body_fetching", "request_forwarding", "response_fetching", "response_flushing"}
	var traces []map[string]any
	at, total := epoch+int64(rng.Intn(9000)), int64(0)
	for _, s := range steps {
		d := int64(200 + rng.Intn(3000))
		if s == "request_forwarding" {
			d = int64(5000 + rng.Intn(150000))
		}
		traces = append(traces, map[string]any{"step": s, "depth": 1, "date_epoch": at, "duration": d})
		at += d + int64(rng.Intn(500))
		total += d
	}
	reqHeaders := []map[string]string{
		{"Accept": "application/json"}, {"User-Agent": userAgents[rng.Intn(len(userAgents))]},
		{"Host": "api.example.test"}, {"x-access-token": "eyJhbGciOiJIUzI1NiJ9." + base64.RawURLEncoding.EncodeToString([]byte(client)) + ".sig"},
	}
	if rng.Intn(3) == 0 {
		reqHeaders = append(reqHeaders, map[string]string{"Authorization": "Bearer secret-" + fmt.Sprint(rng.Intn(1e6))}, map[string]string{"Cookie": "session=" + fmt.Sprint(rng.Int63())})
	}
	reqSize, respSize := rng.Intn(2000), 20+rng.Intn(5000)
	r := record{
		Version: "v1.0.25:4ff4137566318e4cd62ccc78d4f013f3e26aaf84:20231010110939", UUID: uuidFrom(rng),
		DateRFC: ts.Format("2006-01-02T15:04:05.000000-0700"), DateEpoch: epoch, Duration: total + int64(rng.Intn(2000)),
		Pod: map[string]any{"instance_name": inst, "service_account": "n/a", "namespace": "n/a", "ip": "n/a"},
		API: apiID, APIName: apiName, NonBlocking: nonBlocking, BlockingLevel: []int{0, 1, 3, 5}[rng.Intn(4)],
		SourceIP: client, SourcePort: 1024 + rng.Intn(60000), DestinationIP: "172.18.0.2", DestinationPort: 443,
		Protocol: "HTTP/1.1", Hostname: "api.example.test", URIPath: path, OASPath: oas, Method: method, Status: status,
		Params: map[string]any{"path": []any{}, "query": []any{}, "request_header": reqHeaders,
			"response_header": []map[string]string{{"Content-Type": "application/json"}, {"Content-Length": fmt.Sprint(respSize)}}},
		RequestBodySize: reqSize, ResponseBodySize: respSize,
		Errors: errs, Traces: traces, Customs: map[string]any{},
	}
	if r.Errors == nil {
		r.Errors = []map[string]any{}
	}
	if bodies {
		r.RequestBody = base64.StdEncoding.EncodeToString([]byte(`{"user":"someone@example.test","pass":"hunter2"}`))
		r.ResponseBody = base64.StdEncoding.EncodeToString([]byte(`{"ok":true}`))
	}
	return r
}

func fillTemplate(t string, rng *rand.Rand) string {
	out := []byte{}
	for i := 0; i < len(t); i++ {
		if t[i] == '{' {
			for i < len(t) && t[i] != '}' {
				i++
			}
			out = append(out, fmt.Sprint(1+rng.Intn(5000))...)
			continue
		}
		out = append(out, t[i])
	}
	return string(out)
}
