//go:build !noasm

package kernels

// qdw3x3x32AVX512 is qdw3x3x16AVX2 in blocks of 32 channels from c0 (a
// multiple of 32), the last of them partial if c1-c0 is not a multiple of
// 32, with the layout of QDepthwiseWeights' pairs32, bias32 and rq32.
//
//go:noescape
func qdw3x3x32AVX512(dst, r0, r1, r2, zp *uint8, pairs *int16, bias32, rq32 *int32, w, ow, stride, padL, C, c0, c1 int, zero, lo, hi int32)

// qdw3x3x32rowAVX512 is qdw3x3x32AVX512 for n pixels of a row whose taps
// are all inside the image's columns: tap (ky, kx) of the i-th is at
// pky + i*advky + kx*C (advky 0 for a row in the padding, pky then a run of
// the zero point), and dst points at the first.
//
//go:noescape
func qdw3x3x32rowAVX512(dst, p0, p1, p2 *uint8, adv0, adv1, adv2 int, pairs *int16, bias32, rq32 *int32, n, C, c0, c1 int, zero, lo, hi int32)

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
	// The pixels [a, b) have every tap inside the columns: the row kernel
	// takes them, the general one the edges.
	a, b := min((padLeft+stride-1)/stride, ow), 0
	if last := w - 3 + padLeft; last >= 0 { // the last pixel's first column, over stride
		b = min(last/stride+1, ow)
	}
	b = max(b, a)
	for oy := y0; oy < y1; oy++ {
		var r [3]*uint8
		var p [3]*uint8
		var adv [3]int
		for ky := range r {
			p[ky] = &wt.zp[0]
			if iy := oy*stride - padTop + ky; iy >= 0 && iy < h {
				r[ky] = &src[(iy%rows)*w*c]
				if a < b {
					p[ky], adv[ky] = &src[((iy%rows)*w+a*stride-padLeft)*c], stride*c
				}
			}
		}
		out := dst[(oy-y0)*ow*c:]
		if a > 0 {
			qdw3x3x32AVX512(&out[0], r[0], r[1], r[2], &wt.zp[0], &wt.pairs32[0], &wt.bias32[0], &wt.rq32[0],
				w, a, stride, padLeft, c, c0, c1, wt.Out.Zero, wt.Out.Lo, wt.Out.Hi)
		}
		if a < b {
			qdw3x3x32rowAVX512(&out[a*c], p[0], p[1], p[2], adv[0], adv[1], adv[2], &wt.pairs32[0], &wt.bias32[0], &wt.rq32[0],
				b-a, c, c0, c1, wt.Out.Zero, wt.Out.Lo, wt.Out.Hi)
		}
		if b < ow {
			// The general kernel from pixel b: its first input column is
			// b*stride - padLeft.
			qdw3x3x32AVX512(&out[b*c], r[0], r[1], r[2], &wt.zp[0], &wt.pairs32[0], &wt.bias32[0], &wt.rq32[0],
				w, ow-b, stride, padLeft-b*stride, c, c0, c1, wt.Out.Zero, wt.Out.Lo, wt.Out.Hi)
		}
	}
}
