package kernels

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"unsafe"
)

// byteWeights returns n random bytes and, for each of c channels, the table
// of the values they stand for; channels share a few tables, as the
// channels of a per-tensor quantized layer all share one.
func byteWeights(r *rand.Rand, n, c int) ([]byte, []*[256]float32) {
	q := make([]byte, n)
	for i := range q {
		q[i] = byte(r.Uint32())
	}
	tables := make([]*[256]float32, 3)
	for i := range tables {
		tables[i] = new([256]float32)
		copy(tables[i][:], uniform(r, 256, 2))
	}
	luts := make([]*[256]float32, c)
	for ch := range luts {
		luts[ch] = tables[r.IntN(len(tables))]
	}
	return q, luts
}

// dequantize returns the values of the bytes q of a layer whose element i
// belongs to channel ch(i).
func dequantize(q []byte, luts []*[256]float32, ch func(i int) int) []float32 {
	w := make([]float32, len(q))
	for i, v := range q {
		w[i] = luts[ch(i)][v]
	}
	return w
}

// inMem returns n zeroed float32s inside NaN guards, for the packers that
// place their output in memory given.
func inMem(n int) (mem, all []float32) {
	all = make([]float32, guard+n+guard)
	nanFill(all)
	mem = all[guard : guard+n]
	clear(mem)
	return mem, all
}

// The packers that read weights stored as bytes pack what the float packers
// pack from the dequantized values, bit for bit, in the memory given and
// nowhere else.
func TestPackBytes(t *testing.T) {
	r := newRand("packbytes")
	for _, s := range [][2]int{{1001, 37}, {1001, 1280}, {16, 5}, {7, 3}, {40, 24}, {1, 1}, {17, 16}} {
		cout, cin := s[0], s[1]
		t.Run(fmt.Sprintf("pointwise_%dx%d", cout, cin), func(t *testing.T) {
			q, luts := byteWeights(r, cout*cin, cout)
			bias := uniform(r, cout, 1)
			want := PackPointwise(dequantize(q, luts, func(i int) int { return i / cin }), bias, cout, cin)
			lut := func(o int) *[256]float32 { return luts[o] }
			mem, all := inMem(PointwiseSize(cout, cin))
			for _, got := range []*PointwiseWeights{PackPointwiseBytes(mem, q, lut, bias, cout, cin), PackPointwiseBytes(nil, q, lut, bias, cout, cin)} {
				if !slices.Equal(bits(got.W), bits(want.W)) || !slices.Equal(bits(got.Bias), bits(want.Bias)) || got.Cin != cin || got.Cout != cout {
					t.Errorf("packed from bytes differs from packed from their values")
				}
			}
			checkGuards(t, all, len(mem))
		})
	}
	for _, c := range []int{1, 7, 16, 17, 144, 960} {
		t.Run(fmt.Sprintf("depthwise_%d", c), func(t *testing.T) {
			q, luts := byteWeights(r, 9*c, c)
			bias := uniform(r, c, 1)
			want := PackDepthwise(dequantize(q, luts, func(i int) int { return i % c }), bias, c)
			lut := func(ch int) *[256]float32 { return luts[ch] }
			mem, all := inMem(DepthwiseSize(c))
			for _, got := range []*DepthwiseWeights{PackDepthwiseBytes(mem, q, lut, bias, c), PackDepthwiseBytes(nil, q, lut, bias, c)} {
				if !slices.Equal(bits(got.W), bits(want.W)) || !slices.Equal(bits(got.Bias), bits(want.Bias)) || got.C != c {
					t.Errorf("packed from bytes differs from packed from their values")
				}
			}
			checkGuards(t, all, len(mem))
		})
	}
	for _, cout := range []int{1, 15, 16, 32, 33} {
		t.Run(fmt.Sprintf("stem_%d", cout), func(t *testing.T) {
			q, luts := byteWeights(r, 27*cout, cout)
			bias := uniform(r, cout, 1)
			want := PackStem(dequantize(q, luts, func(i int) int { return i / 27 }), bias, cout)
			lut := func(o int) *[256]float32 { return luts[o] }
			mem, all := inMem(StemSize(cout))
			for _, got := range []*StemWeights{PackStemBytes(mem, q, lut, bias, cout), PackStemBytes(nil, q, lut, bias, cout)} {
				if !slices.Equal(bits(got.W), bits(want.W)) || !slices.Equal(bits(got.Bias), bits(want.Bias)) || got.Cout != cout {
					t.Errorf("packed from bytes differs from packed from their values")
				}
			}
			checkGuards(t, all, len(mem))
		})
	}
}

// BenchmarkPack packs the pointwise layers of MobileNetV2 1.0/224 (and the
// iNaturalist classifiers) whole,
// from float32 values and from bytes, and reports the packed GB/s.
func BenchmarkPack(b *testing.B) {
	var shapes [][2]int
	for _, l := range append(network(b, "1.0", 224), inatClassifiers...) {
		if l.op == opPointwise {
			shapes = append(shapes, [2]int{l.cout, l.cin})
		}
	}
	r := newRand("packbench")
	var bytes int
	floats := make([][]float32, len(shapes))
	quant := make([][]byte, len(shapes))
	table := new([256]float32)
	copy(table[:], uniform(r, 256, 1))
	lut := func(int) *[256]float32 { return table }
	for i, s := range shapes {
		quant[i], _ = byteWeights(r, s[0]*s[1], 1)
		floats[i] = dequantize(quant[i], []*[256]float32{table}, func(int) int { return 0 })
		bytes += 4 * PointwiseSize(s[0], s[1])
	}
	mems := make([][]float32, len(shapes))
	for i, s := range shapes {
		mems[i] = make([]float32, PointwiseSize(s[0], s[1]))
	}
	report := func(b *testing.B) {
		b.ReportMetric(float64(bytes)*float64(b.N)/float64(b.Elapsed().Nanoseconds()), "GB/s")
	}
	b.Run("floats", func(b *testing.B) {
		for b.Loop() {
			for i, s := range shapes {
				PackPointwise(floats[i], nil, s[0], s[1])
			}
		}
		report(b)
	})
	b.Run("bytes", func(b *testing.B) {
		for b.Loop() {
			for i, s := range shapes {
				PackPointwiseBytes(mems[i], quant[i], lut, nil, s[0], s[1])
			}
		}
		report(b)
	})
}

// guardedMem returns a Mem of n bytes inside a block filled with 0xa5,
// and a check that nothing outside the n bytes was written.
func guardedMem(t *testing.T, n int) (*Mem, []byte, func()) {
	all := make([]byte, guard+n+guard)
	for i := range all {
		all[i] = 0xa5
	}
	mem := all[guard : guard+n]
	clear(mem)
	return NewMem(mem), mem, func() {
		t.Helper()
		for i, v := range all {
			if (i < guard || i >= guard+n) && v != 0xa5 {
				t.Fatalf("wrote outside the memory given, at byte %d", i-guard)
			}
		}
	}
}

// within reports whether all of s lies in mem.
func within[T any](mem []byte, s []T) bool {
	if len(s) == 0 {
		return true
	}
	lo, hi := uintptr(unsafe.Pointer(&mem[0])), uintptr(unsafe.Pointer(&mem[len(mem)-1]))
	first, last := uintptr(unsafe.Pointer(&s[0])), uintptr(unsafe.Pointer(&s[len(s)-1]))
	return lo <= first && last <= hi
}

// PackQPointwiseIn packs what PackQPointwise packs, in the memory that
// QPointwiseSize asks for and nowhere else.
func TestPackQPointwiseIn(t *testing.T) {
	r := newRand("packqin")
	for _, s := range [][2]int{{1001, 1280}, {16, 5}, {7, 3}, {40, 24}, {1, 1}} {
		cout, cin := s[0], s[1]
		w, _ := byteWeights(r, cout*cin, 1)
		bias := make([]int32, cout)
		for i := range bias {
			bias[i] = int32(r.IntN(2001) - 1000)
		}
		out := Requant{Mult: []int32{1 << 30}, Shift: []int32{-7}, Zero: 3, Lo: 0, Hi: 255}
		want := PackQPointwise(w, true, 128, bias, cout, cin, 5, out)
		mem, block, check := guardedMem(t, QPointwiseSize(cout, cin))
		got := PackQPointwiseIn(mem, w, true, 128, bias, cout, cin, 5, out)
		if !slices.Equal(got.Int16s(), want.Int16s()) || !slices.Equal(got.Bias, want.Bias) || !slices.Equal(got.s8, want.s8) ||
			!slices.Equal(got.vt, want.vt) || !slices.Equal(got.requant(), want.requant()) {
			t.Errorf("%dx%d: packed in memory given differs from packed alone", cout, cin)
		}
		if !within(block, got.Bias) || !within(block, got.Out.Mult) || !within(block, got.s8) || !within(block, got.vt) ||
			got.s8 == nil && (!within(block, got.w16) || !within(block, got.rq)) {
			t.Errorf("%dx%d: not all packed in the memory given", cout, cin)
		}
		check()
	}
}

// PackQDepthwiseIn packs what PackQDepthwise packs, in the memory that
// QDepthwiseSize asks for and nowhere else.
func TestPackQDepthwiseIn(t *testing.T) {
	r := newRand("packqdwin")
	for _, c := range []int{32, 144, 7, 40, 960} {
		w, _ := byteWeights(r, 9*c, 1)
		bias := make([]int32, c)
		for i := range bias {
			bias[i] = int32(r.IntN(2001) - 1000)
		}
		out := Requant{Mult: []int32{1 << 30}, Shift: []int32{-7}, Zero: 3, Lo: 0, Hi: 255}
		want := PackQDepthwise(w, true, []int32{128}, bias, c, 5, out)
		mem, block, check := guardedMem(t, QDepthwiseSize(c))
		got := PackQDepthwiseIn(mem, w, true, []int32{128}, bias, c, 5, out)
		if !slices.Equal(got.W, want.W) || !slices.Equal(got.Bias, want.Bias) || !slices.Equal(got.zp, want.zp) ||
			!slices.Equal(got.pairs32, want.pairs32) || !slices.Equal(got.bias32, want.bias32) || !slices.Equal(got.rq32, want.rq32) ||
			!slices.Equal(got.pairs, want.pairs) || !slices.Equal(got.rq16, want.rq16) || !slices.Equal(got.requant(), want.requant()) {
			t.Errorf("%d channels: packed in memory given differs from packed alone", c)
		}
		if !within(block, got.W) || !within(block, got.Out.Shift) || !within(block, got.zp) ||
			!within(block, got.pairs32) || !within(block, got.rq32) || !within(block, got.pairs) || !within(block, got.rq16) {
			t.Errorf("%d channels: not all packed in the memory given", c)
		}
		check()
	}
}

// packRow, where the CPU has one, writes and measures a row as the Go loop
// of packVNNIWeights does: every length of row to past two chunks of 64,
// both types of weight.
func TestPackRow(t *testing.T) {
	if packRow == nil {
		t.Skip("no packRow on this CPU")
	}
	r := newRand("packrow")
	for cin := 4; cin <= 200; cin += 4 {
		for _, unsigned := range []bool{false, true} {
			row := make([]uint8, cin+1)[1:] // unaligned
			for i := range row {
				row[i] = uint8(r.IntN(256))
			}
			zb := uint8(r.IntN(256))
			groups := cin / 4
			got, want := make([]uint8, groups*64+1), make([]uint8, groups*64+1)
			got[len(got)-1], want[len(want)-1] = 0xa5, 0xa5
			var sum, lo, hi int32 = 0, 255, -128
			if unsigned {
				hi = 0
			}
			for i, b := range row {
				v := int32(int8(b))
				if unsigned {
					v = int32(b)
				}
				sum, lo, hi = sum+v, min(lo, v), max(hi, v)
				want[i/4*64+i%4] = b - zb
			}
			s, l, h := packRow(got, row, zb, unsigned)
			if s != sum || l != lo || h != hi || !slices.Equal(got, want) {
				t.Fatalf("cin %d unsigned %v: sum, lo, hi %d %d %d, want %d %d %d; bytes equal %v",
					cin, unsigned, s, l, h, sum, lo, hi, slices.Equal(got, want))
			}
		}
	}
}
