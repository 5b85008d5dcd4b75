//go:build !noasm

#include "textflag.h"
#include "qavx2_amd64.h"

// qgemm16AVX2: one tile of 16 output channels of a quantized 1x1
// convolution over a run of pixels, three at a time, then requantized as
// TFLite does (see Requant) and stored as bytes.
//
// AVX2 has no 8-bit dot product that cannot saturate (vpmaddubsw adds two
// u8*s8 products into an int16), so, as XNNPACK's AVX2 kernels, this one
// takes both sides as int16 and uses vpmaddwd, two products into an int32
// that cannot overflow: |a*(w-z)| <= 255*255. The weights come widened
// and less their zero point (QPointwiseWeights.W), so no sum of the
// inputs is needed, and vpmaddwd reads them from memory.
//
// A group of 4 input channels holds, for each of the 16 outputs, its 4
// weights side by side: 32 bytes of it are 4 outputs x 4 weights. Against
// a pixel's 4 inputs widened and repeated 4 times, vpmaddwd gives each
// output two partial sums, which vphaddd pairs at the end.
//
// Register map (ABI0: arguments on the stack; all registers but SP and BP
// are scratch):
//	DI	dst at the current pixels, the tile's first channel
//	SI	src at the current pixels
//	CX	pixels still to do
//	R9	cin: the row stride of src; R10 cout, of dst
//	R11	groups of 4 input channels
//	R8	running weight pointer; R12, R13, BX running src of pixels A, B, C
//	DX	groups still to do
//	AX	the tile's channel count n
//	after the groups: BX bias, R14 the requantization table, and
//	R8, R13, DX in a partial tile's store: index, the stack buffer, a byte
//	Y0-Y3	accumulators of pixel A: outputs 0-3, 4-7, 8-11, 12-15, two sums each
//	Y4-Y7, Y8-Y11	the same of pixels B and C
//	Y12	a pixel's 4 inputs widened, repeated; Y13 products
//	after the groups: Y12, Y13 temporaries
//	Y14	the output zero point in 16 int16 lanes (lo and hi are read as
//		bytes, the low bytes of the int32 arguments, through R8)
//	Y15	2^30 in each 64-bit lane

// DOT adds the products of the inputs at src with the group's weights to
// the accumulators a0-a3.
#define DOT(src, a0, a1, a2, a3) \
	VPBROADCASTD src, X12; \
	VPMOVZXBW    X12, Y12; \
	VPMADDWD     (R8), Y12, Y13; \
	VPADDD       Y13, a0, a0; \
	VPMADDWD     32(R8), Y12, Y13; \
	VPADDD       Y13, a1, a1; \
	VPMADDWD     64(R8), Y12, Y13; \
	VPADDD       Y13, a2, a2; \
	VPMADDWD     96(R8), Y12, Y13; \
	VPADDD       Y13, a3, a3

// OUTPUT requantizes the accumulators a0-a3 of a pixel (x0 is a0's low
// half) and stores its AX bytes at dst: all 16 at once, or through the
// stack for a partial tile, a byte at a time. The zero point and the clamp
// come after the packing, 16 outputs at a time: the saturating packs and
// add are monotonic and exact within [-2^15, 2^15), so values they
// saturate land beyond [0, 255] as the exact sums do, and the clamp to
// [lo, hi] within [0, 255] gives the same bytes.
#define OUTPUT(a0, a1, a2, a3, x0, dst, part, loop, next) \
	VPHADDD   a1, a0, a0; \
	VPERMQ    $0xD8, a0, a0; \
	VPHADDD   a3, a2, a2; \
	VPERMQ    $0xD8, a2, a2; \
	REQUANT(a0, 0); \
	REQUANT(a2, 32); \
	VPACKSSDW a2, a0, a0; \
	VPERMQ    $0xD8, a0, a0; \
	VPADDSW   Y14, a0, a0; \
	VPACKUSWB a0, a0, a0; \
	VPERMQ    $0x08, a0, a0; \
	LEAQ      lo+84(FP), R8; \
	VPBROADCASTB (R8), X12; \
	VPMAXUB   X12, x0, x0; \
	VPBROADCASTB 4(R8), X12; \
	VPMINUB   X12, x0, x0; \
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

// func qgemm16AVX2(dst, src *uint8, w *int16, bias, rq *int32, pixels, cin, cout, groups, n int, zero, lo, hi int32)
TEXT ·qgemm16AVX2(SB), NOSPLIT, $16-92
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ pixels+40(FP), CX
	MOVQ cin+48(FP), R9
	MOVQ cout+56(FP), R10
	MOVQ groups+64(FP), R11
	MOVQ n+72(FP), AX
	MOVQ         $0x40000000, DX
	MOVQ         DX, X15
	VPBROADCASTQ X15, Y15
	MOVL         zero+80(FP), DX
	MOVQ         DX, X14
	VPBROADCASTW X14, Y14

triple:
	// Pixels B and C are the next ones, or pixel A again past the last.
	MOVQ    SI, R12
	MOVQ    SI, R13
	MOVQ    SI, BX
	CMPQ    CX, $2
	JLT     zero
	ADDQ    R9, R13
	MOVQ    R13, BX
	CMPQ    CX, $3
	JLT     zero
	ADDQ    R9, BX

zero:
	VPXOR   Y0, Y0, Y0
	VPXOR   Y1, Y1, Y1
	VPXOR   Y2, Y2, Y2
	VPXOR   Y3, Y3, Y3
	VPXOR   Y4, Y4, Y4
	VPXOR   Y5, Y5, Y5
	VPXOR   Y6, Y6, Y6
	VPXOR   Y7, Y7, Y7
	VPXOR   Y8, Y8, Y8
	VPXOR   Y9, Y9, Y9
	VPXOR   Y10, Y10, Y10
	VPXOR   Y11, Y11, Y11
	MOVQ    w+16(FP), R8
	MOVQ    R11, DX
	CMPQ    CX, $1
	JEQ     single

group:
	// for each group of 4 inputs
	DOT((R12), Y0, Y1, Y2, Y3)
	DOT((R13), Y4, Y5, Y6, Y7)
	DOT((BX), Y8, Y9, Y10, Y11)
	ADDQ    $128, R8
	ADDQ    $4, R12
	ADDQ    $4, R13
	ADDQ    $4, BX
	DECQ    DX
	JNZ     group
	JMP     store

single:
	// for each group of 4 inputs, of the last pixel alone (a classifier's
	// one pixel): a third of the work of a triple
	DOT((R12), Y0, Y1, Y2, Y3)
	ADDQ    $128, R8
	ADDQ    $4, R12
	DECQ    DX
	JNZ     single

store:
	MOVQ         bias+24(FP), BX
	MOVQ         rq+32(FP), R14
	OUTPUT(Y0, Y1, Y2, Y3, X0, DI, parta, loopa, nexta)
	CMPQ    CX, $1
	JEQ     done
	LEAQ    (DI)(R10*1), R12
	OUTPUT(Y4, Y5, Y6, Y7, X4, R12, partb, loopb, nextb)
	CMPQ    CX, $2
	JEQ     done
	LEAQ    (R12)(R10*1), R12
	OUTPUT(Y8, Y9, Y10, Y11, X8, R12, partc, loopc, nextc)
	LEAQ    (SI)(R9*2), SI
	ADDQ    R9, SI
	LEAQ    (DI)(R10*2), DI
	ADDQ    R10, DI
	SUBQ    $3, CX
	JG      triple

done:
	VZEROUPPER
	RET
