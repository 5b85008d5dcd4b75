//go:build !noasm

package kernels

import "github.com/klauspost/cpuid/v2"

// qgemm4x16NEON and qgemm4x16DotNEON compute one tile of output channels
// of a quantized 1x1 convolution for a run of pixels, four at a time, and
// store its first n (1 to 16): w, bias and rq are the tile's packed
// weights, folded biases and requantization table (requantTable); dst and
// src point at the first pixel, rows cout and cin bytes apart. In Go:
//
//	for p := range pixels {
//		for j := range n {
//			acc := bias[j]
//			for i := range cin {
//				acc += int32(src[p*cin+i]) * (int32(w[(i/4*16+j)*4+i%4]) - off)
//			}
//			dst[p*cout+j] = clamp(MultiplyByQuantizedMultiplier(acc, ...) + zero, lo, hi)
//		}
//	}
//
// qgemm4x16NEON takes the int16 weights (QPointwiseWeights.W, off 0, which
// it ignores) and widening multiplies (smlal); qgemm4x16DotNEON the weights
// as bytes with their offset (QPointwiseWeights.dot, dotOff) and needs the
// dot-product extension (udot). cin and pixels are at least 1.
//
//go:noescape
func qgemm4x16NEON(dst, src *uint8, w *int16, bias, rq *int32, pixels, cin, cout, n int, off, zero, lo, hi int32)

//go:noescape
func qgemm4x16DotNEON(dst, src *uint8, w *uint8, bias, rq *int32, pixels, cin, cout, n int, off, zero, lo, hi int32)

// qneonDot says whether the neon set's 8-bit kernels use udot: where the
// CPU has the dot-product extension (tests switch it to try both).
var qneonDot = cpuid.CPU.Supports(cpuid.ASIMD, cpuid.ASIMDDP)

func init() { packDot = qneonDot }

// qpointwiseNEON runs the 4x16 GEMM over the tiles of channels [c0, c1),
// on blocks of pixels whose inputs stay in L1 while every tile sweeps them.
func qpointwiseNEON(dst, src []uint8, pixels int, w *QPointwiseWeights, c0, c1 int) {
	cin, cout, groups := w.Cin, w.Cout, (w.Cin+3)/4
	if cin == 0 {
		qpointwiseGeneric(dst, src, pixels, w, c0, c1)
		return
	}
	rqs := rqStride(w.requant(), len(w.Bias))
	chunk := max(4, pwChunk/max(cin, 1)/4*4)
	for p0 := 0; p0 < pixels; p0 += chunk {
		np := min(chunk, pixels-p0)
		for t := c0 / Tile; t*Tile < c1; t++ {
			d, s, b, rq := &dst[p0*cout+t*Tile], &src[p0*cin], &w.Bias[t*Tile], &w.requant()[t*rqs]
			n, k := min(Tile, c1-t*Tile), t*groups*Tile*4
			if qneonDot && w.dot != nil {
				qgemm4x16DotNEON(d, s, &w.dot[k], b, rq, np, cin, cout, n, w.dotOff, w.Out.Zero, w.Out.Lo, w.Out.Hi)
			} else {
				qgemm4x16NEON(d, s, &w.Int16s()[k], b, rq, np, cin, cout, n, 0, w.Out.Zero, w.Out.Lo, w.Out.Hi)
			}
		}
	}
}

// rqStride returns the int32s of one tile of rq, the requantization table
// of n channels padded to tiles, whose rows of Tile the kernels read are
// the multiplier, the left shift and the right shift (requantTable).
func rqStride(rq []int32, n int) int {
	return len(rq) / (roundUp(n, Tile) / Tile)
}
