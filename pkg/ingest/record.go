// Package ingest reads firewall transaction logs: it finds the files under the
// configured roots (FILES layout and captured STDOUT), follows them as they
// grow and rotate (Tailer), parses each record into a model.Transaction and
// classifies its outcome. Bad records are skipped and reported with file and line.
package ingest

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/apifw/monitor/pkg/model"
)

// ErrNotTransaction marks a JSON line that is valid but not a transaction record.
var ErrNotTransaction = errors.New("not a transaction record (no uuid)")

// ParseRecord parses one NDJSON transaction record with opts' paths, epoch
// unit and outcome rules (as a record of a protected API's file). The result
// has no File/Line/Offset: the caller knows them. For many records, the
// Tailer (or ReadFile) is much faster: it compiles opts once and reuses memory.
func ParseRecord(line []byte, opts Options) (model.Transaction, error) {
	cfg, err := parserConfigFor(opts)
	if err != nil {
		return model.Transaction{}, err
	}
	p := &recordParser{cfg: cfg, vals: make([]span, cfg.paths.record.slots)}
	p.setNow(opts.now())
	var t model.Transaction
	if err := p.parse(line, false, &t); err != nil {
		return model.Transaction{}, err
	}
	return t, nil
}

// defaultConfigs holds the compiled default paths and rules, which nearly
// every caller uses.
var defaultConfig = func() *parserConfig {
	cfg, err := newParserConfig(Options{})
	if err != nil {
		panic(err)
	}
	return cfg
}()

func parserConfigFor(opts Options) (*parserConfig, error) {
	if opts.Paths == (JSONPaths{}) && len(opts.Rules.Rules) == 0 && opts.Rules.Otherwise == "" {
		if err := opts.Validate(); err != nil {
			return nil, err
		}
		cfg := *defaultConfig
		cfg.unit, cfg.opts = opts.EpochUnit, opts
		return &cfg, nil
	}
	return newParserConfig(opts)
}

// numberToInt64 converts a JSON number literal: integers exactly, fractions
// truncated; ok is false beyond the int64 range.
func numberToInt64(text []byte) (int64, bool) {
	if n := len(text); n > 0 && n <= 18 {
		neg, i := text[0] == '-', 0
		if neg {
			i = 1
		}
		var v int64
		for ; i < n; i++ {
			c := text[i]
			if c < '0' || c > '9' {
				break
			}
			v = v*10 + int64(c-'0')
		}
		if i == n && (!neg || n > 1) {
			if neg {
				v = -v
			}
			return v, true
		}
	}
	if v, err := strconv.ParseInt(string(text), 10, 64); err == nil {
		return v, true
	}
	f, err := strconv.ParseFloat(string(text), 64)
	if err != nil || math.IsNaN(f) || f >= 1<<63 || f < -(1<<63) {
		return 0, false
	}
	return int64(f), true
}

// isNumberLiteral says whether s is exactly one JSON number.
func isNumberLiteral(s []byte) bool {
	end, err := scanNumber(s, 0)
	return err == nil && end == len(s)
}

// flexBoolText reads the booleans older builds write: 1/0 as numbers or
// strings, and "true"/"false"/"null"/"" as strings.
func flexBoolText(text []byte, quoted bool) (v, ok bool) {
	switch string(text) {
	case "1":
		return true, true
	case "0":
		return false, true
	}
	if quoted {
		switch string(text) {
		case "true":
			return true, true
		case "false", "null", "":
			return false, true
		}
	}
	return false, false
}

// checkPlausible rejects times outside [lo, hi]: corrupt or unit-confused values.
func checkPlausible(ts, lo, hi time.Time) error {
	if ts.Before(lo) || ts.After(hi) {
		return fmt.Errorf("timestamp %s is implausible (outside %s … %s)",
			ts.UTC().Format(time.RFC3339), lo.UTC().Format(time.RFC3339), hi.UTC().Format(time.RFC3339))
	}
	return nil
}

// EpochToTime converts an epoch count in the given unit; EpochAuto picks the unit by magnitude.
func EpochToTime(n int64, unit EpochUnit) time.Time {
	if unit == EpochAuto {
		unit = DetectEpochUnit(n)
	}
	switch unit {
	case EpochSeconds:
		return time.Unix(n, 0).UTC()
	case EpochMilliseconds:
		return time.UnixMilli(n).UTC()
	case EpochNanoseconds:
		return time.Unix(0, n).UTC()
	default:
		return time.UnixMicro(n).UTC()
	}
}

// DetectEpochUnit guesses the unit of an epoch value: dates between 1973 and
// 2286 map to distinct magnitude bands for s, ms, µs and ns.
func DetectEpochUnit(n int64) EpochUnit {
	if n < 0 {
		n = -n
	}
	switch {
	case n < 1e11:
		return EpochSeconds
	case n < 1e14:
		return EpochMilliseconds
	case n < 1e17:
		return EpochMicroseconds
	default:
		return EpochNanoseconds
	}
}

// parseRFCDate reads date_rfc8601 ("2024-02-21T08:31:22.128004+0000") and RFC 3339.
func parseRFCDate(s string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02T15:04:05.999999999-0700", time.RFC3339Nano, "2006-01-02T15:04:05-0700"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("date_rfc8601 not understood: %.40q", s)
}
