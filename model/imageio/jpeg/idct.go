package jpeg

import (
	"math"
	"sync"

	"github.com/mbv2/mbv2/kernels"
)

// The reduced inverse DCT of a block at s x s (s <= 8) samples the block's
// continuous reconstruction at the centres of an s x s grid, from its s x s
// lowest frequencies (the higher ones would alias):
//
//	f(x, y) = sum over u, v < s of C(u)/2 C(v)/2 F(v, u)
//	          cos((2x+1)u pi / 2s) cos((2y+1)v pi / 2s)
//
// with C(0) = 1/sqrt 2, C(u) = 1 otherwise. At s = 8 this is the IDCT of
// section A.3.3; at s = 1 it is the DC over 8, libjpeg's jpeg_idct_1x1.

// The weights of the transform at each size s: basis[s-1][x][u] is
// C(u)/2 cos((2x+1)u pi / 2s), across[s-1] its transpose (the layout
// kernels.InverseDCT takes for the rows).
type idctWeights struct {
	basis, across [8][8][8]float32
}

var weights = sync.OnceValue(func() *idctWeights {
	var w idctWeights
	for s := 1; s <= 8; s++ {
		for x := 0; x < s; x++ {
			for u := 0; u < s; u++ {
				c := 0.5
				if u == 0 {
					c = 0.5 / math.Sqrt2
				}
				w.basis[s-1][x][u] = float32(c * math.Cos(float64(2*x+1)*float64(u)*math.Pi/float64(2*s)))
				w.across[s-1][u][x] = w.basis[s-1][x][u]
			}
		}
	}
	return &w
})

// clamp8 is v (already level-shifted) rounded down and clamped to a byte.
func clamp8(v int32) byte {
	if uint32(v) > 255 {
		if v < 0 {
			return 0
		}
		return 255
	}
	return byte(v)
}

// idct1x1 writes the one pixel of a block whose dequantized DC is dc.
func idct1x1(dst []byte, dc int32) {
	dst[0] = clamp8((dc+4)>>3 + 128)
}

// idct writes the sw x sh reduced inverse DCT of the dequantized
// coefficients blk (natural order; only the sw x sh lowest read) to dst,
// rows stride bytes apart: the 1x1 and 2x2 ones in integers, the others
// with kernels.InverseDCT, through out.
func idct(dst []byte, stride int, blk *[64]int32, out *[8][8]byte, sw, sh int) {
	switch {
	case sw == 1 && sh == 1:
		idct1x1(dst, blk[0])
		return
	case sw == 2 && sh == 2:
		idct2x2(dst, stride, blk)
		return
	}
	w := weights()
	kernels.InverseDCT(out, blk, &w.across[sw-1], &w.basis[sh-1], sw, sh)
	for y := range sh {
		copy(dst[y*stride:y*stride+sw], out[y][:sw])
	}
}

// idctDC writes the sw x sh reduced inverse DCT of a block whose only
// non-zero coefficient is the dequantized DC: one value.
func idctDC(dst []byte, stride int, dc int32, sw, sh int) {
	p := clamp8((dc+4)>>3 + 128)
	for y := 0; y < sh; y++ {
		row := dst[y*stride : y*stride+sw]
		for x := range row {
			row[x] = p
		}
	}
}

// idct2x2 is idct at 2 x 2, in integers: every weight is +-1/8.
func idct2x2(dst []byte, stride int, blk *[64]int32) {
	a0, a1 := blk[0]+blk[8]+4, blk[1]+blk[9] // row 0: v sums, u = 0 and 1
	b0, b1 := blk[0]-blk[8]+4, blk[1]-blk[9] // row 1
	dst[0] = clamp8((a0+a1)>>3 + 128)
	dst[1] = clamp8((a0-a1)>>3 + 128)
	dst[stride] = clamp8((b0+b1)>>3 + 128)
	dst[stride+1] = clamp8((b0-b1)>>3 + 128)
}
