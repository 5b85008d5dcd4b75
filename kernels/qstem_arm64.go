//go:build !noasm

package kernels

// qstemNEON runs the stem as a GEMM, as qstemAVX2: it gathers the 27 taps
// of a run of output pixels into rows of stemK bytes on the stack (taps in
// the padding read the input's zero point) and multiplies them with the
// neon set's 1x1 kernel, whose output rows are the stem's output pixels.
func qstemNEON(dst, src []uint8, h, w, y0, y1 int, wt *QStemWeights) {
	g := wt.gemm
	if g == nil {
		qstemGeneric(dst, src, h, w, y0, y1, wt)
		return
	}
	const run = 64 // pixels a GEMM call
	var rows [run * stemK]uint8
	c := wt.Cout
	ow, _ := SamePad(w, 3, 2)
	zp := uint8(wt.InZero)
	for oy := y0; oy < y1; oy++ {
		for x0 := 0; x0 < ow; x0 += run {
			n := min(run, ow-x0)
			gatherStemTaps(rows[:], src, h, w, oy, x0, n, zp)
			for i := range n {
				rows[i*stemK+27] = zp // the dot-product path sums the inputs
			}
			qpointwiseNEON(dst[((oy-y0)*ow+x0)*c:], rows[:n*stemK], n, g, 0, c)
		}
	}
}
