package query

import (
	"context"
	"fmt"
	"math/rand"
	"net/netip"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/apifw/monitor/pkg/index"
	"github.com/apifw/monitor/pkg/model"
)

// The differential test runs every query type on the columnar engine and on a
// naive reference that reads materialised transactions one by one with the
// filter predicates of compile(), over random data appended out of order, with
// duplicates and deletions. Any disagreement is a bug in one of them.

func randomTraffic(seed int64, n int) []model.Transaction {
	rng := rand.New(rand.NewSource(seed))
	out := make([]model.Transaction, n)
	steps := []string{"hostpath_mapping", "request_validation", "request_security", "rate_limiting"}
	for i := range out {
		inst := fmt.Sprintf("fw-%d", rng.Intn(4))
		api := fmt.Sprintf("api-%d", rng.Intn(5))
		tx := model.Transaction{
			UUID:       fmt.Sprintf("%08x-0000-4000-8000-%012x", rng.Uint32(), rng.Int63n(1<<48)),
			Time:       t0.Add(time.Duration(rng.Int63n(int64(3*time.Hour))) - time.Hour).Truncate(time.Microsecond),
			DurationUS: int64(rng.Intn(100000)) - 1,
			Instance:   inst, APIID: api, APIName: "API " + api[4:],
			ClientIP:  []string{fmt.Sprintf("10.%d.%d.%d", rng.Intn(2), rng.Intn(3), rng.Intn(60)), "2001:db8::" + fmt.Sprint(rng.Intn(9)), "::ffff:10.0.0.1", "junk"}[min(rng.Intn(12), 3)/1*0+pick(rng)],
			Hostname:  []string{"a.example", "b.example"}[rng.Intn(2)],
			Method:    []string{"GET", "POST", "DELETE", "get"}[rng.Intn(4)],
			Path:      fmt.Sprintf("/api/%s/%d", []string{"users", "pets", "orders"}[rng.Intn(3)], rng.Intn(50)),
			Operation: []string{"/api/users/{id}", "/api/pets/{id}", "n/a"}[rng.Intn(3)],
			Status:    []int{200, 201, 401, 404, 429, 502, 0}[rng.Intn(7)],
			FileID:    uint32(rng.Intn(6)), Line: i + 1, Offset: int64(i) * 100, Length: 99,
		}
		tx.File = fmt.Sprintf("/logs/%s/f%d.log", inst, tx.FileID)
		if rng.Intn(3) == 0 {
			for k := rng.Intn(2) + 1; k > 0; k-- {
				tx.Errors = append(tx.Errors, model.TransactionError{Step: steps[rng.Intn(4)], Message: "msg " + fmt.Sprint(rng.Intn(3))})
			}
		}
		tx.NonBlocking = rng.Intn(4) == 0
		switch {
		case tx.APIID == "api-4" && rng.Intn(2) == 0:
			tx.APIID, tx.APIName, tx.Outcome = "n/a", "n/a", model.OutcomeUnmatched
		case len(tx.Errors) > 0 && !tx.NonBlocking:
			tx.Outcome = model.OutcomeBlocked
		case len(tx.Errors) > 0:
			tx.Outcome = model.OutcomeWouldBlock
		}
		out[i] = tx
	}
	return out
}

func pick(rng *rand.Rand) int {
	switch p := rng.Intn(40); {
	case p < 34:
		return 0
	case p < 38:
		return 1
	case p < 39:
		return 2
	}
	return 3
}

// reference holds what the store should hold, as plain records.
type reference struct {
	txs []model.Transaction
	now time.Time
	geo GeoLookup
}

// differentialGeo places addresses by their text: a country from the last
// character (none for some), an ASN from the length, no cities.
type differentialGeo struct{}

func (differentialGeo) Has(dim string) bool { return dim != "clientCity" }

func (differentialGeo) Value(dim, ip string) string {
	if dim == "clientAsn" {
		return fmt.Sprintf("AS%d Net", len(ip)%3)
	}
	return []string{"FR", "US", "", "DE"}[int(ip[len(ip)-1])%4]
}

// valueOf is a dimension's value of a record (the geo ones on r.geo).
func (r *reference) valueOf(dim string, t *model.Transaction) string {
	spec, _ := LookupDimensionSpec(dim)
	spec, err := spec.bind(r.geo)
	if err != nil {
		panic(err)
	}
	return spec.Of(t)
}

func (r *reference) each(f Filters, tr TimeRange, fn func(t *model.Transaction)) {
	f.geo = r.geo
	m, err := compile(f)
	if err != nil {
		panic(err)
	}
	for i := range r.txs {
		t := &r.txs[i]
		if (!tr.From.IsZero() && t.Time.Before(tr.From)) || (!tr.To.IsZero() && !t.Time.Before(tr.To)) || !m.match(t) {
			continue
		}
		fn(t)
	}
}

func (r *reference) stats(f Filters, tr TimeRange) StatsResult {
	var res StatsResult
	clients, instances := map[string]bool{}, map[string]bool{}
	var durs []int
	r.each(f, tr, func(t *model.Transaction) {
		res.add(t.Outcome, 1)
		clients[t.ClientIP], instances[t.Instance] = true, true
		if t.DurationUS >= 0 {
			durs = append(durs, int(t.DurationUS))
		}
	})
	res.DistinctClients, res.Instances = int64(len(clients)), int64(len(instances))
	if res.Total > 0 {
		res.BlockedRatio = float64(res.Blocked) / float64(res.Total)
	}
	sort.Ints(durs)
	rank := func(p int) int64 {
		if len(durs) == 0 {
			return 0
		}
		k := int(float64(p) / 100 * float64(len(durs)))
		if k*100 < p*len(durs) {
			k++
		}
		return int64(durs[max(k, 1)-1])
	}
	res.DurationP50, res.DurationP90, res.DurationP99 = rank(50), rank(90), rank(99)
	return res
}

func (r *reference) topN(dim string, f Filters, tr TimeRange, limit int) []TopNRow {
	byValue := map[string]*TopNRow{}
	var total int64
	r.each(f, tr, func(t *model.Transaction) {
		v := r.valueOf(dim, t)
		row := byValue[v]
		if row == nil {
			row = &TopNRow{Value: v}
			if dim == "api" {
				row.APIName = t.APIName
			}
			byValue[v] = row
		}
		row.add(t.Outcome, 1)
		total++
	})
	var rows []TopNRow
	for _, row := range byValue {
		row.Share = share(row.Count, total)
		rows = append(rows, *row)
	}
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].Count != rows[j].Count {
			return rows[i].Count > rows[j].Count
		}
		return rows[i].Value < rows[j].Value
	})
	if len(rows) > limit {
		other := TopNRow{Value: OtherValue, Other: true}
		for _, row := range rows[limit:] {
			c := row.counts()
			for o := range c {
				other.add(model.Outcome(o), c[o])
			}
		}
		other.Share = share(other.Count, total)
		rows = append(rows[:limit], other)
	}
	return rows
}

func (r *reference) traffic(q Query, tr TimeRange) []Series {
	iv := time.Duration(q.IntervalMs) * time.Millisecond
	ivUS := iv.Microseconds()
	start := time.UnixMicro(floorDiv(tr.From.UnixMicro(), ivUS) * ivUS) // aligned to the Unix epoch
	nb := int((tr.To.Sub(start) + iv - 1) / iv)
	split := q.SplitBy
	if split == "" {
		split = "outcome"
	}
	var names []string
	apiNames := map[string]string{} // split by api: id → the apiName label
	if split == "outcome" {
		for _, o := range model.Outcomes {
			names = append(names, o.String())
		}
	} else {
		for _, row := range r.topN(split, q.Filters, tr, q.Limit) {
			names = append(names, row.Value) // "other" last, if any
			if split == "api" && !row.Other {
				apiNames[row.Value] = APIDisplayNames([]string{row.Value}, []string{row.APIName})[0]
			}
		}
	}
	index := map[string]int{}
	for i, n := range names {
		index[n] = i
	}
	all := make([][]float64, len(names))
	blk := make([][]float64, len(names))
	for i := range all {
		all[i], blk[i] = make([]float64, nb), make([]float64, nb)
	}
	r.each(q.Filters, tr, func(t *model.Transaction) {
		v := r.valueOf(split, t)
		si, ok := index[v]
		if !ok || (split != "outcome" && v == OtherValue && si == len(names)-1 && len(names) > q.Limit) {
			si = len(names) - 1 // the remainder
		}
		b := int(t.Time.Sub(start) / iv)
		all[si][b]++
		if t.Outcome == model.OutcomeBlocked {
			blk[si][b]++
		}
	})
	var out []Series
	if split == "outcome" && q.Metric == MetricBlockedRatio {
		s := Series{Name: MetricBlockedRatio, Labels: map[string]string{}, Values: make([]float64, nb)}
		for b := 0; b < nb; b++ {
			var a, bl float64
			for si := range names {
				a += all[si][b]
				bl += blk[si][b]
			}
			if a > 0 {
				s.Values[b] = bl / a
			}
		}
		return []Series{s}
	}
	for si, n := range names {
		s := Series{Name: n, Labels: map[string]string{split: n}, Values: make([]float64, nb)}
		s.Other = split != "outcome" && si == len(names)-1 && len(names) > q.Limit
		if n, ok := apiNames[s.Name]; ok && !s.Other {
			s.Labels["apiName"], s.DisplayName = n, n
		}
		for b := 0; b < nb; b++ {
			switch q.Metric {
			case MetricRate:
				s.Values[b] = all[si][b] / iv.Seconds()
			case MetricBlockedRatio:
				if all[si][b] > 0 {
					s.Values[b] = blk[si][b] / all[si][b]
				}
			default:
				s.Values[b] = all[si][b]
			}
		}
		out = append(out, s)
	}
	return out
}

func (r *reference) transactions(f Filters, tr TimeRange, limit int) []string {
	var hits []*model.Transaction
	r.each(f, tr, func(t *model.Transaction) { hits = append(hits, t) })
	sort.Slice(hits, func(i, j int) bool {
		if !hits[i].Time.Equal(hits[j].Time) {
			return hits[i].Time.After(hits[j].Time)
		}
		return hits[i].UUID < hits[j].UUID
	})
	var ids []string
	for i := 0; i < len(hits) && i < limit; i++ {
		ids = append(ids, hits[i].UUID)
	}
	return ids
}

func (r *reference) instances(f Filters, tr TimeRange) []InstanceRow {
	by := map[string]*InstanceRow{}
	hosts, files := map[string]map[string]bool{}, map[string]map[string]bool{}
	apis := map[string]map[index.APIRef]bool{}
	r.each(f, TimeRange{}, func(t *model.Transaction) {
		row := by[t.Instance]
		if row == nil {
			row = &InstanceRow{Name: t.Instance, FirstSeen: t.Time, LastSeen: t.Time}
			by[t.Instance] = row
			hosts[t.Instance], files[t.Instance], apis[t.Instance] = map[string]bool{}, map[string]bool{}, map[index.APIRef]bool{}
		}
		if t.Time.Before(row.FirstSeen) {
			row.FirstSeen = t.Time
		}
		if t.Time.After(row.LastSeen) {
			row.LastSeen = t.Time
		}
		if !t.Time.Before(tr.From) && t.Time.Before(tr.To) {
			row.Records++
		}
		hosts[t.Instance][t.Hostname] = true
		files[t.Instance][t.File] = true
		apis[t.Instance][index.APIRef{ID: t.APIID, Name: t.APIName}] = true
	})
	var out []InstanceRow
	for name, row := range by {
		row.Hostnames, row.Files = sortedKeys(hosts[name]), sortedKeys(files[name])
		row.Sources = LogSources(row.Files)
		for a := range apis[name] {
			row.APIs = append(row.APIs, a)
		}
		sort.Slice(row.APIs, func(i, j int) bool {
			if row.APIs[i].ID != row.APIs[j].ID {
				return row.APIs[i].ID < row.APIs[j].ID
			}
			return row.APIs[i].Name < row.APIs[j].Name
		})
		row.Silent = r.now.Sub(row.LastSeen) > DefaultSilentAfter
		out = append(out, *row)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// differentialSetup appends random traffic out of order, in batches, with
// duplicates, then deletes some of it; it returns the engine and the records
// the store must hold.
func differentialSetup(t *testing.T, n int) (*Engine, *reference) {
	txs := randomTraffic(42, n)
	now := t0.Add(2 * time.Hour)
	store := index.NewStore(index.Options{BlockSize: 700, Now: func() time.Time { return now }})
	order := rand.New(rand.NewSource(7)).Perm(len(txs))
	var batch []model.Transaction
	for k, i := range order {
		batch = append(batch, txs[i])
		if k%5 == 0 {
			batch = append(batch, txs[order[k/2]]) // a duplicate: skipped
		}
		if len(batch) >= 333 || k == len(order)-1 {
			store.Append(batch)
			batch = nil
		}
	}
	deletions := []index.DeleteCriteria{
		{UUIDs: []string{txs[1].UUID, txs[2].UUID, txs[3].UUID}},
		{ClientIP: "10.1.2.0/24", APIs: []string{"API 2"}},
		{Instances: []string{"fw-3"}, From: t0, To: t0.Add(10 * time.Minute)},
	}
	gone := map[string]bool{}
	for _, c := range deletions {
		want := 0
		for _, tx := range txs {
			if !gone[tx.UUID] && covered(c, tx, now) {
				want++
			}
		}
		res, err := store.Delete(c)
		if err != nil || res.Deleted != want {
			t.Fatalf("delete %+v: %+v %v, want %d", c, res, err, want)
		}
		for _, tx := range txs {
			if covered(c, tx, now) {
				gone[tx.UUID] = true
			}
		}
	}
	ref := &reference{now: now.Add(-30 * time.Minute), geo: differentialGeo{}}
	for _, tx := range txs {
		if !gone[tx.UUID] {
			ref.txs = append(ref.txs, tx)
		}
	}
	if store.Len() != len(ref.txs) {
		t.Fatalf("store holds %d, reference %d", store.Len(), len(ref.txs))
	}
	return &Engine{Store: store, Now: func() time.Time { return ref.now }, Workers: 3, Geo: differentialGeo{}}, ref
}

// covered is DeleteCriteria's documented meaning, written out plainly.
func covered(c index.DeleteCriteria, t model.Transaction, at time.Time) bool {
	if len(c.UUIDs) > 0 && !contains(c.UUIDs, t.UUID) {
		return false
	}
	if c.ClientIP != "" {
		p := netip.MustParsePrefix(c.ClientIP)
		a, err := netip.ParseAddr(t.ClientIP)
		if err != nil || !p.Contains(a.Unmap()) {
			return false
		}
	}
	if len(c.APIs) > 0 && !contains(c.APIs, t.APIID) && !contains(c.APIs, t.APIName) {
		return false
	}
	if len(c.Instances) > 0 && !contains(c.Instances, t.Instance) {
		return false
	}
	if !c.From.IsZero() && t.Time.Before(c.From) || !c.To.IsZero() && !t.Time.Before(c.To) {
		return false
	}
	return len(c.UUIDs) > 0 || !t.Time.After(at)
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

var differentialFilters = []Filters{
	{},
	{Outcome: []string{"blocked"}},
	{API: []string{"api-1", "API 3"}, Method: []string{"get"}},
	{ClientIP: "10.0.0.0/16"},
	{ClientIP: "10.0.0.1"},
	{ClientIP: "2001:db8::/64", Status: []string{"4xx", "200"}},
	{Path: "/api/users/*"},
	{Path: "/api/*/1?"},
	{Instance: []string{"fw-0", "fw-2"}, ErrorStep: []string{"rate_limiting"}},
	{Outcome: []string{"wouldBlock", "unmatched"}, Path: "/api/pets/**"},
	{Operation: []string{"/api/pets/{id}"}, Hostname: []string{"a.example"}},
	{Adhoc: []AdhocFilter{{Key: "clientIp", Operator: "=~", Value: "10\\.0\\..*"}, {Key: "path", Operator: "!~", Value: "/api/users/.*"}}},
	{Adhoc: []AdhocFilter{{Key: "statusClass", Operator: "!=", Value: "2xx"}, {Key: "api", Operator: "=", Value: "api-1"}}},
	{ClientIP: "10.0.0.0/8", Adhoc: []AdhocFilter{{Key: "clientIp", Operator: "!=", Value: "10.0.0.1"}, {Key: "errorStep", Operator: "=~", Value: "rate.*|"}}},
	{ClientCountry: []string{"fr", "unknown"}, Adhoc: []AdhocFilter{{Key: "clientAsn", Operator: "!=", Value: "AS1 Net"}}},
}

func TestDifferentialAgainstNaiveReference(t *testing.T) {
	e, ref := differentialSetup(t, 12000)
	ctx := context.Background()
	ranges := []TimeRange{
		{From: t0.Add(-2 * time.Hour), To: t0.Add(3 * time.Hour)},
		{From: t0.Add(17*time.Minute + 3*time.Second), To: t0.Add(47 * time.Minute)},
		{From: t0.Add(-20 * time.Minute), To: t0.Add(-19 * time.Minute)},
	}
	for fi, f := range differentialFilters {
		for ri, tr := range ranges {
			name := fmt.Sprintf("filters %d range %d", fi, ri)
			got, err := e.Stats(ctx, Query{Filters: f}, tr)
			if want := ref.stats(f, tr); err != nil || got != want {
				t.Fatalf("%s stats:\n got %+v %v\nwant %+v", name, got, err, want)
			}
			for _, dim := range Dimensions {
				if dim == "clientCity" { // not in differentialGeo
					continue
				}
				got, err := e.TopN(ctx, Query{Dimension: dim, Limit: 4, Filters: f}, tr)
				if want := ref.topN(dim, f, tr, 4); err != nil || !reflect.DeepEqual(got.Rows, want) {
					t.Fatalf("%s topN %s:\n got %+v %v\nwant %+v", name, dim, got.Rows, err, want)
				}
			}
			for _, q := range []Query{
				{IntervalMs: 60000},
				{IntervalMs: 7000, Metric: MetricRate},
				{IntervalMs: 300000, Metric: MetricBlockedRatio},
				{IntervalMs: 120000, SplitBy: "clientIp", Limit: 3},
				{IntervalMs: 600000, SplitBy: "api", Limit: 10, Metric: MetricBlockedRatio},
				{IntervalMs: 60000, SplitBy: "status", Limit: 2},
				{IntervalMs: 60000, SplitBy: "clientCountry", Limit: 2},
			} {
				q.Filters = f
				got, err := e.Traffic(ctx, q, tr)
				if want := ref.traffic(q, tr); err != nil || !reflect.DeepEqual(got.Series, want) {
					t.Fatalf("%s traffic %+v: %v %s", name, q, err, seriesDiff(got.Series, want))
				}
			}
			tx, err := e.Transactions(ctx, Query{Limit: 50, Filters: f}, tr)
			var ids []string
			for _, row := range tx.Rows {
				ids = append(ids, row.UUID)
			}
			if want := ref.transactions(f, tr, 50); err != nil || !reflect.DeepEqual(ids, want) {
				t.Fatalf("%s transactions:\n got %v %v\nwant %v", name, ids, err, want)
			}
			inst, err := e.Instances(ctx, Query{Filters: f}, tr)
			if want := ref.instances(f, tr); err != nil || !reflect.DeepEqual(inst.Rows, want) {
				t.Fatalf("%s instances:\n got %+v %v\nwant %+v", name, inst.Rows, err, want)
			}
		}
	}
	for _, tx := range ref.txs[:200] {
		got, err := e.Trace(ctx, Query{UUID: tx.UUID})
		if err != nil || got.Transaction.UUID != tx.UUID || !got.Transaction.Time.Equal(tx.Time) || got.Position.Offset != tx.Offset {
			t.Fatalf("trace %s: %+v %v", tx.UUID, got, err)
		}
	}
}

// seriesDiff describes the first difference between two series lists briefly.
func seriesDiff(got, want []Series) string {
	if len(got) != len(want) {
		var g, w []string
		for _, s := range got {
			g = append(g, s.Name)
		}
		for _, s := range want {
			w = append(w, s.Name)
		}
		return fmt.Sprintf("series %v, want %v", g, w)
	}
	for i := range got {
		a, b := got[i], want[i]
		if a.Name != b.Name || a.Other != b.Other || !reflect.DeepEqual(a.Labels, b.Labels) || len(a.Values) != len(b.Values) {
			return fmt.Sprintf("series %d: %s %v %v %d, want %s %v %v %d", i, a.Name, a.Other, a.Labels, len(a.Values), b.Name, b.Other, b.Labels, len(b.Values))
		}
		for k := range a.Values {
			if a.Values[k] != b.Values[k] {
				return fmt.Sprintf("series %s bucket %d: %v, want %v", a.Name, k, a.Values[k], b.Values[k])
			}
		}
	}
	return "equal?"
}
