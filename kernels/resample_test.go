package kernels

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func TestAddScaled(t *testing.T) {
	forEachSet(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(9, 10))
		for _, n := range []int{1, 7, 31, 32, 33, 63, 64, 95, 672, 1000} {
			for _, off := range []int{0, 1, 3} { // unaligned starts
				src := randomBytes(r, n+off)[off:]
				acc := make([]int32, n+1+off)[off:]
				for i := range acc {
					acc[i] = r.Int32() >> 2
				}
				c := r.Int32N(1<<23) - 1<<22 // PIL's coefficients: 22 bits and a sign
				want := slices.Clone(acc)
				for i, v := range src {
					want[i] += int32(v) * c
				}
				AddScaled(acc[:n+1], src, c) // one sum past src: left as it was
				if !slices.Equal(acc, want) {
					t.Fatalf("n %d, offset %d: sums differ", n, off)
				}
			}
		}
	})
}

// BenchmarkAddScaled is the vertical pass of a resize to 224 for one source
// row (224 RGB pixels), reporting GOP/s (a multiply and an add a value).
func BenchmarkAddScaled(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	src := randomBytes(r, 3*224)
	acc := make([]int32, len(src))
	for _, name := range Sets() {
		b.Run(name, func(b *testing.B) {
			useSet(b, name)
			for b.Loop() {
				AddScaled(acc, src, 12345)
			}
			b.ReportMetric(float64(2*len(src)*b.N)/float64(b.Elapsed().Nanoseconds()), "GOP/s")
		})
	}
}

// resampleRowLoops is ResampleRow as its comment says it.
func resampleRowLoops(out, src []byte, bounds []int, coef []int32, ksize int) {
	for o := range len(bounds) / 2 {
		for ch := range 3 {
			sum := int32(1 << 21)
			for i := range bounds[2*o+1] {
				sum += int32(src[4*(bounds[2*o]+i)+ch]) * coef[o*ksize+i]
			}
			out[3*o+ch] = uint8(min(max(sum>>22, 0), 255))
		}
	}
}

func TestResampleRow(t *testing.T) {
	forEachSet(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(11, 12))
		for _, c := range []struct{ in, outs, ksize int }{
			{1, 1, 3}, {2, 5, 3}, {480, 224, 7}, {1280, 224, 15}, {100, 3, 71}, {7, 7, 3},
		} {
			for _, off := range []int{0, 1, 3} { // unaligned starts
				src := randomBytes(r, 4*c.in+off)[off:]
				bounds := make([]int, 2*c.outs)
				coef := make([]int32, c.outs*c.ksize)
				for o := range c.outs {
					n := 1 + r.IntN(min(c.ksize, c.in))
					first := r.IntN(c.in - n + 1)
					bounds[2*o], bounds[2*o+1] = first, n
					for i := range n {
						// Weights of PIL's range, some negative (Catmull-Rom),
						// some large enough to clamp.
						coef[o*c.ksize+i] = r.Int32N(3<<22) - 1<<22
					}
				}
				got := make([]byte, 3*c.outs+1+off)[off:]
				want := slices.Clone(got)
				got[3*c.outs], want[3*c.outs] = 0xAB, 0xAB // past the row: left alone
				w, err := NewResampleWeights(bounds, coef, c.ksize)
				if err != nil {
					t.Fatal(err)
				}
				ResampleRow(got[:3*c.outs], src, w)
				resampleRowLoops(want, src, bounds, coef, c.ksize)
				if !slices.Equal(got, want) {
					t.Fatalf("%+v, offset %d:\n got %v\nwant %v", c, off, got, want)
				}
			}
		}
	})
}

// BenchmarkResampleRow is the horizontal pass of a resize of a 720p photo
// decoded at 3/8 (480 pixels) to 224 with PIL's bilinear weights (five a
// pixel), reporting GOP/s (a multiply and an add a channel and weight).
func BenchmarkResampleRow(b *testing.B) {
	const in, outs, ksize, n = 480, 224, 7, 5
	r := rand.New(rand.NewPCG(3, 4))
	src := randomBytes(r, 4*in)
	bounds := make([]int, 2*outs)
	coef := make([]int32, outs*ksize)
	for o := range outs {
		bounds[2*o], bounds[2*o+1] = min(o*in/outs, in-n), n
		for i := range n {
			coef[o*ksize+i] = 1 << 22 / n
		}
	}
	out := make([]byte, 3*outs)
	w, err := NewResampleWeights(bounds, coef, ksize)
	if err != nil {
		b.Fatal(err)
	}
	for _, name := range Sets() {
		b.Run(name, func(b *testing.B) {
			useSet(b, name)
			for b.Loop() {
				ResampleRow(out, src, w)
			}
			b.ReportMetric(float64(2*3*n*outs*b.N)/float64(b.Elapsed().Nanoseconds()), "GOP/s")
		})
	}
}

func TestNewResampleWeights(t *testing.T) {
	for _, c := range []struct {
		bounds []int
		coef   []int32
		ksize  int
	}{
		{[]int{0, 4}, make([]int32, 3), 3},       // n > ksize
		{[]int{-1, 1}, make([]int32, 3), 3},      // first < 0
		{[]int{0, 1, 2, 1}, make([]int32, 3), 3}, // weights for one output
		{[]int{0}, make([]int32, 3), 3},          // half a bound
	} {
		if _, err := NewResampleWeights(c.bounds, c.coef, c.ksize); err == nil {
			t.Errorf("NewResampleWeights(%v, %d weights, %d): no error", c.bounds, len(c.coef), c.ksize)
		}
	}
	w, err := NewResampleWeights([]int{0, 2, 3, 3}, make([]int32, 6), 3)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if recover() == nil {
			t.Error("ResampleRow of a row shorter than the weights read: no panic")
		}
	}()
	ResampleRow(make([]byte, 6), make([]byte, 4*5), w) // needs 6 pixels
}
