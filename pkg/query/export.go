package query

import (
	"fmt"
	"time"
)

// Exported for other stores (pkg/vlogs answers the same model from
// VictoriaLogs): the same validation and the same bucket rule.

// CheckFilters validates filters as every transaction query does.
func CheckFilters(f Filters) error {
	_, err := compile(f)
	return err
}

// BucketInterval is the traffic bucket width for q over span.
func BucketInterval(q Query, span time.Duration) (time.Duration, error) {
	return bucketInterval(q, span)
}

// LimitOf applies a default and a cap to a query's limit.
func LimitOf(asked, def, max int) (int, error) { return limitOf(asked, def, max) }

// WithDefaults returns the limits with their defaults filled.
func (l Limits) WithDefaults() Limits { return l.withDefaults() }

// BadQuery is an error of kind ErrBadQuery.
func BadQuery(format string, args ...any) error { return badQuery(format, args...) }

// NotFound is an error of kind ErrNotFound.
func NotFound(format string, args ...any) error {
	return &queryError{ErrNotFound, fmt.Sprintf(format, args...)}
}
