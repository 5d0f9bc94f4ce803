package query

import (
	"math/bits"

	"github.com/apifw/monitor/pkg/model"
)

func popcount(w uint64) int { return bits.OnesCount64(w) }

// addOutcome adds n to the counter of outcome o: the per-outcome counts of
// stats and of a topN row.
func addOutcome(o model.Outcome, n int64, allowed, blocked, wouldBlock, unmatched *int64) {
	switch o {
	case model.OutcomeAllowed:
		*allowed += n
	case model.OutcomeBlocked:
		*blocked += n
	case model.OutcomeWouldBlock:
		*wouldBlock += n
	case model.OutcomeUnmatched:
		*unmatched += n
	}
}
