package ingest

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/apifw/monitor/pkg/model"
)

// unmatchedAPI is what the firewall writes in "api" for traffic that matched no API.
const unmatchedAPI = "n/a"

// OutcomeRule is one rule of the outcome classification: it matches a record
// when every condition it sets holds. Unset conditions (nil, empty) match
// anything.
type OutcomeRule struct {
	// Outcome is what a matching record gets: allowed, blocked, wouldBlock
	// (or would-block) or unmatched.
	Outcome string `json:"outcome"`
	// UnknownSource: the record came from api-unknown.transaction.log (or the
	// "<instance>.unknown.transaction" STDOUT source).
	UnknownSource *bool `json:"unknownSource,omitempty"`
	// API: the record's api is one of these ("n/a" and "" mark unmatched traffic).
	API []string `json:"api,omitempty"`
	// HasErrors: the record's errors array is non-empty.
	HasErrors *bool `json:"hasErrors,omitempty"`
	// NonBlocking: the record's non_blocking_mode.
	NonBlocking *bool `json:"nonBlocking,omitempty"`
	// Status: the HTTP status is one of these codes ("429") or classes ("4xx").
	Status []string `json:"status,omitempty"`
	// ErrorStep: some error has one of these steps ("rate_limiting").
	ErrorStep []string `json:"errorStep,omitempty"`
	// BlockingLevel: the record's blocking_level is one of these (-1: missing).
	BlockingLevel []int `json:"blockingLevel,omitempty"`
}

// OutcomeRules classify transactions; the first rule that matches wins.
type OutcomeRules struct {
	// Rules in order; empty means DefaultOutcomeRules.Rules.
	Rules []OutcomeRule `json:"rules,omitempty"`
	// Otherwise is the outcome when no rule matches; empty means allowed.
	Otherwise string `json:"otherwise,omitempty"`
}

func ptr[T any](v T) *T { return &v }

// DefaultOutcomeRules are formats.md §2's rules: no API matched → unmatched;
// errors and enforcing → blocked; errors in non-blocking mode → would-block;
// otherwise allowed.
var DefaultOutcomeRules = OutcomeRules{
	Rules: []OutcomeRule{
		{Outcome: "unmatched", UnknownSource: ptr(true)},
		{Outcome: "unmatched", API: []string{unmatchedAPI, ""}},
		{Outcome: "blocked", HasErrors: ptr(true), NonBlocking: ptr(false)},
		{Outcome: "wouldBlock", HasErrors: ptr(true), NonBlocking: ptr(true)},
	},
	Otherwise: "allowed",
}

// compiledRule is an OutcomeRule ready to evaluate without allocating.
type compiledRule struct {
	outcome       model.Outcome
	unknownSource int8 // -1 any, 0 false, 1 true
	hasErrors     int8
	nonBlocking   int8
	apis          []string
	statuses      []statusMatch
	errorSteps    []string
	levels        []int
}

// statusMatch is an exact code or, with class set, a range of 100 codes.
type statusMatch struct {
	code  int
	class bool
}

type ruleSet struct {
	rules     []compiledRule
	otherwise model.Outcome
}

func compileRules(r OutcomeRules) (ruleSet, error) {
	if len(r.Rules) == 0 {
		r.Rules = DefaultOutcomeRules.Rules
	}
	set := ruleSet{otherwise: model.OutcomeAllowed}
	if r.Otherwise != "" {
		o, ok := model.ParseOutcome(r.Otherwise)
		if !ok {
			return set, fmt.Errorf("outcome rules: otherwise %q is not allowed, blocked, wouldBlock or unmatched", r.Otherwise)
		}
		set.otherwise = o
	}
	for i, rule := range r.Rules {
		o, ok := model.ParseOutcome(rule.Outcome)
		if !ok {
			return set, fmt.Errorf("outcome rule %d: outcome %q is not allowed, blocked, wouldBlock or unmatched", i+1, rule.Outcome)
		}
		c := compiledRule{
			outcome: o, unknownSource: tri(rule.UnknownSource), hasErrors: tri(rule.HasErrors),
			nonBlocking: tri(rule.NonBlocking), apis: rule.API, errorSteps: rule.ErrorStep, levels: rule.BlockingLevel,
		}
		for _, s := range rule.Status {
			m, err := parseStatusMatch(s)
			if err != nil {
				return set, fmt.Errorf("outcome rule %d: %w", i+1, err)
			}
			c.statuses = append(c.statuses, m)
		}
		set.rules = append(set.rules, c)
	}
	return set, nil
}

func tri(b *bool) int8 {
	switch {
	case b == nil:
		return -1
	case *b:
		return 1
	}
	return 0
}

// parseStatusMatch reads "404" or a class "4xx".
func parseStatusMatch(s string) (statusMatch, error) {
	s = strings.TrimSpace(strings.ToLower(s))
	if len(s) == 3 && s[1:] == "xx" && s[0] >= '1' && s[0] <= '5' {
		return statusMatch{code: int(s[0]-'0') * 100, class: true}, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 999 {
		return statusMatch{}, fmt.Errorf("status %q is not a code (404) or class (4xx)", s)
	}
	return statusMatch{code: n}, nil
}

// classify returns the outcome of the first matching rule.
func (rs *ruleSet) classify(t *model.Transaction, unknownSource bool) model.Outcome {
	for i := range rs.rules {
		if rs.rules[i].matches(t, unknownSource) {
			return rs.rules[i].outcome
		}
	}
	return rs.otherwise
}

func (c *compiledRule) matches(t *model.Transaction, unknownSource bool) bool {
	if !triMatches(c.unknownSource, unknownSource) || !triMatches(c.hasErrors, len(t.Errors) > 0) ||
		!triMatches(c.nonBlocking, t.NonBlocking) {
		return false
	}
	if len(c.apis) > 0 && !contains(c.apis, t.APIID) {
		return false
	}
	if len(c.levels) > 0 && !contains(c.levels, t.BlockingLevel) {
		return false
	}
	if len(c.statuses) > 0 && !statusMatches(c.statuses, t.Status) {
		return false
	}
	if len(c.errorSteps) > 0 && !anyErrorStep(t.Errors, c.errorSteps) {
		return false
	}
	return true
}

func triMatches(want int8, got bool) bool { return want < 0 || (want == 1) == got }

func contains[T comparable](list []T, v T) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func statusMatches(ms []statusMatch, status int) bool {
	for _, m := range ms {
		if status == m.code || (m.class && status >= m.code && status < m.code+100) {
			return true
		}
	}
	return false
}

func anyErrorStep(errs []model.TransactionError, steps []string) bool {
	for i := range errs {
		if contains(steps, errs[i].Step) {
			return true
		}
	}
	return false
}

var defaultRuleSet = func() ruleSet {
	rs, err := compileRules(DefaultOutcomeRules)
	if err != nil {
		panic(err)
	}
	return rs
}()

// Classify derives a transaction's outcome with DefaultOutcomeRules.
// fromUnknownFile is true for records read from api-unknown.transaction.log.
func Classify(t *model.Transaction, fromUnknownFile bool) model.Outcome {
	return defaultRuleSet.classify(t, fromUnknownFile)
}
