//go:build !noasm

#include "textflag.h"
#include "neon_arm64.h"

// idct8NEON(out *[8][8]byte, coef *[64]int32, across, down *[8][8]float32, sw, sh int)
//
// As idct8AVX2: a row of eight lanes (two vectors), four rows side by side,
// their sums each taken in the order of its terms (fmul and fadd apart).
// Each pass runs on rows 0-3, then on rows 4-7 only when sh > 4; the rows
// and lanes past sh and sw are not read. The term loops are unrolled, so
// that the lane of a by-element multiply is a constant, and leave at sw
// (rows) or sh (columns) terms.
//
// Rows: t[v] = f[v][0]*across[0] + f[v][1]*across[1] + ... (u < sw), f the
// coefficients as floats, t on the stack.
// Columns: out[y] = 128.5 + down[y][0]*t[0] + ... (v < sh), clamped to
// [0, 255], truncated, narrowed to bytes.
//
// Register map:
//	R0 out; R1 coef; R2 across; R3 down; R4 sw; R5 sh; R6 the first of
//	the four rows; R7, R8 running pointers; R9 t
//	V0-V7 four rows' sums, row r in V(2r) (lanes 0-3) and V(2r+1)
//	V16-V23 four rows of f (row pass) or of down (column pass), alike
//	V24-V25 across[u] (row pass) or t[v] (column pass)
//	V26-V27 products; V28 zero; V29 255.0; V30 128.5

// TERM adds to each of the four sums V24:V25 times lane i of half h (0 for
// lanes 0-3, 1 for 4-7) of its row in V16-V23.
#define TERM(h, i) \
	FMUL_ELEM(26, 24, (16+h), i); FMUL_ELEM(27, 25, (16+h), i); FADD_S4(0, 0, 26); FADD_S4(1, 1, 27); \
	FMUL_ELEM(26, 24, (18+h), i); FMUL_ELEM(27, 25, (18+h), i); FADD_S4(2, 2, 26); FADD_S4(3, 3, 27); \
	FMUL_ELEM(26, 24, (20+h), i); FMUL_ELEM(27, 25, (20+h), i); FADD_S4(4, 4, 26); FADD_S4(5, 5, 27); \
	FMUL_ELEM(26, 24, (22+h), i); FMUL_ELEM(27, 25, (22+h), i); FADD_S4(6, 6, 26); FADD_S4(7, 7, 27)

// TERM0 starts the four sums with their first term (h 0, lane 0).
#define TERM0 \
	FMUL_ELEM(0, 24, 16, 0); FMUL_ELEM(1, 25, 16, 0); \
	FMUL_ELEM(2, 24, 18, 0); FMUL_ELEM(3, 25, 18, 0); \
	FMUL_ELEM(4, 24, 20, 0); FMUL_ELEM(5, 25, 20, 0); \
	FMUL_ELEM(6, 24, 22, 0); FMUL_ELEM(7, 25, 22, 0)

// NEXT loads the next across row or t row (R7) into V24:V25.
#define NEXT VLD1.P 32(R7), [V24.S4, V25.S4]

// OUT clamps, truncates and narrows sum r (V(2r), V(2r+1)) and stores its
// eight bytes at R8, advancing it.
#define OUT(r) \
	FMAX_S4((2*r), (2*r), 28); FMAX_S4((2*r+1), (2*r+1), 28); \
	FMIN_S4((2*r), (2*r), 29); FMIN_S4((2*r+1), (2*r+1), 29); \
	FCVTZS_S4((2*r), (2*r)); FCVTZS_S4((2*r+1), (2*r+1)); \
	XTN_H4(26, (2*r)); XTN2_H8(26, (2*r+1)); XTN_B8(26, 26); \
	VST1.P [V26.B8], 8(R8)

TEXT ·idct8NEON(SB), NOSPLIT, $256-48
	MOVD out+0(FP), R0
	MOVD coef+8(FP), R1
	MOVD across+16(FP), R2
	MOVD down+24(FP), R3
	MOVD sw+32(FP), R4
	MOVD sh+40(FP), R5
	MOVD $t-256(SP), R9

	VEOR  V28.B16, V28.B16, V28.B16
	MOVW  $0x437f0000, R10 // 255.0
	VDUP  R10, V29.S4
	MOVW  $0x43008000, R10 // 128.5
	VDUP  R10, V30.S4

	// Rows: four at a time, f's rows 4-7 only if sh > 4.
	MOVD $0, R6

rows:
	ADD    R6<<5, R1, R7
	VLD1.P 64(R7), [V16.S4, V17.S4, V18.S4, V19.S4]
	VLD1   (R7), [V20.S4, V21.S4, V22.S4, V23.S4]
	SCVTF_S4(16, 16); SCVTF_S4(17, 17); SCVTF_S4(18, 18); SCVTF_S4(19, 19)
	SCVTF_S4(20, 20); SCVTF_S4(21, 21); SCVTF_S4(22, 22); SCVTF_S4(23, 23)
	MOVD   R2, R7
	NEXT
	TERM0
	CMP    $1, R4
	BLE    rowsDone
	NEXT
	TERM(0, 1)
	CMP    $2, R4
	BLE    rowsDone
	NEXT
	TERM(0, 2)
	CMP    $3, R4
	BLE    rowsDone
	NEXT
	TERM(0, 3)
	CMP    $4, R4
	BLE    rowsDone
	NEXT
	TERM(1, 0)
	CMP    $5, R4
	BLE    rowsDone
	NEXT
	TERM(1, 1)
	CMP    $6, R4
	BLE    rowsDone
	NEXT
	TERM(1, 2)
	CMP    $7, R4
	BLE    rowsDone
	NEXT
	TERM(1, 3)

rowsDone:
	ADD  R6<<5, R9, R7
	VST1.P [V0.S4, V1.S4, V2.S4, V3.S4], 64(R7)
	VST1   [V4.S4, V5.S4, V6.S4, V7.S4], (R7)
	ADD  $4, R6
	CMP  R5, R6
	BGE  columns0
	CMP  $8, R6
	BLT  rows

	// Columns: four output rows at a time, rows 4-7 only if sh > 4.
columns0:
	MOVD $0, R6

columns:
	ADD    R6<<5, R3, R7
	VLD1.P 64(R7), [V16.S4, V17.S4, V18.S4, V19.S4]
	VLD1   (R7), [V20.S4, V21.S4, V22.S4, V23.S4]
	VMOV   V30.B16, V0.B16
	VMOV   V30.B16, V1.B16
	VMOV   V30.B16, V2.B16
	VMOV   V30.B16, V3.B16
	VMOV   V30.B16, V4.B16
	VMOV   V30.B16, V5.B16
	VMOV   V30.B16, V6.B16
	VMOV   V30.B16, V7.B16
	MOVD   R9, R7
	NEXT
	TERM(0, 0)
	CMP    $1, R5
	BLE    columnsDone
	NEXT
	TERM(0, 1)
	CMP    $2, R5
	BLE    columnsDone
	NEXT
	TERM(0, 2)
	CMP    $3, R5
	BLE    columnsDone
	NEXT
	TERM(0, 3)
	CMP    $4, R5
	BLE    columnsDone
	NEXT
	TERM(1, 0)
	CMP    $5, R5
	BLE    columnsDone
	NEXT
	TERM(1, 1)
	CMP    $6, R5
	BLE    columnsDone
	NEXT
	TERM(1, 2)
	CMP    $7, R5
	BLE    columnsDone
	NEXT
	TERM(1, 3)

columnsDone:
	ADD R6<<3, R0, R8
	OUT(0)
	OUT(1)
	OUT(2)
	OUT(3)
	ADD $4, R6
	CMP R5, R6
	BLT columns
	RET
