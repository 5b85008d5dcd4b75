package model

import "github.com/mbv2/mbv2/kernels"

// Forward runs MobileNetV2 on rgb, res x res 8-bit RGB pixels row by row,
// and returns the class probabilities. The slice is the runner's own, valid
// until the next call.
func (r *Runner) Forward(rgb []byte) []float32 {
	if r.q != nil {
		return r.forwardInt8(rgb)
	}
	r.normaliseInput(rgb)
	r.start()

	// Stem: 3x3 conv, stride 2, ReLU6. Streamed, the first bottleneck
	// computes it itself, into its ring, as it reads the rows, so that its
	// output, the widest of the network, never exists whole.
	x, y := r.x, r.y
	if !r.blocks[0].fusesStem {
		r.stemRows = stemStep{conv: r.stem, dst: x, src: r.input}
		r.team.run(&r.stemRows)
		r.lap()
	}

	// 17 inverted-residual bottlenecks, each as its plan says.
	for i := range r.blocks {
		r.bottleneck(&r.blocks[i], x, y)
		x, y = y, x
	}

	// 1x1 conv to 1280, average pool, classifier, softmax. Split by tiles
	// of channels, each thread pools the channels of the head it computed,
	// and the pool's time counts in the head's.
	hw := r.plan.HeadH * r.plan.HeadH
	if !r.run1x1(r.head, r.e, x, hw, nil, r.pooled) {
		kernels.AvgPool(r.pooled, r.e, hw, r.plan.Head, 0, r.plan.Head)
	}
	r.lap()
	r.run1x1(r.classifier, r.logits, r.pooled, 1, nil, nil)
	kernels.Softmax(r.probs, r.logits)
	r.lap()
	return r.probs
}

// normaliseInput normalises rgb into r.input with the model's input
// quantization, on all threads.
func (r *Runner) normaliseInput(rgb []byte) {
	m := r.m
	for p := range r.pixel {
		r.pixel[p] = m.InputScale * (float32(p) - m.InputZero)
	}
	r.normalise = normaliseStep{dst: r.input, rgb: rgb[:len(r.input)], h: r.plan.Res, w: r.plan.Res, pixel: &r.pixel}
	r.team.run(&r.normalise)
}
