//go:build !noasm

package kernels

import "sync"

// dwconv3x3NEON computes n output pixels of a 3x3 depthwise convolution for
// cn channels of pixels of c, then bias and clamp. Tap t of output pixel j
// reads taps[t][j*step:][:cn]; w is packed [9][cp]. In Go:
//
//	for j := range n {
//		for i := range cn {
//			even, odd := bias[i], float32(0)
//			for t := 0; t < 9; t += 2 {
//				even += taps[t][j*step+i] * w[t*cp+i]
//			}
//			for t := 1; t < 9; t += 2 {
//				odd += taps[t][j*step+i] * w[t*cp+i]
//			}
//			dst[j*c+i] = min(max(even+odd, lo), hi)
//		}
//	}
//
//go:noescape
func dwconv3x3NEON(dst *float32, taps *[9]*float32, w, bias *float32, n, cn, c, cp, step int, lo, hi float32)

// depthwiseNEON feeds dwconv3x3NEON one output row at a time: an input row
// outside the image is the zero row, so the rows of TF SAME padding cost
// nothing special; the interior pixels of the row, whose three columns are
// all inside the image, go in one run, and the (at most two) edge pixels one
// by one with their outside taps on the zero row too.
func depthwiseNEON(dst, src []float32, h, w, stride, ring, y0, y1 int, wt *DepthwiseWeights, c0, c1 int, lo, hi float32) {
	c, cp := wt.C, roundUp(wt.C, Tile)
	_, padTop := SamePad(h, 3, stride)
	ow, padLeft := SamePad(w, 3, stride)
	zero := zeroRow(w * c)
	var rows [3][]float32
	var taps [9]*float32
	for oy := y0; oy < y1; oy++ {
		for ky := range rows {
			rows[ky] = zero
			if iy := oy*stride - padTop + ky; iy >= 0 && iy < h {
				r := iy % ring
				rows[ky] = src[r*w*c : (r+1)*w*c]
			}
		}
		out := dst[(oy-y0)*ow*c+c0 : (oy-y0+1)*ow*c]
		for ox := 0; ox < ow; {
			ix, n := ox*stride-padLeft, 1
			if ix >= 0 && ix+2 < w {
				n = min(ow-ox, (w-3-ix)/stride+1)
			}
			for ky, row := range rows {
				for kx := range 3 {
					taps[ky*3+kx] = &zero[0]
					if x := ix + kx; x >= 0 && x < w {
						taps[ky*3+kx] = &row[x*c+c0]
					}
				}
			}
			dwconv3x3NEON(&out[ox*c], &taps, &wt.W[c0], &wt.Bias[c0], n, c1-c0, c, cp, stride*c, lo, hi)
			ox += n
		}
	}
}

// zeros is a row of zeros shared by all calls, grown as needed and never
// written after it is made.
var zeros struct {
	sync.Mutex
	row []float32
}

// zeroRow returns n zeros.
func zeroRow(n int) []float32 {
	zeros.Lock()
	defer zeros.Unlock()
	if len(zeros.row) < n {
		zeros.row = make([]float32, n)
	}
	return zeros.row[:n]
}
