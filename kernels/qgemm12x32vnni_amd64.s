//go:build !noasm

#include "textflag.h"

// qgemm12x32VNNI, qgemm12x16VNNI: two tiles (32 output channels) or one
// (16) of a quantized 1x1 convolution over a run of pixels, twelve at a
// time (then 4, then 1), requantized as TFLite does (see Requant) and
// stored as bytes under the K-masks.
//
// vpdpbusd multiplies 4 unsigned bytes (a pixel's inputs, broadcast) with
// 4 signed bytes (a group of 4 weights of each of 16 outputs) and adds the
// four products to each output's int32: 64 multiply-adds an instruction,
// exact, so the sums equal the generic kernel's whatever their order.
//
// Register map (ABI0: arguments on the stack; every register but SP and BP
// is scratch):
//	DI	dst at the current block's first pixel, at the first channel
//	SI	src at the current block's first pixel
//	R12	rowsums at the current block's first pixel, or nil
//	CX	pixels still to do
//	R9	cin: the row stride of src; R10 = 3*R9, R11 = 5*R9
//	BX	cout: the row stride of dst
//	R15	groups*64: from tile A's weights to tile B's
//	R8	the tables of tiles A and B (vnniRows*64 bytes each)
//	DX	running weight pointer into tile A
//	R13, R14	running src pointers at rows 0 and 6 of the block; after
//		the groups, R13 is the dst row
//	AX	groups still to do
//	K1, K2	the store masks of tiles A and B; K4, K5 temporaries
//	Z0-Z23	accumulators, starting at the biases: pixel r of the block holds tile A in Z(2r) and
//		tile B in Z(2r+1) (one tile: pixel r in Z(r))
//	Z24, Z25	the weights of tiles A and B for a group; then temporaries
//	Z26	a pixel's 4 inputs, broadcast
//	Z27	the output zero point, Z29 lo, Z30 hi (each in 16 lanes)
//	Z28	-2^30 in each 64-bit lane
//	Z31	the permutation of the even lanes of one vector and the odd of
//		the next

// Row r of the block, at the running src pointers.
#define ROW0 (R13)
#define ROW1 (R13)(R9*1)
#define ROW2 (R13)(R9*2)
#define ROW3 (R13)(R10*1)
#define ROW4 (R13)(R9*4)
#define ROW5 (R13)(R11*1)
#define ROW6 (R14)
#define ROW7 (R14)(R9*1)
#define ROW8 (R14)(R9*2)
#define ROW9 (R14)(R10*1)
#define ROW10 (R14)(R9*4)
#define ROW11 (R14)(R11*1)

// The rows of a tile's table (vnniRows, see vnniWeights), and tile B's.
#define BIAS 0
#define LEFT 64
#define MULT 128
#define MULTODD 192
#define CEVEN 256
#define CODD 320
#define FEVEN 384
#define FODD 448
#define SHEVEN 512
#define SHODD 576
#define OFFSET 640
#define TB 704

// DOT32 adds the inputs at row times the group's weights Z24, Z25 to a0, a1;
// DOT16, times Z24 to a0.
#define DOT32(row, a0, a1) \
	VPBROADCASTD row, Z26; \
	VPDPBUSD     Z24, Z26, a0; \
	VPDPBUSD     Z25, Z26, a1

#define DOT16(row, a0) \
	VPBROADCASTD row, Z26; \
	VPDPBUSD     Z24, Z26, a0

// FIX adds the pixel's sum of inputs at rs times the channels' offsets of
// the table at tb to a.
#define FIX(a, tb, rs) \
	VPBROADCASTD rs, Z24; \
	VPMULLD      (tb+OFFSET)(R8), Z24, Z24; \
	VPADDD       Z24, a, a

// SHIFT shifts a left by the table at tb's left shifts: a multiplier of
// at least 1, which the layers of MobileNetV2 do not have.
#define SHIFT(a, tb) \
	VPSLLVD (tb+LEFT)(R8), a, a

#define SHIFT32(a0, a1) \
	SHIFT(a0, 0); \
	SHIFT(a1, TB)

// REQUANT turns the 16 sums in v, shifted left, into outputs clamped to [lo, hi], with
// TFLite's two roundings,
//	x = SaturatingRoundingDoublingHighMul(v << left, mult)
//	v = RoundingDivideByPOT(x, right)
// in one: x is floor((P + 2^30) / 2^31) for the product P (the one
// saturating case needs mult = -2^31, which a multiplier never is), and
// the rounding division, ties away from zero, is floor((x + c) / 2^right)
// with c = 2^(right-1) - (x < 0) (right > 0), so that
//	v = floor((P + 2^30 + 2^(right+30) - 2^31*(P < -2^30)) / 2^(31+right))
// with x < 0 exactly when P < -2^30. The products of the even lanes and of
// the odd ones (moved down by vpshufd, which, unlike a shift, runs on every
// vector pipe) are 64-bit; each lane's constants are in the
// table, and a permutation joins the low halves of the two.
#define REQUANT(v, tb) \
	VPSHUFD  $0xF5, v, Z25; \
	VPMULDQ  (tb+MULT)(R8), v, Z24; \
	VPMULDQ  (tb+MULTODD)(R8), Z25, Z25; \
	VPCMPQ   $1, Z28, Z24, K4; \
	VPCMPQ   $1, Z28, Z25, K5; \
	VPADDQ   (tb+CEVEN)(R8), Z24, Z24; \
	VPADDQ   (tb+CODD)(R8), Z25, Z25; \
	VPSUBQ   (tb+FEVEN)(R8), Z24, K4, Z24; \
	VPSUBQ   (tb+FODD)(R8), Z25, K5, Z25; \
	VPSRAVQ  (tb+SHEVEN)(R8), Z24, Z24; \
	VPSRAVQ  (tb+SHODD)(R8), Z25, Z25; \
	VPERMT2D Z25, Z31, Z24; \
	VPADDD   Z27, Z24, Z24; \
	VPMAXSD  Z29, Z24, v; \
	VPMINSD  Z30, v, v

// OUT32 requantizes a pixel's a0, a1 (tiles A and B) and stores them at
// R13, then moves R13 to the next pixel's row; OUT16, a0 alone.
#define OUT32(a0, a1) \
	REQUANT(a0, 0); \
	VPMOVDB a0, K1, (R13); \
	REQUANT(a1, TB); \
	VPMOVDB a1, K2, 16(R13); \
	ADDQ    BX, R13

#define OUT16(a0) \
	REQUANT(a0, 0); \
	VPMOVDB a0, K1, (R13); \
	ADDQ    BX, R13

#define FIX32(a0, a1, rs) \
	FIX(a0, 0, rs); \
	FIX(a1, TB, rs)

// SETUP loads the arguments and the constants.
#define SETUP \
	MOVQ         dst+0(FP), DI; \
	MOVQ         src+8(FP), SI; \
	MOVQ         t+24(FP), R8; \
	MOVQ         rowsums+32(FP), R12; \
	MOVQ         pixels+40(FP), CX; \
	MOVQ         cin+48(FP), R9; \
	MOVQ         cout+56(FP), BX; \
	MOVQ         groups+64(FP), R15; \
	SHLQ         $6, R15; \
	LEAQ         (R9)(R9*2), R10; \
	LEAQ         (R9)(R9*4), R11; \
	MOVL         mask+72(FP), AX; \
	KMOVW        AX, K1; \
	SHRL         $16, AX; \
	KMOVW        AX, K2; \
	VPBROADCASTD zero+80(FP), Z27; \
	VPBROADCASTD lo+84(FP), Z29; \
	VPBROADCASTD hi+88(FP), Z30; \
	MOVQ         $-0x40000000, AX; \
	VPBROADCASTQ AX, Z28; \
	VMOVDQU32    ·evenOdd(SB), Z31

// START points DX at the weights, R13 and R14 at the block's rows 0 and 6,
// and AX at the groups.
#define START \
	MOVQ w+16(FP), DX; \
	MOVQ SI, R13; \
	LEAQ (SI)(R10*2), R14; \
	MOVQ groups+64(FP), AX

// NEXT moves to the next block of n pixels.
#define NEXT(n) \
	IMUL3Q $n, R9, AX; \
	ADDQ  AX, SI; \
	IMUL3Q $n, BX, AX; \
	ADDQ  AX, DI; \
	TESTQ R12, R12; \
	JZ    2(PC); \
	ADDQ  $(4*n), R12; \
	SUBQ  $n, CX

// evenOdd picks, for output lane i, dword i of the even lanes' vector
// (its even dwords hold the results) for even i, and dword i-1 of the odd
// lanes' vector (index 16+) for odd i.
DATA ·evenOdd+0(SB)/4, $0
DATA ·evenOdd+4(SB)/4, $16
DATA ·evenOdd+8(SB)/4, $2
DATA ·evenOdd+12(SB)/4, $18
DATA ·evenOdd+16(SB)/4, $4
DATA ·evenOdd+20(SB)/4, $20
DATA ·evenOdd+24(SB)/4, $6
DATA ·evenOdd+28(SB)/4, $22
DATA ·evenOdd+32(SB)/4, $8
DATA ·evenOdd+36(SB)/4, $24
DATA ·evenOdd+40(SB)/4, $10
DATA ·evenOdd+44(SB)/4, $26
DATA ·evenOdd+48(SB)/4, $12
DATA ·evenOdd+52(SB)/4, $28
DATA ·evenOdd+56(SB)/4, $14
DATA ·evenOdd+60(SB)/4, $30
GLOBL ·evenOdd(SB), RODATA|NOPTR, $64

// func qgemm12x32VNNI(dst, src *uint8, w *int8, t, rowsums *int32, pixels, cin, cout, groups int, mask uint32, left bool, zero, lo, hi int32)
TEXT ·qgemm12x32VNNI(SB), NOSPLIT, $0-92
	SETUP

block12:
	CMPQ CX, $12
	JLT  block4
	START
	VMOVDQU32 (R8), Z0
	VMOVDQU32 TB(R8), Z1
	VMOVDQU32 (R8), Z2
	VMOVDQU32 TB(R8), Z3
	VMOVDQU32 (R8), Z4
	VMOVDQU32 TB(R8), Z5
	VMOVDQU32 (R8), Z6
	VMOVDQU32 TB(R8), Z7
	VMOVDQU32 (R8), Z8
	VMOVDQU32 TB(R8), Z9
	VMOVDQU32 (R8), Z10
	VMOVDQU32 TB(R8), Z11
	VMOVDQU32 (R8), Z12
	VMOVDQU32 TB(R8), Z13
	VMOVDQU32 (R8), Z14
	VMOVDQU32 TB(R8), Z15
	VMOVDQU32 (R8), Z16
	VMOVDQU32 TB(R8), Z17
	VMOVDQU32 (R8), Z18
	VMOVDQU32 TB(R8), Z19
	VMOVDQU32 (R8), Z20
	VMOVDQU32 TB(R8), Z21
	VMOVDQU32 (R8), Z22
	VMOVDQU32 TB(R8), Z23

loop12:
	VMOVDQU32 (DX), Z24
	VMOVDQU32 (DX)(R15*1), Z25
	DOT32(ROW0, Z0, Z1)
	DOT32(ROW1, Z2, Z3)
	DOT32(ROW2, Z4, Z5)
	DOT32(ROW3, Z6, Z7)
	DOT32(ROW4, Z8, Z9)
	DOT32(ROW5, Z10, Z11)
	DOT32(ROW6, Z12, Z13)
	DOT32(ROW7, Z14, Z15)
	DOT32(ROW8, Z16, Z17)
	DOT32(ROW9, Z18, Z19)
	DOT32(ROW10, Z20, Z21)
	DOT32(ROW11, Z22, Z23)
	ADDQ $64, DX
	ADDQ $4, R13
	ADDQ $4, R14
	DECQ AX
	JNZ  loop12

	TESTQ R12, R12
	JZ    shift12
	FIX32(Z0, Z1, 0(R12))
	FIX32(Z2, Z3, 4(R12))
	FIX32(Z4, Z5, 8(R12))
	FIX32(Z6, Z7, 12(R12))
	FIX32(Z8, Z9, 16(R12))
	FIX32(Z10, Z11, 20(R12))
	FIX32(Z12, Z13, 24(R12))
	FIX32(Z14, Z15, 28(R12))
	FIX32(Z16, Z17, 32(R12))
	FIX32(Z18, Z19, 36(R12))
	FIX32(Z20, Z21, 40(R12))
	FIX32(Z22, Z23, 44(R12))

shift12:
	CMPB left+76(FP), $0
	JEQ  out12
	SHIFT32(Z0, Z1)
	SHIFT32(Z2, Z3)
	SHIFT32(Z4, Z5)
	SHIFT32(Z6, Z7)
	SHIFT32(Z8, Z9)
	SHIFT32(Z10, Z11)
	SHIFT32(Z12, Z13)
	SHIFT32(Z14, Z15)
	SHIFT32(Z16, Z17)
	SHIFT32(Z18, Z19)
	SHIFT32(Z20, Z21)
	SHIFT32(Z22, Z23)

out12:
	MOVQ DI, R13
	OUT32(Z0, Z1)
	OUT32(Z2, Z3)
	OUT32(Z4, Z5)
	OUT32(Z6, Z7)
	OUT32(Z8, Z9)
	OUT32(Z10, Z11)
	OUT32(Z12, Z13)
	OUT32(Z14, Z15)
	OUT32(Z16, Z17)
	OUT32(Z18, Z19)
	OUT32(Z20, Z21)
	OUT32(Z22, Z23)
	NEXT(12)
	JMP block12

block4:
	CMPQ CX, $4
	JLT  block1
	START
	VMOVDQU32 (R8), Z0
	VMOVDQU32 TB(R8), Z1
	VMOVDQU32 (R8), Z2
	VMOVDQU32 TB(R8), Z3
	VMOVDQU32 (R8), Z4
	VMOVDQU32 TB(R8), Z5
	VMOVDQU32 (R8), Z6
	VMOVDQU32 TB(R8), Z7

loop4:
	VMOVDQU32 (DX), Z24
	VMOVDQU32 (DX)(R15*1), Z25
	DOT32(ROW0, Z0, Z1)
	DOT32(ROW1, Z2, Z3)
	DOT32(ROW2, Z4, Z5)
	DOT32(ROW3, Z6, Z7)
	ADDQ $64, DX
	ADDQ $4, R13
	DECQ AX
	JNZ  loop4

	TESTQ R12, R12
	JZ    shift4
	FIX32(Z0, Z1, 0(R12))
	FIX32(Z2, Z3, 4(R12))
	FIX32(Z4, Z5, 8(R12))
	FIX32(Z6, Z7, 12(R12))

shift4:
	CMPB left+76(FP), $0
	JEQ  out4
	SHIFT32(Z0, Z1)
	SHIFT32(Z2, Z3)
	SHIFT32(Z4, Z5)
	SHIFT32(Z6, Z7)

out4:
	MOVQ DI, R13
	OUT32(Z0, Z1)
	OUT32(Z2, Z3)
	OUT32(Z4, Z5)
	OUT32(Z6, Z7)
	NEXT(4)
	JMP block4

block1:
	TESTQ CX, CX
	JZ    done
	START
	VMOVDQU32 (R8), Z0
	VMOVDQU32 TB(R8), Z1

loop1:
	VMOVDQU32 (DX), Z24
	VMOVDQU32 (DX)(R15*1), Z25
	DOT32(ROW0, Z0, Z1)
	ADDQ $64, DX
	ADDQ $4, R13
	DECQ AX
	JNZ  loop1

	TESTQ R12, R12
	JZ    shift1
	FIX32(Z0, Z1, 0(R12))

shift1:
	CMPB left+76(FP), $0
	JEQ  out1
	SHIFT32(Z0, Z1)

out1:
	MOVQ DI, R13
	OUT32(Z0, Z1)
	NEXT(1)
	JMP block1

done:
	VZEROUPPER
	RET

// func qgemm12x16VNNI(dst, src *uint8, w *int8, t, rowsums *int32, pixels, cin, cout, groups int, mask uint32, left bool, zero, lo, hi int32)
TEXT ·qgemm12x16VNNI(SB), NOSPLIT, $0-92
	SETUP

block12:
	CMPQ CX, $12
	JLT  block4
	START
	VMOVDQU32 (R8), Z0
	VMOVDQU32 (R8), Z1
	VMOVDQU32 (R8), Z2
	VMOVDQU32 (R8), Z3
	VMOVDQU32 (R8), Z4
	VMOVDQU32 (R8), Z5
	VMOVDQU32 (R8), Z6
	VMOVDQU32 (R8), Z7
	VMOVDQU32 (R8), Z8
	VMOVDQU32 (R8), Z9
	VMOVDQU32 (R8), Z10
	VMOVDQU32 (R8), Z11

loop12:
	VMOVDQU32 (DX), Z24
	DOT16(ROW0, Z0)
	DOT16(ROW1, Z1)
	DOT16(ROW2, Z2)
	DOT16(ROW3, Z3)
	DOT16(ROW4, Z4)
	DOT16(ROW5, Z5)
	DOT16(ROW6, Z6)
	DOT16(ROW7, Z7)
	DOT16(ROW8, Z8)
	DOT16(ROW9, Z9)
	DOT16(ROW10, Z10)
	DOT16(ROW11, Z11)
	ADDQ $64, DX
	ADDQ $4, R13
	ADDQ $4, R14
	DECQ AX
	JNZ  loop12

	TESTQ R12, R12
	JZ    shift12
	FIX(Z0, 0, 0(R12))
	FIX(Z1, 0, 4(R12))
	FIX(Z2, 0, 8(R12))
	FIX(Z3, 0, 12(R12))
	FIX(Z4, 0, 16(R12))
	FIX(Z5, 0, 20(R12))
	FIX(Z6, 0, 24(R12))
	FIX(Z7, 0, 28(R12))
	FIX(Z8, 0, 32(R12))
	FIX(Z9, 0, 36(R12))
	FIX(Z10, 0, 40(R12))
	FIX(Z11, 0, 44(R12))

shift12:
	CMPB left+76(FP), $0
	JEQ  out12
	SHIFT(Z0, 0)
	SHIFT(Z1, 0)
	SHIFT(Z2, 0)
	SHIFT(Z3, 0)
	SHIFT(Z4, 0)
	SHIFT(Z5, 0)
	SHIFT(Z6, 0)
	SHIFT(Z7, 0)
	SHIFT(Z8, 0)
	SHIFT(Z9, 0)
	SHIFT(Z10, 0)
	SHIFT(Z11, 0)

out12:
	MOVQ DI, R13
	OUT16(Z0)
	OUT16(Z1)
	OUT16(Z2)
	OUT16(Z3)
	OUT16(Z4)
	OUT16(Z5)
	OUT16(Z6)
	OUT16(Z7)
	OUT16(Z8)
	OUT16(Z9)
	OUT16(Z10)
	OUT16(Z11)
	NEXT(12)
	JMP block12

block4:
	CMPQ CX, $4
	JLT  block1
	START
	VMOVDQU32 (R8), Z0
	VMOVDQU32 (R8), Z1
	VMOVDQU32 (R8), Z2
	VMOVDQU32 (R8), Z3

loop4:
	VMOVDQU32 (DX), Z24
	DOT16(ROW0, Z0)
	DOT16(ROW1, Z1)
	DOT16(ROW2, Z2)
	DOT16(ROW3, Z3)
	ADDQ $64, DX
	ADDQ $4, R13
	DECQ AX
	JNZ  loop4

	TESTQ R12, R12
	JZ    shift4
	FIX(Z0, 0, 0(R12))
	FIX(Z1, 0, 4(R12))
	FIX(Z2, 0, 8(R12))
	FIX(Z3, 0, 12(R12))

shift4:
	CMPB left+76(FP), $0
	JEQ  out4
	SHIFT(Z0, 0)
	SHIFT(Z1, 0)
	SHIFT(Z2, 0)
	SHIFT(Z3, 0)

out4:
	MOVQ DI, R13
	OUT16(Z0)
	OUT16(Z1)
	OUT16(Z2)
	OUT16(Z3)
	NEXT(4)
	JMP block4

block1:
	TESTQ CX, CX
	JZ    done
	START
	VMOVDQU32 (R8), Z0

loop1:
	VMOVDQU32 (DX), Z24
	DOT16(ROW0, Z0)
	ADDQ $64, DX
	ADDQ $4, R13
	DECQ AX
	JNZ  loop1

	TESTQ R12, R12
	JZ    shift1
	FIX(Z0, 0, 0(R12))

shift1:
	CMPB left+76(FP), $0
	JEQ  out1
	SHIFT(Z0, 0)

out1:
	MOVQ DI, R13
	OUT16(Z0)
	NEXT(1)
	JMP block1

done:
	VZEROUPPER
	RET

// func qrowsumsAVX512(dst *int32, src *uint8, pixels, cin int, tail uint64)
// vpsadbw against zero sums each 8 bytes into a 64-bit lane.
TEXT ·qrowsumsAVX512(SB), NOSPLIT, $0-40
	MOVQ   dst+0(FP), DI
	MOVQ   src+8(FP), SI
	MOVQ   pixels+16(FP), CX
	MOVQ   cin+24(FP), R9
	KMOVQ  tail+32(FP), K1
	VPXORD Z31, Z31, Z31

pixel:
	VPXORD Z0, Z0, Z0
	MOVQ   SI, R8
	MOVQ   R9, R10
	SHRQ   $6, R10
	JZ     tail

chunk:
	VMOVDQU8 (R8), Z1
	VPSADBW  Z31, Z1, Z1
	VPADDQ   Z1, Z0, Z0
	ADDQ     $64, R8
	DECQ     R10
	JNZ      chunk

tail:
	// The masked load reads nothing past the row, not even a fault.
	VMOVDQU8.Z    (R8), K1, Z1
	VPSADBW       Z31, Z1, Z1
	VPADDQ        Z1, Z0, Z0
	VEXTRACTI64X4 $1, Z0, Y1
	VPADDQ        Y1, Y0, Y0
	VEXTRACTI128  $1, Y0, X1
	VPADDQ        X1, X0, X0
	VPSHUFD       $0x4E, X0, X1
	VPADDQ        X1, X0, X0
	VMOVD         X0, (DI)
	ADDQ          $4, DI
	ADDQ          R9, SI
	DECQ          CX
	JNZ           pixel
	VZEROUPPER
	RET
