package model

import (
	"runtime"
	"unsafe"
)

// arena is the block of memory that holds a model's packed weights, handed
// out in pieces as the layers are packed. On Linux it is mapped from the
// kernel in one piece, populated up front and backed by huge pages where
// the system allows them: the 14 MB of MobileNetV2 1.0 then cost a few
// page faults instead of thousands, each several microseconds on a VM.
type arena struct {
	mem  []float32
	used int
	free func() // returns mem to the system; nil for Go memory
}

// alloc returns n zeroed float32s at a 64-byte boundary, or nil once the
// arena is spent (the packers then allocate their own).
func (a *arena) alloc(n int) []float32 {
	start := (a.used + 15) &^ 15
	if start+n > len(a.mem) {
		return nil
	}
	a.used = start + n
	return a.mem[start : start+n : start+n]
}

// bytes is alloc for n bytes.
func (a *arena) bytes(n int) []uint8 {
	f := a.alloc((n + 3) / 4)
	if f == nil {
		return make([]uint8, n)
	}
	return unsafe.Slice((*uint8)(unsafe.Pointer(unsafe.SliceData(f))), n)
}

// keep ties the arena's memory to owner: it is returned when owner is
// collected. What the arena holds is reachable only through owner.
func keep[T any](a *arena, owner *T) {
	if a != nil && a.free != nil {
		runtime.AddCleanup(owner, func(free func()) { free() }, a.free)
	}
}

// release returns the memory now, for a load that failed.
func (a *arena) release() {
	if a != nil && a.free != nil {
		a.free()
		a.free = nil
		a.mem = nil
	}
}
