//go:build !noasm

package kernels

// gemm14x32AVX512 computes two tiles (32 output channels) of a 1x1
// convolution for a run of pixels: w points at the first tile's packed
// weights [cin][16], followed by the second tile's; bias at the 32 biases;
// dst and res at the first channel of the first pixel, with row strides
// cout and rs; res is nil for no residual. Bit j of mask is set for the
// channels j to store. In Go:
//
//	for p := range pixels {
//		for j := range 32 {
//			acc := bias[j]
//			for i := range cin {
//				acc += src[p*cin+i] * w[(j/16*cin+i)*16+j%16]
//			}
//			if mask&(1<<j) != 0 {
//				dst[p*cout+j] = min(max(acc, lo), hi) + res[p*rs+j] // + 0 if res == nil
//			}
//		}
//	}
//
// cin must be at least 1.
//
//go:noescape
func gemm14x32AVX512(dst, src, w, bias, res *float32, pixels, cin, cout, rs int, mask uint32, lo, hi float32)

// gemm14x16AVX512 is gemm14x32AVX512 for one tile: j < 16, mask < 1<<16.
//
//go:noescape
func gemm14x16AVX512(dst, src, w, bias, res *float32, pixels, cin, cout, rs int, mask uint32, lo, hi float32)

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
		var res *float32
		rs := 0
		for o0 := c0; o0 < c1; o0 += 2 * Tile {
			if residual != nil {
				res, rs = &residual[p0*cout+o0], cout
			}
			left := c1 - o0
			mask := uint32(1)<<min(left, 2*Tile) - 1 // 1<<32 is 0 in uint32
			kernel := gemm14x32AVX512
			if left <= Tile {
				kernel = gemm14x16AVX512
			}
			kernel(&dst[p0*cout+o0], &src[p0*cin], &wt.W[o0*cin], &wt.Bias[o0], res, n, cin, cout, rs, mask, lo, hi)
		}
	}
}
