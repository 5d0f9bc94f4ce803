// Package grafanatest starts a real Grafana server (built from Grafana's Go
// modules by scripts/build-grafana.sh) with this repository's dist/ and a
// provisioning directory, for integration tests, browser tests and the
// no-Docker `npm start`.
package grafanatest

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
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// PluginIDs are the plugins this repository ships; all are unsigned in development.
var PluginIDs = []string{"apifw-monitor-app", "apifw-monitor-datasource", "apifw-topn-panel", "apifw-trace-panel"}

// Options configure one server.
type Options struct {
	GrafanaDir   string // holds bin/grafana and home/; default $APIFW_GRAFANA_DIR
	Bin          string // the server binary; default <GrafanaDir>/bin/grafana
	Home         string // Grafana's home (conf/, public/); default <GrafanaDir>/home
	Dist         string // the built plugin (dist/); required
	Provisioning string // provisioning directory; required
	DataDir      string // Grafana's data (sqlite, logs); default a new temp dir
	Port         int    // default a free port
	Env          []string
	StartTimeout time.Duration
}

// Server is a running Grafana.
type Server struct {
	URL     string
	LogFile string
	DataDir string
	cmd     *exec.Cmd
	done    chan error
}

// Start launches Grafana and waits for /api/health to answer.
func Start(opts Options) (*Server, error) {
	if opts.GrafanaDir == "" {
		opts.GrafanaDir = os.Getenv("APIFW_GRAFANA_DIR")
	}
	bin, home := opts.Bin, opts.Home
	if bin == "" {
		bin = filepath.Join(opts.GrafanaDir, "bin", "grafana")
	}
	if home == "" {
		home = filepath.Join(opts.GrafanaDir, "home")
	}
	if _, err := os.Stat(bin); err != nil {
		return nil, fmt.Errorf("no Grafana server at %s (run scripts/build-grafana.sh and set APIFW_GRAFANA_DIR): %w", bin, err)
	}
	for _, p := range []*string{&opts.Dist, &opts.Provisioning} {
		abs, err := filepath.Abs(*p)
		if err != nil {
			return nil, err
		}
		*p = abs
	}
	if _, err := os.Stat(filepath.Join(opts.Dist, "plugin.json")); err != nil {
		return nil, fmt.Errorf("dist %s has no plugin.json: build the plugin first", opts.Dist)
	}
	if opts.DataDir == "" {
		d, err := os.MkdirTemp("", "apifw-grafana-")
		if err != nil {
			return nil, err
		}
		opts.DataDir = d
	}
	if opts.Port == 0 {
		p, err := FreePort()
		if err != nil {
			return nil, err
		}
		opts.Port = p
	}
	if opts.StartTimeout == 0 {
		opts.StartTimeout = 90 * time.Second
	}
	// Grafana finds plugins by walking its plugins directory: link our dist there.
	pluginsDir := filepath.Join(opts.DataDir, "plugins")
	if err := os.MkdirAll(pluginsDir, 0o755); err != nil {
		return nil, err
	}
	link := filepath.Join(pluginsDir, "apifw-monitor-app")
	_ = os.Remove(link)
	if err := os.Symlink(opts.Dist, link); err != nil {
		return nil, err
	}
	logFile := filepath.Join(opts.DataDir, "grafana.log")
	lf, err := os.Create(logFile)
	if err != nil {
		return nil, err
	}
	args := []string{"server", "--homepath", home}
	if filepath.Base(bin) == "grafana-server" { // older installs ship the server as its own binary
		args = args[1:]
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(append(os.Environ(), serverEnv(opts, pluginsDir)...), opts.Env...)
	cmd.Stdout, cmd.Stderr = lf, lf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // stop the plugin processes with it
	if err := cmd.Start(); err != nil {
		lf.Close()
		return nil, err
	}
	s := &Server{URL: fmt.Sprintf("http://127.0.0.1:%d", opts.Port), LogFile: logFile, DataDir: opts.DataDir, cmd: cmd, done: make(chan error, 1)}
	go func() { s.done <- cmd.Wait(); lf.Close() }()
	if err := s.waitHealthy(opts.StartTimeout); err != nil {
		s.Stop()
		return nil, fmt.Errorf("%w\n--- last lines of %s ---\n%s", err, logFile, s.LogTail(40))
	}
	return s, nil
}

// serverEnv is the configuration: loopback only, our unsigned plugins
// allowed, and nothing that reaches the internet.
func serverEnv(opts Options, pluginsDir string) []string {
	return []string{
		"GF_PATHS_DATA=" + opts.DataDir,
		"GF_PATHS_LOGS=" + filepath.Join(opts.DataDir, "log"),
		"GF_PATHS_PLUGINS=" + pluginsDir,
		"GF_PATHS_PROVISIONING=" + opts.Provisioning,
		"GF_SERVER_HTTP_ADDR=127.0.0.1",
		fmt.Sprintf("GF_SERVER_HTTP_PORT=%d", opts.Port),
		"GF_SECURITY_ADMIN_USER=admin",
		"GF_SECURITY_ADMIN_PASSWORD=admin",
		"GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS=" + strings.Join(PluginIDs, ","),
		"GF_PLUGINS_PUBLIC_KEY_RETRIEVAL_DISABLED=true",
		"GF_PLUGINS_PLUGIN_ADMIN_ENABLED=false",
		"GF_PLUGINS_CHECK_FOR_PLUGIN_UPDATES=false",
		"GF_PLUGINS_PREINSTALL_DISABLED=true",
		"GF_ANALYTICS_REPORTING_ENABLED=false",
		"GF_ANALYTICS_CHECK_FOR_UPDATES=false",
		"GF_ANALYTICS_CHECK_FOR_PLUGIN_UPDATES=false",
		"GF_NEWS_NEWS_FEED_ENABLED=false",
		"GF_LOG_MODE=console",
		"GF_LOG_LEVEL=info",
		"GF_USERS_DEFAULT_THEME=dark",
	}
}

// FreePort asks the kernel for an unused loopback port.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func (s *Server) waitHealthy(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		select {
		case err := <-s.done:
			s.done <- err
			return fmt.Errorf("grafana exited before it was ready: %v", err)
		default:
		}
		resp, err := http.Get(s.URL + "/api/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(250 * time.Millisecond)
	}
	return fmt.Errorf("grafana did not answer /api/health within %s", timeout)
}

// Stop ends Grafana and its plugin processes.
func (s *Server) Stop() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(15 * time.Second):
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		<-s.done
	}
	s.cmd = nil
}

// LogTail returns the last n lines of the server's log.
func (s *Server) LogTail(n int) string {
	b, _ := os.ReadFile(s.LogFile)
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// Do sends an API request as the admin user and decodes a JSON answer into out
// (when out is not nil). A non-2xx status is an error carrying the body.
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
