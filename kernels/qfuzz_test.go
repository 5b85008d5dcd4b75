package kernels

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// The fuzz tests of the 8-bit kernels run every kernel set on shapes, zero
// points and requantizations the fuzzer picks, and require the generic
// kernel's bits of each (the generic kernels are checked against an int64
// evaluation of the formulas in qkernels_test.go). data's bytes, if any,
// replace the first inputs.

// qFuzzRun runs the kernel under every set and compares with generic.
func qFuzzRun(t *testing.T, n int, run func(dst []uint8)) {
	t.Helper()
	var base []uint8
	for _, name := range Sets() {
		useSet(t, name)
		dst := make([]uint8, n+8)
		for i := range dst {
			dst[i] = 0xa5
		}
		run(dst[:n])
		if !bytes.Equal(dst[n:], bytes.Repeat([]byte{0xa5}, 8)) {
			t.Fatalf("set %s wrote past its output", name)
		}
		if base == nil {
			base = dst[:n]
			continue
		}
		if i := firstDiff(dst[:n], base); i >= 0 {
			t.Fatalf("set %s: output %d = %d, generic %d", name, i, dst[i], base[i])
		}
	}
}

func firstDiff(a, b []uint8) int {
	for i := range a {
		if a[i] != b[i] {
			return i
		}
	}
	return -1
}

func FuzzQPointwise(f *testing.F) {
	f.Add(uint8(7), uint16(16), uint16(33), false, uint64(1), []byte{})
	f.Add(uint8(13), uint16(96), uint16(16), true, uint64(2), []byte{0, 255, 128, 1})
	f.Fuzz(func(t *testing.T, px uint8, cin, cout uint16, perChannel bool, seed uint64, data []byte) {
		pixels, ci, co := 1+int(px)%40, 1+int(cin)%200, 1+int(cout)%80
		r := rand.New(rand.NewPCG(seed, 3))
		c := newQCase(r, co*ci, co, ci, perChannel)
		src := randomBytes(r, pixels*ci)
		copy(src, data)
		w := PackQPointwise(c.w, c.unsigned, c.wZero[0], c.bias, co, ci, c.inZero, c.out)
		qFuzzRun(t, pixels*co, func(dst []uint8) { QPointwise(dst, src, pixels, w, 0, co) })
	})
}

func FuzzQDepthwise(f *testing.F) {
	f.Add(uint8(5), uint8(7), uint16(32), true, false, uint64(1), []byte{})
	f.Add(uint8(1), uint8(1), uint16(24), false, true, uint64(2), []byte{255, 0})
	f.Fuzz(func(t *testing.T, hh, ww uint8, ch uint16, stride2, perChannel bool, seed uint64, data []byte) {
		h, w, c, stride := 1+int(hh)%20, 1+int(ww)%20, 1+int(ch)%100, 1
		if stride2 {
			stride = 2
		}
		r := rand.New(rand.NewPCG(seed, 4))
		q := newQCase(r, 9*c, c, 9, perChannel)
		src := randomBytes(r, h*w*c)
		copy(src, data)
		wt := PackQDepthwise(q.w, q.unsigned, q.wZero, q.bias, c, q.inZero, q.out)
		oh, ow := outSize(h, stride), outSize(w, stride)
		qFuzzRun(t, oh*ow*c, func(dst []uint8) { QDepthwise(dst, src, h, w, stride, h, 0, oh, wt, 0, c) })
	})
}

func FuzzQStem(f *testing.F) {
	f.Add(uint8(9), uint8(8), uint8(32), false, uint64(1), []byte{})
	f.Fuzz(func(t *testing.T, hh, ww, cout uint8, perChannel bool, seed uint64, data []byte) {
		h, w, co := 1+int(hh)%40, 1+int(ww)%40, 1+int(cout)%48
		r := rand.New(rand.NewPCG(seed, 5))
		q := newQCase(r, 27*co, co, 27, perChannel)
		src := randomBytes(r, h*w*3)
		copy(src, data)
		wt := PackQStem(q.w, q.unsigned, q.wZero, q.bias, co, q.inZero, q.out)
		oh, ow := outSize(h, 2), outSize(w, 2)
		qFuzzRun(t, oh*ow*co, func(dst []uint8) { QStem(dst, src, h, w, 0, oh, wt) })
	})
}
