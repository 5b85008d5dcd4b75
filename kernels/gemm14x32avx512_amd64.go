//go:build !noasm

package kernels

// gemm14x32AVX512 computes two tiles of output channels of a 1x1
// convolution for a run of pixels, storing their first cn (1 to 32): w
// points at the first tile's packed weights [cin][16], followed by the
// second tile's; bias at the 32 biases; dst and res at the first channel of
// the first pixel; rows are cin floats apart in src and cout in dst and
// res, and res is nil for no residual. In Go:
//
//	for p := range pixels {
//		for j := range cn {
//			acc := bias[j]
//			for i := range cin {
//				acc += src[p*cin+i] * w[(j/16*cin+i)*16+j%16]
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
func gemm14x32AVX512(dst, src, w, bias, res *float32, pixels, cin, cout, cn int, lo, hi float32)

// gemm14x16AVX512 is gemm14x32AVX512 for one tile: cn <= 16.
//
//go:noescape
func gemm14x16AVX512(dst, src, w, bias, res *float32, pixels, cin, cout, cn int, lo, hi float32)

func pointwiseAVX512(dst, src []float32, pixels int, wt *PointwiseWeights, residual []float32, c0, c1 int, lo, hi float32) {
	cin, cout := wt.Cin, wt.Cout
	if cin == 0 {
		pointwiseGeneric(dst, src, pixels, wt, residual, c0, c1, lo, hi)
		return
	}
	// Panels of pixels as in pointwiseAVX2; pairs of tiles over them.
	panel := max(14, pwPanelBytes/(4*(cin+cout))/14*14)
	for p0 := 0; p0 < pixels; p0 += panel {
		n := min(panel, pixels-p0)
		for o0 := c0; o0 < c1; o0 += 2 * Tile {
			var res *float32
			if residual != nil {
				res = &residual[p0*cout+o0]
			}
			cn := min(c1-o0, 2*Tile)
			kernel := gemm14x32AVX512
			if cn <= Tile {
				kernel = gemm14x16AVX512
			}
			kernel(&dst[p0*cout+o0], &src[p0*cin], &wt.W[o0*cin], &wt.Bias[o0], res, n, cin, cout, cn, lo, hi)
		}
	}
}
