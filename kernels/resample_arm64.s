//go:build !noasm

#include "textflag.h"
#include "qneon_arm64.h"

// addScaled16NEON(acc *int32, src *byte, n int, c int32): 16 values a
// round, each byte widened to int32 and multiplied by c into acc (mla).
//
// Register map: R0 acc; R1 src; R2 values left; V0 the bytes; V1-V2 them
// as uint16; V3-V6 as int32; V16-V19 the sums; V31 c in every lane.
TEXT ·addScaled16NEON(SB), NOSPLIT, $0-28
	MOVD acc+0(FP), R0
	MOVD src+8(FP), R1
	MOVD n+16(FP), R2
	MOVW c+24(FP), R3
	VDUP R3, V31.S4

loop:
	VLD1.P 16(R1), [V0.B16]
	VUXTL  V0.B8, V1.H8
	VUXTL2 V0.B16, V2.H8
	VUXTL  V1.H4, V3.S4
	VUXTL2 V1.H8, V4.S4
	VUXTL  V2.H4, V5.S4
	VUXTL2 V2.H8, V6.S4
	VLD1   (R0), [V16.S4, V17.S4, V18.S4, V19.S4]
	MLA_S4(16, 3, 31)
	MLA_S4(17, 4, 31)
	MLA_S4(18, 5, 31)
	MLA_S4(19, 6, 31)
	VST1.P [V16.S4, V17.S4, V18.S4, V19.S4], 64(R0)
	SUBS   $16, R2, R2
	BNE    loop
	RET

// resamplePixelsNEON(out, src *byte, bounds *int, coef *int32, outs, ksize int)
//
// Per output pixel: V0 = 2^21 in each lane, plus each source pixel's RGBA
// widened to int32 times its weight (mla); then shifted right by 22 and
// narrowed with saturation (which clamps as clipResampled does) to four
// bytes, stored at out: the fourth is the next pixel's first, written after.
//
// Register map: R0 out; R1 src; R2 bounds; R3 coef row; R4 outputs left;
// R5 ksize*4; R6 the pixel's source; R7 taps left; R8 its weights;
// V1 a source pixel; V2 its weight in every lane; V31 2^21 in each lane.
TEXT ·resamplePixelsNEON(SB), NOSPLIT, $0-48
	MOVD out+0(FP), R0
	MOVD src+8(FP), R1
	MOVD bounds+16(FP), R2
	MOVD coef+24(FP), R3
	MOVD outs+32(FP), R4
	MOVD ksize+40(FP), R5
	LSL  $2, R5, R5
	MOVW $0x200000, R9
	VDUP R9, V31.S4

pixel:
	VMOV V31.B16, V0.B16
	MOVD 0(R2), R6
	ADD  R6<<2, R1, R6
	MOVD 8(R2), R7
	MOVD R3, R8
	CBZ  R7, store

tap:
	VLD1.P  4(R6), V1.S[0]
	VUXTL   V1.B8, V1.H8
	VUXTL   V1.H4, V1.S4
	VLD1R.P 4(R8), [V2.S4]
	MLA_S4(0, 1, 2)
	SUBS    $1, R7, R7
	BNE     tap

store:
	SSHR22_S4(0, 0)
	SQXTUN_H4(0, 0)
	UQXTN_B8(0, 0)
	VMOV V0.S[0], R9
	MOVW R9, (R0)
	ADD  $3, R0
	ADD  $16, R2
	ADD  R5, R3
	SUBS $1, R4, R4
	BNE  pixel
	RET
