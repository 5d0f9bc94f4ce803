package reports

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/apifw/monitor/pkg/model"
)

var inventoryLists = []string{"apis", "collections", "teams", "users"}

// looksLikeInventory: an "apis" key, or one of the other lists. It is tried
// after every report format.
func looksLikeInventory(o obj) bool {
	if o.has("apis") {
		return true
	}
	for _, k := range inventoryLists {
		if _, ok := o[k].([]any); ok {
			return true
		}
	}
	return false
}

// decodeYAML reads a YAML document into the same shapes encoding/json
// produces, so one set of accessors reads both.
func decodeYAML(content []byte) (any, error) {
	var v any
	if err := yaml.Unmarshal(content, &v); err != nil {
		return nil, err
	}
	return normalizeYAML(v), nil
}

func normalizeYAML(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = normalizeYAML(e)
		}
		return x
	case map[any]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[fmt.Sprint(k)] = normalizeYAML(e)
		}
		return m
	case []any:
		for i, e := range x {
			x[i] = normalizeYAML(e)
		}
		return x
	case int:
		return float64(x)
	case int64:
		return float64(x)
	case uint64:
		return float64(x)
	}
	return v
}

// parseInventory reads the inventory file (docs/reports.md). It is written by
// hand, so a malformed entry fails the file with the entry's position rather
// than silently dropping an API.
func parseInventory(o obj) (model.Inventory, error) {
	var inv model.Inventory
	for _, k := range inventoryLists {
		if v, ok := o[k]; ok && v != nil {
			if _, isArr := v.([]any); !isArr {
				return inv, fmt.Errorf("%s is %s, want a list", k, typeName(v))
			}
		}
	}
	for i, v := range o.arr("collections") {
		e, err := entry(v, "collections", i)
		if err != nil {
			return inv, err
		}
		c := model.Collection{ID: e.str("id"), Name: e.str("name"), TechnicalName: e.str("technicalName")}
		if c.ID == "" && c.Name == "" {
			return inv, fmt.Errorf("collections[%d]: needs an id or a name", i)
		}
		inv.Collections = append(inv.Collections, c)
	}
	for i, v := range o.arr("teams") {
		e, err := entry(v, "teams", i)
		if err != nil {
			return inv, err
		}
		t := model.Team{ID: e.str("id"), Name: e.str("name"), Users: e.strs("users")}
		if t.ID == "" && t.Name == "" {
			return inv, fmt.Errorf("teams[%d]: needs an id or a name", i)
		}
		inv.Teams = append(inv.Teams, t)
	}
	for i, v := range o.arr("users") {
		e, err := entry(v, "users", i)
		if err != nil {
			return inv, err
		}
		u := model.User{ID: e.str("id"), Name: e.str("name"), Email: e.str("email"), Teams: e.strs("teams")}
		if u.ID == "" && u.Name == "" && u.Email == "" {
			return inv, fmt.Errorf("users[%d]: needs an id, a name or an email", i)
		}
		inv.Users = append(inv.Users, u)
	}
	for i, v := range o.arr("apis") {
		e := asObj(v)
		if e == nil {
			return inv, fmt.Errorf("apis[%d] is %s, want an object with an id", i, typeName(v))
		}
		a := model.InventoryAPI{ID: strings.TrimSpace(e.str("id")), Name: e.str("name"),
			Collection: e.str("collection"), Team: firstNonEmpty(e.str("team"), e.str("owner")), Match: e.strs("match")}
		if a.ID == "" {
			return inv, fmt.Errorf("apis[%d]: id is missing (the API's UUID as the firewall logs it)", i)
		}
		for _, t := range e.strs("tags") {
			for _, part := range strings.Split(t, ",") {
				if part = strings.TrimSpace(part); part != "" {
					a.Tags = append(a.Tags, part)
				}
			}
		}
		inv.APIs = append(inv.APIs, a)
	}
	return inv, nil
}

// entry reads a list element that is an object, or a bare string naming it.
func entry(v any, list string, i int) (obj, error) {
	switch x := v.(type) {
	case string:
		return obj{"id": x, "name": x}, nil
	case map[string]any:
		return x, nil
	}
	return nil, fmt.Errorf("%s[%d] is %s, want an object or a name", list, i, typeName(v))
}
