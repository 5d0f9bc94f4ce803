package vlogs

import (
	"net/netip"
	"path"
	"regexp"
	"strings"
	"testing"

	"github.com/apifw/monitor/pkg/model"
	"github.com/apifw/monitor/pkg/query"
)

func TestFilterTranslation(t *testing.T) {
	cases := []struct {
		f    query.Filters
		want string
	}{
		{query.Filters{}, "*"},
		{query.Filters{Instance: []string{"fw-1"}}, `instance:in("fw-1")`},
		{query.Filters{Outcome: []string{"would-block"}}, `outcome:in("wouldBlock")`},
		{query.Filters{ClientIP: "10.1.0.0/16"}, `client_ip:ipv6_range("::ffff:10.1.0.0", "::ffff:10.1.255.255")`},
		{query.Filters{ClientIP: "10.1.2.3"}, `client_ip:ipv6_range("::ffff:10.1.2.3", "::ffff:10.1.2.3")`},
		{query.Filters{ClientIP: "::ffff:10.0.0.0/104"}, `client_ip:ipv6_range("::ffff:10.0.0.0", "::ffff:10.255.255.255")`},
		{query.Filters{ClientIP: "2001:db8::/32"}, `client_ip:ipv6_range("2001:db8::", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff") -client_ip:~"%"`},
		{query.Filters{ClientIP: "2001:DB8:0::1"}, `client_ip:ipv6_range("2001:db8::1", "2001:db8::1") -client_ip:~"%"`},
		{query.Filters{ClientIP: "::/64"}, `(client_ip:ipv6_range("::", "::fffe:ffff:ffff") or client_ip:ipv6_range("::1:0:0:0", "::ffff:ffff:ffff:ffff")) -client_ip:~"%"`},
		{query.Filters{Path: "/api/*"}, `path:="/api/"*`},
		{query.Filters{Path: "/a/b"}, `path:="/a/b"`},
		{query.Filters{Status: []string{"4xx", "200"}}, `(status:in("200") or status_class:in("4xx"))`},
		{query.Filters{Adhoc: []query.AdhocFilter{{Key: "clientIp", Operator: "!~", Value: "10\\..*"}}}, `-client_ip:~"^(?:10\\..*)$"`},
	}
	for _, c := range cases {
		got, err := Filter(c.f, nil)
		if err != nil || got != c.want {
			t.Errorf("%+v: got %s (%v), want %s", c.f, got, err, c.want)
		}
	}
	for _, bad := range []query.Filters{
		{ClientIP: "nope"}, {Outcome: []string{"x"}}, {Status: []string{"7xx"}},
		{Adhoc: []query.AdhocFilter{{Key: "nope", Operator: "=", Value: "x"}}},
		{Adhoc: []query.AdhocFilter{{Key: "path", Operator: "=~", Value: "("}}},
	} {
		if _, err := Filter(bad, nil); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
	// Hostile values stay inside their quoted literal.
	got, _ := Filter(query.Filters{Instance: []string{`x") or *`}}, nil)
	if got != `instance:in("x\") or *")` {
		t.Errorf("quoting: %s", got)
	}
}

// ipv6RangeModel is VictoriaLogs' ipv6_range on one text value
// (lib/logstorage/filter_ipv6_range.go, v1.52.2): netip.ParseAddr of at
// most 45 characters, zone dropped, compared as 16 bytes.
func ipv6RangeModel(v string, first, last netip.Addr) bool {
	if len(v) < 2 || len(v) > 45 {
		return false
	}
	a, err := netip.ParseAddr(v)
	if err != nil {
		return false
	}
	a16 := netip.AddrFrom16(a.As16())
	return !a16.Less(first) && !last.Less(a16)
}

// The translated client filter, read as VictoriaLogs reads it, matches
// exactly what the engine's model.ClientMatcher matches.
func TestClientFilterAgreesWithClientMatcher(t *testing.T) {
	rangeRE := regexp.MustCompile(`ipv6_range\("([^"]+)", "([^"]+)"\)`)
	values := []string{"10.0.0.1", "10.255.255.255", "11.0.0.0", "::ffff:10.1.2.3", "::FFFF:10.1.2.3", "::ffff:a01:203",
		"0:0:0:0:0:ffff:10.1.2.3", "010.1.2.3", "2001:db8::1", "2001:DB8::1", "2001:0db8:0000::0001", "2001:db8:ffff::1",
		"2001:db9::1", "fe80::1%eth0", "fe80::1", "::", "::1", "::fffe:ffff:ffff", "::1:0:0:0", "", "nope", "10.0.0.1%x"}
	patterns := []string{"10.0.0.0/8", "10.1.2.3", "::ffff:10.0.0.0/104", "::ffff:10.1.2.3", "2001:db8::/32", "2001:DB8::1",
		"::/0", "::/64", "::/80", "::/127", "fe80::/10", "0.0.0.0/0", "::ffff:0:0/96", "2001:db8::/128"}
	for _, pat := range patterns {
		m, err := model.ParseClientMatcher(pat)
		if err != nil {
			t.Fatal(err)
		}
		lq, err := clientIPFilter(pat)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range values {
			got := false
			for _, r := range rangeRE.FindAllStringSubmatch(lq, -1) {
				got = got || ipv6RangeModel(v, netip.MustParseAddr(r[1]), netip.MustParseAddr(r[2]))
			}
			if strings.Contains(lq, `-client_ip:~"%"`) && strings.Contains(v, "%") {
				got = false
			}
			if want := m.Match(v); got != want {
				t.Errorf("%s (%s) on %q: %v, ClientMatcher %v", pat, lq, v, got, want)
			}
		}
	}
}

func TestPrefixBounds(t *testing.T) {
	for p, want := range map[string]string{
		"10.1.0.0/16": "10.1.0.0 10.1.255.255", "10.1.2.3/32": "10.1.2.3 10.1.2.3", "0.0.0.0/0": "0.0.0.0 255.255.255.255",
		"2001:db8::/33": "2001:db8:: 2001:db8:7fff:ffff:ffff:ffff:ffff:ffff", "::/0": ":: ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
		"10.1.2.3/8": "10.0.0.0 10.255.255.255",
	} {
		a, b := prefixBounds(netip.MustParsePrefix(p))
		if got := a.String() + " " + b.String(); got != want {
			t.Errorf("%s: %s, want %s", p, got, want)
		}
	}
}

func TestGlobRegexpAgreesWithPathMatch(t *testing.T) {
	paths := []string{"/a/v1/b", "/a/v1/b/c", "/x/v1/", "/a/v2/b", "/a/v1/b.json", "/ab/v1/c"}
	for _, g := range []string{"/*/v1/*", "/a/v?/b", "/a/v[12]/b", "/a/v[^1]/b", "/*/v1/*.json"} {
		re := regexp.MustCompile("^" + globRegexp(g) + "$")
		for _, p := range paths {
			want, _ := path.Match(g, p)
			if re.MatchString(p) != want {
				t.Errorf("glob %s on %s: regexp %v, path.Match %v", g, p, !want, want)
			}
		}
	}
	if !strings.HasPrefix(pathFilter("/*/v1/*"), "path:~") {
		t.Errorf("glob not a regexp filter")
	}
}

func TestClientSet(t *testing.T) {
	us := func(ip string) bool { return strings.HasPrefix(ip, "8.") }
	cases := []struct {
		ips  []string
		want string
	}{
		{nil, matchNothing},
		{[]string{"10.0.0.1"}, matchNothing},
		{[]string{"8.8.8.8", "8.8.4.4"}, "*"},
		{[]string{"8.8.8.8", "10.0.0.1", ""}, `client_ip:in("8.8.8.8")`},
		{[]string{"8.8.8.8", "8.8.4.4", ""}, `-client_ip:in("")`}, // the shorter list; "" stands for no address
	}
	for _, c := range cases {
		if got := clientSet(c.ips, us); got != c.want {
			t.Errorf("%q: %s, want %s", c.ips, got, c.want)
		}
	}
}
