// Package vltest starts a real VictoriaLogs cluster on loopback for tests:
// two storage nodes and one insert/select node, the same binary throughout,
// built from its Go module by scripts/build-victorialogs.sh.
package vltest

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Version is the pinned VictoriaLogs version (scripts/build-victorialogs.sh).
const Version = "v1.52.2"

// Binary finds the victoria-logs binary: $APIFW_VICTORIALOGS, else the cache
// the build script fills. "" when neither exists.
func Binary() string {
	if p := os.Getenv("APIFW_VICTORIALOGS"); p != "" {
		return p
	}
	cache := os.Getenv("APIFW_CACHE")
	if cache == "" {
		home, _ := os.UserHomeDir()
		cache = filepath.Join(home, ".cache", "apifw-monitor")
	}
	p := filepath.Join(cache, "victorialogs", Version, "victoria-logs")
	if _, err := os.Stat(p); err != nil {
		return ""
	}
	return p
}

// Node is one victoria-logs process.
type Node struct {
	Name string
	Addr string // 127.0.0.1:port
	Args []string
	Dir  string

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
	log  *os.File
}

// Cluster is 2 storage nodes and 1 insert/select node.
type Cluster struct {
	Bin     string
	Storage []*Node
	Front   *Node // insert and select
}

// URL is the insert/select node's base URL.
func (c *Cluster) URL() string { return "http://" + c.Front.Addr }

// Start starts the cluster under dir (storage data, logs). extraFront are
// flags for the insert/select node, extraStorage for the storage nodes.
func Start(bin, dir string, extraFront, extraStorage []string) (*Cluster, error) {
	c := &Cluster{Bin: bin}
	var addrs []string
	for i := 0; i < 2; i++ {
		addr, err := freeAddr()
		if err != nil {
			return nil, err
		}
		n := &Node{Name: fmt.Sprintf("storage%d", i), Addr: addr, Dir: dir}
		// New data reaches disk within 1 s (VictoriaLogs' minimum; 5 s by
		// default): shippers in tests may then take it as durable after 2 s
		// (ship.Config.DurableAfter = TestDurableAfter).
		n.Args = append([]string{"-storageDataPath=" + filepath.Join(dir, n.Name), "-httpListenAddr=" + addr,
			"-retentionPeriod=100y", "-loggerLevel=WARN", "-inmemoryDataFlushInterval=1s"}, extraStorage...)
		c.Storage = append(c.Storage, n)
		addrs = append(addrs, addr)
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	c.Front = &Node{Name: "front", Addr: addr, Dir: dir}
	c.Front.Args = append([]string{"-storageNode=" + strings.Join(addrs, ","), "-httpListenAddr=" + addr,
		"-storageDataPath=" + filepath.Join(dir, "front"), "-retentionPeriod=100y", "-loggerLevel=WARN"}, extraFront...)
	for _, n := range append(append([]*Node(nil), c.Storage...), c.Front) {
		if err := n.Start(bin); err != nil {
			c.Stop()
			return nil, err
		}
	}
	return c, nil
}

// StartT starts a cluster for a test and stops it when the test ends. The
// scale-out tests run under scripts/test-scaleout.sh (APIFW_SCALEOUT=1);
// elsewhere they are skipped. A missing binary fails them there.
func StartT(t testing.TB, extraFront, extraStorage []string) *Cluster {
	t.Helper()
	if os.Getenv("APIFW_SCALEOUT") != "1" {
		t.Skip("scale-out test: run `npm run test:scaleout` (or set APIFW_SCALEOUT=1)")
	}
	bin := Binary()
	if bin == "" {
		t.Fatal("victoria-logs binary not found: run scripts/build-victorialogs.sh (or set APIFW_VICTORIALOGS)")
	}
	c, err := Start(bin, t.TempDir(), extraFront, extraStorage)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Stop)
	return c
}

// Stop kills every node.
func (c *Cluster) Stop() {
	if c.Front != nil {
		c.Front.Stop()
	}
	for _, n := range c.Storage {
		n.Stop()
	}
}

// Start launches the node and waits until it answers /health.
func (n *Node) Start(bin string) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.cmd != nil {
		return nil
	}
	lf, err := os.OpenFile(filepath.Join(n.Dir, n.Name+".log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	cmd := exec.Command(bin, n.Args...)
	cmd.Stdout, cmd.Stderr = lf, lf
	if err := cmd.Start(); err != nil {
		lf.Close()
		return err
	}
	n.cmd, n.log, n.done = cmd, lf, make(chan struct{})
	done := n.done
	go func() { cmd.Wait(); close(done) }()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-done:
			return fmt.Errorf("%s exited at start; see %s", n.Name, lf.Name())
		default:
		}
		resp, err := http.Get("http://" + n.Addr + "/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("%s did not become healthy within 60s", n.Name)
}

// Kill stops the node abruptly (SIGKILL), as a crash would.
func (n *Node) Kill() {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.cmd == nil {
		return
	}
	n.cmd.Process.Kill()
	<-n.done
	n.log.Close()
	n.cmd = nil
}

// Stop stops the node gracefully (SIGINT, then SIGKILL after 20 s).
func (n *Node) Stop() {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.cmd == nil {
		return
	}
	n.cmd.Process.Signal(os.Interrupt)
	select {
	case <-n.done:
	case <-time.After(20 * time.Second):
		n.cmd.Process.Kill()
		<-n.done
	}
	n.log.Close()
	n.cmd = nil
}

// Flush asks every storage node to make recent data searchable at once.
func (c *Cluster) Flush(ctx context.Context) {
	for _, n := range c.Storage {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+n.Addr+"/internal/force_flush", nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	}
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// TestDurableAfter is ship.Config.DurableAfter for a cluster started here:
// twice its storage nodes' flush interval.
const TestDurableAfter = 2 * time.Second
