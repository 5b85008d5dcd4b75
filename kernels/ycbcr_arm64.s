//go:build !noasm

#include "textflag.h"
#include "qneon_arm64.h"

// ycbcr8NEON(dst, y, cb, cr *byte, n int): eight pixels a round, each
// plane's bytes widened to int32 in two vectors (pixels 0-3, 4-7); the
// products are those of color.YCbCrToRGB, exact in int32, and so are the
// sums. sqshrun shifts each channel right by 16 and saturates it to uint16,
// uqxtn to a byte: the clamp to [0, 255]. st4 interleaves R, G, B and
// alpha into RGBA.
//
// Register map: R0 dst; R1 y; R2 cb; R3 cr; R4 pixels left;
// V0-V2 the bytes of y, cb, cr; V3-V4 yy1; V5-V6 cb1; V7-V8 cr1;
// V9-V14 r, g, b (two vectors each); V15 scratch; V20-V23 R, G, B, alpha
// bytes; V24 128; V25 0x10101; V26 91881; V27 -22554; V28 -46802;
// V29 116130.
TEXT ·ycbcr8NEON(SB), NOSPLIT, $0-40
	MOVD dst+0(FP), R0
	MOVD y+8(FP), R1
	MOVD cb+16(FP), R2
	MOVD cr+24(FP), R3
	MOVD n+32(FP), R4

	MOVW  $128, R5
	VDUP  R5, V24.S4
	MOVW  $0x10101, R5
	VDUP  R5, V25.S4
	MOVW  $91881, R5
	VDUP  R5, V26.S4
	MOVW  $-22554, R5
	VDUP  R5, V27.S4
	MOVW  $-46802, R5
	VDUP  R5, V28.S4
	MOVW  $116130, R5
	VDUP  R5, V29.S4
	VMOVI $255, V23.B16

loop:
	VLD1.P 8(R1), [V0.B8]
	VLD1.P 8(R2), [V1.B8]
	VLD1.P 8(R3), [V2.B8]
	VUXTL  V0.B8, V0.H8
	VUXTL  V1.B8, V1.H8
	VUXTL  V2.B8, V2.H8
	VUXTL  V0.H4, V3.S4
	VUXTL2 V0.H8, V4.S4
	VUXTL  V1.H4, V5.S4
	VUXTL2 V1.H8, V6.S4
	VUXTL  V2.H4, V7.S4
	VUXTL2 V2.H8, V8.S4
	MUL_S4(3, 3, 25)  // yy1
	MUL_S4(4, 4, 25)
	SUB_S4(5, 5, 24)  // cb1
	SUB_S4(6, 6, 24)
	SUB_S4(7, 7, 24)  // cr1
	SUB_S4(8, 8, 24)

	MUL_S4(9, 7, 26)  // r
	MUL_S4(10, 8, 26)
	ADD_S4(9, 9, 3)
	ADD_S4(10, 10, 4)
	MUL_S4(11, 5, 27) // g
	MUL_S4(12, 6, 27)
	ADD_S4(11, 11, 3)
	ADD_S4(12, 12, 4)
	MUL_S4(15, 7, 28)
	ADD_S4(11, 11, 15)
	MUL_S4(15, 8, 28)
	ADD_S4(12, 12, 15)
	MUL_S4(13, 5, 29) // b
	MUL_S4(14, 6, 29)
	ADD_S4(13, 13, 3)
	ADD_S4(14, 14, 4)

	SQSHRUN16_H4(20, 9)
	SQSHRUN16_H8(20, 10)
	UQXTN_B8(20, 20)
	SQSHRUN16_H4(21, 11)
	SQSHRUN16_H8(21, 12)
	UQXTN_B8(21, 21)
	SQSHRUN16_H4(22, 13)
	SQSHRUN16_H8(22, 14)
	UQXTN_B8(22, 22)
	VST4.P [V20.B8, V21.B8, V22.B8, V23.B8], 32(R0)

	SUBS $8, R4, R4
	BNE  loop
	RET
