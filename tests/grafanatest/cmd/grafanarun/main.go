// Command grafanarun starts a Grafana server with this repository's plugin and
// a provisioning directory, prints where it listens, and runs until it gets
// SIGINT or SIGTERM. `npm start` (without Docker) and the browser tests use it.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/apifw/monitor/tests/grafanatest"
)

func main() {
	var opts grafanatest.Options
	readyFile := flag.String("ready-file", "", "write the server URL to this file once it answers")
	flag.StringVar(&opts.GrafanaDir, "grafana-dir", os.Getenv("APIFW_GRAFANA_DIR"), "directory with bin/grafana and home/ (scripts/build-grafana.sh)")
	flag.StringVar(&opts.Bin, "bin", "", "Grafana server binary (overrides -grafana-dir)")
	flag.StringVar(&opts.Home, "home", "", "Grafana home path (overrides -grafana-dir)")
	flag.StringVar(&opts.Dist, "dist", "dist", "built plugin directory")
	flag.StringVar(&opts.Provisioning, "provisioning", "provisioning", "provisioning directory")
	flag.StringVar(&opts.DataDir, "data", "", "Grafana data directory (default: a new temporary one)")
	flag.IntVar(&opts.Port, "port", 0, "HTTP port (default: a free one)")
	flag.Parse()

	s, err := grafanatest.Start(opts)
	if err != nil {
		fmt.Fprintln(os.Stderr, "grafanarun:", err)
		os.Exit(1)
	}
	if *readyFile != "" {
		if err := os.WriteFile(*readyFile, []byte(s.URL), 0o644); err != nil {
			s.Stop()
			fmt.Fprintln(os.Stderr, "grafanarun:", err)
			os.Exit(1)
		}
	}
	fmt.Printf("Grafana is running at %s (login admin / admin); log: %s\n", s.URL, s.LogFile)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	<-sig
	s.Stop()
}
