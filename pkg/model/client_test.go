package model

import (
	"errors"
	"strings"
	"testing"
)

func TestClientMatcher(t *testing.T) {
	// pattern, then the addresses it matches, then (after "|") those it does not.
	table := map[string]string{
		"10.0.0.1":            "10.0.0.1 ::ffff:10.0.0.1 | 10.0.0.2",
		"::ffff:10.0.0.1":     "10.0.0.1 | 10.0.0.2",
		"10.0.0.0/8":          "10.200.3.4 | 11.0.0.1 not-an-ip",
		"10.1.2.3/8":          "10.200.3.4 | 11.0.0.1",
		"::ffff:10.0.0.0/104": "10.9.9.9 | 11.0.0.1",
		"2001:db8::/32":       "2001:db8::1 | 10.0.0.1 2001:db9::1",
	}
	for pattern, addrs := range table {
		m, err := ParseClientMatcher(pattern)
		if err != nil || !m.IsSet() || m.Match("") {
			t.Fatalf("%q: %v", pattern, err)
		}
		want := true
		for _, a := range strings.Fields(addrs) {
			if a == "|" {
				want = false
			} else if m.Match(a) != want {
				t.Errorf("%q matches %q: want %v", pattern, a, want)
			}
		}
	}
	for _, bad := range []string{"", "10.0.0", "10.0.0.0/33", "x/8", " 10.0.0.1"} {
		if _, err := ParseClientMatcher(bad); !errors.Is(err, ErrBadClient) {
			t.Errorf("%q: err %v, want ErrBadClient", bad, err)
		}
	}
	if (ClientMatcher{}).IsSet() {
		t.Error("zero matcher is set")
	}
}
