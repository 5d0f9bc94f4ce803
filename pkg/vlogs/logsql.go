// Package vlogs answers the data source's query model (pkg/query) from a
// VictoriaLogs cluster through LogsQL, over the records cmd/apifw-ship
// writes (field names: pkg/ship). Results have the same types and the same
// values as the embedded engine's on the same data (the differential test).
// Aggregation happens in VictoriaLogs; ranking, remainders and percentiles
// are computed here with the engine's rules.
package vlogs

import (
	"fmt"
	"net/netip"
	"regexp"
	"strings"

	"github.com/apifw/monitor/pkg/model"
	"github.com/apifw/monitor/pkg/query"
	"github.com/apifw/monitor/pkg/ship"
)

var q = ship.Quote

// fieldOf maps the query model's dimensions (query.DimensionSpecs) to the
// shipped record's fields; the differential test runs every dimension, so a
// dimension added to the table without a field here fails it.
var fieldOf = map[string]string{
	"clientIp": ship.FieldClientIP, "path": ship.FieldPath, "operation": ship.FieldOperation,
	"method": ship.FieldMethod, "status": ship.FieldStatus, "statusClass": ship.FieldStatusClass,
	"errorStep": ship.FieldErrorStep, "errorMessage": ship.FieldErrorMessage, "api": ship.FieldAPI,
	"instance": ship.FieldInstance, "hostname": ship.FieldHostname, "blockingLevel": ship.FieldBlockingLevel,
	"outcome": ship.FieldOutcome,
}

// Field is the record field holding a query-model dimension's value.
func Field(dim string) (string, bool) {
	f, ok := fieldOf[dim]
	return f, ok
}

func in(field string, values []string) string {
	qs := make([]string, len(values))
	for i, v := range values {
		qs[i] = q(v)
	}
	return field + ":in(" + strings.Join(qs, ",") + ")"
}

// matchNothing is a filter no record passes.
const matchNothing = `uuid:="" -uuid:=""`

// anyLine matches field values holding one of values as a whole line (the
// newline-framed lists of every error's step or message).
func anyLine(field string, values []string) string {
	alts := make([]string, len(values))
	for i, v := range values {
		alts[i] = regexp.QuoteMeta(v)
	}
	return field + ":~" + q("\n(?:"+strings.Join(alts, "|")+")\n")
}

// Filter translates the query model's filters (validated as the engine
// does) into a LogsQL filter; collectionAPIs are the API ids
// filters.collection resolves to (query.Engine.Collections).
func Filter(f query.Filters, collectionAPIs []string) (string, error) {
	if err := query.CheckFilters(f); err != nil {
		return "", err
	}
	var parts []string
	add := func(s string) { parts = append(parts, s) }
	if len(f.API) > 0 {
		add("(" + in(ship.FieldAPI, f.API) + " or " + in(ship.FieldAPIName, f.API) + ")")
	}
	if len(f.Instance) > 0 {
		add(in(ship.FieldInstance, f.Instance))
	}
	if len(f.Outcome) > 0 {
		var names []string
		for _, s := range f.Outcome {
			o, _ := model.ParseOutcome(s)
			names = append(names, o.String())
		}
		add(in(ship.FieldOutcome, names))
	}
	if f.ClientIP != "" {
		s, err := clientIPFilter(f.ClientIP)
		if err != nil {
			return "", err
		}
		add(s)
	}
	if f.Path != "" {
		add(pathFilter(f.Path))
	}
	if len(f.Method) > 0 {
		alts := make([]string, len(f.Method))
		for i, m := range f.Method {
			alts[i] = regexp.QuoteMeta(m)
		}
		add(ship.FieldMethod + ":~" + q("(?i)^(?:"+strings.Join(alts, "|")+")$"))
	}
	if len(f.Status) > 0 {
		var codes, classes []string
		for _, v := range f.Status {
			v = strings.ToLower(strings.TrimSpace(v))
			if strings.HasSuffix(v, "xx") {
				classes = append(classes, v)
			} else {
				codes = append(codes, strings.TrimLeft(v, "0"))
			}
		}
		var alts []string
		if len(codes) > 0 {
			alts = append(alts, in(ship.FieldStatus, codes))
		}
		if len(classes) > 0 {
			alts = append(alts, in(ship.FieldStatusClass, classes))
		}
		add("(" + strings.Join(alts, " or ") + ")")
	}
	if len(f.ErrorStep) > 0 {
		add(anyLine(ship.FieldErrorSteps, f.ErrorStep))
	}
	if len(f.Operation) > 0 {
		add(in(ship.FieldOperation, f.Operation))
	}
	if len(f.Hostname) > 0 {
		add(in(ship.FieldHostname, f.Hostname))
	}
	if len(f.ErrorMessage) > 0 {
		add(anyLine(ship.FieldErrorMessages, f.ErrorMessage))
	}
	if len(f.Collection) > 0 {
		if len(collectionAPIs) == 0 {
			add(matchNothing)
		} else {
			add(in(ship.FieldAPI, collectionAPIs))
		}
	}
	for _, a := range f.Adhoc {
		field, _ := Field(a.Key)
		switch a.Operator {
		case "=":
			add(field + ":=" + q(a.Value))
		case "!=":
			add("-" + field + ":=" + q(a.Value))
		case "=~":
			add(field + ":~" + q("^(?:"+a.Value+")$"))
		case "!~":
			add("-" + field + ":~" + q("^(?:"+a.Value+")$"))
		}
	}
	if len(parts) == 0 {
		return "*", nil
	}
	return strings.Join(parts, " "), nil
}

// clientIPFilter matches what model.ClientMatcher matches (the engine's
// filters.clientIp and deletions): one address or a CIDR, compared as
// parsed addresses, never as text. VictoriaLogs' ipv6_range parses every
// value with netip.ParseAddr, as the engine does, so non-canonical text
// ("2001:DB8:0::1") and IPv4-mapped text ("::ffff:10.0.0.1") match there
// as they do in the engine, and IPv4 values (text or an IPv4-typed column)
// compare as ::ffff:a.b.c.d.
func clientIPFilter(s string) (string, error) {
	m, err := model.ParseClientMatcher(s)
	if err != nil {
		return "", query.BadQuery("filters.clientIp: %q is not an address or CIDR", s)
	}
	return prefixFilter(ship.FieldClientIP, m.Prefix()), nil
}

// mapped4 is the IPv4-mapped block ::ffff:0:0/96: where ipv6_range puts
// IPv4 values, and where the engine (which unmaps them) never looks for
// an IPv6 prefix.
var mapped4 = netip.MustParsePrefix("::ffff:0:0/96")

// prefixFilter is the LogsQL filter for a (masked) ClientMatcher prefix.
func prefixFilter(field string, p netip.Prefix) string {
	first, last := prefixBounds(p)
	if p.Addr().Is4() {
		return ipv6Range(field, netip.AddrFrom16(first.As16()), netip.AddrFrom16(last.As16()))
	}
	// An IPv6 prefix: IPv4 values are IPv4 to the engine, in no IPv6
	// prefix, so a prefix holding the mapped block skips it; a zoned value
	// ("fe80::1%eth0") is in no prefix either, but ipv6_range drops zones.
	noZone := " -" + field + ":~" + q("%")
	mFirst, mLast := prefixBounds(mapped4)
	if !p.Contains(mFirst) {
		return ipv6Range(field, first, last) + noZone
	}
	var ranges []string
	if first.Less(mFirst) {
		ranges = append(ranges, ipv6Range(field, first, mFirst.Prev()))
	}
	if mLast.Less(last) {
		ranges = append(ranges, ipv6Range(field, mLast.Next(), last))
	}
	return "(" + strings.Join(ranges, " or ") + ")" + noZone
}

func ipv6Range(field string, first, last netip.Addr) string {
	return field + ":ipv6_range(" + q(first.String()) + ", " + q(last.String()) + ")"
}

// prefixBounds are the first and last address of a prefix.
func prefixBounds(p netip.Prefix) (first, last netip.Addr) {
	p = p.Masked()
	first = p.Addr()
	b := first.AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	last, _ = netip.AddrFromSlice(b)
	return first, last
}

// pathFilter follows the engine: "/a/*" or "/a/**" prefix, other
// wildcards are path.Match globs (here: an anchored regexp), else exact.
func pathFilter(s string) string {
	switch {
	case strings.HasSuffix(s, "/**") || (strings.HasSuffix(s, "/*") && !strings.ContainsAny(s[:len(s)-1], "*?[")):
		return ship.FieldPath + ":=" + q(strings.TrimRight(s, "*")) + "*"
	case strings.ContainsAny(s, "*?["):
		return ship.FieldPath + ":~" + q("^"+globRegexp(s)+"$")
	}
	return ship.FieldPath + ":=" + q(s)
}

// globRegexp turns a path.Match pattern (validated) into an RE2 regexp.
func globRegexp(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		switch c := p[i]; c {
		case '*':
			b.WriteString("[^/]*")
		case '?':
			b.WriteString("[^/]")
		case '\\':
			if i+1 < len(p) {
				i++
				b.WriteString(regexp.QuoteMeta(p[i : i+1]))
			}
		case '[':
			j := i + 1
			b.WriteByte('[')
			if j < len(p) && p[j] == '^' {
				b.WriteByte('^')
				j++
			}
			for ; j < len(p) && p[j] != ']'; j++ {
				if p[j] == '\\' && j+1 < len(p) {
					j++
				}
				if p[j] == '-' {
					b.WriteByte('-')
				} else {
					b.WriteString(regexp.QuoteMeta(p[j : j+1]))
				}
			}
			b.WriteString("]")
			i = j
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	return b.String()
}

func fmtInt(v string) int64 {
	var n int64
	fmt.Sscan(v, &n)
	return n
}
