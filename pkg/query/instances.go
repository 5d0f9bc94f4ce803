package query

import (
	"context"
	"math"
	"path/filepath"
	"sort"
	"time"

	"github.com/apifw/monitor/pkg/index"
	"github.com/apifw/monitor/pkg/ingest"
)

// DefaultSilentAfter is how long an instance may write nothing before it is
// reported silent.
const DefaultSilentAfter = 15 * time.Minute

// InstanceRow is one firewall instance.
type InstanceRow struct {
	Name      string
	Hostnames []string       // distinct record hostnames, sorted
	APIs      []index.APIRef // distinct APIs (id, name) it protected, by id
	FirstSeen time.Time      // oldest record held (any time)
	LastSeen  time.Time      // newest record held (any time)
	Records   int64          // records in the query's time range
	Files     []string       // the log files its records were read from, sorted
	Sources   []string       // where it logs: see LogSource; sorted
	Silent    bool           // no record for SilentAfter up to now
}

// InstancesResult lists every instance the index holds records of (matching
// the filters), by name.
type InstancesResult struct {
	SilentAfter time.Duration
	Rows        []InstanceRow
}

// Instances answers an instances query with the default limits.
func Instances(ctx context.Context, store *index.Store, q Query, tr TimeRange) (InstancesResult, error) {
	return (&Engine{Store: store}).Instances(ctx, q, tr)
}

// Instances lists the firewall instances. The list, first and last seen do
// not depend on the time range (an instance that went quiet must still show,
// as silent); Records counts the range.
func (e *Engine) Instances(ctx context.Context, q Query, tr TimeRange) (InstancesResult, error) {
	var res InstancesResult
	silentAfter := DefaultSilentAfter
	if q.SilentAfter != "" {
		d, err := time.ParseDuration(q.SilentAfter)
		if err != nil || d <= 0 {
			return res, badQuery("silentAfter %q is not a positive duration such as 15m", q.SilentAfter)
		}
		silentAfter = d
	}
	res.SilentAfter = silentAfter
	ctx, cancel, sn, _, err := e.start(ctx, tr)
	defer cancel()
	if err != nil {
		return res, err
	}
	p, err := e.prepare(sn, q.Filters, TimeRange{})
	if err != nil {
		return res, err
	}
	from, to := micros(tr)
	d := sn.Dicts()
	nw := index.Workers(e.Workers, len(sn.Blocks()))
	type acc struct {
		inRange, all       []int64            // by tuple
		first, last        []int64            // by tuple
		files              map[[2]uint32]bool // (instance, file)
		lastInst, lastFile uint32
	}
	accs := make([]acc, nw)
	err = sn.Scan(ctx, p, index.ScanOptions{Cols: index.ColTime | index.ColTuple | index.ColFile, Workers: nw}, func(w int, c *index.Chunk) {
		a := &accs[w]
		if a.all == nil {
			n := len(d.Tuples)
			a.inRange, a.all, a.first, a.last = make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
			for i := range a.first {
				a.first[i], a.last[i] = math.MaxInt64, math.MinInt64
			}
			a.files = map[[2]uint32]bool{}
			a.lastInst = math.MaxUint32
		}
		for _, i := range c.Sel {
			tu, t := c.Tuple[i], c.Time[i]
			a.all[tu]++
			if t >= from && t < to {
				a.inRange[tu]++
			}
			a.first[tu] = min(a.first[tu], t)
			a.last[tu] = max(a.last[tu], t)
			inst := d.Tuples[tu].Instance
			if inst != a.lastInst || c.File[i] != a.lastFile { // rows come in runs of one file
				a.lastInst, a.lastFile = inst, c.File[i]
				a.files[[2]uint32{inst, c.File[i]}] = true
			}
		}
	})
	if err != nil {
		return res, scanErr(err)
	}
	type inst struct {
		row   InstanceRow
		first int64
		last  int64
		hosts map[string]bool
		apis  map[index.APIRef]bool
		files map[string]bool
	}
	byCode := map[uint32]*inst{}
	get := func(code uint32) *inst {
		in := byCode[code]
		if in == nil {
			in = &inst{row: InstanceRow{Name: d.Instances[code]}, first: math.MaxInt64, last: math.MinInt64,
				hosts: map[string]bool{}, apis: map[index.APIRef]bool{}, files: map[string]bool{}}
			byCode[code] = in
		}
		return in
	}
	for _, a := range accs {
		if a.all == nil {
			continue
		}
		for code, n := range a.all {
			if n == 0 {
				continue
			}
			tu := d.Tuples[code]
			in := get(tu.Instance)
			in.row.Records += a.inRange[code]
			in.first, in.last = min(in.first, a.first[code]), max(in.last, a.last[code])
			in.hosts[d.Hostnames[tu.Hostname]] = true
			in.apis[d.APIs[tu.API]] = true
		}
		for k := range a.files {
			get(k[0]).files[d.Files[k[1]].Path] = true
		}
	}
	now := e.now()
	for _, in := range byCode {
		if in.last == math.MinInt64 {
			continue // only files, no record matched: cannot happen, kept safe
		}
		r := in.row
		r.FirstSeen, r.LastSeen = time.UnixMicro(in.first).UTC(), time.UnixMicro(in.last).UTC()
		r.Silent = now.Sub(r.LastSeen) > silentAfter
		r.Hostnames = sortedKeys(in.hosts)
		r.Files = sortedKeys(in.files)
		r.Sources = LogSources(r.Files)
		r.APIs = SortedAPIs(in.apis)
		res.Rows = append(res.Rows, r)
	}
	sort.Slice(res.Rows, func(i, j int) bool { return res.Rows[i].Name < res.Rows[j].Name })
	return res, nil
}

// LogSource names where a log file's records come from, as a user set it
// up: the instance folder for the firewall's FILES layout (every
// api-*.transaction.log of an instance, rotated siblings and .gz archives
// included, is one source: <root>/<instance>), the file itself for anything
// else (a captured STDOUT file). Rotation does not change it.
func LogSource(path string) string {
	if path == "" {
		return ""
	}
	switch kind, _ := ingest.ClassifyFileName(filepath.Base(path)); kind {
	case ingest.KindTransactions, ingest.KindUnknownTransactions:
		return filepath.Dir(path)
	}
	return path
}

// logSources maps files to their distinct sources, sorted.
// SortedAPIs lists an instance's APIs by id, then name (every store's
// instances rows).
func SortedAPIs(set map[index.APIRef]bool) []index.APIRef {
	out := make([]index.APIRef, 0, len(set))
	for api := range set {
		out = append(out, api)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].ID != out[j].ID {
			return out[i].ID < out[j].ID
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// LogSources names the distinct log sources of files (LogSource), sorted.
func LogSources(files []string) []string {
	m := make(map[string]bool, len(files))
	for _, f := range files {
		m[LogSource(f)] = true
	}
	return sortedKeys(m)
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
