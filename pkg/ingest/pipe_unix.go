//go:build unix

package ingest

import (
	"errors"
	"io"
	"syscall"
)

// pipeReader reads a named pipe without ever blocking: what is buffered now,
// then EOF. It stays open between polls so the writer keeps a reader.
type pipeReader struct{ fd int }

func openPipe(path string) (*pipeReader, error) {
	fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	return &pipeReader{fd: fd}, nil
}

func (p *pipeReader) Read(b []byte) (int, error) {
	for {
		n, err := syscall.Read(p.fd, b)
		switch {
		case errors.Is(err, syscall.EINTR):
			continue
		case errors.Is(err, syscall.EAGAIN):
			return 0, io.EOF
		case err != nil:
			return 0, err
		case n == 0:
			return 0, io.EOF // no writer
		}
		return n, nil
	}
}

func (p *pipeReader) Close() error { return syscall.Close(p.fd) }
