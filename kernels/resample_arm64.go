//go:build !noasm

package kernels

// addScaled16NEON is AddScaled over n values, n a multiple of 16.
//
//go:noescape
func addScaled16NEON(acc *int32, src *byte, n int, c int32)

func addScaledNEON(acc []int32, src []byte, c int32) {
	n := len(src) &^ 15
	if n > 0 {
		addScaled16NEON(&acc[0], &src[0], n, c)
	}
	addScaledGeneric(acc[n:], src[n:], c)
}

// resamplePixelsNEON is ResampleRow for outs pixels, a pixel's four
// channels in the int32 lanes of a vector; it writes four bytes a pixel.
//
//go:noescape
func resamplePixelsNEON(out, src *byte, bounds *int, coef *int32, outs, ksize int)

func resampleRowNEON(out, src []byte, bounds []int, coef []int32, ksize int) {
	outs := len(bounds) / 2
	// The last pixel is written apart: the assembly stores four bytes a
	// pixel, the fourth overwritten by the next pixel's.
	if outs > 1 {
		resamplePixelsNEON(&out[0], &src[0], &bounds[0], &coef[0], outs-1, ksize)
	}
	o := outs - 1
	resampleRowGeneric(out[3*o:], src, bounds[2*o:], coef[o*ksize:], ksize)
}
