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
	_, padTop := SamePad(h, 3, 2)
	ow, padLeft := SamePad(w, 3, 2)
	zp := uint8(wt.InZero)
	for oy := y0; oy < y1; oy++ {
		for x0 := 0; x0 < ow; x0 += run {
			n := min(run, ow-x0)
			for i := range n {
				row := rows[i*stemK : (i+1)*stemK]
				ox := x0 + i
				for ky := range 3 {
					iy := oy*2 - padTop + ky
					for kx := range 3 {
						ix := ox*2 - padLeft + kx
						t := row[(ky*3+kx)*3 : (ky*3+kx)*3+3]
						if iy < 0 || iy >= h || ix < 0 || ix >= w {
							t[0], t[1], t[2] = zp, zp, zp
							continue
						}
						copy(t, src[(iy*w+ix)*3:])
					}
				}
				row[27] = zp
			}
			qpointwiseNEON(dst[((oy-y0)*ow+x0)*c:], rows[:n*stemK], n, g, 0, c)
		}
	}
}
