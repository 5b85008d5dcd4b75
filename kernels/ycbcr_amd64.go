//go:build !noasm

package kernels

// ycbcr8AVX2 is YCbCrToRGBA over n pixels, n a multiple of 8: eight pixels
// a round, one in each int32 lane of a YMM register.
//
//go:noescape
func ycbcr8AVX2(dst, y, cb, cr *byte, n int)

func ycbcrAVX2(dst, y, cb, cr []byte) {
	n := len(y) &^ 7
	if n > 0 {
		ycbcr8AVX2(&dst[0], &y[0], &cb[0], &cr[0], n)
	}
	ycbcrGeneric(dst[4*n:], y[n:], cb[n:], cr[n:])
}
