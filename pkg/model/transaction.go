// Package model holds the normalised records the rest of the backend works on.
// Nothing here knows about Grafana.
package model

import "time"

// Outcome is what happened to a transaction. The firewall writes no such field:
// ingest derives it (see ingest.Classify).
type Outcome uint8

const (
	OutcomeAllowed Outcome = iota
	OutcomeBlocked
	OutcomeWouldBlock
	OutcomeUnmatched
)

// Outcomes lists every outcome in display order.
var Outcomes = []Outcome{OutcomeAllowed, OutcomeBlocked, OutcomeWouldBlock, OutcomeUnmatched}

// String returns the stable query-model name of the outcome.
func (o Outcome) String() string {
	switch o {
	case OutcomeAllowed:
		return "allowed"
	case OutcomeBlocked:
		return "blocked"
	case OutcomeWouldBlock:
		return "wouldBlock"
	case OutcomeUnmatched:
		return "unmatched"
	}
	return "unknown"
}

// ParseOutcome maps a query-model name (also accepting the brief's "would-block") to an Outcome.
func ParseOutcome(s string) (Outcome, bool) {
	switch s {
	case "allowed":
		return OutcomeAllowed, true
	case "blocked":
		return OutcomeBlocked, true
	case "wouldBlock", "would-block":
		return OutcomeWouldBlock, true
	case "unmatched":
		return OutcomeUnmatched, true
	}
	return 0, false
}

// TransactionError is one entry of a record's "errors" array.
type TransactionError struct {
	Step    string
	Depth   int
	State   string
	Token   string
	Message string
}

// Transaction is the part of one firewall transaction record that queries need.
// Headers, parameters and traces stay on disk and are read on demand.
type Transaction struct {
	UUID        string
	Time        time.Time
	DurationUS  int64 // -1 when the record carries no duration
	Instance    string
	APIID       string
	APIName     string
	ClientIP    string
	Hostname    string
	Method      string
	Path        string
	Operation   string // oas_path: the OpenAPI path template matched
	Status      int
	NonBlocking bool
	// BlockingLevel is the enforcement level the firewall reported (0, 1, 3, 5
	// seen); -1 when the record carries none. Outcome rules may use it.
	BlockingLevel int
	Errors        []TransactionError
	Outcome       Outcome

	// Where the record lives, so details can be re-read and bad input reported.
	// FileID identifies the file across renames (rotation); File is its path
	// when the record was read.
	FileID uint32
	File   string
	Line   int
	Offset int64 // byte offset of the record's first line in the file
	Length int32 // bytes from Offset to the end of the record's last line
}
