//go:build !noasm

package kernels

// gemm6x16AVX2 computes one tile of output channels of a 1x1 convolution
// for a run of pixels: w and bias are the tile's packed weights [cin][16]
// and biases, dst and res point at the tile's first channel of the first
// pixel, with row strides cout and rs (rs is 0 when res is a zero tile:
// then nothing is added), and
// mask, if not nil, holds 16 lanes of which the first n (-1) are the
// channels to store. In Go:
//
//	for p := range pixels {
//		for j := range 16 {
//			acc := bias[j]
//			for i := range cin {
//				acc += src[p*cin+i] * w[i*16+j]
//			}
//			if mask == nil || mask[j] != 0 {
//				dst[p*cout+j] = min(max(acc, lo), hi) + res[p*rs+j]
//			}
//		}
//	}
//
// cin must be at least 1.
//
//go:noescape
func gemm6x16AVX2(dst, src, w, bias, res *float32, mask *int32, pixels, cin, cout, rs int, lo, hi float32)

// tailMask[Tile-n:][:Tile] has its first n lanes set: the store mask of a
// tile of n < Tile channels.
var tailMask = [2 * Tile]int32{-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1}

// zeroTile is the residual of a layer without one, read with row stride 0.
var zeroTile [Tile]float32

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
		res, rs := &zeroTile[0], 0
		for o0 := c0; o0 < c1; o0 += Tile {
			var mask *int32
			if n := c1 - o0; n < Tile {
				mask = &tailMask[Tile-n]
			}
			if residual != nil {
				res, rs = &residual[p0*cout+o0], cout
			}
			gemm6x16AVX2(&dst[p0*cout+o0], &src[p0*cin], &wt.W[o0*cin], &wt.Bias[o0], res, mask, n, cin, cout, rs, lo, hi)
		}
	}
}

// pwPanelBytes bounds the input and output of a panel of pixels: about a
// sixteenth of L2, measured best on the layers of MobileNetV2.
const pwPanelBytes = 128 << 10
