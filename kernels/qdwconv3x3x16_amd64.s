//go:build !noasm

#include "textflag.h"

// qdw3x3x16AVX2: one output row of a quantized 3x3 depthwise convolution,
// channels [c0, c1) in blocks of 16, requantized as TFLite does (see
// Requant). Taps go in pairs: the inputs of two taps, widened to int16,
// interleaved channel by channel (vpunpcklwd and vpunpckhwd), against the
// two taps' weights interleaved the same way at load
// (QDepthwiseWeights.pairs), give vpmaddwd two products per int32 lane:
// |a*w| <= 255*255, so the pair cannot overflow. The ninth tap pairs with
// weights of zero. The input's zero point is not taken from each input:
// bias16 holds bias - inZero*sum(w) (in int32's wrapping arithmetic, as
// the sums), so sum(a*w) plus it is sum((a-inZero)*w) + bias.
//
// The unpacks work within 128-bit lanes, so the accumulators hold
// channels 0-3 and 8-11 (lo), 4-7 and 12-15 (hi) of a block; the biases and
// the requantization table come in that order (bias16, rq16), and
// vpackssdw of lo and hi puts the 16 channels back in order.
//
// Taps outside the image read zp, a run of the input's zero point, and so
// add inZero*w, which the bias takes away: nothing, as TFLite skips them.
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
//	Y15	2^30 in each 64-bit lane
//	Y5, Y6	the accumulators lo and hi; Y1-Y4, Y7 temporaries
//	Y8	the output zero point in every int16 lane; X9, X10 lo and hi in every byte

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

// PAIR adds the products of taps s0 and s1 (weights at off(R13)) to Y5, Y6.
#define PAIR(s0, s1, off) \
	MOVQ       s0(SP), SI; \
	VPMOVZXBW  (SI)(BX*1), Y1; \
	MOVQ       s1(SP), SI; \
	VPMOVZXBW  (SI)(BX*1), Y2; \
	VPUNPCKLWD Y2, Y1, Y3; \
	VPUNPCKHWD Y2, Y1, Y4; \
	VPMADDWD   off(R13), Y3, Y3; \
	VPMADDWD   (off+32)(R13), Y4, Y4; \
	VPADDD     Y3, Y5, Y5; \
	VPADDD     Y4, Y6, Y6

// REQUANT requantizes v, the 8 sums of table half off (0 lo, 32 hi), as
// qgemm16_amd64.s does, the zero point and clamp left for after the packing.
#define REQUANT(v, off) \
	VPSLLVD      (64+off)(DX), v, v; \
	VPMULDQ      off(DX), v, Y2; \
	VPSHUFD      $0xF5, off(DX), Y1; \
	VPSRLQ       $32, v, v; \
	VPMULDQ      Y1, v, v; \
	VPADDQ       Y15, Y2, Y2; \
	VPADDQ       Y15, v, v; \
	VPSRLQ       $31, Y2, Y2; \
	VPADDQ       v, v, v; \
	VPBLENDD     $0xAA, v, Y2, v; \
	VPSRLD       $31, v, Y1; \
	VPMINUD      (192+off)(DX), Y1, Y1; \
	VPSUBD       Y1, v, v; \
	VPADDD       (320+off)(DX), v, v; \
	VPSRAVD      (128+off)(DX), v, v

// func qdw3x3x16AVX2(dst, r0, r1, r2, zp *uint8, pairs *int16, bias16, rq16 *int32, w, ow, stride, padL, C, c0, c1 int, zero, lo, hi int32)
TEXT ·qdw3x3x16AVX2(SB), NOSPLIT, $72-132
	MOVQ dst+0(FP), DI
	MOVQ w+64(FP), R10
	MOVQ C+96(FP), R9
	MOVQ c1+112(FP), AX
	MOVL         zero+120(FP), DX
	MOVQ         DX, X8
	VPBROADCASTW X8, Y8
	MOVL         lo+124(FP), DX
	MOVQ         DX, X9
	VPBROADCASTB X9, X9
	MOVL         hi+128(FP), DX
	MOVQ         DX, X10
	VPBROADCASTB X10, X10
	MOVQ         $0x40000000, DX
	MOVQ         DX, X15
	VPBROADCASTQ X15, Y15
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
	// for each block of 16 channels from c0: R13 = pairs + c*20 bytes,
	// R14 = bias16 + c*4, DX = rq16 + c*24
	LEAQ    (BX)(BX*4), R13
	SHLQ    $2, R13
	ADDQ    pairs+40(FP), R13
	MOVQ    bias16+48(FP), R14
	LEAQ    (R14)(BX*4), R14
	LEAQ    (BX)(BX*2), DX
	SHLQ    $3, DX
	ADDQ    rq16+56(FP), DX
	VMOVDQU (R14), Y5
	VMOVDQU 32(R14), Y6
	PAIR(taps-72, taps-64, 0)
	PAIR(taps-56, taps-48, 64)
	PAIR(taps-40, taps-32, 128)
	PAIR(taps-24, taps-16, 192)
	PAIR(taps-8, taps-8, 256)
	REQUANT(Y5, 0)
	REQUANT(Y6, 32)

	// 16 int32, channels in lo/hi order, to 16 bytes in order, plus the
	// zero point and clamped: exact, as in qgemm16_amd64.s.
	VPACKSSDW Y6, Y5, Y5
	VPADDSW   Y8, Y5, Y5
	VPACKUSWB Y5, Y5, Y5
	VPERMQ    $0x08, Y5, Y5
	VPMAXUB   X9, X5, X5
	VPMINUB   X10, X5, X5
	VMOVDQU   X5, (DI)(BX*1)
	ADDQ      $16, BX
	CMPQ      BX, AX
	JLT       block

	ADDQ R9, DI
	INCQ CX
	CMPQ CX, ow+72(FP)
	JLT  pixel
	VZEROUPPER
	RET
