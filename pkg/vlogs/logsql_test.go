package vlogs

import (
	"path"
	"regexp"
	"strings"
	"testing"

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
		{query.Filters{ClientIP: "10.1.0.0/16"}, `client_ip:ipv4_range("10.1.0.0/16")`},
		{query.Filters{ClientIP: "10.1.2.3"}, `client_ip:in("10.1.2.3","::ffff:10.1.2.3")`},
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
		{ClientIP: "2001:db8::/32"},
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
