package rules

import (
	"github.com/apifw/monitor/pkg/host/alerting"
	"github.com/apifw/monitor/pkg/host/api"
)

// mount adds Grafana's alerting routes (filled in when the engine's HTTP
// answers land).
func mount(srv *api.Server, sched *alerting.Scheduler) {}
