package model

import (
	"errors"
	"net/netip"
	"strings"
)

// ErrBadClient is what ParseClientMatcher returns for text that is neither an
// address nor a CIDR; callers add which input it was.
var ErrBadClient = errors.New("not an address or CIDR")

// ClientMatcher matches client addresses (a record's source_ip) against one
// address or one CIDR. It is the one matcher of the query filter
// filters.clientIp, of deletions and of the deletion preview. The zero
// ClientMatcher is "no criterion" (IsSet false).
//
// IPv4-mapped IPv6 forms are the IPv4 address: "::ffff:10.0.0.1" matches
// "10.0.0.1" and "::ffff:10.0.0.0/104" is "10.0.0.0/8".
type ClientMatcher struct {
	prefix netip.Prefix
}

// ParseClientMatcher parses one address ("10.0.0.1", "2001:db8::1") or a
// CIDR ("10.0.0.0/8"). The text is taken as it is (callers trim it).
func ParseClientMatcher(s string) (ClientMatcher, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return ClientMatcher{}, ErrBadClient
		}
		if p.Addr().Is4In6() {
			p = netip.PrefixFrom(p.Addr().Unmap(), max(p.Bits()-96, 0))
		}
		return ClientMatcher{p.Masked()}, nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return ClientMatcher{}, ErrBadClient
	}
	a = a.Unmap()
	return ClientMatcher{netip.PrefixFrom(a, a.BitLen())}, nil
}

// Prefix is the matched range: an IPv4 prefix for IPv4 and IPv4-mapped
// input, else an IPv6 one; a single address is a full-length prefix. Other
// stores translate it into their own filters (pkg/vlogs).
func (m ClientMatcher) Prefix() netip.Prefix { return m.prefix }

// IsSet says whether m holds an address or CIDR.
func (m ClientMatcher) IsSet() bool { return m.prefix.IsValid() }

// MatchAddr says whether a parsed client address is inside; an invalid
// address (the record's text did not parse) never is.
func (m ClientMatcher) MatchAddr(a netip.Addr) bool {
	return a.IsValid() && m.prefix.Contains(a.Unmap())
}

// Match parses a record's client address text and matches it.
func (m ClientMatcher) Match(s string) bool {
	a, err := netip.ParseAddr(s)
	return err == nil && m.MatchAddr(a)
}

// LastError is the summary reason of a record: the last entry of its errors
// (the zero TransactionError when there are none).
func LastError(errs []TransactionError) TransactionError {
	if len(errs) == 0 {
		return TransactionError{}
	}
	return errs[len(errs)-1]
}
