//go:build !noasm

package kernels

// addScaled32AVX2 is AddScaled over n values, n a multiple of 32.
//
//go:noescape
func addScaled32AVX2(acc *int32, src *byte, n int, c int32)

func addScaledAVX2(acc []int32, src []byte, c int32) {
	n := len(src) &^ 31
	if n > 0 {
		addScaled32AVX2(&acc[0], &src[0], n, c)
	}
	addScaledGeneric(acc[n:], src[n:], c)
}

// resamplePixelsAVX2 is ResampleRow for outs pixels, a pixel's four
// channels in the int32 lanes of an XMM register; it writes four bytes a
// pixel.
//
//go:noescape
func resamplePixelsAVX2(out, src *byte, bounds *int, coef *int32, outs, ksize int)

func resampleRowAVX2(out, src []byte, bounds []int, coef []int32, ksize int) {
	outs := len(bounds) / 2
	// The last pixel is written apart: the assembly stores four bytes a
	// pixel, the fourth overwritten by the next pixel's.
	if outs > 1 {
		resamplePixelsAVX2(&out[0], &src[0], &bounds[0], &coef[0], outs-1, ksize)
	}
	o := outs - 1
	resampleRowGeneric(out[3*o:], src, bounds[2*o:], coef[o*ksize:], ksize)
}
