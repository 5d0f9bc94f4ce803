//go:build unix

package ingest

import (
	"os"
	"syscall"
)

// identityOf returns the device and inode of a file: what stays the same
// when a file is renamed (rotation) and changes when it is re-created.
func identityOf(fi os.FileInfo) (dev, ino uint64, ok bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, 0, false
	}
	return uint64(st.Dev), st.Ino, true //nolint:unconvert // Dev is int32 on some platforms
}
