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
//
// Each pass computes eight lanes side by side, in variables, whatever the
// size: the lanes from sw on sum zero weights (basis is zero there) and
// are not written, and rows of zero coefficients are skipped. A zero term
// leaves a float sum as it was, so the pixels are those of the formula,
// term by term; TestIDCT checks it. The common sizes have their own
// unrolled versions.
func idct(dst []byte, stride int, blk *[64]int32, sw, sh int) {
	switch {
	case sw == 1 && sh == 1:
		idct1x1(dst, blk[0])
		return
	case sw == 2 && sh == 2:
		idct2x2(dst, stride, blk)
		return
	case sw == 3 && sh == 3:
		idct3x3(dst, stride, blk)
		return
	case sw == 6 && sh == 6:
		idct6x6(dst, stride, blk)
		return
	}
	b := basis()
	bw, bh := &b[sw-1], &b[sh-1]
	var t [8][8]float32 // t[v][x]: the rows' transforms
	rows := 0
	for v := range sh {
		r := (*[8]int32)(blk[8*v : 8*v+8])
		if *r == [8]int32{} {
			continue
		}
		f0, f1, f2, f3 := float32(r[0]), float32(r[1]), float32(r[2]), float32(r[3])
		f4, f5, f6, f7 := float32(r[4]), float32(r[5]), float32(r[6]), float32(r[7])
		tv := &t[v]
		for x := range tv {
			bx := &bw[x]
			tv[x] = f0*bx[0] + f1*bx[1] + f2*bx[2] + f3*bx[3] + f4*bx[4] + f5*bx[5] + f6*bx[6] + f7*bx[7]
		}
		rows = v + 1
	}
	var out [8][8]byte
	for y := range out[:sh] {
		by := &bh[y]
		a0, a1, a2, a3 := float32(128.5), float32(128.5), float32(128.5), float32(128.5)
		a4, a5, a6, a7 := float32(128.5), float32(128.5), float32(128.5), float32(128.5)
		for v := range t[:rows] {
			c, tv := by[v], &t[v]
			a0 += c * tv[0]
			a1 += c * tv[1]
			a2 += c * tv[2]
			a3 += c * tv[3]
			a4 += c * tv[4]
			a5 += c * tv[5]
			a6 += c * tv[6]
			a7 += c * tv[7]
		}
		out[y] = [8]byte{clampF(a0), clampF(a1), clampF(a2), clampF(a3), clampF(a4), clampF(a5), clampF(a6), clampF(a7)}
	}
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

// clampF is a level-shifted sample rounded down and clamped to a byte, as
// idct does it.
func clampF(a float32) byte {
	switch {
	case a <= 0:
		return 0
	case a >= 255:
		return 255
	}
	return byte(a)
}

// idct3x3 is idct at 3 x 3, the luma of a 720p photo decoded at 3/8, with
// no loops and no skipping: the same sums, term by term.
func idct3x3(dst []byte, stride int, blk *[64]int32) {
	b := &basis()[2]
	b0, b1, b2 := &b[0], &b[1], &b[2]
	var t [3][3]float32 // t[v][x]
	for v := range t {
		f0, f1, f2 := float32(blk[8*v]), float32(blk[8*v+1]), float32(blk[8*v+2])
		t[v] = [3]float32{
			f0*b0[0] + f1*b0[1] + f2*b0[2],
			f0*b1[0] + f1*b1[1] + f2*b1[2],
			f0*b2[0] + f1*b2[1] + f2*b2[2],
		}
	}
	for y := range 3 {
		c := &b[y]
		out := dst[y*stride : y*stride+3 : y*stride+3]
		out[0] = clampF(128.5 + c[0]*t[0][0] + c[1]*t[1][0] + c[2]*t[2][0])
		out[1] = clampF(128.5 + c[0]*t[0][1] + c[1]*t[1][1] + c[2]*t[2][1])
		out[2] = clampF(128.5 + c[0]*t[0][2] + c[1]*t[1][2] + c[2]*t[2][2])
	}
}

// idct6x6 is idct at 6 x 6, the chroma of a 4:2:0 photo decoded at 3/8,
// with six lanes rather than eight.
func idct6x6(dst []byte, stride int, blk *[64]int32) {
	b := &basis()[5]
	var t [6][6]float32 // t[v][x]
	rows := 0
	for v := range t {
		r := (*[6]int32)(blk[8*v : 8*v+6])
		if *r == [6]int32{} {
			continue
		}
		f0, f1, f2, f3, f4, f5 := float32(r[0]), float32(r[1]), float32(r[2]), float32(r[3]), float32(r[4]), float32(r[5])
		for x := range t[v] {
			bx := &b[x]
			t[v][x] = f0*bx[0] + f1*bx[1] + f2*bx[2] + f3*bx[3] + f4*bx[4] + f5*bx[5]
		}
		rows = v + 1
	}
	for y := range 6 {
		by := &b[y]
		a0, a1, a2, a3, a4, a5 := float32(128.5), float32(128.5), float32(128.5), float32(128.5), float32(128.5), float32(128.5)
		for v := range t[:rows] {
			c, tv := by[v], &t[v]
			a0 += c * tv[0]
			a1 += c * tv[1]
			a2 += c * tv[2]
			a3 += c * tv[3]
			a4 += c * tv[4]
			a5 += c * tv[5]
		}
		out := (*[6]byte)(dst[y*stride : y*stride+6])
		*out = [6]byte{clampF(a0), clampF(a1), clampF(a2), clampF(a3), clampF(a4), clampF(a5)}
	}
}
