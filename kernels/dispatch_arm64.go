//go:build !noasm

package kernels

import "github.com/klauspost/cpuid/v2"

// archImpls are the arm64 kernel sets, best last. The 8-bit 1x1 kernel of
// neon, and so its stem (a GEMM), uses udot only where cpuid reports the
// dot-product extension (qneonDot), and widening multiplies elsewhere.
var archImpls = []impl{{
	name:      "neon",
	ok:        hasASIMD(),
	pointwise: pointwiseNEON,
	depthwise: depthwiseNEON,
	stem:      stemNEON,

	qpointwise: qpointwiseNEON,
	qdepthwise: qdepthwiseNEON,
	qstem:      qstemNEON,

	addScaled:   addScaledNEON,
	resampleRow: resampleRowNEON,
	ycbcr:       ycbcrNEON,
	idct:        idctNEON,
}}

// hasASIMD reports whether the CPU has Advanced SIMD (NEON). It is part of
// the ARMv8-A baseline that GOARCH=arm64 requires, and the Go runtime itself
// uses it unconditionally, so a feature detector that reports no features at
// all (one that could not read them, as under some emulators) is taken to
// mean "the baseline".
func hasASIMD() bool {
	return cpuid.CPU.Supports(cpuid.ASIMD) || len(cpuid.CPU.FeatureSet()) == 0
}
