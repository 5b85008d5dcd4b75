//go:build !noasm

package kernels

import "github.com/klauspost/cpuid/v2"

// archImpls are the amd64 kernel sets, best last. A set's ok names every
// feature its code uses; cpuid reports each only when the OS saves the
// registers it needs (YMM for AVX2, ZMM and K-masks for AVX512F).
//
// avx2 needs AVX2 and FMA3: FMA3 is a feature of its own, which AVX2 does
// not imply. avx512 runs AVX512F code alone (ZMM registers, K-masks of 16
// lanes moved with KMOVW, zero-masking, embedded broadcasts: none of BW,
// DQ or VL), and runs avx2 code too: the depthwise kernel for fewer than 16
// channels and the 8-bit kernels (AVX2 integer instructions only), so it
// needs what avx2 needs.
var archImpls = []impl{{
	name:      "avx2",
	ok:        cpuid.CPU.Supports(cpuid.AVX2, cpuid.FMA3),
	pointwise: pointwiseAVX2,
	depthwise: depthwiseAVX2,
	stem:      stemAVX2,

	qpointwise: qpointwiseAVX2,
	qdepthwise: qdepthwiseAVX2,
	qstem:      qstemAVX2,
	qadd:       qaddAVX2,

	idct:        idctAVX2,
	addScaled:   addScaledAVX2,
	resampleRow: resampleRowAVX2,
	ycbcr:       ycbcrAVX2,
}, {
	// avx2 with an 8-bit GEMM on AVX-VNNI's dot product (vpdpbusd on YMM
	// registers, VEX-encoded): CPUs with it and no AVX-512.
	name:      "avxvnni",
	ok:        cpuid.CPU.Supports(cpuid.AVX2, cpuid.FMA3, cpuid.AVXVNNI),
	pointwise: pointwiseAVX2,
	depthwise: depthwiseAVX2,
	stem:      stemAVX2,

	qpointwise: qpointwiseAVXVNNI,
	qdepthwise: qdepthwiseAVX2,
	qstem:      qstemAVXVNNI,
	qadd:       qaddAVX2,

	idct:        idctAVX2,
	addScaled:   addScaledAVX2,
	resampleRow: resampleRowAVX2,
	ycbcr:       ycbcrAVX2,
}, {
	name:      "avx512",
	ok:        cpuid.CPU.Supports(cpuid.AVX512F, cpuid.AVX2, cpuid.FMA3),
	pointwise: pointwiseAVX512,
	depthwise: depthwiseAVX512,
	stem:      stemAVX512,

	qpointwise: qpointwiseAVX2,
	qdepthwise: qdepthwiseAVX2,
	qstem:      qstemAVX2,
	qadd:       qaddAVX2,

	idct:        idctAVX2,
	addScaled:   addScaledAVX2,
	resampleRow: resampleRowAVX2,
	ycbcr:       ycbcrAVX2,
}, {
	// avx512 with 8-bit kernels of AVX512BW byte and K-mask instructions
	// and AVX512-VNNI's dot products (vpdpbusd, vpdpwssd); BMI2's bzhi
	// makes the depthwise's channel masks.
	name:      "avx512vnni",
	ok:        cpuid.CPU.Supports(cpuid.AVX512F, cpuid.AVX512BW, cpuid.AVX512VNNI, cpuid.AVX2, cpuid.FMA3, cpuid.BMI2),
	pointwise: pointwiseAVX512,
	depthwise: depthwiseAVX512,
	stem:      stemAVX512,

	qpointwise: qpointwiseVNNI,
	qdepthwise: qdepthwiseAVX512,
	qstem:      qstemVNNI,
	qadd:       qaddAVX512,

	idct:        idctAVX2, // eight float32 lanes: a YMM register
	addScaled:   addScaledAVX2,
	resampleRow: resampleRowAVX2,
	ycbcr:       ycbcrAVX2,
}}
