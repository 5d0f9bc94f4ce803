package reports

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/apifw/monitor/pkg/model"
)

// Parsed is what one file holds: report records (a CI report or a SARIF log
// with several runs holds more than one) or an inventory.
type Parsed struct {
	Audits    []model.AuditReport
	Scans     []model.ScanReport
	SQGs      []model.SQGResult
	Inventory *model.Inventory
}

// Records is the number of report records.
func (p Parsed) Records() int { return len(p.Audits) + len(p.Scans) + len(p.SQGs) }

// ErrNotReport says the content is well-formed but none of the formats this
// package reads (docs/reports.md lists them).
var ErrNotReport = errors.New("not a recognised report or inventory")

// Parse recognises a file's content and parses it. Recognition is by
// content: the platform envelope, SARIF, scan, audit, SQG, CI report and
// inventory each have keys the others lack. YAML is read (as an inventory)
// only when yamlAllowed, i.e. the file is named *.yaml or *.yml.
func Parse(content []byte, yamlAllowed bool) (Parsed, error) {
	content = bytes.TrimPrefix(content, []byte("\xef\xbb\xbf"))
	trimmed := bytes.TrimSpace(content)
	if len(trimmed) == 0 {
		return Parsed{}, errors.New("empty file")
	}
	if yamlAllowed && trimmed[0] != '{' {
		v, err := decodeYAML(content)
		if err != nil {
			return Parsed{}, fmt.Errorf("invalid YAML: %v", err)
		}
		o := asObj(v)
		if o == nil || !looksLikeInventory(o) {
			return Parsed{}, ErrNotReport
		}
		inv, err := parseInventory(o)
		if err != nil {
			return Parsed{}, fmt.Errorf("inventory: %w", err)
		}
		return Parsed{Inventory: &inv}, nil
	}
	o, err := decodeJSONObject(trimmed)
	if err != nil {
		return Parsed{}, err
	}
	return parseObject(o, true)
}

func decodeJSONObject(b []byte) (obj, error) {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			return nil, fmt.Errorf("invalid JSON at byte %d: %v", syn.Offset, err)
		}
		return nil, fmt.Errorf("invalid JSON: %v", err)
	}
	o := asObj(v)
	if o == nil {
		return nil, fmt.Errorf("JSON is %s, want an object", typeName(v))
	}
	return o, nil
}

// parseObject recognises one decoded object; envelopes are unwrapped once.
func parseObject(o obj, envelopeAllowed bool) (Parsed, error) {
	var p Parsed
	switch {
	case envelopeAllowed && isEnvelope(o):
		return parseEnvelope(o)
	case looksLikeSARIF(o):
		audits, scans, err := parseSARIF(o)
		if err != nil {
			return p, fmt.Errorf("SARIF: %w", err)
		}
		p.Audits, p.Scans = audits, scans
	case looksLikeScan(o):
		s, err := parseScan(o)
		if err != nil {
			return p, fmt.Errorf("scan report: %w", err)
		}
		p.Scans = []model.ScanReport{s}
	case looksLikeAudit(o):
		a, err := parseAudit(o)
		if err != nil {
			return p, fmt.Errorf("audit report: %w", err)
		}
		p.Audits = []model.AuditReport{a}
	case looksLikeSQG(o):
		r, err := parseSQG(o)
		if err != nil {
			return p, fmt.Errorf("SQG result: %w", err)
		}
		p.SQGs = []model.SQGResult{r}
	case looksLikeCIReport(o):
		rs, err := parseCIReport(o)
		if err != nil {
			return p, fmt.Errorf("CI report: %w", err)
		}
		p.SQGs = rs
	case looksLikeInventory(o):
		inv, err := parseInventory(o)
		if err != nil {
			return p, fmt.Errorf("inventory: %w", err)
		}
		p.Inventory = &inv
	default:
		return p, ErrNotReport
	}
	return p, nil
}

// isEnvelope: the platform wraps reports as {tid, aid, cid, date, data}.
func isEnvelope(o obj) bool {
	return o.has("data") && (o.has("aid") || o.has("tid")) && !o.has("score")
}

// parseEnvelope unwraps the platform envelope. Its data is base64 JSON as
// enc says, but real files also carry it already decoded (as an object or
// as JSON text). The envelope's aid names the API, cid the collection, and
// date dates the report when the report itself has no date.
func parseEnvelope(o obj) (Parsed, error) {
	inner, err := envelopeData(o["data"])
	if err != nil {
		return Parsed{}, err
	}
	p, err := parseObject(inner, false)
	if err != nil {
		if errors.Is(err, ErrNotReport) {
			return p, fmt.Errorf("envelope data: %w", err)
		}
		return p, err
	}
	if p.Inventory != nil {
		return Parsed{}, errors.New("envelope data: an inventory cannot be enveloped")
	}
	aid := strings.TrimSpace(o.str("aid"))
	if aid == "" {
		aid = strings.TrimSpace(o.obj("attr").obj("data").str("apiId"))
	}
	cid, date := strings.TrimSpace(o.str("cid")), o.time("date")
	wrap := func(r *model.ReportRef) {
		r.Origin.Enveloped = true
		if aid != "" {
			r.APIID = aid
		}
		if cid != "" {
			r.CollectionID = cid
		}
		if r.Time.IsZero() {
			r.Time = date
		}
	}
	for i := range p.Audits {
		wrap(&p.Audits[i].ReportRef)
	}
	for i := range p.Scans {
		wrap(&p.Scans[i].ReportRef)
	}
	for i := range p.SQGs {
		wrap(&p.SQGs[i].ReportRef)
	}
	return p, nil
}

func envelopeData(v any) (obj, error) {
	switch x := v.(type) {
	case map[string]any:
		return x, nil
	case string:
		s := strings.TrimSpace(x)
		if strings.HasPrefix(s, "{") {
			o, err := decodeJSONObject([]byte(s))
			if err != nil {
				return nil, fmt.Errorf("envelope data: %w", err)
			}
			return o, nil
		}
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
			b, err := enc.DecodeString(s)
			if err != nil {
				continue
			}
			o, err := decodeJSONObject(bytes.TrimSpace(b))
			if err != nil {
				return nil, fmt.Errorf("envelope data (base64): %w", err)
			}
			return o, nil
		}
		return nil, errors.New("envelope data is neither base64 nor JSON")
	}
	return nil, fmt.Errorf("envelope data is %s, want base64 JSON", typeName(v))
}

// Entry points per format, for tests and fuzzing: each decodes one JSON
// object and runs that format's parser alone.

// ParseAudit parses a raw security audit report.
func ParseAudit(content []byte) (model.AuditReport, error) {
	o, err := decodeJSONObject(content)
	if err != nil {
		return model.AuditReport{}, err
	}
	return parseAudit(o)
}

// ParseScan parses a raw conformance scan report of either generation.
func ParseScan(content []byte) (model.ScanReport, error) {
	o, err := decodeJSONObject(content)
	if err != nil {
		return model.ScanReport{}, err
	}
	return parseScan(o)
}

// ParseSARIF parses a SARIF log into audits and scans.
func ParseSARIF(content []byte) ([]model.AuditReport, []model.ScanReport, error) {
	o, err := decodeJSONObject(content)
	if err != nil {
		return nil, nil, err
	}
	return parseSARIF(o)
}

// ParseSQG parses an SQG compliance result or a CI integration report.
func ParseSQG(content []byte) ([]model.SQGResult, error) {
	o, err := decodeJSONObject(content)
	if err != nil {
		return nil, err
	}
	if looksLikeCIReport(o) {
		return parseCIReport(o)
	}
	r, err := parseSQG(o)
	if err != nil {
		return nil, err
	}
	return []model.SQGResult{r}, nil
}

// ParseInventory parses an inventory file, YAML or JSON.
func ParseInventory(content []byte) (model.Inventory, error) {
	v, err := decodeYAML(content)
	if err != nil {
		return model.Inventory{}, fmt.Errorf("invalid YAML: %v", err)
	}
	o := asObj(v)
	if o == nil {
		return model.Inventory{}, fmt.Errorf("inventory is %s, want a mapping", typeName(v))
	}
	return parseInventory(o)
}
