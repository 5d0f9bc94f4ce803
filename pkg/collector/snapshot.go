package collector

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/apifw/monitor/pkg/index"
	"github.com/apifw/monitor/pkg/ingest"
)

// The index snapshot: the index (index.Capture) and the tailer's checkpoint
// taken together, in one file in the state directory, so a restart installs
// the index and resumes every file where the snapshot's content ends instead
// of parsing every log again. The logs stay the source of truth: a snapshot
// that is missing, torn, foreign, from other ingestion settings or from
// another deletion log is ignored (with a note in the status) and the logs
// are read again.
//
// File layout: a 32-byte header, then the payload.
//
//	magic "APIFWSNP" | version u32 | reserved u32 | payload length u64 |
//	payload CRC-32C u32 | header CRC-32C u32 (of the 28 bytes before it)
//	payload: uvarint length + meta JSON (snapshotMeta) | index (index.Capture.Encode)
//
// The header is written last, over zeros, so a file cut anywhere has no
// valid header; it is written to a temporary file, fsynced, renamed over the
// old one and the directory fsynced, so a crash leaves the old snapshot or
// the new one.

const (
	snapshotMagic      = "APIFWSNP"
	snapshotVersion    = 1
	snapshotHeaderSize = 32
	// snapshotRetry is how long a failed write (a full disk) waits.
	snapshotRetry = 30 * time.Second
)

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// syncSnapshotRows: a smaller index is written in the poll that decides to
// (milliseconds); a larger one in the background, so polls and the queries
// waiting for them do not wait for the disk. (A variable for the tests.)
var syncSnapshotRows = 200_000

// snapshotStep, when set (tests only), is called as a snapshot is written:
// step "write" after each write with the bytes written so far, then
// "flushed" (payload written, header still zeros), "written" (header in place), "synced" (before the rename), "renamed"
// (before the directory is synced). A test kills the process there.
var snapshotStep func(step string, written int64)

// snapshotBuffer is the write buffer (tests make it small, so a file is
// written in many pieces that a kill can fall between).
var snapshotBuffer = 1 << 20

// snapshotMeta is the part of the snapshot that is not the index.
type snapshotMeta struct {
	Fingerprint  string       `json:"fingerprint"`
	SavedAt      time.Time    `json:"savedAt"`
	Transactions int          `json:"transactions"`
	Checkpoint   ingest.State `json:"checkpoint"`
}

// SnapshotStatus is what the collector did with its index snapshot.
type SnapshotStatus struct {
	Path string `json:"path"`
	// Restored: transactions installed from the snapshot at start, taking
	// RestoreMs; Note says why no snapshot was used, when one was there.
	Restored  int     `json:"restored,omitempty"`
	RestoreMs float64 `json:"restoreMs,omitempty"`
	// The last snapshot written: when, what it holds, its size, its cost.
	WrittenAt    time.Time `json:"writtenAt,omitzero"`
	Transactions int       `json:"transactions,omitempty"`
	Bytes        int64     `json:"bytes,omitempty"`
	WriteMs      float64   `json:"writeMs,omitempty"`
	Error        string    `json:"error,omitempty"` // the last write failed
	Note         string    `json:"note,omitempty"`
}

// snapshotName is the snapshot's file name beside the tailer's state file.
func snapshotName(stateName string) string {
	if stateName == "" {
		return "index-snapshot.bin"
	}
	return strings.TrimSuffix(stateName, filepath.Ext(stateName)) + ".index-snapshot.bin"
}

// fingerprint identifies what the index holds given the same files: the
// roots, every ingestion setting that changes which records are read and
// how, and the build (a new parser may read the same bytes differently).
func fingerprint(roots []string, o ingest.Options) string {
	build := ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		build = bi.Main.Version
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" || s.Key == "vcs.modified" {
				build += " " + s.Value
			}
		}
	}
	b, _ := json.Marshal(struct {
		Roots         []string
		Options       ingest.Options
		StdoutDefault bool // nil StdoutFiles (the default globs) and empty (off) marshal alike
		MaxPast       time.Duration
		MaxFuture     time.Duration
		Build         string
		Layout        int
	}{roots, o, o.StdoutFiles == nil, o.MaxPast, o.MaxFuture, build, snapshotVersion})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// snapMark is what the last snapshot on disk holds, for deciding when the
// next is due.
type snapMark struct {
	valid     bool // a snapshot of this run's index is on disk
	live      int
	deletions int
	at        time.Time
}

// snapshotPolicy says when to write a new snapshot.
type snapshotPolicy struct {
	growth  float64       // new rows, as a share of the snapshot's
	minRows int           // and at least this many
	every   time.Duration // any new row, after this long
}

var defaultSnapshotPolicy = snapshotPolicy{growth: 0.05, minRows: 10_000, every: 10 * time.Minute}

// snapshotDue: no snapshot of this index yet, a deletion since (the old one
// still holds what was deleted), enough new rows, or new rows and long
// enough. Restart cost is then bounded by the snapshot's load plus parsing
// a twentieth of the rows (or ten minutes of traffic).
func snapshotDue(last snapMark, live, deletions int, now time.Time, p snapshotPolicy) bool {
	switch {
	case !last.valid:
		return true
	case deletions != last.deletions:
		return true
	}
	added := live - last.live
	if added <= 0 {
		return false
	}
	return added >= max(int(p.growth*float64(last.live)), p.minRows) || now.Sub(last.at) >= p.every
}

// hookedFile reports the bytes written to snapshotStep.
type hookedFile struct {
	f *os.File
	n int64
}

func (h *hookedFile) Write(b []byte) (int, error) {
	n, err := h.f.Write(b)
	h.n += int64(n)
	if snapshotStep != nil {
		snapshotStep("write", h.n)
	}
	return n, err
}

// writeSnapshot writes meta and the capture to path atomically and returns
// the file's size.
func writeSnapshot(path string, meta snapshotMeta, c *index.Capture) (int64, error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, filepath.Base(path)+".tmp-*")
	if err != nil {
		return 0, err
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	hf := &hookedFile{f: tmp}
	if _, err := hf.Write(make([]byte, snapshotHeaderSize)); err != nil {
		return 0, err
	}
	crc := crc32.New(crcTable)
	bw := bufio.NewWriterSize(io.MultiWriter(hf, crc), snapshotBuffer)
	mj, err := json.Marshal(meta)
	if err != nil {
		return 0, err
	}
	bw.Write(binary.AppendUvarint(nil, uint64(len(mj))))
	bw.Write(mj)
	if err := c.Encode(bw); err != nil {
		return 0, err
	}
	if err := bw.Flush(); err != nil {
		return 0, err
	}
	step("flushed", hf.n)
	payload := hf.n - snapshotHeaderSize
	if _, err := tmp.WriteAt(snapshotHeader(payload, crc.Sum32()), 0); err != nil {
		return 0, err
	}
	step("written", hf.n)
	if err := tmp.Sync(); err != nil {
		return 0, err
	}
	if err := tmp.Close(); err != nil {
		return 0, err
	}
	step("synced", hf.n)
	if err := os.Rename(tmp.Name(), path); err != nil {
		return 0, err
	}
	done = true
	step("renamed", hf.n)
	return hf.n, syncDir(dir)
}

func step(name string, n int64) {
	if snapshotStep != nil {
		snapshotStep(name, n)
	}
}

func snapshotHeader(payload int64, crc uint32) []byte {
	h := make([]byte, snapshotHeaderSize)
	copy(h, snapshotMagic)
	binary.LittleEndian.PutUint32(h[8:], snapshotVersion)
	binary.LittleEndian.PutUint64(h[16:], uint64(payload))
	binary.LittleEndian.PutUint32(h[24:], crc)
	binary.LittleEndian.PutUint32(h[28:], crc32.Checksum(h[:28], crcTable))
	return h
}

// parseHeader returns the payload's length and checksum.
func parseHeader(h []byte, fileSize int64) (int64, uint32, error) {
	switch {
	case len(h) < snapshotHeaderSize || string(h[:8]) != snapshotMagic:
		return 0, 0, errors.New("not an index snapshot (or written only in part)")
	case binary.LittleEndian.Uint32(h[28:]) != crc32.Checksum(h[:28], crcTable):
		return 0, 0, errors.New("damaged header")
	case binary.LittleEndian.Uint32(h[8:]) != snapshotVersion:
		return 0, 0, fmt.Errorf("layout version %d, this build reads %d", binary.LittleEndian.Uint32(h[8:]), snapshotVersion)
	}
	payload := int64(binary.LittleEndian.Uint64(h[16:]))
	if payload != fileSize-snapshotHeaderSize {
		return 0, 0, fmt.Errorf("%d bytes, the header says %d: cut short or overwritten", fileSize, payload+snapshotHeaderSize)
	}
	return payload, binary.LittleEndian.Uint32(h[24:]), nil
}

// errOtherSettings: the snapshot was made with other ingestion settings.
var errOtherSettings = errors.New("made with other ingestion settings or another build")

// readSnapshot reads and checks a snapshot made with fingerprint fp. A
// missing file is fs.ErrNotExist.
func readSnapshot(path, fp string) (*index.Image, snapshotMeta, error) {
	var meta snapshotMeta
	f, err := os.Open(path)
	if err != nil {
		return nil, meta, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, meta, err
	}
	h := make([]byte, snapshotHeaderSize)
	if _, err := io.ReadFull(f, h); err != nil {
		h = nil
	}
	payload, want, err := parseHeader(h, fi.Size())
	if err != nil {
		return nil, meta, err
	}
	crc := crc32.New(crcTable)
	br := bufio.NewReaderSize(io.TeeReader(io.LimitReader(f, payload), crc), 1<<20)
	cr := &countingReader{r: br}
	n, err := binary.ReadUvarint(cr)
	if err != nil || int64(n) > payload-cr.n {
		return nil, meta, errors.New("damaged payload")
	}
	mj := make([]byte, n)
	if _, err := io.ReadFull(cr, mj); err != nil {
		return nil, meta, err
	}
	if err := json.Unmarshal(mj, &meta); err != nil {
		return nil, meta, fmt.Errorf("damaged payload: %w", err)
	}
	if meta.Fingerprint != fp {
		return nil, meta, errOtherSettings
	}
	img, err := index.DecodeImage(cr, payload-cr.n)
	if err != nil {
		return nil, meta, err
	}
	if _, err := io.Copy(io.Discard, br); err != nil {
		return nil, meta, err
	}
	if crc.Sum32() != want {
		return nil, meta, errors.New("checksum mismatch: the file is damaged")
	}
	return img, meta, nil
}

type countingReader struct {
	r *bufio.Reader
	n int64
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n += int64(n)
	return n, err
}

func (c *countingReader) ReadByte() (byte, error) {
	b, err := c.r.ReadByte()
	if err == nil {
		c.n++
	}
	return b, err
}

// removeSnapshot deletes the snapshot durably (before a purge moves records
// in the files it points into).
func removeSnapshot(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return syncDir(filepath.Dir(path))
}

// removeTemps deletes what a write killed before its rename left behind.
func removeTemps(path string) {
	tmps, _ := filepath.Glob(path + ".tmp-*")
	for _, t := range tmps {
		os.Remove(t)
	}
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// resumeState hands the tailer the snapshot's checkpoint to resume from,
// and saves its state where it always does.
type resumeState struct {
	ingest.StateStore
	cp ingest.State
}

func (r resumeState) Load() (ingest.State, error) { return r.cp, nil }
