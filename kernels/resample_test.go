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
