package query

import (
	"context"
	"errors"
	"testing"
)

// TestEngineAnswersWholeQuery: other:false and columns are applied by the
// engine, not by the data source.
func TestEngineAnswersWholeQuery(t *testing.T) {
	ctx := context.Background()
	no := false
	top, err := engine().TopN(ctx, Query{Dimension: "clientIp", Limit: 2, Other: &no}, fixtureRange)
	if err != nil {
		t.Fatal(err)
	}
	if len(top.Rows) != 2 || top.Rows[1].Other {
		t.Errorf("topN other:false: %+v", top.Rows)
	}
	tr, err := engine().Traffic(ctx, Query{SplitBy: "clientIp", Limit: 1, Other: &no}, fixtureRange)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range tr.Series {
		if s.Other {
			t.Errorf("traffic other:false kept %q", s.Name)
		}
	}
	row, err := engine().StatsRow(ctx, Query{Columns: []string{"blockedRatio", "total"}}, fixtureRange)
	if err != nil {
		t.Fatal(err)
	}
	if len(row.Numbers) != 2 || row.Numbers[0].Name != "blockedRatio" || !row.Numbers[0].IsFloat || row.Numbers[1].Name != "total" || row.Numbers[1].Int != 5 {
		t.Errorf("stats columns: %+v", row)
	}
	all, _ := engine().StatsRow(ctx, Query{}, fixtureRange)
	if len(all.Numbers) != 11 || all.Table != "stats" {
		t.Errorf("stats without columns: %+v", all)
	}
	_, err = engine().StatsRow(ctx, Query{Columns: []string{"nope"}}, fixtureRange)
	if !errors.Is(err, ErrBadQuery) || err.Error() != `columns: unknown stats column "nope" (one of total, allowed, blocked, wouldBlock, unmatched, blockedRatio, distinctClients, instances, durationP50, durationP90, durationP99)` {
		t.Errorf("unknown column: %v", err)
	}
}
