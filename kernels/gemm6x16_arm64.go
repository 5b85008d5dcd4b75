//go:build !noasm

package kernels

import "unsafe"

// gemm6x16NEON computes one tile of n <= 16 output channels of a 1x1
// convolution over pixels pixels, six at a time: w is the tile's packed
// [cin][16] weights, bias its 16 biases, dst and res (nil for none) point at
// the tile's first channel, and rows are cin floats apart in src and cout in
// dst and res. In Go:
//
//	for p := range pixels {
//		var acc [16]float32
//		copy(acc[:], bias[:16])
//		for i := range cin {
//			for j := range acc {
//				acc[j] += src[p*cin+i] * w[i*16+j]
//			}
//		}
//		for j := range n {
//			dst[p*cout+j] = min(max(acc[j], lo), hi)
//			if res != nil {
//				dst[p*cout+j] += res[p*cout+j]
//			}
//		}
//	}
//
//go:noescape
func gemm6x16NEON(dst, src, w, bias, res *float32, pixels, cin, cout, n int, lo, hi float32)

// pwChunk is the size in bytes of the block of input pixels that the
// pointwise kernel keeps in L1 while it sweeps all output tiles over it.
const pwChunk = 32 << 10

func pointwiseNEON(dst, src []float32, pixels int, wt *PointwiseWeights, residual []float32, c0, c1 int, lo, hi float32) {
	cin, cout := wt.Cin, wt.Cout
	chunk := max(6, pwChunk/(4*max(cin, 1))/6*6)
	for p0 := 0; p0 < pixels; p0 += chunk {
		n := min(chunk, pixels-p0)
		for o0 := c0; o0 < c1; o0 += Tile {
			var res *float32
			if residual != nil {
				res = &residual[p0*cout+o0]
			}
			gemm6x16NEON(&dst[p0*cout+o0], unsafe.SliceData(src[p0*cin:]), unsafe.SliceData(wt.W[o0*cin:]), &wt.Bias[o0], res,
				n, cin, cout, min(Tile, c1-o0), lo, hi)
		}
	}
}
