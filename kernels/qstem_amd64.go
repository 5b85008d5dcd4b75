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
	_, padTop := SamePad(h, 3, 2)
	ow, padLeft := SamePad(w, 3, 2)
	zp := uint8(wt.InZero)
	for oy := y0; oy < y1; oy++ {
		for x0 := 0; x0 < ow; x0 += run {
			n := min(run, ow-x0)
			for i := range n {
				row := (*[stemK]uint8)(rows[i*stemK:])
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
						s := src[(iy*w+ix)*3 : (iy*w+ix)*3+3]
						t[0], t[1], t[2] = s[0], s[1], s[2]
					}
				}
			}
			out := dst[((oy-y0)*ow+x0)*c:]
			for t := 0; t*Tile < c; t++ {
				qgemm16AVX2(&out[t*Tile], &rows[0], &g.W[t*stemK/4*Tile*4], &g.Bias[t*Tile], &g.rq[t*6*Tile],
					n, stemK, c, stemK/4, min(Tile, c-t*Tile), g.Out.Zero, g.Out.Lo, g.Out.Hi)
			}
		}
	}
}
