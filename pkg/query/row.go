package query

import (
	"context"
	"strings"
)

// Number is one named number of a one-row result (stats, the inventory
// summary): an alert condition reads each as a number.
type Number struct {
	Name    string
	Int     int64
	Float   float64
	IsFloat bool   // Float holds the value, else Int
	Unit    string // "percentunit", "µs" or "" (a count)
}

// Row is a one-row numeric result: Table names it in messages.
type Row struct {
	Table   string
	Numbers []Number
}

// Select keeps only the named columns, in that order (the query's
// "columns"; an alert condition needs exactly one number). No columns: all.
func (r Row) Select(columns []string) (Row, error) {
	if len(columns) == 0 {
		return r, nil
	}
	byName := make(map[string]Number, len(r.Numbers))
	names := make([]string, len(r.Numbers))
	for i, n := range r.Numbers {
		byName[n.Name], names[i] = n, n.Name
	}
	out := Row{Table: r.Table, Numbers: make([]Number, 0, len(columns))}
	for _, c := range columns {
		n, ok := byName[c]
		if !ok {
			return Row{}, badQuery("columns: unknown %s column %q (one of %s)", r.Table, c, strings.Join(names, ", "))
		}
		out.Numbers = append(out.Numbers, n)
	}
	return out, nil
}

func count(name string, v int64) Number { return Number{Name: name, Int: v} }

// Row is the stats result as its columns, in the contract's order.
func (r StatsResult) Row() Row {
	return Row{Table: "stats", Numbers: []Number{
		count("total", r.Total),
		count("allowed", r.Allowed),
		count("blocked", r.Blocked),
		count("wouldBlock", r.WouldBlock),
		count("unmatched", r.Unmatched),
		{Name: "blockedRatio", Float: r.BlockedRatio, IsFloat: true, Unit: "percentunit"},
		count("distinctClients", r.DistinctClients),
		count("instances", r.Instances),
		{Name: "durationP50", Int: r.DurationP50, Unit: "µs"},
		{Name: "durationP90", Int: r.DurationP90, Unit: "µs"},
		{Name: "durationP99", Int: r.DurationP99, Unit: "µs"},
	}}
}

// StatsRow answers a stats query whole: its numbers with the query's
// columns applied.
func (e *Engine) StatsRow(ctx context.Context, q Query, tr TimeRange) (Row, error) {
	res, err := e.Stats(ctx, q, tr)
	if err != nil {
		return Row{}, err
	}
	return res.Row().Select(q.Columns)
}

// InventoryCountNames are the count columns of inventory, in order.
var InventoryCountNames = []string{"apis", "audited", "validDefinitions", "invalidDefinitions", "scanned", "protected", "instances", "sqgPass", "sqgFail"}

// Values are the counts in InventoryCountNames order.
func (c InventoryCounts) Values() []int {
	return []int{c.APIs, c.Audited, c.ValidDefinitions, c.InvalidDefinitions, c.Scanned, c.Protected, c.Instances, c.SQGPass, c.SQGFail}
}

// Row is the inventory summary as its columns.
func (s InventorySummary) Row() Row {
	values := append([]int{s.APIs, s.Collections, s.Teams, s.Users}, s.InventoryCounts.Values()[1:]...)
	names := append([]string{"apis", "collections", "teams", "users"}, InventoryCountNames[1:]...)
	r := Row{Table: "inventory", Numbers: make([]Number, len(names))}
	for i, n := range names {
		r.Numbers[i] = count(n, int64(values[i]))
	}
	return r
}
