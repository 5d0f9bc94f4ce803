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

// chownLike gives f the owner and group of like, when allowed (a purge
// rewrites a log file as its owner left it).
func chownLike(f *os.File, like os.FileInfo) {
	if st, ok := like.Sys().(*syscall.Stat_t); ok {
		_ = f.Chown(int(st.Uid), int(st.Gid))
	}
}

// openListed opens a file found by a listing for reading without following a
// symbolic link in its last element and without blocking on a named pipe put
// in its place since: the caller then checks the descriptor's identity.
func openListed(path string) (*os.File, error) {
	fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	return os.NewFile(uintptr(fd), path), nil
}
