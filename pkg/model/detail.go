package model

import "time"

// Header is one header or parameter of a request or response, in record
// order (names may repeat). Values are as logged: unmasked; whoever shows
// them masks secrets.
type Header struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// TraceStep is one processing step of a transaction: the trace timeline.
type TraceStep struct {
	Step       string    `json:"step"`
	Depth      int       `json:"depth"`
	Time       time.Time `json:"time"`       // zero when the step has no date_epoch
	DurationUS int64     `json:"durationUs"` // -1 when unknown
}

// RawField is a key with its value as JSON text: custom and unknown keys.
type RawField struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// TransactionDetail is everything a record holds for the trace view, read
// from disk on demand. Bodies are never part of it.
type TransactionDetail struct {
	UUID             string             `json:"uuid"`
	Version          string             `json:"version,omitempty"`
	Time             time.Time          `json:"time"`
	DateRFC8601      string             `json:"dateRfc8601,omitempty"`
	DurationUS       int64              `json:"durationUs"` // -1 when unknown
	Instance         string             `json:"instance,omitempty"`
	ServiceAccount   string             `json:"serviceAccount,omitempty"`
	Namespace        string             `json:"namespace,omitempty"`
	PodIP            string             `json:"podIp,omitempty"`
	APIID            string             `json:"apiId,omitempty"`
	APIName          string             `json:"apiName,omitempty"`
	NonBlocking      bool               `json:"nonBlocking"`
	BlockingLevel    int                `json:"blockingLevel"` // -1 when unknown
	SourceIP         string             `json:"sourceIp,omitempty"`
	SourcePort       int                `json:"sourcePort,omitempty"`
	DestinationIP    string             `json:"destinationIp,omitempty"`
	DestinationPort  int                `json:"destinationPort,omitempty"`
	Protocol         string             `json:"protocol,omitempty"`
	Hostname         string             `json:"hostname,omitempty"`
	Method           string             `json:"method,omitempty"`
	URIPath          string             `json:"uriPath,omitempty"`
	Query            string             `json:"query,omitempty"`
	Operation        string             `json:"operation,omitempty"` // oas_path
	Status           int                `json:"status"`
	PathParams       []Header           `json:"pathParams"`
	QueryParams      []Header           `json:"queryParams"`
	RequestHeaders   []Header           `json:"requestHeaders"`
	ResponseHeaders  []Header           `json:"responseHeaders"`
	RequestBodySize  int64              `json:"requestBodySize"`  // -1 when unknown
	ResponseBodySize int64              `json:"responseBodySize"` // -1 when unknown
	ResponseAborted  bool               `json:"responseAborted"`
	Errors           []TransactionError `json:"errors"`
	Traces           []TraceStep        `json:"traces"`
	Customs          []RawField         `json:"customs"`
	// Unknown holds the top-level keys this version does not know, in
	// record order (a newer firewall's additions).
	Unknown []RawField `json:"unknown"`
	// BodiesOmitted: the record carried request or response bodies, which
	// are dropped on reading and never shown.
	BodiesOmitted bool `json:"bodiesOmitted"`
	// Problems lists values of an unexpected type that were left out.
	Problems []string `json:"problems,omitempty"`
}
