//go:build !noasm

package kernels

// idct8NEON is InverseDCT with a row of eight lanes in two vectors: mul and
// add apart (no fused multiply-add), in the order of the terms, as
// idctGeneric.
//
//go:noescape
func idct8NEON(out *[8][8]byte, coef *[64]int32, across, down *[8][8]float32, sw, sh int)

func idctNEON(out *[8][8]byte, coef *[64]int32, across, down *[8][8]float32, sw, sh int) {
	idct8NEON(out, coef, across, down, sw, sh)
}
