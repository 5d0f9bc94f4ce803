package index

import (
	"hash/maphash"
	"net/netip"
	"strings"
	"unsafe"

	"github.com/apifw/monitor/pkg/model"
)

// Dictionaries give every distinct value of a column a dense code. They are
// append-only: the writer owns the lookup maps, and a snapshot keeps the
// value slices as they were when it was published, so readers never lock.

// strDict encodes strings: values carved from an arena, found through a
// table of codes.
type strDict struct {
	table  codeTable
	values []string
	arena  arena
}

func newStrDict() *strDict { return &strDict{table: newCodeTable()} }

func (d *strDict) code(s string) uint32 {
	h := d.table.hash(s)
	if c, ok := d.table.find(h, func(c uint32) bool { return d.values[c] == s }); ok {
		return c
	}
	c := uint32(len(d.values))
	d.values = append(d.values, d.arena.clone(s)) // never pin the parser's line buffer
	d.table.insert(h, c, func(c uint32) uint64 { return d.table.hash(d.values[c]) })
	return c
}

// memory estimates the heap held: the arena, one slice entry per value and
// the table.
func (d *strDict) memory() int64 {
	return d.arena.bytes + int64(cap(d.values))*16 + d.table.bytes()
}

// APIRef is one protected API as records name it.
type APIRef struct {
	ID   string
	Name string
}

// FileRef is one source file: the ingest file id (stable across renames)
// and its path when the records were read.
type FileRef struct {
	ID   uint32
	Path string
}

// Tuple is one distinct combination of the low-cardinality fields of a
// record. Records store one tuple code instead of eight columns: real traffic
// has few combinations (an API's operations, its instances, a handful of
// outcomes), and a filter or group-by on any of these fields becomes one
// table lookup per row.
type Tuple struct {
	Instance      uint32 // codes into the snapshot's dictionaries
	API           uint32
	Hostname      uint32
	Method        uint32
	Operation     uint32
	Errors        uint32 // 0: no errors
	Status        int32
	BlockingLevel int32
	Outcome       model.Outcome
	NonBlocking   bool
}

// dicts are the writer's dictionaries.
type dicts struct {
	instances, hosts, methods, operations, clientIPs *strDict
	paths                                            *pathDict
	clientAddrs                                      []netip.Addr // parsed clientIPs, invalid when unparsable

	apiCodes map[APIRef]uint32
	apis     []APIRef

	errCodes map[string]uint32
	errs     [][]model.TransactionError // errs[0] is "no errors"
	errBytes int64

	tupleCodes codeTable
	tuples     []Tuple

	fileCodes map[FileRef]uint32
	files     []FileRef

	lastAPI  lastCode[APIRef] // the previous record's, looked up without hashing
	lastFile lastCode[FileRef]
}

// lastCode is the code a dictionary gave last, kept to answer a repeat.
type lastCode[K comparable] struct {
	ref  K
	code uint32
	ok   bool
}

func newDicts() *dicts {
	return &dicts{
		instances: newStrDict(), hosts: newStrDict(), methods: newStrDict(), operations: newStrDict(),
		clientIPs: newStrDict(), paths: newPathDict(),
		apiCodes: map[APIRef]uint32{}, errCodes: map[string]uint32{"": 0}, errs: [][]model.TransactionError{nil},
		tupleCodes: newCodeTable(), fileCodes: map[FileRef]uint32{},
	}
}

func (d *dicts) clientIP(s string) uint32 {
	c := d.clientIPs.code(s)
	if int(c) == len(d.clientAddrs) {
		a, err := netip.ParseAddr(s)
		if err != nil {
			a = netip.Addr{}
		}
		d.clientAddrs = append(d.clientAddrs, a)
	}
	return c
}

func (d *dicts) api(id, name string) uint32 {
	ref := APIRef{id, name}
	if d.lastAPI.ok && d.lastAPI.ref == ref { // records come in runs of one API
		return d.lastAPI.code
	}
	if c, ok := d.apiCodes[ref]; ok {
		d.lastAPI = lastCode[APIRef]{ref, c, true}
		return c
	}
	ref = APIRef{strings.Clone(id), strings.Clone(name)}
	c := uint32(len(d.apis))
	d.apis = append(d.apis, ref)
	d.apiCodes[ref] = c
	return c
}

// errors encodes a record's whole errors array, so records that failed the
// same way share one entry.
func (d *dicts) errors(errs []model.TransactionError) uint32 {
	if len(errs) == 0 {
		return 0
	}
	var b strings.Builder
	for _, e := range errs {
		b.WriteString(e.Step)
		b.WriteByte(0)
		b.WriteString(e.State)
		b.WriteByte(0)
		b.WriteString(e.Token)
		b.WriteByte(0)
		b.WriteString(e.Message)
		b.WriteByte(0)
		b.WriteByte(byte(e.Depth))
		b.WriteByte(byte(e.Depth >> 8))
		b.WriteByte(1)
	}
	key := b.String()
	if c, ok := d.errCodes[key]; ok {
		return c
	}
	own := make([]model.TransactionError, len(errs))
	for i, e := range errs {
		own[i] = model.TransactionError{Step: strings.Clone(e.Step), Depth: e.Depth, State: strings.Clone(e.State),
			Token: strings.Clone(e.Token), Message: strings.Clone(e.Message)}
	}
	c := uint32(len(d.errs))
	d.errs = append(d.errs, own)
	d.errCodes[key] = c
	d.errBytes += int64(2*len(key)) + 64*int64(len(errs))
	return c
}

func (d *dicts) tuple(t Tuple) uint32 {
	h := maphash.Comparable(d.tupleCodes.seed, t)
	if c, ok := d.tupleCodes.find(h, func(c uint32) bool { return d.tuples[c] == t }); ok {
		return c
	}
	c := uint32(len(d.tuples))
	d.tuples = append(d.tuples, t)
	d.tupleCodes.insert(h, c, func(c uint32) uint64 { return maphash.Comparable(d.tupleCodes.seed, d.tuples[c]) })
	return c
}

func (d *dicts) file(id uint32, path string) uint32 {
	ref := FileRef{id, path}
	if d.lastFile.ok && d.lastFile.ref == ref { // records come file by file
		return d.lastFile.code
	}
	if c, ok := d.fileCodes[ref]; ok {
		d.lastFile = lastCode[FileRef]{ref, c, true}
		return c
	}
	ref.Path = strings.Clone(path)
	c := uint32(len(d.files))
	d.files = append(d.files, ref)
	d.fileCodes[ref] = c
	return c
}

func (d *dicts) memory() int64 {
	n := d.instances.memory() + d.hosts.memory() + d.methods.memory() + d.operations.memory() +
		d.clientIPs.memory() + d.paths.memory()
	n += int64(cap(d.clientAddrs)) * 24
	n += int64(len(d.apis)) * 96
	n += d.errBytes + int64(cap(d.errs))*24
	n += int64(cap(d.tuples))*int64(unsafe.Sizeof(Tuple{})) + d.tupleCodes.bytes()
	n += int64(len(d.files)) * 96
	return n
}

// Dicts is a snapshot's read-only view of the dictionaries: a row's codes
// index these slices. Callers must not modify them.
type Dicts struct {
	Instances   []string
	Hostnames   []string
	Methods     []string
	Operations  []string
	ClientIPs   []string
	ClientAddrs []netip.Addr // parsed ClientIPs; invalid for unparsable values
	Paths       PathDict     // code → path: Paths.At(code)
	APIs        []APIRef
	Errors      [][]model.TransactionError
	Tuples      []Tuple
	Files       []FileRef
}

func (d *dicts) view() Dicts {
	return Dicts{
		Instances: d.instances.values, Hostnames: d.hosts.values, Methods: d.methods.values,
		Operations: d.operations.values, ClientIPs: d.clientIPs.values, ClientAddrs: d.clientAddrs,
		Paths: d.paths.view(), APIs: d.apis, Errors: d.errs, Tuples: d.tuples, Files: d.files,
	}
}
