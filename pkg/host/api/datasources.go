package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/apifw/monitor/pkg/host/provisioning"
)

// DataSource is one data source instance, as Grafana stores it
// (pkg/services/datasources/models.go); secure values are kept decrypted in
// memory and only ever sent to the plugin.
type DataSource struct {
	ID              int64
	UID             string
	OrgID           int64
	Name            string
	Type            string
	Access          string
	URL             string
	User            string
	Database        string
	BasicAuth       bool
	BasicAuthUser   string
	WithCredentials bool
	IsDefault       bool
	JSONData        map[string]any
	SecureJSONData  map[string]string
	Version         int
	ReadOnly        bool // provisioned and not editable
	Updated         time.Time
}

type dataSources struct {
	mu     sync.RWMutex
	list   []*DataSource
	nextID int64
}

func (d *dataSources) byUID(uid string) *DataSource {
	d.mu.RLock()
	defer d.mu.RUnlock()
	for _, ds := range d.list {
		if ds.UID == uid {
			return ds
		}
	}
	return nil
}

func (d *dataSources) find(match func(*DataSource) bool) *DataSource {
	d.mu.RLock()
	defer d.mu.RUnlock()
	for _, ds := range d.list {
		if match(ds) {
			return ds
		}
	}
	return nil
}

func (d *dataSources) all() []*DataSource {
	d.mu.RLock()
	defer d.mu.RUnlock()
	out := append([]*DataSource{}, d.list...)
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i].Name) < strings.ToLower(out[j].Name) })
	return out
}

// put adds or replaces a data source; a new default clears the old one.
func (d *dataSources) put(ds *DataSource) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if ds.ID == 0 {
		d.nextID++
		ds.ID = d.nextID
	}
	if ds.UID == "" {
		ds.UID = fmt.Sprintf("ds%06d", ds.ID)
	}
	ds.Updated = time.Now()
	ds.Version++
	replaced := false
	for i, old := range d.list {
		if old.ID == ds.ID {
			d.list[i] = ds
			replaced = true
		}
		if ds.IsDefault && old.ID != ds.ID {
			old.IsDefault = false
		}
	}
	if !replaced {
		d.list = append(d.list, ds)
	}
}

func (d *dataSources) remove(id int64) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	for i, ds := range d.list {
		if ds.ID == id {
			d.list = append(d.list[:i], d.list[i+1:]...)
			return true
		}
	}
	return false
}

// fromProvisioning turns a provisioned data source into a stored one.
func fromProvisioning(p provisioning.DataSource) *DataSource {
	secure := map[string]string{}
	for k, v := range p.SecureJSONData {
		secure[k] = fmt.Sprint(v)
	}
	if p.JSONData == nil {
		p.JSONData = map[string]any{}
	}
	return &DataSource{
		UID: p.UID, OrgID: p.OrgID, Name: p.Name, Type: p.Type, Access: p.Access, URL: p.URL, User: p.User,
		Database: p.Database, BasicAuth: p.BasicAuth, BasicAuthUser: p.BasicAuthUser, WithCredentials: p.WithCredentials,
		IsDefault: p.IsDefault, JSONData: p.JSONData, SecureJSONData: secure, ReadOnly: !p.Editable,
	}
}

// dto is Grafana's data source JSON (pkg/api/dtos/datasource.go,
// DataSource): secure values only as a map of which keys are set.
func (s *Server) dto(ds *DataSource) map[string]any {
	fields := map[string]bool{}
	for k := range ds.SecureJSONData {
		fields[k] = true
	}
	p := s.catalog.Get(ds.Type)
	typeName, logo := ds.Type, ""
	if p != nil {
		typeName = p.Name
		logo = "public/plugins/" + p.ID + "/img/logo.svg"
	}
	return map[string]any{
		"id": ds.ID, "uid": ds.UID, "orgId": ds.OrgID, "name": ds.Name, "type": ds.Type, "typeName": typeName,
		"typeLogoUrl": logo, "access": ds.Access, "url": ds.URL, "user": ds.User, "database": ds.Database,
		"basicAuth": ds.BasicAuth, "basicAuthUser": ds.BasicAuthUser, "withCredentials": ds.WithCredentials,
		"isDefault": ds.IsDefault, "jsonData": ds.JSONData, "secureJsonFields": fields, "version": ds.Version,
		"readOnly": ds.ReadOnly, "apiVersion": "",
	}
}

// dsByRequest resolves {uid}, {id} or {name} of the route, or answers 404
// with Grafana's message.
func (s *Server) dsByRequest(w http.ResponseWriter, r *http.Request) *DataSource {
	var ds *DataSource
	switch {
	case r.PathValue("uid") != "":
		ds = s.ds.byUID(r.PathValue("uid"))
	case r.PathValue("id") != "":
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil {
			writeMessage(w, http.StatusBadRequest, "id is invalid")
			return nil
		}
		ds = s.ds.find(func(d *DataSource) bool { return d.ID == id })
	case r.PathValue("name") != "":
		ds = s.ds.find(func(d *DataSource) bool { return d.Name == r.PathValue("name") })
	}
	if ds == nil {
		writeMessage(w, http.StatusNotFound, "Data source not found")
	}
	return ds
}

func (s *Server) listDataSources(w http.ResponseWriter, r *http.Request) {
	out := []map[string]any{}
	for _, ds := range s.ds.all() {
		out = append(out, s.dto(ds))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) getDataSource(w http.ResponseWriter, r *http.Request) {
	if ds := s.dsByRequest(w, r); ds != nil {
		writeJSON(w, http.StatusOK, s.dto(ds))
	}
}

// dsBody is the body of POST and PUT /api/datasources
// (pkg/services/datasources/models.go, AddDataSourceCommand).
type dsBody struct {
	Name            string            `json:"name"`
	Type            string            `json:"type"`
	Access          string            `json:"access"`
	URL             string            `json:"url"`
	User            string            `json:"user"`
	Database        string            `json:"database"`
	BasicAuth       bool              `json:"basicAuth"`
	BasicAuthUser   string            `json:"basicAuthUser"`
	WithCredentials bool              `json:"withCredentials"`
	IsDefault       bool              `json:"isDefault"`
	JSONData        map[string]any    `json:"jsonData"`
	SecureJSONData  map[string]string `json:"secureJsonData"`
	UID             string            `json:"uid"`
	Version         int               `json:"version"`
}

func (s *Server) createDataSource(w http.ResponseWriter, r *http.Request) {
	var b dsBody
	if err := readJSON(r, &b); err != nil || b.Name == "" || b.Type == "" {
		writeMessage(w, http.StatusBadRequest, "bad request data")
		return
	}
	if s.ds.find(func(d *DataSource) bool { return d.Name == b.Name }) != nil {
		writeMessage(w, http.StatusConflict, "data source with the same name already exists")
		return
	}
	if b.UID != "" && s.ds.byUID(b.UID) != nil {
		writeMessage(w, http.StatusConflict, "data source with the same uid already exists")
		return
	}
	ds := &DataSource{OrgID: 1}
	applyBody(ds, b)
	s.ds.put(ds)
	writeJSON(w, http.StatusOK, map[string]any{"datasource": s.dto(ds), "id": ds.ID, "message": "Datasource added", "name": ds.Name})
}

func (s *Server) updateDataSource(w http.ResponseWriter, r *http.Request) {
	old := s.dsByRequest(w, r)
	if old == nil {
		return
	}
	if old.ReadOnly {
		writeMessage(w, http.StatusForbidden, "Cannot update read-only data source")
		return
	}
	var b dsBody
	if err := readJSON(r, &b); err != nil || b.Name == "" {
		writeMessage(w, http.StatusBadRequest, "bad request data")
		return
	}
	// A copy, so requests holding the old settings keep a consistent view;
	// the new version and Updated time re-create the plugin's instance.
	ds := *old
	ds.SecureJSONData = map[string]string{}
	for k, v := range old.SecureJSONData {
		ds.SecureJSONData[k] = v
	}
	applyBody(&ds, b)
	s.ds.put(&ds)
	writeJSON(w, http.StatusOK, map[string]any{"datasource": s.dto(&ds), "id": ds.ID, "message": "Datasource updated", "name": ds.Name})
}

func applyBody(ds *DataSource, b dsBody) {
	ds.Name, ds.Access, ds.URL, ds.User, ds.Database = b.Name, b.Access, b.URL, b.User, b.Database
	if b.Type != "" {
		ds.Type = b.Type
	}
	if ds.Access == "" {
		ds.Access = "proxy"
	}
	ds.BasicAuth, ds.BasicAuthUser, ds.WithCredentials, ds.IsDefault = b.BasicAuth, b.BasicAuthUser, b.WithCredentials, b.IsDefault
	if b.UID != "" {
		ds.UID = b.UID
	}
	ds.JSONData = b.JSONData
	if ds.JSONData == nil {
		ds.JSONData = map[string]any{}
	}
	if ds.SecureJSONData == nil {
		ds.SecureJSONData = map[string]string{}
	}
	for k, v := range b.SecureJSONData { // only the keys sent change (Grafana keeps the others)
		ds.SecureJSONData[k] = v
	}
}

func (s *Server) deleteDataSource(w http.ResponseWriter, r *http.Request) {
	ds := s.dsByRequest(w, r)
	if ds == nil {
		return
	}
	if ds.ReadOnly {
		writeMessage(w, http.StatusForbidden, "Cannot delete read-only data source")
		return
	}
	s.ds.remove(ds.ID)
	writeJSON(w, http.StatusOK, map[string]any{"id": ds.ID, "message": "Data source deleted"})
}

// jsonDataOf returns a data source's jsonData as JSON.
func jsonDataOf(ds *DataSource) json.RawMessage {
	b, _ := json.Marshal(ds.JSONData)
	return b
}
