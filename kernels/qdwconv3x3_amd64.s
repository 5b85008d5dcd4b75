//go:build !noasm

#include "textflag.h"

// qdw3x3AVX2: one output row of a quantized 3x3 depthwise convolution,
// channels [c0, c1) in blocks of 8, requantized as TFLite does (see
// Requant). Each tap adds (a - inZero) * w in int32: the product of a
// widened input less its zero point and a weight less its own reaches
// 255*254, too much for vpmaddwd's int16 pairs to take without
// interleaving two taps, so vpmulld does it lane by lane.
//
// Taps outside the image read zp, a run of the input's zero point, and so
// add nothing, as TFLite skips them.
//
// Register map (ABI0: arguments on the stack; all registers but SP and BP
// are scratch):
//	DI	dst at the current output pixel
//	CX	output pixels done (ox)
//	R8	ox*stride - padL: the input column of tap kx = 0
//	R9	C, the channel stride of the input and output; R10 w
//	SI, R11, R12, DX	scratch: tap addresses, channel offsets
//	R13	running weight pointer; R14 cp*2, the stride of a tap's weights
//	BX	the channel offset c; AX c1
//	taps-72(SP)	the 9 tap addresses of the current pixel
//	Y0	the input zero point; Y6 2^30 in each 64-bit lane
//	Y8, Y9, Y10	the output zero point, lo and hi
//	Y7	the accumulators; Y1-Y5 temporaries

// TAPADDR stores the address of tap (row, kx) of the pixel at slot: the
// row's input at column R8+kx, or zp when the row is nil or the column
// outside [0, w).
#define TAPADDR(row, kx, slot) \
	MOVQ    zp+32(FP), SI; \
	MOVQ    row, R11; \
	TESTQ   R11, R11; \
	JZ      6(PC); \
	LEAQ    kx(R8), R12; \
	CMPQ    R12, R10; \
	JAE     3(PC); \
	IMULQ   R9, R12; \
	LEAQ    (R11)(R12*1), SI; \
	MOVQ    SI, slot(SP)

// TAP adds the products of tap slot to Y7 and steps R13 to the next tap.
#define TAP(slot) \
	MOVQ      slot(SP), SI; \
	VPMOVZXBD (SI)(BX*1), Y1; \
	VPSUBD    Y0, Y1, Y1; \
	VPMOVSXWD (R13), Y2; \
	VPMULLD   Y2, Y1, Y1; \
	VPADDD    Y1, Y7, Y7; \
	ADDQ      R14, R13

// func qdw3x3AVX2(dst, r0, r1, r2, zp *uint8, wt *int16, bias, rq *int32, w, ow, stride, padL, C, c0, c1, cp int, inZero, zero, lo, hi int32)
TEXT ·qdw3x3AVX2(SB), NOSPLIT, $72-144
	MOVQ dst+0(FP), DI
	MOVQ w+64(FP), R10
	MOVQ C+96(FP), R9
	MOVQ cp+120(FP), R14
	SHLQ $1, R14
	MOVQ c1+112(FP), AX
	MOVL         inZero+128(FP), DX
	MOVQ         DX, X0
	VPBROADCASTD X0, Y0
	MOVL         zero+132(FP), DX
	MOVQ         DX, X8
	VPBROADCASTD X8, Y8
	MOVL         lo+136(FP), DX
	MOVQ         DX, X9
	VPBROADCASTD X9, Y9
	MOVL         hi+140(FP), DX
	MOVQ         DX, X10
	VPBROADCASTD X10, Y10
	MOVQ         $0x40000000, DX
	MOVQ         DX, X6
	VPBROADCASTQ X6, Y6
	XORQ CX, CX

pixel:
	// R8 = ox*stride - padL
	MOVQ  CX, R8
	IMULQ stride+80(FP), R8
	SUBQ  padL+88(FP), R8
	TAPADDR(r0+8(FP), 0, taps-72)
	TAPADDR(r0+8(FP), 1, taps-64)
	TAPADDR(r0+8(FP), 2, taps-56)
	TAPADDR(r1+16(FP), 0, taps-48)
	TAPADDR(r1+16(FP), 1, taps-40)
	TAPADDR(r1+16(FP), 2, taps-32)
	TAPADDR(r2+24(FP), 0, taps-24)
	TAPADDR(r2+24(FP), 1, taps-16)
	TAPADDR(r2+24(FP), 2, taps-8)
	MOVQ c0+104(FP), BX

block:
	// for each block of 8 channels from c0: bias, 9 taps
	MOVQ    bias+48(FP), SI
	VMOVDQU (SI)(BX*4), Y7
	MOVQ    wt+40(FP), R13
	LEAQ    (R13)(BX*2), R13
	TAP(taps-72)
	TAP(taps-64)
	TAP(taps-56)
	TAP(taps-48)
	TAP(taps-40)
	TAP(taps-32)
	TAP(taps-24)
	TAP(taps-16)
	TAP(taps-8)

	// R11: the requantization table at channel c: tile c/16, lane c%16.
	MOVQ  BX, R11
	SHRQ  $4, R11
	IMULQ $384, R11
	MOVQ  BX, R12
	ANDQ  $15, R12
	LEAQ  (R11)(R12*4), R11
	ADDQ  rq+56(FP), R11

	// v = RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(v << left, mult), right)
	// as in qgemm16_amd64.s.
	VPSLLVD      64(R11), Y7, Y7
	VMOVDQU      (R11), Y1
	VPMULDQ      Y1, Y7, Y2
	VPADDQ       Y6, Y2, Y2
	VPSRLQ       $31, Y2, Y2
	VPSHUFD      $0xF5, Y7, Y3
	VPSHUFD      $0xF5, Y1, Y1
	VPMULDQ      Y1, Y3, Y3
	VPADDQ       Y6, Y3, Y3
	VPSRLQ       $31, Y3, Y3
	VPSLLQ       $32, Y3, Y3
	VPBLENDD     $0xAA, Y3, Y2, Y7
	VPAND        192(R11), Y7, Y1
	VPSRAD       $31, Y7, Y2
	VMOVDQU      256(R11), Y3
	VPSUBD       Y2, Y3, Y3
	VPSRAVD      128(R11), Y7, Y7
	VPCMPGTD     Y3, Y1, Y1
	VPSUBD       Y1, Y7, Y7
	VPADDD       Y8, Y7, Y7
	VPMAXSD      Y9, Y7, Y7
	VPMINSD      Y10, Y7, Y7

	// 8 int32 in [0, 255] to 8 bytes
	VEXTRACTI128 $1, Y7, X1
	VPACKSSDW    X1, X7, X7
	VPACKUSWB    X7, X7, X7
	MOVQ         X7, (DI)(BX*1)
	ADDQ         $8, BX
	CMPQ         BX, AX
	JLT          block

	ADDQ R9, DI
	INCQ CX
	CMPQ CX, ow+72(FP)
	JLT  pixel
	VZEROUPPER
	RET
