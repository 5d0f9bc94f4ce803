package ship

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apifw/monitor/pkg/ingest"
	"github.com/apifw/monitor/pkg/mask"
	"github.com/apifw/monitor/pkg/model"
)

// Config is the shipper's configuration (flags, environment and a file: see
// cmd/apifw-ship).
type Config struct {
	Roots    []string       `json:"roots"`
	SpoolDir string         `json:"spoolDir"`
	Ingest   ingest.Options `json:"ingest"`
	// MaskedHeaders are masked in addition to pkg/mask's built-in list: give
	// the data source's maskedHeaders setting here.
	MaskedHeaders []string `json:"maskedHeaders,omitempty"`
	// ID names this shipper in batch ids (default: the host name).
	ID string `json:"id,omitempty"`

	InsertURL string     `json:"insertUrl"`
	SelectURL string     `json:"selectUrl,omitempty"` // default InsertURL
	AccountID string     `json:"accountId,omitempty"`
	ProjectID string     `json:"projectId,omitempty"`
	Username  string     `json:"username,omitempty"`
	Password  string     `json:"password,omitempty"`
	Bearer    string     `json:"bearerToken,omitempty"`
	TLS       TLSOptions `json:"tls"`

	PollInterval   time.Duration `json:"-"`                        // default 1s
	MaxBufferBytes int64         `json:"maxBufferBytes,omitempty"` // default 1 GiB
	BatchRecords   int           `json:"batchRecords,omitempty"`   // most records per POST; default 10000
	// MaxPollBytes bounds the log bytes read into one spool segment (default
	// 64 MiB): a backlog is read, spooled and sent piece by piece, not held
	// in memory at once.
	MaxPollBytes int64 `json:"maxPollBytes,omitempty"`
	// ConfirmAfter: a sent segment is checked for being queryable after this
	// long (default 1s); ResendAfter: what is still missing then is sent
	// again (default 30s). MaxBackoff caps the retry delay (default 30s).
	ConfirmAfter time.Duration `json:"-"`
	ResendAfter  time.Duration `json:"-"`
	MaxBackoff   time.Duration `json:"-"`
	// DurableAfter: a segment found complete is kept until it is found
	// complete again this long after (default 10s). Queryable is not yet
	// durable: a storage node keeps new data in memory for up to its
	// -inmemoryDataFlushInterval (5 s by default), and a node killed
	// meanwhile loses it. Must exceed that interval.
	DurableAfter time.Duration                    `json:"-"`
	Logf         func(format string, args ...any) `json:"-"`
}

func (c *Config) defaults() {
	if c.PollInterval <= 0 {
		c.PollInterval = time.Second
	}
	if c.MaxBufferBytes <= 0 {
		c.MaxBufferBytes = 1 << 30
	}
	if c.BatchRecords <= 0 {
		c.BatchRecords = 10000
	}
	if c.MaxPollBytes <= 0 {
		c.MaxPollBytes = 64 << 20
	}
	if c.ConfirmAfter <= 0 {
		c.ConfirmAfter = time.Second
	}
	if c.DurableAfter <= 0 {
		c.DurableAfter = 10 * time.Second
	}
	if c.ResendAfter <= 0 {
		c.ResendAfter = 30 * time.Second
	}
	if c.MaxBackoff <= 0 {
		c.MaxBackoff = 30 * time.Second
	}
	if c.SelectURL == "" {
		c.SelectURL = c.InsertURL
	}
	if c.ID == "" {
		c.ID, _ = os.Hostname()
	}
	if c.Logf == nil {
		c.Logf = log.Printf
	}
}

// Metrics are the shipper's counters (also served as Prometheus text).
type Metrics struct {
	Read      atomic.Int64 // records read from the logs and spooled
	Posted    atomic.Int64 // records accepted by VictoriaLogs (HTTP 2xx)
	Sent      atomic.Int64 // records confirmed queryable
	Retried   atomic.Int64 // failed sends and resends
	Dropped   atomic.Int64 // records dropped because the buffer was full
	Buffered  atomic.Int64 // records on disk not yet confirmed
	BufBytes  atomic.Int64
	LagMicros atomic.Int64 // age of the oldest unconfirmed record's reading
	Errors    atomic.Int64
}

// Shipper tails, spools and sends.
type Shipper struct {
	cfg    Config
	masker *mask.Masker
	tailer *ingest.Tailer
	ins    *Conn
	sel    *Conn
	M      Metrics

	mu      sync.Mutex // guards segs and seq
	segs    []*segment
	seq     uint64
	pending [][]byte
	oldest  time.Time
	more    bool // the last poll stopped at MaxPollBytes with bytes left

	backoff   time.Duration
	nextTry   time.Time
	lastError atomic.Value // string
}

// New opens the spool (resuming from its checkpoint) and the tailer.
func New(cfg Config) (*Shipper, error) {
	cfg.defaults()
	if len(cfg.Roots) == 0 {
		return nil, errors.New("no log roots")
	}
	if cfg.InsertURL == "" {
		return nil, errors.New("no VictoriaLogs insert URL")
	}
	if cfg.SpoolDir == "" {
		return nil, errors.New("no spool directory")
	}
	if err := os.MkdirAll(cfg.SpoolDir, 0o700); err != nil {
		return nil, err
	}
	cl, err := cfg.TLS.HTTPClient(60 * time.Second)
	if err != nil {
		return nil, err
	}
	s := &Shipper{cfg: cfg, masker: mask.New(cfg.MaskedHeaders)}
	s.ins = &Conn{URL: cfg.InsertURL, AccountID: cfg.AccountID, ProjectID: cfg.ProjectID, Username: cfg.Username, Password: cfg.Password, Bearer: cfg.Bearer, Client: cl}
	sel := *s.ins
	sel.URL = cfg.SelectURL
	s.sel = &sel
	segs, cp, err := s.loadSpool()
	if err != nil {
		return nil, err
	}
	s.segs, s.seq = segs, cp.Seq
	for _, sg := range segs {
		s.M.Buffered.Add(int64(sg.Count))
		s.M.BufBytes.Add(sg.bytes)
	}
	opts := cfg.Ingest
	opts.Resume = true
	opts.MaxPollBytes = cfg.MaxPollBytes
	s.tailer = ingest.NewTailer(cfg.Roots, opts, ingest.SinkFunc(s.append), &stateStore{cp.State})
	return s, nil
}

// append encodes the records of a poll (sink of the tailer).
func (s *Shipper) append(txs []model.Transaction) {
	if s.oldest.IsZero() && len(txs) > 0 {
		s.oldest = time.Now()
	}
	batch := s.batchID(s.seq + 1)
	// Re-reading, parsing, masking and encoding cost ~100 µs a record: spread
	// them over the cores, keeping the records' order.
	lines := make([][]byte, len(txs))
	workers := min(runtime.GOMAXPROCS(0), max(1, len(txs)/256))
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			open := map[string]*os.File{} // NDJSON files read by this worker, kept open
			defer func() {
				for _, f := range open {
					f.Close()
				}
			}()
			for i := w; i < len(txs); i += workers {
				tx := &txs[i]
				lines[i] = Encode(tx, s.detail(tx, open), s.masker, batch)
			}
		}(w)
	}
	wg.Wait()
	s.pending = append(s.pending, lines...)
}

func (s *Shipper) batchID(seq uint64) string { return fmt.Sprintf("%s:%d", s.cfg.ID, seq) }

// detail re-reads a record for the trace view: bodies stripped, unknown
// fields kept; nil when it cannot be read.
func (s *Shipper) detail(tx *model.Transaction, open map[string]*os.File) *model.TransactionDetail {
	path, layout := tx.File, ingest.LayoutAuto
	if ref, ok := s.tailer.Locate(tx.FileID); ok {
		path, layout = ref.Path, ref.Layout
	}
	var raw []byte
	var err error
	if layout == ingest.LayoutNDJSON && !strings.HasSuffix(path, ".gz") && tx.Length > 0 && tx.Length < 64<<20 {
		// The FILES layout: one read from a file kept open for the batch.
		f := open[path]
		if f == nil {
			if f, err = os.Open(path); err != nil {
				return nil
			}
			open[path] = f
		}
		buf := make([]byte, tx.Length)
		if _, err = f.ReadAt(buf, tx.Offset); err != nil {
			return nil
		}
		raw, err = ingest.StripBodies(bytes.TrimRight(buf, "\r\n"))
	} else {
		raw, err = ingest.ReadRecord(path, tx.Offset, tx.Length, layout)
	}
	if err != nil {
		return nil
	}
	d, err := ingest.ParseDetailWith(raw, s.cfg.Ingest.EpochUnit)
	if err != nil {
		return nil
	}
	return &d
}

// PollOnce reads what is new and commits it to the spool with the
// tailer's checkpoint. It returns how many records it spooled.
func (s *Shipper) PollOnce() (int, error) {
	st := s.tailer.Poll()
	s.more = st.More
	if st.Error != "" {
		s.M.Errors.Add(1)
		s.lastError.Store("reading logs: " + st.Error)
	}
	n := len(s.pending)
	if n == 0 {
		return 0, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	h := segHeader{Seq: s.seq + 1, Batch: s.batchID(s.seq + 1), Count: n, Oldest: s.oldest, State: s.tailer.Checkpoint()}
	sg, err := s.writeSegment(h, s.pending)
	if err != nil {
		// Not committed: the records are read again after a restart. Keep
		// them in memory for the next attempt meanwhile.
		s.M.Errors.Add(1)
		return 0, fmt.Errorf("spool: %w", err)
	}
	if err := s.saveCheckpoint(checkpoint{Seq: h.Seq, State: h.State}); err != nil {
		s.cfg.Logf("apifw-ship: checkpoint: %v (the segment holds it)", err)
	}
	s.seq = h.Seq
	s.pending, s.oldest = s.pending[:0], time.Time{}
	s.segs = append(s.segs, sg)
	s.M.Read.Add(int64(n))
	s.M.Buffered.Add(int64(n))
	s.M.BufBytes.Add(sg.bytes)
	s.enforceBound()
	return n, nil
}

// enforceBound drops the oldest segments while the spool is over its bound,
// saying so: a bounded buffer cannot keep everything through a long outage.
func (s *Shipper) enforceBound() {
	for len(s.segs) > 1 && s.M.BufBytes.Load() > s.cfg.MaxBufferBytes {
		sg := s.segs[0]
		s.segs = s.segs[1:]
		removeSegment(sg)
		s.M.Dropped.Add(int64(sg.Count))
		s.M.Buffered.Add(-int64(sg.Count))
		s.M.BufBytes.Add(-sg.bytes)
		s.cfg.Logf("apifw-ship: DROPPED %d records (batch %s): the spool is over its bound of %d bytes while VictoriaLogs does not take them", sg.Count, sg.Batch, s.cfg.MaxBufferBytes)
	}
}

// SendOnce posts the unsent segments and confirms the sent ones; it returns
// the first error (the caller backs off).
func (s *Shipper) SendOnce(ctx context.Context) error {
	s.mu.Lock()
	segs := append([]*segment(nil), s.segs...)
	s.mu.Unlock()
	now := time.Now()
	var toConfirm []*segment
	for _, sg := range segs {
		if sg.sentAt.IsZero() {
			_, lines, err := readSegment(sg.path)
			if err != nil {
				if os.IsNotExist(err) { // dropped meanwhile
					continue
				}
				return err
			}
			if err := s.post(ctx, lines); err != nil {
				s.M.Retried.Add(1)
				return err
			}
			s.M.Posted.Add(int64(sg.Count))
			markSent(sg, time.Now())
			continue
		}
		if now.Sub(sg.sentAt) >= s.cfg.ConfirmAfter {
			toConfirm = append(toConfirm, sg)
		}
	}
	if len(toConfirm) == 0 {
		return nil
	}
	counts, err := s.countBatches(ctx, toConfirm)
	if err != nil {
		return fmt.Errorf("confirming: %w", err)
	}
	for _, sg := range toConfirm {
		n := counts[sg.Batch]
		if n < int64(sg.Count) {
			sg.completeAt = time.Time{} // lost since (a storage node killed before it flushed)
		}
		switch {
		case n >= int64(sg.Count) && sg.completeAt.IsZero():
			sg.completeAt = now
		case n >= int64(sg.Count):
			if now.Sub(sg.completeAt) >= s.cfg.DurableAfter {
				s.confirmed(sg)
			}
		case time.Since(sg.sentAt) >= s.cfg.ResendAfter:
			if err := s.resendMissing(ctx, sg); err != nil {
				s.M.Retried.Add(1)
				return err
			}
		}
	}
	return nil
}

func (s *Shipper) confirmed(sg *segment) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, x := range s.segs {
		if x == sg {
			s.segs = append(s.segs[:i:i], s.segs[i+1:]...)
			removeSegment(sg)
			s.M.Sent.Add(int64(sg.Count))
			s.M.Buffered.Add(-int64(sg.Count))
			s.M.BufBytes.Add(-sg.bytes)
			return
		}
	}
}

// post sends lines in POSTs of at most BatchRecords.
func (s *Shipper) post(ctx context.Context, lines [][]byte) error {
	for len(lines) > 0 {
		n := min(len(lines), s.cfg.BatchRecords)
		var buf bytes.Buffer
		for _, l := range lines[:n] {
			buf.Write(l)
			buf.WriteByte('\n')
		}
		resp, err := s.ins.Do(ctx, http.MethodPost, InsertPath, &buf, "application/stream+json")
		if err != nil {
			return fmt.Errorf("sending: %w", err)
		}
		resp.Body.Close()
		lines = lines[n:]
	}
	return nil
}

// countBatches asks how many records of each segment are queryable.
func (s *Shipper) countBatches(ctx context.Context, segs []*segment) (map[string]int64, error) {
	ids := make([]string, len(segs))
	for i, sg := range segs {
		ids[i] = Quote(sg.Batch)
	}
	q := FieldBatch + ":in(" + strings.Join(ids, ",") + ") | stats by (" + FieldBatch + ") count() n"
	out := map[string]int64{}
	err := s.sel.Query(ctx, q, time.Time{}, time.Time{}, func(r map[string]string) error {
		var n int64
		fmt.Sscan(r["n"], &n)
		out[r[FieldBatch]] = n
		return nil
	})
	return out, err
}

// resendMissing sends again the records of a segment that are not
// queryable long after VictoriaLogs accepted them (it answers 200 before
// storing; a crash of the insert node can lose them). Only the missing
// uuids are sent: a retry never duplicates.
func (s *Shipper) resendMissing(ctx context.Context, sg *segment) error {
	have := map[string]bool{}
	err := s.sel.Query(ctx, FieldBatch+":="+Quote(sg.Batch)+" | fields "+FieldUUID, time.Time{}, time.Time{}, func(r map[string]string) error {
		have[r[FieldUUID]] = true
		return nil
	})
	if err != nil {
		return err
	}
	_, lines, err := readSegment(sg.path)
	if err != nil {
		return err
	}
	var missing [][]byte
	for _, l := range lines {
		i := bytes.Index(l, []byte(`"uuid":`))
		if i < 0 {
			missing = append(missing, l)
			continue
		}
		var u string
		rest := l[i+7:]
		if j := bytes.IndexByte(rest[1:], '"'); j >= 0 {
			u = string(rest[1 : j+1])
		}
		if !have[u] {
			missing = append(missing, l)
		}
	}
	s.cfg.Logf("apifw-ship: batch %s: %d of %d records not queryable %s after sending: sending them again", sg.Batch, len(missing), sg.Count, s.cfg.ResendAfter)
	s.M.Retried.Add(1)
	if err := s.post(ctx, missing); err != nil {
		return err
	}
	markSent(sg, time.Now())
	return nil
}

// Run polls and sends until ctx ends, backing off on errors.
func (s *Shipper) Run(ctx context.Context) error {
	tick := time.NewTicker(s.cfg.PollInterval)
	defer tick.Stop()
	for {
		if _, err := s.PollOnce(); err != nil {
			s.cfg.Logf("apifw-ship: %v", err)
		}
		if time.Now().After(s.nextTry) {
			if err := s.SendOnce(ctx); err != nil && ctx.Err() == nil {
				s.M.Errors.Add(1)
				s.lastError.Store(err.Error())
				s.backoff = min(max(2*s.backoff, 250*time.Millisecond), s.cfg.MaxBackoff)
				s.nextTry = time.Now().Add(s.backoff)
				s.cfg.Logf("apifw-ship: %v (retrying in %s)", err, s.backoff)
			} else {
				s.backoff = 0
			}
		}
		s.updateLag()
		if s.more && s.backoff == 0 && s.M.BufBytes.Load() < s.cfg.MaxBufferBytes/2 && ctx.Err() == nil {
			continue // a backlog, and VictoriaLogs takes it: read on at once
		}
		select {
		case <-ctx.Done():
			return s.Close()
		case <-tick.C:
		}
	}
}

func (s *Shipper) updateLag() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.segs) == 0 {
		s.M.LagMicros.Store(0)
		return
	}
	s.M.LagMicros.Store(time.Since(s.segs[0].Oldest).Microseconds())
}

// Close saves nothing more: every committed segment and checkpoint is on
// disk already; records read but not committed are read again.
func (s *Shipper) Close() error { return s.tailer.Close() }

// Pending is how many spooled records are not confirmed yet.
func (s *Shipper) Pending() int64 { return s.M.Buffered.Load() }

// ServeHTTP serves /metrics (Prometheus text) and /health.
func (s *Shipper) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/health" {
		fmt.Fprintln(w, "ok")
		return
	}
	s.updateLag()
	w.Header().Set("Content-Type", "text/plain; version=0.0.4")
	m := &s.M
	for _, x := range []struct {
		name, kind, help string
		v                float64
	}{
		{"apifw_ship_read_total", "counter", "records read from the logs and spooled", float64(m.Read.Load())},
		{"apifw_ship_posted_total", "counter", "records accepted by VictoriaLogs (HTTP 2xx)", float64(m.Posted.Load())},
		{"apifw_ship_sent_total", "counter", "records confirmed queryable in VictoriaLogs", float64(m.Sent.Load())},
		{"apifw_ship_retried_total", "counter", "failed sends and resends", float64(m.Retried.Load())},
		{"apifw_ship_dropped_total", "counter", "records dropped because the spool was full", float64(m.Dropped.Load())},
		{"apifw_ship_errors_total", "counter", "errors (reading, spooling, sending)", float64(m.Errors.Load())},
		{"apifw_ship_buffered_records", "gauge", "records on disk not yet confirmed queryable", float64(m.Buffered.Load())},
		{"apifw_ship_buffered_bytes", "gauge", "bytes of the spool", float64(m.BufBytes.Load())},
		{"apifw_ship_lag_seconds", "gauge", "age of the oldest record not yet confirmed queryable", float64(m.LagMicros.Load()) / 1e6},
	} {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n%s %g\n", x.name, x.help, x.name, x.kind, x.name, x.v)
	}
}
