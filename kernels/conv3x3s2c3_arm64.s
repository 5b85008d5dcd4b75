//go:build !noasm

#include "textflag.h"
#include "neon_arm64.h"

// conv3x3s2c3NEON: a run of output pixels of the stem, a 3x3 stride-2
// convolution of 3 input channels, with bias and clamp fused. Tiles of 16
// output channels are the outer loop; pixels go four at a time. Each pixel
// reads 9 contiguous floats (3 columns x 3 channels) from each of 3 input
// rows; the 27 taps of weights stream from memory, each used for 4 pixels.
// Rows whose bit in inside is clear (TF SAME padding at the top or bottom)
// are skipped.
//
// Register map (Go ABI0: arguments on the stack, every register but R18,
// R26-R30 free to clobber, no callee-saved vector registers):
//	R0	dst: the block's first output pixel, at the tile's first channel
//	R1-R3	r0..r2: the block's first pixel in input rows ky = 0, 1, 2
//	R4	w: the tile's packed weights, tap stride cp
//	R5	bias: the tile's 16 biases
//	R6	pixels still to do
//	R7	cp*4: the tap stride of w in bytes
//	R8	cout*4: the pixel stride of dst in bytes
//	R9	channels of the tile to store, 1..16
//	R10	pixels of the block still to store
//	R12-R14	pixels 1..3 of the row being read (pixels past the last repeat it)
//	R15	running weight pointer
//	R16, R17, R19	offsets in bytes of pixels 1, 2, 3 from pixel 0
//	R20	the dst pixel being stored
//	R21	4*cout*4
//	R22	running dst pointer of a partial store
//	R23	inside: bit ky set for the input rows to sum
//	R24	the tile's first channel, in bytes
//	R25	9*cp*4: the weights of one row of taps, in bytes
//	V0-V11	inputs: pixel p's 9 floats in V(3p), V(3p+1), V(3p+2) lane 0;
//		then lo, hi
//	V12-V15	weights: one tap for 16 channels
//	V16-V31	accumulators: pixel p holds channels 0..15 in V(16+4p)..V(19+4p)

// ST_PIX accumulates input float 4*r+l of pixel p times the tap's weights.
#define ST_PIX(p, r, l) \
	FMLA_ELEM((16+4*p), 12, (3*p+r), l) \
	FMLA_ELEM((17+4*p), 13, (3*p+r), l) \
	FMLA_ELEM((18+4*p), 14, (3*p+r), l) \
	FMLA_ELEM((19+4*p), 15, (3*p+r), l)

// ST_TAP: the next tap of weights, against input float 4*r+l of each pixel.
#define ST_TAP(r, l) \
	VLD1.P (R15)(R7), [V12.S4, V13.S4, V14.S4, V15.S4] \
	ST_PIX(0, r, l) \
	ST_PIX(1, r, l) \
	ST_PIX(2, r, l) \
	ST_PIX(3, r, l)

// ST_ROW: the 9 taps of input row row (kx, ci in order).
#define ST_ROW(row) \
	ADD  R16, row, R12 \
	ADD  R17, row, R13 \
	ADD  R19, row, R14 \
	VLD1 (row), [V0.S4, V1.S4] \
	FMOVS 32(row), F2 \
	VLD1 (R12), [V3.S4, V4.S4] \
	FMOVS 32(R12), F5 \
	VLD1 (R13), [V6.S4, V7.S4] \
	FMOVS 32(R13), F8 \
	VLD1 (R14), [V9.S4, V10.S4] \
	FMOVS 32(R14), F11 \
	ST_TAP(0, 0) \
	ST_TAP(0, 1) \
	ST_TAP(0, 2) \
	ST_TAP(0, 3) \
	ST_TAP(1, 0) \
	ST_TAP(1, 1) \
	ST_TAP(1, 2) \
	ST_TAP(1, 3) \
	ST_TAP(2, 0)

// ST_NEXT moves R20 to the next pixel, or jumps to done after the last.
#define ST_NEXT(done) \
	SUBS $1, R10, R10 \
	BEQ  done \
	ADD  R8, R20, R20

// func conv3x3s2c3NEON(dst, r0, r1, r2, w, bias *float32, n, cout, cp, inside int, lo, hi float32)
TEXT ·conv3x3s2c3NEON(SB), NOSPLIT, $0-88
	MOVD cout+56(FP), R8
	MOVD cp+64(FP), R7
	MOVD inside+72(FP), R23
	LSL  $2, R7, R7
	LSL  $2, R8, R8
	LSL  $2, R8, R21
	LSL  $3, R7, R25
	ADD  R7, R25, R25
	MOVD $0, R24

tile:
	// for each tile of 16 output channels: store min(16, cout - tile) of them
	MOVD dst+0(FP), R0
	ADD  R24, R0, R0
	MOVD r0+8(FP), R1
	MOVD r1+16(FP), R2
	MOVD r2+24(FP), R3
	MOVD w+32(FP), R4
	ADD  R24, R4, R4
	MOVD bias+40(FP), R5
	ADD  R24, R5, R5
	MOVD n+48(FP), R6
	SUB  R24, R8, R9
	LSR  $2, R9, R9
	MOVD $16, R10
	CMP  $16, R9
	CSEL GT, R10, R9, R9

block:
	// m := min(pixels, 4); pixel p reads pixel min(p, m-1), 24 bytes apart.
	MOVD $4, R10
	CMP  $4, R6
	CSEL LT, R6, R10, R10
	MOVD $24, R16
	CMP  $2, R10
	CSEL LT, ZR, R16, R16
	MOVD $48, R17
	CMP  $3, R10
	CSEL LT, R16, R17, R17
	MOVD $72, R19
	CMP  $4, R10
	CSEL LT, R17, R19, R19

	// acc[p] = bias + sum over the 27 taps
	VLD1 (R5), [V16.S4, V17.S4, V18.S4, V19.S4]
	VLD1 (R5), [V20.S4, V21.S4, V22.S4, V23.S4]
	VLD1 (R5), [V24.S4, V25.S4, V26.S4, V27.S4]
	VLD1 (R5), [V28.S4, V29.S4, V30.S4, V31.S4]
	// rows of padding skip their taps of weights
	MOVD R4, R15
	TBZ  $0, R23, skip0
	ST_ROW(R1)
	B    row1

skip0:
	ADD R25, R15, R15

row1:
	TBZ $1, R23, skip1
	ST_ROW(R2)
	B   row2

skip1:
	ADD R25, R15, R15

row2:
	TBZ $2, R23, clamp
	ST_ROW(R3)

clamp:

	// acc = min(max(acc, lo), hi)
	FMOVS lo+80(FP), F0
	VDUP  V0.S[0], V0.S4
	FMOVS hi+84(FP), F1
	VDUP  V1.S[0], V1.S4
	CLAMP_ROW(16, 0, 1)
	CLAMP_ROW(20, 0, 1)
	CLAMP_ROW(24, 0, 1)
	CLAMP_ROW(28, 0, 1)

	// Store the first m pixels: all 16 channels, or the first nt.
	MOVD R0, R20
	CMP  $16, R9
	BNE  tail
	VST1 [V16.S4, V17.S4, V18.S4, V19.S4], (R20)
	ST_NEXT(next)
	VST1 [V20.S4, V21.S4, V22.S4, V23.S4], (R20)
	ST_NEXT(next)
	VST1 [V24.S4, V25.S4, V26.S4, V27.S4], (R20)
	ST_NEXT(next)
	VST1 [V28.S4, V29.S4, V30.S4, V31.S4], (R20)
	B    next

tail:
	MOVD R20, R22
	STORE_TAIL(V16, V17, V18, V19, R9, R22)
	ST_NEXT(next)
	MOVD R20, R22
	STORE_TAIL(V20, V21, V22, V23, R9, R22)
	ST_NEXT(next)
	MOVD R20, R22
	STORE_TAIL(V24, V25, V26, V27, R9, R22)
	ST_NEXT(next)
	MOVD R20, R22
	STORE_TAIL(V28, V29, V30, V31, R9, R22)

next:
	// The next four pixels, if any: 8 input columns of 3 floats on.
	SUBS $4, R6, R6
	BLE  nexttile
	ADD  R21, R0, R0
	ADD  $96, R1, R1
	ADD  $96, R2, R2
	ADD  $96, R3, R3
	B    block

nexttile:
	ADD $64, R24, R24
	CMP R8, R24
	BLT tile
	RET
