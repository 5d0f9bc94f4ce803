package reports

import (
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// The file-name convention (docs/reports.md): a UUID anywhere in a report's
// path relative to its root names the API (the file name first, then the
// nearest directory), and a date in the file name dates the report.
var (
	uuidInName = regexp.MustCompile(`[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}`)
	dateInName = regexp.MustCompile(`(\d{4})-(\d{2})-(\d{2})(?:[T_-](\d{2})[-:.h]?(\d{2})(?:[-:.m]?(\d{2}))?)?`)
)

// apiIDFromPath returns the UUID nearest to the file in rel (slash-separated).
func apiIDFromPath(rel string) string {
	parts := strings.Split(rel, "/")
	for i := len(parts) - 1; i >= 0; i-- {
		if m := uuidInName.FindString(parts[i]); m != "" {
			return m
		}
	}
	return ""
}

// dateFromName reads the last date in a file name, as UTC:
// 2026-01-02, 2026-01-02T10-30, 2026-01-02-10-30-15, 2026-01-02_10:30:15.
// Digits that do not make a real date are not a date.
func dateFromName(name string) time.Time {
	base := path.Base(name)
	ms := dateInName.FindAllStringSubmatch(base, -1)
	for i := len(ms) - 1; i >= 0; i-- {
		m := ms[i]
		n := make([]int, 6)
		for j := 1; j <= 6; j++ {
			if m[j] != "" {
				n[j-1], _ = strconv.Atoi(m[j])
			}
		}
		t := time.Date(n[0], time.Month(n[1]), n[2], n[3], n[4], n[5], 0, time.UTC)
		if t.Year() == n[0] && int(t.Month()) == n[1] && t.Day() == n[2] && t.Hour() == n[3] && t.Minute() == n[4] && t.Second() == n[5] && n[0] > 1970 {
			return t
		}
	}
	return time.Time{}
}

// matchGlob matches a slash-separated name against a pattern of path.Match
// segments where "**" stands for any number of segments. A pattern without a
// slash matches the base name only, as in .gitignore.
func matchGlob(pattern, name string) bool {
	name = strings.TrimPrefix(name, "file://")
	if !strings.Contains(pattern, "/") {
		ok, _ := path.Match(pattern, path.Base(name))
		return ok
	}
	ps := strings.Split(strings.Trim(pattern, "/"), "/")
	ns := strings.Split(strings.Trim(name, "/"), "/")
	// match[i][j]: ps[i:] matches ns[j:]. Dynamic programming keeps it linear in
	// the pattern times the name, whatever the "**" count.
	match := make([][]bool, len(ps)+1)
	for i := range match {
		match[i] = make([]bool, len(ns)+1)
	}
	match[len(ps)][len(ns)] = true
	for i := len(ps) - 1; i >= 0; i-- {
		for j := len(ns); j >= 0; j-- {
			if ps[i] == "**" {
				match[i][j] = match[i+1][j] || (j < len(ns) && match[i][j+1])
				continue
			}
			if j < len(ns) {
				ok, _ := path.Match(ps[i], ns[j])
				match[i][j] = ok && match[i+1][j+1]
			}
		}
	}
	return match[0][0]
}
