package vlogs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/apifw/monitor/pkg/index"
	"github.com/apifw/monitor/pkg/model"
	"github.com/apifw/monitor/pkg/query"
	"github.com/apifw/monitor/pkg/ship"
)

// MaxGroups bounds the groups one aggregation may return (topN and traffic
// rank values here, exactly as the engine does).
const MaxGroups = 1_000_000

// Backend answers transaction queries from VictoriaLogs.
type Backend struct {
	Conn   *ship.Conn
	Limits query.Limits
	Now    func() time.Time
	// Deletions is the data source's persisted deletion list (nil: none):
	// every query excludes it, whether or not VictoriaLogs' own delete task
	// has finished.
	Deletions *Deletions
	// Collections resolves filters.collection to API ids, as the embedded
	// engine's Collections does (nil: a collection filter matches nothing).
	Collections func(names []string) ([]string, error)
	// Geo resolves client addresses for the geo dimensions and filters, as
	// the embedded engine's Geo does (nil: no geoDatabase). The records
	// carry no geography: it is resolved here at query time, once per
	// distinct client address.
	Geo query.GeoLookup
}

func (b *Backend) now() time.Time {
	if b.Now != nil {
		return b.Now()
	}
	return time.Now()
}

func (b *Backend) start(ctx context.Context, tr query.TimeRange) (context.Context, context.CancelFunc, query.Limits, error) {
	lim := b.Limits.WithDefaults()
	if lim.MaxRange > 0 && !tr.From.IsZero() && !tr.To.IsZero() && tr.To.Sub(tr.From) > lim.MaxRange {
		return ctx, func() {}, lim, fmt.Errorf("%w: time range %s is longer than the limit %s", query.ErrLimit, tr.To.Sub(tr.From), lim.MaxRange)
	}
	ctx, cancel := context.WithTimeout(ctx, lim.Timeout)
	return ctx, cancel, lim, nil
}

// run runs a LogsQL query with extra filters (VictoriaLogs' extra_filters;
// "" none: see filter), wrapping transport errors so they read clearly.
func (b *Backend) run(ctx context.Context, lq, extra string, tr query.TimeRange, fn func(map[string]string) error) error {
	err := b.Conn.QueryWith(ctx, lq, extra, tr.From, tr.To, fn)
	if err == nil {
		return nil
	}
	var he *ship.Error
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("VictoriaLogs query took too long (limit reached): %w", err)
	case errors.As(err, &he) && he.Status == 400:
		return fmt.Errorf("%w: VictoriaLogs rejected the query: %s", query.ErrBadQuery, strings.TrimSpace(he.Body))
	case errors.As(err, &he):
		return fmt.Errorf("VictoriaLogs cluster unavailable or incomplete (HTTP %d; no partial answer is given): %s", he.Status, strings.TrimSpace(he.Body))
	case errors.As(err, &ne):
		return fmt.Errorf("VictoriaLogs unreachable: %w", err)
	}
	return err
}

// filter is the LogsQL filter for the query's filters over tr (the range
// the query runs on), and the extra filter to send with it. Filters on geo
// dimensions read only the client address, so they become the set of the
// client addresses in tr, passing the other filters, whose geography
// passes them (clientSet). The set goes as VictoriaLogs' extra_filters
// parameter: it can be far longer than the query text may be
// (-search.maxQueryLen, 16 KB by default).
func (b *Backend) filter(ctx context.Context, f query.Filters, tr query.TimeRange) (string, string, error) {
	if err := query.CheckFiltersGeo(f, b.Geo); err != nil {
		return "", "", err
	}
	rest, _ := query.SplitGeoFilters(f)
	var apis []string
	if len(f.Collection) > 0 && b.Collections != nil {
		ids, err := b.Collections(f.Collection)
		if err != nil {
			return "", "", err
		}
		apis = ids
	}
	s, err := Filter(rest, apis)
	if err != nil {
		return "", "", err
	}
	if ex := b.Deletions.Exclude(); ex != "" {
		s += " " + ex
	}
	if !f.HasGeoFilters() {
		return s, "", nil
	}
	match, err := query.GeoClientMatch(f, b.Geo)
	if err != nil {
		return "", "", err
	}
	ips, err := b.distinctClients(ctx, s, tr)
	if err != nil {
		return "", "", err
	}
	set := clientSet(ips, match)
	if len(set) > MaxExtraFilter {
		return "", "", fmt.Errorf("%w: the geo filter keeps %d of %d client addresses, too many to send to VictoriaLogs: narrow the time range or add filters", query.ErrLimit, countPassing(ips, match), len(ips))
	}
	return s, set, nil
}

// distinctClients are the client address texts of the records matching f in tr.
func (b *Backend) distinctClients(ctx context.Context, f string, tr query.TimeRange) ([]string, error) {
	var ips []string
	err := b.run(ctx, f+" | uniq by ("+ship.FieldClientIP+")", "", tr, func(r map[string]string) error {
		if len(ips) >= MaxGroups {
			return fmt.Errorf("%w: more than %d client addresses to resolve for a geo filter", query.ErrLimit, MaxGroups)
		}
		ips = append(ips, r[ship.FieldClientIP])
		return nil
	})
	return ips, err
}

// MaxExtraFilter bounds the client address set of a geo filter: VictoriaLogs
// reads its form parameters with Go's net/http, which refuses a body
// above 10 MB.
const MaxExtraFilter = 8 << 20

func countPassing(ips []string, match func(string) bool) int {
	n := 0
	for _, ip := range ips {
		if match(ip) {
			n++
		}
	}
	return n
}

// clientSet is the filter keeping the records of the addresses (texts as
// VictoriaLogs returns them) that match passes: the shorter of the list of
// those that pass and the negated list of those that do not. in("") also
// matches records without the field, as "" stands for them.
func clientSet(ips []string, match func(ip string) bool) string {
	var pass, fail []string
	for _, ip := range ips {
		if match(ip) {
			pass = append(pass, ip)
		} else {
			fail = append(fail, ip)
		}
	}
	switch {
	case len(pass) == 0:
		return matchNothing
	case len(fail) == 0:
		return "*"
	case len(fail) < len(pass):
		return "-" + in(ship.FieldClientIP, fail)
	}
	return in(ship.FieldClientIP, pass)
}

// dimensionSource is where a dimension's value comes from: a record field
// and a mapping of its text (the identity but for the geo dimensions,
// resolved from the client address with the geo database, once per
// distinct address).
type dimensionSource struct {
	field string
	value func(text string) string
}

func (b *Backend) dimension(dim string) (dimensionSource, error) {
	if query.IsGeoDimension(dim) {
		of, err := query.BindGeo(dim, b.Geo)
		if err != nil {
			return dimensionSource{}, err
		}
		seen := map[string]string{}
		return dimensionSource{field: ship.FieldClientIP, value: func(ip string) string {
			v, ok := seen[ip]
			if !ok {
				v = of(ip)
				seen[ip] = v
			}
			return v
		}}, nil
	}
	field, ok := Field(dim)
	if !ok {
		return dimensionSource{}, query.BadQuery("dimension %q is not one of %v", dim, query.Dimensions)
	}
	return dimensionSource{field: field, value: func(v string) string { return v }}, nil
}

// Stats answers a stats query.
func (b *Backend) Stats(ctx context.Context, qy query.Query, tr query.TimeRange) (query.StatsResult, error) {
	var res query.StatsResult
	ctx, cancel, _, err := b.start(ctx, tr)
	defer cancel()
	if err != nil {
		return res, err
	}
	f, extra, err := b.filter(ctx, qy.Filters, tr)
	if err != nil {
		return res, err
	}
	// Only what the asked columns need: distinct counts and the duration
	// histogram are the expensive parts (an alert asks for one column).
	want := func(cols ...string) bool {
		if len(qy.Columns) == 0 {
			return true
		}
		for _, c := range cols {
			if slices.Contains(qy.Columns, c) {
				return true
			}
		}
		return false
	}
	lq := f + " | stats count() total, count() if (outcome:=allowed) allowed, count() if (outcome:=blocked) blocked," +
		" count() if (outcome:=wouldBlock) would_block, count() if (outcome:=unmatched) unmatched"
	if want("distinctClients") {
		// The engine counts records without an address as one more client;
		// count_uniq skips empty values.
		lq += ", count_uniq(client_ip) clients, count() if (client_ip:\"\") no_client"
	}
	if want("instances") {
		lq += ", count_uniq(instance) instances"
	}
	err = b.run(ctx, lq, extra, tr, func(r map[string]string) error {
		res.Total, res.Allowed, res.Blocked = fmtInt(r["total"]), fmtInt(r["allowed"]), fmtInt(r["blocked"])
		res.WouldBlock, res.Unmatched = fmtInt(r["would_block"]), fmtInt(r["unmatched"])
		res.DistinctClients, res.Instances = fmtInt(r["clients"]), fmtInt(r["instances"])
		if fmtInt(r["no_client"]) > 0 {
			res.DistinctClients++
		}
		return nil
	})
	if err != nil {
		return res, err
	}
	if res.Total > 0 {
		res.BlockedRatio = float64(res.Blocked) / float64(res.Total)
	}
	if !want("durationP50", "durationP90", "durationP99") {
		return res, nil
	}
	// Exact nearest-rank percentiles from the histogram of durations.
	type dc struct{ d, n int64 }
	var hist []dc
	var n int64
	err = b.run(ctx, f+" "+ship.FieldDuration+":* | stats by ("+ship.FieldDuration+") count() n", extra, tr, func(r map[string]string) error {
		d, err := strconv.ParseInt(r[ship.FieldDuration], 10, 64)
		if err != nil {
			return nil
		}
		c := fmtInt(r["n"])
		hist = append(hist, dc{d, c})
		n += c
		if len(hist) > MaxGroups {
			return fmt.Errorf("%w: too many distinct durations", query.ErrLimit)
		}
		return nil
	})
	if err != nil {
		return res, err
	}
	if n > 0 {
		sort.Slice(hist, func(i, j int) bool { return hist[i].d < hist[j].d })
		pct := func(p int64) int64 {
			rank := max((p*n+99)/100, 1)
			var seen int64
			for _, h := range hist {
				seen += h.n
				if seen >= rank {
					return h.d
				}
			}
			return hist[len(hist)-1].d
		}
		res.DurationP50, res.DurationP90, res.DurationP99 = pct(50), pct(90), pct(99)
	}
	return res, nil
}

// group is one value of a dimension with its counts by outcome.
type group struct {
	value   string
	apiName string
	count   [4]int64
	total   int64
}

// countBy counts the matching records by a dimension's value and outcome.
func (b *Backend) countBy(ctx context.Context, f, extra, dim string, tr query.TimeRange) ([]*group, int64, error) {
	src, err := b.dimension(dim)
	if err != nil {
		return nil, 0, err
	}
	field := src.field
	by := field
	if dim == "api" {
		by += ", " + ship.FieldAPIName
	}
	// One row per value, its outcomes as conditional counts.
	groups := map[string]*group{}
	var total int64
	lq := f + " | stats by (" + by + ") count() n, count() if (outcome:=allowed) o0, count() if (outcome:=blocked) o1," +
		" count() if (outcome:=wouldBlock) o2, count() if (outcome:=unmatched) o3"
	err = b.run(ctx, lq, extra, tr, func(r map[string]string) error {
		v := src.value(r[field])
		g := groups[v]
		if g == nil {
			if len(groups) >= MaxGroups {
				return fmt.Errorf("%w: more than %d values of %s", query.ErrLimit, MaxGroups, dim)
			}
			g = &group{value: v}
			groups[v] = g
		}
		n := fmtInt(r["n"])
		for o := range g.count {
			g.count[o] += fmtInt(r["o"+strconv.Itoa(o)])
		}
		g.total += n
		total += n
		if dim == "api" && (g.apiName == "" || r[ship.FieldAPIName] < g.apiName) {
			g.apiName = r[ship.FieldAPIName]
		}
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	out := make([]*group, 0, len(groups))
	for _, g := range groups {
		out = append(out, g)
	}
	// The engine's order: larger count first, ties by value.
	sort.Slice(out, func(i, j int) bool {
		if out[i].total != out[j].total {
			return out[i].total > out[j].total
		}
		return out[i].value < out[j].value
	})
	return out, total, nil
}

func share(n, total int64) float64 {
	if total == 0 {
		return 0
	}
	return float64(n) / float64(total)
}

func rowOf(g *group, total int64) query.TopNRow {
	r := query.TopNRow{Value: g.value, APIName: g.apiName, Count: g.total,
		Allowed: g.count[0], Blocked: g.count[1], WouldBlock: g.count[2], Unmatched: g.count[3]}
	r.Share = share(r.Count, total)
	return r
}

// TopN answers a topN query.
func (b *Backend) TopN(ctx context.Context, qy query.Query, tr query.TimeRange) (query.TopNResult, error) {
	res := query.TopNResult{Dimension: qy.Dimension}
	if qy.Dimension == "" {
		return res, query.BadQuery("topN needs a dimension (one of %v)", query.Dimensions)
	}
	if _, err := b.dimension(qy.Dimension); err != nil {
		return res, err
	}
	ctx, cancel, lim, err := b.start(ctx, tr)
	defer cancel()
	if err != nil {
		return res, err
	}
	limit, err := query.LimitOf(qy.Limit, 10, lim.MaxLimit)
	if err != nil {
		return res, err
	}
	f, extra, err := b.filter(ctx, qy.Filters, tr)
	if err != nil {
		return res, err
	}
	groups, total, err := b.countBy(ctx, f, extra, qy.Dimension, tr)
	if err != nil {
		return res, err
	}
	res.Total = total
	var other query.TopNRow
	for i, g := range groups {
		if i < limit {
			res.Rows = append(res.Rows, rowOf(g, total))
			continue
		}
		other.Count += g.total
		other.Allowed += g.count[0]
		other.Blocked += g.count[1]
		other.WouldBlock += g.count[2]
		other.Unmatched += g.count[3]
	}
	if res.Dimension == "api" {
		query.NameAPIRows(res.Rows)
	}
	if other.Count > 0 && !qy.WithoutOther() { // other: false leaves the remainder out, as the engine
		other.Value, other.Other = query.OtherValue, true
		other.Share = share(other.Count, total)
		res.Rows = append(res.Rows, other)
	}
	return res, nil
}

// Traffic answers a traffic query: counts per bucket (epoch-aligned, as the
// engine) and series value, from one LogsQL aggregation.
func (b *Backend) Traffic(ctx context.Context, qy query.Query, tr query.TimeRange) (query.TrafficResult, error) {
	res := query.TrafficResult{Metric: qy.Metric, SplitBy: qy.SplitBy}
	if res.Metric == "" {
		res.Metric = query.MetricCount
	}
	if res.SplitBy == "" {
		res.SplitBy = "outcome"
	}
	switch res.Metric {
	case query.MetricCount, query.MetricRate, query.MetricBlockedRatio:
	default:
		return res, query.BadQuery("metric %q is not one of count, rate, blockedRatio", qy.Metric)
	}
	if tr.From.IsZero() || tr.To.IsZero() || !tr.To.After(tr.From) {
		return res, query.BadQuery("traffic needs a time range with from before to")
	}
	src, err := b.dimension(res.SplitBy)
	if err != nil {
		return res, fmt.Errorf("splitBy: %w", err)
	}
	field := src.field
	ctx, cancel, lim, err := b.start(ctx, tr)
	defer cancel()
	if err != nil {
		return res, err
	}
	iv, err := query.BucketInterval(qy, tr.To.Sub(tr.From))
	if err != nil {
		return res, err
	}
	ivUS := iv.Microseconds()
	if ivUS <= 0 {
		return res, query.BadQuery("interval %s is below 1µs", iv)
	}
	from, to := tr.From.UnixMicro(), tr.To.UnixMicro()
	start := floorDiv(from, ivUS) * ivUS
	nb := int((to - start + ivUS - 1) / ivUS)
	if nb > lim.MaxBuckets {
		return res, fmt.Errorf("%w: %d time buckets of %s is above the maximum %d: widen the interval", query.ErrLimit, nb, iv, lim.MaxBuckets)
	}
	res.Interval = iv
	res.Buckets = make([]time.Time, nb)
	for i := range res.Buckets {
		res.Buckets[i] = time.UnixMicro(start + int64(i)*ivUS).UTC()
	}
	f, extra, err := b.filter(ctx, qy.Filters, tr)
	if err != nil {
		return res, err
	}
	// Series: outcomes, or the top values over the range and a remainder.
	var names, apiNames []string
	seriesOf := map[string]int{}
	others := false
	if res.SplitBy == "outcome" {
		for i, o := range model.Outcomes {
			names = append(names, o.String())
			seriesOf[o.String()] = i
		}
	} else {
		limit, err := query.LimitOf(qy.Limit, 10, lim.MaxSeries)
		if err != nil {
			return res, err
		}
		groups, _, err := b.countBy(ctx, f, extra, res.SplitBy, tr)
		if err != nil {
			return res, err
		}
		for i, g := range groups {
			if i < limit {
				names = append(names, g.value)
				apiNames = append(apiNames, g.apiName)
				seriesOf[g.value] = i
			} else {
				seriesOf[g.value] = limit
			}
		}
		others = len(groups) > limit
	}
	ns := len(names)
	if others {
		ns++
	}
	all := make([]int64, nb*ns)
	blk := make([]int64, nb*ns)
	// Buckets are computed here from the µs time, epoch-aligned: the bucket
	// number is a field of its own, so no rounding of VictoriaLogs' own
	// time buckets can differ from the engine's.
	by := "bucket, " + field
	if field != ship.FieldOutcome {
		by += ", " + ship.FieldOutcome
	}
	if ivUS%1000 != 0 {
		return res, query.BadQuery("the VictoriaLogs store needs a traffic interval of whole milliseconds (got %s)", iv)
	}
	lq := fmt.Sprintf("%s | stats by (_time:%dms, %s) count() n", f, ivUS/1000, strings.TrimPrefix(by, "bucket, "))
	err = b.run(ctx, lq, extra, tr, func(r map[string]string) error {
		t, err := time.Parse(time.RFC3339Nano, r["_time"])
		if err != nil {
			return fmt.Errorf("VictoriaLogs bucket time %q: %v", r["_time"], err)
		}
		bk := int((floorDiv(t.UnixMicro(), ivUS)*ivUS - start) / ivUS)
		s, ok := seriesOf[src.value(r[field])]
		if !ok || bk < 0 || bk >= nb {
			return nil
		}
		n := fmtInt(r["n"])
		k := bk*ns + s
		all[k] += n
		if r[ship.FieldOutcome] == "blocked" {
			blk[k] += n
		}
		return nil
	})
	if err != nil {
		return res, err
	}
	value := func(k int) float64 {
		switch res.Metric {
		case query.MetricRate:
			return float64(all[k]) / iv.Seconds()
		case query.MetricBlockedRatio:
			return share(blk[k], all[k])
		}
		return float64(all[k])
	}
	if res.SplitBy == "outcome" && res.Metric == query.MetricBlockedRatio {
		s := query.Series{Name: query.MetricBlockedRatio, Labels: map[string]string{}, Values: make([]float64, nb)}
		for bk := 0; bk < nb; bk++ {
			var a, bl int64
			for si := 0; si < ns; si++ {
				a += all[bk*ns+si]
				bl += blk[bk*ns+si]
			}
			s.Values[bk] = share(bl, a)
		}
		res.Series = []query.Series{s}
		return res, nil
	}
	var display []string // split by api: the names a person reads, as the engine gives them
	if res.SplitBy == "api" {
		display = query.APIDisplayNames(names, apiNames)
	}
	for si := 0; si < ns; si++ {
		if si >= len(names) && qy.WithoutOther() { // other: false leaves the remainder out, as the engine
			continue
		}
		s := query.Series{Values: make([]float64, nb)}
		if si < len(names) {
			s.Name = names[si]
		} else {
			s.Name, s.Other = query.OtherValue, true
		}
		s.Labels = map[string]string{res.SplitBy: s.Name}
		if si < len(display) {
			s.DisplayName = display[si]
			s.Labels["apiName"] = display[si]
		}
		for bk := 0; bk < nb; bk++ {
			s.Values[bk] = value(bk*ns + si)
		}
		res.Series = append(res.Series, s)
	}
	return res, nil
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// rowFields are the fields a transactions row needs.
var rowFields = strings.Join([]string{"_time", ship.FieldUUID, ship.FieldMethod, ship.FieldPath, ship.FieldStatus,
	ship.FieldOutcome, ship.FieldErrors, ship.FieldInstance, ship.FieldClientIP, ship.FieldAPI, ship.FieldAPIName,
	ship.FieldHostname, ship.FieldOperation, ship.FieldDuration, ship.FieldBlockingLevel, ship.FieldNonBlocking, ship.FieldFile}, ", ")

// Transactions lists matching transactions newest first (ties by uuid).
func (b *Backend) Transactions(ctx context.Context, qy query.Query, tr query.TimeRange) (query.TransactionsResult, error) {
	var res query.TransactionsResult
	ctx, cancel, lim, err := b.start(ctx, tr)
	defer cancel()
	if err != nil {
		return res, err
	}
	limit, err := query.LimitOf(qy.Limit, 100, lim.MaxRows)
	if err != nil {
		return res, err
	}
	f, extra, err := b.filter(ctx, qy.Filters, tr)
	if err != nil {
		return res, err
	}
	lq := fmt.Sprintf("%s | fields %s | sort by (_time desc, uuid) limit %d", f, rowFields, limit)
	var txs []model.Transaction
	err = b.run(ctx, lq, extra, tr, func(r map[string]string) error {
		txs = append(txs, ship.Decode(r))
		return nil
	})
	if err != nil {
		return res, err
	}
	sort.Slice(txs, func(i, j int) bool {
		if !txs[i].Time.Equal(txs[j].Time) {
			return txs[i].Time.After(txs[j].Time)
		}
		return txs[i].UUID < txs[j].UUID
	})
	for _, tx := range txs {
		last := model.TransactionError{}
		if n := len(tx.Errors); n > 0 {
			last = tx.Errors[n-1]
		}
		res.Rows = append(res.Rows, query.TransactionRow{
			UUID: tx.UUID, Time: tx.Time, Method: tx.Method, Path: tx.Path, Status: tx.Status,
			Outcome: tx.Outcome.String(), Reason: last.Message, ErrorStep: last.Step, Instance: tx.Instance,
			ClientIP: tx.ClientIP, APIID: tx.APIID, APIName: tx.APIName, Hostname: tx.Hostname,
			Operation: tx.Operation, DurationUS: tx.DurationUS,
		})
	}
	return res, nil
}

// Trace finds one transaction by uuid, with the masked detail the shipper
// sent (bodies were stripped before it left the host).
func (b *Backend) Trace(ctx context.Context, qy query.Query) (query.TraceResult, *model.TransactionDetail, error) {
	var res query.TraceResult
	id := strings.TrimSpace(qy.UUID)
	if id == "" {
		return res, nil, query.BadQuery("trace needs a uuid")
	}
	if len(id) > 256 {
		return res, nil, query.BadQuery("uuid longer than 256 characters")
	}
	ctx, cancel, _, err := b.start(ctx, query.TimeRange{})
	defer cancel()
	if err != nil {
		return res, nil, err
	}
	var found map[string]string
	f := ship.FieldUUID + ":=" + q(id)
	if ex := b.Deletions.Exclude(); ex != "" {
		f += " " + ex
	}
	err = b.run(ctx, f+" | sort by (_time) limit 1", "", query.TimeRange{}, func(r map[string]string) error {
		found = r
		return nil
	})
	if err != nil {
		return res, nil, err
	}
	if found == nil {
		return res, nil, query.NotFound("transaction %q not found", id)
	}
	res.Transaction = ship.Decode(found)
	res.Position = index.Position{Tx: res.Transaction}
	if s := found[ship.FieldDetail]; s != "" {
		var d model.TransactionDetail
		if err := json.Unmarshal([]byte(s), &d); err != nil {
			res.DetailErr = fmt.Errorf("detail: %w", err)
			return res, nil, nil
		}
		res.Detail = &d
		return res, &d, nil
	}
	res.DetailErr = errors.New("the shipper sent no detail for this transaction")
	return res, nil, nil
}

// Instances lists the firewall instances with records matching the
// filters (any time), with their records in the time range.
func (b *Backend) Instances(ctx context.Context, qy query.Query, tr query.TimeRange) (query.InstancesResult, error) {
	var res query.InstancesResult
	silentAfter := query.DefaultSilentAfter
	if qy.SilentAfter != "" {
		d, err := time.ParseDuration(qy.SilentAfter)
		if err != nil || d <= 0 {
			return res, query.BadQuery("silentAfter %q is not a positive duration such as 15m", qy.SilentAfter)
		}
		silentAfter = d
	}
	res.SilentAfter = silentAfter
	ctx, cancel, _, err := b.start(ctx, tr)
	defer cancel()
	if err != nil {
		return res, err
	}
	f, extra, err := b.filter(ctx, qy.Filters, query.TimeRange{}) // the instances query's filters hold at any time
	if err != nil {
		return res, err
	}
	inRange := "*"
	switch {
	case !tr.From.IsZero() && !tr.To.IsZero():
		inRange = fmt.Sprintf("_time:[%s, %s)", tr.From.UTC().Format(time.RFC3339Nano), tr.To.UTC().Format(time.RFC3339Nano))
	case !tr.From.IsZero():
		inRange = fmt.Sprintf("_time:>=%s", tr.From.UTC().Format(time.RFC3339Nano))
	case !tr.To.IsZero():
		inRange = fmt.Sprintf("_time:<%s", tr.To.UTC().Format(time.RFC3339Nano))
	}
	type inst struct {
		row         query.InstanceRow
		first, last time.Time
		hosts       map[string]bool
		apis        map[index.APIRef]bool
		files       map[string]bool
	}
	byName := map[string]*inst{}
	lq := fmt.Sprintf("%s | stats by (instance, hostname, api, api_name, file) count() all, count() if (%s) in_range, min(_time) first, max(_time) last", f, inRange)
	err = b.run(ctx, lq, extra, query.TimeRange{}, func(r map[string]string) error {
		name := r[ship.FieldInstance]
		in := byName[name]
		if in == nil {
			in = &inst{row: query.InstanceRow{Name: name}, hosts: map[string]bool{}, apis: map[index.APIRef]bool{}, files: map[string]bool{}}
			byName[name] = in
		}
		in.row.Records += fmtInt(r["in_range"])
		first, err1 := time.Parse(time.RFC3339Nano, r["first"])
		last, err2 := time.Parse(time.RFC3339Nano, r["last"])
		if err1 != nil || err2 != nil {
			return fmt.Errorf("VictoriaLogs instance times %q %q", r["first"], r["last"])
		}
		if in.first.IsZero() || first.Before(in.first) {
			in.first = first
		}
		if last.After(in.last) {
			in.last = last
		}
		in.hosts[r[ship.FieldHostname]] = true
		in.apis[index.APIRef{ID: r[ship.FieldAPI], Name: r[ship.FieldAPIName]}] = true
		in.files[r[ship.FieldFile]] = true
		return nil
	})
	if err != nil {
		return res, err
	}
	now := b.now()
	for _, in := range byName {
		r := in.row
		r.FirstSeen, r.LastSeen = in.first.UTC(), in.last.UTC()
		r.Silent = now.Sub(r.LastSeen) > silentAfter
		r.Hostnames = keys(in.hosts)
		r.Files = keys(in.files)
		r.Sources = query.LogSources(r.Files)
		r.APIs = query.SortedAPIs(in.apis)
		res.Rows = append(res.Rows, r)
	}
	sort.Slice(res.Rows, func(i, j int) bool { return res.Rows[i].Name < res.Rows[j].Name })
	return res, nil
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
