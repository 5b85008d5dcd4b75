//go:build !noasm

package kernels

// qdw3x3NEON computes n output pixels of a quantized 3x3 depthwise
// convolution for cn channels of pixels of c, requantized. Tap t of output
// pixel j reads taps[t] + j*steps[t/3] ([cn] bytes); w is packed [9][cp]
// int16 weights less their zero point, bias and rq the biases and the
// requantization table (requantTable) at the first channel, a multiple of
// Tile, its tiles rqTile bytes apart. In Go:
//
//	for j := range n {
//		for i := range cn {
//			acc := bias[i]
//			for t := range 9 {
//				acc += (int32(taps[t][j*steps[t/3]+i]) - inZero) * int32(w[t*cp+i])
//			}
//			dst[j*c+i] = clamp(MultiplyByQuantizedMultiplier(acc, ...) + zero, lo, hi)
//		}
//	}
//
//go:noescape
func qdw3x3NEON(dst *uint8, taps *[9]*uint8, steps *[3]int, w *int16, bias, rq *int32, n, cn, c, cp, rqTile int, inZero, zero, lo, hi int32)

// qdepthwiseNEON feeds qdw3x3NEON one output row at a time, as
// depthwiseNEON: the interior pixels of the row in one run, the (at most
// two) edge pixels one by one. A tap in the padding reads the run of zero
// points wt.zp, which adds nothing, without moving.
func qdepthwiseNEON(dst, src []uint8, h, w, stride, rows, y0, y1 int, wt *QDepthwiseWeights, c0, c1 int) {
	c, cp := wt.C, roundUp(wt.C, Tile)
	rq := wt.requant()
	rqs := rqStride(rq, cp)
	_, padTop := SamePad(h, 3, stride)
	ow, padLeft := SamePad(w, 3, stride)
	var in [3][]uint8
	var taps [9]*uint8
	var steps [3]int
	for oy := y0; oy < y1; oy++ {
		for ky := range in {
			in[ky], steps[ky] = nil, 0
			if iy := oy*stride - padTop + ky; iy >= 0 && iy < h {
				r := iy % rows
				in[ky], steps[ky] = src[r*w*c:(r+1)*w*c], stride*c
			}
		}
		out := dst[(oy-y0)*ow*c : (oy-y0+1)*ow*c]
		for ox := 0; ox < ow; {
			ix, n := ox*stride-padLeft, 1
			if ix >= 0 && ix+2 < w {
				n = min(ow-ox, (w-3-ix)/stride+1)
			}
			for ky, row := range in {
				for kx := range 3 {
					taps[ky*3+kx] = &wt.zp[c0]
					if x := ix + kx; row != nil && x >= 0 && x < w {
						taps[ky*3+kx] = &row[x*c+c0]
					}
				}
			}
			qdw3x3NEON(&out[ox*c+c0], &taps, &steps, &wt.W[c0], &wt.Bias[c0], &rq[c0/Tile*rqs],
				n, c1-c0, c, cp, rqs*4, wt.InZero, wt.Out.Zero, wt.Out.Lo, wt.Out.Hi)
			ox += n
		}
	}
}
