package ingest

// The record parser as it was before the hand-written scanner: encoding/json
// into a struct. Kept (in a test file) as the benchmark's baseline.

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/apifw/monitor/pkg/model"
)

// stdlibRecord mirrors the keys of a real v1.0.25 record that queries need.
// Unknown keys are ignored here; the trace view re-reads the line from disk.
type stdlibRecord struct {
	UUID        *string       `json:"uuid"`
	DateEpoch   json.Number   `json:"date_epoch"`
	DateRFC     string        `json:"date_rfc8601"`
	Duration    *json.Number  `json:"duration"`
	Pod         *stdlibPod    `json:"pod"`
	API         string        `json:"api"`
	APIName     string        `json:"api_name"`
	NonBlocking stdlibBool    `json:"non_blocking_mode"`
	SourceIP    string        `json:"source_ip"`
	Hostname    string        `json:"hostname"`
	Method      string        `json:"method"`
	URIPath     string        `json:"uri_path"`
	OASPath     string        `json:"oas_path"`
	Status      json.Number   `json:"status"`
	Errors      []stdlibError `json:"errors"`
}

type stdlibPod struct {
	InstanceName string `json:"instance_name"`
}

type stdlibError struct {
	Step     string      `json:"step"`
	Depth    json.Number `json:"depth"`
	State    string      `json:"state"`
	KDBToken string      `json:"kdb_token"`
	Message  string      `json:"message"`
}

// stdlibBool accepts true/false, "true"/"false" and 0/1: older builds are not consistent.
type stdlibBool bool

func (b *stdlibBool) UnmarshalJSON(data []byte) error {
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

// ParseRecord parses one NDJSON transaction record. The returned transaction has
// no File/Line/Offset: the caller knows them. Outcome is classified with the
// default rules; unknownAPIFile says the line came from api-unknown.transaction.log.
func parseRecordStdlib(line []byte, opts Options) (model.Transaction, error) {
	var r stdlibRecord
	if err := json.Unmarshal(line, &r); err != nil {
		return model.Transaction{}, fmt.Errorf("invalid JSON: %w", err)
	}
	if r.UUID == nil || *r.UUID == "" {
		return model.Transaction{}, ErrNotTransaction
	}
	ts, err := stdlibRecordTime(r, opts)
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

func stdlibRecordTime(r stdlibRecord, opts Options) (time.Time, error) {
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
