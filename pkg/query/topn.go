package query

import (
	"context"

	"github.com/apifw/monitor/pkg/index"
	"github.com/apifw/monitor/pkg/model"
)

// OtherValue is the value of the remainder row of topN and of the remainder
// series of a traffic split.
const OtherValue = "other"

// TopNRow is one value of the dimension. Counts are by outcome; Share is
// Count / the total over all values.
type TopNRow struct {
	Value      string
	APIName    string // dimension api only: the API's name, "name (short id)" when two rows share it, the id when it has none (Value is its id)
	Count      int64
	Allowed    int64
	Blocked    int64
	WouldBlock int64
	Unmatched  int64
	Share      float64
	Other      bool // the remainder row: every value past the first Limit
}

// TopNResult is the table of a topN query: the Limit largest values, largest
// first (ties by value), then the remainder row when there is a remainder.
type TopNResult struct {
	Dimension string
	Rows      []TopNRow
	Total     int64 // matching transactions
}

// TopN answers a topN query with the default limits.
func TopN(ctx context.Context, store *index.Store, q Query, tr TimeRange) (TopNResult, error) {
	return (&Engine{Store: store}).TopN(ctx, q, tr)
}

// TopN counts the matching transactions by the values of q.Dimension.
func (e *Engine) TopN(ctx context.Context, q Query, tr TimeRange) (TopNResult, error) {
	res := TopNResult{Dimension: q.Dimension}
	if q.Dimension == "" {
		return res, badQuery("topN needs a dimension (one of %v)", Dimensions)
	}
	dim, err := lookupDimension(q.Dimension, e.Geo)
	if err != nil {
		return res, err
	}
	ctx, cancel, sn, lim, err := e.start(ctx, tr)
	defer cancel()
	if err != nil {
		return res, err
	}
	limit, err := limitOf(q.Limit, 10, lim.MaxLimit)
	if err != nil {
		return res, err
	}
	p, err := e.prepare(sn, q.Filters, tr)
	if err != nil {
		return res, err
	}
	g, err := rankBy(ctx, sn, p, dim, e.Workers, limit)
	if err != nil {
		return res, err
	}
	res.Total = g.total
	var other TopNRow
	rest := g.rest // the remainder: everything past the top rows
	for i := range g.top {
		gr := &g.top[i]
		row := TopNRow{Value: gr.value, APIName: gr.apiName}
		row.setCounts(gr.count, g.total)
		res.Rows = append(res.Rows, row)
	}
	if res.Dimension == "api" {
		NameAPIRows(res.Rows)
	}
	for o, n := range rest {
		other.add(model.Outcome(o), n)
	}
	if other.Count > 0 && !q.WithoutOther() { // other: false leaves the remainder out
		other.Value, other.Other = OtherValue, true
		other.Share = share(other.Count, g.total)
		res.Rows = append(res.Rows, other)
	}
	return res, nil
}

func (r *TopNRow) counts() [4]int64 { return [4]int64{r.Allowed, r.Blocked, r.WouldBlock, r.Unmatched} }

func (r *TopNRow) add(o model.Outcome, n int64) {
	addOutcome(o, n, &r.Allowed, &r.Blocked, &r.WouldBlock, &r.Unmatched)
	r.Count += n
}

func (r *TopNRow) setCounts(c [4]int64, total int64) {
	for o, n := range c {
		r.add(model.Outcome(o), n)
	}
	r.Share = share(r.Count, total)
}

func share(n, total int64) float64 {
	if total == 0 {
		return 0
	}
	return float64(n) / float64(total)
}

// limitOf applies a default and a cap to a query's limit.
func limitOf(asked, def, max int) (int, error) {
	switch {
	case asked < 0:
		return 0, badQuery("limit must not be negative")
	case asked == 0:
		return min(def, max), nil
	case asked > max:
		return 0, overLimit("limit %d is above the maximum %d", asked, max)
	}
	return asked, nil
}

// NameAPIRows gives topN-by-api rows the names a person reads
// (APIDisplayNames: "name (short id)" where two APIs share a name); every
// store answers with them.
func NameAPIRows(rows []TopNRow) {
	ids, names := make([]string, len(rows)), make([]string, len(rows))
	for i, r := range rows {
		ids[i], names[i] = r.Value, r.APIName
	}
	for i, n := range APIDisplayNames(ids, names) {
		rows[i].APIName = n
	}
}
