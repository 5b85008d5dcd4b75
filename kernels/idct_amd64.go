//go:build !noasm

package kernels

// idct8AVX2 is InverseDCT with a row of eight lanes in a YMM register:
// mul and add apart (no FMA), in the order of the terms, as idctGeneric.
//
//go:noescape
func idct8AVX2(out *[8][8]byte, coef *[64]int32, across, down *[8][8]float32, sw, sh int)

// idct4AVX2 is idct8AVX2 for sh <= 4, computing only four rows a pass:
// the luma of a 720p photo decoded at 3/8 is 3x3.
//
//go:noescape
func idct4AVX2(out *[8][8]byte, coef *[64]int32, across, down *[8][8]float32, sw, sh int)

func idctAVX2(out *[8][8]byte, coef *[64]int32, across, down *[8][8]float32, sw, sh int) {
	if sh <= 4 {
		idct4AVX2(out, coef, across, down, sw, sh)
		return
	}
	idct8AVX2(out, coef, across, down, sw, sh)
}
