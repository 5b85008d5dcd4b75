package kernels

import "testing"

// The benchmarks run every kernel set on the layer shapes of MobileNetV2
// 1.0/224 (from layersFile), one sub-benchmark per distinct shape, and report GFLOP/s
// (a multiply-add is two FLOPs; padding taps count as work).

func benchLayers(b *testing.B, o op, run func(l layer) func()) {
	for _, name := range Sets() {
		b.Run(name, func(b *testing.B) {
			useSet(b, name)
			seen := map[layer]bool{}
			for _, l := range append(network(b, "1.0", 224), inatClassifiers...) {
				key := l
				key.name = ""
				if l.op != o || seen[key] {
					continue
				}
				seen[key] = true
				b.Run(l.name, func(b *testing.B) {
					f := run(l)
					for b.Loop() {
						f()
					}
					b.ReportMetric(l.flops()*float64(b.N)/float64(b.Elapsed().Nanoseconds()), "GFLOP/s")
				})
			}
		})
	}
}

func BenchmarkPointwise(b *testing.B) {
	benchLayers(b, opPointwise, func(l layer) func() {
		r := newRand(l.name)
		pixels := l.h * l.w
		src := uniform(r, pixels*l.cin, 1)
		pw := PackPointwise(uniform(r, l.cout*l.cin, weightScale(l.cin)), uniform(r, l.cout, 2), l.cout, l.cin)
		dst := make([]float32, pixels*l.cout)
		var res []float32
		if l.residual {
			res = uniform(r, pixels*l.cout, 3)
		}
		return func() { Pointwise(dst, src, pixels, pw, res, 0, pw.Cout, l.act.lo, l.act.hi) }
	})
}

func BenchmarkDepthwise(b *testing.B) {
	benchLayers(b, opDepthwise, func(l layer) func() {
		r := newRand(l.name)
		src := uniform(r, l.h*l.w*l.cin, 1)
		dw := PackDepthwise(uniform(r, 9*l.cin, weightScale(9)), uniform(r, l.cin, 2), l.cin)
		oh, ow := outSize(l.h, l.stride), outSize(l.w, l.stride)
		dst := make([]float32, oh*ow*l.cin)
		return func() { Depthwise(dst, src, l.h, l.w, l.stride, l.h, 0, oh, dw, 0, l.cin, l.act.lo, l.act.hi) }
	})
}

func BenchmarkStem(b *testing.B) {
	benchLayers(b, opStem, func(l layer) func() {
		r := newRand(l.name)
		src := uniform(r, l.h*l.w*3, 1)
		sw := PackStem(uniform(r, 27*l.cout, weightScale(27)), uniform(r, l.cout, 2), l.cout)
		oh, ow := outSize(l.h, 2), outSize(l.w, 2)
		dst := make([]float32, oh*ow*l.cout)
		return func() { Stem(dst, src, l.h, l.w, 0, oh, sw, l.act.lo, l.act.hi) }
	})
}
