//go:build !noasm

package kernels

// conv3x3s2c3AVX2 computes n output pixels of the stem, a 3x3 stride-2
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
func conv3x3s2c3AVX2(dst, r0, r1, r2, w, bias *float32, n, cout, cp, rows int, lo, hi float32)

func stemAVX2(dst, src []float32, h, w, y0, y1 int, wt *StemWeights, lo, hi float32) {
	stemRows(dst, src, h, w, y0, y1, wt, lo, hi, false)
}

// stemRows runs the AVX2 or AVX-512 stem microkernel over output rows
// [y0, y1): the pixels of a row whose nine inputs are all inside the image
// in one call, the others one by one from a zero-padded copy of their
// inputs. (A flag, not a function value: through one, the copy would
// escape to the heap.)
func stemRows(dst, src []float32, h, w, y0, y1 int, wt *StemWeights, lo, hi float32, avx512 bool) {
	cout, cp := wt.Cout, roundUp(wt.Cout, Tile)
	// kernel computes n pixels from the input rows r0, r1, r2 of the
	// first, summing those whose bit is set in rows (the others are
	// padding).
	kernel := func(dst, r0, r1, r2 *float32, n, rows int) {
		if avx512 {
			conv3x3s2c3AVX512(dst, r0, r1, r2, &wt.W[0], &wt.Bias[0], n, cout, cp, rows, lo, hi)
		} else {
			conv3x3s2c3AVX2(dst, r0, r1, r2, &wt.W[0], &wt.Bias[0], n, cout, cp, rows, lo, hi)
		}
	}
	_, top := SamePad(h, 3, 2)
	ow, left := SamePad(w, 3, 2)
	xa, xb := left, left // the interior pixels [xa, xb)
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
			kernel(&dst[((oy-y0)*ow+xa)*cout], &src[r[0]+x], &src[r[1]+x], &src[r[2]+x], xb-xa, rows)
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
			kernel(&dst[((oy-y0)*ow+ox)*cout], &patch[0], &patch[9], &patch[18], 1, 7)
		}
	}
}
