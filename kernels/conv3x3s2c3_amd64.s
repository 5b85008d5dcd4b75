//go:build !noasm

#include "textflag.h"

// conv3x3s2c3AVX2: a run of output pixels of the stem, a 3x3 stride-2
// convolution of 3 input channels, with bias and clamp fused. Tiles of 16
// output channels are the outer loop, so that a tile's 27 taps of weights
// stay in L1; pixels go four at a time, then one. Each input is broadcast
// and multiplies the tile's 16 weights of its tap. Rows whose bit in inside is
// clear (TF SAME padding at the top or bottom) are skipped.
//
// Register map (ABI0: arguments on the stack; every register but SP and BP
// is scratch, R14 and X15 included; R15 is left alone for dynamic linking):
//	DX	the tile's first channel, in bytes
//	DI	running dst pointer: the output pixel, at the tile
//	SI, R8, R9	running pointers into input rows 0, 1, 2: the kx=0 input of the output pixel
//	R10	cp*4: the tap stride of w in bytes; R11 = 3*R10, R12 = 5*R10, R13 = 7*R10
//	R14	cout*4: the pixel stride of dst in bytes
//	CX	pixels still to do
//	AX	inside; BX	the weights of the tile's current row of taps
//	Y0-Y7	accumulators: pixel p holds channels 0-7 in Y(2p), 8-15 in Y(2p+1)
//	Y8, Y9	the 16 weights of one tap
//	Y10, Y11	input broadcasts
//	Y12, Y13	lo, hi
//	Y14, Y15	the store masks of a partial last tile: tailMask[16-cout%16:][:16]

// WT<j>(d) addresses tap j = kx*3+ci of the current row, d bytes in.
#define WT0(d) d(BX)
#define WT1(d) d(BX)(R10*1)
#define WT2(d) d(BX)(R10*2)
#define WT3(d) d(BX)(R11*1)
#define WT4(d) d(BX)(R10*4)
#define WT5(d) d(BX)(R12*1)
#define WT6(d) d(BX)(R11*2)
#define WT7(d) d(BX)(R13*1)
#define WT8(d) d(BX)(R10*8)

// TAP4 adds the input at off(P) of four pixels (24 bytes apart) times the
// weights WT into their accumulators.
#define TAP4(WT, off, P) \
	VMOVUPS      WT(0), Y8; \
	VMOVUPS      WT(32), Y9; \
	VBROADCASTSS off(P), Y10; \
	VBROADCASTSS (off+24)(P), Y11; \
	VFMADD231PS  Y8, Y10, Y0; \
	VFMADD231PS  Y9, Y10, Y1; \
	VFMADD231PS  Y8, Y11, Y2; \
	VFMADD231PS  Y9, Y11, Y3; \
	VBROADCASTSS (off+48)(P), Y10; \
	VBROADCASTSS (off+72)(P), Y11; \
	VFMADD231PS  Y8, Y10, Y4; \
	VFMADD231PS  Y9, Y10, Y5; \
	VFMADD231PS  Y8, Y11, Y6; \
	VFMADD231PS  Y9, Y11, Y7

// TAP1 is TAP4 for one pixel.
#define TAP1(WT, off, P) \
	VBROADCASTSS off(P), Y10; \
	VFMADD231PS  WT(0), Y10, Y0; \
	VFMADD231PS  WT(32), Y10, Y1

// ROW adds the nine taps of one input row at P, with TAP4 or TAP1.
#define ROW(TAP, P) \
	TAP(WT0, 0, P); \
	TAP(WT1, 4, P); \
	TAP(WT2, 8, P); \
	TAP(WT3, 12, P); \
	TAP(WT4, 16, P); \
	TAP(WT5, 20, P); \
	TAP(WT6, 24, P); \
	TAP(WT7, 28, P); \
	TAP(WT8, 32, P)

// NEXT_ROW moves BX from one row of taps to the next, 9 taps on.
#define NEXT_ROW \
	LEAQ (BX)(R10*8), BX; \
	ADDQ R10, BX

// CLAMP clamps a0, a1 to [lo, hi].
#define CLAMP(a0, a1) \
	VMAXPS Y12, a0, a0; \
	VMAXPS Y12, a1, a1; \
	VMINPS Y13, a0, a0; \
	VMINPS Y13, a1, a1

// PX<p>(d) addresses output pixel p of four, d bytes in; BX = DI + 2*R14.
#define PX0(d) d(DI)
#define PX1(d) d(DI)(R14*1)
#define PX2(d) d(BX)
#define PX3(d) d(BX)(R14*1)

// STORE stores a0, a1 at output pixel PX.
#define STORE(a0, a1, PX) \
	VMOVUPS a0, PX(0); \
	VMOVUPS a1, PX(32)

// STORE_MASKED stores the lanes of a0, a1 in the masks of a partial tile.
#define STORE_MASKED(a0, a1, PX) \
	VMASKMOVPS a0, Y14, PX(0); \
	VMASKMOVPS a1, Y15, PX(32)

// START loads the bias into Y0, Y1, inside into AX and points BX at
// the tile's first row of taps.
#define START \
	MOVQ    bias+40(FP), BX; \
	VMOVUPS (BX)(DX*1), Y0; \
	VMOVUPS 32(BX)(DX*1), Y1; \
	MOVQ    inside+72(FP), AX; \
	MOVQ    w+32(FP), BX; \
	ADDQ    DX, BX

// func conv3x3s2c3AVX2(dst, r0, r1, r2, w, bias *float32, n, cout, cp, inside int, lo, hi float32)
TEXT ·conv3x3s2c3AVX2(SB), NOSPLIT, $0-88
	MOVQ         cp+64(FP), R10
	SHLQ         $2, R10
	LEAQ         (R10)(R10*2), R11
	LEAQ         (R10)(R10*4), R12
	LEAQ         (R11)(R10*4), R13
	MOVQ         cout+56(FP), R14
	VBROADCASTSS lo+80(FP), Y12
	VBROADCASTSS hi+84(FP), Y13
	MOVQ         R14, AX
	ANDQ         $15, AX
	NEGQ         AX
	LEAQ         ·tailMask+64(SB), BX
	LEAQ         (BX)(AX*4), BX
	VMOVDQU      (BX), Y14
	VMOVDQU      32(BX), Y15
	SHLQ         $2, R14
	XORQ         DX, DX

tile:
	// for each tile of 16 output channels
	MOVQ dst+0(FP), DI
	ADDQ DX, DI
	MOVQ r0+8(FP), SI
	MOVQ r1+16(FP), R8
	MOVQ r2+24(FP), R9
	MOVQ n+48(FP), CX

quad:
	// for ; CX >= 4; CX -= 4
	CMPQ    CX, $4
	JLT     single
	START
	VMOVAPS Y0, Y2
	VMOVAPS Y1, Y3
	VMOVAPS Y0, Y4
	VMOVAPS Y1, Y5
	VMOVAPS Y0, Y6
	VMOVAPS Y1, Y7
	TESTQ   $1, AX
	JZ      quad1
	ROW(TAP4, SI)

quad1:
	NEXT_ROW
	TESTQ $2, AX
	JZ    quad2
	ROW(TAP4, R8)

quad2:
	NEXT_ROW
	TESTQ $4, AX
	JZ    quadclamp
	ROW(TAP4, R9)

quadclamp:
	CLAMP(Y0, Y1)
	CLAMP(Y2, Y3)
	CLAMP(Y4, Y5)
	CLAMP(Y6, Y7)
	LEAQ  64(DX), AX
	CMPQ  AX, R14
	JG    quadmasked
	LEAQ  (DI)(R14*2), BX
	STORE(Y0, Y1, PX0)
	STORE(Y2, Y3, PX1)
	STORE(Y4, Y5, PX2)
	STORE(Y6, Y7, PX3)
	JMP   quadnext

quadmasked:
	LEAQ (DI)(R14*2), BX
	STORE_MASKED(Y0, Y1, PX0)
	STORE_MASKED(Y2, Y3, PX1)
	STORE_MASKED(Y4, Y5, PX2)
	STORE_MASKED(Y6, Y7, PX3)

quadnext:
	LEAQ (DI)(R14*4), DI
	ADDQ $96, SI
	ADDQ $96, R8
	ADDQ $96, R9
	SUBQ $4, CX
	JMP  quad

single:
	// for ; CX > 0; CX--
	TESTQ CX, CX
	JZ    nexttile
	START
	TESTQ $1, AX
	JZ    single1
	ROW(TAP1, SI)

single1:
	NEXT_ROW
	TESTQ $2, AX
	JZ    single2
	ROW(TAP1, R8)

single2:
	NEXT_ROW
	TESTQ $4, AX
	JZ    singleclamp
	ROW(TAP1, R9)

singleclamp:
	CLAMP(Y0, Y1)
	LEAQ 64(DX), AX
	CMPQ AX, R14
	JG   singlemasked
	STORE(Y0, Y1, PX0)
	JMP  singlenext

singlemasked:
	STORE_MASKED(Y0, Y1, PX0)

singlenext:
	ADDQ R14, DI
	ADDQ $24, SI
	ADDQ $24, R8
	ADDQ $24, R9
	DECQ CX
	JMP  single

nexttile:
	ADDQ $64, DX
	CMPQ DX, R14
	JLT  tile
	VZEROUPPER
	RET
