//go:build !noasm

package kernels

import "github.com/klauspost/cpuid/v2"

// qgemm12x32VNNI computes two tiles of output channels of a quantized 1x1
// convolution for a run of pixels and stores those of mask's set bits
// (bit j: channel j; the first 16 bits tile A, the next tile B): w points at
// tile A's weights as vnniWeights packs them, followed by tile B's; t at
// tile A's table (vnniRows rows of Tile), followed by tile B's; rowsums at
// the sums of the run's pixels' inputs, or nil if the weights need none
// (no channel of the two tiles has an offset); left says whether any
// channel has a left shift (a multiplier of at least 1). dst and src point at the
// first pixel, rows cout and cin bytes apart. In Go:
//
//	for p := range pixels {
//		for j := range 32 {
//			acc := t[j/16][bias][j%16] + rowsums[p]*t[j/16][offset][j%16]
//			for i := range cin {
//				acc += int32(src[p*cin+i]) * int32(w[j/16*groups*64+(i/4*16+j%16)*4+i%4])
//			}
//			if mask&(1<<j) != 0 {
//				dst[p*cout+j] = clamp(MultiplyByQuantizedMultiplier(acc, ...) + zero, lo, hi)
//			}
//		}
//	}
//
// cin = 4*groups, at least 4; pixels at least 1.
//
//go:noescape
func qgemm12x32VNNI(dst, src *uint8, w *uint8, t, rowsums *int32, pixels, cin, cout, groups int, mask uint32, left bool, zero, lo, hi int32)

// qgemm12x16VNNI is qgemm12x32VNNI for one tile: mask < 1<<16.
//
//go:noescape
func qgemm12x16VNNI(dst, src *uint8, w *uint8, t, rowsums *int32, pixels, cin, cout, groups int, mask uint32, left bool, zero, lo, hi int32)

// qrowsumsAVX512 stores in dst the sum of the cin bytes of each of pixels
// rows of src; tail has a bit set for each of the cin%64 last bytes.
//
//go:noescape
func qrowsumsAVX512(dst *int32, src *uint8, pixels, cin int, tail uint64)

func init() {
	packVNNI = cpuid.CPU.Supports(cpuid.AVX512F, cpuid.AVX512BW, cpuid.AVX512VNNI) ||
		cpuid.CPU.Supports(cpuid.AVX2, cpuid.AVXVNNI)
}

// vnniPanel is the most pixels of a panel: the rows of the panel's input
// then stay in L2 while the tiles of weights pass over them.
const vnniPanel = 240

func qpointwiseVNNI(dst, src []uint8, pixels int, w *QPointwiseWeights, c0, c1 int) {
	if w.s8 == nil {
		qpointwiseAVX2(dst, src, pixels, w, c0, c1)
		return
	}
	cin, cout, groups := w.Cin, w.Cout, w.Cin/4
	panel := min(vnniPanel, max(12, pwPanelBytes/(cin+cout)/12*12))
	var sums [vnniPanel]int32
	for p0 := 0; p0 < pixels; p0 += panel {
		n := min(panel, pixels-p0)
		summed := false
		for o0 := c0; o0 < c1; o0 += 2 * Tile {
			t, cn := o0/Tile, min(c1-o0, 2*Tile)
			var rs *int32
			if w.offsets[t] || cn > Tile && w.offsets[t+1] {
				if !summed {
					qrowsumsAVX512(&sums[0], &src[p0*cin], n, cin, 1<<(cin%64)-1)
					summed = true
				}
				rs = &sums[0]
			}
			// Called directly, not through a func value, so that sums
			// stays on the stack.
			d, s, wt, tb, mask := &dst[p0*cout+o0], &src[p0*cin], &w.s8[t*groups*Tile*4], &w.vt[t*vnniRows*Tile], uint32(1<<cn-1)
			if cn > Tile {
				qgemm12x32VNNI(d, s, wt, tb, rs, n, cin, cout, groups, mask, w.left, w.Out.Zero, w.Out.Lo, w.Out.Hi)
			} else {
				qgemm12x16VNNI(d, s, wt, tb, rs, n, cin, cout, groups, mask, w.left, w.Out.Zero, w.Out.Lo, w.Out.Hi)
			}
		}
	}
}

// qstemVNNI is qstemAVX2 with the VNNI GEMM.
func qstemVNNI(dst, src []uint8, h, w, y0, y1 int, wt *QStemWeights) {
	g := wt.gemm
	if g == nil || g.s8 == nil {
		qstemAVX2(dst, src, h, w, y0, y1, wt)
		return
	}
	const run = 64 // pixels a GEMM call
	var rows [run * stemK]uint8
	c := wt.Cout
	ow, _ := SamePad(w, 3, 2)
	for oy := y0; oy < y1; oy++ {
		for x0 := 0; x0 < ow; x0 += run {
			n := min(run, ow-x0)
			gatherStemTapsAVX512(rows[:], src, h, w, oy, x0, n, uint8(wt.InZero))
			qpointwiseVNNI(dst[((oy-y0)*ow+x0)*c:], rows[:n*stemK], n, g, 0, c)
		}
	}
}

// qgatherStemAVX512 writes the 27 taps of n stem pixels whose 3 columns are
// inside the image into rows of stemK bytes: the 9 bytes of tap row ky of
// pixel i are at rky + i*sky (sky 0 for a row in the padding, rky then 9
// bytes of the zero point).
//
//go:noescape
func qgatherStemAVX512(rows, r0, r1, r2 *uint8, s0, s1, s2, n int)

// gatherStemTapsAVX512 is gatherStemTaps with the pixels whose 3 columns
// are inside the image, a row's taps 9 bytes in a run, moved by
// qgatherStemAVX512.
func gatherStemTapsAVX512(rows, src []uint8, h, w, oy, x0, n int, zp uint8) {
	_, padTop := SamePad(h, 3, 2)
	_, padLeft := SamePad(w, 3, 2)
	a, b := min(max((padLeft+1)/2-x0, 0), n), 0 // the pixels inside: [a, b)
	if last := w - 3 + padLeft; last >= 0 {
		b = min(last/2-x0+1, n)
	}
	if b <= a {
		gatherStemTaps(rows, src, h, w, oy, x0, n, zp)
		return
	}
	zps := [9]uint8{zp, zp, zp, zp, zp, zp, zp, zp, zp}
	var r [3]*uint8
	var step [3]int
	for ky := range r {
		r[ky] = &zps[0]
		if iy := oy*2 - padTop + ky; iy >= 0 && iy < h {
			r[ky], step[ky] = &src[(iy*w+(x0+a)*2-padLeft)*3], 6
		}
	}
	qgatherStemAVX512(&rows[a*stemK], r[0], r[1], r[2], step[0], step[1], step[2], b-a)
	gatherStemTaps(rows, src, h, w, oy, x0, a, zp)
	gatherStemTaps(rows[b*stemK:], src, h, w, oy, x0+b, n-b, zp)
}
