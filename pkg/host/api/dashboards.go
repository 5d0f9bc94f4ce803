package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/apifw/monitor/pkg/host/catalog"
)

// dashboard is one stored dashboard.
type dashboard struct {
	ID          int64
	UID         string
	Title       string
	Tags        []string
	Folder      string // folder title; "" is General
	PluginID    string // imported from an app's includes
	Revision    int
	Provisioned bool
	Version     int
	Created     time.Time
	Updated     time.Time
	JSON        map[string]any
}

type dashboards struct {
	mu     sync.RWMutex
	byUID  map[string]*dashboard
	nextID int64
}

// put stores a dashboard, keeping the id of the one it replaces.
func (d *dashboards) put(db *dashboard) {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := time.Now()
	if old := d.byUID[db.UID]; old != nil {
		db.ID, db.Created, db.Version = old.ID, old.Created, old.Version+1
	} else {
		d.nextID++
		db.ID, db.Created, db.Version = d.nextID, now, 1
	}
	db.Updated = now
	db.JSON["id"], db.JSON["uid"], db.JSON["version"] = db.ID, db.UID, db.Version
	d.byUID[db.UID] = db
}

func (d *dashboards) get(uid string) *dashboard {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.byUID[uid]
}

func (d *dashboards) all() []*dashboard {
	d.mu.RLock()
	defer d.mu.RUnlock()
	out := make([]*dashboard, 0, len(d.byUID))
	for _, db := range d.byUID {
		out = append(out, db)
	}
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i].Title) < strings.ToLower(out[j].Title) })
	return out
}

func (d *dashboards) remove(uid string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	_, ok := d.byUID[uid]
	delete(d.byUID, uid)
	return ok
}

// newDashboard reads a dashboard's identity from its JSON.
func newDashboard(m map[string]any) (*dashboard, error) {
	uid, _ := m["uid"].(string)
	title, _ := m["title"].(string)
	if title == "" {
		return nil, fmt.Errorf("dashboard without a title")
	}
	if uid == "" {
		uid = slugify(title)
	}
	db := &dashboard{UID: uid, Title: title, JSON: m}
	if tags, ok := m["tags"].([]any); ok {
		for _, t := range tags {
			if s, ok := t.(string); ok {
				db.Tags = append(db.Tags, s)
			}
		}
	}
	if rev, ok := m["revision"].(float64); ok {
		db.Revision = int(rev)
	}
	return db, nil
}

// appDashboards reads the dashboards an app includes (type "dashboard").
func appDashboards(p *catalog.Plugin) ([]*dashboard, []catalog.Include, error) {
	var out []*dashboard
	var incs []catalog.Include
	for _, inc := range p.Includes {
		if inc.Type != "dashboard" || inc.Path == "" {
			continue
		}
		full := filepath.Join(p.Dir, filepath.Clean("/"+inc.Path))
		b, err := os.ReadFile(full)
		if err != nil {
			return nil, nil, err
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", inc.Path, err)
		}
		db, err := newDashboard(m)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", inc.Path, err)
		}
		db.PluginID = p.ID
		out = append(out, db)
		incs = append(incs, inc)
	}
	return out, incs, nil
}

// importAppDashboards imports an app's included dashboards, and re-imports
// one whose revision changed (Grafana: pkg/services/plugindashboards/service/
// dashboard_updater.go, syncPluginDashboards / handlePluginStateChanged).
func (s *Server) importAppDashboards(p *catalog.Plugin) error {
	boards, _, err := appDashboards(p)
	if err != nil {
		return err
	}
	for _, db := range boards {
		if old := s.dashboards.get(db.UID); old != nil && old.PluginID == p.ID && old.Revision == db.Revision {
			continue
		}
		s.dashboards.put(db)
	}
	return nil
}

// pluginDashboards is GET /api/plugins/{id}/dashboards
// (plugindashboards.PluginDashboard).
func (s *Server) pluginDashboards(w http.ResponseWriter, r *http.Request) {
	p := s.catalog.Get(r.PathValue("id"))
	if p == nil {
		writeMessage(w, http.StatusNotFound, "Plugin not found, no installed plugin with that id")
		return
	}
	boards, incs, err := appDashboards(p)
	if err != nil {
		writeMessage(w, http.StatusInternalServerError, err.Error())
		return
	}
	out := []map[string]any{}
	for i, db := range boards {
		item := map[string]any{
			"uid": db.UID, "pluginId": p.ID, "title": db.Title, "path": incs[i].Path, "revision": db.Revision,
			"imported": false, "importedUri": "", "importedUrl": "", "importedRevision": 0, "slug": "",
			"dashboardId": 0, "folderId": 0, "description": "", "removed": false,
		}
		if stored := s.dashboards.get(db.UID); stored != nil && stored.PluginID == p.ID {
			slug := slugify(stored.Title)
			item["imported"], item["importedUri"], item["importedUrl"] = true, "db/"+slug, "/d/"+stored.UID+"/"+slug
			item["importedRevision"], item["slug"], item["dashboardId"] = stored.Revision, slug, stored.ID
		}
		out = append(out, item)
	}
	writeJSON(w, http.StatusOK, out)
}

// getDashboard is GET /api/dashboards/uid/{uid} (dtos.DashboardFullWithMeta).
func (s *Server) getDashboard(w http.ResponseWriter, r *http.Request) {
	db := s.dashboards.get(r.PathValue("uid"))
	if db == nil {
		writeMessage(w, http.StatusNotFound, "Dashboard not found")
		return
	}
	u := userOf(r)
	canEdit := roleRank[u.Role] >= roleRank[RoleEditor]
	slug := slugify(db.Title)
	folderTitle := db.Folder
	if folderTitle == "" {
		folderTitle = "General"
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"dashboard": db.JSON,
		"meta": map[string]any{
			"type": "db", "canSave": canEdit, "canEdit": canEdit, "canAdmin": u.Role == RoleAdmin, "canStar": true,
			"canDelete": canEdit, "slug": slug, "url": "/d/" + db.UID + "/" + slug, "expires": "0001-01-01T00:00:00Z",
			"created": db.Created, "updated": db.Updated, "updatedBy": "admin", "createdBy": "admin",
			"version": db.Version, "hasAcl": false, "isFolder": false, "folderId": 0, "folderUid": folderUID(db.Folder),
			"folderTitle": folderTitle, "folderUrl": "", "provisioned": db.Provisioned, "provisionedExternalId": "",
		},
	})
}

func folderUID(title string) string {
	if title == "" {
		return ""
	}
	return slugify(title)
}

// saveDashboard is POST /api/dashboards/db (Editor).
func (s *Server) saveDashboard(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Dashboard map[string]any `json:"dashboard"`
		Overwrite bool           `json:"overwrite"`
	}
	if err := readJSON(r, &body); err != nil || body.Dashboard == nil {
		writeMessage(w, http.StatusBadRequest, "bad request data")
		return
	}
	db, err := newDashboard(body.Dashboard)
	if err != nil {
		writeMessage(w, http.StatusBadRequest, err.Error())
		return
	}
	if old := s.dashboards.get(db.UID); old != nil && !body.Overwrite {
		if v, _ := body.Dashboard["version"].(float64); int(v) != old.Version {
			writeJSON(w, http.StatusPreconditionFailed, map[string]any{"status": "version-mismatch", "message": "The dashboard has been changed by someone else"})
			return
		}
	}
	s.dashboards.put(db)
	slug := slugify(db.Title)
	writeJSON(w, http.StatusOK, map[string]any{"id": db.ID, "uid": db.UID, "url": "/d/" + db.UID + "/" + slug, "status": "success", "version": db.Version, "slug": slug})
}

func (s *Server) deleteDashboard(w http.ResponseWriter, r *http.Request) {
	db := s.dashboards.get(r.PathValue("uid"))
	if db == nil {
		writeMessage(w, http.StatusNotFound, "Dashboard not found")
		return
	}
	if db.Provisioned {
		writeMessage(w, http.StatusBadRequest, "provisioned dashboard cannot be deleted")
		return
	}
	s.dashboards.remove(db.UID)
	writeJSON(w, http.StatusOK, map[string]any{"title": db.Title, "message": fmt.Sprintf("Dashboard %s deleted", db.Title), "id": db.ID})
}

// search is GET /api/search (pkg/api/search.go; hits as model.Hit): by
// title substring, tags (all must match), dashboardUIDs, type and limit.
func (s *Server) search(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	text := strings.ToLower(q.Get("query"))
	tags := q["tag"]
	uids := map[string]bool{}
	for _, u := range q["dashboardUIDs"] {
		for _, part := range strings.Split(u, ",") {
			uids[part] = true
		}
	}
	typ := q.Get("type")
	out := []map[string]any{}
	folders := map[string]bool{}
	for _, db := range s.dashboards.all() {
		if db.Folder != "" && !folders[db.Folder] && (typ == "" || typ == "dash-folder") && strings.Contains(strings.ToLower(db.Folder), text) && len(tags) == 0 {
			folders[db.Folder] = true
			out = append(out, map[string]any{"id": 0, "uid": folderUID(db.Folder), "title": db.Folder, "uri": "db/" + slugify(db.Folder),
				"url": "/dashboards/f/" + folderUID(db.Folder) + "/", "slug": "", "type": "dash-folder", "tags": []string{}, "isStarred": false, "sortMeta": 0})
		}
		if typ != "" && typ != "dash-db" {
			continue
		}
		if !strings.Contains(strings.ToLower(db.Title), text) || (len(uids) > 0 && !uids[db.UID]) || !hasTags(db.Tags, tags) {
			continue
		}
		slug := slugify(db.Title)
		hit := map[string]any{"id": db.ID, "uid": db.UID, "title": db.Title, "uri": "db/" + slug, "url": "/d/" + db.UID + "/" + slug,
			"slug": "", "type": "dash-db", "tags": nonNil(db.Tags), "isStarred": false, "sortMeta": 0}
		if db.Folder != "" {
			hit["folderUid"], hit["folderTitle"], hit["folderUrl"] = folderUID(db.Folder), db.Folder, "/dashboards/f/"+folderUID(db.Folder)+"/"
		}
		out = append(out, hit)
	}
	if limit := atoiOr(q.Get("limit"), 1000); len(out) > limit {
		out = out[:limit]
	}
	writeJSON(w, http.StatusOK, out)
}

func hasTags(have, want []string) bool {
	for _, w := range want {
		found := false
		for _, h := range have {
			found = found || h == w
		}
		if !found {
			return false
		}
	}
	return true
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func atoiOr(s string, def int) int {
	var n int
	if _, err := fmt.Sscan(s, &n); err != nil || n <= 0 {
		return def
	}
	return n
}
