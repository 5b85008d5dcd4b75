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
			gatherStemTaps(rows[:], src, h, w, oy, x0, n, uint8(wt.InZero))
			qpointwiseVNNI(dst[((oy-y0)*ow+x0)*c:], rows[:n*stemK], n, g, 0, c)
		}
	}
}
