// Package index keeps the ingested transactions in memory, ordered by time,
// for the query engine. One writer replaces or appends, many readers scan.
package index

import (
	"sort"
	"sync"
	"time"

	"github.com/apifw/monitor/pkg/model"
)

// Store holds transactions sorted by time. Readers see a consistent snapshot:
// writers build a new slice and swap it under the lock, so a scan never waits
// for ingestion longer than the swap.
type Store struct {
	mu  sync.RWMutex
	txs []model.Transaction
}

// NewStore returns an empty store.
func NewStore() *Store { return &Store{} }

// Replace swaps the whole content for txs (which it sorts and keeps).
func (s *Store) Replace(txs []model.Transaction) {
	sort.SliceStable(txs, func(i, j int) bool { return txs[i].Time.Before(txs[j].Time) })
	s.mu.Lock()
	s.txs = txs
	s.mu.Unlock()
}

// Len is the number of stored transactions.
func (s *Store) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.txs)
}

// Range calls fn for each transaction with from <= Time < to, oldest first,
// until fn returns false. A zero to means no upper bound.
func (s *Store) Range(from, to time.Time, fn func(*model.Transaction) bool) {
	s.mu.RLock()
	txs := s.txs
	s.mu.RUnlock()
	i := sort.Search(len(txs), func(i int) bool { return !txs[i].Time.Before(from) })
	for ; i < len(txs); i++ {
		if !to.IsZero() && !txs[i].Time.Before(to) {
			return
		}
		if !fn(&txs[i]) {
			return
		}
	}
}
