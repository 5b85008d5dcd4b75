//go:build !noasm

#include "textflag.h"
#include "neon_arm64.h"

// gemm6x16NEON: one tile of 16 output channels of a 1x1 convolution, six
// pixels at a time, with bias, clamp and residual add fused.
//
// Register map (Go ABI0: arguments on the stack, every register but R18,
// R26-R30 free to clobber, no callee-saved vector registers):
//	R0	dst: row 0 of the current block, at the tile's first channel
//	R1	src: row 0 of the current block
//	R2	w: the tile's packed weights [cin][16]
//	R3	bias: the tile's 16 biases
//	R4	res: like dst, in the residual; 0 when there is none
//	R5	pixels still to do
//	R6	cin
//	R7	cout*4: the row stride of dst and res in bytes
//	R8	cn: channels of the tile to store, 1..16
//	R9-R14	a0..a5: the six input rows (rows past the last pixel repeat it)
//	R15	running weight pointer
//	R16	input-channel counter
//	R17	rows of the block still to store
//	R19	cin*4: the row stride of src in bytes
//	R20, R21	the dst and res row being stored
//	R22	6*cin*4
//	R23, R24	running dst and res pointers of a partial row
//	R25	6*cout*4
//	V0-V5	inputs: four input channels of rows 0..5; then lo, hi and residuals
//	V6-V7	weights: 8 of the 16 output channels of one input channel
//	V8-V31	accumulators: row r holds channels 0..15 in V(8+4r)..V(11+4r)

// PW_HALF accumulates input lane l of the six rows times the weights in
// V6, V7 into the accumulators (8+c), (9+c) of every row: half a tile.
#define PW_HALF(c, l) \
	FMLA_ELEM((8+c), 6, 0, l) \
	FMLA_ELEM((9+c), 7, 0, l) \
	FMLA_ELEM((12+c), 6, 1, l) \
	FMLA_ELEM((13+c), 7, 1, l) \
	FMLA_ELEM((16+c), 6, 2, l) \
	FMLA_ELEM((17+c), 7, 2, l) \
	FMLA_ELEM((20+c), 6, 3, l) \
	FMLA_ELEM((21+c), 7, 3, l) \
	FMLA_ELEM((24+c), 6, 4, l) \
	FMLA_ELEM((25+c), 7, 4, l) \
	FMLA_ELEM((28+c), 6, 5, l) \
	FMLA_ELEM((29+c), 7, 5, l)

// PW_STEP: one input channel, lane l of V0-V5, against its 16 weights.
#define PW_STEP(l) \
	VLD1.P 32(R15), [V6.S4, V7.S4] \
	PW_HALF(0, l) \
	VLD1.P 32(R15), [V6.S4, V7.S4] \
	PW_HALF(2, l)

// NEXT_ROW moves R20, R21 to the next row, or jumps to done after the last.
#define NEXT_ROW(done) \
	SUBS $1, R17, R17 \
	BEQ  done \
	ADD  R7, R20, R20 \
	ADD  R7, R21, R21

// Stores of one row of four accumulators: all 16 channels or the first n,
// with or without the residual (in V2-V5 as scratch).
#define ROW_FULL(a0, a1, a2, a3) \
	VST1 [a0.S4, a1.S4, a2.S4, a3.S4], (R20)

#define ROW_FULL_RES(a0, a1, a2, a3, v) \
	VLD1 (R21), [V2.S4, V3.S4, V4.S4, V5.S4] \
	FADD_S4(v, v, 2) \
	FADD_S4((v+1), (v+1), 3) \
	FADD_S4((v+2), (v+2), 4) \
	FADD_S4((v+3), (v+3), 5) \
	VST1 [a0.S4, a1.S4, a2.S4, a3.S4], (R20)

#define ROW_TAIL(a0, a1, a2, a3) \
	MOVD R20, R23 \
	STORE_TAIL(a0, a1, a2, a3, R8, R23)

// ROW_TAIL_RES is STORE_TAIL with the residual at R24 added to each piece
// before it is stored; v is the number of a0 (a1 is v+1).
#define ROW_TAIL_RES(a0, a1, a2, a3, v) \
	MOVD R20, R23 \
	MOVD R21, R24 \
	TBZ  $3, R8, 7(PC) \
	VLD1.P 32(R24), [V2.S4, V3.S4] \
	FADD_S4(v, v, 2) \
	FADD_S4((v+1), (v+1), 3) \
	VST1.P [a0.S4, a1.S4], 32(R23) \
	VMOV a2.B16, a0.B16 \
	VMOV a3.B16, a1.B16 \
	TBZ  $2, R8, 5(PC) \
	VLD1.P 16(R24), [V2.S4] \
	FADD_S4(v, v, 2) \
	VST1.P [a0.S4], 16(R23) \
	VMOV a1.B16, a0.B16 \
	TBZ  $1, R8, 5(PC) \
	VLD1.P 8(R24), [V2.S2] \
	FADD_S4(v, v, 2) \
	VST1.P [a0.S2], 8(R23) \
	VEXT $8, a0.B16, a0.B16, a0.B16 \
	TBZ  $0, R8, 4(PC) \
	FMOVS (R24), F2 \
	FADD_S4(v, v, 2) \
	VST1 a0.S[0], (R23)

// func gemm6x16NEON(dst, src, w, bias, res *float32, pixels, cin, cout, cn int, lo, hi float32)
TEXT ·gemm6x16NEON(SB), NOSPLIT, $0-80
	MOVD dst+0(FP), R0
	MOVD src+8(FP), R1
	MOVD w+16(FP), R2
	MOVD bias+24(FP), R3
	MOVD res+32(FP), R4
	MOVD pixels+40(FP), R5
	MOVD cin+48(FP), R6
	MOVD cout+56(FP), R7
	MOVD cn+64(FP), R8
	LSL  $2, R6, R19
	LSL  $2, R7, R7
	ADD  R19<<1, R19, R22 // 3*cin*4
	LSL  $1, R22, R22
	ADD  R7<<1, R7, R25   // 3*cout*4
	LSL  $1, R25, R25

block:
	// m := min(pixels, 6); row r reads a(min(r, m-1)).
	MOVD $6, R17
	CMP  $6, R5
	CSEL LT, R5, R17, R17
	MOVD R1, R9
	ADD  R19, R9, R10
	CMP  $2, R17
	CSEL LT, R9, R10, R10
	ADD  R19, R10, R11
	CMP  $3, R17
	CSEL LT, R10, R11, R11
	ADD  R19, R11, R12
	CMP  $4, R17
	CSEL LT, R11, R12, R12
	ADD  R19, R12, R13
	CMP  $5, R17
	CSEL LT, R12, R13, R13
	ADD  R19, R13, R14
	CMP  $6, R17
	CSEL LT, R13, R14, R14

	// acc[r] = bias
	VLD1 (R3), [V8.S4, V9.S4, V10.S4, V11.S4]
	VLD1 (R3), [V12.S4, V13.S4, V14.S4, V15.S4]
	VLD1 (R3), [V16.S4, V17.S4, V18.S4, V19.S4]
	VLD1 (R3), [V20.S4, V21.S4, V22.S4, V23.S4]
	VLD1 (R3), [V24.S4, V25.S4, V26.S4, V27.S4]
	VLD1 (R3), [V28.S4, V29.S4, V30.S4, V31.S4]
	MOVD R2, R15

	// for k := 0; k+4 <= cin; k += 4: acc[r] += a[r][k+l] * w[k+l] for l < 4
	LSR  $2, R6, R16
	CBZ  R16, k1
k4:
	VLD1.P 16(R9), [V0.S4]
	VLD1.P 16(R10), [V1.S4]
	VLD1.P 16(R11), [V2.S4]
	VLD1.P 16(R12), [V3.S4]
	VLD1.P 16(R13), [V4.S4]
	VLD1.P 16(R14), [V5.S4]
	PW_STEP(0)
	PW_STEP(1)
	PW_STEP(2)
	PW_STEP(3)
	SUBS $1, R16, R16
	BNE  k4

k1:
	// for the last cin%4 input channels, one at a time in lane 0
	ANDS $3, R6, R16
	BEQ  epilogue
k1loop:
	FMOVS.P 4(R9), F0
	FMOVS.P 4(R10), F1
	FMOVS.P 4(R11), F2
	FMOVS.P 4(R12), F3
	FMOVS.P 4(R13), F4
	FMOVS.P 4(R14), F5
	PW_STEP(0)
	SUBS $1, R16, R16
	BNE  k1loop

epilogue:
	// acc = min(max(acc, lo), hi)
	FMOVS lo+72(FP), F0
	VDUP  V0.S[0], V0.S4
	FMOVS hi+76(FP), F1
	VDUP  V1.S[0], V1.S4
	CLAMP_ROW(8, 0, 1)
	CLAMP_ROW(12, 0, 1)
	CLAMP_ROW(16, 0, 1)
	CLAMP_ROW(20, 0, 1)
	CLAMP_ROW(24, 0, 1)
	CLAMP_ROW(28, 0, 1)

	// Store the first m rows: dst[r] = acc[r] (+ res[r]).
	MOVD R0, R20
	MOVD R4, R21
	CMP  $16, R8
	BNE  tail
	CBNZ R4, fullres
	ROW_FULL(V8, V9, V10, V11)
	NEXT_ROW(next)
	ROW_FULL(V12, V13, V14, V15)
	NEXT_ROW(next)
	ROW_FULL(V16, V17, V18, V19)
	NEXT_ROW(next)
	ROW_FULL(V20, V21, V22, V23)
	NEXT_ROW(next)
	ROW_FULL(V24, V25, V26, V27)
	NEXT_ROW(next)
	ROW_FULL(V28, V29, V30, V31)
	B    next

fullres:
	ROW_FULL_RES(V8, V9, V10, V11, 8)
	NEXT_ROW(next)
	ROW_FULL_RES(V12, V13, V14, V15, 12)
	NEXT_ROW(next)
	ROW_FULL_RES(V16, V17, V18, V19, 16)
	NEXT_ROW(next)
	ROW_FULL_RES(V20, V21, V22, V23, 20)
	NEXT_ROW(next)
	ROW_FULL_RES(V24, V25, V26, V27, 24)
	NEXT_ROW(next)
	ROW_FULL_RES(V28, V29, V30, V31, 28)
	B    next

tail:
	CBNZ R4, tailres
	ROW_TAIL(V8, V9, V10, V11)
	NEXT_ROW(next)
	ROW_TAIL(V12, V13, V14, V15)
	NEXT_ROW(next)
	ROW_TAIL(V16, V17, V18, V19)
	NEXT_ROW(next)
	ROW_TAIL(V20, V21, V22, V23)
	NEXT_ROW(next)
	ROW_TAIL(V24, V25, V26, V27)
	NEXT_ROW(next)
	ROW_TAIL(V28, V29, V30, V31)
	B    next

tailres:
	ROW_TAIL_RES(V8, V9, V10, V11, 8)
	NEXT_ROW(next)
	ROW_TAIL_RES(V12, V13, V14, V15, 12)
	NEXT_ROW(next)
	ROW_TAIL_RES(V16, V17, V18, V19, 16)
	NEXT_ROW(next)
	ROW_TAIL_RES(V20, V21, V22, V23, 20)
	NEXT_ROW(next)
	ROW_TAIL_RES(V24, V25, V26, V27, 24)
	NEXT_ROW(next)
	ROW_TAIL_RES(V28, V29, V30, V31, 28)

next:
	// The next six pixels, if any.
	SUBS $6, R5, R5
	BLE  done
	ADD  R22, R1, R1
	ADD  R25, R0, R0
	CBZ  R4, block
	ADD  R25, R4, R4
	B    block

done:
	RET
