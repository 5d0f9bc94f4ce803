package index

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/apifw/monitor/pkg/model"
)

// DeleteCriteria selects transactions to forget. Every criterion given must
// match (AND); list criteria match any of their values. At least one criterion
// is required: "everything" is asked for with a time range.
//
// A deletion covers the records that exist when it is made: besides UUIDs, it
// matches records older than the moment of deletion (or To, if earlier), and
// the records present then that are dated later (a firewall clock ahead) by
// their ids (DeletionRecord.Ahead). It is kept in the deletion log and
// applied again to every later Append, so re-reading the files never brings
// those records back, while traffic that arrives afterwards (say from the
// same client) is indexed as usual.
type DeleteCriteria struct {
	UUIDs     []string  `json:"uuids,omitempty"`
	ClientIP  string    `json:"clientIp,omitempty"` // an address or a CIDR
	APIs      []string  `json:"apis,omitempty"`     // API id or name
	Instances []string  `json:"instances,omitempty"`
	From      time.Time `json:"from,omitzero"` // records with From <= time
	To        time.Time `json:"to,omitzero"`   // and time < To
	// Actor says who asked; it is recorded, never matched.
	Actor string `json:"actor,omitempty"`
}

// DeletionRecord is one entry of the deletion log.
type DeletionRecord struct {
	Criteria DeleteCriteria `json:"criteria"`
	At       time.Time      `json:"at"`
	Count    int            `json:"count"` // transactions removed from the index when it was made
	Actor    string         `json:"actor,omitempty"`
	// Ahead lists the ids of records the criteria matched that are dated
	// after the deletion (a firewall clock ahead): they existed when it was
	// made, so they stay deleted although the time bound does not cover them.
	Ahead []string `json:"ahead,omitempty"`
}

// DeleteResult is what a Delete did.
type DeleteResult struct {
	Deleted int // transactions removed from the index
	Record  DeletionRecord
}

// ErrBadCriteria wraps every complaint about DeleteCriteria.
var ErrBadCriteria = errors.New("bad deletion criteria")

// deletionLog is the file name of the deletion log in StateDir.
const deletionLog = "deletions.jsonl"

// rule is compiled criteria.
type rule struct {
	uuids     map[string]bool     // nil: any
	client    model.ClientMatcher // set: client must match
	apis      map[string]bool
	instances map[string]bool
	from, to  int64 // µs
}

func compileRule(c DeleteCriteria, at time.Time) (rule, error) {
	r := rule{from: math.MinInt64, to: math.MaxInt64}
	if len(c.UUIDs) == 0 && c.ClientIP == "" && len(c.APIs) == 0 && len(c.Instances) == 0 && c.From.IsZero() && c.To.IsZero() {
		return r, fmt.Errorf("%w: give at least one of uuids, clientIp, apis, instances, from, to", ErrBadCriteria)
	}
	if len(c.UUIDs) > 0 {
		r.uuids = setOf(c.UUIDs)
	}
	if c.ClientIP != "" {
		m, err := model.ParseClientMatcher(strings.TrimSpace(c.ClientIP))
		if err != nil {
			return r, fmt.Errorf("%w: clientIp %q is not an address or CIDR", ErrBadCriteria, c.ClientIP)
		}
		r.client = m
	}
	if len(c.APIs) > 0 {
		r.apis = setOf(c.APIs)
	}
	if len(c.Instances) > 0 {
		r.instances = setOf(c.Instances)
	}
	if !c.From.IsZero() {
		r.from = c.From.UnixMicro()
	}
	if !c.To.IsZero() {
		r.to = c.To.UnixMicro()
	}
	if r.from >= r.to {
		return r, fmt.Errorf("%w: from must be before to", ErrBadCriteria)
	}
	if r.uuids == nil && !at.IsZero() { // see DeleteCriteria: only what existed when deleting
		r.to = min(r.to, at.UnixMicro()+1)
	}
	return r, nil
}

// aheadRows finds the live rows the criteria match that are dated after at
// (clock skew): rows the time-bounded rule r misses although they exist.
func (sn *Snapshot) aheadRows(c DeleteCriteria, r *rule) map[int][]int {
	if r.uuids != nil {
		return nil
	}
	all, err := compileRule(c, time.Time{})
	if err != nil || all.to <= r.to {
		return nil
	}
	all.from = max(all.from, r.to)
	return sn.matchingRows(&all)
}

func setOf(values []string) map[string]bool {
	m := make(map[string]bool, len(values))
	for _, v := range values {
		m[v] = true
	}
	return m
}

func (r *rule) matchTuple(instance, apiID, apiName string) bool {
	return (r.instances == nil || r.instances[instance]) && (r.apis == nil || r.apis[apiID] || r.apis[apiName])
}

func (r *rule) matchClient(a netip.Addr) bool {
	return !r.client.IsSet() || r.client.MatchAddr(a)
}

func (r *rule) match(t *model.Transaction) bool {
	if r.uuids != nil && !r.uuids[t.UUID] {
		return false
	}
	us := t.Time.UnixMicro()
	if us < r.from || us >= r.to || !r.matchTuple(t.Instance, t.APIID, t.APIName) {
		return false
	}
	if r.client.IsSet() {
		return r.client.Match(t.ClientIP)
	}
	return true
}

// tombstones are the compiled deletion log: what Append must skip.
type tombstones struct {
	uuids map[string]bool // ids deleted by id alone
	rules []rule
}

func newTombstones() tombstones { return tombstones{uuids: map[string]bool{}} }

func (ts *tombstones) add(r rule) {
	plain := !r.client.IsSet() && r.apis == nil && r.instances == nil && r.from == math.MinInt64 && r.to == math.MaxInt64
	if r.uuids != nil && plain {
		for id := range r.uuids {
			ts.uuids[id] = true
		}
		return
	}
	ts.rules = append(ts.rules, r)
}

func (ts *tombstones) covers(t *model.Transaction) bool {
	if ts.uuids[t.UUID] {
		return true
	}
	for i := range ts.rules {
		if ts.rules[i].match(t) {
			return true
		}
	}
	return false
}

func (ts *tombstones) bytes() int64 {
	n := int64(len(ts.uuids)) * 80
	for _, r := range ts.rules {
		n += 128 + int64(len(r.uuids))*80
	}
	return n
}

// matchingRows lists the live rows of sn a rule covers, by block.
func (sn *Snapshot) matchingRows(r *rule) map[int][]int {
	out := map[int][]int{}
	if r.uuids != nil {
		for id := range r.uuids {
			bi, row, ok := sn.find(id)
			if !ok || sn.blocks[bi].del.has(row) {
				continue
			}
			tx := sn.materialize(bi, row)
			if r.match(&tx) {
				out[bi] = append(out[bi], row)
			}
		}
		return out
	}
	d := &sn.dicts
	p := Predicate{From: r.from, To: r.to}
	if r.apis != nil || r.instances != nil {
		p.Tuples = make([]bool, len(d.Tuples))
		for i, tu := range d.Tuples {
			api := d.APIs[tu.API]
			p.Tuples[i] = r.matchTuple(d.Instances[tu.Instance], api.ID, api.Name)
		}
	}
	if r.client.IsSet() {
		p.ClientIPs = make([]bool, len(d.ClientAddrs))
		for i, a := range d.ClientAddrs {
			p.ClientIPs[i] = r.matchClient(a)
		}
	}
	parts := make([]map[int][]int, Workers(0, len(sn.blocks)))
	for i := range parts {
		parts[i] = map[int][]int{}
	}
	_ = sn.Scan(context.Background(), &p, ScanOptions{}, func(w int, c *Chunk) {
		for _, i := range c.Sel {
			parts[w][c.Block] = append(parts[w][c.Block], c.Base+int(i))
		}
	})
	for _, part := range parts {
		for b, rows := range part {
			out[b] = append(out[b], rows...)
		}
	}
	return out
}

// CountMatching says how many transactions Delete(c) would remove now; 0 for
// invalid criteria.
func (s *Store) CountMatching(c DeleteCriteria) int {
	r, err := compileRule(c, s.opts.Now())
	if err != nil {
		return 0
	}
	sn := s.Snapshot()
	n := 0
	for _, rows := range sn.matchingRows(&r) {
		n += len(rows)
	}
	for _, rows := range sn.aheadRows(c, &r) {
		n += len(rows)
	}
	return n
}

// Delete removes the matching transactions from the index and from every
// later Append, and records the deletion in the log (fsynced before it takes
// effect). Queries that already hold a snapshot finish on what they saw.
func (s *Store) Delete(c DeleteCriteria) (DeleteResult, error) {
	at := s.opts.Now().UTC()
	r, err := compileRule(c, at)
	if err != nil {
		return DeleteResult{}, err
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	sn := s.Snapshot()
	rows := sn.matchingRows(&r)
	var ahead []string
	for bi, rs := range sn.aheadRows(c, &r) {
		for _, row := range rs {
			ahead = append(ahead, sn.uuidOf(bi, row))
		}
		rows[bi] = append(rows[bi], rs...)
	}
	sort.Strings(ahead)
	n := 0
	for _, rs := range rows {
		n += len(rs)
	}
	actor := c.Actor
	c.Actor = ""
	rec := DeletionRecord{Criteria: c, At: at, Count: n, Actor: actor, Ahead: ahead}
	if err := s.persist(rec); err != nil {
		return DeleteResult{}, err
	}
	w := s.w
	w.sealed = append([]blockView(nil), w.sealed...) // published snapshots keep theirs
	for bi, rs := range rows {
		v := &w.tv
		if bi < len(w.sealed) {
			v = &w.sealed[bi]
		}
		v.del = v.del.with(rs, w.blockSize)
		v.deleted += len(rs)
	}
	w.live -= n
	s.tomb.add(r)
	for _, id := range ahead {
		s.tomb.uuids[id] = true
	}
	s.logMu.Lock()
	s.log = append(s.log, rec)
	s.logMu.Unlock()
	s.publish()
	if n > 0 {
		s.compactLocked(nil)
	}
	return DeleteResult{Deleted: n, Record: rec}, nil
}

// compactLocked rebuilds the writer from the live rows only, so that nothing
// of a deleted record stays in memory: not its row, not its id in the uuid
// table, not the dictionary values only it used (a deleted client address or
// path must not come back as a suggestion, a group or a regexp match on the
// dictionary). Readers go on with the snapshot they hold; the new content is
// published when it is complete. transform, if not nil, may change each
// row's position on the way (Relocate). The caller holds wmu.
//
// Rows are copied with their keys: no id parsing, no duplicate check (the
// rows are distinct already), no tombstone check (they are live).
func (s *Store) compactLocked(transform func(*model.Transaction)) {
	sn := s.Snapshot()
	w := s.newWriter(sn.live)
	hasOdd := sn.odd.n.Load() > 0
	copied := 0
	for bi := range sn.blocks {
		v := &sn.blocks[bi]
		for r := 0; r < v.n; r++ {
			if v.del.has(r) {
				continue
			}
			oddID := ""
			if hasOdd {
				s.oddMu.RLock()
				oddID = sn.odd.byRow[v.start+uint32(r)]
				s.oddMu.RUnlock()
			}
			tx := materialize(&sn.dicts, v, r, oddID)
			if transform != nil {
				transform(&tx)
			}
			key := v.b.uuids[r]
			if oddID == "" && w.tableFull() {
				w.grow()
			}
			row := w.add(&tx, key)
			if oddID == "" {
				w.table.insert(&key, row)
			} else {
				s.oddMu.Lock()
				w.odd.byID[oddID] = row
				w.odd.byRow[row] = oddID
				s.oddMu.Unlock()
				w.odd.n.Add(1)
			}
			if w.tv.n == w.blockSize {
				w.seal()
			}
			if copied++; copied%yieldEvery == 0 {
				runtime.Gosched()
			}
		}
	}
	s.w = w
	s.publish()
}

// Deletions returns the deletion log, oldest first.
func (s *Store) Deletions() []DeletionRecord {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	return append([]DeletionRecord(nil), s.log...)
}

// LoadError reports a deletion log that could not be read completely at
// start (lines that could not be parsed are skipped, the rest applies).
func (s *Store) LoadError() error { return s.loadErr }

func (s *Store) persist(rec DeletionRecord) error {
	if s.opts.StateDir == "" {
		return nil
	}
	if err := os.MkdirAll(s.opts.StateDir, 0o700); err != nil {
		return fmt.Errorf("deletion log: %w", err)
	}
	line, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	path := filepath.Join(s.opts.StateDir, deletionLog)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("deletion log: %w", err)
	}
	// A crash may have left a partial last line: start on a fresh one.
	if st, err := f.Stat(); err == nil && st.Size() > 0 && !endsWithNewline(path, st.Size()) {
		line = append([]byte{'\n'}, line...)
	}
	if _, err := f.Write(append(line, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("deletion log: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("deletion log: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("deletion log: %w", err)
	}
	syncDir(s.opts.StateDir)
	return nil
}

func endsWithNewline(path string, size int64) bool {
	f, err := os.Open(path)
	if err != nil {
		return true
	}
	defer f.Close()
	b := make([]byte, 1)
	if _, err := f.ReadAt(b, size-1); err != nil {
		return true
	}
	return b[0] == '\n'
}

// syncDir makes a newly created log file's directory entry durable.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}

func (s *Store) loadDeletions() {
	if s.opts.StateDir == "" {
		return
	}
	path := filepath.Join(s.opts.StateDir, deletionLog)
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return
	}
	if err != nil {
		s.loadErr = fmt.Errorf("deletion log: %w", err)
		return
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 64<<20)
	var bad []string
	for n := 1; sc.Scan(); n++ {
		if len(strings.TrimSpace(sc.Text())) == 0 {
			continue
		}
		var rec DeletionRecord
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			bad = append(bad, fmt.Sprintf("line %d: %v", n, err))
			continue
		}
		r, err := compileRule(rec.Criteria, rec.At)
		if err != nil {
			bad = append(bad, fmt.Sprintf("line %d: %v", n, err))
			continue
		}
		s.tomb.add(r)
		for _, id := range rec.Ahead {
			s.tomb.uuids[id] = true
		}
		s.log = append(s.log, rec)
	}
	if err := sc.Err(); err != nil {
		bad = append(bad, err.Error())
	}
	if len(bad) > 0 {
		s.loadErr = fmt.Errorf("deletion log %s: %s", path, strings.Join(bad, "; "))
	}
}

// Covers returns a check of whether a deletion made so far covers a record
// (what Append refuses), for rewriting the log files without them (purge).
// It is a copy: later deletions do not change it.
func (s *Store) Covers() func(*model.Transaction) bool {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	ts := tombstones{uuids: make(map[string]bool, len(s.tomb.uuids)), rules: append([]rule(nil), s.tomb.rules...)}
	for id := range s.tomb.uuids {
		ts.uuids[id] = true
	}
	return ts.covers
}

// Relocate changes the file positions of the records of the FileIDs in
// moves: a purge rewrote their files without deleted records, so the kept
// ones moved (each function maps an old byte offset and line to the new ones).
func (s *Store) Relocate(moves map[uint32]func(offset int64, line int) (int64, int)) {
	if len(moves) == 0 {
		return
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	s.compactLocked(func(tx *model.Transaction) {
		if move := moves[tx.FileID]; move != nil {
			tx.Offset, tx.Line = move(tx.Offset, tx.Line)
		}
	})
}
