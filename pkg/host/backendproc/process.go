// Package backendproc runs a backend plugin binary the way Grafana does: a
// hashicorp/go-plugin client with the plugin SDK's handshake, gRPC only,
// protocol version 2 with the diagnostics, resource, data and stream plugin
// set (Grafana: pkg/plugins/backendplugin/grpcplugin/client.go and
// client_v2.go), the environment Grafana gives plugins
// (pkg/plugins/envvars/envvars.go), and a restart when the process dies
// (pkg/plugins/manager/process/process.go: checked every second).
package backendproc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/grpcplugin"
	"github.com/grafana/grafana-plugin-sdk-go/genproto/pluginv2"
	"github.com/hashicorp/go-hclog"
	goplugin "github.com/hashicorp/go-plugin"
)

// handshake is the SDK's (grpcplugin.handshake is unexported; Grafana builds
// the same one from the exported constants in grpcplugin/client.go).
var handshake = goplugin.HandshakeConfig{
	ProtocolVersion:  grpcplugin.ProtocolVersion,
	MagicCookieKey:   grpcplugin.MagicCookieKey,
	MagicCookieValue: grpcplugin.MagicCookieValue,
}

// pluginSet is Grafana's protocol-v2 set (client.go, pluginSet).
func pluginSet() map[int]goplugin.PluginSet {
	return map[int]goplugin.PluginSet{
		grpcplugin.ProtocolVersion: {
			"diagnostics": &grpcplugin.DiagnosticsGRPCPlugin{},
			"resource":    &grpcplugin.ResourceGRPCPlugin{},
			"data":        &grpcplugin.DataGRPCPlugin{},
			"stream":      &grpcplugin.StreamGRPCPlugin{},
		},
	}
}

// Options describe one backend plugin.
type Options struct {
	PluginID   string
	Executable string   // absolute path of the binary
	Env        []string // the whole environment of the process
	Log        io.Writer
	// RestartEvery is how often a dead process is looked for (Grafana: 1 s).
	RestartEvery time.Duration
}

// Process is a running backend plugin with its gRPC clients; it is started
// again when it dies.
type Process struct {
	opts Options
	log  hclog.Logger

	mu          sync.RWMutex
	client      *goplugin.Client
	data        grpcplugin.DataClient
	diagnostics grpcplugin.DiagnosticsClient
	resource    grpcplugin.ResourceClient
	restarts    int

	stop chan struct{}
	done chan struct{}
}

// Start launches the plugin and keeps it alive until Stop.
func Start(opts Options) (*Process, error) {
	if opts.RestartEvery == 0 {
		opts.RestartEvery = time.Second
	}
	if opts.Log == nil {
		opts.Log = os.Stderr
	}
	if _, err := os.Stat(opts.Executable); err != nil {
		return nil, fmt.Errorf("plugin %s: no backend executable: %w", opts.PluginID, err)
	}
	p := &Process{
		opts: opts,
		log: hclog.New(&hclog.LoggerOptions{
			Name: "plugin." + opts.PluginID, Output: opts.Log, Level: hclog.Info,
		}),
		stop: make(chan struct{}),
		done: make(chan struct{}),
	}
	if err := p.launch(); err != nil {
		return nil, err
	}
	go p.keepAlive()
	return p, nil
}

func (p *Process) launch() error {
	cmd := exec.Command(p.opts.Executable) // #nosec G204 -- the path comes from plugin.json in dist/
	cmd.Env = p.opts.Env
	client := goplugin.NewClient(&goplugin.ClientConfig{
		Cmd:              cmd,
		HandshakeConfig:  handshake,
		VersionedPlugins: pluginSet(),
		AllowedProtocols: []goplugin.Protocol{goplugin.ProtocolGRPC},
		Logger:           p.log,
		// Grafana passes the host environment itself (envvars.go), not
		// through go-plugin.
		SkipHostEnv: true,
	})
	rpc, err := client.Client()
	if err != nil {
		client.Kill()
		return fmt.Errorf("plugin %s: start: %w", p.opts.PluginID, err)
	}
	dispense := func(name string) (any, error) {
		raw, err := rpc.Dispense(name)
		if err != nil {
			return nil, fmt.Errorf("plugin %s: %s: %w", p.opts.PluginID, name, err)
		}
		return raw, nil
	}
	data, err1 := dispense("data")
	diag, err2 := dispense("diagnostics")
	res, err3 := dispense("resource")
	if err := errors.Join(err1, err2, err3); err != nil {
		client.Kill()
		return err
	}
	p.mu.Lock()
	p.client = client
	p.data = data.(grpcplugin.DataClient)
	p.diagnostics = diag.(grpcplugin.DiagnosticsClient)
	p.resource = res.(grpcplugin.ResourceClient)
	p.mu.Unlock()
	return nil
}

// keepAlive restarts the plugin when its process has exited, as Grafana's
// process manager does.
func (p *Process) keepAlive() {
	defer close(p.done)
	t := time.NewTicker(p.opts.RestartEvery)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
		}
		p.mu.RLock()
		exited := p.client.Exited()
		p.mu.RUnlock()
		if !exited {
			continue
		}
		p.log.Warn("plugin process exited, restarting")
		if err := p.launch(); err != nil {
			p.log.Error("restart failed", "error", err)
			continue
		}
		p.mu.Lock()
		p.restarts++
		p.mu.Unlock()
	}
}

// Restarts counts the restarts after a crash.
func (p *Process) Restarts() int {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.restarts
}

// Stop ends the plugin process (go-plugin asks it to exit, then kills it).
func (p *Process) Stop() {
	select {
	case <-p.stop:
		return
	default:
	}
	close(p.stop)
	<-p.done
	p.mu.Lock()
	defer p.mu.Unlock()
	p.client.Kill()
}

func (p *Process) clients() (grpcplugin.DataClient, grpcplugin.DiagnosticsClient, grpcplugin.ResourceClient, error) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.client.Exited() {
		// Grafana answers "plugin unavailable" while the process is down
		// (pkg/plugins/backendplugin/errors.go, ErrPluginUnavailable).
		return nil, nil, nil, ErrPluginUnavailable
	}
	return p.data, p.diagnostics, p.resource, nil
}

// ErrPluginUnavailable is returned while the process is down.
var ErrPluginUnavailable = errors.New("plugin unavailable")

// QueryData sends a query request over gRPC, converted with the SDK's own
// protobuf conversion.
func (p *Process) QueryData(ctx context.Context, req *backend.QueryDataRequest) (*backend.QueryDataResponse, error) {
	data, _, _, err := p.clients()
	if err != nil {
		return nil, err
	}
	resp, err := data.QueryData(ctx, backend.ToProto().QueryDataRequest(req))
	if err != nil {
		return nil, unavailable(err)
	}
	return backend.FromProto().QueryDataResponse(resp)
}

// CheckHealth asks the plugin for its health.
func (p *Process) CheckHealth(ctx context.Context, req *backend.CheckHealthRequest) (*backend.CheckHealthResult, error) {
	_, diag, _, err := p.clients()
	if err != nil {
		return nil, err
	}
	resp, err := diag.CheckHealth(ctx, &pluginv2.CheckHealthRequest{
		PluginContext: backend.ToProto().PluginContext(req.PluginContext),
		Headers:       req.Headers,
	})
	if err != nil {
		return nil, unavailable(err)
	}
	return backend.FromProto().CheckHealthResponse(resp), nil
}

// CallResource streams a resource call's answer to send, the first message
// carrying the status and headers.
func (p *Process) CallResource(ctx context.Context, req *backend.CallResourceRequest, send func(*backend.CallResourceResponse) error) error {
	_, _, res, err := p.clients()
	if err != nil {
		return err
	}
	stream, err := res.CallResource(ctx, backend.ToProto().CallResourceRequest(req))
	if err != nil {
		return unavailable(err)
	}
	for {
		msg, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return unavailable(err)
		}
		if err := send(backend.FromProto().CallResourceResponse(msg)); err != nil {
			return err
		}
	}
}

// unavailable maps a transport failure (the process died mid-call) to
// ErrPluginUnavailable, as Grafana's client_v2.go does for codes.Unavailable.
func unavailable(err error) error {
	if isUnavailable(err) {
		return fmt.Errorf("%w: %v", ErrPluginUnavailable, err)
	}
	return err
}
