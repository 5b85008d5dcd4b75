package tflite

import (
	"encoding/binary"
	"fmt"
	"math"
)

// le is the byte order of flatbuffers, and of the tensor data they hold.
var le = binary.LittleEndian

// fbReader decodes flatbuffer tables, vectors and strings from buf. Every
// access is bounds-checked. The first failure is kept in err and later
// accesses return zero values, so a parse can read a whole object and then
// check err once, where it can say which object was bad.
type fbReader struct {
	buf []byte
	// budget is the number of vector elements still allowed to be decoded
	// into new memory. It starts at len(buf): without it, a file whose
	// thousands of tensors all point at one long vector would decode that
	// vector thousands of times.
	budget int
	err    error
}

// fbTable is the position of a table and of its vtable.
type fbTable struct {
	pos     int // start of the table, which holds the signed offset to its vtable
	size    int // bytes of the table's inline data, from its vtable
	vtable  int
	nfields int // field slots in the vtable; 0 for an absent table
}

func (r *fbReader) fail(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf(format, args...)
	}
}

// need reports whether the n bytes at pos lie inside the file.
func (r *fbReader) need(what string, pos, n int) bool {
	if r.err != nil {
		return false
	}
	if pos < 0 || n < 0 || pos > len(r.buf) || n > len(r.buf)-pos {
		r.fail("%s at %d, %d bytes, runs past the end of the file (%d bytes)", what, pos, n, len(r.buf))
		return false
	}
	return true
}

// follow returns the position that the unsigned offset at pos points to.
func (r *fbReader) follow(pos int) int {
	if !r.need("offset", pos, 4) {
		return -1
	}
	off := uint64(le.Uint32(r.buf[pos:]))
	if uint64(pos)+off >= uint64(len(r.buf)) {
		r.fail("offset at %d points to %d, past the end of the file (%d bytes)", pos, uint64(pos)+off, len(r.buf))
		return -1
	}
	return pos + int(off)
}

// table returns the table at pos.
func (r *fbReader) table(pos int) fbTable {
	if !r.need("table", pos, 4) {
		return fbTable{}
	}
	vt := int64(pos) - int64(int32(le.Uint32(r.buf[pos:])))
	if vt < 0 || vt > int64(len(r.buf)-4) {
		r.fail("table at %d: vtable at %d is outside the file (%d bytes)", pos, vt, len(r.buf))
		return fbTable{}
	}
	t := fbTable{pos: pos, vtable: int(vt)}
	vtSize := int(le.Uint16(r.buf[t.vtable:]))
	t.size = int(le.Uint16(r.buf[t.vtable+2:]))
	if vtSize < 4 || vtSize%2 != 0 || t.size < 4 {
		r.fail("table at %d: vtable of %d bytes for %d bytes of fields is malformed", pos, vtSize, t.size)
		return fbTable{}
	}
	if !r.need("vtable", t.vtable, vtSize) || !r.need("table", pos, t.size) {
		return fbTable{}
	}
	t.nfields = (vtSize - 4) / 2
	return t
}

// field returns the position of field id of t, an n-byte value, or -1 if
// the field is absent.
func (r *fbReader) field(t fbTable, id, n int) int {
	if r.err != nil || id >= t.nfields {
		return -1
	}
	off := int(le.Uint16(r.buf[t.vtable+4+2*id:]))
	if off == 0 {
		return -1
	}
	if off < 4 || off+n > t.size {
		r.fail("table at %d: field %d at offset %d (%d bytes) lies outside the table (%d bytes)", t.pos, id, off, n, t.size)
		return -1
	}
	return t.pos + off
}

// scalar returns the n-byte little-endian field id of t, or def if absent.
func (r *fbReader) scalar(t fbTable, id, n int, def uint64) uint64 {
	p := r.field(t, id, n)
	if p < 0 {
		return def
	}
	var v uint64
	for i := n - 1; i >= 0; i-- {
		v = v<<8 | uint64(r.buf[p+i])
	}
	return v
}

// subtable returns the table that field id of t points to; an absent table
// reads as all defaults.
func (r *fbReader) subtable(t fbTable, id int) fbTable {
	p := r.field(t, id, 4)
	if p < 0 {
		return fbTable{}
	}
	return r.table(r.follow(p))
}

// vector returns the position of the first element and the length of the
// vector that field id of t points to, whose elements have n bytes each.
func (r *fbReader) vector(t fbTable, id, n int) (start, length int) {
	p := r.field(t, id, 4)
	if p < 0 {
		return 0, 0
	}
	p = r.follow(p)
	if !r.need("vector", p, 4) {
		return 0, 0
	}
	c := uint64(le.Uint32(r.buf[p:]))
	start = p + 4
	if c*uint64(n) > uint64(len(r.buf)-start) {
		r.fail("vector at %d: %d elements of %d bytes run past the end of the file (%d bytes left)", p, c, n, len(r.buf)-start)
		return 0, 0
	}
	return start, int(c)
}

// tableAt returns element i of the vector of tables at start.
func (r *fbReader) tableAt(start, i int) fbTable {
	return r.table(r.follow(start + 4*i))
}

// decode spends n elements of the budget and reports whether decoding may go on.
func (r *fbReader) decode(n int) bool {
	r.budget -= n
	if r.budget < 0 {
		r.fail("its vectors decode to more elements than the file has bytes (%d): it shares data too often", len(r.buf))
	}
	return r.err == nil && n > 0
}

// ints returns the [int] vector field id of t; nil if absent or empty.
func (r *fbReader) ints(t fbTable, id int) []int {
	p, n := r.vector(t, id, 4)
	if !r.decode(n) {
		return nil
	}
	v := make([]int, n)
	for i := range v {
		v[i] = int(int32(le.Uint32(r.buf[p+4*i:])))
	}
	return v
}

func (r *fbReader) float32s(t fbTable, id int) []float32 {
	p, n := r.vector(t, id, 4)
	if !r.decode(n) {
		return nil
	}
	v := make([]float32, n)
	for i := range v {
		v[i] = math.Float32frombits(le.Uint32(r.buf[p+4*i:]))
	}
	return v
}

func (r *fbReader) int64s(t fbTable, id int) []int64 {
	p, n := r.vector(t, id, 8)
	if !r.decode(n) {
		return nil
	}
	v := make([]int64, n)
	for i := range v {
		v[i] = int64(le.Uint64(r.buf[p+8*i:]))
	}
	return v
}

// string returns the string field id of t, "" if absent.
func (r *fbReader) string(t fbTable, id int) string {
	p, n := r.vector(t, id, 1)
	if r.err != nil || p == 0 {
		return ""
	}
	if !r.need("string terminator", p+n, 1) {
		return ""
	}
	if r.buf[p+n] != 0 {
		r.fail("string at %d is not terminated by a zero byte", p-4)
		return ""
	}
	if !r.decode(n) {
		return ""
	}
	return string(r.buf[p : p+n])
}

// bytes returns the [ubyte] vector field id of t as a sub-slice of the
// file, nil if absent or empty.
func (r *fbReader) bytes(t fbTable, id int) []byte {
	p, n := r.vector(t, id, 1)
	if r.err != nil || n == 0 {
		return nil
	}
	return r.buf[p : p+n : p+n]
}
