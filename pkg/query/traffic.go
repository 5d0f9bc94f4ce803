package query

import (
	"context"
	"strings"
	"time"

	"github.com/apifw/monitor/pkg/index"
	"github.com/apifw/monitor/pkg/model"
)

// Metrics a traffic query can show.
const (
	MetricCount        = "count"        // transactions per bucket
	MetricRate         = "rate"         // transactions per second
	MetricBlockedRatio = "blockedRatio" // blocked / all, per bucket
)

// Series is one line of a traffic result: Values[i] belongs to bucket i.
type Series struct {
	Name   string
	Labels map[string]string // the split dimension and its value (empty for a blockedRatio total); split by api: also apiName
	Values []float64
	Other  bool // the remainder of a split by a dimension
	// DisplayName is what a person reads when it is not Name: split by api,
	// the API's name (with a short id when two series share it).
	DisplayName string
}

// TrafficResult is a time series table: bucket start times and one series
// per split value.
type TrafficResult struct {
	Interval time.Duration
	Buckets  []time.Time // start of each bucket: a multiple of Interval since the epoch
	Metric   string
	SplitBy  string
	Series   []Series
}

// Traffic answers a traffic query with the default limits.
func Traffic(ctx context.Context, store *index.Store, q Query, tr TimeRange) (TrafficResult, error) {
	return (&Engine{Store: store}).Traffic(ctx, q, tr)
}

// niceIntervals are the steps an interval derived from maxDataPoints rounds up to.
var niceIntervals = []time.Duration{
	time.Millisecond, 10 * time.Millisecond, 100 * time.Millisecond, time.Second, 5 * time.Second, 10 * time.Second,
	15 * time.Second, 30 * time.Second, time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute,
	30 * time.Minute, time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour, 24 * time.Hour, 7 * 24 * time.Hour,
}

// DefaultMaxDataPoints is used when a query has neither intervalMs nor maxDataPoints.
const DefaultMaxDataPoints = 1000

// bucketInterval picks the bucket width: intervalMs when given, else the
// range divided by maxDataPoints rounded up to a nice step.
func bucketInterval(q Query, span time.Duration) (time.Duration, error) {
	if q.IntervalMs < 0 || q.MaxDataPoints < 0 {
		return 0, badQuery("intervalMs and maxDataPoints must not be negative")
	}
	if q.IntervalMs > 0 {
		return time.Duration(q.IntervalMs) * time.Millisecond, nil
	}
	points := q.MaxDataPoints
	if points == 0 {
		points = DefaultMaxDataPoints
	}
	raw := span / time.Duration(points)
	for _, n := range niceIntervals {
		if n >= raw {
			return n, nil
		}
	}
	return raw.Truncate(24*time.Hour) + 24*time.Hour, nil
}

// Traffic counts matching transactions per time bucket, split by outcome or
// by one dimension.
func (e *Engine) Traffic(ctx context.Context, q Query, tr TimeRange) (TrafficResult, error) {
	res := TrafficResult{Metric: q.Metric, SplitBy: q.SplitBy}
	if res.Metric == "" {
		res.Metric = MetricCount
	}
	if res.SplitBy == "" {
		res.SplitBy = "outcome"
	}
	switch res.Metric {
	case MetricCount, MetricRate, MetricBlockedRatio:
	default:
		return res, badQuery("metric %q is not one of count, rate, blockedRatio", q.Metric)
	}
	if tr.From.IsZero() || tr.To.IsZero() || !tr.To.After(tr.From) {
		return res, badQuery("traffic needs a time range with from before to")
	}
	dim, err := lookupDimension(res.SplitBy, e.Geo)
	if err != nil {
		return res, badQuery("splitBy: %v", err)
	}
	ctx, cancel, sn, lim, err := e.start(ctx, tr)
	defer cancel()
	if err != nil {
		return res, err
	}
	iv, err := bucketInterval(q, tr.To.Sub(tr.From))
	if err != nil {
		return res, err
	}
	ivUS := iv.Microseconds()
	if ivUS <= 0 {
		return res, badQuery("interval %s is below 1µs", iv)
	}
	from, to := micros(tr)
	start := floorDiv(from, ivUS) * ivUS
	nb := int((to - start + ivUS - 1) / ivUS)
	if nb > lim.MaxBuckets {
		return res, overLimit("%d time buckets of %s is above the maximum %d: widen the interval", nb, iv, lim.MaxBuckets)
	}
	res.Interval = iv
	res.Buckets = make([]time.Time, nb)
	for i := range res.Buckets {
		res.Buckets[i] = time.UnixMicro(start + int64(i)*ivUS).UTC()
	}
	p, err := e.prepare(sn, q.Filters, tr)
	if err != nil {
		return res, err
	}
	d := sn.Dicts()

	// Series: for outcome, one per outcome; otherwise the largest values
	// (limit, default 10) and a remainder.
	var seriesOf []int32 // dimension code → series
	var names, apiNames []string
	var others bool
	if res.SplitBy == "outcome" {
		seriesOf = make([]int32, len(d.Tuples))
		for i, t := range d.Tuples {
			seriesOf[i] = int32(t.Outcome)
		}
		for _, o := range model.Outcomes {
			names = append(names, o.String())
		}
		dim.col = index.ColTuple
	} else {
		limit, err := limitOf(q.Limit, 10, lim.MaxSeries)
		if err != nil {
			return res, err
		}
		g, err := rankBy(ctx, sn, p, dim, e.Workers, limit)
		if err != nil {
			return res, err
		}
		var codes int
		switch dim.col {
		case index.ColClientIP:
			codes = len(d.ClientIPs)
		case index.ColPath:
			codes = d.Paths.Len()
		default:
			codes = len(d.Tuples)
		}
		// Every code not among the top is the remainder (when there is one;
		// else no matching row has it: -1, skipped, to be safe).
		others = g.values > limit
		rest := int32(-1)
		if others {
			rest = int32(limit)
		}
		seriesOf = make([]int32, codes)
		for code := range seriesOf {
			seriesOf[code] = rest
		}
		for r, gr := range g.top {
			names = append(names, gr.value)
			apiNames = append(apiNames, gr.apiName)
			for _, code := range g.topCodes[r] {
				seriesOf[code] = int32(r)
			}
		}
	}
	ns := len(names)
	if others {
		ns++
	}
	blocked := make([]bool, len(d.Tuples))
	for i, t := range d.Tuples {
		blocked[i] = t.Outcome == model.OutcomeBlocked
	}

	nw := index.Workers(e.Workers, len(sn.Blocks()))
	type acc struct{ all, blocked []uint32 } // [bucket*ns + series]
	accs := make([]acc, nw)
	inv := 1 / float64(ivUS)
	outcomeSplit := res.SplitBy == "outcome"
	out := outcomes(d)
	err = sn.Scan(ctx, p, index.ScanOptions{Cols: index.ColTime | index.ColTuple | dim.col, Workers: nw}, func(w int, c *index.Chunk) {
		a := &accs[w]
		if a.all == nil {
			a.all = make([]uint32, nb*ns)
			a.blocked = make([]uint32, nb*ns)
		}
		var bk bucketCursor
		bk.init(start, ivUS, inv)
		if outcomeSplit { // the series is the outcome: blocked counts are the blocked series
			all, tm, tu := a.all, c.Time, c.Tuple
			lo, hi, base := int64(1), int64(0), 0 // the current bucket's bounds, inline for speed
			for _, i := range c.Sel {
				t := tm[i]
				if t < lo || t >= hi {
					b := bucketOf(t-start, ivUS, inv)
					lo = start + int64(b)*ivUS
					hi, base = lo+ivUS, b*4
				}
				all[base+int(out[tu[i]])]++
			}
			return
		}
		col := c.Tuple
		switch dim.col {
		case index.ColClientIP:
			col = c.ClientIP
		case index.ColPath:
			col = c.Path
		}
		for _, i := range c.Sel {
			s := seriesOf[col[i]]
			if s < 0 {
				continue
			}
			k := bk.at(c.Time[i])*ns + int(s)
			a.all[k]++
			if blocked[c.Tuple[i]] {
				a.blocked[k]++
			}
		}
	})
	if err != nil {
		return res, scanErr(err)
	}
	all := make([]int64, nb*ns)
	blk := make([]int64, nb*ns)
	for _, a := range accs {
		for k := range a.all {
			all[k] += int64(a.all[k])
			blk[k] += int64(a.blocked[k])
		}
	}
	if outcomeSplit {
		for b := 0; b < nb; b++ {
			blk[b*ns+int(model.OutcomeBlocked)] = all[b*ns+int(model.OutcomeBlocked)]
		}
	}
	value := func(k int) float64 {
		switch res.Metric {
		case MetricRate:
			return float64(all[k]) / iv.Seconds()
		case MetricBlockedRatio:
			return share(blk[k], all[k])
		}
		return float64(all[k])
	}
	if res.SplitBy == "outcome" && res.Metric == MetricBlockedRatio {
		// The ratio of one outcome is 0 or 1: the useful line is the total.
		s := Series{Name: MetricBlockedRatio, Labels: map[string]string{}, Values: make([]float64, nb)}
		for b := 0; b < nb; b++ {
			var a, bl int64
			for si := 0; si < ns; si++ {
				a += all[b*ns+si]
				bl += blk[b*ns+si]
			}
			s.Values[b] = share(bl, a)
		}
		res.Series = []Series{s}
		return res, nil
	}
	var display []string
	if res.SplitBy == "api" {
		display = APIDisplayNames(names, apiNames)
	}
	for si := 0; si < ns; si++ {
		if si >= len(names) && q.WithoutOther() { // other: false leaves the remainder out
			continue
		}
		s := Series{Values: make([]float64, nb)}
		if si < len(names) {
			s.Name = names[si]
		} else {
			s.Name, s.Other = OtherValue, true
		}
		s.Labels = map[string]string{res.SplitBy: s.Name}
		if si < len(display) {
			s.DisplayName = display[si]
			s.Labels["apiName"] = display[si]
		}
		for b := 0; b < nb; b++ {
			s.Values[b] = value(b*ns + si)
		}
		res.Series = append(res.Series, s)
	}
	return res, nil
}

// bucketCursor finds the bucket of a time, remembering the last bucket's
// bounds: rows come mostly in time order, so most rows cost two comparisons.
type bucketCursor struct {
	start, iv, lo, hi int64
	inv               float64
	b                 int
}

func (c *bucketCursor) init(start, iv int64, inv float64) {
	c.start, c.iv, c.inv, c.lo, c.hi = start, iv, inv, 1, 0 // empty: the first row computes
}

func (c *bucketCursor) at(t int64) int {
	if t >= c.lo && t < c.hi {
		return c.b
	}
	c.b = bucketOf(t-c.start, c.iv, c.inv)
	c.lo = c.start + int64(c.b)*c.iv
	c.hi = c.lo + c.iv
	return c.b
}

// bucketOf is d / iv for 0 <= d, by a multiplication and a correction
// instead of a division per row.
func bucketOf(d, iv int64, inv float64) int {
	b := int64(float64(d) * inv)
	if b*iv > d {
		b--
	} else if (b+1)*iv <= d {
		b++
	}
	return int(b)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// APIDisplayNames names APIs for people: the name the logs give (trimmed), the id when there is none, and "name (short
// id)" for a name two of the listed APIs share (APIs of the same name in
// different collections stay apart). ids[i] and names[i] are one API.
// The name is kept as written otherwise (filters match it exactly).
func APIDisplayNames(ids, names []string) []string {
	out := make([]string, len(ids))
	count := map[string]int{}
	for i := range ids {
		n := ""
		if i < len(names) {
			n = strings.TrimSpace(names[i])
		}
		if n == "" || n == "n/a" {
			n = ids[i]
		}
		out[i] = n
		count[n]++
	}
	for i, n := range out {
		if count[n] > 1 && n != ids[i] {
			out[i] = n + " (" + shortID(ids[i]) + ")"
		}
	}
	return out
}

// shortID is the first group of a UUID (8 hex digits), else the id.
func shortID(id string) string {
	if i := strings.IndexByte(id, '-'); i >= 8 {
		return id[:i]
	}
	if len(id) > 12 {
		return id[:12]
	}
	return id
}
