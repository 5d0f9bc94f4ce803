package reports

import (
	"fmt"
	"sort"
	"strings"

	"github.com/apifw/monitor/pkg/model"
)

// APIInfo is what is known about one API, from the inventory and the reports.
type APIInfo struct {
	ID           string
	Name         string // inventory name, else the latest report's API name
	CollectionID string // inventory collection, else the envelope's cid
	Collection   string // the collection's name (its id when it has none)
	TeamID       string
	Team         string
	Tags         []string
	InInventory  bool
	// Unmapped: the API stands for reports nothing placed (no id, no
	// inventory match, no UUID in the path); its id starts with
	// model.UnmappedAPIPrefix and MappingHint says how to place them.
	Unmapped    bool
	MappingHint string
}

// catalogue is the resolved inventory: every collection, team and user by
// id, with the references between them resolved by id or name.
type catalogue struct {
	apis        map[string]*APIInfo
	collections map[string]string // id → name
	teams       map[string]string // id → name
	users       map[string]bool   // user key (id, else name, else email)
	teamUsers   map[string]map[string]bool
}

func newCatalogue(inv model.Inventory) *catalogue {
	c := &catalogue{apis: map[string]*APIInfo{}, collections: map[string]string{}, teams: map[string]string{},
		users: map[string]bool{}, teamUsers: map[string]map[string]bool{}}
	for _, col := range inv.Collections {
		c.collections[firstNonEmpty(col.ID, col.Name)] = firstNonEmpty(col.Name, col.ID)
	}
	for _, t := range inv.Teams {
		c.teams[firstNonEmpty(t.ID, t.Name)] = firstNonEmpty(t.Name, t.ID)
	}
	userKey := map[string]string{} // id, name or email → key
	for _, u := range inv.Users {
		key := firstNonEmpty(u.ID, u.Name, u.Email)
		c.users[key] = true
		for _, alias := range []string{u.ID, u.Name, u.Email} {
			if alias != "" {
				userKey[alias] = key
			}
		}
	}
	resolveUser := func(ref string) string {
		if k, ok := userKey[ref]; ok {
			return k
		}
		c.users[ref] = true // a member the users list does not describe is still a user
		userKey[ref] = ref
		return ref
	}
	for _, t := range inv.Teams {
		for _, ref := range t.Users {
			c.member(firstNonEmpty(t.ID, t.Name), resolveUser(ref))
		}
	}
	for _, u := range inv.Users {
		for _, ref := range u.Teams {
			c.member(c.resolve(c.teams, ref), firstNonEmpty(u.ID, u.Name, u.Email))
		}
	}
	for _, a := range inv.APIs {
		if _, dup := c.apis[a.ID]; dup {
			continue // the first inventory entry of an id wins
		}
		info := &APIInfo{ID: a.ID, Name: a.Name, Tags: a.Tags, InInventory: true}
		if a.Collection != "" {
			info.CollectionID = c.resolve(c.collections, a.Collection)
			info.Collection = c.collections[info.CollectionID]
		}
		if a.Team != "" {
			info.TeamID = c.resolve(c.teams, a.Team)
			info.Team = c.teams[info.TeamID]
		}
		c.apis[a.ID] = info
	}
	return c
}

func (c *catalogue) member(team, user string) {
	if c.teamUsers[team] == nil {
		c.teamUsers[team] = map[string]bool{}
	}
	c.teamUsers[team][user] = true
}

// resolve finds ref among ids, then names (case-insensitively); an unknown
// ref becomes a new entry named after itself.
func (c *catalogue) resolve(m map[string]string, ref string) string {
	if _, ok := m[ref]; ok {
		return ref
	}
	for id, name := range m {
		if strings.EqualFold(name, ref) {
			return id
		}
	}
	m[ref] = ref
	return ref
}

// addReport makes the API of a mapped report known, taking the report's API
// name and collection when the inventory gives none. Reports are added oldest
// first, so the newest name wins.
func (c *catalogue) addReport(r model.ReportRef) {
	info := c.apis[r.APIID]
	if info == nil {
		info = &APIInfo{ID: r.APIID}
		c.apis[r.APIID] = info
	}
	if r.Origin.MappedBy == model.FromUnmapped {
		info.Unmapped, info.MappingHint = true, mappingHint(r)
		info.Name = unmappedName(&r)
	} else if !info.InInventory && r.APIName != "" {
		info.Name = r.APIName
	} else if info.Name == "" && r.Origin.Format == model.FormatCIReport && len(r.OpenAPIFiles) > 0 {
		info.Name = r.OpenAPIFiles[0] // a CI report names the definition file, not the API
	}
	if r.CollectionID != "" && (!info.InInventory || info.CollectionID == "") {
		if _, ok := c.collections[r.CollectionID]; !ok {
			c.collections[r.CollectionID] = r.CollectionID
		}
		info.CollectionID, info.Collection = r.CollectionID, c.collections[r.CollectionID]
	}
}

// mapper places a report that does not name its API itself.
type mapper struct {
	globs  []glob
	byName map[string]string // lower-case API name → id; names shared by two APIs are left out
}

type glob struct{ pattern, apiID string }

func newMapper(inv model.Inventory) *mapper {
	m := &mapper{byName: map[string]string{}}
	ambiguous := map[string]bool{}
	for _, a := range inv.APIs {
		for _, p := range a.Match {
			m.globs = append(m.globs, glob{p, a.ID})
		}
		if a.Name == "" {
			continue
		}
		key := strings.ToLower(strings.TrimSpace(a.Name))
		if id, ok := m.byName[key]; ok && id != a.ID {
			ambiguous[key] = true
		}
		m.byName[key] = a.ID
	}
	for k := range ambiguous {
		delete(m.byName, k)
	}
	return m
}

// place sets r.APIID, trying in order: the id inside the report, the
// inventory's match patterns (on the file's path, then on the OpenAPI files
// the report names), a UUID in the file's path, the report's API name.
func (m *mapper) place(r *model.ReportRef) bool {
	if r.APIID != "" {
		r.Origin.MappedBy = model.FromReport
		return true
	}
	for _, g := range m.globs {
		if matchGlob(g.pattern, r.Origin.RelPath) {
			r.APIID, r.Origin.MappedBy = g.apiID, model.FromInventory
			return true
		}
	}
	for _, g := range m.globs {
		for _, f := range r.OpenAPIFiles {
			if matchGlob(g.pattern, f) {
				r.APIID, r.Origin.MappedBy = g.apiID, model.FromInventory
				return true
			}
		}
	}
	if id := apiIDFromPath(r.Origin.RelPath); id != "" {
		r.APIID, r.Origin.MappedBy = id, model.FromFileName
		return true
	}
	if id, ok := m.byName[strings.ToLower(strings.TrimSpace(r.APIName))]; ok && r.APIName != "" {
		r.APIID, r.Origin.MappedBy = id, model.FromAPIName
		return true
	}
	return false
}

// mergeInventories concatenates inventory files in path order.
func mergeInventories(invs []model.Inventory) model.Inventory {
	var out model.Inventory
	for _, inv := range invs {
		out.Collections = append(out.Collections, inv.Collections...)
		out.Teams = append(out.Teams, inv.Teams...)
		out.Users = append(out.Users, inv.Users...)
		out.APIs = append(out.APIs, inv.APIs...)
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// placeUnmapped puts a report nothing else placed under an API of its own,
// keyed by what identifies its definition file: the audit's fileId, else the
// file's path relative to its report root (plus the OpenAPI file for the
// entries of a CI report, which lists several). Reports of the same file,
// or with the same fileId, so form one history.
func placeUnmapped(r *model.ReportRef) {
	key := r.Origin.RelPath
	if r.Origin.Format == model.FormatCIReport && len(r.OpenAPIFiles) > 0 {
		key += "#" + r.OpenAPIFiles[0]
	}
	if r.FileID != "" {
		key = r.FileID
	}
	r.APIID, r.Origin.MappedBy = model.UnmappedAPIPrefix+key, model.FromUnmapped
}

// unmappedName names the API of an unmapped report from what it carries:
// the OpenAPI title (audit summary.apiName), else its fileId, else the
// OpenAPI file a CI report entry is about, else the file's relative path.
func unmappedName(r *model.ReportRef) string {
	if r.Origin.Format == model.FormatCIReport && len(r.OpenAPIFiles) > 0 {
		return firstNonEmpty(r.APIName, r.FileID, r.OpenAPIFiles[0])
	}
	return firstNonEmpty(r.APIName, r.FileID, r.Origin.RelPath)
}

// mappingHint is the one line that says how to place an unmapped report.
func mappingHint(r model.ReportRef) string {
	return fmt.Sprintf("add %q to an inventory API's match, or put the API's UUID in the file name (audit-<api-uuid>.json)", r.Origin.RelPath)
}
