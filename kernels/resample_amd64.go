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
