// Package rules connects the alert rule engine (pkg/host/alerting) to the
// host's HTTP API (pkg/host/api): it loads the provisioned rule files, runs
// the scheduler over the host's data sources and mounts Grafana's alerting
// routes.
package rules

import (
	"context"
	"fmt"
	"os"

	"github.com/apifw/monitor/pkg/host/alerting"
	"github.com/apifw/monitor/pkg/host/api"
)

// Scheduler is the running rule evaluation.
type Scheduler struct {
	*alerting.Scheduler
	cancel context.CancelFunc
	done   chan struct{}
}

// Start loads the rule files of dir, mounts the alerting routes on srv
// (call it before srv.Handler) and evaluates the rules until ctx ends or
// Stop.
func Start(ctx context.Context, srv *api.Server, dir string) (*Scheduler, error) {
	var groups []alerting.Group
	var err error
	if _, statErr := os.Stat(dir); statErr == nil { // no alerting folder: no rules, as in Grafana
		groups, err = alerting.LoadDir(dir)
	}
	if err != nil {
		return nil, fmt.Errorf("alert rules: %w", err)
	}
	sched := alerting.NewScheduler(groups, srv.QueryDataSource)
	mount(srv, sched)
	ctx, cancel := context.WithCancel(ctx)
	s := &Scheduler{Scheduler: sched, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		sched.Run(ctx)
	}()
	return s, nil
}

// Stop ends the evaluation.
func (s *Scheduler) Stop() {
	s.cancel()
	<-s.done
}
