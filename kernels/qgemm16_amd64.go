//go:build !noasm

package kernels

// qgemm16AVX2 computes one tile of output channels of a quantized 1x1
// convolution for a run of pixels and stores its first n (1 to 16): w,
// bias and rq are the tile's packed weights less their zero point
// (QPointwiseWeights.W: groups groups of 4 input channels), folded
// biases and requantization table (requantTable); dst
// and src point at the first pixel, rows cout and cin bytes apart. In Go:
//
//	for p := range pixels {
//		for j := range n {
//			acc := bias[j]
//			for i := range cin {
//				acc += int32(src[p*cin+i]) * int32(w[(i/4*16+j)*4+i%4])
//			}
//			dst[p*cout+j] = clamp(MultiplyByQuantizedMultiplier(acc, ...) + zero, lo, hi)
//		}
//	}
//
// cin = 4*groups, at least 4; pixels at least 1.
//
//go:noescape
func qgemm16AVX2(dst, src *uint8, w *int16, bias, rq *int32, pixels, cin, cout, groups, n int, zero, lo, hi int32)

func qpointwiseAVX2(dst, src []uint8, pixels int, w *QPointwiseWeights, c0, c1 int) {
	cin, cout := w.Cin, w.Cout
	if cin%4 != 0 {
		qpointwiseGeneric(dst, src, pixels, w, c0, c1)
		return
	}
	groups, w16, rq := cin/4, w.Int16s(), w.requant()
	for t := c0 / Tile; t*Tile < c1; t++ {
		n := min(Tile, c1-t*Tile)
		qgemm16AVX2(&dst[t*Tile], &src[0], &w16[t*groups*Tile*4], &w.Bias[t*Tile], &rq[t*6*Tile],
			pixels, cin, cout, groups, n, w.Out.Zero, w.Out.Lo, w.Out.Hi)
	}
}
