package query

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/apifw/monitor/pkg/model"
)

// The new filters on the stats fixture (five records in fixtureRange).
func TestFilters(t *testing.T) {
	withHost := fixtureStore()
	cases := []struct {
		name  string
		f     Filters
		total int64
	}{
		{"none", Filters{}, 5},
		{"operation (none set in the fixture)", Filters{Operation: []string{""}}, 5},
		{"operation miss", Filters{Operation: []string{"/users/{id}"}}, 0},
		{"hostname", Filters{Hostname: []string{""}}, 5},
		{"collection resolved", Filters{Collection: []string{"c1"}, collectionAPIs: []string{"a2", "zz"}}, 1},
		{"collection resolved to nothing", Filters{Collection: []string{"c1"}, collectionAPIs: []string{}}, 0},
		{"adhoc =", Filters{Adhoc: []AdhocFilter{{"instance", "=", "fw-1"}}}, 2},
		{"adhoc !=", Filters{Adhoc: []AdhocFilter{{"instance", "!=", "fw-1"}}}, 3},
		{"adhoc =~ anchored", Filters{Adhoc: []AdhocFilter{{"clientIp", "=~", "10\\.0\\.0\\.."}}}, 2},
		{"adhoc =~ not a substring match", Filters{Adhoc: []AdhocFilter{{"clientIp", "=~", "0\\.0"}}}, 0},
		{"adhoc !~", Filters{Adhoc: []AdhocFilter{{"path", "!~", "/users.*"}}}, 3},
		{"adhoc status class and error step", Filters{Adhoc: []AdhocFilter{{"statusClass", "=", "4xx"}, {"errorStep", "=", "hostpath_mapping"}}}, 1},
		{"adhoc outcome", Filters{Adhoc: []AdhocFilter{{"outcome", "=~", "blocked|wouldBlock"}}}, 3},
		{"adhoc with filter", Filters{Method: []string{"GET"}, Adhoc: []AdhocFilter{{"status", "=", "404"}}}, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := (&Engine{Store: withHost}).Stats(context.Background(), Query{Filters: c.f}, fixtureRange)
			if err != nil {
				t.Fatal(err)
			}
			if got.Total != c.total {
				t.Fatalf("total %d, want %d", got.Total, c.total)
			}
		})
	}
}

func TestFilterMatchesRecordFields(t *testing.T) {
	tx := &model.Transaction{Operation: "/pets/{id}", Hostname: "api.example", Errors: []model.TransactionError{{Step: "s1", Message: "m1"}, {Step: "s2", Message: "m2"}}}
	cases := []struct {
		name string
		f    Filters
		want bool
	}{
		{"operation", Filters{Operation: []string{"/pets/{id}"}}, true},
		{"hostname", Filters{Hostname: []string{"other", "api.example"}}, true},
		{"hostname miss", Filters{Hostname: []string{"other"}}, false},
		{"any error message", Filters{ErrorMessage: []string{"m1"}}, true},
		{"error message miss", Filters{ErrorMessage: []string{"m3"}}, false},
		{"adhoc errorMessage is the last error", Filters{Adhoc: []AdhocFilter{{"errorMessage", "=", "m2"}}}, true},
		{"adhoc errorMessage not the first", Filters{Adhoc: []AdhocFilter{{"errorMessage", "=", "m1"}}}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := compile(c.f)
			if err != nil {
				t.Fatal(err)
			}
			if got := m.match(tx); got != c.want {
				t.Fatalf("match %v, want %v", got, c.want)
			}
		})
	}
}

func TestFilterErrors(t *testing.T) {
	cases := []struct {
		name string
		f    Filters
		msg  string
	}{
		{"unknown key", Filters{Adhoc: []AdhocFilter{{"colour", "=", "x"}}}, `key "colour"`},
		{"unknown operator", Filters{Adhoc: []AdhocFilter{{"path", "<", "x"}}}, `operator "<"`},
		{"bad regexp", Filters{Adhoc: []AdhocFilter{{"path", "=~", "(x"}}}, "bad regular expression"},
		{"long regexp", Filters{Adhoc: []AdhocFilter{{"path", "=~", strings.Repeat("a", MaxPatternLength+1)}}}, "longer than 256"},
		{"collection unresolved", Filters{Collection: []string{"c"}}, "not resolved"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := compile(c.f)
			if err == nil || !errors.Is(err, ErrBadQuery) || !strings.Contains(err.Error(), c.msg) {
				t.Fatalf("got %v, want a bad query containing %q", err, c.msg)
			}
		})
	}
}
