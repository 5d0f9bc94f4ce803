package query

import (
	"fmt"
	"regexp"

	"github.com/apifw/monitor/pkg/model"
)

// addAdhoc compiles one ad hoc filter into a predicate on its dimension's
// value (DimensionSpec.Of: the same value topN groups by), filed with the
// predicates that read the same fields so the columnar scan can use it.
func (m *matcher) addAdhoc(i int, a AdhocFilter, g GeoLookup) error {
	dim, ok := LookupDimensionSpec(a.Key)
	if !ok {
		return badQuery("filters.adhoc[%d]: key %q is not one of %v", i, a.Key, Dimensions)
	}
	dim, err := dim.bind(g)
	if err != nil {
		return fmt.Errorf("filters.adhoc[%d]: %w", i, err)
	}
	of, want := dim.Of, a.Value
	var p func(*model.Transaction) bool
	switch a.Operator {
	case "=":
		p = func(t *model.Transaction) bool { return of(t) == want }
	case "!=":
		p = func(t *model.Transaction) bool { return of(t) != want }
	case "=~", "!~":
		if len(want) > MaxPatternLength {
			return badQuery("filters.adhoc[%d]: regular expression longer than %d characters", i, MaxPatternLength)
		}
		re, err := regexp.Compile("^(?:" + want + ")$")
		if err != nil {
			return badQuery("filters.adhoc[%d]: bad regular expression %q: %v", i, want, err)
		}
		neg := a.Operator == "!~"
		p = func(t *model.Transaction) bool { return re.MatchString(of(t)) != neg }
	default:
		return badQuery("filters.adhoc[%d]: operator %q is not one of =, !=, =~, !~", i, a.Operator)
	}
	m.add(dim.Col, p)
	return nil
}
