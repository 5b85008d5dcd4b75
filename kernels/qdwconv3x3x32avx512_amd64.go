//go:build !noasm

package kernels

// qdw3x3x32AVX512 is qdw3x3x16AVX2 in blocks of 32 channels from c0 (a
// multiple of 32), the last of them partial if c1-c0 is not a multiple of
// 32, with the layout of QDepthwiseWeights' pairs32, bias32 and rq32.
//
//go:noescape
func qdw3x3x32AVX512(dst, r0, r1, r2, zp *uint8, pairs *int16, bias32, rq32 *int32, w, ow, stride, padL, C, c0, c1 int, zero, lo, hi int32)

func qdepthwiseAVX512(dst, src []uint8, h, w, stride, rows, y0, y1 int, wt *QDepthwiseWeights, c0, c1 int) {
	if wt.pairs32 == nil {
		qdepthwiseAVX2(dst, src, h, w, stride, rows, y0, y1, wt, c0, c1)
		return
	}
	if c0%32 != 0 { // a split by tiles of 16: the first by the AVX2 kernel
		qdepthwiseAVX2(dst, src, h, w, stride, rows, y0, y1, wt, c0, min(c0+Tile, c1))
		if c0 += Tile; c0 >= c1 {
			return
		}
	}
	c := wt.C
	_, padTop := SamePad(h, 3, stride)
	ow, padLeft := SamePad(w, 3, stride)
	for oy := y0; oy < y1; oy++ {
		var r [3]*uint8
		for ky := range r {
			if iy := oy*stride - padTop + ky; iy >= 0 && iy < h {
				r[ky] = &src[(iy%rows)*w*c]
			}
		}
		qdw3x3x32AVX512(&dst[(oy-y0)*ow*c], r[0], r[1], r[2], &wt.zp[0], &wt.pairs32[0], &wt.bias32[0], &wt.rq32[0],
			w, ow, stride, padLeft, c, c0, c1, wt.Out.Zero, wt.Out.Lo, wt.Out.Hi)
	}
}
