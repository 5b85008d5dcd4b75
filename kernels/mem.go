package kernels

import "unsafe"

// Mem is a block of zeroed memory that the packers of the integer pass
// carve what they keep from, layer after layer, so that a model can hold
// all its weights and tables in one mapping populated at once: on a VM
// where each page touched for the first time costs microseconds, a
// thousand heap pages are a good part of a cold start. A nil Mem, or one
// that is spent, gives ordinary Go memory instead.
type Mem struct {
	b []byte
}

// NewMem returns a Mem over b, which must be zeroed and is not to be used
// otherwise while the Mem hands it out.
func NewMem(b []byte) *Mem { return &Mem{b: b} }

// memAlign is where each piece starts: a cache line, as the kernels' loads
// of a tile prefer.
const memAlign = 64

// memSize returns the bytes that n Ts take from a Mem, alignment included.
func memSize[T any](n int) int {
	var t T
	return roundUp(n*int(unsafe.Sizeof(t)), memAlign) + memAlign
}

// carve returns n zeroed Ts from m at a memAlign boundary, or from the Go
// heap if m is nil or has too little left.
func carve[T int16 | int32 | uint8 | bool](m *Mem, n int) []T {
	if m == nil || n == 0 {
		return make([]T, n)
	}
	var t T
	size := n * int(unsafe.Sizeof(t))
	pad := int(-uintptr(unsafe.Pointer(unsafe.SliceData(m.b))) & (memAlign - 1))
	if pad+size > len(m.b) {
		return make([]T, n)
	}
	p := unsafe.Pointer(&m.b[pad])
	m.b = m.b[min(len(m.b), pad+roundUp(size, memAlign)):]
	return unsafe.Slice((*T)(p), n)
}
