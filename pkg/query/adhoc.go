package query

import (
	"regexp"
	"slices"

	"github.com/apifw/monitor/pkg/model"
)

// addAdhoc compiles one ad hoc filter into a predicate on its dimension's
// value (dimensionOf: the same value topN groups by), filed with the
// predicates that read the same fields so the columnar scan can use it.
func (m *matcher) addAdhoc(i int, a AdhocFilter) error {
	if !slices.Contains(Dimensions, a.Key) {
		return badQuery("filters.adhoc[%d]: key %q is not one of %v", i, a.Key, Dimensions)
	}
	key, want := a.Key, a.Value
	var p func(*model.Transaction) bool
	switch a.Operator {
	case "=":
		p = func(t *model.Transaction) bool { return dimensionOf(key, t) == want }
	case "!=":
		p = func(t *model.Transaction) bool { return dimensionOf(key, t) != want }
	case "=~", "!~":
		if len(want) > MaxPatternLength {
			return badQuery("filters.adhoc[%d]: regular expression longer than %d characters", i, MaxPatternLength)
		}
		re, err := regexp.Compile("^(?:" + want + ")$")
		if err != nil {
			return badQuery("filters.adhoc[%d]: bad regular expression %q: %v", i, want, err)
		}
		neg := a.Operator == "!~"
		p = func(t *model.Transaction) bool { return re.MatchString(dimensionOf(key, t)) != neg }
	default:
		return badQuery("filters.adhoc[%d]: operator %q is not one of =, !=, =~, !~", i, a.Operator)
	}
	switch key {
	case "clientIp":
		m.preds = append(m.preds, p)
		m.clientPreds = append(m.clientPreds, p)
	case "path":
		m.preds = append(m.preds, p)
		m.pathPreds = append(m.pathPreds, p)
	default:
		m.addTuple(p)
	}
	return nil
}
