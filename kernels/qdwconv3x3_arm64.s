//go:build !noasm

#include "textflag.h"
#include "qneon_arm64.h"

// qdw3x3NEON: a run of output pixels of a quantized 3x3 depthwise
// convolution, requantized as TFLite does (see Requant). Each tap adds
// (a - inZero) * w: usubl widens a byte less the zero point to int16 and
// smlal multiplies it with the int16 weight into int32 (the product reaches
// 255*255). As in dwconv3x3NEON, the channel groups (8 at a time, then the
// 1 to 7 left) are the outer loop, so that a group's weights and
// requantization stay in registers across the run.
//
// The last 1 to 7 channels are read a byte at a time, never past the
// channel range: the last pixel of the input may end the slice.
//
// Register map (Go ABI0: arguments on the stack, every register but R18,
// R26-R30 free to clobber, no callee-saved vector registers):
//	R0	dst: the run's first output pixel
//	R1	taps: the nine input pointers of the first pixel
//	R20-R22	how far the taps of rows 0-2 move from one pixel to the next
//	R7	channels still to do; R23 channels done, the group's first
//	R8	c: the pixel stride of dst
//	R19	cp*2: the tap stride of w in bytes
//	R9-R17	t0..t8: running tap pointers, at the group's first channel
//	R24	running dst pointer; R25 pixel counter
//	R2-R6	scratch
//	V0-V8	the group's weights, tap t in V(t)
//	V9-V10	the group's bias
//	V11-V12	multipliers; V13-V14 left shifts; V15-V16 minus the right shifts
//	V17, V18, V19	the output zero point, lo, hi
//	V20	the input zero point in every byte; V21 scratch
//	V22-V23	accumulators, channels 0-3, 4-7
//	V24-V31	inputs

// DW_START points t0..t8 at the group's first channel in the first pixel,
// R24 at its output, and sets the pixel counter.
#define DW_START \
	MOVD 0(R1), R9 \
	MOVD 8(R1), R10 \
	MOVD 16(R1), R11 \
	MOVD 24(R1), R12 \
	MOVD 32(R1), R13 \
	MOVD 40(R1), R14 \
	MOVD 48(R1), R15 \
	MOVD 56(R1), R16 \
	MOVD 64(R1), R17 \
	ADD  R23, R9, R9 \
	ADD  R23, R10, R10 \
	ADD  R23, R11, R11 \
	ADD  R23, R12, R12 \
	ADD  R23, R13, R13 \
	ADD  R23, R14, R14 \
	ADD  R23, R15, R15 \
	ADD  R23, R16, R16 \
	ADD  R23, R17, R17 \
	ADD  R23, R0, R24 \
	MOVD n+48(FP), R25

// TAP8 adds tap w (its weights in V(w)) of 8 channels, read from t with
// post-increment step into V(v) (register name vr), to the accumulators.
#define TAP8(t, step, w, vr, v) \
	VLD1.P (t)(step), [vr.B8] \
	USUBL(v, v, 20) \
	SMLAL(22, v, w) \
	SMLAL2(23, v, w)

// TAPN is TAP8 of the last R7 (1..7) channels, read a byte at a time into
// V24; the other bytes are zero.
#define TAPN(t, step, w) \
	MOVD  R7, R3 \
	MOVD  ZR, R4 \
	SUB   $1, R3, R3 \
	MOVBU (t)(R3), R5 \
	ORR   R4<<8, R5, R4 \
	CBNZ  R3, -3(PC) \
	FMOVD R4, F24 \
	ADD   step, t, t \
	USUBL(24, 24, 20) \
	SMLAL(22, 24, w) \
	SMLAL2(23, 24, w)

// OUT8 requantizes the accumulators into the low 8 bytes of V22.
#define OUT8 \
	REQUANT_S4(22, 11, 13, 15, 21) \
	REQUANT_S4(23, 12, 14, 16, 21) \
	CLAMP_Q_S4(22, 17, 18, 19) \
	CLAMP_Q_S4(23, 17, 18, 19) \
	UZP1_H8(22, 22, 23) \
	UZP1_B16(22, 22, 22)

// func qdw3x3NEON(dst *uint8, taps *[9]*uint8, steps *[3]int, w *int16, bias, rq *int32, n, cn, c, cp, rqTile int, inZero, zero, lo, hi int32)
TEXT ·qdw3x3NEON(SB), NOSPLIT, $0-104
	MOVD dst+0(FP), R0
	MOVD taps+8(FP), R1
	MOVD steps+16(FP), R2
	MOVD 0(R2), R20
	MOVD 8(R2), R21
	MOVD 16(R2), R22
	MOVD cn+56(FP), R7
	MOVD c+64(FP), R8
	MOVD cp+72(FP), R19
	LSL  $1, R19, R19
	MOVW inZero+88(FP), R2
	VDUP R2, V20.B16
	MOVW zero+92(FP), R2
	VDUP R2, V17.S4
	MOVW lo+96(FP), R2
	VDUP R2, V18.S4
	MOVW hi+100(FP), R2
	VDUP R2, V19.S4
	MOVD ZR, R23

group:
	// for each group of 8 channels from R23: its weights, bias and
	// requantization (tile R23/16, lane R23%16 of the table)
	CBZ  R7, done
	MOVD w+24(FP), R3
	ADD  R23<<1, R3, R3
	VLD1.P (R3)(R19), [V0.H8]
	VLD1.P (R3)(R19), [V1.H8]
	VLD1.P (R3)(R19), [V2.H8]
	VLD1.P (R3)(R19), [V3.H8]
	VLD1.P (R3)(R19), [V4.H8]
	VLD1.P (R3)(R19), [V5.H8]
	VLD1.P (R3)(R19), [V6.H8]
	VLD1.P (R3)(R19), [V7.H8]
	VLD1.P (R3)(R19), [V8.H8]
	MOVD bias+32(FP), R3
	ADD  R23<<2, R3, R3
	VLD1 (R3), [V9.S4, V10.S4]
	LSR  $4, R23, R3
	MOVD rqTile+80(FP), R4
	MUL  R4, R3, R3
	AND  $15, R23, R4
	ADD  R4<<2, R3, R3
	MOVD rq+40(FP), R4
	ADD  R4, R3, R3
	VLD1 (R3), [V11.S4, V12.S4]
	ADD  $64, R3, R3
	VLD1 (R3), [V13.S4, V14.S4]
	ADD  $64, R3, R3
	VLD1 (R3), [V15.S4, V16.S4]
	NEG_S4(15, 15)
	NEG_S4(16, 16)
	DW_START
	CMP  $8, R7
	BLT  tail

g8px:
	// acc = bias + sum_t (t_t[0:8] - inZero) * w_t
	VMOV V9.B16, V22.B16
	VMOV V10.B16, V23.B16
	TAP8(R9, R20, 0, V24, 24)
	TAP8(R10, R20, 1, V25, 25)
	TAP8(R11, R20, 2, V26, 26)
	TAP8(R12, R21, 3, V27, 27)
	TAP8(R13, R21, 4, V28, 28)
	TAP8(R14, R21, 5, V29, 29)
	TAP8(R15, R22, 6, V30, 30)
	TAP8(R16, R22, 7, V31, 31)
	TAP8(R17, R22, 8, V24, 24)
	OUT8
	VST1.P [V22.B8], (R24)(R8)
	SUBS $1, R25, R25
	BNE  g8px
	ADD  $8, R23, R23
	SUB  $8, R7, R7
	B    group

tail:
	// the last 1 to 7 channels
	VMOV V9.B16, V22.B16
	VMOV V10.B16, V23.B16
	TAPN(R9, R20, 0)
	TAPN(R10, R20, 1)
	TAPN(R11, R20, 2)
	TAPN(R12, R21, 3)
	TAPN(R13, R21, 4)
	TAPN(R14, R21, 5)
	TAPN(R15, R22, 6)
	TAPN(R16, R22, 7)
	TAPN(R17, R22, 8)
	OUT8
	MOVD R24, R2
	STORE_N(V22, R2, R7, R3, R4)
	ADD  R8, R24, R24
	SUBS $1, R25, R25
	BNE  tail

done:
	RET
