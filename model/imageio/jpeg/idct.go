package jpeg

import (
	"math"
	"sync"
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

// basis[s-1][x][u] is C(u)/2 cos((2x+1)u pi / 2s).
var basis = sync.OnceValue(func() *[8][8][8]float32 {
	var b [8][8][8]float32
	for s := 1; s <= 8; s++ {
		for x := 0; x < s; x++ {
			for u := 0; u < s; u++ {
				c := 0.5
				if u == 0 {
					c = 0.5 / math.Sqrt2
				}
				b[s-1][x][u] = float32(c * math.Cos(float64(2*x+1)*float64(u)*math.Pi/float64(2*s)))
			}
		}
	}
	return &b
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
// rows stride bytes apart.
func idct(dst []byte, stride int, blk *[64]int32, sw, sh int) {
	switch {
	case sw == 1 && sh == 1:
		idct1x1(dst, blk[0])
		return
	case sw == 2 && sh == 2:
		idct2x2(dst, stride, blk)
		return
	}
	b := basis()
	bw, bh := &b[sw-1], &b[sh-1]
	var tmp [8][8]float32 // [v][x]: the rows transformed
	for v := 0; v < sh; v++ {
		row := blk[8*v : 8*v+sw]
		for x := 0; x < sw; x++ {
			var acc float32
			for u, f := range row {
				acc += float32(f) * bw[x][u]
			}
			tmp[v][x] = acc
		}
	}
	for y := 0; y < sh; y++ {
		out := dst[y*stride : y*stride+sw]
		for x := range out {
			acc := float32(128.5)
			for v := 0; v < sh; v++ {
				acc += bh[y][v] * tmp[v][x]
			}
			switch {
			case acc <= 0:
				out[x] = 0
			case acc >= 255:
				out[x] = 255
			default:
				out[x] = byte(acc)
			}
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
