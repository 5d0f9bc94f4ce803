// Package plugin is the Grafana glue: instance settings, QueryData,
// CheckHealth and resources. It turns query results into data frames and
// holds no data logic of its own.
package plugin

import (
	"context"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/instancemgmt"

	"github.com/apifw/monitor/pkg/collector"
	"github.com/apifw/monitor/pkg/index"
	"github.com/apifw/monitor/pkg/ingest"
	"github.com/apifw/monitor/pkg/reports"
)

// PluginID is the data source plugin's id.
const PluginID = "apifw-monitor-datasource"

var (
	_ backend.QueryDataHandler      = (*Datasource)(nil)
	_ backend.CheckHealthHandler    = (*Datasource)(nil)
	_ instancemgmt.InstanceDisposer = (*Datasource)(nil)
)

// Datasource is one configured data source instance.
type Datasource struct {
	settings    Settings
	settingsErr error
	store       *index.Store
	collector   *collector.Collector
	reports     *reports.Store // audit, scan and SQG reports (reports.go)
}

// NewDatasource builds an instance from its settings. Invalid settings do not
// fail the instance: the health check and every query report them instead.
func NewDatasource(_ context.Context, s backend.DataSourceInstanceSettings) (instancemgmt.Instance, error) {
	cfg, err := parseSettings(s.JSONData)
	store := index.NewStore()
	return &Datasource{
		settings:    cfg,
		settingsErr: err,
		store:       store,
		collector: collector.New(collector.Config{
			LogRoots: cfg.LogRoots,
			Parse:    ingest.ParseOptions{EpochUnit: ingest.EpochUnit(cfg.DateEpochUnit)},
		}, store),
		reports: newReportStore(cfg),
	}, nil
}

// Dispose is called when the settings change and a new instance replaces this one.
func (d *Datasource) Dispose() {}
