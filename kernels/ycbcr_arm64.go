//go:build !noasm

package kernels

// ycbcr8NEON is YCbCrToRGBA over n pixels, n a multiple of 8: eight pixels
// a round, in two vectors of four int32 lanes a channel.
//
//go:noescape
func ycbcr8NEON(dst, y, cb, cr *byte, n int)

func ycbcrNEON(dst, y, cb, cr []byte) {
	n := len(y) &^ 7
	if n > 0 {
		ycbcr8NEON(&dst[0], &y[0], &cb[0], &cr[0], n)
	}
	ycbcrGeneric(dst[4*n:], y[n:], cb[n:], cr[n:])
}
