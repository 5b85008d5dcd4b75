//go:build !noasm

package kernels

import "github.com/klauspost/cpuid/v2"

// archImpls are the amd64 kernel sets, best last. FMA3 is a feature of its
// own: AVX2 does not imply it. The avx512 set runs the AVX2 kernels where
// 512-bit vectors measured no faster.
var archImpls = []impl{{
	name:      "avx2",
	ok:        cpuid.CPU.Supports(cpuid.AVX2, cpuid.FMA3),
	pointwise: pointwiseAVX2,
	depthwise: depthwiseAVX2,
	stem:      stemAVX2,
}, {
	name:      "avx512",
	ok:        cpuid.CPU.Supports(cpuid.AVX2, cpuid.FMA3, cpuid.AVX512F),
	pointwise: pointwiseAVX512,
	depthwise: depthwiseAVX512,
	stem:      stemAVX512,
}}
