package generate

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Layout is where a writer puts transactions.
type Layout string

const (
	LayoutFiles  Layout = "files"  // <root>/<instance>/api-<uuid>.transaction.log
	LayoutStdout Layout = "stdout" // <root>/firewall.stdout.log, plain console text
	LayoutDocker Layout = "docker" // <root>/containers/<id>/<id>-json.log
	LayoutCRI    Layout = "cri"    // <root>/pods/<ns>_<pod>_<uid>/guardian/0.log
)

// RotateMode is how a live writer rotates its files.
type RotateMode string

const (
	RotateRename       RotateMode = "rename"       // rename to <name>.<n>; one late write to the old file; new file
	RotateCopyTruncate RotateMode = "copytruncate" // copy to <name>.<n>, truncate, keep appending
	RotateRecreate     RotateMode = "recreate"     // delete, create anew
)

// dockerID names the generated container.
const dockerID = "4f0c7a3e9d2b51a8c6e0f1d2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6"

// StdoutPath is where the STDOUT layouts write under root.
func StdoutPath(root string, layout Layout) string {
	switch layout {
	case LayoutDocker:
		return filepath.Join(root, "containers", dockerID, dockerID+"-json.log")
	case LayoutCRI:
		return filepath.Join(root, "pods", "apifw_guardian-0_9d1c2b3a", "guardian", "0.log")
	}
	return filepath.Join(root, "firewall.stdout.log")
}

// LiveConfig describes a live writer.
type LiveConfig struct {
	Config
	Layout Layout
	// Console frames STDOUT layouts (its Wrapper follows Layout).
	Console Console
	// LongEvery makes every n-th record longer than the split size (0: none).
	LongEvery int
	// GarbageEvery writes a garbage line every n records (0: none).
	GarbageEvery int
	// RotateEvery rotates every file after n records (0: only on request).
	RotateEvery int
	RotateMode  RotateMode
	// Bursts injects attacks during Run (zero: none).
	Bursts Bursts
}

// Live appends transactions to log files as a running firewall does, and
// rotates them on request, keeping the ground truth of what each file holds.
type Live struct {
	root      string
	cfg       LiveConfig
	src       *Source
	open      map[string]*os.File // files being appended to, by path
	holds     map[string][]string // UUIDs each file under root holds, by path
	rotations int
	sinceRot  int
	garbage   int
	now       func() time.Time
	// attackDue carries the fraction of an attack record owed to the next tick.
	attackDue map[Attack]float64
}

// NewLive starts a writer under root.
func NewLive(root string, cfg LiveConfig) (*Live, error) {
	cfg.TrackUUIDs = true
	if cfg.Layout == "" {
		cfg.Layout = LayoutFiles
	}
	switch cfg.Layout {
	case LayoutFiles, LayoutStdout:
		cfg.Console.Wrapper = WrapPlain
	case LayoutDocker:
		cfg.Console.Wrapper = WrapDocker
	case LayoutCRI:
		cfg.Console.Wrapper = WrapCRI
	default:
		return nil, fmt.Errorf("layout %q is not files, stdout, docker or cri", cfg.Layout)
	}
	if cfg.RotateMode == "" {
		cfg.RotateMode = RotateRename
	}
	src, err := NewSource(cfg.Config)
	if err != nil {
		return nil, err
	}
	return &Live{root: root, cfg: cfg, src: src, open: map[string]*os.File{}, holds: map[string][]string{}, now: time.Now,
		attackDue: map[Attack]float64{}}, nil
}

// Append writes n transactions timed now (and the configured garbage),
// rotating when RotateEvery says so.
func (l *Live) Append(n int) error {
	for i := 0; i < n; i++ {
		if err := l.appendOne(); err != nil {
			return err
		}
		l.sinceRot++
		if l.cfg.GarbageEvery > 0 && l.src.truth.Total%l.cfg.GarbageEvery == 0 {
			if err := l.writeGarbage(); err != nil {
				return err
			}
		}
		if l.cfg.RotateEvery > 0 && l.sinceRot >= l.cfg.RotateEvery {
			if err := l.Rotate(l.cfg.RotateMode); err != nil {
				return err
			}
		}
	}
	return nil
}

// appendOne writes one transaction.
func (l *Live) appendOne() error {
	text, path, uuid := l.draw()
	if err := l.write(path, text); err != nil {
		return err
	}
	l.holds[path] = append(l.holds[path], uuid)
	return nil
}

// draw renders the next transaction as the bytes to append and its file.
func (l *Live) draw() (text, path, uuid string) {
	ts := l.now()
	pad := 0
	if l.cfg.LongEvery > 0 && (l.src.truth.Total+1)%l.cfg.LongEvery == 0 {
		pad = l.cfg.Console.splitSize()*2 + 100
	}
	g := l.src.Next(ts, pad)
	if l.cfg.Layout == LayoutFiles {
		return string(g.JSON) + "\n", filepath.Join(l.root, g.Instance, g.File), g.UUID
	}
	var b strings.Builder
	for _, line := range l.cfg.Console.Message(TransactionSource(g), ts, g.JSON) {
		b.WriteString(l.cfg.Console.Wrap(line, ts))
	}
	return b.String(), StdoutPath(l.root, l.cfg.Layout), g.UUID
}

// AppendAttack writes n transactions of an attack on the API of index api,
// timed now (FILES layout: in the API's file of a random instance).
func (l *Live) AppendAttack(kind Attack, api, n int) error {
	for i := 0; i < n; i++ {
		ts := l.now()
		g, err := l.src.Attack(ts, kind, api)
		if err != nil {
			return err
		}
		path, text := filepath.Join(l.root, g.Instance, g.File), string(g.JSON)+"\n"
		if l.cfg.Layout != LayoutFiles {
			path, text = StdoutPath(l.root, l.cfg.Layout), ""
			for _, line := range l.cfg.Console.Message(TransactionSource(g), ts, g.JSON) {
				text += l.cfg.Console.Wrap(line, ts)
			}
		}
		if err := l.write(path, text); err != nil {
			return err
		}
		l.holds[path] = append(l.holds[path], g.UUID)
	}
	return nil
}

// AppendPartial writes one transaction without the end of its last line
// (a writer caught mid-write) and returns the function that writes the rest.
func (l *Live) AppendPartial() (complete func() error, err error) {
	text, path, uuid := l.draw()
	cut := len(text) - 1 - min(40, len(text)/3)
	if err := l.write(path, text[:cut]); err != nil {
		return nil, err
	}
	l.holds[path] = append(l.holds[path], uuid)
	return func() error { return l.write(path, text[cut:]) }, nil
}

// writeGarbage appends a line that must be reported as one bad record.
func (l *Live) writeGarbage() error {
	l.garbage++
	kinds := []string{
		`{"uuid":"broken-` + fmt.Sprint(l.garbage) + `", "date_epoch": 17`,
		"\x00\x00\x00\x00\x00\x00\x00\x00",
		"\xff\xfe binary \x01\x02 junk",
		`{"uuid":"future-` + fmt.Sprint(l.garbage) + `","date_epoch":` + fmt.Sprint(l.now().Add(10*365*24*time.Hour).UnixMicro()) + `}`,
		`{"uuid":12,"date_epoch":1}`,
	}
	junk := kinds[l.garbage%len(kinds)]
	var path, text string
	if l.cfg.Layout == LayoutFiles {
		path = filepath.Join(l.root, InstanceName(0), "api-unknown.transaction.log")
		text = junk + "\n"
	} else {
		path = StdoutPath(l.root, l.cfg.Layout)
		ts := l.now()
		for _, line := range l.cfg.Console.Message(InstanceName(0)+".unknown.transaction", ts, []byte(junk)) {
			text += l.cfg.Console.Wrap(line, ts)
		}
	}
	l.src.NoteBad(1)
	return l.write(path, text)
}

func (l *Live) write(path, text string) error {
	f := l.open[path]
	if f == nil {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		var err error
		if f, err = os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644); err != nil {
			return err
		}
		l.open[path] = f
	}
	_, err := f.WriteString(text)
	return err
}

// Rotate rotates every file being written.
func (l *Live) Rotate(mode RotateMode) error {
	l.rotations++
	l.sinceRot = 0
	paths := make([]string, 0, len(l.open))
	for p := range l.open {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		f := l.open[p]
		rotated := fmt.Sprintf("%s.%d", p, l.rotations)
		switch mode {
		case RotateRename:
			if err := os.Rename(p, rotated); err != nil {
				return err
			}
			l.holds[rotated], l.holds[p] = l.holds[p], nil
			delete(l.open, p)
			// A writer finishes what it was doing on the old file first.
			text, path, uuid := l.draw()
			if path == p {
				if _, err := f.WriteString(text); err != nil {
					return err
				}
				l.holds[rotated] = append(l.holds[rotated], uuid)
			} else if err := l.write(path, text); err != nil {
				return err
			} else {
				l.holds[path] = append(l.holds[path], uuid)
			}
			f.Close()
		case RotateCopyTruncate:
			if err := copyFile(p, rotated); err != nil {
				return err
			}
			if err := f.Truncate(0); err != nil {
				return err
			}
			l.holds[rotated], l.holds[p] = l.holds[p], nil
		case RotateRecreate:
			if err := os.Remove(p); err != nil {
				return err
			}
			f.Close()
			delete(l.open, p)
			l.holds[p] = nil
		default:
			return fmt.Errorf("rotate mode %q is not rename, copytruncate or recreate", mode)
		}
	}
	return nil
}

// Expire deletes the rotated files (those no longer written to), as a
// retention policy does, and returns their paths.
func (l *Live) Expire() ([]string, error) {
	var gone []string
	for p, ids := range l.holds {
		if l.open[p] != nil || len(ids) == 0 {
			continue
		}
		if err := os.Remove(p); err != nil {
			return gone, err
		}
		delete(l.holds, p)
		gone = append(gone, p)
	}
	sort.Strings(gone)
	return gone, nil
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// Truth is what was written so far: Total, counts and every UUID written
// (deleted ones included), and BadLines for the garbage.
func (l *Live) Truth() GroundTruth { return l.src.Truth() }

// Present lists the UUIDs the files hold now (what a fresh reader must find).
func (l *Live) Present() []string {
	var out []string
	for _, ids := range l.holds {
		out = append(out, ids...)
	}
	return out
}

// Close closes the files being written.
func (l *Live) Close() error {
	var first error
	for p, f := range l.open {
		if err := f.Close(); err != nil && first == nil {
			first = err
		}
		delete(l.open, p)
	}
	return first
}

// Backfill appends the last d of traffic at rate transactions per second,
// timed in the past (evenly spaced, oldest first), before a live run: the
// run then starts with a baseline at its own rate. No attacks.
func (l *Live) Backfill(d time.Duration, rate float64) error {
	n := int(d.Seconds() * rate)
	if n <= 0 {
		return nil
	}
	real := l.now
	defer func() { l.now = real }()
	start, step := real().Add(-d), d/time.Duration(n)
	for i := 0; i < n; i++ {
		at := start.Add(time.Duration(i) * step)
		l.now = func() time.Time { return at }
		if err := l.Append(1); err != nil {
			return err
		}
	}
	return nil
}

// Run appends rate transactions per second until ctx ends, and the
// attacks of cfg.Bursts on top.
func (l *Live) Run(ctx context.Context, rate float64) error {
	const tick = 100 * time.Millisecond
	t := time.NewTicker(tick)
	defer t.Stop()
	due := 0.0
	start := l.now()
	for {
		select {
		case <-ctx.Done():
			return l.Close()
		case <-t.C:
			due += rate * tick.Seconds()
			n := int(due)
			due -= float64(n)
			if err := l.Append(n); err != nil {
				return err
			}
			if err := l.appendBursts(l.now().Sub(start), tick); err != nil {
				return err
			}
		}
	}
}

// appendBursts writes the attacks under way at elapsed for one tick.
func (l *Live) appendBursts(elapsed, tick time.Duration) error {
	for _, b := range l.cfg.Bursts.active(elapsed, l.src.g.apis) {
		l.attackDue[b.kind] += b.rate * tick.Seconds()
		n := int(l.attackDue[b.kind])
		l.attackDue[b.kind] -= float64(n)
		if err := l.AppendAttack(b.kind, b.api, n); err != nil {
			return err
		}
	}
	return nil
}
