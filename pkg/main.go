// Command gpx_apifw_monitor is the backend of the apifw-monitor-datasource plugin.
package main

import (
	"os"

	"github.com/grafana/grafana-plugin-sdk-go/backend/datasource"
	"github.com/grafana/grafana-plugin-sdk-go/backend/log"

	"github.com/apifw/monitor/pkg/plugin"
)

func main() {
	// Manage blocks until Grafana stops the plugin process; it creates one
	// Datasource per configured data source (and per settings change).
	if err := datasource.Manage(plugin.PluginID, plugin.NewDatasource, datasource.ManageOpts{}); err != nil {
		log.DefaultLogger.Error(err.Error())
		os.Exit(1)
	}
}
