//go:build !noasm

#include "textflag.h"

// conv3x3s2c3AVX512: a run of output pixels of the stem, a 3x3 stride-2
// convolution of 3 input channels, with bias and clamp fused. Pairs of tiles
// (32 output channels, or a last single tile) are the outer loop, so that
// their 27 taps of weights stay in L1; pixels go fourteen at a time, then 4,
// then 1. Each input is broadcast and multiplies the weights of its tap. The
// K-masks store only the channels below cout. Rows whose bit in inside is clear
// (TF SAME padding at the top or bottom) are skipped.
//
// Register map (ABI0: arguments on the stack; every register but SP and BP
// is scratch, R14 and X15 included; R15 is left alone for dynamic linking):
//	DX	the pair's first channel, in bytes
//	DI	running dst pointer: the block's first pixel, at the pair
//	R8	running dst pointer in the epilogue
//	R11	the block's first input, in bytes from the start of each row
//	R12	running pointer to the row arguments r0, r1, r2
//	R13	the current row of the block: its kx=0 input of pixel 0
//	AX	rows still to sum, as bits
//	BX	running weight pointer: the pair's current tap
//	R10	cp*4: the tap stride of w in bytes
//	R14	cout*4: the pixel stride of dst in bytes
//	CX	pixels still to do
//	K1, K2	the store masks of the pair's two tiles
//	Z0-Z27	accumulators: pixel p holds tile A in Z(2p), tile B in Z(2p+1);
//		with one tile, pixel p in Z(p)
//	Z28, Z29	the weights of one tap, tiles A and B; then lo, hi
//	Z30, Z31	input broadcasts

// W32, W16 load the weights of the next tap.
#define W32 \
	VMOVUPS (BX), Z28; \
	VMOVUPS 64(BX), Z29; \
	ADDQ    R10, BX

#define W16 \
	VMOVUPS (BX), Z28; \
	ADDQ    R10, BX

// PX32 adds the input at d(R13) times the tap's weights to a0, a1; PX16
// to a.
#define PX32(d, T, a0, a1) \
	VBROADCASTSS d(R13), T; \
	VFMADD231PS  Z28, T, a0; \
	VFMADD231PS  Z29, T, a1

#define PX16(d, a) \
	VFMADD231PS.BCST d(R13), Z28, a

// TAP32_<n>, TAP16_<n> add the tap at byte off of each of n pixels, 24
// bytes apart.
#define TAP32_14(off) \
	W32; \
	PX32(off, Z30, Z0, Z1); \
	PX32((off+24), Z31, Z2, Z3); \
	PX32((off+48), Z30, Z4, Z5); \
	PX32((off+72), Z31, Z6, Z7); \
	PX32((off+96), Z30, Z8, Z9); \
	PX32((off+120), Z31, Z10, Z11); \
	PX32((off+144), Z30, Z12, Z13); \
	PX32((off+168), Z31, Z14, Z15); \
	PX32((off+192), Z30, Z16, Z17); \
	PX32((off+216), Z31, Z18, Z19); \
	PX32((off+240), Z30, Z20, Z21); \
	PX32((off+264), Z31, Z22, Z23); \
	PX32((off+288), Z30, Z24, Z25); \
	PX32((off+312), Z31, Z26, Z27)

#define TAP32_4(off) \
	W32; \
	PX32(off, Z30, Z0, Z1); \
	PX32((off+24), Z31, Z2, Z3); \
	PX32((off+48), Z30, Z4, Z5); \
	PX32((off+72), Z31, Z6, Z7)

#define TAP32_1(off) \
	W32; \
	PX32(off, Z30, Z0, Z1)

#define TAP16_14(off) \
	W16; \
	PX16(off, Z0); \
	PX16((off+24), Z1); \
	PX16((off+48), Z2); \
	PX16((off+72), Z3); \
	PX16((off+96), Z4); \
	PX16((off+120), Z5); \
	PX16((off+144), Z6); \
	PX16((off+168), Z7); \
	PX16((off+192), Z8); \
	PX16((off+216), Z9); \
	PX16((off+240), Z10); \
	PX16((off+264), Z11); \
	PX16((off+288), Z12); \
	PX16((off+312), Z13)

#define TAP16_4(off) \
	W16; \
	PX16(off, Z0); \
	PX16((off+24), Z1); \
	PX16((off+48), Z2); \
	PX16((off+72), Z3)

#define TAP16_1(off) \
	W16; \
	PX16(off, Z0)

// ROW adds the nine taps (kx*3 + ci) of the row at R13, with TAP = one of
// the above.
#define ROW(TAP) \
	TAP(0); \
	TAP(4); \
	TAP(8); \
	TAP(12); \
	TAP(16); \
	TAP(20); \
	TAP(24); \
	TAP(28); \
	TAP(32)

// ROWS_START points R12 at r0 and BX at the pair's first tap, and loads
// inside into AX. ROW_AT points R13 at the block in the row R12 points at.
// ROW_SKIP moves BX past a row of taps. ROWS_NEXT moves on to the next row.
#define ROWS_START \
	LEAQ r0+8(FP), R12; \
	MOVQ w+32(FP), BX; \
	ADDQ DX, BX; \
	MOVQ inside+72(FP), AX

#define ROW_AT \
	MOVQ (R12), R13; \
	ADDQ R11, R13

#define ROW_SKIP \
	LEAQ (BX)(R10*8), BX; \
	ADDQ R10, BX

#define ROWS_NEXT \
	ADDQ $8, R12; \
	SHRQ $1, AX

// BIAS32, BIAS16 load the pair's or tile's bias into Z0, Z1 or Z0.
#define BIAS32 \
	MOVQ    bias+40(FP), R13; \
	VMOVUPS (R13)(DX*1), Z0; \
	VMOVUPS 64(R13)(DX*1), Z1

#define BIAS16 \
	MOVQ    bias+40(FP), R13; \
	VMOVUPS (R13)(DX*1), Z0

// EPILOGUE loads lo, hi into Z28, Z29 and points R8 at the block's first
// output pixel.
#define EPILOGUE \
	VBROADCASTSS lo+80(FP), Z28; \
	VBROADCASTSS hi+84(FP), Z29; \
	MOVQ         DI, R8

// CLAMP clamps a to [Z28, Z29].
#define CLAMP(a) \
	VMAXPS Z28, a, a; \
	VMINPS Z29, a, a

// OUT32, OUT16 clamp and store one pixel's channels, then move R8 to the
// next pixel.
#define OUT32(a0, a1) \
	CLAMP(a0); \
	CLAMP(a1); \
	VMOVUPS a0, K1, (R8); \
	VMOVUPS a1, K2, 64(R8); \
	ADDQ    R14, R8

#define OUT16(a) \
	CLAMP(a); \
	VMOVUPS a, K1, (R8); \
	ADDQ    R14, R8

// NEXT moves on by n pixels: DI to where the stores left R8, R11 by n
// inputs 24 bytes apart.
#define NEXT(n) \
	MOVQ R8, DI; \
	ADDQ $(24*n), R11; \
	SUBQ $n, CX

// func conv3x3s2c3AVX512(dst, r0, r1, r2, w, bias *float32, n, cout, cp, inside int, lo, hi float32)
TEXT ·conv3x3s2c3AVX512(SB), NOSPLIT, $0-88
	MOVQ cp+64(FP), R10
	SHLQ $2, R10
	MOVQ cout+56(FP), R14
	SHLQ $2, R14
	XORQ DX, DX

pair:
	// for each pair of tiles: the store masks of its channels below cout
	MOVQ  R14, CX
	SUBQ  DX, CX
	SHRQ  $2, CX
	MOVQ  $32, AX
	CMPQ  CX, AX
	CMOVQGT AX, CX
	MOVQ  $1, AX
	SHLQ  CX, AX
	DECQ  AX
	KMOVW AX, K1
	SHRQ  $16, AX
	KMOVW AX, K2
	MOVQ  dst+0(FP), DI
	ADDQ  DX, DI
	XORQ  R11, R11
	MOVQ  n+48(FP), CX
	MOVQ  R14, AX
	SUBQ  DX, AX
	CMPQ  AX, $64
	JLE   one14

two14:
	// for ; CX >= 14; CX -= 14
	CMPQ    CX, $14
	JLT     two4
	BIAS32
	VMOVAPS Z0, Z2
	VMOVAPS Z1, Z3
	VMOVAPS Z0, Z4
	VMOVAPS Z1, Z5
	VMOVAPS Z0, Z6
	VMOVAPS Z1, Z7
	VMOVAPS Z0, Z8
	VMOVAPS Z1, Z9
	VMOVAPS Z0, Z10
	VMOVAPS Z1, Z11
	VMOVAPS Z0, Z12
	VMOVAPS Z1, Z13
	VMOVAPS Z0, Z14
	VMOVAPS Z1, Z15
	VMOVAPS Z0, Z16
	VMOVAPS Z1, Z17
	VMOVAPS Z0, Z18
	VMOVAPS Z1, Z19
	VMOVAPS Z0, Z20
	VMOVAPS Z1, Z21
	VMOVAPS Z0, Z22
	VMOVAPS Z1, Z23
	VMOVAPS Z0, Z24
	VMOVAPS Z1, Z25
	VMOVAPS Z0, Z26
	VMOVAPS Z1, Z27
	ROWS_START

two14row:
	// for each input row ky that is inside the image
	TESTQ $1, AX
	JZ    two14skip
	ROW_AT
	ROW(TAP32_14)
	JMP   two14next

two14skip:
	ROW_SKIP

two14next:
	ROWS_NEXT
	JNZ two14row
	EPILOGUE
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
	OUT32(Z24, Z25)
	OUT32(Z26, Z27)
	NEXT(14)
	JMP two14

two4:
	// for ; CX >= 4; CX -= 4
	CMPQ    CX, $4
	JLT     two1
	BIAS32
	VMOVAPS Z0, Z2
	VMOVAPS Z1, Z3
	VMOVAPS Z0, Z4
	VMOVAPS Z1, Z5
	VMOVAPS Z0, Z6
	VMOVAPS Z1, Z7
	ROWS_START

two4row:
	TESTQ $1, AX
	JZ    two4skip
	ROW_AT
	ROW(TAP32_4)
	JMP   two4next

two4skip:
	ROW_SKIP

two4next:
	ROWS_NEXT
	JNZ two4row
	EPILOGUE
	OUT32(Z0, Z1)
	OUT32(Z2, Z3)
	OUT32(Z4, Z5)
	OUT32(Z6, Z7)
	NEXT(4)
	JMP two4

two1:
	// for ; CX > 0; CX--
	TESTQ CX, CX
	JZ    nextpair
	BIAS32
	ROWS_START

two1row:
	TESTQ $1, AX
	JZ    two1skip
	ROW_AT
	ROW(TAP32_1)
	JMP   two1next

two1skip:
	ROW_SKIP

two1next:
	ROWS_NEXT
	JNZ two1row
	EPILOGUE
	OUT32(Z0, Z1)
	NEXT(1)
	JMP two1

one14:
	// A last single tile, the same way.
	CMPQ    CX, $14
	JLT     one4
	BIAS16
	VMOVAPS Z0, Z1
	VMOVAPS Z0, Z2
	VMOVAPS Z0, Z3
	VMOVAPS Z0, Z4
	VMOVAPS Z0, Z5
	VMOVAPS Z0, Z6
	VMOVAPS Z0, Z7
	VMOVAPS Z0, Z8
	VMOVAPS Z0, Z9
	VMOVAPS Z0, Z10
	VMOVAPS Z0, Z11
	VMOVAPS Z0, Z12
	VMOVAPS Z0, Z13
	ROWS_START

one14row:
	TESTQ $1, AX
	JZ    one14skip
	ROW_AT
	ROW(TAP16_14)
	JMP   one14next

one14skip:
	ROW_SKIP

one14next:
	ROWS_NEXT
	JNZ one14row
	EPILOGUE
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
	OUT16(Z12)
	OUT16(Z13)
	NEXT(14)
	JMP one14

one4:
	CMPQ    CX, $4
	JLT     one1
	BIAS16
	VMOVAPS Z0, Z1
	VMOVAPS Z0, Z2
	VMOVAPS Z0, Z3
	ROWS_START

one4row:
	TESTQ $1, AX
	JZ    one4skip
	ROW_AT
	ROW(TAP16_4)
	JMP   one4next

one4skip:
	ROW_SKIP

one4next:
	ROWS_NEXT
	JNZ one4row
	EPILOGUE
	OUT16(Z0)
	OUT16(Z1)
	OUT16(Z2)
	OUT16(Z3)
	NEXT(4)
	JMP one4

one1:
	TESTQ CX, CX
	JZ    nextpair
	BIAS16
	ROWS_START

one1row:
	TESTQ $1, AX
	JZ    one1skip
	ROW_AT
	ROW(TAP16_1)
	JMP   one1next

one1skip:
	ROW_SKIP

one1next:
	ROWS_NEXT
	JNZ one1row
	EPILOGUE
	OUT16(Z0)
	NEXT(1)
	JMP one1

nextpair:
	ADDQ $128, DX
	CMPQ DX, R14
	JLT  pair
	VZEROUPPER
	RET
