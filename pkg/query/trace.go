package query

import (
	"context"
	"fmt"
	"strings"

	"github.com/apifw/monitor/pkg/index"
	"github.com/apifw/monitor/pkg/model"
)

// TraceResult is one transaction: the indexed row, its place on disk, and
// the detail read from there when the engine has a DetailReader.
type TraceResult struct {
	Transaction model.Transaction
	Position    index.Position
	Detail      any   // what DetailReader returned; nil without one
	DetailErr   error // why the detail could not be read (the summary still answers)
}

// Trace answers a trace query with the default limits and no detail reader.
func Trace(ctx context.Context, store *index.Store, q Query) (TraceResult, error) {
	return (&Engine{Store: store}).Trace(ctx, q)
}

// Trace finds one transaction by q.UUID. Filters do not apply: a uuid names
// one transaction. A deleted or unknown uuid is ErrNotFound.
func (e *Engine) Trace(ctx context.Context, q Query) (TraceResult, error) {
	var res TraceResult
	id := strings.TrimSpace(q.UUID)
	if id == "" {
		return res, badQuery("trace needs a uuid")
	}
	if len(id) > 256 {
		return res, badQuery("uuid longer than 256 characters")
	}
	ctx, cancel, sn, _, err := e.start(ctx, TimeRange{})
	defer cancel()
	if err != nil {
		return res, err
	}
	pos, ok := sn.Lookup(id)
	if !ok {
		return res, &queryError{ErrNotFound, fmt.Sprintf("transaction %q not found", id)}
	}
	res.Transaction, res.Position = pos.Tx, pos
	if e.Details != nil {
		res.Detail, res.DetailErr = e.Details.ReadDetail(ctx, pos)
	}
	return res, nil
}
