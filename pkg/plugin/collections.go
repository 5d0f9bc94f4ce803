package plugin

import (
	"fmt"
	"sort"
)

// resolveCollections turns filters.collection into the ids of the APIs of
// those collections (id or name) per the inventory reports, for the
// transaction engine (query.Engine.Collections). A collection no report
// knows matches nothing.
func (d *Datasource) resolveCollections(names []string) ([]string, error) {
	if len(d.settings.ReportRoots) == 0 {
		return nil, fmt.Errorf("filters.collection needs the inventory reports: no report root is configured")
	}
	d.reports.Refresh()
	return collectionAPIs(d.reportsSnapshotAPIs(), names), nil
}

// collectionAPIs lists the APIs whose collection id or name is in names.
func collectionAPIs(apis map[string]collectionRef, names []string) []string {
	want := make(map[string]bool, len(names))
	for _, n := range names {
		want[n] = true
	}
	ids := []string{}
	for id, c := range apis {
		if c.id != "" && (want[c.id] || want[c.name]) {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}

type collectionRef struct{ id, name string }

func (d *Datasource) reportsSnapshotAPIs() map[string]collectionRef {
	out := map[string]collectionRef{}
	snap := d.reports.Snapshot()
	if snap == nil {
		return out
	}
	for id, a := range snap.APIs {
		out[id] = collectionRef{a.CollectionID, a.Collection}
	}
	return out
}
