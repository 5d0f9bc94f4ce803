package index

// A first scan over 10 M records grows the uuid table a dozen times, and
// each growth re-reads every uuid held: about three inserts per record in
// all, most of them cache misses. Told how many bytes of logs are coming, the
// store learns the records' average size from the first of them and sizes
// the table once for all.

// expectSample is how many records the average size is learned from.
const expectSample = 1 << 14

// minExpectedLength: records this short (no length known) give no estimate.
const minExpectedLength = 64

// expectation is a first scan in progress: the bytes announced, and the
// records and bytes appended since.
type expectation struct {
	bytes, seen int64
	rows        int
}

// Expect says that about bytes of log records are about to be appended.
func (s *Store) Expect(bytes int64) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	s.expect = expectation{bytes: bytes}
}

// expected counts an appended record of length bytes (its newline added);
// at expectSample records it sizes the uuid table for the rest.
func (w *writer) expected(e *expectation, length int32) {
	e.seen += int64(max(length, 0)) + 1
	if e.seen >= e.bytes { // a small scan: it is over before the sample
		*e = expectation{}
		return
	}
	if e.rows++; e.rows < expectSample {
		return
	}
	if e.seen/int64(e.rows) < minExpectedLength {
		*e = expectation{} // lengths unknown (0): no estimate
		return
	}
	rest := (e.bytes - e.seen) * int64(e.rows) / e.seen
	want := w.rows() + int(max(rest, 0))*51/50 // 2% over: lengths vary
	if float64(want) > maxLoad*float64(len(w.table.slots)) {
		w.rebuildTable(w.table.seed, want)
	}
	*e = expectation{}
}
