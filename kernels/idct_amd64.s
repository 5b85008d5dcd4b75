//go:build !noasm

#include "textflag.h"

// idct8AVX2(out *[8][8]byte, coef *[64]int32, across, down *[8][8]float32, sw, sh int)
//
// A row of eight lanes a YMM register, and the rows of a pass side by
// side, so that their sums, each taken in the order of its terms (mul and
// add apart, no FMA), do not wait on each other. Rows 0-3 are computed
// always, rows 4-7 only when sh > 4 (a 720p photo decoded at 3/8 has 3x3
// luma blocks); the rows and lanes past sh and sw are not read.
//
// Rows: t[v] = f[v][0]*across[0] + f[v][1]*across[1] + ... (u < sw), with
// f the coefficients as floats, at f = 0(SP), t = 256(SP).
// Columns: out[y] = 128.5 + down[y][0]*t[0] + ... (v < sh), clamped to
// [0, 255], truncated, packed to bytes.
//
// Register map:
//	DI out; SI coef; DX across[u]; R8 down; CX sw; BX sh; AX u or v
//	R10 t[v]; R11 f[0][u] or down[0][v]; R12 zero if sh <= 4
//	Y0-Y7 the rows' sums; Y8 across[u] or t[v]; Y9 a term
//	Y10 128.5; Y14 zero; Y15 255.0

// TERM0 starts row v's sum in Yv with its first term.
#define TERM0(v, Yv) \
	VBROADCASTSS (v*32)(R11), Y9; \
	VMULPS       Y8, Y9, Yv

// TERM adds row v's term, Y8 times the float at (v*32)(R11), to Yv.
#define TERM(v, Yv) \
	VBROADCASTSS (v*32)(R11), Y9; \
	VMULPS       Y8, Y9, Y9; \
	VADDPS       Y9, Yv, Yv

// OUT clamps, truncates and packs the eight sums in Yy to out[y].
#define OUT(y, Yy, Xy) \
	VMAXPS       Y14, Yy, Yy; \
	VMINPS       Y15, Yy, Yy; \
	VCVTTPS2DQ   Yy, Yy; \
	VEXTRACTI128 $1, Yy, X9; \
	VPACKUSDW    X9, Xy, Xy; \
	VPACKUSWB    Xy, Xy, Xy; \
	MOVQ         Xy, (y*8)(DI)

TEXT ·idct8AVX2(SB), NOSPLIT, $512-48
	MOVQ out+0(FP), DI
	MOVQ coef+8(FP), SI
	MOVQ across+16(FP), DX
	MOVQ down+24(FP), R8
	MOVQ sw+32(FP), CX
	MOVQ sh+40(FP), BX
	XORQ R12, R12
	CMPQ BX, $4
	JLE  cvt
	MOVQ $1, R12

	// The coefficients as floats.
cvt:
	VCVTDQ2PS 0(SI), Y0
	VCVTDQ2PS 32(SI), Y1
	VCVTDQ2PS 64(SI), Y2
	VCVTDQ2PS 96(SI), Y3
	VMOVUPS   Y0, 0(SP)
	VMOVUPS   Y1, 32(SP)
	VMOVUPS   Y2, 64(SP)
	VMOVUPS   Y3, 96(SP)
	TESTQ     R12, R12
	JZ        rows0
	VCVTDQ2PS 128(SI), Y4
	VCVTDQ2PS 160(SI), Y5
	VCVTDQ2PS 192(SI), Y6
	VCVTDQ2PS 224(SI), Y7
	VMOVUPS   Y4, 128(SP)
	VMOVUPS   Y5, 160(SP)
	VMOVUPS   Y6, 192(SP)
	VMOVUPS   Y7, 224(SP)

	// Rows.
rows0:
	MOVQ    SP, R11
	VMOVUPS (DX), Y8
	TERM0(0, Y0); TERM0(1, Y1); TERM0(2, Y2); TERM0(3, Y3)
	TESTQ   R12, R12
	JZ      across0
	TERM0(4, Y4); TERM0(5, Y5); TERM0(6, Y6); TERM0(7, Y7)

across0:
	MOVQ $1, AX

across:
	CMPQ    AX, CX
	JGE     rows
	ADDQ    $4, R11
	ADDQ    $32, DX
	VMOVUPS (DX), Y8
	TERM(0, Y0); TERM(1, Y1); TERM(2, Y2); TERM(3, Y3)
	TESTQ   R12, R12
	JZ      across1
	TERM(4, Y4); TERM(5, Y5); TERM(6, Y6); TERM(7, Y7)

across1:
	INCQ AX
	JMP  across

rows:
	VMOVUPS Y0, 256(SP)
	VMOVUPS Y1, 288(SP)
	VMOVUPS Y2, 320(SP)
	VMOVUPS Y3, 352(SP)
	VMOVUPS Y4, 384(SP) // unread when sh <= 4
	VMOVUPS Y5, 416(SP)
	VMOVUPS Y6, 448(SP)
	VMOVUPS Y7, 480(SP)

	// Columns.
	MOVL         $0x43008000, AX // 128.5
	VMOVD        AX, X10
	VBROADCASTSS X10, Y10
	VMOVAPS      Y10, Y0
	VMOVAPS      Y10, Y1
	VMOVAPS      Y10, Y2
	VMOVAPS      Y10, Y3
	VMOVAPS      Y10, Y4
	VMOVAPS      Y10, Y5
	VMOVAPS      Y10, Y6
	VMOVAPS      Y10, Y7
	LEAQ         256(SP), R10
	MOVQ         R8, R11
	XORQ         AX, AX

down:
	VMOVUPS (R10), Y8
	TERM(0, Y0); TERM(1, Y1); TERM(2, Y2); TERM(3, Y3)
	TESTQ   R12, R12
	JZ      down1
	TERM(4, Y4); TERM(5, Y5); TERM(6, Y6); TERM(7, Y7)

down1:
	ADDQ $32, R10
	ADDQ $4, R11
	INCQ AX
	CMPQ AX, BX
	JLT  down

	VXORPS       Y14, Y14, Y14
	MOVL         $0x437f0000, AX // 255.0
	VMOVD        AX, X15
	VBROADCASTSS X15, Y15
	OUT(0, Y0, X0)
	OUT(1, Y1, X1)
	OUT(2, Y2, X2)
	OUT(3, Y3, X3)
	TESTQ        R12, R12
	JZ           done
	OUT(4, Y4, X4)
	OUT(5, Y5, X5)
	OUT(6, Y6, X6)
	OUT(7, Y7, X7)

done:
	VZEROUPPER
	RET
