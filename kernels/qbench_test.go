package kernels

import (
	"math/rand/v2"
	"testing"
)

// The 8-bit kernels on the layer shapes of MobileNetV2 1.0/224, every set,
// reporting GOP/s (a multiply-add is two operations, as GFLOP/s for the
// float kernels).

func newQLayer(l layer, n, cout, fanIn int) (qcase, *rand.Rand) {
	r := newRand(l.name)
	rr := rand.New(rand.NewPCG(r.Uint64(), 1))
	return newQCase(rr, n, cout, fanIn, false), rr
}

func BenchmarkQPointwise(b *testing.B) {
	benchLayers(b, opPointwise, func(l layer) func() {
		c, r := newQLayer(l, l.cout*l.cin, l.cout, l.cin)
		pixels := l.h * l.w
		src := randomBytes(r, pixels*l.cin)
		w := PackQPointwise(c.w, c.unsigned, c.wZero[0], c.bias, l.cout, l.cin, c.inZero, c.out)
		dst := make([]uint8, pixels*l.cout)
		return func() { QPointwise(dst, src, pixels, w, 0, l.cout) }
	})
}

func BenchmarkQDepthwise(b *testing.B) {
	benchLayers(b, opDepthwise, func(l layer) func() {
		c, r := newQLayer(l, 9*l.cin, l.cin, 9)
		src := randomBytes(r, l.h*l.w*l.cin)
		w := PackQDepthwise(c.w, c.unsigned, c.wZero, c.bias, l.cin, c.inZero, c.out)
		oh, ow := outSize(l.h, l.stride), outSize(l.w, l.stride)
		dst := make([]uint8, oh*ow*l.cin)
		return func() { QDepthwise(dst, src, l.h, l.w, l.stride, l.h, 0, oh, w, 0, l.cin) }
	})
}

func BenchmarkQStem(b *testing.B) {
	benchLayers(b, opStem, func(l layer) func() {
		c, r := newQLayer(l, 27*l.cout, l.cout, 27)
		src := randomBytes(r, l.h*l.w*3)
		w := PackQStem(c.w, c.unsigned, c.wZero, c.bias, l.cout, c.inZero, c.out)
		oh, ow := outSize(l.h, 2), outSize(l.w, 2)
		dst := make([]uint8, oh*ow*l.cout)
		return func() { QStem(dst, src, l.h, l.w, 0, oh, w) }
	})
}

// BenchmarkQAdd times the residual add of a bottleneck of 56x56x24 values,
// reporting billions of values a second.
func BenchmarkQAdd(b *testing.B) {
	for _, name := range Sets() {
		b.Run(name, func(b *testing.B) {
			useSet(b, name)
			r := rand.New(rand.NewPCG(8, 8))
			n := 56 * 56 * 24
			x, y, dst := randomBytes(r, n), randomBytes(r, n), make([]uint8, n)
			p := NewQAdd(0.05, 130, 0.03, 120, 0.07, 128, 0, 255)
			for b.Loop() {
				QAddTensors(dst, x, y, &p)
			}
			b.ReportMetric(float64(n)*float64(b.N)/float64(b.Elapsed().Nanoseconds()), "Gvalues/s")
		})
	}
}
