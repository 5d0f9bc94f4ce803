//go:build !unix

package ingest

import "errors"

type pipeReader struct{}

func openPipe(string) (*pipeReader, error) {
	return nil, errors.New("reading named pipes is not supported on this system")
}

func (*pipeReader) Read([]byte) (int, error) { return 0, errors.New("not supported") }

func (*pipeReader) Close() error { return nil }
