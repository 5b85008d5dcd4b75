//go:build !noasm

#include "textflag.h"

// qdw3x3x32AVX512: qdw3x3x16AVX2 (qdwconv3x3x16_amd64.s) on ZMM registers,
// 32 channels a block: the inputs of a pair of taps widened to int16 and
// interleaved by vpunpcklwd and vpunpckhwd, and vpdpwssd (AVX512-VNNI)
// adding the two products of each int32 lane to its sum in one
// instruction. The accumulators hold, per 128-bit lane, 4 channels each
// (zmmOrder), so that vpackssdw of the two puts the 32 back in order. The
// last block of [c0, c1) may be partial: K1 masks its loads and store.
//
// Register map (ABI0: arguments on the stack; all registers but SP and BP
// are scratch):
//	DI	dst at the current output pixel
//	CX	output pixels done (ox)
//	R8	ox*stride - padL: the input column of tap kx = 0
//	R9	C, the channel stride of the input and output; R10 w
//	SI, R11, R12	scratch: tap addresses
//	R13	the block's weights; R14 its biases; DX its requantization table
//	BX	the channel offset c; AX c1
//	taps-72(SP)	the 9 tap addresses of the current pixel
//	Z5, Z6	the accumulators lo and hi; Z1-Z4 temporaries
//	Z26	the output zero point in every int16 lane; Z27 lo, Z28 hi
//	Z29	2^30 in each 64-bit lane
//	K1	the block's channels; K3 the odd int32 lanes

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

// PAIR adds the products of taps s0 and s1 (weights at off(R13)) to Z5, Z6.
#define PAIR(s0, s1, off) \
	MOVQ        s0(SP), SI; \
	VPMOVZXBW.Z (SI)(BX*1), K1, Z1; \
	MOVQ        s1(SP), SI; \
	VPMOVZXBW.Z (SI)(BX*1), K1, Z2; \
	VPUNPCKLWD  Z2, Z1, Z3; \
	VPUNPCKHWD  Z2, Z1, Z4; \
	VPDPWSSD    off(R13), Z3, Z5; \
	VPDPWSSD    (off+64)(R13), Z4, Z6

// REQUANT requantizes v, the 16 sums of half h (0 lo, 64 hi) of the block,
// as qgemm16AVX2 does (qavx2_amd64.h), in 16 lanes, with vpshufd, which
// runs on every vector pipe, to move the odd lanes down; the zero point and
// clamp come after the packing.
#define REQUANT(v, h) \
	VPSLLVD   (128+h)(DX), v, v; \
	VPMULDQ   h(DX), v, Z2; \
	VPSHUFD   $0xF5, h(DX), Z1; \
	VPSHUFD   $0xF5, v, v; \
	VPMULDQ   Z1, v, v; \
	VPADDQ    Z29, Z2, Z2; \
	VPADDQ    Z29, v, v; \
	VPSRLQ    $31, Z2, Z2; \
	VPADDQ    v, v, v; \
	VPBLENDMD v, Z2, K3, v; \
	VPSRLD    $31, v, Z1; \
	VPMINUD   (384+h)(DX), Z1, Z1; \
	VPSUBD    Z1, v, v; \
	VPADDD    (640+h)(DX), v, v; \
	VPSRAVD   (256+h)(DX), v, v

// func qdw3x3x32AVX512(dst, r0, r1, r2, zp *uint8, pairs *int16, bias32, rq32 *int32, w, ow, stride, padL, C, c0, c1 int, zero, lo, hi int32)
TEXT ·qdw3x3x32AVX512(SB), NOSPLIT, $72-132
	MOVQ         dst+0(FP), DI
	MOVQ         w+64(FP), R10
	MOVQ         C+96(FP), R9
	MOVQ         c1+112(FP), AX
	MOVL         zero+120(FP), DX
	VPBROADCASTW DX, Z26
	MOVL         lo+124(FP), DX
	VPBROADCASTW DX, Z27
	MOVL         hi+128(FP), DX
	VPBROADCASTW DX, Z28
	MOVQ         $0x40000000, DX
	VPBROADCASTQ DX, Z29
	MOVL         $0xAAAA, DX
	KMOVW        DX, K3
	XORQ         CX, CX

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
	// K1: the block's channels, the low min(32, c1-c) bits (BMI2's bzhi
	// keeps the bits below its index, which it reads mod 256)
	MOVQ    AX, R12
	SUBQ    BX, R12
	MOVQ    $32, R11
	CMPQ    R12, R11
	CMOVQGT R11, R12
	MOVQ    $-1, R11
	BZHIQ   R12, R11, R11
	KMOVD   R11, K1

	// R13 = pairs + c*20 bytes, R14 = bias32 + c*4, DX = rq32 + c*24
	LEAQ      (BX)(BX*4), R13
	SHLQ      $2, R13
	ADDQ      pairs+40(FP), R13
	MOVQ      bias32+48(FP), R14
	LEAQ      (R14)(BX*4), R14
	LEAQ      (BX)(BX*2), DX
	SHLQ      $3, DX
	ADDQ      rq32+56(FP), DX
	VMOVDQU32 (R14), Z5
	VMOVDQU32 64(R14), Z6
	PAIR(taps-72, taps-64, 0)
	PAIR(taps-56, taps-48, 128)
	PAIR(taps-40, taps-32, 256)
	PAIR(taps-24, taps-16, 384)
	PAIR(taps-8, taps-8, 512)
	REQUANT(Z5, 0)
	REQUANT(Z6, 64)

	// 32 int32 to 32 int16 in channel order, plus the zero point,
	// clamped and stored as bytes: exact, as in qgemm16_amd64.s.
	VPACKSSDW Z6, Z5, Z5
	VPADDSW   Z26, Z5, Z5
	VPMAXSW   Z27, Z5, Z5
	VPMINSW   Z28, Z5, Z5
	VPMOVWB   Z5, K1, (DI)(BX*1)
	ADDQ      $32, BX
	CMPQ      BX, AX
	JLT       block

	ADDQ R9, DI
	INCQ CX
	CMPQ CX, ow+72(FP)
	JLT  pixel
	VZEROUPPER
	RET
