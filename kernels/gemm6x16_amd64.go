//go:build !noasm

package kernels

// gemm6x16AVX2 computes one tile of output channels of a 1x1 convolution
// for a run of pixels, storing its first cn (1 to 16): w and bias are the
// tile's packed weights [cin][16] and biases, dst and res point at the
// tile's first channel of the first pixel, rows are cin floats apart in src
// and cout in dst and res, and res is nil for no residual. In Go:
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
// cin must be at least 1.
//
//go:noescape
func gemm6x16AVX2(dst, src, w, bias, res *float32, pixels, cin, cout, cn int, lo, hi float32)

// tailMask[Tile-n:][:Tile] has its first n lanes set: the store mask of a
// tile of n < Tile channels, for the AVX2 kernels.
var tailMask = [2 * Tile]int32{-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1}

func pointwiseAVX2(dst, src []float32, pixels int, wt *PointwiseWeights, residual []float32, c0, c1 int, lo, hi float32) {
	cin, cout := wt.Cin, wt.Cout
	if cin == 0 {
		pointwiseGeneric(dst, src, pixels, wt, residual, c0, c1, lo, hi)
		return
	}
	// Panels of pixels small enough that their input and output stay in
	// cache while every tile of weights passes over them.
	panel := max(6, pwPanelBytes/(4*(cin+cout))/6*6)
	for p0 := 0; p0 < pixels; p0 += panel {
		n := min(panel, pixels-p0)
		for o0 := c0; o0 < c1; o0 += Tile {
			var res *float32
			if residual != nil {
				res = &residual[p0*cout+o0]
			}
			gemm6x16AVX2(&dst[p0*cout+o0], &src[p0*cin], &wt.W[o0*cin], &wt.Bias[o0], res, n, cin, cout, min(Tile, c1-o0), lo, hi)
		}
	}
}

// pwPanelBytes bounds the input and output of a panel of pixels: about a
// sixteenth of L2, measured best on the layers of MobileNetV2.
const pwPanelBytes = 128 << 10
