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
//	Z5, Z6	the accumulators lo and hi, and Z7, Z8; Z1-Z4 temporaries
//	Z26	the output zero point in every int16 lane; Z27 lo, Z28 hi
//	Z29	-2^30 in each 64-bit lane; Z31 the permutation ·evenOdd
//	K1	the block's channels; K4, K5 temporaries

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

// PAIR adds (op VPDPWSSD) or sets (op VPMADDWD) alo, ahi to the products
// of taps s0 and s1 (weights at off(R13)).
#define PAIR(op, s0, s1, off, alo, ahi) \
	MOVQ        s0(SP), SI; \
	VPMOVZXBW.Z (SI)(BX*1), K1, Z1; \
	MOVQ        s1(SP), SI; \
	VPMOVZXBW.Z (SI)(BX*1), K1, Z2; \
	VPUNPCKLWD  Z2, Z1, Z3; \
	VPUNPCKHWD  Z2, Z1, Z4; \
	op          off(R13), Z3, alo; \
	op          (off+64)(R13), Z4, ahi

// REQUANT requantizes v, the 16 sums of half h (0 lo, 576 hi) of the
// block, as qgemm12x32vnni_amd64.s does: TFLite's two roundings in one,
//	floor((P + 2^30 + 2^(right+30) - 2^31*(P < -2^30)) / 2^(31+right))
// for the product P of v << left and the multiplier, in 64-bit lanes, the
// even lanes' in place and the odd ones' (moved down by vpshufd) in Z2,
// joined by a permutation. The zero point and clamp come after the packing.
#define REQUANT(v, h) \
	VPSLLVD  (h+RQLEFT)(DX), v, v; \
	VPSHUFD  $0xF5, v, Z2; \
	VPMULDQ  (h+RQMULT)(DX), v, v; \
	VPMULDQ  (h+RQMULTODD)(DX), Z2, Z2; \
	VPCMPQ   $1, Z29, v, K4; \
	VPCMPQ   $1, Z29, Z2, K5; \
	VPADDQ   (h+RQCEVEN)(DX), v, v; \
	VPADDQ   (h+RQCODD)(DX), Z2, Z2; \
	VPSUBQ   (h+RQFEVEN)(DX), v, K4, v; \
	VPSUBQ   (h+RQFODD)(DX), Z2, K5, Z2; \
	VPSRAVQ  (h+RQSHEVEN)(DX), v, v; \
	VPSRAVQ  (h+RQSHODD)(DX), Z2, Z2; \
	VPERMT2D Z2, Z31, v

// The rows of a half's requantization table (rq32: 16 lanes each): the
// left shift; the multiplier of the even lanes and of the odd ones, each
// in the low half of a 64-bit lane; the rounding constants C and F, and
// the right shifts (31+right), 64-bit, of the even and the odd lanes.
#define RQLEFT 0
#define RQMULT 64
#define RQMULTODD 128
#define RQCEVEN 192
#define RQCODD 256
#define RQFEVEN 320
#define RQFODD 384
#define RQSHEVEN 448
#define RQSHODD 512
#define RQHI 576

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
	MOVQ         $-0x40000000, DX
	VPBROADCASTQ DX, Z29
	VMOVDQU32    ·evenOdd(SB), Z31
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

	// R13 = pairs + c*20 bytes, R14 = bias32 + c*4, DX = rq32 + c*36
	LEAQ      (BX)(BX*4), R13
	SHLQ      $2, R13
	ADDQ      pairs+40(FP), R13
	MOVQ      bias32+48(FP), R14
	LEAQ      (R14)(BX*4), R14
	LEAQ      (BX)(BX*8), DX
	SHLQ      $2, DX
	ADDQ      rq32+56(FP), DX
	VMOVDQU32 (R14), Z5
	VMOVDQU32 64(R14), Z6
	// Two chains of sums, as in qdw3x3x32rowAVX512
	PAIR(VPDPWSSD, taps-72, taps-64, 0, Z5, Z6)
	PAIR(VPMADDWD, taps-40, taps-32, 256, Z7, Z8)
	PAIR(VPDPWSSD, taps-56, taps-48, 128, Z5, Z6)
	PAIR(VPDPWSSD, taps-24, taps-16, 384, Z7, Z8)
	PAIR(VPDPWSSD, taps-8, taps-8, 512, Z5, Z6)
	VPADDD Z7, Z5, Z5
	VPADDD Z8, Z6, Z6
	REQUANT(Z5, 0)
	REQUANT(Z6, RQHI)

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

// qdw3x3x32rowAVX512: the pixels of an output row whose 9 taps are all
// inside the image's columns, with no per-pixel address work: a tap row's
// pointer advances by its adv (stride*C; 0 for a row in the padding, which
// points at a run of the zero point), and the taps of a row are 0, C and
// 2C bytes on. The loop over blocks of 32 channels is outside the loop
// over pixels, so that a block's weights stay in registers. Pixels go two
// at a time, their instructions interleaved, so that each has the other's
// to overlap with while its sums and requantization wait on the one before.
//
// Register map:
//	SI	dst at the current pixel
//	R8, R10, R11	the tap rows at the current pixel (and the block)
//	R15, DI, AX	the same at the next pixel
//	R12, R13, R14	their advances; R9 C; CX pixels still to do
//	BX	the channel offset c; DX the block's requantization table
//	Z16-Z25	the block's weights, lo and hi of each pair of taps
//	Z14, Z15	the block's biases, lo and hi
//	Z5, Z6 and Z7, Z8	the accumulators of a pixel (two chains); Z9, Z10
//	and Z11, Z12 those of the next; Z1-Z4 temporaries; Z30 zeros
//	Z26-Z29, Z31, K1, K4, K5	as in qdw3x3x32AVX512

// RPAIR adds (op VPDPWSSD) or sets (op VPMADDWD) alo, ahi to the products
// of the taps at a0 and a1 (wlo, whi their weights).
#define RPAIR(op, a0, a1, wlo, whi, alo, ahi) \
	VPMOVZXBW.Z a0, K1, Z1; \
	VPMOVZXBW.Z a1, K1, Z2; \
	VPUNPCKLWD  Z2, Z1, Z3; \
	VPUNPCKHWD  Z2, Z1, Z4; \
	op          wlo, Z3, alo; \
	op          whi, Z4, ahi

// TAP8 adds the products of the ninth tap, at 2C bytes from row r, to lo,
// hi: the pair's other weight is 0.
#define TAP8(r, lo, hi) \
	VPMOVZXBW.Z (r)(R9*2), K1, Z1; \
	VPUNPCKLWD  Z30, Z1, Z3; \
	VPUNPCKHWD  Z30, Z1, Z4; \
	VPDPWSSD    Z24, Z3, lo; \
	VPDPWSSD    Z25, Z4, hi

// OUT turns the requantized lo, hi into 32 int16 in channel order, plus
// the zero point, clamped and stored as bytes at dst: exact, as in
// qgemm16_amd64.s.
#define OUT(lo, hi, dst) \
	VPACKSSDW hi, lo, lo; \
	VPADDSW   Z26, lo, lo; \
	VPMAXSW   Z27, lo, lo; \
	VPMINSW   Z28, lo, lo; \
	VPMOVWB   lo, K1, dst

// func qdw3x3x32rowAVX512(dst, p0, p1, p2 *uint8, adv0, adv1, adv2 int, pairs *int16, bias32, rq32 *int32, n, C, c0, c1 int, zero, lo, hi int32)
TEXT ·qdw3x3x32rowAVX512(SB), NOSPLIT, $0-124
	MOVQ         C+88(FP), R9
	MOVQ         adv0+32(FP), R12
	MOVQ         adv1+40(FP), R13
	MOVQ         adv2+48(FP), R14
	MOVQ         c0+96(FP), BX
	MOVL         zero+112(FP), DX
	VPBROADCASTW DX, Z26
	MOVL         lo+116(FP), DX
	VPBROADCASTW DX, Z27
	MOVL         hi+120(FP), DX
	VPBROADCASTW DX, Z28
	MOVQ         $-0x40000000, DX
	VPBROADCASTQ DX, Z29
	VMOVDQU32    ·evenOdd(SB), Z31
	VPXORD       Z30, Z30, Z30

rblock:
	// K1: the block's channels (see qdw3x3x32AVX512)
	MOVQ    c1+104(FP), R15
	SUBQ    BX, R15
	MOVQ    $32, DX
	CMPQ    R15, DX
	CMOVQGT DX, R15
	MOVQ    $-1, DX
	BZHIQ   R15, DX, DX
	KMOVD   DX, K1

	// the block's weights (pairs + c*20 bytes) and biases (bias32 + c*4)
	LEAQ      (BX)(BX*4), R15
	SHLQ      $2, R15
	ADDQ      pairs+56(FP), R15
	VMOVDQU32 (R15), Z16
	VMOVDQU32 64(R15), Z17
	VMOVDQU32 128(R15), Z18
	VMOVDQU32 192(R15), Z19
	VMOVDQU32 256(R15), Z20
	VMOVDQU32 320(R15), Z21
	VMOVDQU32 384(R15), Z22
	VMOVDQU32 448(R15), Z23
	VMOVDQU32 512(R15), Z24
	VMOVDQU32 576(R15), Z25
	MOVQ      bias32+64(FP), R15
	VMOVDQU32 (R15)(BX*4), Z14
	VMOVDQU32 64(R15)(BX*4), Z15
	// DX = rq32 + c*36
	LEAQ (BX)(BX*8), DX
	SHLQ $2, DX
	ADDQ rq32+72(FP), DX

	MOVQ p0+8(FP), R8
	ADDQ BX, R8
	MOVQ p1+16(FP), R10
	ADDQ BX, R10
	MOVQ p2+24(FP), R11
	ADDQ BX, R11
	MOVQ dst+0(FP), SI
	ADDQ BX, SI
	MOVQ n+80(FP), CX

rpixel:
	CMPQ      CX, $1
	JEQ       rlast
	LEAQ      (R8)(R12*1), R15
	LEAQ      (R10)(R13*1), DI
	LEAQ      (R11)(R14*1), AX
	VMOVDQA32 Z14, Z5
	VMOVDQA32 Z15, Z6
	VMOVDQA32 Z14, Z9
	VMOVDQA32 Z15, Z10
	RPAIR(VPDPWSSD, (R8), (R8)(R9*1), Z16, Z17, Z5, Z6)
	RPAIR(VPDPWSSD, (R15), (R15)(R9*1), Z16, Z17, Z9, Z10)
	RPAIR(VPMADDWD, (R10)(R9*1), (R10)(R9*2), Z20, Z21, Z7, Z8)
	RPAIR(VPMADDWD, (DI)(R9*1), (DI)(R9*2), Z20, Z21, Z11, Z12)
	RPAIR(VPDPWSSD, (R8)(R9*2), (R10), Z18, Z19, Z5, Z6)
	RPAIR(VPDPWSSD, (R15)(R9*2), (DI), Z18, Z19, Z9, Z10)
	RPAIR(VPDPWSSD, (R11), (R11)(R9*1), Z22, Z23, Z7, Z8)
	RPAIR(VPDPWSSD, (AX), (AX)(R9*1), Z22, Z23, Z11, Z12)
	TAP8(R11, Z5, Z6)
	TAP8(AX, Z9, Z10)
	VPADDD    Z7, Z5, Z5
	VPADDD    Z11, Z9, Z9
	VPADDD    Z8, Z6, Z6
	VPADDD    Z12, Z10, Z10
	REQUANT(Z5, 0)
	REQUANT(Z9, 0)
	REQUANT(Z6, RQHI)
	REQUANT(Z10, RQHI)
	OUT(Z5, Z6, (SI))
	OUT(Z9, Z10, (SI)(R9*1))
	LEAQ      (R15)(R12*1), R8
	LEAQ      (DI)(R13*1), R10
	LEAQ      (AX)(R14*1), R11
	LEAQ      (SI)(R9*2), SI
	SUBQ      $2, CX
	JNZ       rpixel
	JMP       rnext

rlast:
	// an odd count's last pixel alone
	VMOVDQA32 Z14, Z5
	VMOVDQA32 Z15, Z6
	RPAIR(VPDPWSSD, (R8), (R8)(R9*1), Z16, Z17, Z5, Z6)
	RPAIR(VPMADDWD, (R10)(R9*1), (R10)(R9*2), Z20, Z21, Z7, Z8)
	RPAIR(VPDPWSSD, (R8)(R9*2), (R10), Z18, Z19, Z5, Z6)
	RPAIR(VPDPWSSD, (R11), (R11)(R9*1), Z22, Z23, Z7, Z8)
	TAP8(R11, Z5, Z6)
	VPADDD    Z7, Z5, Z5
	VPADDD    Z8, Z6, Z6
	REQUANT(Z5, 0)
	REQUANT(Z6, RQHI)
	OUT(Z5, Z6, (SI))

rnext:
	ADDQ $32, BX
	CMPQ BX, c1+104(FP)
	JLT  rblock
	VZEROUPPER
	RET
