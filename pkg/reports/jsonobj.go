package reports

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// obj is a decoded JSON object. Reports drift between versions, so parsers
// read them through these accessors: a key that is missing or of another
// type reads as absent, and only the keys a format cannot do without are
// checked strictly (required*), naming the key and the type found.
type obj map[string]any

func asObj(v any) obj {
	m, _ := v.(map[string]any)
	return m
}

func (o obj) has(key string) bool { _, ok := o[key]; return ok }

func (o obj) obj(key string) obj { return asObj(o[key]) }

func (o obj) arr(key string) []any {
	a, _ := o[key].([]any)
	return a
}

func (o obj) str(key string) string {
	s, _ := o[key].(string)
	return s
}

// num reads a number, also written as a numeric string ("exitCode": "0").
func (o obj) num(key string) (float64, bool) { return toNum(o[key]) }

func toNum(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return 0, false
		}
		return f, true
	}
	return 0, false
}

// int reads a whole number, clamped so a hostile value cannot overflow sums.
func (o obj) int(key string) int { return toInt(o[key]) }

func toInt(v any) int {
	f, ok := toNum(v)
	if !ok {
		return 0
	}
	// 2^30 keeps sums of many counters inside a 32-bit int (linux/arm builds).
	const limit = 1 << 30
	switch {
	case f > limit:
		return limit
	case f < -limit:
		return -limit
	}
	return int(f)
}

// count reads a counter: a whole number, negative values reading as 0.
func (o obj) count(key string) int { return toCount(o[key]) }

func toCount(v any) int { return max(0, toInt(v)) }

// boolean reads true/false, "true"/"false" and "yes"/"no".
func (o obj) boolean(key string) (bool, bool) {
	switch x := o[key].(type) {
	case bool:
		return x, true
	case string:
		switch strings.ToLower(strings.TrimSpace(x)) {
		case "true", "yes":
			return true, true
		case "false", "no":
			return false, true
		}
	}
	return false, false
}

// strs reads an array of strings, skipping other elements; a single string
// reads as a one-element list.
func (o obj) strs(key string) []string {
	switch x := o[key].(type) {
	case string:
		if x == "" {
			return nil
		}
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			if s, ok := e.(string); ok && s != "" {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// time reads an RFC 3339 date; the zero date some tools write ("0001-01-01…")
// reads as absent.
func (o obj) time(key string) time.Time {
	return parseDate(o.str(key))
}

func parseDate(s string) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999Z0700", "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			if t.Year() < 1971 {
				return time.Time{}
			}
			return t.UTC()
		}
	}
	return time.Time{}
}

func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case float64:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// requiredNum reads a key the format cannot do without.
func (o obj) requiredNum(key string) (float64, error) {
	v, ok := o[key]
	if !ok {
		return 0, fmt.Errorf("%s is missing", key)
	}
	f, isNum := v.(float64)
	if !isNum {
		return 0, fmt.Errorf("%s is %s, want a number", key, typeName(v))
	}
	return f, nil
}

func (o obj) requiredObj(key string) (obj, error) {
	v, ok := o[key]
	if !ok {
		return nil, fmt.Errorf("%s is missing", key)
	}
	m, isObj := v.(map[string]any)
	if !isObj {
		return nil, fmt.Errorf("%s is %s, want an object", key, typeName(v))
	}
	return m, nil
}

func ptr[T any](v T) *T { return &v }
