package generate

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Source draws transactions one at a time, for writers that append (the
// live writer, the STDOUT layout) rather than lay out whole files.
type Source struct {
	g       *generator
	track   bool
	truth   GroundTruth
	clients map[string]bool
}

// Generated is one drawn transaction.
type Generated struct {
	UUID     string
	Instance string
	APIID    string // "n/a" for unmatched traffic
	File     string // its file name in the FILES layout
	Outcome  string
	JSON     []byte // the record, one line, no newline
}

// NewSource returns a source of cfg's APIs and instances (Records, Start
// and End are not used: the caller picks times and counts).
func NewSource(cfg Config) (*Source, error) {
	g, err := newGenerator(cfg)
	if err != nil {
		return nil, err
	}
	return &Source{g: g, track: cfg.TrackUUIDs, truth: newTruth(), clients: map[string]bool{}}, nil
}

// Next draws a transaction at ts. padTo > 0 makes the record at least that
// long (a long Set-Cookie response header), to exercise message splitting.
func (s *Source) Next(ts time.Time, padTo int) Generated {
	r, inst, file, outcome, client := s.g.next(ts.Truncate(time.Microsecond))
	js := encodeRecord(&r)
	if padTo > len(js) {
		pad := strings.Repeat("x", padTo-len(js)+16)
		hdrs := r.Params["response_header"].([]map[string]string)
		r.Params["response_header"] = append(hdrs, map[string]string{"Set-Cookie": "big=" + pad})
		js = encodeRecord(&r)
	}
	s.truth.add(&r, inst, outcome, client, s.clients, s.track)
	return Generated{UUID: r.UUID, Instance: inst, APIID: r.API, File: file, Outcome: outcome, JSON: js}
}

// Truth is what was drawn so far.
func (s *Source) Truth() GroundTruth { return s.truth }

// NoteBad counts injected input that must be reported as bad records.
func (s *Source) NoteBad(n int) { s.truth.BadLines += n }

// Rand is the source's random generator (for writers' own choices).
func (s *Source) Rand() *rand.Rand { return s.g.rng }

func encodeRecord(r *record) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(r)
	return bytes.TrimRight(b.Bytes(), "\n")
}

// Wrapper is how a container runtime frames console lines in its log file.
type Wrapper string

const (
	WrapPlain  Wrapper = "plain"  // the console text as is (a redirected stdout)
	WrapDocker Wrapper = "docker" // json-file: {"log":"…\n","stream":"stdout","time":"…"}
	WrapCRI    Wrapper = "cri"    // containerd / CRI-O: "<time> stdout F|P <text>"
)

// DefaultSplitSize is the firewall's split size for console messages.
const DefaultSplitSize = 8 << 10

// Console renders firewall console output: the prefix
// "source:counter:length:split", the header on a message's first chunk,
// messages longer than SplitSize cut into chunks, then the runtime wrapper
// (which itself cuts lines longer than RuntimeSplit into partial lines).
type Console struct {
	Wrapper      Wrapper
	SplitSize    int // 0: DefaultSplitSize
	RuntimeSplit int // 0: 16 KiB, what Docker and containerd use
	counters     map[string]uint64
}

// Message returns the console lines of one message of source (one string per
// firewall line, before wrapping), numbering it with the source's counter.
func (c *Console) Message(source string, ts time.Time, msg []byte) []string {
	if c.counters == nil {
		c.counters = map[string]uint64{}
	}
	c.counters[source]++
	counter := c.counters[source]
	split := c.SplitSize
	if split <= 0 {
		split = DefaultSplitSize
	}
	header := fmt.Sprintf("[%s] [guardian:info] [19:140737488350024] ", ts.UTC().Format("Mon Jan 02 15:04:05.000000 2006"))
	if len(msg) <= split {
		return []string{fmt.Sprintf("%s:%d:%d:0 %s%s", source, counter, len(msg), header, msg)}
	}
	var lines []string
	for k, rest := 1, msg; len(rest) > 0; k++ {
		n := min(split, len(rest))
		h := ""
		if k == 1 {
			h = header
		}
		lines = append(lines, fmt.Sprintf("%s:%d:%d:%d %s%s", source, counter, len(msg), k, h, rest[:n]))
		rest = rest[n:]
	}
	return lines
}

// Wrap frames one console line as the runtime writes it (one or more
// physical lines, each ending with a newline).
func (c *Console) Wrap(line string, ts time.Time) string {
	limit := c.RuntimeSplit
	if limit <= 0 {
		limit = 16 << 10
	}
	var parts []string
	for len(line) > limit && c.Wrapper != WrapPlain {
		parts = append(parts, line[:limit])
		line = line[limit:]
	}
	parts = append(parts, line)
	var b strings.Builder
	for i, p := range parts {
		last := i == len(parts)-1
		switch c.Wrapper {
		case WrapDocker:
			text := p
			if last {
				text += "\n"
			}
			js, _ := json.Marshal(struct {
				Log    string `json:"log"`
				Stream string `json:"stream"`
				Time   string `json:"time"`
			}{text, "stdout", ts.UTC().Format(time.RFC3339Nano)})
			b.Write(js)
		case WrapCRI:
			tag := "P"
			if last {
				tag = "F"
			}
			fmt.Fprintf(&b, "%s stdout %s %s", ts.UTC().Format(time.RFC3339Nano), tag, p)
		default:
			b.WriteString(p)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// TransactionSource is the console source name of a generated transaction.
func TransactionSource(g Generated) string {
	if g.APIID == "n/a" {
		return g.Instance + ".unknown.transaction"
	}
	return g.Instance + ".api-" + g.APIID + ".transaction"
}

// StdoutConfig describes a captured STDOUT file to write.
type StdoutConfig struct {
	Config
	Console
	// LongEvery makes every n-th record longer than the split size (0: none).
	LongEvery int
	// NoiseEvery writes an access or error log line every n records (0: none).
	NoiseEvery int
	// Interleave delays the later chunks of a split message after the next
	// message's lines, as concurrent writers produce.
	Interleave bool
}

// WriteStdout writes cfg.Records transactions as the firewall's console
// output captured in one file, in time order, and returns what it wrote.
func WriteStdout(path string, cfg StdoutConfig) (GroundTruth, error) {
	if !cfg.End.After(cfg.Start) {
		return GroundTruth{}, fmt.Errorf("need a non-empty time span")
	}
	src, err := NewSource(cfg.Config)
	if err != nil {
		return GroundTruth{}, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return GroundTruth{}, err
	}
	f, err := os.Create(path)
	if err != nil {
		return GroundTruth{}, err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	step := cfg.End.Sub(cfg.Start) / time.Duration(max(1, cfg.Records))
	var held []string // later chunks of the previous split message
	for i := 0; i < cfg.Records; i++ {
		ts := cfg.Start.Add(time.Duration(i) * step)
		pad := 0
		if cfg.LongEvery > 0 && i%cfg.LongEvery == cfg.LongEvery-1 {
			pad = cfg.Console.splitSize()*2 + 100
		}
		g := src.Next(ts, pad)
		msg := cfg.Console.Message(TransactionSource(g), ts, g.JSON)
		var noise []string
		if cfg.NoiseEvery > 0 && i%cfg.NoiseEvery == 0 {
			noise = noiseLines(&cfg.Console, g.Instance, ts)
		}
		var now []string
		if cfg.Interleave && len(msg) > 1 {
			now = append(append([]string{msg[0]}, held...), noise...)
			held = msg[1:]
		} else {
			now = append(append(append([]string{}, msg...), held...), noise...)
			held = nil
		}
		for _, l := range now {
			w.WriteString(cfg.Console.Wrap(l, ts))
		}
	}
	for _, l := range held {
		w.WriteString(cfg.Console.Wrap(l, cfg.End))
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return GroundTruth{}, err
	}
	return src.Truth(), f.Close()
}

func (c *Console) splitSize() int {
	if c.SplitSize > 0 {
		return c.SplitSize
	}
	return DefaultSplitSize
}

// noiseLines are the other sources an instance writes to the console.
func noiseLines(c *Console, instance string, ts time.Time) []string {
	access := fmt.Sprintf(`192.168.228.1 - - [%s] "GET /api/user/info HTTP/1.1" 200 209 0 0 51785 "-"`, ts.UTC().Format("02/Jan/2006:15:04:05 -0700"))
	out := c.Message(instance+".vh-f1b7ae34-3b0e-47d4-892c-b0cfc129c7fe.access", ts, []byte(access))
	out = append(out, c.Message(instance+".main.error", ts, []byte("AH00489: Apache/2.4.57 (Unix) configured -- resuming normal operations"))...)
	return append(out, "entrypoint: firewall started") // not firewall output at all
}
