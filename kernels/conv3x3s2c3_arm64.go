//go:build !noasm

package kernels

// conv3x3s2c3NEON computes one tile of nt <= 16 output channels of the stem
// for n output pixels of one row: pixel j reads 9 floats (3 columns x 3
// channels) at r[ky][6*j:] for ky < 3; w points at the tile's first channel
// of the packed [27][cp] weights; output pixels are cout floats apart. In Go:
//
//	for j := range n {
//		var acc [16]float32
//		copy(acc[:], bias[:16])
//		for ky := range 3 {
//			for k := range 9 {
//				for i := range acc {
//					acc[i] += r[ky][6*j+k] * w[(ky*9+k)*cp+i]
//				}
//			}
//		}
//		for i := range nt {
//			dst[j*cout+i] = min(max(acc[i], lo), hi)
//		}
//	}
//
//go:noescape
func conv3x3s2c3NEON(dst, r0, r1, r2, w, bias *float32, n, cp, cout, nt int, lo, hi float32)

// stemNEON feeds conv3x3s2c3NEON one output row at a time, like depthwiseNEON:
// input rows outside the image are the zero row, interior pixels go in one
// run, and each edge pixel is computed from a copy of its 3x3x3 window with
// zeros outside the image.
func stemNEON(dst, src []float32, h, w, y0, y1 int, wt *StemWeights, lo, hi float32) {
	c := wt.Cout
	if c == 0 {
		return
	}
	_, padTop := SamePad(h, 3, 2)
	ow, padLeft := SamePad(w, 3, 2)
	zero := zeroRow(w * 3)
	var rows [3][]float32
	for oy := y0; oy < y1; oy++ {
		for ky := range rows {
			rows[ky] = zero
			if iy := oy*2 - padTop + ky; iy >= 0 && iy < h {
				rows[ky] = src[iy*w*3 : (iy+1)*w*3]
			}
		}
		out := dst[(oy-y0)*ow*c : (oy-y0+1)*ow*c]
		for ox := 0; ox < ow; {
			ix := ox*2 - padLeft
			if ix >= 0 && ix+2 < w {
				n := min(ow-ox, (w-3-ix)/2+1)
				stemRun(out[ox*c:], &rows[0][ix*3], &rows[1][ix*3], &rows[2][ix*3], n, wt, lo, hi)
				ox += n
				continue
			}
			var win [27]float32
			for ky, row := range rows {
				for kx := range 3 {
					if x := ix + kx; x >= 0 && x < w {
						copy(win[(ky*3+kx)*3:][:3], row[x*3:])
					}
				}
			}
			stemRun(out[ox*c:], &win[0], &win[9], &win[18], 1, wt, lo, hi)
			ox++
		}
	}
}

// stemRun computes all output channels of n pixels, one tile at a time.
func stemRun(out []float32, r0, r1, r2 *float32, n int, wt *StemWeights, lo, hi float32) {
	c, cp := wt.Cout, roundUp(wt.Cout, Tile)
	for o0 := 0; o0 < c; o0 += Tile {
		conv3x3s2c3NEON(&out[o0], r0, r1, r2, &wt.W[o0], &wt.Bias[o0], n, cp, c, min(Tile, c-o0), lo, hi)
	}
}
