package index

// Trim gives back the room the writer keeps for growth: the open block's
// spare rows, the spare capacity of the dictionaries' slices, the unused
// end of the path dictionary's last chunk and a uuid table's spare slots. Call it after a large load, when
// the index is about to wait for new records (the collector does after a
// poll that added a block or more); the next append grows them again.
// Snapshots keep what they hold.
func (s *Store) Trim() {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	w := s.w
	if n := w.tv.n; n > 0 && (n < len(w.tail.uuids) || w.tv.nRuns < len(w.tail.runs)) {
		w.growTail(n, max(w.tv.nRuns, 1))
	}
	// A table just grown is two thirds full: rebuilt at trimLoad it takes a
	// fifth less (the rebuild reads every uuid once, as a growth does).
	if rows := w.rows(); rows >= trimTableRows && float64(w.table.n) < 0.8*float64(len(w.table.slots)) {
		w.rebuildTable(w.table.seed, int(float64(rows+1)*maxLoad/trimLoad))
	}
	w.dicts.trim()
	s.publish()
}

// trimLoad is how full Trim leaves a uuid table it rebuilds; growth starts
// at maxLoad, so the next rows need no rebuild at once.
const trimLoad = 0.85

// trimTableRows: below this, a uuid table is small and not worth rebuilding.
const trimTableRows = 1 << 16

// exact returns s with no spare capacity, copying it only when the spare
// room is worth a copy (over an eighth of it).
func exact[T any](s []T) []T {
	if cap(s)-len(s) <= len(s)/8 {
		return s
	}
	return append(make([]T, 0, len(s)), s...)
}

func (d *dicts) trim() {
	for _, sd := range []*strDict{d.instances, d.hosts, d.methods, d.operations, d.clientIPs} {
		sd.values = exact(sd.values)
	}
	d.clientAddrs = exact(d.clientAddrs)
	d.apis = exact(d.apis)
	d.errs = exact(d.errs)
	d.tuples = exact(d.tuples)
	d.files = exact(d.files)
	d.paths.trim()
}

func (d *pathDict) trim() {
	d.locs = exact(d.locs)
	if len(d.chunks) == 0 {
		return
	}
	last := len(d.chunks) - 1
	spare := len(d.chunks[last]) - d.used
	if spare <= len(d.chunks[last])/8 {
		return
	}
	// A new chunks slice: readers may be reading the old one's headers.
	chunks := append(make([][]byte, 0, len(d.chunks)), d.chunks...)
	chunks[last] = append(make([]byte, 0, d.used), d.chunks[last][:d.used]...)
	d.chunks = chunks
	d.bytes -= int64(spare)
}
