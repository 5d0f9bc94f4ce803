//go:build !unix

package ingest

import "os"

// identityOf has no inode to offer here: files are known by path and
// fingerprint only, so a rename is seen as a copy of known content.
func identityOf(os.FileInfo) (dev, ino uint64, ok bool) { return 0, 0, false }

// chownLike has no owners to copy here.
func chownLike(*os.File, os.FileInfo) {}

// openListed opens a listed file for reading.
func openListed(path string) (*os.File, error) { return os.Open(path) }
