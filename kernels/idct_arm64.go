//go:build !noasm

package kernels

// idct8NEON is InverseDCT with a row of eight lanes in two vectors: mul and
// add apart (no fused multiply-add), in the order of the terms, as
// idctGeneric.
//
//go:noescape
func idct8NEON(out *[8][8]byte, coef *[64]int32, across, down *[8][8]float32, sw, sh int)

// idctNEON leaves 3x3 and 6x6 to idctGeneric, which has them unrolled:
// counted, the vector code runs about as many instructions there (it
// computes eight lanes and four rows at a time), where at 4x4 and 8x8 it
// runs a quarter to a third of the Go loops'.
func idctNEON(out *[8][8]byte, coef *[64]int32, across, down *[8][8]float32, sw, sh int) {
	if sw == sh && (sw == 3 || sw == 6) {
		idctGeneric(out, coef, across, down, sw, sh)
		return
	}
	idct8NEON(out, coef, across, down, sw, sh)
}
