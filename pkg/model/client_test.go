package model

import (
	"errors"
	"testing"
)

func TestClientMatcher(t *testing.T) {
	for _, c := range []struct {
		pattern, addr string
		want          bool
	}{
		{"10.0.0.1", "10.0.0.1", true},
		{"10.0.0.1", "::ffff:10.0.0.1", true},
		{"::ffff:10.0.0.1", "10.0.0.1", true},
		{"10.0.0.1", "10.0.0.2", false},
		{"10.0.0.0/8", "10.200.3.4", true},
		{"10.0.0.0/8", "11.0.0.1", false},
		{"10.1.2.3/8", "10.200.3.4", true},
		{"::ffff:10.0.0.0/104", "10.9.9.9", true},
		{"2001:db8::/32", "2001:db8::1", true},
		{"2001:db8::/32", "10.0.0.1", false},
		{"10.0.0.0/8", "not-an-ip", false},
		{"10.0.0.0/8", "", false},
	} {
		m, err := ParseClientMatcher(c.pattern)
		if err != nil || !m.IsSet() {
			t.Fatalf("%q: %v", c.pattern, err)
		}
		if got := m.Match(c.addr); got != c.want {
			t.Errorf("%q matches %q = %v, want %v", c.pattern, c.addr, got, c.want)
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
