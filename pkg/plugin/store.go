package plugin

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/apifw/monitor/pkg/index"
	"github.com/apifw/monitor/pkg/model"
	"github.com/apifw/monitor/pkg/query"
	"github.com/apifw/monitor/pkg/ship"
	"github.com/apifw/monitor/pkg/vlogs"
)

// Store names (Settings.Store).
const (
	StoreEmbedded     = "embedded"
	StoreVictoriaLogs = "victorialogs"
)

// Stores are the values of Settings.Store.
var Stores = []string{StoreEmbedded, StoreVictoriaLogs}

// Secure settings (secureJsonData) of the VictoriaLogs store.
const (
	SecureVictoriaLogsPassword    = "victoriaLogsPassword"
	SecureVictoriaLogsBearerToken = "victoriaLogsBearerToken"
	SecureVictoriaLogsCACert      = "victoriaLogsCACert" // PEM
)

// SecureSettingsKeys are every secureJsonData key the data source reads
// (the config editor offers each: src/shared/contract.json).
var SecureSettingsKeys = []string{SecureVictoriaLogsPassword, SecureVictoriaLogsBearerToken, SecureVictoriaLogsCACert}

// VictoriaLogsConfig is where the VictoriaLogs cluster answers (store:
// victorialogs). The password, bearer token and CA certificate are secure
// settings: victoriaLogsPassword, victoriaLogsBearerToken, victoriaLogsCACert.
type VictoriaLogsConfig struct {
	URL           string `json:"url"` // the select node's base URL
	AccountID     string `json:"accountId,omitempty"`
	ProjectID     string `json:"projectId,omitempty"`
	Username      string `json:"username,omitempty"`
	TLSSkipVerify bool   `json:"tlsSkipVerify,omitempty"`
	TLSServerName string `json:"tlsServerName,omitempty"`
	// StorageNodes are the storage nodes' base URLs, for the health check
	// (optional: the cluster's answer already names a failing node).
	StorageNodes []string `json:"storageNodes,omitempty"`
}

// checkStore validates the store settings.
func (s *Settings) checkStore(errs *[]error) {
	s.Store = strings.ToLower(strings.TrimSpace(s.Store))
	switch s.Store {
	case "", StoreEmbedded:
		s.Store = StoreEmbedded
	case StoreVictoriaLogs:
		u, err := url.Parse(strings.TrimSpace(s.VictoriaLogs.URL))
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			*errs = append(*errs, fmt.Errorf("victoriaLogs.url %q is not an http(s) URL", s.VictoriaLogs.URL))
		}
		for _, id := range []string{s.VictoriaLogs.AccountID, s.VictoriaLogs.ProjectID} {
			if strings.Trim(id, "0123456789") != "" {
				*errs = append(*errs, fmt.Errorf("victoriaLogs tenant id %q is not a number", id))
			}
		}
	default:
		*errs = append(*errs, fmt.Errorf("store %q is not embedded or victorialogs", s.Store))
	}
}

// txEngine answers the transaction query types: the embedded engine or
// VictoriaLogs (the same results on the same data: pkg/vlogs' differential test).
type txEngine interface {
	Stats(ctx context.Context, q query.Query, tr query.TimeRange) (query.StatsResult, error)
	TopN(ctx context.Context, q query.Query, tr query.TimeRange) (query.TopNResult, error)
	Traffic(ctx context.Context, q query.Query, tr query.TimeRange) (query.TrafficResult, error)
	Transactions(ctx context.Context, q query.Query, tr query.TimeRange) (query.TransactionsResult, error)
	Instances(ctx context.Context, q query.Query, tr query.TimeRange) (query.InstancesResult, error)
}

// statsRow is the stats query's one row with the asked columns, from
// either store.
func statsRow(e txEngine, ctx context.Context, q query.Query, tr query.TimeRange) (query.Row, error) {
	return query.StatsRow(ctx, e, q, tr)
}

func (d *Datasource) txEngine() txEngine {
	if d.vl != nil {
		return d.vl
	}
	return d.engine()
}

// openVictoriaLogs sets up the VictoriaLogs backend when the settings ask
// for it (and are valid).
func (d *Datasource) openVictoriaLogs(secure map[string]string, stateDir string) {
	if d.settings.Store != StoreVictoriaLogs || d.settingsErr != nil {
		return
	}
	c := d.settings.VictoriaLogs
	tlsOpts := ship.TLSOptions{InsecureSkipVerify: c.TLSSkipVerify, ServerName: c.TLSServerName, CAPEM: secure[SecureVictoriaLogsCACert]}
	cl, err := tlsOpts.HTTPClient(d.settings.timeout() + 5*time.Second)
	if err != nil {
		d.settingsErr = err
		return
	}
	conn := &ship.Conn{URL: strings.TrimSpace(c.URL), AccountID: c.AccountID, ProjectID: c.ProjectID,
		Username: c.Username, Password: secure[SecureVictoriaLogsPassword], Bearer: secure[SecureVictoriaLogsBearerToken], Client: cl}
	var dels *vlogs.Deletions
	if stateDir != "" {
		if dels, err = vlogs.OpenDeletions(stateDir); err != nil {
			// Never answer without the deletion list: deleted rows would return.
			d.settingsErr = fmt.Errorf("deletion list: %w", err)
			return
		}
	} else {
		d.settingsErr = errors.New("the VictoriaLogs store needs a usable stateDir for its deletion list")
		return
	}
	d.vl = &vlogs.Backend{Conn: conn, Deletions: dels, Collections: d.resolveCollections, Geo: d.geoLookup(),
		Limits: query.Limits{MaxRows: d.settings.MaxRows, Timeout: d.settings.timeout()}}
}

// vlTrace finds one transaction in VictoriaLogs; the detail was masked by
// the shipper and is masked again with this data source's rules.
func (d *Datasource) vlTrace(ctx context.Context, uuid string) (query.TraceResult, *model.TransactionDetail, error) {
	res, det, err := d.vl.Trace(ctx, query.Query{QueryType: query.TypeTrace, UUID: uuid})
	if err != nil || det == nil {
		return res, nil, err
	}
	m := d.settings.masker.detail(*det)
	res.Detail = m
	return res, &m, nil
}

// vlHealth reports the cluster: the select node, a query through every
// storage node (VictoriaLogs fails it when one is down), each configured
// storage node, and the deletion list.
func (d *Datasource) vlHealth(ctx context.Context) *backend.CheckHealthResult {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	var problems, found []string
	c := d.vl.Conn
	if resp, err := c.Do(ctx, http.MethodGet, "/health", nil, ""); err != nil {
		problems = append(problems, "VictoriaLogs select node "+c.URL+": "+err.Error())
	} else {
		resp.Body.Close()
		found = append(found, "select node "+c.URL+" up")
	}
	since := time.Now().Add(-24 * time.Hour)
	var total, instances string
	err := c.Query(ctx, "* | stats count() n, count_uniq(instance) i", since, time.Time{}, func(r map[string]string) error {
		total, instances = r["n"], r["i"]
		return nil
	})
	if err != nil {
		problems = append(problems, "query through the cluster failed (a storage node down?): "+err.Error())
	} else {
		found = append(found, fmt.Sprintf("%s record(s) from %s instance(s) in the last 24 h", total, instances))
	}
	for _, n := range d.settings.VictoriaLogs.StorageNodes {
		sc := *c
		sc.URL = n
		if resp, err := sc.Do(ctx, http.MethodGet, "/health", nil, ""); err != nil {
			problems = append(problems, "storage node "+n+": "+err.Error())
		} else {
			resp.Body.Close()
			found = append(found, "storage node "+n+" up")
		}
	}
	found = append(found, fmt.Sprintf("%d deletion(s) applied", len(d.vl.Deletions.List())))
	switch { // the geo dimensions are resolved here, at query time, on this store too
	case d.geoErr != nil:
		problems = append(problems, d.geoErr.Error())
	case d.geo != nil:
		found = append(found, "geo database "+d.geo.Describe())
	}
	msg := "VictoriaLogs: " + strings.Join(found, ", ")
	if len(problems) > 0 {
		return &backend.CheckHealthResult{Status: backend.HealthStatusError, Message: strings.Join(problems, "; ") + ". " + msg + "."}
	}
	return &backend.CheckHealthResult{Status: backend.HealthStatusOk, Message: msg + "."}
}

func deletionOf(c index.DeleteCriteria) vlogs.Deletion {
	return vlogs.Deletion{UUIDs: c.UUIDs, ClientIP: c.ClientIP, APIs: c.APIs, Instances: c.Instances, From: c.From, To: c.To}
}

// vlCountMatching counts the stored records a deletion would cover.
func (d *Datasource) vlCountMatching(ctx context.Context, c index.DeleteCriteria) (int64, error) {
	f, err := deletionOf(c).Filter()
	if err != nil {
		return 0, err
	}
	if ex := d.vl.Deletions.Exclude(); ex != "" {
		f += " " + ex
	}
	var n int64
	err = d.vl.Conn.Query(ctx, f+" | stats count() n", time.Time{}, time.Time{}, func(r map[string]string) error {
		fmt.Sscan(r["n"], &n)
		return nil
	})
	return n, err
}

// vlDelete records a deletion in the persisted list (every query excludes
// it from then on) and starts VictoriaLogs' delete task.
func (d *Datasource) vlDelete(w http.ResponseWriter, r *http.Request, c index.DeleteCriteria, u *backend.User) {
	n, _ := d.vlCountMatching(r.Context(), c)
	del := deletionOf(c)
	del.By = u.Login
	rec, err := d.vl.Deletions.Add(r.Context(), d.vl.Conn, del)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "the deletion could not be recorded: "+err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"deleted": n, "record": rec})
}
