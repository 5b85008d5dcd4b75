package model

import (
	"time"

	"github.com/mbv2/mbv2/kernels"
)

var (
	relu6Min, relu6Max   = kernels.ReLU6Min, kernels.ReLU6Max
	linearMin, linearMax = kernels.LinearMin, kernels.LinearMax
)

// Forward runs MobileNetV2 on rgb, res x res 8-bit RGB pixels row by row,
// and returns the class probabilities. The slice is the runner's own, valid
// until the next call.
func (r *Runner) Forward(rgb []byte) []float32 {
	if r.q != nil {
		return r.forwardInt8(rgb)
	}
	a, m := r.arch, r.m
	// Normalise with the model's input quantization, on all threads,
	// through a table of the 256 values: a load a pixel instead of a
	// conversion and two operations.
	for p := range r.pixel {
		r.pixel[p] = m.InputScale * (float32(p) - m.InputZero)
	}
	r.step = step{kind: normaliseStep, dst: r.input, rgb: rgb[:len(r.input)], h: a.Res, w: a.Res, pixel: &r.pixel, scratch: r.scratch}
	r.pool.run(&r.step)
	r.start()

	// Stem: 3x3 conv, stride 2, ReLU6. Streamed, it computes the rows of
	// the first bottleneck's input as the block reads them, into its ring,
	// so that its output, the widest of the network, never exists whole.
	x, y := r.x, r.y
	first := 0
	if r.fuseStem() {
		r.stream(a.Bottlenecks[0], r.strips[0], &m.bottlenecks[0], r.input, y, m.stem)
		x, y, first = y, x, 1
	} else {
		r.run(step{kind: stemStep, dst: r.x, src: r.input, h: a.Res, w: a.Res, stem: m.stem, lo: relu6Min, hi: relu6Max})
	}

	// 17 inverted-residual bottlenecks.
	for i := first; i < len(a.Bottlenecks); i++ {
		b, w := a.Bottlenecks[i], &m.bottlenecks[i]
		if !r.layerwise {
			if r.split[i] {
				r.byChannels(b, w, x, y)
			} else {
				r.stream(b, r.strips[i], w, x, y, nil)
			}
			x, y = y, x
			continue
		}
		in := x
		if b.T != 1 {
			r.run(step{kind: pointwiseStep, dst: r.e, src: x, pixels: b.H * b.W, pointwise: w.expand, lo: relu6Min, hi: relu6Max})
			in = r.e
		}
		r.run(step{kind: depthwiseStep, dst: r.d, src: in, h: b.H, w: b.W, stride: b.Stride, depthwise: w.depthwise, lo: relu6Min, hi: relu6Max})
		// Linear projection, with the shortcut fused into it.
		var shortcut []float32
		if b.Residual {
			shortcut = x
		}
		r.run(step{kind: pointwiseStep, dst: y, src: r.d, pixels: b.OutH * b.OutW, pointwise: w.project, shortcut: shortcut, lo: linearMin, hi: linearMax})
		x, y = y, x
	}

	// 1x1 conv to 1280, average pool, classifier, softmax. Split by
	// channels, each thread pools the channels of the head it computed,
	// and the pool's time counts in the head's.
	hw := a.HeadH * a.HeadH
	head := step{kind: pointwiseStep, dst: r.e, src: x, pixels: hw, pointwise: m.head, lo: relu6Min, hi: relu6Max}
	if head.byChannels() {
		head.pooled = r.pooled
	}
	r.run(head)
	if head.pooled == nil {
		kernels.AvgPool(r.pooled, r.e, hw, a.Head, 0, a.Head)
	}
	r.lap()
	r.run(step{kind: pointwiseStep, dst: r.logits, src: r.pooled, pixels: 1, pointwise: m.classifier, lo: linearMin, hi: linearMax})
	kernels.Softmax(r.probs, r.logits)
	r.lap()
	return r.probs
}

// run computes one layer on the runner's threads.
func (r *Runner) run(s step) {
	s.scratch = r.scratch
	r.step = s
	r.pool.run(&r.step)
	r.lap()
}

// stream computes bottleneck b from x into y in strips, each thread a band
// of output rows (paper, section 5.1). With stem weights, x is the
// normalised image, and the stem computes the block's input (fuseStem).
func (r *Runner) stream(b Bottleneck, strip int, w *bottleneckWeights, x, y []float32, stem *kernels.StemWeights) {
	r.step = step{kind: bottleneckStep, src: x, dst: y, block: b, strip: strip, weights: w, scratch: r.scratch, timing: r.timing,
		stem: stem, h: r.arch.Res, w: r.arch.Res}
	r.pool.run(&r.step)
	t := r.scratch[0].times[:] // expand (or the stem), depthwise, project
	if b.T == 1 && stem == nil {
		t = t[1:]
	}
	r.share(t)
}

// fuseStem reports whether the stem streams into the first bottleneck's
// ring (see Arch.fusesStem), unless the runner runs layer by layer.
func (r *Runner) fuseStem() bool { return !r.layerwise && r.arch.fusesStem(r.pool.threads) }

// byChannels computes bottleneck b from x into y split by channels: each
// thread expands and filters a range of the expanded channels, whole, then
// the threads split the projection as any 1x1 layer.
func (r *Runner) byChannels(b Bottleneck, w *bottleneckWeights, x, y []float32) {
	r.step = step{kind: expandDepthwiseStep, src: x, dst: r.d, expanded: r.e, block: b, weights: w, scratch: r.scratch, timing: r.timing}
	r.pool.run(&r.step)
	t := r.scratch[0].times[:2] // expand, depthwise
	if b.T == 1 {
		t = t[1:]
	}
	r.share(t)
	var shortcut []float32
	if b.Residual {
		shortcut = x
	}
	r.run(step{kind: pointwiseStep, dst: y, src: r.d, pixels: b.OutH * b.OutW, pointwise: w.project, shortcut: shortcut, lo: linearMin, hi: linearMax})
}

// share ends the timing of a step that computed len(t) layers interleaved:
// it gives each layer the step's time in the proportions t of them that
// the first thread measured on its own part.
func (r *Runner) share(t []time.Duration) {
	if !r.timing {
		r.next += len(t)
		return
	}
	now := time.Now()
	wall := now.Sub(r.last)
	r.last = now
	var sum time.Duration
	for _, d := range t {
		sum += d
	}
	for _, d := range t {
		r.times[r.next] = time.Duration(float64(wall) * float64(d) / float64(max(sum, 1)))
		r.next++
	}
}

func (r *Runner) start() {
	r.next = 0
	if r.timing {
		r.last = time.Now()
	}
}

// lap ends the timing of the current layer.
func (r *Runner) lap() {
	if r.timing {
		now := time.Now()
		r.times[r.next] = now.Sub(r.last)
		r.last = now
	}
	r.next++
}
