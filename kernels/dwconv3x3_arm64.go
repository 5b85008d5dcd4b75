//go:build !noasm

package kernels

// dwconv3x3NEON computes n output pixels of a 3x3 depthwise convolution for
// cn channels of pixels of c, then bias and clamp. Tap t of output pixel j
// reads taps[t][j*step:][:cn]; w is packed [9][cp]. A tap whose bit in
// inside is clear lies in the TF SAME padding: its weights count as zero,
// and it must point at memory that may be read, such as the centre tap. In
// Go:
//
//	for j := range n {
//		for i := range cn {
//			var wk [9]float32
//			for t := range 9 {
//				if inside&(1<<t) != 0 {
//					wk[t] = w[t*cp+i]
//				}
//			}
//			even, odd := bias[i], float32(0)
//			for t := 0; t < 9; t += 2 {
//				even += taps[t][j*step+i] * wk[t]
//			}
//			for t := 1; t < 9; t += 2 {
//				odd += taps[t][j*step+i] * wk[t]
//			}
//			dst[j*c+i] = min(max(even+odd, lo), hi)
//		}
//	}
//
//go:noescape
func dwconv3x3NEON(dst *float32, taps *[9]*float32, w, bias *float32, n, cn, c, cp, step, inside int, lo, hi float32)

// depthwiseNEON feeds dwconv3x3NEON one output row at a time: the interior
// pixels of the row, whose three columns are all inside the image, go in
// one run, and the (at most two) edge pixels one by one. Taps in the TF SAME
// padding, rows or columns, point at the centre tap, which is always inside
// the image, and are masked off.
func depthwiseNEON(dst, src []float32, h, w, stride, rows, y0, y1 int, wt *DepthwiseWeights, c0, c1 int, lo, hi float32) {
	c, cp := wt.C, roundUp(wt.C, Tile)
	_, top := SamePad(h, 3, stride)
	ow, left := SamePad(w, 3, stride)
	var taps [9]*float32
	for oy := y0; oy < y1; oy++ {
		iy := oy*stride - top
		var in [3]int // offsets of the input rows in the ring
		rowsIn := 0   // bit ky set for the input rows inside the image
		for ky := range 3 {
			if y := iy + ky; y >= 0 && y < h {
				in[ky], rowsIn = y%rows*w*c, rowsIn|1<<ky
			}
		}
		out := dst[(oy-y0)*ow*c+c0 : (oy-y0+1)*ow*c]
		for ox := 0; ox < ow; {
			ix, n := ox*stride-left, 1
			if ix >= 0 && ix+2 < w {
				n = min(ow-ox, (w-3-ix)/stride+1)
			}
			centre := &src[in[1]+(ix+1)*c+c0]
			inside := 0
			for ky := range 3 {
				for kx := range 3 {
					t := ky*3 + kx
					taps[t] = centre
					if x := ix + kx; rowsIn&(1<<ky) != 0 && x >= 0 && x < w {
						taps[t], inside = &src[in[ky]+x*c+c0], inside|1<<t
					}
				}
			}
			dwconv3x3NEON(&out[ox*c], &taps, &wt.W[c0], &wt.Bias[c0], n, c1-c0, c, cp, stride*c, inside, lo, hi)
			ox += n
		}
	}
}
