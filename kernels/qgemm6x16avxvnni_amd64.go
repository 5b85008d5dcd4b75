//go:build !noasm

package kernels

// qgemm6x16AVXVNNI computes one tile of output channels of a quantized 1x1
// convolution for a run of pixels and stores its first n (1 to 16), as
// qgemm16AVX2, on AVX-VNNI's 8-bit dot product: w points at the tile's
// weights as vnniWeights packs them, t at its table there (the biases and
// the weight offsets), rq at its requantization table (requantTable), and
// rowsums at the sums of the pixels' inputs, or nil if no channel of the
// tile has an offset. cin = 4*groups, at least 4; pixels at least 1.
//
//go:noescape
func qgemm6x16AVXVNNI(dst, src *uint8, w *uint8, t, rq, rowsums *int32, pixels, cin, cout, groups, n int, zero, lo, hi int32)

// qrowsumsAVX2 stores in dst the sum of the cin bytes of each of pixels
// rows of src.
//
//go:noescape
func qrowsumsAVX2(dst *int32, src *uint8, pixels, cin int)

func qpointwiseAVXVNNI(dst, src []uint8, pixels int, w *QPointwiseWeights, c0, c1 int) {
	if w.s8 == nil {
		qpointwiseAVX2(dst, src, pixels, w, c0, c1)
		return
	}
	cin, cout, groups := w.Cin, w.Cout, w.Cin/4
	panel := min(vnniPanel, max(6, pwPanelBytes/(cin+cout)/6*6))
	var sums [vnniPanel]int32
	for p0 := 0; p0 < pixels; p0 += panel {
		n := min(panel, pixels-p0)
		summed := false
		for t := c0 / Tile; t*Tile < c1; t++ {
			var rs *int32
			if w.offsets[t] {
				if !summed {
					qrowsumsAVX2(&sums[0], &src[p0*cin], n, cin)
					summed = true
				}
				rs = &sums[0]
			}
			qgemm6x16AVXVNNI(&dst[p0*cout+t*Tile], &src[p0*cin], &w.s8[t*groups*Tile*4], &w.vt[t*vnniRows*Tile], &w.requant()[t*6*Tile], rs,
				n, cin, cout, groups, min(Tile, c1-t*Tile), w.Out.Zero, w.Out.Lo, w.Out.Hi)
		}
	}
}

// qstemAVXVNNI is qstemAVX2 with the AVX-VNNI GEMM.
func qstemAVXVNNI(dst, src []uint8, h, w, y0, y1 int, wt *QStemWeights) {
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
			qpointwiseAVXVNNI(dst[((oy-y0)*ow+x0)*c:], rows[:n*stemK], n, g, 0, c)
		}
	}
}
