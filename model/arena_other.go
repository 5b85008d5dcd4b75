//go:build !linux

package model

// newArena returns n float32s of ordinary Go memory: the mapping of the
// Linux version is not worth its system calls elsewhere.
func newArena(n int) *arena { return &arena{mem: make([]float32, n)} }
