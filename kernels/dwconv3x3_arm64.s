//go:build !noasm

#include "textflag.h"
#include "neon_arm64.h"

// dwconv3x3NEON: a run of output pixels of a 3x3 depthwise convolution, with
// bias and clamp fused. Channels are in vector lanes; the channel groups
// (8, then 4, then 1 at a time) are the outer loop so that a group's nine
// taps of weights stay in registers across the run of pixels. The weights of
// a tap whose bit in inside is clear (TF SAME padding) are zeroed in the
// registers: the caller points such a tap at the centre one, so that its
// loads stay in bounds and its terms add zero.
//
// Register map (Go ABI0: arguments on the stack, every register but R18,
// R26-R30 free to clobber, no callee-saved vector registers):
//	R0	dst: the run's first output pixel
//	R1	taps: the nine input pointers of the first pixel
//	R2	w: packed weights [9][cp]
//	R3	bias
//	R4	n: pixels in the run
//	R5	channels still to do
//	R6	cp*4: the tap stride of w in bytes
//	R7	step*4: how far the taps move from one pixel to the next, in bytes
//	R8	the group's first channel, in bytes
//	R9-R17	t0..t8: running tap pointers, at the group's first channel
//	R19	running dst pointer
//	R20	pixel counter
//	R21	c*4: the pixel stride of dst in bytes
//	R22	scratch pointer
//	R23	inside: bit t set for the taps inside the image
//	V0-V17	the group's weights: tap t in V(2t), V(2t+1) (8 channels) or V(t)
//	V18-V19	the group's bias
//	V20, V21	lo, hi
//	V22-V23	accumulators of the even taps (bias first), channels 0-3, 4-7
//	V24-V25	accumulators of the odd taps, channels 0-3, 4-7
//	V26-V31	inputs

// DW_START points t0..t8 at the group's first channel in the first pixel,
// R19 at its output, and sets the pixel counter.
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
	ADD  R8, R9, R9 \
	ADD  R8, R10, R10 \
	ADD  R8, R11, R11 \
	ADD  R8, R12, R12 \
	ADD  R8, R13, R13 \
	ADD  R8, R14, R14 \
	ADD  R8, R15, R15 \
	ADD  R8, R16, R16 \
	ADD  R8, R17, R17 \
	ADD  R8, R0, R19 \
	MOVD R4, R20

// MASK2(t, va, vb) zeroes the weights va, vb of tap t if it is outside the
// image; MASK1(t, v) zeroes v.
#define MASK2(t, va, vb) \
	TBNZ $t, R23, 3(PC) \
	VEOR va.B16, va.B16, va.B16 \
	VEOR vb.B16, vb.B16, vb.B16

#define MASK1(t, v) \
	TBNZ $t, R23, 2(PC) \
	VEOR v.B16, v.B16, v.B16

// MASK_TAPS1 applies MASK1 to the nine taps in V0..V8.
#define MASK_TAPS1 \
	MASK1(0, V0) \
	MASK1(1, V1) \
	MASK1(2, V2) \
	MASK1(3, V3) \
	MASK1(4, V4) \
	MASK1(5, V5) \
	MASK1(6, V6) \
	MASK1(7, V7) \
	MASK1(8, V8)

// func dwconv3x3NEON(dst *float32, taps *[9]*float32, w, bias *float32, n, cn, c, cp, step, inside int, lo, hi float32)
TEXT ·dwconv3x3NEON(SB), NOSPLIT, $0-88
	MOVD dst+0(FP), R0
	MOVD taps+8(FP), R1
	MOVD w+16(FP), R2
	MOVD bias+24(FP), R3
	MOVD n+32(FP), R4
	MOVD cn+40(FP), R5
	MOVD c+48(FP), R21
	MOVD cp+56(FP), R6
	MOVD step+64(FP), R7
	MOVD inside+72(FP), R23
	FMOVS lo+80(FP), F20
	VDUP  V20.S[0], V20.S4
	FMOVS hi+84(FP), F21
	VDUP  V21.S[0], V21.S4
	LSL  $2, R21, R21
	LSL  $2, R6, R6
	LSL  $2, R7, R7
	MOVD $0, R8

g8:
	// Eight channels at a time.
	CMP  $8, R5
	BLT  g4
	ADD  R8, R2, R22
	VLD1.P (R22)(R6), [V0.S4, V1.S4]
	VLD1.P (R22)(R6), [V2.S4, V3.S4]
	VLD1.P (R22)(R6), [V4.S4, V5.S4]
	VLD1.P (R22)(R6), [V6.S4, V7.S4]
	VLD1.P (R22)(R6), [V8.S4, V9.S4]
	VLD1.P (R22)(R6), [V10.S4, V11.S4]
	VLD1.P (R22)(R6), [V12.S4, V13.S4]
	VLD1.P (R22)(R6), [V14.S4, V15.S4]
	VLD1.P (R22)(R6), [V16.S4, V17.S4]
	MASK2(0, V0, V1)
	MASK2(1, V2, V3)
	MASK2(2, V4, V5)
	MASK2(3, V6, V7)
	MASK2(4, V8, V9)
	MASK2(5, V10, V11)
	MASK2(6, V12, V13)
	MASK2(7, V14, V15)
	MASK2(8, V16, V17)
	ADD  R8, R3, R22
	VLD1 (R22), [V18.S4, V19.S4]
	DW_START

g8px:
	// acc = bias + sum_t t_t[0:8] * w_t, even and odd taps apart
	VMOV V18.B16, V22.B16
	VMOV V19.B16, V23.B16
	VEOR V24.B16, V24.B16, V24.B16
	VEOR V25.B16, V25.B16, V25.B16
	VLD1.P (R9)(R7), [V26.S4, V27.S4]
	VLD1.P (R10)(R7), [V28.S4, V29.S4]
	VLD1.P (R11)(R7), [V30.S4, V31.S4]
	VFMLA V0.S4, V26.S4, V22.S4
	VFMLA V1.S4, V27.S4, V23.S4
	VFMLA V2.S4, V28.S4, V24.S4
	VFMLA V3.S4, V29.S4, V25.S4
	VFMLA V4.S4, V30.S4, V22.S4
	VFMLA V5.S4, V31.S4, V23.S4
	VLD1.P (R12)(R7), [V26.S4, V27.S4]
	VLD1.P (R13)(R7), [V28.S4, V29.S4]
	VLD1.P (R14)(R7), [V30.S4, V31.S4]
	VFMLA V6.S4, V26.S4, V24.S4
	VFMLA V7.S4, V27.S4, V25.S4
	VFMLA V8.S4, V28.S4, V22.S4
	VFMLA V9.S4, V29.S4, V23.S4
	VFMLA V10.S4, V30.S4, V24.S4
	VFMLA V11.S4, V31.S4, V25.S4
	VLD1.P (R15)(R7), [V26.S4, V27.S4]
	VLD1.P (R16)(R7), [V28.S4, V29.S4]
	VLD1.P (R17)(R7), [V30.S4, V31.S4]
	VFMLA V12.S4, V26.S4, V22.S4
	VFMLA V13.S4, V27.S4, V23.S4
	VFMLA V14.S4, V28.S4, V24.S4
	VFMLA V15.S4, V29.S4, V25.S4
	VFMLA V16.S4, V30.S4, V22.S4
	VFMLA V17.S4, V31.S4, V23.S4
	FADD_S4(22, 22, 24)
	FADD_S4(23, 23, 25)
	CLAMP_S4(22, 20, 21)
	CLAMP_S4(23, 20, 21)
	VST1.P [V22.S4, V23.S4], (R19)(R21)
	SUBS $1, R20, R20
	BNE  g8px
	ADD  $32, R8, R8
	SUB  $8, R5, R5
	B    g8

g4:
	// Four channels.
	CMP  $4, R5
	BLT  g1
	ADD  R8, R2, R22
	VLD1.P (R22)(R6), [V0.S4]
	VLD1.P (R22)(R6), [V1.S4]
	VLD1.P (R22)(R6), [V2.S4]
	VLD1.P (R22)(R6), [V3.S4]
	VLD1.P (R22)(R6), [V4.S4]
	VLD1.P (R22)(R6), [V5.S4]
	VLD1.P (R22)(R6), [V6.S4]
	VLD1.P (R22)(R6), [V7.S4]
	VLD1.P (R22)(R6), [V8.S4]
	MASK_TAPS1
	ADD  R8, R3, R22
	VLD1 (R22), [V18.S4]
	DW_START

g4px:
	VMOV V18.B16, V22.B16
	VEOR V24.B16, V24.B16, V24.B16
	VLD1.P (R9)(R7), [V26.S4]
	VLD1.P (R10)(R7), [V27.S4]
	VLD1.P (R11)(R7), [V28.S4]
	VLD1.P (R12)(R7), [V29.S4]
	VLD1.P (R13)(R7), [V30.S4]
	VLD1.P (R14)(R7), [V31.S4]
	VFMLA V0.S4, V26.S4, V22.S4
	VFMLA V1.S4, V27.S4, V24.S4
	VFMLA V2.S4, V28.S4, V22.S4
	VFMLA V3.S4, V29.S4, V24.S4
	VFMLA V4.S4, V30.S4, V22.S4
	VFMLA V5.S4, V31.S4, V24.S4
	VLD1.P (R15)(R7), [V26.S4]
	VLD1.P (R16)(R7), [V27.S4]
	VLD1.P (R17)(R7), [V28.S4]
	VFMLA V6.S4, V26.S4, V22.S4
	VFMLA V7.S4, V27.S4, V24.S4
	VFMLA V8.S4, V28.S4, V22.S4
	FADD_S4(22, 22, 24)
	CLAMP_S4(22, 20, 21)
	VST1.P [V22.S4], (R19)(R21)
	SUBS $1, R20, R20
	BNE  g4px
	ADD  $16, R8, R8
	SUB  $4, R5, R5

g1:
	// The last c%4 channels, one at a time in lane 0; the other lanes
	// compute garbage that is never stored.
	CBZ  R5, done
	ADD  R8, R2, R22
	VLD1.P (R22)(R6), V0.S[0]
	VLD1.P (R22)(R6), V1.S[0]
	VLD1.P (R22)(R6), V2.S[0]
	VLD1.P (R22)(R6), V3.S[0]
	VLD1.P (R22)(R6), V4.S[0]
	VLD1.P (R22)(R6), V5.S[0]
	VLD1.P (R22)(R6), V6.S[0]
	VLD1.P (R22)(R6), V7.S[0]
	VLD1.P (R22)(R6), V8.S[0]
	MASK_TAPS1
	ADD  R8, R3, R22
	FMOVS (R22), F18
	DW_START

g1px:
	VMOV V18.B16, V22.B16
	VEOR V24.B16, V24.B16, V24.B16
	VLD1.P (R9)(R7), V26.S[0]
	VLD1.P (R10)(R7), V27.S[0]
	VLD1.P (R11)(R7), V28.S[0]
	VLD1.P (R12)(R7), V29.S[0]
	VLD1.P (R13)(R7), V30.S[0]
	VLD1.P (R14)(R7), V31.S[0]
	VFMLA V0.S4, V26.S4, V22.S4
	VFMLA V1.S4, V27.S4, V24.S4
	VFMLA V2.S4, V28.S4, V22.S4
	VFMLA V3.S4, V29.S4, V24.S4
	VFMLA V4.S4, V30.S4, V22.S4
	VFMLA V5.S4, V31.S4, V24.S4
	VLD1.P (R15)(R7), V26.S[0]
	VLD1.P (R16)(R7), V27.S[0]
	VLD1.P (R17)(R7), V28.S[0]
	VFMLA V6.S4, V26.S4, V22.S4
	VFMLA V7.S4, V27.S4, V24.S4
	VFMLA V8.S4, V28.S4, V22.S4
	FADD_S4(22, 22, 24)
	CLAMP_S4(22, 20, 21)
	VST1.P V22.S[0], (R19)(R21)
	SUBS $1, R20, R20
	BNE  g1px
	ADD  $4, R8, R8
	SUB  $1, R5, R5
	B    g1

done:
	RET
