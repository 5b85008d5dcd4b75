//go:build !noasm

#include "textflag.h"

// qgemm16AVX2: one tile of 16 output channels of a quantized 1x1
// convolution over a run of pixels, two at a time, then requantized as
// TFLite does (see Requant) and stored as bytes.
//
// AVX2 has no 8-bit dot product that cannot saturate (vpmaddubsw adds two
// u8*s8 products into an int16), so, as XNNPACK's AVX2 kernels, this one
// widens both sides to int16 and uses vpmaddwd, two products into an int32
// that cannot overflow: |a*(w-z)| <= 255*255. Widening the weights also
// subtracts their zero point, so no sum of the inputs is needed.
//
// A group of 4 input channels holds, for each of the 16 outputs, its 4
// weights side by side (QPointwiseWeights). Widened, 16 bytes of it are 4
// outputs x 4 weights; against the pixel's 4 inputs repeated 4 times,
// vpmaddwd gives each output two partial sums, which vphaddd pairs at the
// end.
//
// Register map (ABI0: arguments on the stack; all registers but SP and BP
// are scratch):
//	DI	dst at the current pixel pair, the tile's first channel
//	SI	src at the current pixel pair
//	CX	pixels still to do
//	R9	cin: the row stride of src; R10 cout, of dst
//	R11	groups of 4 input channels
//	R8	running weight pointer; R12, R13 running src of pixels A, B
//	DX	groups still to do
//	BX	bias; R14 the requantization table; AX the tile's channel count
//	R8, R13, DX	in a partial tile's store: index, the stack buffer, a byte
//	Y0-Y3	a group's weights, widened, less the zero point; then temporaries
//	Y4	a pixel's 4 inputs widened, repeated; Y5 products
//	Y6	2^30 in each 64-bit lane, the rounding of the high product
//	Y7	the weights' zero point in every int16 lane
//	Y8-Y11	accumulators of pixel A: outputs 0-3, 4-7, 8-11, 12-15, two sums each
//	Y12-Y15	the same of pixel B

// DOT adds the products of the inputs at src with the group's weights
// Y0-Y3 to the accumulators a0-a3.
#define DOT(src, a0, a1, a2, a3) \
	VPBROADCASTD src, X4; \
	VPMOVZXBW    X4, Y4; \
	VPMADDWD     Y4, Y0, Y5; \
	VPADDD       Y5, a0, a0; \
	VPMADDWD     Y4, Y1, Y5; \
	VPADDD       Y5, a1, a1; \
	VPMADDWD     Y4, Y2, Y5; \
	VPADDD       Y5, a2, a2; \
	VPMADDWD     Y4, Y3, Y5; \
	VPADDD       Y5, a3, a3

// REQUANT turns the 8 sums in v (outputs off/4 .. off/4+7 of the tile) into
// clamped int32 outputs, with TFLite's two roundings:
//	v = RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(v << left, mult), right) + zero
// The doubling high product is floor((v*mult + 2^30) / 2^31) (the one
// saturating case needs mult == -2^31, which a multiplier never is): the
// 64-bit products of even and odd lanes, shifted right by 31; a logical
// shift leaves the same low 32 bits as an arithmetic one.
#define REQUANT(v, off) \
	VPADDD       off(BX), v, v; \
	VPSLLVD      (64+off)(R14), v, v; \
	VMOVDQU      off(R14), Y0; \
	VPMULDQ      Y0, v, Y1; \
	VPADDQ       Y6, Y1, Y1; \
	VPSRLQ       $31, Y1, Y1; \
	VPSHUFD      $0xF5, v, Y2; \
	VPSHUFD      $0xF5, Y0, Y0; \
	VPMULDQ      Y0, Y2, Y2; \
	VPADDQ       Y6, Y2, Y2; \
	VPSRLQ       $31, Y2, Y2; \
	VPSLLQ       $32, Y2, Y2; \
	VPBLENDD     $0xAA, Y2, Y1, v; \
	VPAND        (192+off)(R14), v, Y0; \
	VPSRAD       $31, v, Y1; \
	VMOVDQU      (256+off)(R14), Y2; \
	VPSUBD       Y1, Y2, Y2; \
	VPSRAVD      (128+off)(R14), v, v; \
	VPCMPGTD     Y2, Y0, Y0; \
	VPSUBD       Y0, v, v; \
	VPBROADCASTD zero+84(FP), Y0; \
	VPADDD       Y0, v, v; \
	VPBROADCASTD lo+88(FP), Y0; \
	VPMAXSD      Y0, v, v; \
	VPBROADCASTD hi+92(FP), Y0; \
	VPMINSD      Y0, v, v

// OUTPUT requantizes the accumulators a0-a3 of a pixel (x0 is a0's low
// half) and stores its AX bytes at dst: all 16 at once, or through the
// stack for a partial tile, a byte at a time.
#define OUTPUT(a0, a1, a2, a3, x0, dst, part, loop, next) \
	VPHADDD   a1, a0, a0; \
	VPERMQ    $0xD8, a0, a0; \
	VPHADDD   a3, a2, a2; \
	VPERMQ    $0xD8, a2, a2; \
	REQUANT(a0, 0); \
	REQUANT(a2, 32); \
	VPACKSSDW a2, a0, a0; \
	VPERMQ    $0xD8, a0, a0; \
	VPACKUSWB a0, a0, a0; \
	VPERMQ    $0x08, a0, a0; \
	CMPQ      AX, $16; \
	JNE       part; \
	VMOVDQU   x0, (dst); \
	JMP       next; \
part:; \
	LEAQ      buf-16(SP), R13; \
	VMOVDQU   x0, (R13); \
	XORQ      R8, R8; \
loop:; \
	MOVB      (R13)(R8*1), DX; \
	MOVB      DX, (dst)(R8*1); \
	INCQ      R8; \
	CMPQ      R8, AX; \
	JNE       loop; \
next:

// func qgemm16AVX2(dst, src *uint8, w *int8, bias, rq *int32, pixels, cin, cout, groups, n int, wZero, zero, lo, hi int32)
TEXT ·qgemm16AVX2(SB), NOSPLIT, $16-96
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ bias+24(FP), BX
	MOVQ rq+32(FP), R14
	MOVQ pixels+40(FP), CX
	MOVQ cin+48(FP), R9
	MOVQ cout+56(FP), R10
	MOVQ groups+64(FP), R11
	MOVQ n+72(FP), AX
	MOVL         wZero+80(FP), DX
	MOVQ         DX, X7
	VPBROADCASTW X7, Y7

	// Y6: 2^30 in each 64-bit lane, the rounding of the high product.
	MOVQ         $0x40000000, DX
	MOVQ         DX, X6
	VPBROADCASTQ X6, Y6

pair:
	// Pixel B is the next one, or pixel A again when A is the last.
	MOVQ    SI, R12
	LEAQ    (SI)(R9*1), R13
	CMPQ    CX, $1
	JNE     zero
	MOVQ    SI, R13

zero:
	VPXOR   Y8, Y8, Y8
	VPXOR   Y9, Y9, Y9
	VPXOR   Y10, Y10, Y10
	VPXOR   Y11, Y11, Y11
	VPXOR   Y12, Y12, Y12
	VPXOR   Y13, Y13, Y13
	VPXOR   Y14, Y14, Y14
	VPXOR   Y15, Y15, Y15
	MOVQ    w+16(FP), R8
	MOVQ    R11, DX

group:
	// for each group of 4 inputs: widen the 64 weights, less their zero point
	VPMOVSXBW (R8), Y0
	VPMOVSXBW 16(R8), Y1
	VPMOVSXBW 32(R8), Y2
	VPMOVSXBW 48(R8), Y3
	VPSUBW    Y7, Y0, Y0
	VPSUBW    Y7, Y1, Y1
	VPSUBW    Y7, Y2, Y2
	VPSUBW    Y7, Y3, Y3
	DOT((R12), Y8, Y9, Y10, Y11)
	DOT((R13), Y12, Y13, Y14, Y15)
	ADDQ    $64, R8
	ADDQ    $4, R12
	ADDQ    $4, R13
	DECQ    DX
	JNZ     group

	OUTPUT(Y8, Y9, Y10, Y11, X8, DI, parta, loopa, nexta)
	CMPQ    CX, $1
	JEQ     done
	LEAQ    (DI)(R10*1), R12
	OUTPUT(Y12, Y13, Y14, Y15, X12, R12, partb, loopb, nextb)
	LEAQ    (SI)(R9*2), SI
	LEAQ    (DI)(R10*2), DI
	SUBQ    $2, CX
	JG      pair

done:
	VZEROUPPER
	RET
