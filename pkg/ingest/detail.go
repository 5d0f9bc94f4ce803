package ingest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/apifw/monitor/pkg/model"
)

// bodyKeys are the record keys that hold bodies: never indexed, kept or shown.
var bodyKeys = []string{"request_body", "response_body"}

// maxRecordRead bounds what ReadRecord reads: a record (or a STDOUT
// message with the lines interleaved with it) is never near this.
const maxRecordRead = 16 << 20

// ReadRecord returns the raw JSON of one record as the index located it
// (Transaction.File or Tailer.Locate, Offset, Length), reassembled from its
// chunks for STDOUT files, with the bodies removed. Archives (.gz) are
// decompressed up to the record.
func ReadRecord(path string, offset int64, length int32, layout Layout) ([]byte, error) {
	if offset < 0 || length <= 0 || length > maxRecordRead {
		return nil, fmt.Errorf("record position %d+%d is not valid", offset, length)
	}
	in, closeIn, err := openAt(path, offset)
	if err != nil {
		return nil, err
	}
	defer closeIn()
	buf := make([]byte, length)
	if _, err := io.ReadFull(in, buf); err != nil {
		return nil, fmt.Errorf("%s: record at %d not found (file changed?): %w", path, offset, err)
	}
	if layout == LayoutAuto {
		layout = detectLayout(buf)
	}
	raw := buf
	if layout == LayoutErrorLog {
		if raw, err = errorLogRecordAt(buf); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	if layout == LayoutStdout {
		if raw, err = reassembleAt(buf); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	raw = bytes.TrimRight(raw, "\r\n")
	return StripBodies(raw)
}

// detectLayout tells a bare record from captured console output.
func detectLayout(b []byte) Layout {
	line := b
	if nl := bytes.IndexByte(b, '\n'); nl >= 0 {
		line = b[:nl]
	}
	if len(line) > 0 && line[0] == '[' && bytes.Contains(line, errorLogMarker) {
		return LayoutErrorLog // an Apache-style error-log line
	}
	if len(line) > 0 && line[0] == '{' {
		if _, _, err := unwrapDocker(line, nil); err == nil {
			return LayoutStdout
		}
		return LayoutNDJSON
	}
	return LayoutStdout
}

// reassembleAt returns the transaction message whose first line starts b.
func reassembleAt(b []byte) ([]byte, error) {
	var (
		s     stdoutReader
		found []byte
		why   string
	)
	off := int64(0)
	for line := 1; len(b) > 0 && found == nil; line++ {
		l, adv := b, len(b)
		if nl := bytes.IndexByte(b, '\n'); nl >= 0 {
			l, adv = b[:nl], nl+1
		}
		s.consume(l, off, line,
			func(m stdoutMessage) {
				if m.offset == 0 {
					found = append([]byte(nil), m.text...)
				}
			},
			func(o int64, _ int, reason string) {
				if o == 0 {
					why = reason
				}
			})
		off += int64(adv)
		b = b[adv:]
	}
	if found == nil {
		if why == "" {
			why = "no complete transaction message starts there"
		}
		return nil, errors.New(why)
	}
	return found, nil
}

// StripBodies removes the body keys from a record's top-level object,
// leaving every other member byte for byte.
func StripBodies(raw []byte) ([]byte, error) {
	if err := validJSON(raw); err != nil {
		return nil, err
	}
	i := skipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '{' {
		return nil, errNotObject
	}
	var members [][]byte
	stripped := false
	i = skipSpace(raw, i+1)
	for i < len(raw) && raw[i] == '"' {
		start := i
		kend, esc, high, _ := scanString(raw, i+1)
		key := stringContent(raw, i, kend, esc, high)
		i = skipSpace(raw, kend)
		i = skipSpace(raw, i+1) // ':'
		end, _, _ := skipValue(raw, i, 1)
		if contains(bodyKeys, string(key)) {
			stripped = true
		} else {
			members = append(members, raw[start:end])
		}
		i = skipSpace(raw, end)
		if i < len(raw) && raw[i] == ',' {
			i = skipSpace(raw, i+1)
		}
	}
	if !stripped {
		return raw, nil
	}
	out := append([]byte{'{'}, bytes.Join(members, []byte{','})...)
	return append(out, '}'), nil
}

// ParseDetail decodes everything of a record for the trace view: headers
// (arrays of one-key objects, or objects), parameters, trace steps, errors,
// customs and the keys it does not know. Bodies are dropped. Values of an
// unexpected type are left out and listed in Problems; only JSON that is not
// an object with a uuid is an error.
func ParseDetail(raw []byte) (model.TransactionDetail, error) {
	return ParseDetailWith(raw, EpochAuto)
}

// ParseDetailWith is ParseDetail with a set date_epoch unit.
func ParseDetailWith(raw []byte, unit EpochUnit) (model.TransactionDetail, error) {
	d := model.TransactionDetail{
		DurationUS: -1, BlockingLevel: -1, RequestBodySize: -1, ResponseBodySize: -1,
		PathParams: []model.Header{}, QueryParams: []model.Header{}, RequestHeaders: []model.Header{},
		ResponseHeaders: []model.Header{}, Errors: []model.TransactionError{}, Traces: []model.TraceStep{},
		Customs: []model.RawField{}, Unknown: []model.RawField{},
	}
	members, err := objectMembers(raw)
	if err != nil {
		return d, err
	}
	problem := func(key string, v json.RawMessage) {
		d.Problems = append(d.Problems, fmt.Sprintf("%s: unexpected value %.60s", key, v))
	}
	str := func(key string, v json.RawMessage, dst *string) {
		if !decodeLoose(v, dst) {
			problem(key, v)
		}
	}
	num := func(key string, v json.RawMessage, dst *int64) {
		if n, ok := looseInt(v); ok {
			*dst = n
		} else if !isNull(v) {
			problem(key, v)
		}
	}
	// eachObject calls fn with the members of each object in the array v
	// (errors[], traces[]); entries that are not objects are reported.
	eachObject := func(key string, v json.RawMessage, fn func([]member)) {
		var list []json.RawMessage
		if !decodeLoose(v, &list) {
			problem(key, v)
			return
		}
		for _, e := range list {
			fields, err := objectMembers(e)
			if err != nil {
				if !isNull(e) {
					problem(key+"[]", e)
				}
				continue
			}
			fn(fields)
		}
	}
	var epoch int64
	haveEpoch := false
	for _, m := range members {
		v := m.value
		switch m.key {
		case "uuid":
			str(m.key, v, &d.UUID)
		case "version":
			str(m.key, v, &d.Version)
		case "date_epoch":
			if n, ok := looseInt(v); ok {
				epoch, haveEpoch = n, true
			} else if !isNull(v) {
				problem(m.key, v)
			}
		case "date_rfc8601":
			str(m.key, v, &d.DateRFC8601)
		case "duration":
			num(m.key, v, &d.DurationUS)
		case "pod":
			pod, err := objectMembers(v)
			if err != nil {
				if !isNull(v) {
					problem(m.key, v)
				}
				continue
			}
			for _, p := range pod {
				switch p.key {
				case "instance_name":
					str("pod.instance_name", p.value, &d.Instance)
				case "service_account":
					str("pod.service_account", p.value, &d.ServiceAccount)
				case "namespace":
					str("pod.namespace", p.value, &d.Namespace)
				case "ip":
					str("pod.ip", p.value, &d.PodIP)
				}
			}
		case "api":
			str(m.key, v, &d.APIID)
		case "api_name":
			str(m.key, v, &d.APIName)
		case "non_blocking_mode":
			if b, ok := looseBool(v); ok {
				d.NonBlocking = b
			} else {
				problem(m.key, v)
			}
		case "blocking_level":
			var n int64 = -1
			num(m.key, v, &n)
			d.BlockingLevel = int(n)
		case "source_ip":
			str(m.key, v, &d.SourceIP)
		case "source_port":
			var n int64
			num(m.key, v, &n)
			d.SourcePort = int(n)
		case "destination_ip":
			str(m.key, v, &d.DestinationIP)
		case "destination_port":
			var n int64
			num(m.key, v, &n)
			d.DestinationPort = int(n)
		case "protocol":
			str(m.key, v, &d.Protocol)
		case "hostname":
			str(m.key, v, &d.Hostname)
		case "method":
			str(m.key, v, &d.Method)
		case "uri_path":
			str(m.key, v, &d.URIPath)
		case "query":
			str(m.key, v, &d.Query)
		case "oas_path":
			str(m.key, v, &d.Operation)
		case "status":
			var n int64
			num(m.key, v, &n)
			d.Status = int(n)
		case "params":
			params, err := objectMembers(v)
			if err != nil {
				if !isNull(v) {
					problem(m.key, v)
				}
				continue
			}
			for _, p := range params {
				var dst *[]model.Header
				switch p.key {
				case "path":
					dst = &d.PathParams
				case "query":
					dst = &d.QueryParams
				case "request_header":
					dst = &d.RequestHeaders
				case "response_header":
					dst = &d.ResponseHeaders
				default:
					d.Unknown = append(d.Unknown, model.RawField{Key: "params." + p.key, Value: string(p.value)})
					continue
				}
				if !headerList(p.value, dst) {
					problem("params."+p.key, p.value)
				}
			}
		case "request_body_size":
			num(m.key, v, &d.RequestBodySize)
		case "response_body_size":
			num(m.key, v, &d.ResponseBodySize)
		case "response_aborted":
			if b, ok := looseBool(v); ok {
				d.ResponseAborted = b
			} else {
				problem(m.key, v)
			}
		case "request_body", "response_body":
			if !isNull(v) {
				d.BodiesOmitted = true
			}
		case "errors":
			eachObject(m.key, v, func(fields []member) {
				var te model.TransactionError
				for _, f := range fields {
					switch f.key {
					case "step":
						str("errors[].step", f.value, &te.Step)
					case "depth":
						var n int64
						num("errors[].depth", f.value, &n)
						te.Depth = int(n)
					case "state":
						str("errors[].state", f.value, &te.State)
					case "kdb_token":
						str("errors[].kdb_token", f.value, &te.Token)
					case "message":
						str("errors[].message", f.value, &te.Message)
					}
				}
				d.Errors = append(d.Errors, te)
			})
		case "traces":
			eachObject(m.key, v, func(fields []member) {
				step := model.TraceStep{DurationUS: -1}
				for _, f := range fields {
					switch f.key {
					case "step":
						str("traces[].step", f.value, &step.Step)
					case "depth":
						var n int64
						num("traces[].depth", f.value, &n)
						step.Depth = int(n)
					case "date_epoch":
						var n int64
						num("traces[].date_epoch", f.value, &n)
						if n != 0 {
							step.Time = EpochToTime(n, unit)
						}
					case "duration":
						num("traces[].duration", f.value, &step.DurationUS)
					}
				}
				d.Traces = append(d.Traces, step)
			})
		case "customs":
			fields, err := objectMembers(v)
			if err != nil {
				if !isNull(v) {
					problem(m.key, v)
				}
				continue
			}
			for _, f := range fields {
				d.Customs = append(d.Customs, model.RawField{Key: f.key, Value: string(f.value)})
			}
		default:
			d.Unknown = append(d.Unknown, model.RawField{Key: m.key, Value: string(v)})
		}
	}
	if d.UUID == "" {
		return d, ErrNotTransaction
	}
	switch {
	case haveEpoch:
		d.Time = EpochToTime(epoch, unit)
	case d.DateRFC8601 != "":
		d.Time, _ = parseRFCDate(d.DateRFC8601)
	}
	return d, nil
}

// member is one key of a JSON object with its value's text.
type member struct {
	key   string
	value json.RawMessage
}

// objectMembers lists an object's members in order (a repeated key appears twice).
func objectMembers(raw []byte) ([]member, error) {
	if err := validJSON(raw); err != nil {
		return nil, err
	}
	i := skipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '{' {
		return nil, errNotObject
	}
	var out []member
	i = skipSpace(raw, i+1)
	for i < len(raw) && raw[i] == '"' {
		kend, esc, high, _ := scanString(raw, i+1)
		key := string(stringContent(raw, i, kend, esc, high))
		i = skipSpace(raw, skipSpace(raw, kend)+1)
		end, _, _ := skipValue(raw, i, 1)
		out = append(out, member{key, json.RawMessage(raw[i:end])})
		i = skipSpace(raw, end)
		if i < len(raw) && raw[i] == ',' {
			i = skipSpace(raw, i+1)
		}
	}
	return out, nil
}

// headerList reads an array of one-key objects ([{"Host":"x"},…]) or an
// object ({"Host":"x",…}); non-string values are kept as JSON text.
func headerList(v json.RawMessage, dst *[]model.Header) bool {
	if isNull(v) {
		return true
	}
	add := func(ms []member) {
		for _, m := range ms {
			var s string
			if json.Unmarshal(m.value, &s) != nil {
				s = string(m.value)
			}
			*dst = append(*dst, model.Header{Name: m.key, Value: s})
		}
	}
	if ms, err := objectMembers(v); err == nil {
		add(ms)
		return true
	}
	var list []json.RawMessage
	if json.Unmarshal(v, &list) != nil {
		return false
	}
	ok := true
	for _, e := range list {
		ms, err := objectMembers(e)
		if err != nil {
			ok = false
			continue
		}
		add(ms)
	}
	return ok
}

func isNull(v json.RawMessage) bool { return string(bytes.TrimSpace(v)) == "null" }

// decodeLoose decodes v into dst; null leaves dst as it is.
func decodeLoose(v json.RawMessage, dst any) bool {
	if isNull(v) {
		return true
	}
	return json.Unmarshal(v, dst) == nil
}

// looseInt reads a number or numeric string.
func looseInt(v json.RawMessage) (int64, bool) {
	t := bytes.TrimSpace(v)
	if len(t) > 1 && t[0] == '"' {
		var s string
		if json.Unmarshal(t, &s) != nil {
			return 0, false
		}
		t = []byte(s)
	}
	if !isNumberLiteral(t) {
		return 0, false
	}
	return numberToInt64(t)
}

// looseBool reads the booleans of non_blocking_mode (see flexBoolText).
func looseBool(v json.RawMessage) (bool, bool) {
	t := bytes.TrimSpace(v)
	switch string(t) {
	case "true":
		return true, true
	case "false", "null":
		return false, true
	}
	if len(t) > 0 && t[0] == '"' {
		var s string
		if json.Unmarshal(t, &s) != nil {
			return false, false
		}
		return flexBoolText([]byte(s), true)
	}
	return flexBoolText(t, false)
}
