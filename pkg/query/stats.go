package query

import (
	"time"

	"github.com/apifw/monitor/pkg/index"
	"github.com/apifw/monitor/pkg/model"
)

// StatsResult is the one-row answer of a stats query. Field names are the
// column names of the public contract.
type StatsResult struct {
	Total           int64
	Allowed         int64
	Blocked         int64
	WouldBlock      int64
	Unmatched       int64
	BlockedRatio    float64 // blocked / total, 0 when total is 0
	DistinctClients int64
	Instances       int64
}

// TimeRange is a half-open interval [From, To).
type TimeRange struct {
	From, To time.Time
}

// Stats counts the transactions matching q's filters in tr.
func Stats(store *index.Store, q Query, tr TimeRange) (StatsResult, error) {
	var res StatsResult
	m, err := compile(q.Filters)
	if err != nil {
		return res, err
	}
	clients := map[string]struct{}{}
	instances := map[string]struct{}{}
	store.Range(tr.From, tr.To, func(t *model.Transaction) bool {
		if !m.match(t) {
			return true
		}
		res.Total++
		switch t.Outcome {
		case model.OutcomeAllowed:
			res.Allowed++
		case model.OutcomeBlocked:
			res.Blocked++
		case model.OutcomeWouldBlock:
			res.WouldBlock++
		case model.OutcomeUnmatched:
			res.Unmatched++
		}
		clients[t.ClientIP] = struct{}{}
		instances[t.Instance] = struct{}{}
		return true
	})
	if res.Total > 0 {
		res.BlockedRatio = float64(res.Blocked) / float64(res.Total)
	}
	res.DistinctClients = int64(len(clients))
	res.Instances = int64(len(instances))
	return res, nil
}
