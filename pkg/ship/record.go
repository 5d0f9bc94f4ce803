// Package ship is the shipper's core (cmd/apifw-ship): it tails the
// firewall logs with pkg/ingest's tailer, strips bodies and masks secrets
// with pkg/mask's rules, spools the records on disk together with the
// tailer's checkpoint (exactly once across restarts), and sends them to
// VictoriaLogs' JSON-lines ingestion, keeping each batch until it is
// queryable (a 200 from VictoriaLogs is not durable).
package ship

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/apifw/monitor/pkg/mask"
	"github.com/apifw/monitor/pkg/model"
)

// Field names of a shipped record: the contract between the shipper and the
// data source's LogsQL backend (pkg/vlogs). Stream fields: instance, api.
const (
	FieldInstance      = "instance"
	FieldAPI           = "api" // API id
	FieldAPIName       = "api_name"
	FieldClientIP      = "client_ip"
	FieldHostname      = "hostname"
	FieldMethod        = "method"
	FieldPath          = "path"
	FieldOperation     = "operation"
	FieldStatus        = "status"
	FieldStatusClass   = "status_class"
	FieldOutcome       = "outcome"
	FieldDuration      = "duration_us" // absent when unknown
	FieldErrorStep     = "error_step"  // the last error's step
	FieldErrorMessage  = "error_message"
	FieldErrorSteps    = "error_steps" // every error's step, one per line, framed by newlines
	FieldErrorMessages = "error_messages"
	FieldErrors        = "errors" // JSON array of the errors
	FieldUUID          = "uuid"
	FieldFile          = "file"
	FieldNonBlocking   = "non_blocking"
	FieldBlockingLevel = "blocking_level"
	FieldDetail        = "detail" // JSON of the masked model.TransactionDetail (no bodies)
	FieldBatch         = "ship_batch"
)

// StreamFields are VictoriaLogs' stream fields of a shipped record.
var StreamFields = []string{FieldInstance, FieldAPI}

// InsertPath is the JSON-lines ingestion path with its parameters.
const InsertPath = "/insert/jsonline?_stream_fields=instance,api&_time_field=_time&_msg_field=_msg"

// Line is one shipped record as VictoriaLogs receives it.
type Line map[string]string

// StatusClass is "4xx" for 404, "unknown" outside 100–599 (as pkg/query).
func StatusClass(s int) string {
	if s < 100 || s > 599 {
		return "unknown"
	}
	return strconv.Itoa(s/100) + "xx"
}

// Encode turns a transaction and its detail (nil: not readable) into one
// JSON line for VictoriaLogs, masking the detail's secret headers.
func Encode(tx *model.Transaction, det *model.TransactionDetail, m *mask.Masker, batch string) []byte {
	l := Line{
		"_time":          tx.Time.UTC().Format(time.RFC3339Nano),
		"_msg":           tx.Method + " " + tx.Path + " " + strconv.Itoa(tx.Status),
		FieldInstance:    tx.Instance,
		FieldAPI:         tx.APIID,
		FieldAPIName:     tx.APIName,
		FieldClientIP:    tx.ClientIP,
		FieldHostname:    tx.Hostname,
		FieldMethod:      tx.Method,
		FieldPath:        tx.Path,
		FieldOperation:   tx.Operation,
		FieldStatus:      strconv.Itoa(tx.Status),
		FieldStatusClass: StatusClass(tx.Status),
		FieldOutcome:     tx.Outcome.String(),
		FieldUUID:        tx.UUID,
		FieldFile:        tx.File,
		FieldBatch:       batch,
		FieldNonBlocking: strconv.FormatBool(tx.NonBlocking),
	}
	if tx.BlockingLevel >= 0 {
		l[FieldBlockingLevel] = strconv.Itoa(tx.BlockingLevel)
	}
	if tx.DurationUS >= 0 {
		l[FieldDuration] = strconv.FormatInt(tx.DurationUS, 10)
	}
	if n := len(tx.Errors); n > 0 {
		l[FieldErrorStep] = tx.Errors[n-1].Step
		l[FieldErrorMessage] = tx.Errors[n-1].Message
		var steps, msgs strings.Builder
		steps.WriteByte('\n')
		msgs.WriteByte('\n')
		for _, e := range tx.Errors {
			steps.WriteString(e.Step + "\n")
			msgs.WriteString(e.Message + "\n")
		}
		l[FieldErrorSteps], l[FieldErrorMessages] = steps.String(), msgs.String()
		if b, err := json.Marshal(tx.Errors); err == nil {
			l[FieldErrors] = string(b)
		}
	}
	if det != nil {
		d := m.Detail(*det)
		if b, err := json.Marshal(d); err == nil {
			l[FieldDetail] = string(b)
		}
	}
	b, _ := json.Marshal(l)
	return b
}

// Decode reads the transaction back from a record's fields (the data
// source's side of Encode).
func Decode(f map[string]string) model.Transaction {
	tx := model.Transaction{
		UUID: f[FieldUUID], Instance: f[FieldInstance], APIID: f[FieldAPI], APIName: f[FieldAPIName],
		ClientIP: f[FieldClientIP], Hostname: f[FieldHostname], Method: f[FieldMethod], Path: f[FieldPath],
		Operation: f[FieldOperation], File: f[FieldFile], DurationUS: -1, BlockingLevel: -1,
	}
	tx.Time, _ = time.Parse(time.RFC3339Nano, f["_time"])
	tx.Status, _ = strconv.Atoi(f[FieldStatus])
	tx.NonBlocking = f[FieldNonBlocking] == "true"
	if v, err := strconv.Atoi(f[FieldBlockingLevel]); err == nil {
		tx.BlockingLevel = v
	}
	if v, err := strconv.ParseInt(f[FieldDuration], 10, 64); err == nil {
		tx.DurationUS = v
	}
	if o, ok := model.ParseOutcome(f[FieldOutcome]); ok {
		tx.Outcome = o
	}
	if s := f[FieldErrors]; s != "" {
		_ = json.Unmarshal([]byte(s), &tx.Errors)
	}
	return tx
}
