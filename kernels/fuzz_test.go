package kernels

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// The fuzz tests compare every kernel set with the float64 reference, and
// each set but generic with generic, on shapes and data the fuzzer picks:
// sizes are bounded to keep each input fast, data come from seed, and data's
// bytes, if any, override the first input values.

// fuzzData returns n inputs in [-1, 1): the bytes of data first, as int8/128,
// then values drawn from r.
func fuzzData(r *rand.Rand, n int, data []byte) []float32 {
	s := uniform(r, n, 1)
	for i := range min(n, len(data)) {
		s[i] = float32(int8(data[i])) / 128
	}
	return s
}

// compareSets runs the kernel under every set, checks each result against
// want, and each set but generic against generic.
func compareSets(t *testing.T, n int, want *ref, cell func(i int) string, run func(dst []float32)) {
	t.Helper()
	var base []float32
	for _, name := range Sets() {
		useSet(t, name)
		dst, all := newOut(n)
		run(dst)
		checkGuards(t, all, n)
		compare(t, dst, want, cell)
		if base == nil {
			base = dst
			continue
		}
		for i := range dst {
			if d := float64(dst[i] - base[i]); !(d <= 2*relTol*want.mag[i] && -d <= 2*relTol*want.mag[i]) {
				t.Fatalf("set %s: %s: got %v, generic %v", name, cell(i), dst[i], base[i])
			}
		}
	}
}

func FuzzPointwise(f *testing.F) {
	f.Add(uint8(7), uint16(17), uint16(33), uint8(5), uint64(1), []byte{})
	f.Add(uint8(13), uint16(96), uint16(16), uint8(0), uint64(2), []byte{0x80, 0x7f, 0, 1})
	f.Fuzz(func(t *testing.T, px uint8, cin, cout uint16, mode uint8, seed uint64, data []byte) {
		pixels, ci, co := 1+int(px)%32, 1+int(cin)%160, 1+int(cout)%80
		a, residual := acts[int(mode)%len(acts)], mode&4 != 0
		r := rand.New(rand.NewPCG(seed, 2))
		src := unaligned(fuzzData(r, pixels*ci, data))
		w := uniform(r, co*ci, weightScale(ci))
		bias := uniform(r, co, 2)
		var res []float32
		if residual {
			res = unaligned(uniform(r, pixels*co, 3))
		}
		want := refPointwise(src, w, bias, res, pixels, ci, co, a)
		pw := PackPointwise(w, bias, co, ci)
		cell := func(i int) string {
			return fmt.Sprintf("%d pixels x %d -> %d, residual %v, %s: pixel %d channel %d", pixels, ci, co, residual, a.name, i/co, i%co)
		}
		compareSets(t, pixels*co, want, cell, func(dst []float32) {
			Pointwise(dst, src, pixels, pw, res, 0, co, a.lo, a.hi)
		})
	})
}

func FuzzDepthwise(f *testing.F) {
	f.Add(uint8(7), uint8(15), uint16(17), uint8(1), uint64(1), []byte{})
	f.Add(uint8(4), uint8(9), uint16(40), uint8(2), uint64(3), []byte{0x80, 0x7f, 0, 1})
	f.Fuzz(func(t *testing.T, hb, wb uint8, cb uint16, mode uint8, seed uint64, data []byte) {
		h, w, c, stride := 1+int(hb)%24, 1+int(wb)%24, 1+int(cb)%80, 1+int(mode)%2
		a := acts[int(mode>>1)%len(acts)]
		r := rand.New(rand.NewPCG(seed, 3))
		src := unaligned(fuzzData(r, h*w*c, data))
		wt := uniform(r, 9*c, weightScale(9))
		bias := uniform(r, c, 2)
		want := refDepthwise(src, wt, bias, h, w, c, stride, a)
		dw := PackDepthwise(wt, bias, c)
		oh, ow := outSize(h, stride), outSize(w, stride)
		cell := func(i int) string {
			return fmt.Sprintf("%dx%dx%d stride %d, %s: y %d x %d channel %d", h, w, c, stride, a.name, i/c/ow, i/c%ow, i%c)
		}
		// In two ranges of channels, split at a tile boundary.
		k := Tile * (int(cb>>8) % (c/Tile + 1))
		compareSets(t, oh*ow*c, want, cell, func(dst []float32) {
			Depthwise(dst, src, h, w, stride, h, 0, oh, dw, k, c, a.lo, a.hi)
			Depthwise(dst, src, h, w, stride, h, 0, oh, dw, 0, k, a.lo, a.hi)
		})
	})
}

func FuzzStem(f *testing.F) {
	f.Add(uint8(7), uint8(15), uint8(17), uint8(0), uint64(1), []byte{})
	f.Add(uint8(16), uint8(9), uint8(32), uint8(1), uint64(4), []byte{0x80, 0x7f, 0, 1})
	f.Fuzz(func(t *testing.T, hb, wb, cb uint8, mode uint8, seed uint64, data []byte) {
		h, w, cout := 1+int(hb)%24, 1+int(wb)%24, 1+int(cb)%64
		a := acts[int(mode)%len(acts)]
		r := rand.New(rand.NewPCG(seed, 4))
		src := unaligned(fuzzData(r, h*w*3, data))
		wt := uniform(r, 27*cout, weightScale(27))
		bias := uniform(r, cout, 2)
		want := refStem(src, wt, bias, h, w, cout, a)
		sw := PackStem(wt, bias, cout)
		oh, ow := outSize(h, 2), outSize(w, 2)
		cell := func(i int) string {
			return fmt.Sprintf("%dx%dx3 -> %d, %s: y %d x %d channel %d", h, w, cout, a.name, i/cout/ow, i/cout%ow, i%cout)
		}
		compareSets(t, oh*ow*cout, want, cell, func(dst []float32) {
			Stem(dst, src, h, w, 0, oh, sw, a.lo, a.hi)
		})
	})
}
