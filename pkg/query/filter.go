package query

import (
	"net/netip"
	"path"
	"strconv"
	"strings"

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

func (m *matcher) addTuple(p func(*model.Transaction) bool) {
	m.preds = append(m.preds, p)
	m.tuple = append(m.tuple, p)
}

// compile validates the filters and turns them into predicates.
func compile(f Filters) (*matcher, error) {
	m := &matcher{}
	if len(f.API) > 0 {
		set := toSet(f.API)
		m.addTuple(func(t *model.Transaction) bool { return set[t.APIID] || set[t.APIName] })
	}
	if len(f.Instance) > 0 {
		set := toSet(f.Instance)
		m.addTuple(func(t *model.Transaction) bool { return set[t.Instance] })
	}
	if len(f.Outcome) > 0 {
		var want [4]bool
		for _, s := range f.Outcome {
			o, ok := model.ParseOutcome(s)
			if !ok {
				return nil, badQuery("filters.outcome: unknown outcome %q (allowed, blocked, wouldBlock, unmatched)", s)
			}
			want[o] = true
		}
		m.addTuple(func(t *model.Transaction) bool { return want[t.Outcome] })
	}
	if f.ClientIP != "" {
		p, err := clientIPPredicate(f.ClientIP)
		if err != nil {
			return nil, err
		}
		m.clientIP = p
		m.preds = append(m.preds, func(t *model.Transaction) bool {
			a, err := netip.ParseAddr(t.ClientIP)
			return p(a, err == nil)
		})
	}
	if f.Path != "" {
		p, err := pathPredicate(f.Path)
		if err != nil {
			return nil, err
		}
		m.preds = append(m.preds, p)
		m.pathPreds = append(m.pathPreds, p)
	}
	if len(f.Method) > 0 {
		set := map[string]bool{}
		for _, s := range f.Method {
			set[strings.ToUpper(s)] = true
		}
		m.addTuple(func(t *model.Transaction) bool { return set[strings.ToUpper(t.Method)] })
	}
	if len(f.Status) > 0 {
		p, err := statusPredicate(f.Status)
		if err != nil {
			return nil, err
		}
		m.addTuple(p)
	}
	if len(f.ErrorStep) > 0 {
		set := toSet(f.ErrorStep)
		m.addTuple(func(t *model.Transaction) bool {
			for _, e := range t.Errors {
				if set[e.Step] {
					return true
				}
			}
			return false
		})
	}
	if len(f.Operation) > 0 {
		set := toSet(f.Operation)
		m.addTuple(func(t *model.Transaction) bool { return set[t.Operation] })
	}
	if len(f.Hostname) > 0 {
		set := toSet(f.Hostname)
		m.addTuple(func(t *model.Transaction) bool { return set[t.Hostname] })
	}
	if len(f.ErrorMessage) > 0 {
		set := toSet(f.ErrorMessage)
		m.addTuple(func(t *model.Transaction) bool {
			for _, e := range t.Errors {
				if set[e.Message] {
					return true
				}
			}
			return false
		})
	}
	if len(f.Collection) > 0 {
		if f.CollectionAPIs == nil {
			return nil, badQuery("filters.collection: collections are not resolved (no inventory reports)")
		}
		set := toSet(f.CollectionAPIs)
		m.addTuple(func(t *model.Transaction) bool { return set[t.APIID] })
	}
	if err := m.addGeo(f); err != nil {
		return nil, err
	}
	for i, a := range f.Adhoc {
		if err := m.addAdhoc(i, a); err != nil {
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

// clientIPPredicate matches a parsed client address (ok false: unparsable).
func clientIPPredicate(s string) (func(a netip.Addr, ok bool) bool, error) {
	if strings.Contains(s, "/") {
		prefix, err := netip.ParsePrefix(s)
		if err != nil {
			return nil, badQuery("filters.clientIp: %q is not an address or CIDR", s)
		}
		return func(a netip.Addr, ok bool) bool { return ok && prefix.Contains(a.Unmap()) }, nil
	}
	addr, err := netip.ParseAddr(s)
	if err != nil {
		return nil, badQuery("filters.clientIp: %q is not an address or CIDR", s)
	}
	return func(a netip.Addr, ok bool) bool { return ok && a.Unmap() == addr.Unmap() }, nil
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
