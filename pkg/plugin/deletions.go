package plugin

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/apifw/monitor/pkg/collector"
	"github.com/apifw/monitor/pkg/index"
	"github.com/apifw/monitor/pkg/ingest"
	"github.com/apifw/monitor/pkg/model"
)

const (
	maxDeletionBody  = 4 << 20
	maxDeletionUUIDs = 100000
)

// deletionRequest is the body of deletions/preview and deletions; from and
// to are RFC 3339 (empty: open).
type deletionRequest struct {
	UUIDs     []string `json:"uuids"`
	ClientIP  string   `json:"clientIp"`
	APIs      []string `json:"apis"`
	Instances []string `json:"instances"`
	From      string   `json:"from"`
	To        string   `json:"to"`
}

// criteria validates the request and turns it into index criteria.
func (q deletionRequest) criteria() (index.DeleteCriteria, error) {
	c := index.DeleteCriteria{UUIDs: nonEmpty(q.UUIDs), ClientIP: strings.TrimSpace(q.ClientIP), APIs: nonEmpty(q.APIs), Instances: nonEmpty(q.Instances)}
	if len(c.UUIDs) > maxDeletionUUIDs {
		return c, fmt.Errorf("at most %d uuids per deletion", maxDeletionUUIDs)
	}
	for _, b := range []struct {
		name, s string
		dst     *time.Time
	}{{"from", q.From, &c.From}, {"to", q.To, &c.To}} {
		if strings.TrimSpace(b.s) == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(b.s))
		if err != nil {
			return c, fmt.Errorf("%s %q is not an RFC 3339 time", b.name, b.s)
		}
		*b.dst = t
	}
	if len(c.UUIDs) == 0 && c.ClientIP == "" && len(c.APIs) == 0 && len(c.Instances) == 0 && c.From.IsZero() && c.To.IsZero() {
		return c, errors.New("give at least one of uuids, clientIp, apis, instances, from, to")
	}
	if !c.From.IsZero() && !c.To.IsZero() && !c.From.Before(c.To) {
		return c, errors.New("from must be before to")
	}
	if _, err := clientIPValid(c.ClientIP); err != nil {
		return c, err
	}
	return c, nil
}

func nonEmpty(vs []string) []string {
	var out []string
	for _, v := range vs {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

func readDeletion(w http.ResponseWriter, r *http.Request) (index.DeleteCriteria, bool) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxDeletionBody+1))
	if err != nil || len(body) > maxDeletionBody {
		writeError(w, http.StatusBadRequest, "request body missing or larger than 4 MiB")
		return index.DeleteCriteria{}, false
	}
	var req deletionRequest
	if err := json.Unmarshal(body, &req); err != nil {
		writeError(w, http.StatusBadRequest, "request body is not valid JSON: "+err.Error())
		return index.DeleteCriteria{}, false
	}
	c, err := req.criteria()
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return c, false
	}
	return c, true
}

func (d *Datasource) handleDeletionList(w http.ResponseWriter, _ *http.Request, _ *backend.User) {
	recs := d.store.Deletions()
	if recs == nil {
		recs = []index.DeletionRecord{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"deletions": recs})
}

func (d *Datasource) handleDeletionPreview(w http.ResponseWriter, r *http.Request, _ *backend.User) {
	c, ok := readDeletion(w, r)
	if !ok {
		return
	}
	d.refresh(r.Context())
	writeJSON(w, http.StatusOK, map[string]int{"count": d.store.CountMatching(c)})
}

func (d *Datasource) handleDelete(w http.ResponseWriter, r *http.Request, u *backend.User) {
	c, ok := readDeletion(w, r)
	if !ok {
		return
	}
	d.refresh(r.Context())
	c.Actor = u.Login
	res, err := d.store.Delete(c)
	switch {
	case errors.Is(err, index.ErrBadCriteria):
		writeError(w, http.StatusBadRequest, err.Error())
		return
	case err != nil:
		writeError(w, http.StatusInternalServerError, "the deletion could not be recorded: "+err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"deleted": res.Deleted, "record": res.Record})
}

// handlePurge rewrites the writable log files without the deleted records
// (collector.Purge): one result per file, {"files": [...]}. Files written to
// in the last minute are refused until they rotate (a firewall still holds
// them open).
func (d *Datasource) handlePurge(w http.ResponseWriter, r *http.Request, _ *backend.User) {
	if d.settingsErr != nil {
		writeError(w, http.StatusBadRequest, d.settingsErr.Error())
		return
	}
	d.refresh(r.Context())
	res := d.collector.Purge(r.Context(), collector.PurgeOptions{})
	if res == nil {
		res = []ingest.PurgeResult{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"files": res})
}

// clientIPValid checks an address or CIDR ("" is no criterion) with the
// matcher the deletion itself uses (model.ClientMatcher).
func clientIPValid(s string) (bool, error) {
	if s == "" {
		return false, nil
	}
	if _, err := model.ParseClientMatcher(s); err != nil {
		return false, fmt.Errorf("clientIp %q is not an address or CIDR", s)
	}
	return true, nil
}
