// Package ingest reads firewall transaction logs: it finds the files under the
// configured roots, parses each NDJSON record into a model.Transaction and
// classifies its outcome. Bad records are skipped and reported with file and line.
package ingest

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/apifw/monitor/pkg/model"
)

// EpochUnit is the unit of the record's date_epoch field.
type EpochUnit string

const (
	EpochAuto         EpochUnit = ""   // detect by magnitude
	EpochSeconds      EpochUnit = "s"  // 1.7e9
	EpochMilliseconds EpochUnit = "ms" // 1.7e12
	EpochMicroseconds EpochUnit = "us" // 1.7e15, what firewall v1.0.25 writes
	EpochNanoseconds  EpochUnit = "ns" // 1.7e18
)

// ParseOptions are the parsing settings a user can change (formats.md §6).
type ParseOptions struct {
	EpochUnit EpochUnit
	// MaxSkew bounds how far from "now" a record time may be before it is
	// rejected as corrupt; zero means 20 years in the past and 1 day ahead.
	MaxPast   time.Duration
	MaxFuture time.Duration
	Now       func() time.Time
}

func (o ParseOptions) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

// rawRecord mirrors the keys of a real v1.0.25 record that queries need.
// Unknown keys are ignored here; the trace view re-reads the line from disk.
type rawRecord struct {
	UUID        *string      `json:"uuid"`
	DateEpoch   json.Number  `json:"date_epoch"`
	DateRFC     string       `json:"date_rfc8601"`
	Duration    *json.Number `json:"duration"`
	Pod         *rawPod      `json:"pod"`
	API         string       `json:"api"`
	APIName     string       `json:"api_name"`
	NonBlocking flexBool     `json:"non_blocking_mode"`
	SourceIP    string       `json:"source_ip"`
	Hostname    string       `json:"hostname"`
	Method      string       `json:"method"`
	URIPath     string       `json:"uri_path"`
	OASPath     string       `json:"oas_path"`
	Status      json.Number  `json:"status"`
	Errors      []rawError   `json:"errors"`
}

type rawPod struct {
	InstanceName string `json:"instance_name"`
}

type rawError struct {
	Step     string      `json:"step"`
	Depth    json.Number `json:"depth"`
	State    string      `json:"state"`
	KDBToken string      `json:"kdb_token"`
	Message  string      `json:"message"`
}

// flexBool accepts true/false, "true"/"false" and 0/1: older builds are not consistent.
type flexBool bool

func (b *flexBool) UnmarshalJSON(data []byte) error {
	switch strings.Trim(string(data), `"`) {
	case "true", "1":
		*b = true
	case "false", "0", "null", "":
		*b = false
	default:
		return fmt.Errorf("not a boolean: %.20s", data)
	}
	return nil
}

// ErrNotTransaction marks a JSON line that is valid but not a transaction record.
var ErrNotTransaction = errors.New("not a transaction record (no uuid)")

// ParseRecord parses one NDJSON transaction record. The returned transaction has
// no File/Line/Offset: the caller knows them. Outcome is classified with the
// default rules; unknownAPIFile says the line came from api-unknown.transaction.log.
func ParseRecord(line []byte, opts ParseOptions) (model.Transaction, error) {
	var r rawRecord
	if err := json.Unmarshal(line, &r); err != nil {
		return model.Transaction{}, fmt.Errorf("invalid JSON: %w", err)
	}
	if r.UUID == nil || *r.UUID == "" {
		return model.Transaction{}, ErrNotTransaction
	}
	ts, err := recordTime(r, opts)
	if err != nil {
		return model.Transaction{}, err
	}
	t := model.Transaction{
		UUID:        *r.UUID,
		Time:        ts,
		DurationUS:  -1,
		APIID:       r.API,
		APIName:     r.APIName,
		ClientIP:    r.SourceIP,
		Hostname:    r.Hostname,
		Method:      r.Method,
		Path:        r.URIPath,
		Operation:   r.OASPath,
		NonBlocking: bool(r.NonBlocking),
	}
	if r.Pod != nil {
		t.Instance = r.Pod.InstanceName
	}
	if r.Duration != nil {
		if d, err := r.Duration.Int64(); err == nil && d >= 0 {
			t.DurationUS = d
		}
	}
	if r.Status != "" {
		if s, err := strconv.Atoi(r.Status.String()); err == nil {
			t.Status = s
		}
	}
	for _, e := range r.Errors {
		depth, _ := strconv.Atoi(e.Depth.String())
		t.Errors = append(t.Errors, model.TransactionError{
			Step: e.Step, Depth: depth, State: e.State, Token: e.KDBToken, Message: e.Message,
		})
	}
	return t, nil
}

func recordTime(r rawRecord, opts ParseOptions) (time.Time, error) {
	var ts time.Time
	switch {
	case r.DateEpoch != "":
		n, err := r.DateEpoch.Int64()
		if err != nil {
			f, ferr := r.DateEpoch.Float64()
			if ferr != nil {
				return ts, fmt.Errorf("date_epoch is not a number: %.40s", r.DateEpoch)
			}
			n = int64(f)
		}
		ts = EpochToTime(n, opts.EpochUnit)
	case r.DateRFC != "":
		var err error
		ts, err = parseRFCDate(r.DateRFC)
		if err != nil {
			return ts, err
		}
	default:
		return ts, errors.New("record has neither date_epoch nor date_rfc8601")
	}
	maxPast, maxFuture := opts.MaxPast, opts.MaxFuture
	if maxPast == 0 {
		maxPast = 20 * 365 * 24 * time.Hour
	}
	if maxFuture == 0 {
		maxFuture = 24 * time.Hour
	}
	now := opts.now()
	if ts.Before(now.Add(-maxPast)) || ts.After(now.Add(maxFuture)) {
		return ts, fmt.Errorf("timestamp %s is implausible (outside now-%s … now+%s)", ts.UTC().Format(time.RFC3339), maxPast, maxFuture)
	}
	return ts, nil
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
