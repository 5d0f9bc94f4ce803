package vlogs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/apifw/monitor/pkg/ship"
)

// Deletion is one right-to-be-forgotten request: every record matching all
// of its criteria is gone (as index.DeleteCriteria: from ≤ time < to).
type Deletion struct {
	UUIDs     []string  `json:"uuids,omitempty"`
	ClientIP  string    `json:"clientIp,omitempty"`
	APIs      []string  `json:"apis,omitempty"`
	Instances []string  `json:"instances,omitempty"`
	From      time.Time `json:"from,omitzero"`
	To        time.Time `json:"to,omitzero"`
	At        time.Time `json:"at"`
	By        string    `json:"by,omitempty"`
	// TaskID is VictoriaLogs' delete task (empty: its delete API is off or
	// failed; the list alone hides the rows, see docs/scale-out.md).
	TaskID    string `json:"taskId,omitempty"`
	TaskError string `json:"taskError,omitempty"`
}

// Filter is the LogsQL filter of the records a deletion covers.
func (d Deletion) Filter() (string, error) {
	var parts []string
	if len(d.UUIDs) > 0 {
		parts = append(parts, in(ship.FieldUUID, d.UUIDs))
	}
	if d.ClientIP != "" {
		f, err := clientIPFilter(d.ClientIP)
		if err != nil {
			return "", err
		}
		parts = append(parts, f)
	}
	if len(d.APIs) > 0 {
		parts = append(parts, "("+in(ship.FieldAPI, d.APIs)+" or "+in(ship.FieldAPIName, d.APIs)+")")
	}
	if len(d.Instances) > 0 {
		parts = append(parts, in(ship.FieldInstance, d.Instances))
	}
	if !d.From.IsZero() {
		parts = append(parts, "_time:>="+d.From.UTC().Format(time.RFC3339Nano))
	}
	if !d.To.IsZero() {
		parts = append(parts, "_time:<"+d.To.UTC().Format(time.RFC3339Nano))
	}
	if len(parts) == 0 {
		return "", errors.New("a deletion needs at least one criterion")
	}
	return "(" + strings.Join(parts, " ") + ")", nil
}

// Deletions is the data source's persisted deletion list for the
// VictoriaLogs store: every query excludes what it covers, so deleted
// transactions never come back, by any query type, before, during and
// after VictoriaLogs' own delete task, and after restarts of either side.
type Deletions struct {
	path string
	mu   sync.RWMutex
	list []Deletion
	excl string
}

// OpenDeletions loads the list kept in dir (vlogs-deletions.json).
func OpenDeletions(dir string) (*Deletions, error) {
	d := &Deletions{path: filepath.Join(dir, "vlogs-deletions.json")}
	b, err := os.ReadFile(d.path)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return d, err
	default:
		if err := json.Unmarshal(b, &d.list); err != nil {
			return d, fmt.Errorf("%s: %w", d.path, err)
		}
	}
	return d, d.rebuild()
}

func (d *Deletions) rebuild() error {
	var parts []string
	for _, x := range d.list {
		f, err := x.Filter()
		if err != nil {
			return err
		}
		parts = append(parts, "-"+f)
	}
	d.excl = strings.Join(parts, " ")
	return nil
}

// Exclude is the filter every query appends ("" when nothing is deleted).
func (d *Deletions) Exclude() string {
	if d == nil {
		return ""
	}
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.excl
}

// List returns the deletions.
func (d *Deletions) List() []Deletion {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return append([]Deletion(nil), d.list...)
}

// Add persists a deletion first (synced, renamed), then asks VictoriaLogs
// to delete the rows (/delete/run_task; needs -delete.enable on the select
// node and -internaldelete.enable on the storage nodes). A failing task is
// recorded, not fatal: the list keeps hiding the rows.
func (d *Deletions) Add(ctx context.Context, conn *ship.Conn, del Deletion) (Deletion, error) {
	f, err := del.Filter()
	if err != nil {
		return del, err
	}
	if del.At.IsZero() {
		del.At = time.Now().UTC()
	}
	d.mu.Lock()
	d.list = append(d.list, del)
	if err := d.save(); err != nil {
		d.list = d.list[:len(d.list)-1]
		d.mu.Unlock()
		return del, fmt.Errorf("deletion list not saved: %w", err)
	}
	d.rebuild()
	d.mu.Unlock()
	if conn != nil {
		id, terr := RunDeleteTask(ctx, conn, f)
		d.mu.Lock()
		i := len(d.list) - 1
		for ; i >= 0 && !d.list[i].At.Equal(del.At); i-- {
		}
		if terr != nil {
			del.TaskError = terr.Error()
		}
		del.TaskID = id
		if i >= 0 {
			d.list[i] = del
			_ = d.save()
		}
		d.mu.Unlock()
	}
	return del, nil
}

func (d *Deletions) save() error {
	b, _ := json.MarshalIndent(d.list, "", " ")
	if err := os.MkdirAll(filepath.Dir(d.path), 0o700); err != nil {
		return err
	}
	tmp := d.path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err = f.Write(b); err == nil {
		err = f.Sync()
	}
	f.Close()
	if err != nil {
		return err
	}
	return os.Rename(tmp, d.path)
}

// RunDeleteTask starts VictoriaLogs' delete task for a filter.
func RunDeleteTask(ctx context.Context, conn *ship.Conn, filter string) (string, error) {
	resp, err := conn.Do(ctx, http.MethodPost, "/delete/run_task?"+url.Values{"filter": {filter}}.Encode(), nil, "")
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var out struct {
		TaskID string `json:"task_id"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return "", fmt.Errorf("delete task answer: %w", err)
	}
	return out.TaskID, nil
}

// ActiveDeleteTasks returns VictoriaLogs' running delete tasks (raw JSON).
func ActiveDeleteTasks(ctx context.Context, conn *ship.Conn) (string, error) {
	resp, err := conn.Do(ctx, http.MethodGet, "/delete/active_tasks", nil, "")
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return b.String(), nil
}
