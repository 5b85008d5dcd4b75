//go:build !noasm

package kernels

// qstemAVX2 runs the stem as a GEMM: it gathers the 27 taps of a run of
// output pixels into rows of 28 bytes on the stack (taps in the padding
// read the input's zero point) and multiplies them with qgemm16AVX2.
func qstemAVX2(dst, src []uint8, h, w, y0, y1 int, wt *QStemWeights) {
	g := wt.gemm
	if g == nil {
		qstemGeneric(dst, src, h, w, y0, y1, wt)
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
			out := dst[((oy-y0)*ow+x0)*c:]
			for t := 0; t*Tile < c; t++ {
				qgemm16AVX2(&out[t*Tile], &rows[0], &g.Int16s()[t*stemK/4*Tile*4], &g.Bias[t*Tile], &g.requant()[t*6*Tile],
					n, stemK, c, stemK/4, min(Tile, c-t*Tile), g.Out.Zero, g.Out.Lo, g.Out.Hi)
			}
		}
	}
}
