package model

import "github.com/mbv2/mbv2/kernels"

// The layers, and the kernel steps that split one layer's kernel call among
// a team's threads.

var (
	relu6Min, relu6Max   = kernels.ReLU6Min, kernels.ReLU6Max
	linearMin, linearMax = kernels.LinearMin, kernels.LinearMax
)

// conv1x1 is a 1x1 convolution and its activation: ReLU6 (expand, head)
// or linear (project, classifier).
type conv1x1 struct {
	wt     *kernels.PointwiseWeights
	lo, hi float32
}

// apply computes output channels [c0, c1) of the pixels of src into dst,
// adding shortcut unless it is nil.
func (c conv1x1) apply(dst, src []float32, pixels int, shortcut []float32, c0, c1 int) {
	kernels.Pointwise(dst, src, pixels, c.wt, shortcut, c0, c1, c.lo, c.hi)
}

// conv3x3dw is a 3x3 depthwise convolution over an h x w input, with ReLU6.
type conv3x3dw struct {
	wt           *kernels.DepthwiseWeights
	h, w, stride int
}

// apply computes channels [c0, c1) of output rows [y0, y1) into dst, from
// src holding the input rows in a ring of rows rows (h: the whole input).
func (c conv3x3dw) apply(dst, src []float32, rows, y0, y1, c0, c1 int) {
	kernels.Depthwise(dst, src, c.h, c.w, c.stride, rows, y0, y1, c.wt, c0, c1, relu6Min, relu6Max)
}

// conv3x3s2 is the stem: a 3x3 convolution, stride 2, over the h x w x 3
// image, with ReLU6.
type conv3x3s2 struct {
	wt   *kernels.StemWeights
	h, w int
}

// apply computes output rows [y0, y1) into dst, from the image src.
func (c conv3x3s2) apply(dst, src []float32, y0, y1 int) {
	kernels.Stem(dst, src, c.h, c.w, y0, y1, c.wt, relu6Min, relu6Max)
}

// normaliseStep turns rows of 8-bit pixels into the network's input
// through a table of the 256 values: a load a pixel instead of a
// conversion and two operations.
type normaliseStep struct {
	dst   []float32
	rgb   []byte
	h, w  int
	pixel *[256]float32
}

func (s *normaliseStep) size() int { return s.h }

func (s *normaliseStep) run(_, from, to int) {
	n := s.w * 3 // a row of pixels
	in := s.rgb[from*n : to*n]
	out := s.dst[from*n:][:len(in)]
	pixel := s.pixel
	for i, p := range in {
		out[i] = pixel[p]
	}
}

// stemStep is the stem over rows of its output.
type stemStep struct {
	conv     conv3x3s2
	dst, src []float32
}

func (s *stemStep) size() int {
	out, _ := kernels.SamePad(s.conv.h, 3, 2)
	return out
}

func (s *stemStep) run(_, from, to int) {
	ow, _ := kernels.SamePad(s.conv.w, 3, 2)
	s.conv.apply(s.dst[from*ow*s.conv.wt.Cout:], s.src, from, to)
}

// pointwiseStep is a 1x1 layer, split by pixels, or by tiles of output
// channels when its weights outweigh its input, as in the classifier and
// the 7x7 layers, so that each thread reads only its share of them.
type pointwiseStep struct {
	conv     conv1x1
	dst, src []float32
	pixels   int
	shortcut []float32 // the residual input, or nil
	pooled   []float32 // split by tiles: the average of each output channel over the pixels, or nil
}

// run1x1 computes the 1x1 layer c of the pixels of src into dst, adding
// shortcut unless it is nil, on all threads, and ends the layer's timing.
// With pooled, it also averages each output channel into pooled when the
// threads split the layer by tiles of channels, and says so.
func (r *Runner) run1x1(c conv1x1, dst, src []float32, pixels int, shortcut, pooled []float32) (didPool bool) {
	r.pw = pointwiseStep{conv: c, dst: dst, src: src, pixels: pixels, shortcut: shortcut}
	if r.pw.byTiles() {
		r.pw.pooled = pooled
	}
	r.team.run(&r.pw)
	r.lap()
	return r.pw.pooled != nil
}

func (s *pointwiseStep) byTiles() bool { return s.pixels < s.conv.wt.Cout }

func (s *pointwiseStep) size() int {
	if s.byTiles() {
		return (s.conv.wt.Cout + kernels.Tile - 1) / kernels.Tile
	}
	return s.pixels
}

func (s *pointwiseStep) run(_, from, to int) {
	if s.byTiles() {
		c0, c1 := from*kernels.Tile, min(to*kernels.Tile, s.conv.wt.Cout)
		s.conv.apply(s.dst, s.src, s.pixels, s.shortcut, c0, c1)
		if s.pooled != nil {
			kernels.AvgPool(s.pooled, s.dst, s.pixels, s.conv.wt.Cout, c0, c1)
		}
		return
	}
	cin, cout := s.conv.wt.Cin, s.conv.wt.Cout
	var shortcut []float32
	if s.shortcut != nil {
		shortcut = s.shortcut[from*cout : to*cout]
	}
	s.conv.apply(s.dst[from*cout:to*cout], s.src[from*cin:to*cin], to-from, shortcut, 0, cout)
}

// depthwiseStep is a depthwise layer over rows of its output.
type depthwiseStep struct {
	conv     conv3x3dw
	dst, src []float32
}

func (s *depthwiseStep) size() int {
	out, _ := kernels.SamePad(s.conv.h, 3, s.conv.stride)
	return out
}

func (s *depthwiseStep) run(_, from, to int) {
	c := s.conv
	ow, _ := kernels.SamePad(c.w, 3, c.stride)
	c.apply(s.dst[from*ow*c.wt.C:], s.src, c.h, from, to, 0, c.wt.C)
}
