package query

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/apifw/monitor/pkg/index"
	"github.com/apifw/monitor/pkg/model"
)

// TestFilterSpecsCoverFilters: every JSON key of Filters (but adhoc) has one
// FilterSpec whose values read that field and no other.
func TestFilterSpecsCoverFilters(t *testing.T) {
	typ := reflect.TypeOf(Filters{})
	seen := map[string]bool{}
	for i := 0; i < typ.NumField(); i++ {
		field := typ.Field(i)
		if !field.IsExported() {
			continue
		}
		key := strings.Split(field.Tag.Get("json"), ",")[0]
		if key == "-" || key == "adhoc" {
			continue
		}
		var f Filters
		v := reflect.ValueOf(&f).Elem().Field(i)
		switch v.Kind() {
		case reflect.String:
			v.SetString("x")
		case reflect.Slice:
			v.Set(reflect.ValueOf([]string{"x"}))
		default:
			t.Fatalf("field %s: kind %s", field.Name, v.Kind())
		}
		found := false
		for _, spec := range FilterSpecs {
			got := spec.values(&f)
			if spec.Key == key {
				found = true
				if len(got) != 1 {
					t.Errorf("filter %q does not read field %s", key, field.Name)
				}
				wantKind := FilterKindList
				if v.Kind() == reflect.String {
					wantKind = FilterKindText
				}
				if spec.Kind != wantKind {
					t.Errorf("filter %q: kind %s, want %s", key, spec.Kind, wantKind)
				}
			} else if len(got) != 0 {
				t.Errorf("filter %q reads field %s", spec.Key, field.Name)
			}
		}
		if !found {
			t.Errorf("Filters field %s (%q) has no FilterSpec", field.Name, key)
		}
		if seen[key] {
			t.Errorf("key %q twice", key)
		}
		seen[key] = true
	}
	if len(seen) != len(FilterSpecs) {
		t.Errorf("%d filter fields, %d specs", len(seen), len(FilterSpecs))
	}
	for _, spec := range FilterSpecs {
		tx := false
		for _, s := range spec.Sources {
			tx = tx || s == FromTransactions
		}
		if tx != (spec.compile != nil) {
			t.Errorf("filter %q: applies to transactions %v but compile set %v", spec.Key, tx, spec.compile != nil)
		}
		if tx && spec.Col != index.ColTuple && spec.Col != index.ColClientIP && spec.Col != index.ColPath {
			t.Errorf("filter %q: column %v", spec.Key, spec.Col)
		}
	}
}

// TestTypesAreUnique: names are unique and every type has a source.
func TestTypesAreUnique(t *testing.T) {
	seen := map[Type]bool{}
	for _, s := range Types {
		if seen[s.Name] || (s.Source != FromTransactions && s.Source != FromReports) {
			t.Errorf("type %q: duplicate or no source", s.Name)
		}
		seen[s.Name] = true
		if _, err := Parse([]byte(`{"queryType":"` + string(s.Name) + `"}`)); err != nil {
			t.Error(err)
		}
	}
	if _, err := Parse([]byte(`{"queryType":"nope"}`)); err == nil || !strings.Contains(err.Error(), "traffic, topN") || !strings.Contains(err.Error(), "inventory") {
		t.Errorf("unknown type: %v", err)
	}
}

// TestDimensionSpecs: unique names, and explorer parameters are explorer filters.
func TestDimensionSpecs(t *testing.T) {
	explorer := map[string]bool{}
	for _, f := range FilterSpecs {
		explorer[f.Key] = f.Explorer
	}
	seen := map[string]bool{}
	for _, d := range DimensionSpecs {
		// The geo dimensions get their accessors from the engine's database.
		if seen[d.Name] || (d.Value == nil) != d.Geo || (d.Of == nil) != d.Geo || (d.Geo && d.Col != index.ColClientIP) {
			t.Errorf("dimension %q: duplicate, or accessors that do not fit Geo %v", d.Name, d.Geo)
		}
		seen[d.Name] = true
		if d.ExplorerParam != "" && !explorer[d.ExplorerParam] {
			t.Errorf("dimension %q: explorer parameter %q is no explorer filter", d.Name, d.ExplorerParam)
		}
	}
}

// TestBlockingLevelDimension: the enforcement level as a dimension, "" when
// the record has none.
func TestBlockingLevelDimension(t *testing.T) {
	res, err := engine().TopN(context.Background(), Query{Dimension: "blockingLevel"}, fixtureRange)
	if err != nil || len(res.Rows) != 1 || res.Rows[0].Value != "0" || res.Rows[0].Count != 5 {
		t.Fatalf("topN blockingLevel: %+v, %v", res.Rows, err)
	}
	for level, want := range map[int]string{-1: "", 0: "0", 5: "5"} {
		if got := dimensionOf("blockingLevel", &model.Transaction{BlockingLevel: level}); got != want {
			t.Errorf("level %d: %q, want %q", level, got, want)
		}
	}
}
