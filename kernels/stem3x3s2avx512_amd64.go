//go:build !noasm

package kernels

// conv3x3s2c3AVX512 computes n output pixels of the stem, a 3x3 stride-2
// convolution of 3 input channels into cout: dst is the first pixel, r0, r1,
// r2 point at the kx=0 input of the first pixel in its three input rows, of
// which rows has bit ky set for those to sum (the others are padding), w and
// bias are the packed weights [27][cp] and bias. In Go:
//
//	for p := range n {
//		for o := range cout {
//			acc := bias[o]
//			for ky, r := range [3][]float32{r0, r1, r2} {
//				if rows&(1<<ky) != 0 {
//					for j := range 9 { // j = kx*3 + ci
//						acc += r[p*6+j] * w[(ky*9+j)*cp+o]
//					}
//				}
//			}
//			dst[p*cout+o] = min(max(acc, lo), hi)
//		}
//	}
//
//go:noescape
func conv3x3s2c3AVX512(dst, r0, r1, r2, w, bias *float32, n, cout, cp, rows int, lo, hi float32)

// stemAVX512 is stemAVX2 with conv3x3s2c3AVX512: the interior pixels of a
// row in one run, the others from a zero-padded copy of their inputs.
func stemAVX512(dst, src []float32, h, w, y0, y1 int, wt *StemWeights, lo, hi float32) {
	cout, cp := wt.Cout, roundUp(wt.Cout, Tile)
	_, top := SamePad(h, 3, 2)
	ow, left := SamePad(w, 3, 2)
	// Output pixels [xa, xb) have all nine inputs inside the row.
	xa, xb := left, left
	if w-3+left >= 0 {
		xb = (w-3+left)/2 + 1
	}
	row := w * 3
	var patch [27]float32
	for oy := y0; oy < y1; oy++ {
		iy := oy*2 - top
		// The centre row is always inside the image; it stands in for a
		// missing row, which is skipped.
		var r [3]int
		rows := 0
		for ky := range 3 {
			r[ky] = (iy + 1) * row
			if y := iy + ky; y >= 0 && y < h {
				r[ky], rows = y*row, rows|1<<ky
			}
		}
		if xb > xa {
			x := (2*xa - left) * 3
			conv3x3s2c3AVX512(&dst[(oy*ow+xa)*cout], &src[r[0]+x], &src[r[1]+x], &src[r[2]+x],
				&wt.W[0], &wt.Bias[0], xb-xa, cout, cp, rows, lo, hi)
		}
		for ox := range ow {
			if ox >= xa && ox < xb {
				continue
			}
			for ky := range 3 {
				for kx := range 3 {
					in := patch[(ky*3+kx)*3:][:3]
					y, x := iy+ky, ox*2-left+kx
					if y < 0 || y >= h || x < 0 || x >= w {
						clear(in)
					} else {
						copy(in, src[(y*w+x)*3:])
					}
				}
			}
			conv3x3s2c3AVX512(&dst[(oy*ow+ox)*cout], &patch[0], &patch[9], &patch[18],
				&wt.W[0], &wt.Bias[0], 1, cout, cp, 7, lo, hi)
		}
	}
}
