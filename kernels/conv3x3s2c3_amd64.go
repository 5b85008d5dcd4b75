//go:build !noasm

package kernels

// conv3x3s2c3AVX2 computes n output pixels of the stem, a 3x3 stride-2
// convolution of 3 input channels into cout: dst is the first pixel, r0, r1,
// r2 point at the kx=0 input of the first pixel in its three input rows, of
// which inside has bit ky set for those to sum (the others are padding), w and
// bias are the packed weights [27][cp] and bias. In Go:
//
//	for p := range n {
//		for o := range cout {
//			acc := bias[o]
//			for ky, r := range [3][]float32{r0, r1, r2} {
//				if inside&(1<<ky) != 0 {
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
func conv3x3s2c3AVX2(dst, r0, r1, r2, w, bias *float32, n, cout, cp, inside int, lo, hi float32)

func stemAVX2(dst, src []float32, h, w, y0, y1 int, wt *StemWeights, lo, hi float32) {
	stemRows(dst, src, h, w, y0, y1, wt, lo, hi, isaAVX2)
}

// conv3x3s2c3 calls the conv3x3s2c3 microkernel of k.
func conv3x3s2c3(k isa, dst, r0, r1, r2, w, bias *float32, n, cout, cp, inside int, lo, hi float32) {
	if k == isaAVX512 {
		conv3x3s2c3AVX512(dst, r0, r1, r2, w, bias, n, cout, cp, inside, lo, hi)
	} else {
		conv3x3s2c3AVX2(dst, r0, r1, r2, w, bias, n, cout, cp, inside, lo, hi)
	}
}
