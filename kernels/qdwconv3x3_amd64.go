//go:build !noasm

package kernels

// qdw3x3AVX2 computes output row of a quantized 3x3 depthwise convolution,
// channels [c0, c1) (multiples of 8), into dst (ow pixels of C channels).
// r0, r1, r2 are the input rows of taps ky = 0, 1, 2 (w pixels of C
// channels), nil in the padding; zp holds cp bytes of inZero; wt, bias and
// rq are the packed weights (taps cp apart), biases and requantization
// table. In Go:
//
//	for ox := range ow {
//		for c := c0; c < c1; c++ {
//			acc := bias[c]
//			for ky, kx in 3x3 {
//				ix := ox*stride - padL + kx
//				if row[ky] != nil && 0 <= ix && ix < w {
//					acc += (int32(row[ky][ix*C+c]) - inZero) * int32(wt[(ky*3+kx)*cp+c])
//				}
//			}
//			dst[ox*C+c] = clamp(MultiplyByQuantizedMultiplier(acc, ...) + zero, lo, hi)
//		}
//	}
//
//go:noescape
func qdw3x3AVX2(dst, r0, r1, r2, zp *uint8, wt *int16, bias, rq *int32, w, ow, stride, padL, C, c0, c1, cp int, inZero, zero, lo, hi int32)

// qdw3x3x16AVX2 is qdw3x3AVX2 for channels [c0, c1) in blocks of 16, with
// the weights, biases and requantization table of QDepthwiseWeights laid
// out for it (pairs, bias16, rq16): bias16 has the input zero point folded
// in, so inZero is not an argument.
//
//go:noescape
func qdw3x3x16AVX2(dst, r0, r1, r2, zp *uint8, pairs *int16, bias16, rq16 *int32, w, ow, stride, padL, C, c0, c1 int, zero, lo, hi int32)

func qdepthwiseAVX2(dst, src []uint8, h, w, stride, rows, y0, y1 int, wt *QDepthwiseWeights, c0, c1 int) {
	c := wt.C
	if c%Tile == 0 {
		qdepthwise16AVX2(dst, src, h, w, stride, rows, y0, y1, wt, c0, c1)
		return
	}
	if c%8 != 0 {
		qdepthwiseGeneric(dst, src, h, w, stride, rows, y0, y1, wt, c0, c1)
		return
	}
	_, padTop := SamePad(h, 3, stride)
	ow, padLeft := SamePad(w, 3, stride)
	for oy := y0; oy < y1; oy++ {
		var r [3]*uint8
		for ky := range r {
			if iy := oy*stride - padTop + ky; iy >= 0 && iy < h {
				r[ky] = &src[(iy%rows)*w*c]
			}
		}
		qdw3x3AVX2(&dst[(oy-y0)*ow*c], r[0], r[1], r[2], &wt.zp[0], &wt.W[0], &wt.Bias[0], &wt.requant()[0],
			w, ow, stride, padLeft, c, c0, c1, roundUp(c, Tile), wt.InZero, wt.Out.Zero, wt.Out.Lo, wt.Out.Hi)
	}
}

func qdepthwise16AVX2(dst, src []uint8, h, w, stride, rows, y0, y1 int, wt *QDepthwiseWeights, c0, c1 int) {
	c := wt.C
	pairs, bias16, rq16 := wt.layout16()
	_, padTop := SamePad(h, 3, stride)
	ow, padLeft := SamePad(w, 3, stride)
	for oy := y0; oy < y1; oy++ {
		var r [3]*uint8
		for ky := range r {
			if iy := oy*stride - padTop + ky; iy >= 0 && iy < h {
				r[ky] = &src[(iy%rows)*w*c]
			}
		}
		qdw3x3x16AVX2(&dst[(oy-y0)*ow*c], r[0], r[1], r[2], &wt.zp[0], &pairs[0], &bias16[0], &rq16[0],
			w, ow, stride, padLeft, c, c0, c1, wt.Out.Zero, wt.Out.Lo, wt.Out.Hi)
	}
}
