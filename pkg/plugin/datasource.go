// Package plugin is the Grafana glue: instance settings, QueryData,
// CheckHealth and resources. It turns query results into data frames and
// holds no data logic of its own.
package plugin

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/instancemgmt"

	"github.com/apifw/monitor/pkg/collector"
	"github.com/apifw/monitor/pkg/geo"
	"github.com/apifw/monitor/pkg/index"
	"github.com/apifw/monitor/pkg/query"
	"github.com/apifw/monitor/pkg/reports"
	"github.com/apifw/monitor/pkg/vlogs"
)

// PluginID is the data source plugin's id.
const PluginID = "apifw-monitor-datasource"

// pollInterval is how often the collector looks at the files on its own, so
// records are queryable within two seconds without any query.
const pollInterval = time.Second

var (
	_ backend.QueryDataHandler      = (*Datasource)(nil)
	_ backend.CheckHealthHandler    = (*Datasource)(nil)
	_ backend.CallResourceHandler   = (*Datasource)(nil)
	_ instancemgmt.InstanceDisposer = (*Datasource)(nil)
)

// Datasource is one configured data source instance.
type Datasource struct {
	settings    Settings
	settingsErr error
	stateErr    error // the state directory cannot be used: deletions and file state stay in memory
	store       *index.Store
	collector   *collector.Collector
	reports     *reports.Store // audit, scan and SQG reports (reports.go)
	geo         *geo.DB        // client geography (geoDatabase); nil when not set or not readable
	geoErr      error          // why geoDatabase could not be opened
	slots       chan struct{}  // bounds concurrent queries (maxConcurrentQueries)
	resources   backend.CallResourceHandler
	vl          *vlogs.Backend // store: victorialogs (store.go); nil: the embedded store
}

// NewDatasource builds an instance from its settings. Invalid settings do not
// fail the instance: the health check and every query report them instead.
func NewDatasource(_ context.Context, s backend.DataSourceInstanceSettings) (instancemgmt.Instance, error) {
	cfg, err := parseSettings(s.JSONData, s.UID)
	d := &Datasource{settings: cfg, settingsErr: err, slots: make(chan struct{}, cfg.MaxConcurrentQueries)}
	stateDir := cfg.StateDir
	if mkErr := os.MkdirAll(stateDir, 0o700); mkErr != nil {
		d.stateErr = fmt.Errorf("state directory %s cannot be created (deletions are kept in memory only): %w", stateDir, mkErr)
		stateDir = ""
	}
	d.store = index.NewStore(index.Options{StateDir: stateDir})
	if lerr := d.store.LoadError(); lerr != nil && d.stateErr == nil {
		d.stateErr = lerr
	}
	d.collector = collector.New(collector.Config{
		LogRoots: cfg.LogRoots,
		Parse:    cfg.ingestOptions(),
		StateDir: stateDir,
		// The VictoriaLogs store leaves the embedded index empty: nothing
		// to restore into it or to save.
		NoSnapshot: cfg.Store == StoreVictoriaLogs,
	}, d.store)
	if err == nil && cfg.GeoDatabase != "" { // before the stores: both resolve geography with it
		d.geo, d.geoErr = geo.Open(cfg.GeoDatabase)
	}
	d.openVictoriaLogs(s.DecryptedSecureJSONData, stateDir)
	d.reports = newReportStore(cfg)
	d.resources = d.resourceHandler()
	if err == nil && len(cfg.LogRoots) > 0 && d.vl == nil {
		d.collector.Start(pollInterval)
	}
	return d, nil
}

// Dispose is called when the settings change and a new instance replaces
// this one: it stops polling and saves the file state and the index
// snapshot (collector.Close).
func (d *Datasource) Dispose() {
	_ = d.collector.Close()
	if d.geo != nil {
		_ = d.geo.Close()
	}
}

// geoLookup is the geo database for the engine and the filters; a nil
// interface (not a nil *geo.DB) when there is none.
func (d *Datasource) geoLookup() query.GeoLookup {
	if d.geo == nil {
		return nil
	}
	return d.geo
}
