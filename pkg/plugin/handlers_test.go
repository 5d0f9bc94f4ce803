package plugin

import (
	"testing"

	"github.com/apifw/monitor/pkg/query"
)

// TestHandlersCoverTypes: the mux has one handler per query type of
// query.Types, and none for a type the engine does not know.
func TestHandlersCoverTypes(t *testing.T) {
	for _, s := range query.Types {
		if handlers[s.Name] == nil {
			t.Errorf("query type %q has no handler", s.Name)
		}
	}
	for typ := range handlers {
		if _, ok := query.LookupType(typ); !ok {
			t.Errorf("handler for %q, which query.Types does not list", typ)
		}
	}
}
