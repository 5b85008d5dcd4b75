//go:build !noasm

#include "textflag.h"
#include "qneon_arm64.h"

// qgemm4x16NEON, qgemm4x16DotNEON: one tile of 16 output channels of a
// quantized 1x1 convolution, four pixels at a time, requantized as TFLite
// does (see Requant) and stored as bytes.
//
// A group of 4 input channels holds, for each of the 16 outputs, its 4
// weights side by side (QPointwiseWeights). With the dot product, the
// weights are bytes, w + off in [0, 255] (QPointwiseWeights.dot): 16 bytes
// are 4 outputs x 4 weights, the operand of udot by element, which adds to
// each output the dot product of its 4 weights with 4 inputs of a pixel,
// and
//
//	sum a*w = udot(a, w+off) - off*sum a
//
// where a fifth udot against ones gives sum a. Without it, ld4 splits a
// group of the int16 weights into its 4 input channels x 8 outputs, and
// smlal by element multiplies them with a pixel's inputs widened to int16:
// |a*w| <= 255*255 fits its int32 lanes.
//
// The inputs past cin in a partial group are zeros, not the next pixel's,
// as w+off is not zero in the padding.
//
// Register map (Go ABI0: arguments on the stack, every register but R18,
// R26-R30 free to clobber, no callee-saved vector registers):
//	R0	dst: row 0 of the current block, at the tile's first channel
//	R1	src: row 0 of the current block
//	R3	bias; R4 the requantization table
//	R5	pixels still to do
//	R6	cin: the row stride of src; R7 cout, of dst
//	R8	n: channels of the tile to store, 1..16
//	R9-R12	a0..a3: the four input rows (rows past the last pixel repeat it)
//	R13	running weight pointer
//	R14	group counter; R20 cin%4; R15, R16 scratch
//	R17	rows of the block to store; R19, R20 the row being stored
//	R21	off; R22, R23, R24 zero, lo, hi
//	V16-V31	accumulators: pixel p, outputs 4q..4q+3 in V(16+4p+q)
//	udot:	V0-V3 inputs of pixels 0-3; V4-V7 a group's weights; V8 ones;
//		V10 off; V12-V15 the sums of the inputs
//	smlal:	V0-V3 inputs of pixels 0-3, widened; V5-V12 a group's
//		weights: input k in V(5+k) (outputs 0-7) and V(9+k) (8-15)
//	output:	V0-V3 multipliers, V4-V7 left shifts, V8-V11 minus the right
//		shifts, V12 scratch, V13-V15 zero, lo, hi; then V0-V3 the
//		bytes of pixels 0-3

#define PROLOGUE \
	MOVD dst+0(FP), R0 \
	MOVD src+8(FP), R1 \
	MOVD bias+24(FP), R3 \
	MOVD rq+32(FP), R4 \
	MOVD pixels+40(FP), R5 \
	MOVD cin+48(FP), R6 \
	MOVD cout+56(FP), R7 \
	MOVD n+64(FP), R8 \
	MOVW off+72(FP), R21 \
	MOVW zero+76(FP), R22 \
	MOVW lo+80(FP), R23 \
	MOVW hi+84(FP), R24

// BLOCK sets R17 = m = min(pixels, 4), the rows a0..a3 (row r reads
// a(min(r, m-1))), the weight pointer, and zeroes the accumulators.
#define BLOCK \
	MOVD $4, R17 \
	CMP  $4, R5 \
	CSEL LT, R5, R17, R17 \
	MOVD R1, R9 \
	ADD  R6, R9, R10 \
	CMP  $2, R17 \
	CSEL LT, R9, R10, R10 \
	ADD  R6, R10, R11 \
	CMP  $3, R17 \
	CSEL LT, R10, R11, R11 \
	ADD  R6, R11, R12 \
	CMP  $4, R17 \
	CSEL LT, R11, R12, R12 \
	MOVD w+16(FP), R13 \
	VEOR V16.B16, V16.B16, V16.B16 \
	VEOR V17.B16, V17.B16, V17.B16 \
	VEOR V18.B16, V18.B16, V18.B16 \
	VEOR V19.B16, V19.B16, V19.B16 \
	VEOR V20.B16, V20.B16, V20.B16 \
	VEOR V21.B16, V21.B16, V21.B16 \
	VEOR V22.B16, V22.B16, V22.B16 \
	VEOR V23.B16, V23.B16, V23.B16 \
	VEOR V24.B16, V24.B16, V24.B16 \
	VEOR V25.B16, V25.B16, V25.B16 \
	VEOR V26.B16, V26.B16, V26.B16 \
	VEOR V27.B16, V27.B16, V27.B16 \
	VEOR V28.B16, V28.B16, V28.B16 \
	VEOR V29.B16, V29.B16, V29.B16 \
	VEOR V30.B16, V30.B16, V30.B16 \
	VEOR V31.B16, V31.B16, V31.B16

// PARTIAL loads the last R20 (1..3) inputs at a into the low bytes of f,
// the rest zero.
#define PARTIAL(a, f) \
	MOVBU (a), R15 \
	CMP   $2, R20 \
	BLT   7(PC) \
	MOVBU 1(a), R16 \
	ORR   R16<<8, R15, R15 \
	CMP   $3, R20 \
	BLT   3(PC) \
	MOVBU 2(a), R16 \
	ORR   R16<<16, R15, R15 \
	FMOVS R15, f

#define PARTIALS \
	PARTIAL(R9, F0) \
	PARTIAL(R10, F1) \
	PARTIAL(R11, F2) \
	PARTIAL(R12, F3)

// OUTPUT requantizes the accumulators, narrows them to bytes, stores the
// first n of each of the block's m rows and moves to the next block.
#define OUTPUT \
	VLD1   (R4), [V0.S4, V1.S4, V2.S4, V3.S4] \
	ADD    $64, R4, R15 \
	VLD1.P 64(R15), [V4.S4, V5.S4, V6.S4, V7.S4] \
	VLD1   (R15), [V8.S4, V9.S4, V10.S4, V11.S4] \
	NEG_S4(8, 8) \
	NEG_S4(9, 9) \
	NEG_S4(10, 10) \
	NEG_S4(11, 11) \
	VDUP   R22, V13.S4 \
	VDUP   R23, V14.S4 \
	VDUP   R24, V15.S4 \
	REQUANT_S4(16, 0, 4, 8, 12) \
	CLAMP_Q_S4(16, 13, 14, 15) \
	REQUANT_S4(17, 1, 5, 9, 12) \
	CLAMP_Q_S4(17, 13, 14, 15) \
	REQUANT_S4(18, 2, 6, 10, 12) \
	CLAMP_Q_S4(18, 13, 14, 15) \
	REQUANT_S4(19, 3, 7, 11, 12) \
	CLAMP_Q_S4(19, 13, 14, 15) \
	REQUANT_S4(20, 0, 4, 8, 12) \
	CLAMP_Q_S4(20, 13, 14, 15) \
	REQUANT_S4(21, 1, 5, 9, 12) \
	CLAMP_Q_S4(21, 13, 14, 15) \
	REQUANT_S4(22, 2, 6, 10, 12) \
	CLAMP_Q_S4(22, 13, 14, 15) \
	REQUANT_S4(23, 3, 7, 11, 12) \
	CLAMP_Q_S4(23, 13, 14, 15) \
	REQUANT_S4(24, 0, 4, 8, 12) \
	CLAMP_Q_S4(24, 13, 14, 15) \
	REQUANT_S4(25, 1, 5, 9, 12) \
	CLAMP_Q_S4(25, 13, 14, 15) \
	REQUANT_S4(26, 2, 6, 10, 12) \
	CLAMP_Q_S4(26, 13, 14, 15) \
	REQUANT_S4(27, 3, 7, 11, 12) \
	CLAMP_Q_S4(27, 13, 14, 15) \
	REQUANT_S4(28, 0, 4, 8, 12) \
	CLAMP_Q_S4(28, 13, 14, 15) \
	REQUANT_S4(29, 1, 5, 9, 12) \
	CLAMP_Q_S4(29, 13, 14, 15) \
	REQUANT_S4(30, 2, 6, 10, 12) \
	CLAMP_Q_S4(30, 13, 14, 15) \
	REQUANT_S4(31, 3, 7, 11, 12) \
	CLAMP_Q_S4(31, 13, 14, 15) \
	UZP1_H8(0, 16, 17) \
	UZP1_H8(12, 18, 19) \
	UZP1_B16(0, 0, 12) \
	UZP1_H8(1, 20, 21) \
	UZP1_H8(12, 22, 23) \
	UZP1_B16(1, 1, 12) \
	UZP1_H8(2, 24, 25) \
	UZP1_H8(12, 26, 27) \
	UZP1_B16(2, 2, 12) \
	UZP1_H8(3, 28, 29) \
	UZP1_H8(12, 30, 31) \
	UZP1_B16(3, 3, 12) \
	MOVD R0, R19 \
row: \
	CMP  $16, R8 \
	BNE  tail \
	VST1 [V0.B16], (R19) \
	B    stored \
tail: \
	MOVD R19, R20 \
	STORE_N(V0, R20, R8, R15, R16) \
stored: \
	SUBS $1, R17, R17 \
	BEQ  next \
	ADD  R7, R19, R19 \
	VMOV V1.B16, V0.B16 \
	VMOV V2.B16, V1.B16 \
	VMOV V3.B16, V2.B16 \
	B    row \
next: \
	SUBS $4, R5, R5 \
	BLE  done \
	ADD  R6<<2, R1, R1 \
	ADD  R7<<2, R0, R0 \
	B    block \
done: \
	RET

// WGROUP adds a group of 4 input channels, lanes b..b+3 of the widened
// inputs V0-V3, to the accumulators.
#define WGROUP(b) \
	VLD4.P 64(R13), [V5.H8, V6.H8, V7.H8, V8.H8] \
	VLD4.P 64(R13), [V9.H8, V10.H8, V11.H8, V12.H8] \
	SMLAL_ELEM(16, 5, 0, ((b)+0)) \
	SMLAL2_ELEM(17, 5, 0, ((b)+0)) \
	SMLAL_ELEM(18, 9, 0, ((b)+0)) \
	SMLAL2_ELEM(19, 9, 0, ((b)+0)) \
	SMLAL_ELEM(20, 5, 1, ((b)+0)) \
	SMLAL2_ELEM(21, 5, 1, ((b)+0)) \
	SMLAL_ELEM(22, 9, 1, ((b)+0)) \
	SMLAL2_ELEM(23, 9, 1, ((b)+0)) \
	SMLAL_ELEM(24, 5, 2, ((b)+0)) \
	SMLAL2_ELEM(25, 5, 2, ((b)+0)) \
	SMLAL_ELEM(26, 9, 2, ((b)+0)) \
	SMLAL2_ELEM(27, 9, 2, ((b)+0)) \
	SMLAL_ELEM(28, 5, 3, ((b)+0)) \
	SMLAL2_ELEM(29, 5, 3, ((b)+0)) \
	SMLAL_ELEM(30, 9, 3, ((b)+0)) \
	SMLAL2_ELEM(31, 9, 3, ((b)+0)) \
	SMLAL_ELEM(16, 6, 0, ((b)+1)) \
	SMLAL2_ELEM(17, 6, 0, ((b)+1)) \
	SMLAL_ELEM(18, 10, 0, ((b)+1)) \
	SMLAL2_ELEM(19, 10, 0, ((b)+1)) \
	SMLAL_ELEM(20, 6, 1, ((b)+1)) \
	SMLAL2_ELEM(21, 6, 1, ((b)+1)) \
	SMLAL_ELEM(22, 10, 1, ((b)+1)) \
	SMLAL2_ELEM(23, 10, 1, ((b)+1)) \
	SMLAL_ELEM(24, 6, 2, ((b)+1)) \
	SMLAL2_ELEM(25, 6, 2, ((b)+1)) \
	SMLAL_ELEM(26, 10, 2, ((b)+1)) \
	SMLAL2_ELEM(27, 10, 2, ((b)+1)) \
	SMLAL_ELEM(28, 6, 3, ((b)+1)) \
	SMLAL2_ELEM(29, 6, 3, ((b)+1)) \
	SMLAL_ELEM(30, 10, 3, ((b)+1)) \
	SMLAL2_ELEM(31, 10, 3, ((b)+1)) \
	SMLAL_ELEM(16, 7, 0, ((b)+2)) \
	SMLAL2_ELEM(17, 7, 0, ((b)+2)) \
	SMLAL_ELEM(18, 11, 0, ((b)+2)) \
	SMLAL2_ELEM(19, 11, 0, ((b)+2)) \
	SMLAL_ELEM(20, 7, 1, ((b)+2)) \
	SMLAL2_ELEM(21, 7, 1, ((b)+2)) \
	SMLAL_ELEM(22, 11, 1, ((b)+2)) \
	SMLAL2_ELEM(23, 11, 1, ((b)+2)) \
	SMLAL_ELEM(24, 7, 2, ((b)+2)) \
	SMLAL2_ELEM(25, 7, 2, ((b)+2)) \
	SMLAL_ELEM(26, 11, 2, ((b)+2)) \
	SMLAL2_ELEM(27, 11, 2, ((b)+2)) \
	SMLAL_ELEM(28, 7, 3, ((b)+2)) \
	SMLAL2_ELEM(29, 7, 3, ((b)+2)) \
	SMLAL_ELEM(30, 11, 3, ((b)+2)) \
	SMLAL2_ELEM(31, 11, 3, ((b)+2)) \
	SMLAL_ELEM(16, 8, 0, ((b)+3)) \
	SMLAL2_ELEM(17, 8, 0, ((b)+3)) \
	SMLAL_ELEM(18, 12, 0, ((b)+3)) \
	SMLAL2_ELEM(19, 12, 0, ((b)+3)) \
	SMLAL_ELEM(20, 8, 1, ((b)+3)) \
	SMLAL2_ELEM(21, 8, 1, ((b)+3)) \
	SMLAL_ELEM(22, 12, 1, ((b)+3)) \
	SMLAL2_ELEM(23, 12, 1, ((b)+3)) \
	SMLAL_ELEM(24, 8, 2, ((b)+3)) \
	SMLAL2_ELEM(25, 8, 2, ((b)+3)) \
	SMLAL_ELEM(26, 12, 2, ((b)+3)) \
	SMLAL2_ELEM(27, 12, 2, ((b)+3)) \
	SMLAL_ELEM(28, 8, 3, ((b)+3)) \
	SMLAL2_ELEM(29, 8, 3, ((b)+3)) \
	SMLAL_ELEM(30, 12, 3, ((b)+3)) \
	SMLAL2_ELEM(31, 12, 3, ((b)+3))

// DGROUP adds group g (0..3) of 4 input channels, bytes 4g..4g+3 of the
// inputs V0-V3, to the accumulators.
#define DGROUP(g) \
	VLD1.P 64(R13), [V4.B16, V5.B16, V6.B16, V7.B16] \
	UDOT_ELEM(16, 4, 0, g) \
	UDOT_ELEM(17, 5, 0, g) \
	UDOT_ELEM(18, 6, 0, g) \
	UDOT_ELEM(19, 7, 0, g) \
	UDOT_ELEM(20, 4, 1, g) \
	UDOT_ELEM(21, 5, 1, g) \
	UDOT_ELEM(22, 6, 1, g) \
	UDOT_ELEM(23, 7, 1, g) \
	UDOT_ELEM(24, 4, 2, g) \
	UDOT_ELEM(25, 5, 2, g) \
	UDOT_ELEM(26, 6, 2, g) \
	UDOT_ELEM(27, 7, 2, g) \
	UDOT_ELEM(28, 4, 3, g) \
	UDOT_ELEM(29, 5, 3, g) \
	UDOT_ELEM(30, 6, 3, g) \
	UDOT_ELEM(31, 7, 3, g)

// SUMS adds the inputs in V0-V3 to the sums V12-V15.
#define SUMS \
	UDOT(12, 0, 8) \
	UDOT(13, 1, 8) \
	UDOT(14, 2, 8) \
	UDOT(15, 3, 8)

// func qgemm4x16NEON(dst, src *uint8, w *int16, bias, rq *int32, pixels, cin, cout, n int, off, zero, lo, hi int32)
TEXT ·qgemm4x16NEON(SB), NOSPLIT, $0-88
	PROLOGUE

block:
	BLOCK

	// for k := 0; k+8 <= cin; k += 8: two groups of 4 input channels
	LSR  $3, R6, R14
	CBZ  R14, k4
k8:
	FMOVD.P 8(R9), F0
	FMOVD.P 8(R10), F1
	FMOVD.P 8(R11), F2
	FMOVD.P 8(R12), F3
	UXTL_H8(0, 0)
	UXTL_H8(1, 1)
	UXTL_H8(2, 2)
	UXTL_H8(3, 3)
	WGROUP(0)
	WGROUP(4)
	SUBS $1, R14, R14
	BNE  k8

k4:
	// one more group of 4, then the last cin%4
	TBZ  $2, R6, k1
	FMOVS.P 4(R9), F0
	FMOVS.P 4(R10), F1
	FMOVS.P 4(R11), F2
	FMOVS.P 4(R12), F3
	UXTL_H8(0, 0)
	UXTL_H8(1, 1)
	UXTL_H8(2, 2)
	UXTL_H8(3, 3)
	WGROUP(0)

k1:
	ANDS $3, R6, R20
	BEQ  output
	PARTIALS
	UXTL_H8(0, 0)
	UXTL_H8(1, 1)
	UXTL_H8(2, 2)
	UXTL_H8(3, 3)
	WGROUP(0)

output:
	// acc += bias
	VLD1 (R3), [V0.S4, V1.S4, V2.S4, V3.S4]
	ADD_S4(16, 16, 0)
	ADD_S4(17, 17, 1)
	ADD_S4(18, 18, 2)
	ADD_S4(19, 19, 3)
	ADD_S4(20, 20, 0)
	ADD_S4(21, 21, 1)
	ADD_S4(22, 22, 2)
	ADD_S4(23, 23, 3)
	ADD_S4(24, 24, 0)
	ADD_S4(25, 25, 1)
	ADD_S4(26, 26, 2)
	ADD_S4(27, 27, 3)
	ADD_S4(28, 28, 0)
	ADD_S4(29, 29, 1)
	ADD_S4(30, 30, 2)
	ADD_S4(31, 31, 3)
	OUTPUT

// func qgemm4x16DotNEON(dst, src *uint8, w *uint8, bias, rq *int32, pixels, cin, cout, n int, off, zero, lo, hi int32)
TEXT ·qgemm4x16DotNEON(SB), NOSPLIT, $0-88
	PROLOGUE

block:
	BLOCK
	VEOR V12.B16, V12.B16, V12.B16
	VEOR V13.B16, V13.B16, V13.B16
	VEOR V14.B16, V14.B16, V14.B16
	VEOR V15.B16, V15.B16, V15.B16
	VMOVI $1, V8.B16
	VDUP  R21, V10.S4

	// for k := 0; k+16 <= cin; k += 16: four groups of 4 input channels
	LSR  $4, R6, R14
	CBZ  R14, k4
k16:
	VLD1.P 16(R9), [V0.B16]
	VLD1.P 16(R10), [V1.B16]
	VLD1.P 16(R11), [V2.B16]
	VLD1.P 16(R12), [V3.B16]
	SUMS
	DGROUP(0)
	DGROUP(1)
	DGROUP(2)
	DGROUP(3)
	SUBS $1, R14, R14
	BNE  k16

k4:
	// the groups of 4 left, then the last cin%4
	UBFX $2, R6, $2, R14
	CBZ  R14, k1
k4loop:
	FMOVS.P 4(R9), F0
	FMOVS.P 4(R10), F1
	FMOVS.P 4(R11), F2
	FMOVS.P 4(R12), F3
	SUMS
	DGROUP(0)
	SUBS $1, R14, R14
	BNE  k4loop

k1:
	ANDS $3, R6, R20
	BEQ  output
	PARTIALS
	SUMS
	DGROUP(0)

output:
	// acc += bias - off*sum a: the sums of pixels 0-3 into V12
	ADDP_S4(12, 12, 13)
	ADDP_S4(14, 14, 15)
	ADDP_S4(12, 12, 14)
	VLD1 (R3), [V4.S4, V5.S4, V6.S4, V7.S4]
	ADD_S4(16, 16, 4)
	MLS_ELEM_S4(16, 10, 12, 0)
	ADD_S4(17, 17, 5)
	MLS_ELEM_S4(17, 10, 12, 0)
	ADD_S4(18, 18, 6)
	MLS_ELEM_S4(18, 10, 12, 0)
	ADD_S4(19, 19, 7)
	MLS_ELEM_S4(19, 10, 12, 0)
	ADD_S4(20, 20, 4)
	MLS_ELEM_S4(20, 10, 12, 1)
	ADD_S4(21, 21, 5)
	MLS_ELEM_S4(21, 10, 12, 1)
	ADD_S4(22, 22, 6)
	MLS_ELEM_S4(22, 10, 12, 1)
	ADD_S4(23, 23, 7)
	MLS_ELEM_S4(23, 10, 12, 1)
	ADD_S4(24, 24, 4)
	MLS_ELEM_S4(24, 10, 12, 2)
	ADD_S4(25, 25, 5)
	MLS_ELEM_S4(25, 10, 12, 2)
	ADD_S4(26, 26, 6)
	MLS_ELEM_S4(26, 10, 12, 2)
	ADD_S4(27, 27, 7)
	MLS_ELEM_S4(27, 10, 12, 2)
	ADD_S4(28, 28, 4)
	MLS_ELEM_S4(28, 10, 12, 3)
	ADD_S4(29, 29, 5)
	MLS_ELEM_S4(29, 10, 12, 3)
	ADD_S4(30, 30, 6)
	MLS_ELEM_S4(30, 10, 12, 3)
	ADD_S4(31, 31, 7)
	MLS_ELEM_S4(31, 10, 12, 3)
	OUTPUT
