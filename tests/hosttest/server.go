// Package hosttest starts the plugin host (pkg/host) in the test process with
// this repository's dist/ and a provisioning directory, for the integration
// tests. The plugin's backend runs as its own process, as under Grafana.
package hosttest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/apifw/monitor/pkg/host/api"
	"github.com/apifw/monitor/pkg/host/rules"
)

// PluginIDs are the plugins this repository ships.
var PluginIDs = []string{"apifw-monitor-app", "apifw-monitor-datasource", "apifw-topn-panel", "apifw-trace-panel"}

// Options configure one host.
type Options struct {
	Dist         string   // the built plugin (dist/); required
	Provisioning string   // provisioning directory; required
	DataDir      string   // the plugins' GF_PATHS_DATA; default a new temp dir
	Env          []string // provisioning expansion and the plugin's environment
}

// Server is a running host.
type Server struct {
	URL     string
	LogFile string
	DataDir string
	Host    *api.Server

	http   *http.Server
	sched  *rules.Scheduler
	cancel context.CancelFunc
	log    *os.File
	once   sync.Once
}

// Start starts a host and waits until it answers /api/health.
func Start(opts Options) (*Server, error) {
	if opts.DataDir == "" {
		d, err := os.MkdirTemp("", "apifw-host-")
		if err != nil {
			return nil, err
		}
		opts.DataDir = d
	}
	logFile := filepath.Join(opts.DataDir, "host.log")
	lf, err := os.Create(logFile)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		lf.Close()
		return nil, err
	}
	url := "http://" + ln.Addr().String()
	host, err := api.New(api.Options{Dist: opts.Dist, Provisioning: opts.Provisioning, DataDir: opts.DataDir,
		Env: opts.Env, AppURL: url + "/", Log: lf})
	if err != nil {
		ln.Close()
		lf.Close()
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	sched, err := rules.Start(ctx, host, filepath.Join(opts.Provisioning, "alerting"))
	if err != nil {
		cancel()
		host.Close()
		ln.Close()
		lf.Close()
		return nil, err
	}
	s := &Server{URL: url, LogFile: logFile, DataDir: opts.DataDir, Host: host, sched: sched, cancel: cancel, log: lf,
		http: &http.Server{Handler: host.Handler(), ReadHeaderTimeout: 10 * time.Second}}
	go func() { _ = s.http.Serve(ln) }()
	return s, nil
}

// Stop ends the host and its plugin processes.
func (s *Server) Stop() {
	s.once.Do(func() {
		s.cancel()
		s.sched.Stop()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = s.http.Shutdown(ctx)
		s.Host.Close()
		s.log.Close()
	})
}

// LogTail returns the last n lines of the host's log (the plugin's output).
func (s *Server) LogTail(n int) string {
	b, _ := os.ReadFile(s.LogFile)
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// Do sends an API request as the admin user and decodes a JSON answer into
// out (when out is not nil). A non-2xx status is an error carrying the body.
func (s *Server) Do(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, s.URL+path, rd)
	if err != nil {
		return err
	}
	req.SetBasicAuth("admin", "admin")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return &HTTPError{Status: resp.StatusCode, Body: string(b)}
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

// HTTPError is a non-2xx answer.
type HTTPError struct {
	Status int
	Body   string
}

func (e *HTTPError) Error() string { return fmt.Sprintf("HTTP %d: %.500s", e.Status, e.Body) }

// IsStatus says whether err is an HTTPError with that status.
func IsStatus(err error, status int) bool {
	var h *HTTPError
	return errors.As(err, &h) && h.Status == status
}
