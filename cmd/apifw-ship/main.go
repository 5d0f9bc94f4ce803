// Command apifw-ship runs next to the API firewalls (one per host: systemd,
// a Kubernetes sidecar or DaemonSet). It tails their transaction logs (FILES
// layout and captured STDOUT) exactly once, strips bodies, masks secret
// headers with the data source's rules, and ships the records to
// VictoriaLogs. See docs/scale-out.md.
//
// Configuration, lowest precedence first: a JSON file (-config), the
// environment (APIFW_SHIP_*), flags.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/apifw/monitor/pkg/ship"
)

// fileConfig is the JSON file: ship.Config plus durations as text.
type fileConfig struct {
	ship.Config
	PollInterval string `json:"pollInterval,omitempty"`
	ResendAfter  string `json:"resendAfter,omitempty"`
	MetricsAddr  string `json:"metricsAddr,omitempty"`
}

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "apifw-ship:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("apifw-ship", flag.ContinueOnError)
	var (
		cfgFile   = fs.String("config", os.Getenv("APIFW_SHIP_CONFIG"), "JSON configuration file (env APIFW_SHIP_CONFIG)")
		roots     = fs.String("roots", "", "comma-separated log roots (env APIFW_SHIP_ROOTS)")
		spool     = fs.String("spool", "", "spool directory: buffered batches and the tailer's checkpoint (env APIFW_SHIP_SPOOL)")
		insertURL = fs.String("insert-url", "", "VictoriaLogs insert node base URL (env APIFW_SHIP_INSERT_URL)")
		selectURL = fs.String("select-url", "", "VictoriaLogs select node base URL, to confirm batches (default: insert URL; env APIFW_SHIP_SELECT_URL)")
		account   = fs.String("account-id", "", "tenant AccountID (env APIFW_SHIP_ACCOUNT_ID)")
		project   = fs.String("project-id", "", "tenant ProjectID (env APIFW_SHIP_PROJECT_ID)")
		user      = fs.String("username", "", "basic-auth user (env APIFW_SHIP_USERNAME; password in APIFW_SHIP_PASSWORD)")
		caFile    = fs.String("tls-ca", "", "CA certificate file (env APIFW_SHIP_TLS_CA)")
		skipTLS   = fs.Bool("tls-skip-verify", false, "do not verify the server certificate (tests only)")
		masked    = fs.String("masked-headers", "", "extra header names/globs to mask, comma-separated (env APIFW_SHIP_MASKED_HEADERS)")
		id        = fs.String("id", "", "shipper id in batch ids (default host name; env APIFW_SHIP_ID)")
		maxBuf    = fs.Int64("max-buffer-bytes", 0, "spool bound; oldest batches are dropped (and counted) beyond it (default 1 GiB)")
		poll      = fs.Duration("poll", 0, "poll interval (default 1s)")
		metrics   = fs.String("metrics-addr", "", "serve /metrics and /health here, e.g. 127.0.0.1:9477 (env APIFW_SHIP_METRICS_ADDR)")
	)
	if err := fs.Parse(args); err != nil {
		return err
	}
	var fc fileConfig
	if *cfgFile != "" {
		b, err := os.ReadFile(*cfgFile)
		if err != nil {
			return err
		}
		if err := json.Unmarshal(b, &fc); err != nil {
			return fmt.Errorf("%s: %w", *cfgFile, err)
		}
	}
	c := &fc.Config
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	str := func(dst *string, flagName, env string, v string) {
		if e := os.Getenv(env); e != "" {
			*dst = e
		}
		if set[flagName] {
			*dst = v
		}
	}
	list := func(dst *[]string, flagName, env, v string) {
		var s string
		str(&s, flagName, env, v)
		if s != "" {
			*dst = strings.Split(s, ",")
		}
	}
	list(&c.Roots, "roots", "APIFW_SHIP_ROOTS", *roots)
	str(&c.SpoolDir, "spool", "APIFW_SHIP_SPOOL", *spool)
	str(&c.InsertURL, "insert-url", "APIFW_SHIP_INSERT_URL", *insertURL)
	str(&c.SelectURL, "select-url", "APIFW_SHIP_SELECT_URL", *selectURL)
	str(&c.AccountID, "account-id", "APIFW_SHIP_ACCOUNT_ID", *account)
	str(&c.ProjectID, "project-id", "APIFW_SHIP_PROJECT_ID", *project)
	str(&c.Username, "username", "APIFW_SHIP_USERNAME", *user)
	str(&c.TLS.CAFile, "tls-ca", "APIFW_SHIP_TLS_CA", *caFile)
	str(&c.ID, "id", "APIFW_SHIP_ID", *id)
	list(&c.MaskedHeaders, "masked-headers", "APIFW_SHIP_MASKED_HEADERS", *masked)
	str(&fc.MetricsAddr, "metrics-addr", "APIFW_SHIP_METRICS_ADDR", *metrics)
	if p := os.Getenv("APIFW_SHIP_PASSWORD"); p != "" {
		c.Password = p
	}
	if b := os.Getenv("APIFW_SHIP_BEARER_TOKEN"); b != "" {
		c.Bearer = b
	}
	if set["tls-skip-verify"] {
		c.TLS.InsecureSkipVerify = *skipTLS
	}
	if e := os.Getenv("APIFW_SHIP_MAX_BUFFER_BYTES"); e != "" {
		n, err := strconv.ParseInt(e, 10, 64)
		if err != nil {
			return fmt.Errorf("APIFW_SHIP_MAX_BUFFER_BYTES: %w", err)
		}
		c.MaxBufferBytes = n
	}
	if set["max-buffer-bytes"] {
		c.MaxBufferBytes = *maxBuf
	}
	for _, d := range []struct {
		text string
		dst  *time.Duration
	}{{fc.PollInterval, &c.PollInterval}, {fc.ResendAfter, &c.ResendAfter}} {
		if d.text != "" {
			v, err := time.ParseDuration(d.text)
			if err != nil {
				return err
			}
			*d.dst = v
		}
	}
	if set["poll"] {
		c.PollInterval = *poll
	}
	s, err := ship.New(*c)
	if err != nil {
		return err
	}
	if fc.MetricsAddr != "" {
		srv := &http.Server{Addr: fc.MetricsAddr, Handler: s, ReadHeaderTimeout: 5 * time.Second}
		go func() {
			if err := srv.ListenAndServe(); err != nil && err != http.ErrServerClosed {
				log.Printf("apifw-ship: metrics: %v", err)
			}
		}()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log.Printf("apifw-ship: shipping %v to %s (spool %s)", c.Roots, c.InsertURL, c.SpoolDir)
	return s.Run(ctx)
}
