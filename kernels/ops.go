package kernels

import "math"

// The exported kernels check their slice bounds once per call, so that the
// implementations behind them (assembly included) can trust their arguments.

// Pointwise computes output channels [c0, c1) of a 1x1 convolution over
// pixels pixels of src ([pixels][wt.Cin]) into dst ([pixels][wt.Cout]): bias,
// clamp to [lo, hi], then, if residual ([pixels][wt.Cout]) is not nil, the
// residual add (a linear bottleneck's shortcut). The classifier is the case
// pixels == 1. c0 is a multiple of Tile; [0, wt.Cout) is the whole layer, and
// a range of channels lets threads split a layer whose weights outweigh its
// pixels.
func Pointwise(dst, src []float32, pixels int, wt *PointwiseWeights, residual []float32, c0, c1 int, lo, hi float32) {
	if len(src) < pixels*wt.Cin || len(dst) < pixels*wt.Cout || residual != nil && len(residual) < pixels*wt.Cout ||
		c0 < 0 || c0%Tile != 0 || c1 > wt.Cout {
		panic("kernels: Pointwise: bad arguments")
	}
	if pixels == 0 || c0 >= c1 {
		return
	}
	active.pointwise(dst, src, pixels, wt, residual, c0, c1, lo, hi)
}

// Depthwise computes output rows [y0, y1) and channels [c0, c1) of a 3x3
// depthwise convolution with TF SAME padding and the given stride (1 or 2)
// of an h x w x wt.C input, then bias and clamp. c0 is a multiple of Tile;
// [0, wt.C) is the whole layer. Ranges of at least Tile channels give the
// bits of the whole layer, so threads can split a layer by channels.
//
// src holds the input in a ring of rows rows: input row iy is at
// src[(iy%rows)*w*C:]. rows == h is the whole tensor; a ring of a few rows
// lets a caller stream a bottleneck a strip at a time (paper, section 5.1).
// dst holds the output rows from y0: row oy is at dst[(oy-y0)*ow*C:], with
// ow = ceil(w/stride). Both are laid out with all wt.C channels per pixel.
func Depthwise(dst, src []float32, h, w, stride, rows, y0, y1 int, wt *DepthwiseWeights, c0, c1 int, lo, hi float32) {
	oh, top := SamePad(h, 3, stride)
	ow, _ := SamePad(w, 3, stride)
	// The ring must hold every input row that output rows y0..y1-1 read.
	first, last := max(y0*stride-top, 0), min((y1-1)*stride-top+2, h-1)
	if stride != 1 && stride != 2 || y0 < 0 || y1 > oh || rows < 1 || rows > h ||
		y0 < y1 && rows < last-first+1 || len(src) < rows*w*wt.C || len(dst) < (y1-y0)*ow*wt.C ||
		c0 < 0 || c0%Tile != 0 || c1 > wt.C {
		panic("kernels: Depthwise: bad arguments")
	}
	if y0 >= y1 || c0 >= c1 {
		return
	}
	active.depthwise(dst, src, h, w, stride, rows, y0, y1, wt, c0, c1, lo, hi)
}

// Stem computes output rows [y0, y1) of the first convolution of the
// network, 3x3 stride 2 with TF SAME padding, of src (h x w x 3), then bias
// and clamp. dst holds the output rows from y0: row oy is at
// dst[(oy-y0)*ow*wt.Cout:], with ow = ceil(w/2); a few rows at a time can
// go to the ring a streamed first bottleneck reads.
func Stem(dst, src []float32, h, w, y0, y1 int, wt *StemWeights, lo, hi float32) {
	oh, _ := SamePad(h, 3, 2)
	ow, _ := SamePad(w, 3, 2)
	if y0 < 0 || y1 > oh || len(src) < h*w*3 || len(dst) < (y1-y0)*ow*wt.Cout {
		panic("kernels: Stem: bad arguments")
	}
	if y0 >= y1 {
		return
	}
	active.stem(dst, src, h, w, y0, y1, wt, lo, hi)
}

// AvgPool averages channels [c0, c1) of src ([pixels][c]) over its pixels
// into dst[c0:c1]; a range of channels lets the thread that computed them
// pool them.
func AvgPool(dst, src []float32, pixels, c, c0, c1 int) {
	out := dst[c0:c1]
	clear(out)
	for p := range pixels {
		for i, x := range src[p*c+c0 : p*c+c1] {
			out[i] += x
		}
	}
	inv := 1 / float32(pixels)
	for i := range out {
		out[i] *= inv
	}
}

// Softmax writes the softmax of the logits src into dst, in float64 inside
// so that the probabilities of 1000 classes sum to 1 within float32
// rounding. Each exponential is computed once, kept in dst meanwhile.
func Softmax(dst, src []float32) {
	dst = dst[:len(src)]
	m := math.Inf(-1)
	for _, x := range src {
		m = max(m, float64(x))
	}
	var sum float64
	for i, x := range src {
		e := math.Exp(float64(x) - m)
		dst[i] = float32(e)
		sum += e
	}
	inv := 1 / sum
	for i, e := range dst {
		dst[i] = float32(float64(e) * inv)
	}
}
