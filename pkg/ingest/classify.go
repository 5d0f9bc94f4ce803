package ingest

import "github.com/apifw/monitor/pkg/model"

// unmatchedAPI is what the firewall writes in "api" for traffic that matched no API.
const unmatchedAPI = "n/a"

// Classify derives a transaction's outcome; the first rule that matches wins
// (formats.md §2): no API matched → unmatched; errors and enforcing → blocked;
// errors in non-blocking mode → would-block; otherwise allowed.
// fromUnknownFile is true for records read from api-unknown.transaction.log.
func Classify(t *model.Transaction, fromUnknownFile bool) model.Outcome {
	switch {
	case fromUnknownFile || t.APIID == unmatchedAPI || t.APIID == "":
		return model.OutcomeUnmatched
	case len(t.Errors) > 0 && !t.NonBlocking:
		return model.OutcomeBlocked
	case len(t.Errors) > 0:
		return model.OutcomeWouldBlock
	default:
		return model.OutcomeAllowed
	}
}
