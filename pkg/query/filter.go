package query

import (
	"fmt"
	"net/netip"
	"path"
	"strconv"
	"strings"

	"github.com/apifw/monitor/pkg/model"
)

// matcher is a compiled Filters: each present filter is one predicate.
type matcher struct {
	preds []func(*model.Transaction) bool
}

func (m *matcher) match(t *model.Transaction) bool {
	for _, p := range m.preds {
		if !p(t) {
			return false
		}
	}
	return true
}

// compile validates the filters and turns them into predicates.
func compile(f Filters) (*matcher, error) {
	m := &matcher{}
	if len(f.API) > 0 {
		set := toSet(f.API)
		m.preds = append(m.preds, func(t *model.Transaction) bool { return set[t.APIID] || set[t.APIName] })
	}
	if len(f.Instance) > 0 {
		set := toSet(f.Instance)
		m.preds = append(m.preds, func(t *model.Transaction) bool { return set[t.Instance] })
	}
	if len(f.Outcome) > 0 {
		var want [4]bool
		for _, s := range f.Outcome {
			o, ok := model.ParseOutcome(s)
			if !ok {
				return nil, fmt.Errorf("filters.outcome: unknown outcome %q (allowed, blocked, wouldBlock, unmatched)", s)
			}
			want[o] = true
		}
		m.preds = append(m.preds, func(t *model.Transaction) bool { return want[t.Outcome] })
	}
	if f.ClientIP != "" {
		p, err := clientIPPredicate(f.ClientIP)
		if err != nil {
			return nil, err
		}
		m.preds = append(m.preds, p)
	}
	if f.Path != "" {
		p, err := pathPredicate(f.Path)
		if err != nil {
			return nil, err
		}
		m.preds = append(m.preds, p)
	}
	if len(f.Method) > 0 {
		set := map[string]bool{}
		for _, s := range f.Method {
			set[strings.ToUpper(s)] = true
		}
		m.preds = append(m.preds, func(t *model.Transaction) bool { return set[strings.ToUpper(t.Method)] })
	}
	if len(f.Status) > 0 {
		p, err := statusPredicate(f.Status)
		if err != nil {
			return nil, err
		}
		m.preds = append(m.preds, p)
	}
	if len(f.ErrorStep) > 0 {
		set := toSet(f.ErrorStep)
		m.preds = append(m.preds, func(t *model.Transaction) bool {
			for _, e := range t.Errors {
				if set[e.Step] {
					return true
				}
			}
			return false
		})
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

func clientIPPredicate(s string) (func(*model.Transaction) bool, error) {
	if strings.Contains(s, "/") {
		prefix, err := netip.ParsePrefix(s)
		if err != nil {
			return nil, fmt.Errorf("filters.clientIp: %q is not an address or CIDR", s)
		}
		return func(t *model.Transaction) bool {
			a, err := netip.ParseAddr(t.ClientIP)
			return err == nil && prefix.Contains(a.Unmap())
		}, nil
	}
	addr, err := netip.ParseAddr(s)
	if err != nil {
		return nil, fmt.Errorf("filters.clientIp: %q is not an address or CIDR", s)
	}
	return func(t *model.Transaction) bool {
		a, err := netip.ParseAddr(t.ClientIP)
		return err == nil && a.Unmap() == addr.Unmap()
	}, nil
}

// pathPredicate: "/a/b" exact; "/a/*" or "/a/**" prefix; other wildcards use
// path.Match globbing (linear time, so a hostile pattern cannot run away).
func pathPredicate(s string) (func(*model.Transaction) bool, error) {
	if len(s) > 1024 {
		return nil, fmt.Errorf("filters.path: pattern longer than 1024 characters")
	}
	switch {
	case strings.HasSuffix(s, "/**") || (strings.HasSuffix(s, "/*") && !strings.ContainsAny(s[:len(s)-1], "*?[")):
		prefix := strings.TrimRight(s, "*")
		return func(t *model.Transaction) bool { return strings.HasPrefix(t.Path, prefix) }, nil
	case strings.ContainsAny(s, "*?["):
		if _, err := path.Match(s, ""); err != nil {
			return nil, fmt.Errorf("filters.path: bad pattern %q: %v", s, err)
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
			return nil, fmt.Errorf("filters.status: %q is neither a status code nor a class like 4xx", v)
		}
		codes[n] = true
	}
	return func(t *model.Transaction) bool {
		return codes[t.Status] || (t.Status >= 100 && t.Status < 600 && classes[t.Status/100])
	}, nil
}
