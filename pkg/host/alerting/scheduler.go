package alerting

import (
	"context"
	"net/url"
	"sort"
	"sync"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/apifw/monitor/pkg/host/alerting/expr"
)

// QueryFunc runs data queries against one data source.
type QueryFunc = expr.QueryFunc

// Scheduler evaluates rule groups on their intervals and keeps the alert
// instances' states. Its read methods are safe for concurrent use with Run.
type Scheduler struct {
	groups []Group
	query  QueryFunc
	// ExternalURL is offered to templates (externalURL, pathPrefix); set it
	// before Run.
	ExternalURL *url.URL
	// Now returns the evaluation time (time.Now by default).
	Now func() time.Time

	mu     sync.RWMutex
	states map[string]*RuleState // by rule UID
	// evalMu serialises the evaluations of one rule (Run and EvalGroupNow
	// may overlap); different rules evaluate concurrently.
	evalMu map[string]*sync.Mutex
}

// NewScheduler builds a scheduler for the groups; query runs their data
// queries.
func NewScheduler(groups []Group, query QueryFunc) *Scheduler {
	s := &Scheduler{groups: groups, query: query, Now: time.Now, states: map[string]*RuleState{}, evalMu: map[string]*sync.Mutex{}}
	for _, g := range groups {
		for _, r := range g.Rules {
			s.states[r.UID] = newRuleState()
			s.evalMu[r.UID] = &sync.Mutex{}
		}
	}
	return s
}

// Groups returns the scheduler's rule groups.
func (s *Scheduler) Groups() []Group { return s.groups }

// Run evaluates every group at once and then on each group's interval,
// until ctx is done. Paused rules are not evaluated.
func (s *Scheduler) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for i := range s.groups {
		wg.Add(1)
		go func(g Group) {
			defer wg.Done()
			s.EvalGroup(ctx, g, s.Now())
			t := time.NewTicker(g.Interval)
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-t.C:
					s.EvalGroup(ctx, g, s.Now())
				}
			}
		}(s.groups[i])
	}
	wg.Wait()
}

// EvalGroupNow evaluates every group at now (for tests and manual runs).
func (s *Scheduler) EvalGroupNow(ctx context.Context, now time.Time) {
	for _, g := range s.groups {
		s.EvalGroup(ctx, g, now)
	}
}

// EvalGroup evaluates the rules of one group at now, in order.
func (s *Scheduler) EvalGroup(ctx context.Context, g Group, now time.Time) {
	for _, r := range g.Rules {
		if r.IsPaused {
			continue
		}
		s.EvalRule(ctx, r, now)
	}
}

// EvalRule evaluates one rule at now and updates its instances.
func (s *Scheduler) EvalRule(ctx context.Context, r Rule, now time.Time) {
	if mu := s.evalMu[r.UID]; mu != nil {
		mu.Lock()
		defer mu.Unlock()
	}

	// The dimensions a recovery threshold treats as firing: Alerting and
	// Pending instances without a state reason (Grafana's
	// pkg/services/ngalert/schedule/loaded_metrics_reader.go).
	s.mu.RLock()
	firing := map[string]bool{}
	if st := s.states[r.UID]; st != nil {
		for _, inst := range st.Instances {
			if inst.StateReason == "" && (inst.State == Alerting || inst.State == Pending) {
				firing[inst.ResultLabels.String()] = true
			}
		}
	}
	s.mu.RUnlock()
	loaded := func(l data.Labels) bool { return firing[l.String()] }

	results, _ := EvaluateRule(ctx, r, s.query, now, loaded)
	if ctx.Err() != nil {
		// Shutting down: a cancelled query is not the data source's error.
		return
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.states[r.UID]
	if st == nil {
		st = newRuleState()
		s.states[r.UID] = st
	}
	st.Process(r, results, now, s.ExternalURL)
}

// RuleSnapshot is a copy of a rule's state.
type RuleSnapshot struct {
	Rule           Rule
	Instances      []*Instance // sorted by labels
	LastEvaluation time.Time
	EvalDuration   time.Duration
	Health         string
	LastError      error
}

// Snapshot returns a copy of the rule's state (ok is false for an unknown
// rule UID).
func (s *Scheduler) Snapshot(uid string) (RuleSnapshot, bool) {
	for _, g := range s.groups {
		for _, r := range g.Rules {
			if r.UID == uid {
				return s.snapshot(r), true
			}
		}
	}
	return RuleSnapshot{}, false
}

func (s *Scheduler) snapshot(r Rule) RuleSnapshot {
	s.mu.RLock()
	defer s.mu.RUnlock()
	snap := RuleSnapshot{Rule: r, Health: "ok"}
	st := s.states[r.UID]
	if st == nil {
		return snap
	}
	snap.LastEvaluation, snap.EvalDuration, snap.Health, snap.LastError = st.LastEvaluation, st.EvalDuration, st.Health, st.LastError
	for _, inst := range st.Instances {
		snap.Instances = append(snap.Instances, inst.clone())
	}
	sort.Slice(snap.Instances, func(i, j int) bool {
		return snap.Instances[i].Labels.String() < snap.Instances[j].Labels.String()
	})
	return snap
}

// Instances returns copies of a rule's instances, sorted by labels.
func (s *Scheduler) Instances(uid string) []*Instance {
	snap, _ := s.Snapshot(uid)
	return snap.Instances
}
