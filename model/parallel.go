package model

import (
	"sync"

	"github.com/mbv2/mbv2/kernels"
)

// A step is one layer's kernel call, described so that any range of its
// output (rows, pixels or channel tiles) can be computed by any thread.
// Each output value is computed the same way whatever the split, so results
// are bit-identical for every thread count.
type step struct {
	kind      stepKind
	dst, src  []float32
	shortcut  []float32 // pointwise: residual input, or nil
	h, w      int       // input size (stem, depthwise)
	stride    int       // depthwise
	pixels    int       // pointwise
	pointwise *kernels.PointwiseWeights
	depthwise *kernels.DepthwiseWeights
	stem      *kernels.StemWeights
	lo, hi    float32 // clamp

	// A streamed bottleneck: src is its input, dst its output.
	block   Bottleneck
	weights *bottleneckWeights
	timing  bool

	scratch []scratch // one per thread
}

type stepKind int

const (
	stemStep stepKind = iota
	pointwiseStep
	depthwiseStep
	bottleneckStep
)

// size returns how many units of work the step splits into.
func (s *step) size() int {
	switch s.kind {
	case pointwiseStep:
		if s.pixels == 1 {
			// The classifier: split its output channels, by tiles.
			return (s.pointwise.Cout + kernels.Tile - 1) / kernels.Tile
		}
		return s.pixels
	case depthwiseStep:
		out, _ := kernels.SamePad(s.h, 3, s.stride)
		return out
	case bottleneckStep:
		return s.block.OutH
	default:
		out, _ := kernels.SamePad(s.h, 3, 2)
		return out
	}
}

// run computes units [from, to) of the step on the given thread.
func (s *step) run(thread, from, to int) {
	switch s.kind {
	case bottleneckStep:
		s.stream(&s.scratch[thread], thread == 0, from, to)
	case stemStep:
		kernels.Stem(s.dst, s.src, s.h, s.w, from, to, s.stem, s.lo, s.hi)
	case depthwiseStep:
		ow, _ := kernels.SamePad(s.w, 3, s.stride)
		kernels.Depthwise(s.dst[from*ow*s.depthwise.C:], s.src, s.h, s.w, s.stride, s.h, from, to, s.depthwise, s.lo, s.hi)
	case pointwiseStep:
		w := s.pointwise
		if s.pixels == 1 {
			// Tiles from..to-1 are contiguous in the packed layout: a view
			// of them is a smaller layer over the same input. (The view
			// lives in the thread's scratch, not on the heap.)
			c0, c1 := from*kernels.Tile, min(to*kernels.Tile, w.Cout)
			view := &s.scratch[thread].view
			*view = kernels.PointwiseWeights{Cin: w.Cin, Cout: c1 - c0, W: w.W[c0*w.Cin : to*kernels.Tile*w.Cin], Bias: w.Bias[c0 : to*kernels.Tile]}
			var shortcut []float32
			if s.shortcut != nil {
				shortcut = s.shortcut[c0:c1]
			}
			kernels.Pointwise(s.dst[c0:c1], s.src, 1, view, shortcut, s.lo, s.hi)
			return
		}
		cin, cout := w.Cin, w.Cout
		var shortcut []float32
		if s.shortcut != nil {
			shortcut = s.shortcut[from*cout : to*cout]
		}
		kernels.Pointwise(s.dst[from*cout:to*cout], s.src[from*cin:to*cin], to-from, w, shortcut, s.lo, s.hi)
	}
}

// pool is a persistent set of goroutines that share the work of each step
// with the calling goroutine: no goroutine is started per inference.
type pool struct {
	threads int
	work    []chan part // one per helper goroutine
	wg      sync.WaitGroup
}

type part struct {
	s                *step
	thread, from, to int
}

func newPool(threads int) *pool {
	p := &pool{threads: max(threads, 1)}
	for range p.threads - 1 {
		c := make(chan part)
		p.work = append(p.work, c)
		go func() {
			for pt := range c {
				pt.s.run(pt.thread, pt.from, pt.to)
				p.wg.Done()
			}
		}()
	}
	return p
}

// run computes the step, split into near-equal parts, one per thread.
func (p *pool) run(s *step) {
	n := s.size()
	parts := min(p.threads, n)
	if parts <= 1 {
		s.run(0, 0, n)
		return
	}
	p.wg.Add(parts - 1)
	for i := 1; i < parts; i++ {
		p.work[i-1] <- part{s, i, i * n / parts, (i + 1) * n / parts}
	}
	s.run(0, 0, n/parts)
	p.wg.Wait()
}

func (p *pool) close() {
	for _, c := range p.work {
		close(c)
	}
	p.work = nil
}
