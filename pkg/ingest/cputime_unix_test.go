//go:build unix

package ingest

import (
	"syscall"
	"time"
)

// processCPU is the CPU time the process used so far (user + system): the
// benchmarks report CPU per record, which other load on the machine does
// not inflate as much as wall time.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
