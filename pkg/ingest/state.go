package ingest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// StateStore persists what the tailer knows about each file between runs.
type StateStore interface {
	Load() (State, error) // a missing state is the zero State, not an error
	Save(State) error
}

// State is the tailer's memory of the files it read: for each content
// stream, where it was (identity, path), what it starts with (fingerprint)
// and how far it was read. See docs/architecture.md "Ingestion" for what a
// restart does with it.
type State struct {
	Version int           `json:"version"`
	SavedAt time.Time     `json:"savedAt"`
	Roots   []string      `json:"roots"`
	Streams []StreamState `json:"streams"`
	// NextID is the FileID the next new stream gets: resuming never hands
	// out again the id of a stream forgotten since (its records may still
	// be held by the sink).
	NextID uint32 `json:"nextId,omitempty"`
}

// StreamState is one content stream (one FileID).
type StreamState struct {
	ID     uint32 `json:"id"`
	Path   string `json:"path"` // the last file that held it
	Dev    uint64 `json:"dev,omitempty"`
	Ino    uint64 `json:"ino,omitempty"`
	Layout string `json:"layout"`
	FP     string `json:"fp"` // hash of the first FPLen bytes, hex
	FPLen  int    `json:"fpLen"`
	// FPTrusted: the fingerprint identifies the content (see trustedHead).
	FPTrusted bool  `json:"fpTrusted"`
	Offset    int64 `json:"offset"` // bytes consumed
	Line      int   `json:"line"`
	OpenLine  bool  `json:"openLine,omitempty"`
	// RestartOffset/Line: where reading resumes to rebuild split STDOUT
	// messages that were unfinished at Offset (≤ Offset).
	RestartOffset int64 `json:"restartOffset"`
	RestartLine   int   `json:"restartLine"`
	Records       int64 `json:"records"`
	BadRecords    int64 `json:"badRecords"`
	Gone          bool  `json:"gone,omitempty"` // no file held it at the last save
}

const stateVersion = 1

// FileStateStore keeps the state as JSON in one file, replaced atomically
// (written beside it, synced, renamed) so a crash leaves the old or the new
// state, never half of one.
type FileStateStore struct{ Path string }

// NewFileStateStore keeps the state in dir/name, creating dir when needed.
// Use one name per data source: two tailers must not share a state.
func NewFileStateStore(dir, name string) *FileStateStore {
	return &FileStateStore{Path: filepath.Join(dir, name)}
}

// Load reads the state; a missing file is an empty state.
func (s *FileStateStore) Load() (State, error) {
	var st State
	b, err := os.ReadFile(s.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return st, err
	}
	if err := json.Unmarshal(b, &st); err != nil {
		return State{}, fmt.Errorf("state %s: %w", s.Path, err)
	}
	if st.Version != stateVersion {
		return State{}, nil // an older layout: start afresh rather than misread it
	}
	return st, nil
}

// Save writes the state atomically.
func (s *FileStateStore) Save(st State) error {
	st.Version = stateVersion
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(s.Path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(s.Path), filepath.Base(s.Path)+".*.tmp")
	if err != nil {
		return err
	}
	_, werr := tmp.Write(b)
	serr := tmp.Sync()
	cerr := tmp.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), s.Path); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}

// MemoryStateStore keeps the state in memory (tests, or no state directory).
type MemoryStateStore struct{ st State }

func (m *MemoryStateStore) Load() (State, error) { return m.st, nil }
func (m *MemoryStateStore) Save(st State) error  { m.st = st; return nil }
