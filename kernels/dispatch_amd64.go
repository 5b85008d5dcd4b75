//go:build !noasm

package kernels

import "github.com/klauspost/cpuid/v2"

// archImpls are the amd64 kernel sets, best last. FMA3 is a feature of its
// own: AVX2 does not imply it. The avx512 kernels use AVX512F alone (K-mask
// registers, zero-masking, embedded broadcasts); cpuid reports it only when
// the OS saves the ZMM and mask registers.
var archImpls = []impl{{
	name:      "avx2",
	ok:        cpuid.CPU.Supports(cpuid.AVX2, cpuid.FMA3),
	pointwise: pointwiseAVX2,
	depthwise: depthwiseAVX2,
	stem:      stemAVX2,
}, {
	name:      "avx512",
	ok:        cpuid.CPU.Supports(cpuid.AVX512F),
	pointwise: pointwiseAVX512,
	depthwise: depthwiseAVX512,
	stem:      stemAVX512,
}}
