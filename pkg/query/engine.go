package query

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/apifw/monitor/pkg/index"
	"github.com/apifw/monitor/pkg/model"
)

// Error kinds. Every error a query returns wraps one of them, so the data
// source can map it to a status (ErrBadQuery, ErrLimit: 400; ErrNotFound: 404;
// context errors: timeout or cancelled).
var (
	ErrBadQuery = errors.New("bad query")
	ErrLimit    = errors.New("query limit exceeded")
	ErrNotFound = errors.New("not found")
)

type queryError struct {
	kind error
	msg  string
}

func (e *queryError) Error() string { return e.msg }
func (e *queryError) Unwrap() error { return e.kind }

func badQuery(format string, args ...any) error {
	return &queryError{ErrBadQuery, fmt.Sprintf(format, args...)}
}

func overLimit(format string, args ...any) error {
	return &queryError{ErrLimit, fmt.Sprintf(format, args...)}
}

// Limits bound what one query may cost. Zero fields take the defaults.
type Limits struct {
	MaxRows    int           // transactions: most rows a query returns (default 5000)
	MaxLimit   int           // topN: largest limit (default 1000)
	MaxSeries  int           // traffic: most series of a split (default 100)
	MaxBuckets int           // traffic: most time buckets (default 11000)
	MaxRange   time.Duration // longest time range; 0: no limit
	Timeout    time.Duration // wall time of one query (default 30s)
}

// DefaultLimits are the limits when none are set.
var DefaultLimits = Limits{MaxRows: 5000, MaxLimit: 1000, MaxSeries: 100, MaxBuckets: 11000, Timeout: 30 * time.Second}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	if l.MaxRows > 0 {
		d.MaxRows = l.MaxRows
	}
	if l.MaxLimit > 0 {
		d.MaxLimit = l.MaxLimit
	}
	if l.MaxSeries > 0 {
		d.MaxSeries = l.MaxSeries
	}
	if l.MaxBuckets > 0 {
		d.MaxBuckets = l.MaxBuckets
	}
	if l.MaxRange > 0 {
		d.MaxRange = l.MaxRange
	}
	if l.Timeout > 0 {
		d.Timeout = l.Timeout
	}
	return d
}

// DetailReader reads what the index does not hold (headers, parameters,
// steps) for a trace, from the record's place on disk.
type DetailReader interface {
	ReadDetail(ctx context.Context, pos index.Position) (any, error)
}

// Engine runs transaction queries against a store. Its zero Limits, Now and
// Details are usable: default limits, time.Now, and traces without details.
type Engine struct {
	Store   *index.Store
	Limits  Limits
	Details DetailReader
	Now     func() time.Time
	Workers int // scan goroutines; 0: GOMAXPROCS
	// Geo resolves client addresses for the geo dimensions (geo.go); nil
	// when no geoDatabase is set.
	Geo GeoLookup
	// Collections resolves filters.collection (collection ids or names) to
	// the ids of their APIs, from the inventory reports; an error (no
	// reports) makes the query a bad one. Nil: the collection filter is a
	// bad query.
	Collections func(names []string) ([]string, error)
}

func (e *Engine) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}

// start applies the timeout and the range limit, and takes the snapshot.
func (e *Engine) start(ctx context.Context, tr TimeRange) (context.Context, context.CancelFunc, *index.Snapshot, Limits, error) {
	lim := e.Limits.withDefaults()
	if lim.MaxRange > 0 && !tr.From.IsZero() && !tr.To.IsZero() && tr.To.Sub(tr.From) > lim.MaxRange {
		return ctx, func() {}, nil, lim, overLimit("time range %s is longer than the limit %s", tr.To.Sub(tr.From), lim.MaxRange)
	}
	ctx, cancel := context.WithTimeout(ctx, lim.Timeout)
	return ctx, cancel, e.Store.Snapshot(), lim, nil
}

// scanErr turns a scan's context error into a query error.
func scanErr(err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("query took too long (limit reached): %w", err)
	}
	return err
}

// micros turns a time range into µs bounds; zero times are open ends.
func micros(tr TimeRange) (int64, int64) {
	lo, hi := index.AllTime()
	if !tr.From.IsZero() {
		lo = tr.From.UnixMicro()
	}
	if !tr.To.IsZero() {
		hi = tr.To.UnixMicro()
	}
	return lo, hi
}

// columnar turns compiled filters into masks over the snapshot's
// dictionaries: each predicate runs once per distinct value.
func columnar(sn *index.Snapshot, m *matcher, tr TimeRange) *index.Predicate {
	d := sn.Dicts()
	p := &index.Predicate{}
	p.From, p.To = micros(tr)
	if len(m.tuple) > 0 {
		p.Tuples = make([]bool, len(d.Tuples))
		t := new(model.Transaction) // one for all: predicates take a pointer
		for i := range d.Tuples {
			*t = tupleTx(d, i)
			ok := true
			for _, f := range m.tuple {
				if ok = f(t); !ok {
					break
				}
			}
			p.Tuples[i] = ok
		}
	}
	if m.clientIP != nil || len(m.clientPreds) > 0 {
		p.ClientIPs = make([]bool, len(d.ClientAddrs))
		t := new(model.Transaction)
		for i, a := range d.ClientAddrs {
			ok := m.clientIP == nil || m.clientIP(a, a.IsValid())
			t.ClientIP = d.ClientIPs[i]
			for _, f := range m.clientPreds {
				if !ok {
					break
				}
				ok = f(t)
			}
			p.ClientIPs[i] = ok
		}
	}
	if len(m.pathPreds) > 0 {
		p.Paths = make([]bool, d.Paths.Len())
		t := new(model.Transaction)
		for i := range p.Paths {
			t.Path = d.Paths.At(i)
			ok := true
			for _, f := range m.pathPreds {
				if ok = f(t); !ok {
					break
				}
			}
			p.Paths[i] = ok
		}
	}
	return p
}

// tupleTx is a transaction with the fields of tuple i set, for predicates.
func tupleTx(d *index.Dicts, i int) model.Transaction {
	tu := d.Tuples[i]
	api := d.APIs[tu.API]
	return model.Transaction{
		Instance: d.Instances[tu.Instance], APIID: api.ID, APIName: api.Name, Hostname: d.Hostnames[tu.Hostname],
		Method: d.Methods[tu.Method], Operation: d.Operations[tu.Operation], Status: int(tu.Status),
		NonBlocking: tu.NonBlocking, BlockingLevel: int(tu.BlockingLevel), Errors: d.Errors[tu.Errors], Outcome: tu.Outcome,
	}
}

// prepare resolves filters.collection (Collections), gives the geo filters
// the engine's database and compiles the filters for a snapshot.
func (e *Engine) prepare(sn *index.Snapshot, f Filters, tr TimeRange) (*index.Predicate, error) {
	f.geo = e.Geo
	if len(f.Collection) > 0 && e.Collections != nil {
		ids, err := e.Collections(f.Collection)
		if err != nil {
			return nil, badQuery("%v", err)
		}
		f.collectionAPIs = append([]string{}, ids...)
	}
	m, err := compile(f)
	if err != nil {
		return nil, err
	}
	return columnar(sn, m, tr), nil
}

// outcomes maps each tuple code to its outcome.
func outcomes(d *index.Dicts) []uint8 {
	out := make([]uint8, len(d.Tuples))
	for i, t := range d.Tuples {
		out[i] = uint8(t.Outcome)
	}
	return out
}
