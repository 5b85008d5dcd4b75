//go:build !noasm

package kernels

import "unsafe"

// gemm6x16NEON computes one tile of output channels of a 1x1 convolution
// for a run of pixels, six at a time, storing its first cn (1 to 16): w and
// bias are the tile's packed weights [cin][16] and biases, dst and res
// point at the tile's first channel of the first pixel, rows are cin floats
// apart in src and cout in dst and res, and res is nil for no residual. In
// Go:
//
//	for p := range pixels {
//		for j := range cn {
//			acc := bias[j]
//			for i := range cin {
//				acc += src[p*cin+i] * w[i*16+j]
//			}
//			dst[p*cout+j] = min(max(acc, lo), hi)
//			if res != nil {
//				dst[p*cout+j] += res[p*cout+j]
//			}
//		}
//	}
//
//go:noescape
func gemm6x16NEON(dst, src, w, bias, res *float32, pixels, cin, cout, cn int, lo, hi float32)

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
