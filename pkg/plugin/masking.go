package plugin

import (
	"github.com/apifw/monitor/pkg/mask"
	"github.com/apifw/monitor/pkg/model"
)

// MaskedValue replaces the value of a secret header in every output.
const MaskedValue = mask.MaskedValue

// masker is the data source's view of mask.Masker (the rules live in
// pkg/mask so the shipper masks exactly as the data source does).
type masker struct{ m *mask.Masker }

func newMasker(extra []string) *masker { return &masker{mask.New(extra)} }

// secret says whether a header's value must be masked.
func (m *masker) secret(name string) bool { return m.m.Secret(name) }

// headers returns a copy of hs with the secret values masked.
func (m *masker) headers(hs []model.Header) []model.Header { return m.m.Headers(hs) }

// detail returns d with its request and response headers masked.
func (m *masker) detail(d model.TransactionDetail) model.TransactionDetail { return m.m.Detail(d) }
