package ingest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/apifw/monitor/pkg/model"
)

// parseRecordReference is the slow, obviously right decoder the fast parser
// must agree with: encoding/json decodes the whole record into generic
// values, then the configured paths are looked up with the documented rules
// (docs/formats.md "Transaction records"). Only tests use it.
func parseRecordReference(line []byte, opts Options, unknown bool) (model.Transaction, error) {
	if !json.Valid(line) {
		return model.Transaction{}, errors.New("invalid JSON")
	}
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return model.Transaction{}, err
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return model.Transaction{}, errNotObject
	}
	paths := opts.Paths.withDefaults()
	rules, err := compileRules(opts.Rules)
	if err != nil {
		return model.Transaction{}, err
	}
	r := refRecord{}
	get := func(path string) any { return r.lookup(obj, path) }

	uuid := get(paths.UUID)
	strs := map[string]any{}
	for _, p := range []string{paths.Instance, paths.API, paths.APIName, paths.SourceIP, paths.Hostname, paths.Method, paths.URIPath, paths.OASPath} {
		strs[p] = get(p)
	}
	epoch, rfc, dur, level, status, nb, errs :=
		get(paths.DateEpoch), get(paths.DateRFC8601), get(paths.Duration), get(paths.BlockingLevel), get(paths.Status), get(paths.NonBlocking), get(paths.Errors)
	if r.err != nil {
		return model.Transaction{}, r.err
	}
	switch u := uuid.(type) {
	case nil:
		return model.Transaction{}, ErrNotTransaction
	case string:
		if u == "" {
			return model.Transaction{}, ErrNotTransaction
		}
	default:
		return model.Transaction{}, fmt.Errorf("uuid: wrong type %T", u)
	}
	t := model.Transaction{UUID: uuid.(string), DurationUS: -1, BlockingLevel: -1}

	lo, hi := opts.timeBounds(opts.now())
	if n, ok, err := refNumber(epoch); err != nil {
		return t, err
	} else if ok {
		v, ok := numberToInt64([]byte(n))
		if !ok {
			return t, errors.New("date_epoch out of range")
		}
		t.Time = EpochToTime(v, opts.EpochUnit)
	} else {
		switch s := rfc.(type) {
		case nil:
			return t, errors.New("no time")
		case string:
			if t.Time, err = parseRFCDate(s); err != nil {
				return t, err
			}
		default:
			return t, fmt.Errorf("date_rfc8601: wrong type %T", s)
		}
	}
	if err := checkPlausible(t.Time, lo, hi); err != nil {
		return t, err
	}
	intOf := func(v any, dst *int64) (bool, error) {
		n, ok, err := refNumber(v)
		if !ok || err != nil {
			return false, err
		}
		x, ok := numberToInt64([]byte(n))
		*dst = x
		return ok, nil
	}
	var x int64
	if ok, err := intOf(dur, &x); err != nil {
		return t, err
	} else if ok && x >= 0 {
		t.DurationUS = x
	}
	if ok, err := intOf(level, &x); err != nil {
		return t, err
	} else if ok {
		t.BlockingLevel = int(x)
	}
	if ok, err := intOf(status, &x); err != nil {
		return t, err
	} else if ok {
		t.Status = int(x)
	}
	switch b := nb.(type) {
	case nil:
	case bool:
		t.NonBlocking = b
	case json.Number:
		v, ok := flexBoolText([]byte(b), false)
		if !ok {
			return t, errors.New("non_blocking_mode: not a boolean")
		}
		t.NonBlocking = v
	case string:
		v, ok := flexBoolText([]byte(b), true)
		if !ok {
			return t, errors.New("non_blocking_mode: not a boolean")
		}
		t.NonBlocking = v
	default:
		return t, fmt.Errorf("non_blocking_mode: wrong type %T", b)
	}
	str := func(v any) (string, error) {
		switch s := v.(type) {
		case nil:
			return "", nil
		case string:
			return s, nil
		}
		return "", fmt.Errorf("wrong type %T for a string", v)
	}
	for _, f := range []struct {
		path string
		dst  *string
	}{
		{paths.Instance, &t.Instance}, {paths.API, &t.APIID}, {paths.APIName, &t.APIName}, {paths.SourceIP, &t.ClientIP},
		{paths.Hostname, &t.Hostname}, {paths.Method, &t.Method}, {paths.URIPath, &t.Path}, {paths.OASPath, &t.Operation},
	} {
		if *f.dst, err = str(strs[f.path]); err != nil {
			return t, err
		}
	}
	switch list := errs.(type) {
	case nil:
	case []any:
		for _, e := range list {
			if e == nil {
				continue
			}
			m, ok := e.(map[string]any)
			if !ok {
				return t, fmt.Errorf("errors[]: wrong type %T", e)
			}
			er := refRecord{}
			var te model.TransactionError
			step, state, token, msg, depth := er.lookup(m, paths.ErrorStep), er.lookup(m, paths.ErrorState),
				er.lookup(m, paths.ErrorToken), er.lookup(m, paths.ErrorMessage), er.lookup(m, paths.ErrorDepth)
			if er.err != nil {
				return t, er.err
			}
			for _, f := range []struct {
				v   any
				dst *string
			}{{step, &te.Step}, {state, &te.State}, {token, &te.Token}, {msg, &te.Message}} {
				if *f.dst, err = str(f.v); err != nil {
					return t, err
				}
			}
			if ok, err := intOf(depth, &x); err != nil {
				return t, err
			} else if ok {
				te.Depth = int(x)
			}
			t.Errors = append(t.Errors, te)
		}
	default:
		return t, fmt.Errorf("errors: wrong type %T", list)
	}
	t.Outcome = rules.classify(&t, unknown)
	return t, nil
}

// refRecord looks dotted paths up in decoded JSON, remembering the first
// object on a path that is not an object.
type refRecord struct{ err error }

func (r *refRecord) lookup(obj map[string]any, path string) any {
	segs := strings.Split(path, ".")
	cur := obj
	for i, s := range segs {
		v := cur[s]
		if i == len(segs)-1 {
			return v
		}
		switch m := v.(type) {
		case nil:
			return nil
		case map[string]any:
			cur = m
		default:
			if r.err == nil {
				r.err = fmt.Errorf("%s: want an object, got %T", strings.Join(segs[:i+1], "."), v)
			}
			return nil
		}
	}
	return nil
}

// refNumber returns the literal of a number or numeric string.
func refNumber(v any) (string, bool, error) {
	switch n := v.(type) {
	case nil:
		return "", false, nil
	case json.Number:
		return string(n), true, nil
	case string:
		if !isNumberLiteral([]byte(n)) {
			return "", false, fmt.Errorf("%q is not a number", n)
		}
		return n, true, nil
	}
	return "", false, fmt.Errorf("wrong type %T for a number", v)
}

// sameTransaction compares what both decoders produce (positions aside).
func sameTransaction(a, b model.Transaction) string {
	if len(a.Errors) == 0 && len(b.Errors) == 0 {
		a.Errors, b.Errors = nil, nil
	}
	as, bs := fmt.Sprintf("%+v", a), fmt.Sprintf("%+v", b)
	if as != bs || !a.Time.Equal(b.Time) {
		return "fast:      " + as + "\nreference: " + bs
	}
	return ""
}

// fixedNow is the clock of parser tests: records from 2024 are plausible.
func fixedNow() time.Time { return time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC) }

var _ = utf8.RuneError
