package plugin

import (
	"path"
	"strings"

	"github.com/apifw/monitor/pkg/model"
)

// MaskedValue replaces the value of a secret header in every output.
const MaskedValue = "••••••"

// builtinMaskedHeaders are always masked (contract §7); settings add more.
var builtinMaskedHeaders = []string{
	"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key",
	"api-key", "apikey", "x-auth-token", "x-access-token", "x-csrf-token",
	"*token*", "*secret*", "*password*", "*apikey*", "*api-key*",
}

// masker decides which header names are secret: lower-cased names and globs.
type masker struct {
	exact map[string]bool
	globs []string
}

func newMasker(extra []string) *masker {
	m := &masker{exact: map[string]bool{}}
	for _, p := range append(append([]string(nil), builtinMaskedHeaders...), extra...) {
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

// secret says whether a header's value must be masked.
func (m *masker) secret(name string) bool {
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

// headers returns a copy of hs with the secret values masked.
func (m *masker) headers(hs []model.Header) []model.Header {
	if hs == nil {
		return nil
	}
	out := make([]model.Header, len(hs))
	for i, h := range hs {
		out[i] = h
		if m.secret(h.Name) {
			out[i].Value = MaskedValue
		}
	}
	return out
}

// detail returns d with its request and response headers masked.
func (m *masker) detail(d model.TransactionDetail) model.TransactionDetail {
	d.RequestHeaders = m.headers(d.RequestHeaders)
	d.ResponseHeaders = m.headers(d.ResponseHeaders)
	return d
}
