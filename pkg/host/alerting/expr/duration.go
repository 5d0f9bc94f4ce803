package expr

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ParseDuration parses a Prometheus-style duration as Grafana's alerting
// provisioning does (prometheus/common model.ParseDuration): a sequence of
// number+unit pairs with units y, w, d, h, m, s, ms, largest first
// ("1h30m", "10s", "0s"); "0" is zero. Go-style fractions ("1.5h") are also
// read, since time.ParseDuration accepts them.
func ParseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "0" {
		return 0, nil
	}
	units := []struct {
		name string
		d    time.Duration
	}{
		{"y", 365 * 24 * time.Hour}, {"w", 7 * 24 * time.Hour}, {"d", 24 * time.Hour},
		{"h", time.Hour}, {"ms", time.Millisecond}, {"m", time.Minute}, {"s", time.Second},
	}
	var total time.Duration
	rest := s
	for rest != "" {
		i := 0
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		if i == 0 {
			if d, err := time.ParseDuration(s); err == nil {
				return d, nil
			}
			return 0, fmt.Errorf("not a valid duration string: %q", s)
		}
		n, err := strconv.ParseInt(rest[:i], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("not a valid duration string: %q", s)
		}
		rest = rest[i:]
		matched := false
		for _, u := range units {
			if strings.HasPrefix(rest, u.name) {
				total += time.Duration(n) * u.d
				rest = rest[len(u.name):]
				matched = true
				break
			}
		}
		if !matched {
			if d, err := time.ParseDuration(s); err == nil {
				return d, nil
			}
			return 0, fmt.Errorf("not a valid duration string: %q", s)
		}
	}
	return total, nil
}

// FormatDuration formats a duration the way prometheus/common model.Duration
// prints ("1m", "1h30m", "0s").
func FormatDuration(d time.Duration) string {
	if d == 0 {
		return "0s"
	}
	var b strings.Builder
	if d < 0 {
		b.WriteByte('-')
		d = -d
	}
	units := []struct {
		name string
		d    time.Duration
	}{
		{"y", 365 * 24 * time.Hour}, {"w", 7 * 24 * time.Hour}, {"d", 24 * time.Hour},
		{"h", time.Hour}, {"m", time.Minute}, {"s", time.Second}, {"ms", time.Millisecond},
	}
	for _, u := range units {
		if d >= u.d {
			n := d / u.d
			d -= n * u.d
			fmt.Fprintf(&b, "%d%s", n, u.name)
		}
	}
	return b.String()
}
