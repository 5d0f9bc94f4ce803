package ingest

import (
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/apifw/monitor/pkg/model"
)

// FileResult sums up one file read.
type FileResult struct {
	Records int
	Bad     []BadRecord // skipped input, and repaired records (Kept)
	Pending bool        // the file ends with an incomplete line that may still be written
}

// ReadFile parses every record of one file once (no tailing) and calls emit
// for each good one, in file order. Bad lines are collected, never fatal. A
// last line without a newline is used when it parses (a finished file),
// otherwise it is reported as pending (a writer is still appending it).
func ReadFile(src SourceFile, opts Options, emit func(model.Transaction)) (FileResult, error) {
	var res FileResult
	cfg, err := parserConfigFor(opts)
	if err != nil {
		return res, err
	}
	layout := src.Layout
	if layout == LayoutAuto {
		layout = LayoutNDJSON
	}
	r := newStreamReader(cfg, opts.workers())
	c := &cursor{}
	fc := &fileCtx{path: src.Path, instance: src.Instance, unknown: src.Kind == KindUnknownTransactions}
	out := readOutput{
		records: func(recs []model.Transaction) {
			res.Records += len(recs)
			for _, t := range recs {
				emit(t)
			}
		},
		bad: func(b BadRecord) { res.Bad = append(res.Bad, b) },
	}
	for {
		in, closeIn, err := openAt(src.Path, c.offset)
		if err != nil {
			return res, err
		}
		err = r.read(in, c, fc, layout, false, src.Size-c.offset, out)
		closeIn()
		if errors.Is(err, errReadAgain) {
			continue
		}
		res.Pending = c.pending > 0
		if err != nil {
			return res, fmt.Errorf("read %s line %d: %w", src.Path, c.line+1, err)
		}
		return res, nil
	}
}

// openAt opens a file positioned at a content offset: a seek for plain
// files, decompressing and skipping for .gz archives.
func openAt(path string, offset int64) (io.Reader, func(), error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("open %s: %s", path, describeFSError(err))
	}
	if !IsGzip(path) {
		if _, err := f.Seek(offset, io.SeekStart); err != nil {
			f.Close()
			return nil, nil, err
		}
		return f, func() { f.Close() }, nil
	}
	gz, err := gzip.NewReader(f)
	if err != nil {
		f.Close()
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return eofReader{}, func() {}, nil // empty or still being written
		}
		return nil, nil, fmt.Errorf("gzip %s: %w", path, err)
	}
	src := &gzipSource{r: gz}
	if _, err := io.CopyN(io.Discard, src, offset); err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		gz.Close()
		f.Close()
		return nil, nil, fmt.Errorf("gzip %s: %w", path, err)
	}
	return src, func() { gz.Close(); f.Close() }, nil
}

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }

// gzipSource notes whether the archive ended cleanly: only then is an
// unterminated last line final rather than still being written.
type gzipSource struct {
	r     *gzip.Reader
	clean bool
}

func (g *gzipSource) Read(b []byte) (int, error) {
	n, err := g.r.Read(b)
	if errors.Is(err, io.EOF) {
		g.clean = true
	}
	return n, err
}

func (g *gzipSource) finished() bool { return g.clean }

// finisher is a source that knows whether it ended for good.
type finisher interface{ finished() bool }
