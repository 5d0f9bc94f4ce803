package ship

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/apifw/monitor/pkg/ingest"
)

// A segment is one poll's records, on disk: a header line (sequence number
// and the tailer's checkpoint after the poll) then one JSON line per record.
// Writing it (beside, synced, renamed) commits the records and the offsets
// together, so a crash re-reads nothing that was spooled and loses nothing
// that was not. The newest checkpoint also lives in checkpoint.json, for
// when every segment has been sent and removed.
type segHeader struct {
	Seq    uint64       `json:"seq"`
	Batch  string       `json:"batch"`
	Count  int          `json:"count"`
	Oldest time.Time    `json:"oldest"` // when the oldest record of the segment was read
	State  ingest.State `json:"state"`
}

type segment struct {
	segHeader
	path  string
	bytes int64
	// sentAt: when VictoriaLogs accepted it (not yet confirmed queryable).
	sentAt time.Time
	// completeAt: when every record was first found queryable (zero: not
	// yet, or some went missing since); Config.DurableAfter.
	completeAt time.Time
}

func segName(seq uint64) string { return fmt.Sprintf("seg-%016d.ndjson", seq) }

// writeAtomic writes data to path through a synced temporary file.
func writeAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err = f.Write(data); err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

func (s *Shipper) writeSegment(h segHeader, lines [][]byte) (*segment, error) {
	var buf bytes.Buffer
	hb, _ := json.Marshal(h)
	buf.Write(hb)
	buf.WriteByte('\n')
	for _, l := range lines {
		buf.Write(l)
		buf.WriteByte('\n')
	}
	p := filepath.Join(s.cfg.SpoolDir, segName(h.Seq))
	if err := writeAtomic(p, buf.Bytes()); err != nil {
		return nil, err
	}
	return &segment{segHeader: h, path: p, bytes: int64(buf.Len())}, nil
}

// readSegment reads a segment's header and record lines.
func readSegment(path string) (segHeader, [][]byte, error) {
	var h segHeader
	data, err := os.ReadFile(path)
	if err != nil {
		return h, nil, err
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	var lines [][]byte
	first := true
	for sc.Scan() {
		if first {
			if err := json.Unmarshal(sc.Bytes(), &h); err != nil {
				return h, nil, fmt.Errorf("%s: bad header: %w", path, err)
			}
			first = false
			continue
		}
		lines = append(lines, append([]byte(nil), sc.Bytes()...))
	}
	return h, lines, sc.Err()
}

// checkpoint is the newest committed tailer state and sequence number.
type checkpoint struct {
	Seq   uint64       `json:"seq"`
	State ingest.State `json:"state"`
}

// loadSpool lists the segments on disk (oldest first) and the newest
// checkpoint: that of checkpoint.json or of the newest segment.
func (s *Shipper) loadSpool() ([]*segment, checkpoint, error) {
	var cp checkpoint
	if b, err := os.ReadFile(filepath.Join(s.cfg.SpoolDir, "checkpoint.json")); err == nil {
		if err := json.Unmarshal(b, &cp); err != nil {
			return nil, cp, fmt.Errorf("checkpoint.json: %w", err)
		}
	}
	ents, err := os.ReadDir(s.cfg.SpoolDir)
	if err != nil {
		return nil, cp, err
	}
	var segs []*segment
	for _, e := range ents {
		n := e.Name()
		if strings.HasSuffix(n, ".tmp") {
			os.Remove(filepath.Join(s.cfg.SpoolDir, n))
			continue
		}
		if !strings.HasPrefix(n, "seg-") || !strings.HasSuffix(n, ".ndjson") {
			continue
		}
		seq, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimPrefix(n, "seg-"), ".ndjson"), 10, 64)
		if err != nil {
			continue
		}
		p := filepath.Join(s.cfg.SpoolDir, n)
		h, lines, err := readSegment(p)
		if err != nil {
			return nil, cp, err
		}
		_ = lines
		fi, _ := os.Stat(p)
		sg := &segment{segHeader: h, path: p}
		if fi != nil {
			sg.bytes = fi.Size()
		}
		if h.Seq != seq {
			return nil, cp, fmt.Errorf("%s: header says segment %d", p, h.Seq)
		}
		if sent, err := os.ReadFile(p + ".sent"); err == nil {
			sg.sentAt, _ = time.Parse(time.RFC3339Nano, string(sent))
		}
		segs = append(segs, sg)
	}
	sort.Slice(segs, func(i, j int) bool { return segs[i].Seq < segs[j].Seq })
	if n := len(segs); n > 0 && segs[n-1].Seq > cp.Seq {
		cp = checkpoint{Seq: segs[n-1].Seq, State: segs[n-1].State}
	}
	return segs, cp, nil
}

func (s *Shipper) saveCheckpoint(cp checkpoint) error {
	b, _ := json.Marshal(cp)
	return writeAtomic(filepath.Join(s.cfg.SpoolDir, "checkpoint.json"), b)
}

// removeSegment deletes a sent and confirmed (or dropped) segment.
func removeSegment(sg *segment) {
	os.Remove(sg.path + ".sent")
	os.Remove(sg.path)
}

// markSent remembers that VictoriaLogs accepted the segment.
func markSent(sg *segment, at time.Time) {
	sg.sentAt = at
	_ = os.WriteFile(sg.path+".sent", []byte(at.Format(time.RFC3339Nano)), 0o600)
}

// stateStore gives the tailer the spool's checkpoint; the shipper commits
// the state itself with each segment, so Save does nothing.
type stateStore struct{ st ingest.State }

func (m *stateStore) Load() (ingest.State, error) { return m.st, nil }
func (m *stateStore) Save(ingest.State) error     { return nil }
