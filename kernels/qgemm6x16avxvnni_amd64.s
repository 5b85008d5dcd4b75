//go:build !noasm

#include "textflag.h"
#include "qavx2_amd64.h"

// qgemm6x16AVXVNNI: one tile of 16 output channels of a quantized 1x1
// convolution over a run of pixels, six at a time (then 2, then 1), on
// AVX-VNNI's vpdpbusd: 4 unsigned input bytes, broadcast, times 4 signed
// weight bytes of each of 8 outputs, added to their int32 sums; then
// requantized as qgemm16AVX2 does (qavx2_amd64.h).
//
// The Go assembler encodes vpdpbusd on YMM registers only as AVX-512
// (EVEX); AVX-VNNI is its VEX form, written out here as bytes, one macro
// per accumulator: DOTk adds Y14 (the inputs) times Y12 (even k: outputs
// 0-7) or Y13 (odd k: outputs 8-15) to Yk.
//
// Register map (ABI0: arguments on the stack; all registers but SP and BP
// are scratch):
//	DI	dst at the current block's first pixel, the tile's first channel
//	SI	src at the current block's first pixel
//	R12	rowsums at the current block's first pixel, or nil
//	CX	pixels still to do
//	R9	cin: the row stride of src; R10 = 3*R9, R11 = 5*R9
//	R15	cout: the row stride of dst
//	BX	the tile's table (vnniRows rows; its biases first); R14 its
//		requantization table (requantTable)
//	DX	running weight pointer; R13 running src pointer of the block;
//		after the groups, the dst row
//	AX	groups still to do
//	R8	a temporary
//	Y0-Y11	accumulators: pixel r of the block, outputs 0-7 in Y(2r),
//		8-15 in Y(2r+1)
//	Y12, Y13	the weights of a group; Y14 a pixel's 4 inputs, broadcast
//	after the groups: Y12, Y13 temporaries, Y14 the output zero point in
//	16 int16 lanes, Y15 2^30 in each 64-bit lane

#define DOT0 BYTE $0xC4; BYTE $0xC2; BYTE $0x0D; BYTE $0x50; BYTE $0xC4
#define DOT1 BYTE $0xC4; BYTE $0xC2; BYTE $0x0D; BYTE $0x50; BYTE $0xCD
#define DOT2 BYTE $0xC4; BYTE $0xC2; BYTE $0x0D; BYTE $0x50; BYTE $0xD4
#define DOT3 BYTE $0xC4; BYTE $0xC2; BYTE $0x0D; BYTE $0x50; BYTE $0xDD
#define DOT4 BYTE $0xC4; BYTE $0xC2; BYTE $0x0D; BYTE $0x50; BYTE $0xE4
#define DOT5 BYTE $0xC4; BYTE $0xC2; BYTE $0x0D; BYTE $0x50; BYTE $0xED
#define DOT6 BYTE $0xC4; BYTE $0xC2; BYTE $0x0D; BYTE $0x50; BYTE $0xF4
#define DOT7 BYTE $0xC4; BYTE $0xC2; BYTE $0x0D; BYTE $0x50; BYTE $0xFD
#define DOT8 BYTE $0xC4; BYTE $0x42; BYTE $0x0D; BYTE $0x50; BYTE $0xC4
#define DOT9 BYTE $0xC4; BYTE $0x42; BYTE $0x0D; BYTE $0x50; BYTE $0xCD
#define DOT10 BYTE $0xC4; BYTE $0x42; BYTE $0x0D; BYTE $0x50; BYTE $0xD4
#define DOT11 BYTE $0xC4; BYTE $0x42; BYTE $0x0D; BYTE $0x50; BYTE $0xDD

// Row r of the block, at the running src pointer.
#define ROW0 (R13)
#define ROW1 (R13)(R9*1)
#define ROW2 (R13)(R9*2)
#define ROW3 (R13)(R10*1)
#define ROW4 (R13)(R9*4)
#define ROW5 (R13)(R11*1)

// PIXEL adds the products of a pixel's inputs at row to its accumulators.
#define PIXEL(row, dot0, dot1) \
	VPBROADCASTD row, Y14; \
	dot0; \
	dot1

// FIX adds the pixel's sum of inputs at rs times the channels' weight
// offsets (row 10 of the table at BX) to a0, a1.
#define FIX(a0, a1, rs) \
	VPBROADCASTD rs, Y12; \
	VPMULLD      640(BX), Y12, Y13; \
	VPADDD       Y13, a0, a0; \
	VPMULLD      672(BX), Y12, Y13; \
	VPADDD       Y13, a1, a1

// OUT requantizes a pixel's a0, a1 (x0 is a0's low half) and stores its n
// bytes at R13 (all 16, or a byte at a time through the stack), then moves
// R13 to the next pixel's row. The zero point and the clamp come after the
// packing, as in qgemm16AVX2.
#define OUT(a0, a1, x0, part, loop, next) \
	REQUANT(a0, 0); \
	REQUANT(a1, 32); \
	VPACKSSDW a1, a0, a0; \
	VPERMQ    $0xD8, a0, a0; \
	VPADDSW   Y14, a0, a0; \
	VPACKUSWB a0, a0, a0; \
	VPERMQ    $0x08, a0, a0; \
	LEAQ      lo+92(FP), R8; \
	VPBROADCASTB (R8), X12; \
	VPMAXUB   X12, x0, x0; \
	VPBROADCASTB 4(R8), X12; \
	VPMINUB   X12, x0, x0; \
	CMPQ      n+80(FP), $16; \
	JNE       part; \
	VMOVDQU   x0, (R13); \
	JMP       next; \
part:; \
	LEAQ      buf-16(SP), AX; \
	VMOVDQU   x0, (AX); \
	XORQ      R8, R8; \
loop:; \
	MOVB      (AX)(R8*1), DX; \
	MOVB      DX, (R13)(R8*1); \
	INCQ      R8; \
	CMPQ      R8, n+80(FP); \
	JNE       loop; \
next:; \
	ADDQ      R15, R13

// func qgemm6x16AVXVNNI(dst, src *uint8, w *int8, t, rq, rowsums *int32, pixels, cin, cout, groups, n int, zero, lo, hi int32)
TEXT ·qgemm6x16AVXVNNI(SB), NOSPLIT, $16-100
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ t+24(FP), BX
	MOVQ rq+32(FP), R14
	MOVQ rowsums+40(FP), R12
	MOVQ pixels+48(FP), CX
	MOVQ cin+56(FP), R9
	MOVQ cout+64(FP), R15
	LEAQ (R9)(R9*2), R10
	LEAQ (R9)(R9*4), R11

block6:
	CMPQ CX, $6
	JLT  block2
	VPXOR Y0, Y0, Y0
	VPXOR Y1, Y1, Y1
	VPXOR Y2, Y2, Y2
	VPXOR Y3, Y3, Y3
	VPXOR Y4, Y4, Y4
	VPXOR Y5, Y5, Y5
	VPXOR Y6, Y6, Y6
	VPXOR Y7, Y7, Y7
	VPXOR Y8, Y8, Y8
	VPXOR Y9, Y9, Y9
	VPXOR Y10, Y10, Y10
	VPXOR Y11, Y11, Y11
	MOVQ w+16(FP), DX
	MOVQ SI, R13
	MOVQ groups+72(FP), AX

loop6:
	VMOVDQU (DX), Y12
	VMOVDQU 32(DX), Y13
	PIXEL(ROW0, DOT0, DOT1)
	PIXEL(ROW1, DOT2, DOT3)
	PIXEL(ROW2, DOT4, DOT5)
	PIXEL(ROW3, DOT6, DOT7)
	PIXEL(ROW4, DOT8, DOT9)
	PIXEL(ROW5, DOT10, DOT11)
	ADDQ $64, DX
	ADDQ $4, R13
	DECQ AX
	JNZ  loop6

	TESTQ R12, R12
	JZ    out6
	FIX(Y0, Y1, 0(R12))
	FIX(Y2, Y3, 4(R12))
	FIX(Y4, Y5, 8(R12))
	FIX(Y6, Y7, 12(R12))
	FIX(Y8, Y9, 16(R12))
	FIX(Y10, Y11, 20(R12))

out6:
	MOVQ         $0x40000000, AX
	MOVQ         AX, X15
	VPBROADCASTQ X15, Y15
	MOVL         zero+88(FP), AX
	MOVQ         AX, X14
	VPBROADCASTW X14, Y14
	MOVQ         DI, R13
	OUT(Y0, Y1, X0, part6_0, bytes6_0, next6_0)
	OUT(Y2, Y3, X2, part6_1, bytes6_1, next6_1)
	OUT(Y4, Y5, X4, part6_2, bytes6_2, next6_2)
	OUT(Y6, Y7, X6, part6_3, bytes6_3, next6_3)
	OUT(Y8, Y9, X8, part6_4, bytes6_4, next6_4)
	OUT(Y10, Y11, X10, part6_5, bytes6_5, next6_5)
	IMUL3Q $6, R9, AX
	ADDQ   AX, SI
	IMUL3Q $6, R15, AX
	ADDQ   AX, DI
	TESTQ  R12, R12
	JZ     2(PC)
	ADDQ   $24, R12
	SUBQ   $6, CX
	JMP    block6

block2:
	CMPQ CX, $2
	JLT  block1
	VPXOR Y0, Y0, Y0
	VPXOR Y1, Y1, Y1
	VPXOR Y2, Y2, Y2
	VPXOR Y3, Y3, Y3
	MOVQ w+16(FP), DX
	MOVQ SI, R13
	MOVQ groups+72(FP), AX

loop2:
	VMOVDQU (DX), Y12
	VMOVDQU 32(DX), Y13
	PIXEL(ROW0, DOT0, DOT1)
	PIXEL(ROW1, DOT2, DOT3)
	ADDQ $64, DX
	ADDQ $4, R13
	DECQ AX
	JNZ  loop2

	TESTQ R12, R12
	JZ    out2
	FIX(Y0, Y1, 0(R12))
	FIX(Y2, Y3, 4(R12))

out2:
	MOVQ         $0x40000000, AX
	MOVQ         AX, X15
	VPBROADCASTQ X15, Y15
	MOVL         zero+88(FP), AX
	MOVQ         AX, X14
	VPBROADCASTW X14, Y14
	MOVQ         DI, R13
	OUT(Y0, Y1, X0, part2_0, bytes2_0, next2_0)
	OUT(Y2, Y3, X2, part2_1, bytes2_1, next2_1)
	IMUL3Q $2, R9, AX
	ADDQ   AX, SI
	IMUL3Q $2, R15, AX
	ADDQ   AX, DI
	TESTQ  R12, R12
	JZ     2(PC)
	ADDQ   $8, R12
	SUBQ   $2, CX
	JMP    block2

block1:
	TESTQ CX, CX
	JZ    done
	VPXOR Y0, Y0, Y0
	VPXOR Y1, Y1, Y1
	MOVQ w+16(FP), DX
	MOVQ SI, R13
	MOVQ groups+72(FP), AX

loop1:
	VMOVDQU (DX), Y12
	VMOVDQU 32(DX), Y13
	PIXEL(ROW0, DOT0, DOT1)
	ADDQ $64, DX
	ADDQ $4, R13
	DECQ AX
	JNZ  loop1

	TESTQ R12, R12
	JZ    out1
	FIX(Y0, Y1, 0(R12))

out1:
	MOVQ         $0x40000000, AX
	MOVQ         AX, X15
	VPBROADCASTQ X15, Y15
	MOVL         zero+88(FP), AX
	MOVQ         AX, X14
	VPBROADCASTW X14, Y14
	MOVQ         DI, R13
	OUT(Y0, Y1, X0, part1_0, bytes1_0, next1_0)
	IMUL3Q $1, R9, AX
	ADDQ   AX, SI
	IMUL3Q $1, R15, AX
	ADDQ   AX, DI
	TESTQ  R12, R12
	JZ     2(PC)
	ADDQ   $4, R12
	SUBQ   $1, CX
	JMP    block1

done:
	VZEROUPPER
	RET

// func qrowsumsAVX2(dst *int32, src *uint8, pixels, cin int)
// vpsadbw against zero sums each 8 bytes into a 64-bit lane; the last
// cin%32 bytes are added one at a time.
TEXT ·qrowsumsAVX2(SB), NOSPLIT, $0-32
	MOVQ  dst+0(FP), DI
	MOVQ  src+8(FP), SI
	MOVQ  pixels+16(FP), CX
	MOVQ  cin+24(FP), R9
	VPXOR Y15, Y15, Y15

pixel:
	VPXOR Y0, Y0, Y0
	MOVQ  SI, R8
	MOVQ  R9, R10
	SHRQ  $5, R10
	JZ    reduce

chunk:
	VMOVDQU (R8), Y1
	VPSADBW Y15, Y1, Y1
	VPADDQ  Y1, Y0, Y0
	ADDQ    $32, R8
	DECQ    R10
	JNZ     chunk

reduce:
	VEXTRACTI128 $1, Y0, X1
	VPADDQ       X1, X0, X0
	VPSHUFD      $0x4E, X0, X1
	VPADDQ       X1, X0, X0
	VMOVQ        X0, AX
	MOVQ         R9, R10
	ANDQ         $31, R10
	JZ           store

tail:
	MOVBQZX (R8), R11
	ADDQ    R11, AX
	INCQ    R8
	DECQ    R10
	JNZ     tail

store:
	MOVL AX, (DI)
	ADDQ $4, DI
	ADDQ R9, SI
	DECQ CX
	JNZ  pixel
	VZEROUPPER
	RET
