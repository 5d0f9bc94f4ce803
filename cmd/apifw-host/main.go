// Command apifw-host runs the built plugin (dist/) on the plugin host: the
// backend binary over Grafana's plugin protocol, Grafana's HTTP API subset,
// provisioning and alert rule evaluation (pkg/host). It is what the
// integration and browser tests talk to, and what `npm start` serves when
// there is neither a Grafana installation nor Docker. It is not Grafana.
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/apifw/monitor/pkg/host/api"
	"github.com/apifw/monitor/pkg/host/rules"
)

func main() {
	var (
		dist      = flag.String("dist", "dist", "the built plugin")
		prov      = flag.String("provisioning", "provisioning", "Grafana provisioning directory")
		data      = flag.String("data", "", "data directory (GF_PATHS_DATA of the plugins); default a new temporary one")
		addr      = flag.String("addr", "127.0.0.1", "address to listen on")
		port      = flag.Int("port", 3000, "port; 0 picks a free one")
		readyFile = flag.String("ready-file", "", "write the URL here once serving")
		web       = flag.String("web", "", "built host page (main.js, main.css) to serve at /")
		icons     = flag.String("icons", "", "comma-separated icon folders to serve at /public/build/img/icons/ (first match wins)")
		anonymous = flag.String("anonymous-role", "", "org role of requests without credentials (Viewer, Editor, Admin); empty: basic auth required")
		version   = flag.String("grafana-version", "13.2.2", "the Grafana version the host reports")
		logFile   = flag.String("log", "", "the plugins' log output (default: <data>/host.log)")
	)
	flag.Parse()
	if err := run(*dist, *prov, *data, *addr, *port, *readyFile, *web, *icons, *anonymous, *version, *logFile); err != nil {
		fmt.Fprintln(os.Stderr, "apifw-host:", err)
		os.Exit(1)
	}
}

func run(dist, prov, data, addr string, port int, readyFile, web, icons, anonymous, version, logFile string) error {
	if data == "" {
		d, err := os.MkdirTemp("", "apifw-host-")
		if err != nil {
			return err
		}
		data = d
	}
	if err := os.MkdirAll(data, 0o700); err != nil {
		return err
	}
	if logFile == "" {
		logFile = filepath.Join(data, "host.log")
	}
	logOut, err := os.OpenFile(logFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	defer logOut.Close()
	ln, err := net.Listen("tcp", net.JoinHostPort(addr, fmt.Sprint(port)))
	if err != nil {
		return err
	}
	url := fmt.Sprintf("http://%s/", ln.Addr().String())
	srv, err := api.New(api.Options{
		Dist: dist, Provisioning: prov, DataDir: data, AppURL: url, GrafanaVersion: version,
		AnonymousRole: anonymous, Web: web, Icons: splitList(icons), Log: logOut,
	})
	if err != nil {
		ln.Close()
		return err
	}
	defer srv.Close()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	sched, err := rules.Start(ctx, srv, filepath.Join(prov, "alerting"))
	if err != nil {
		ln.Close()
		return err
	}
	defer sched.Stop()

	httpSrv := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- httpSrv.Serve(ln) }()
	fmt.Fprintf(os.Stderr, "apifw-host: serving %s (plugin host, not Grafana; data %s, plugin log %s)\n", url, data, logFile)
	if readyFile != "" {
		if err := os.WriteFile(readyFile, []byte(url[:len(url)-1]+"\n"), 0o644); err != nil {
			return err
		}
	}
	select {
	case <-ctx.Done():
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return httpSrv.Shutdown(shutdown)
	case err := <-errc:
		return err
	}
}

// splitList splits a comma-separated flag, dropping empty entries.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
