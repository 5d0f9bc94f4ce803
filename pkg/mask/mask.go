// Package mask decides which header values are secrets and masks them. It
// has no Grafana dependency: the data source masks what it shows, and the
// shipper (cmd/apifw-ship) masks with the same rules before a record leaves
// the host.
package mask

import (
	"path"
	"strings"

	"github.com/apifw/monitor/pkg/model"
)

// MaskedValue replaces the value of a secret header in every output.
const MaskedValue = "••••••"

// BuiltinHeaders are always masked (contract §7); settings add more.
var BuiltinHeaders = []string{
	"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key",
	"api-key", "apikey", "x-auth-token", "x-access-token", "x-csrf-token",
	"*token*", "*secret*", "*password*", "*apikey*", "*api-key*",
}

// Masker decides which header names are secret: lower-cased names and globs.
type Masker struct {
	exact map[string]bool
	globs []string
}

// New returns a masker of the built-in names plus extra (names or globs).
func New(extra []string) *Masker {
	m := &Masker{exact: map[string]bool{}}
	for _, p := range append(append([]string(nil), BuiltinHeaders...), extra...) {
		p = strings.ToLower(strings.TrimSpace(p))
		switch {
		case p == "":
		case strings.ContainsAny(p, "*?["):
			m.globs = append(m.globs, p)
		default:
			m.exact[p] = true
		}
	}
	return m
}

// Secret says whether a header's value must be masked.
func (m *Masker) Secret(name string) bool {
	n := strings.ToLower(strings.TrimSpace(name))
	if m.exact[n] {
		return true
	}
	for _, g := range m.globs {
		if ok, _ := path.Match(g, n); ok {
			return true
		}
	}
	return false
}

// Headers returns a copy of hs with the secret values masked.
func (m *Masker) Headers(hs []model.Header) []model.Header {
	if hs == nil {
		return nil
	}
	out := make([]model.Header, len(hs))
	for i, h := range hs {
		out[i] = h
		if m.Secret(h.Name) {
			out[i].Value = MaskedValue
		}
	}
	return out
}

// Detail returns d with its request and response headers masked.
func (m *Masker) Detail(d model.TransactionDetail) model.TransactionDetail {
	d.RequestHeaders = m.Headers(d.RequestHeaders)
	d.ResponseHeaders = m.Headers(d.ResponseHeaders)
	return d
}
