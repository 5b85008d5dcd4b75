//go:build !noasm

package kernels

// dwconv3x3s1AVX2 computes output row oy of a 3x3 stride-1 depthwise
// convolution with TF SAME padding: dst is the row, r0, r1, r2 the input rows
// oy-1, oy, oy+1 (w pixels of c channels), of which rows has bit ky set for
// those inside the image (a row outside points at r1 and counts as zeros),
// w and bias the packed weights [9][cp] and bias. left is 1: the leading
// padding. In Go:
//
//	for ox := range ow {
//		for ch := range c {
//			acc := bias[ch]
//			for ky, r := range [3][]float32{r0, r1, r2} {
//				for kx := range 3 {
//					ix := ox - left + kx
//					if rows&(1<<ky) != 0 && ix >= 0 && ix < w {
//						acc += r[ix*c+ch] * w[(ky*3+kx)*cp+ch]
//					}
//				}
//			}
//			dst[ox*c+ch] = min(max(acc, lo), hi)
//		}
//	}
//
// c must be at least 8 and the row at least 2 pixels wide.
//
//go:noescape
func dwconv3x3s1AVX2(dst, r0, r1, r2, w, bias *float32, ow, left, c, cp, rows int, lo, hi float32)

// dwconv3x3s2AVX2 is dwconv3x3s1AVX2 for stride 2: r0, r1, r2 are input rows
// 2*oy-top+0..2, left is the leading padding, 0 or 1, and ix = 2*ox - left + kx.
//
//go:noescape
func dwconv3x3s2AVX2(dst, r0, r1, r2, w, bias *float32, ow, left, c, cp, rows int, lo, hi float32)

func depthwiseAVX2(dst, src []float32, h, w, stride, y0, y1 int, wt *DepthwiseWeights, lo, hi float32) {
	c, cp := wt.C, roundUp(wt.C, Tile)
	if c < 8 || w < 2 {
		// Narrower than a vector or than the edge pixels: never in MobileNetV2.
		depthwiseGeneric(dst, src, h, w, stride, y0, y1, wt, lo, hi)
		return
	}
	_, top := SamePad(h, 3, stride)
	ow, left := SamePad(w, 3, stride)
	row := w * c
	kernel := dwconv3x3s1AVX2
	if stride == 2 {
		kernel = dwconv3x3s2AVX2
	}
	for oy := y0; oy < y1; oy++ {
		// The centre input row is always inside the image; a row outside
		// is read from it with zero weights, which adds exactly zero for
		// finite inputs.
		iy := oy*stride - top
		mid := &src[(iy+1)*row]
		r0, r2, rows := mid, mid, 2
		if iy >= 0 {
			r0, rows = &src[iy*row], rows|1
		}
		if iy+2 < h {
			r2, rows = &src[(iy+2)*row], rows|4
		}
		kernel(&dst[oy*ow*c], r0, mid, r2, &wt.W[0], &wt.Bias[0], ow, left, c, cp, rows, lo, hi)
	}
}
