package index

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"unsafe"
)

// The binary encoding of a persisted index (persist.go): varints for counts
// and small numbers, length-prefixed strings, and columns as their raw
// little-endian bytes, so that loading a column is one read into its final
// slice.

// hostLittleEndian: columns are copied as memory on little-endian hosts (all
// the platforms Grafana ships for), converted element by element elsewhere.
var hostLittleEndian = func() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 1
}()

// errCorrupt wraps every complaint about the bytes being decoded.
var errCorrupt = errors.New("corrupt index snapshot")

type encoder struct {
	w   io.Writer
	err error
	buf [binary.MaxVarintLen64]byte
}

func (e *encoder) raw(b []byte) {
	if e.err == nil && len(b) > 0 {
		_, e.err = e.w.Write(b)
	}
}

func (e *encoder) uvarint(v uint64) { e.raw(e.buf[:binary.PutUvarint(e.buf[:], v)]) }
func (e *encoder) varint(v int64)   { e.raw(e.buf[:binary.PutVarint(e.buf[:], v)]) }

func (e *encoder) bool(v bool) {
	if v {
		e.uvarint(1)
	} else {
		e.uvarint(0)
	}
}

func (e *encoder) str(s string) {
	e.uvarint(uint64(len(s)))
	e.raw(unsafe.Slice(unsafe.StringData(s), len(s)))
}

func (e *encoder) bytes(b []byte) {
	e.uvarint(uint64(len(b)))
	e.raw(b)
}

// fixed is an element type a column is written as: its little-endian bytes.
type fixed interface {
	~uint16 | ~uint32 | ~uint64 | ~int64
}

func putFixed[T fixed](e *encoder, s []T) {
	e.uvarint(uint64(len(s)))
	if len(s) == 0 {
		return
	}
	size := int(unsafe.Sizeof(s[0]))
	if hostLittleEndian {
		e.raw(unsafe.Slice((*byte)(unsafe.Pointer(&s[0])), len(s)*size))
		return
	}
	var b [8]byte
	for _, v := range s {
		binary.LittleEndian.PutUint64(b[:], uint64(v))
		e.raw(b[:size])
	}
}

// decoder reads what encoder wrote. left bounds every length it accepts, so
// damaged bytes cannot make it allocate more than the file holds; the
// checksum over the whole file is verified after decoding (persist.go).
type decoder struct {
	r    io.Reader
	left int64
	err  error
	one  [1]byte
}

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: "+format, append([]any{errCorrupt}, args...)...)
	}
}

func (d *decoder) read(b []byte) {
	if d.err != nil || len(b) == 0 {
		return
	}
	if int64(len(b)) > d.left {
		d.fail("%d bytes wanted, %d left", len(b), d.left)
		return
	}
	if _, err := io.ReadFull(d.r, b); err != nil {
		d.err = fmt.Errorf("%w: %v", errCorrupt, err)
		return
	}
	d.left -= int64(len(b))
}

func (d *decoder) ReadByte() (byte, error) {
	d.read(d.one[:])
	return d.one[0], d.err
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, err := binary.ReadUvarint(d)
	if err != nil {
		d.fail("bad varint")
	}
	return v
}

func (d *decoder) varint() int64 {
	u := d.uvarint()
	return int64(u>>1) ^ -int64(u&1)
}

func (d *decoder) bool() bool { return d.uvarint() != 0 }

// count reads a number of elements of size bytes each that the rest of the
// input can hold.
func (d *decoder) count(size int) int {
	n := d.uvarint()
	if d.err == nil && n > uint64(d.left)/uint64(size) {
		d.fail("%d elements of %d bytes, %d bytes left", n, size, d.left)
	}
	if d.err != nil {
		return 0
	}
	return int(n)
}

// u32 reads a number that must fit 32 bits.
func (d *decoder) u32() uint32 {
	v := d.uvarint()
	if v > 1<<32-1 {
		d.fail("%d does not fit 32 bits", v)
	}
	return uint32(v)
}

func (d *decoder) bytes() []byte {
	b := make([]byte, d.count(1))
	d.read(b)
	return b
}

func (d *decoder) str() string {
	b := d.bytes()
	return unsafe.String(unsafe.SliceData(b), len(b))
}

func getFixed[T fixed](d *decoder) []T {
	var zero T
	size := int(unsafe.Sizeof(zero))
	s := make([]T, d.count(size))
	if len(s) == 0 {
		return s
	}
	if hostLittleEndian {
		d.read(unsafe.Slice((*byte)(unsafe.Pointer(&s[0])), len(s)*size))
		return s
	}
	var b [8]byte
	for i := range s {
		d.read(b[:size])
		s[i] = T(binary.LittleEndian.Uint64(b[:]) & (1<<(8*size) - 1))
	}
	return s
}

// unsafeBytes is the memory of s (element types without pointers only).
func unsafeBytes[T any](s []T) []byte {
	if len(s) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&s[0])), len(s)*int(unsafe.Sizeof(s[0])))
}
