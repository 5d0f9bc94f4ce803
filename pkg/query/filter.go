package query

import (
	"net/netip"
	"path"
	"strconv"
	"strings"

	"github.com/apifw/monitor/pkg/index"
	"github.com/apifw/monitor/pkg/model"
)

// matcher is a compiled Filters: each present filter is one predicate. The
// predicates are grouped by the record fields they read, so the columnar scan
// can evaluate each group once per dictionary entry instead of once per row
// (see columnar): the same functions decide, so both paths agree exactly.
type matcher struct {
	preds       []func(*model.Transaction) bool // all of them
	tuple       []func(*model.Transaction) bool // read only fields of index.Tuple
	clientIP    func(netip.Addr, bool) bool     // the parsed client address (ok = parsable)
	clientPreds []func(*model.Transaction) bool // read only ClientIP (the text)
	pathPreds   []func(*model.Transaction) bool // read only Path
}

func (m *matcher) match(t *model.Transaction) bool {
	for _, p := range m.preds {
		if !p(t) {
			return false
		}
	}
	return true
}

func (m *matcher) addTuple(p func(*model.Transaction) bool) { m.add(index.ColTuple, p) }

// add files a predicate with those reading the same column.
func (m *matcher) add(col index.Col, p func(*model.Transaction) bool) {
	m.preds = append(m.preds, p)
	switch col {
	case index.ColClientIP:
		m.clientPreds = append(m.clientPreds, p)
	case index.ColPath:
		m.pathPreds = append(m.pathPreds, p)
	default:
		m.tuple = append(m.tuple, p)
	}
}

// compile validates the filters and turns them into predicates: one per
// present transaction filter of FilterSpecs, then the ad hoc filters.
func compile(f Filters) (*matcher, error) {
	m := &matcher{}
	for _, spec := range FilterSpecs {
		vs := spec.values(&f)
		if spec.compile == nil || len(vs) == 0 {
			continue
		}
		p, err := spec.compile(vs, &f)
		if err != nil {
			return nil, err
		}
		if p.addr != nil { // the client address: matched on parsed addresses
			addr := p.addr
			m.clientIP = addr
			m.preds = append(m.preds, func(t *model.Transaction) bool {
				a, err := netip.ParseAddr(t.ClientIP)
				return addr(a, err == nil)
			})
			continue
		}
		m.add(spec.Col, p.tx)
	}
	for i, a := range f.Adhoc {
		if err := m.addAdhoc(i, a, f.geo); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func toSet(values []string) map[string]bool {
	set := make(map[string]bool, len(values))
	for _, v := range values {
		set[v] = true
	}
	return set
}

// clientIPPredicate matches a parsed client address (ok false: unparsable)
// with model.ClientMatcher, the matcher deletions use too.
func clientIPPredicate(s string) (func(a netip.Addr, ok bool) bool, error) {
	cm, err := model.ParseClientMatcher(s)
	if err != nil {
		return nil, badQuery("filters.clientIp: %q is not an address or CIDR", s)
	}
	return func(a netip.Addr, ok bool) bool { return ok && cm.MatchAddr(a) }, nil
}

// pathPredicate: "/a/b" exact; "/a/*" or "/a/**" prefix; other wildcards use
// path.Match globbing (linear time, so a hostile pattern cannot run away).
func pathPredicate(s string) (func(*model.Transaction) bool, error) {
	if len(s) > 1024 {
		return nil, badQuery("filters.path: pattern longer than 1024 characters")
	}
	switch {
	case strings.HasSuffix(s, "/**") || (strings.HasSuffix(s, "/*") && !strings.ContainsAny(s[:len(s)-1], "*?[")):
		prefix := strings.TrimRight(s, "*")
		return func(t *model.Transaction) bool { return strings.HasPrefix(t.Path, prefix) }, nil
	case strings.ContainsAny(s, "*?["):
		if _, err := path.Match(s, ""); err != nil {
			return nil, badQuery("filters.path: bad pattern %q: %v", s, err)
		}
		return func(t *model.Transaction) bool { ok, _ := path.Match(s, t.Path); return ok }, nil
	default:
		return func(t *model.Transaction) bool { return t.Path == s }, nil
	}
}

func statusPredicate(values []string) (func(*model.Transaction) bool, error) {
	var codes = map[int]bool{}
	var classes [10]bool
	for _, v := range values {
		v = strings.ToLower(strings.TrimSpace(v))
		if len(v) == 3 && strings.HasSuffix(v, "xx") && v[0] >= '1' && v[0] <= '5' {
			classes[v[0]-'0'] = true
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 100 || n > 599 {
			return nil, badQuery("filters.status: %q is neither a status code nor a class like 4xx", v)
		}
		codes[n] = true
	}
	return func(t *model.Transaction) bool {
		return codes[t.Status] || (t.Status >= 100 && t.Status < 600 && classes[t.Status/100])
	}, nil
}
