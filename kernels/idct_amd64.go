//go:build !noasm

package kernels

// idct8AVX2 is InverseDCT with a row of eight lanes in a YMM register:
// mul and add apart (no FMA), in the order of the terms, as idctGeneric.
//
//go:noescape
func idct8AVX2(out *[8][8]byte, coef *[64]int32, across, down *[8][8]float32, sw, sh int)

func idctAVX2(out *[8][8]byte, coef *[64]int32, across, down *[8][8]float32, sw, sh int) {
	idct8AVX2(out, coef, across, down, sw, sh)
}
