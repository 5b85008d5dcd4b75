//go:build !noasm

#include "textflag.h"

// ycbcr8AVX2(dst, y, cb, cr *byte, n int): eight pixels a round, each
// plane's bytes widened to int32; the products are those of
// color.YCbCrToRGB, exact in int32, so the sums are too. Each channel is
// shifted right by 16, clamped to [0, 255] and shifted into its byte of
// the pixel's dword; alpha is or'ed in.
//
// Register map: DI dst; SI y; DX cb; R8 cr; CX pixels left; Y15 0x10101;
// Y14 128; Y13 91881; Y12 -22554; Y11 -46802; Y10 116130; Y9 zero;
// Y8 255; Y7 alpha.
TEXT ·ycbcr8AVX2(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ y+8(FP), SI
	MOVQ cb+16(FP), DX
	MOVQ cr+24(FP), R8
	MOVQ n+32(FP), CX

	MOVL         $0x10101, AX
	VMOVD        AX, X15
	VPBROADCASTD X15, Y15
	MOVL         $128, AX
	VMOVD        AX, X14
	VPBROADCASTD X14, Y14
	MOVL         $91881, AX
	VMOVD        AX, X13
	VPBROADCASTD X13, Y13
	MOVL         $-22554, AX
	VMOVD        AX, X12
	VPBROADCASTD X12, Y12
	MOVL         $-46802, AX
	VMOVD        AX, X11
	VPBROADCASTD X11, Y11
	MOVL         $116130, AX
	VMOVD        AX, X10
	VPBROADCASTD X10, Y10
	VPXOR        Y9, Y9, Y9
	MOVL         $255, AX
	VMOVD        AX, X8
	VPBROADCASTD X8, Y8
	MOVL         $0xff000000, AX
	VMOVD        AX, X7
	VPBROADCASTD X7, Y7

loop:
	VPMOVZXBD (SI), Y0
	VPMOVZXBD (DX), Y1
	VPMOVZXBD (R8), Y2
	VPMULLD   Y15, Y0, Y0 // yy1
	VPSUBD    Y14, Y1, Y1 // cb1
	VPSUBD    Y14, Y2, Y2 // cr1

	VPMULLD Y13, Y2, Y3
	VPADDD  Y0, Y3, Y3  // r
	VPMULLD Y12, Y1, Y4
	VPMULLD Y11, Y2, Y5
	VPADDD  Y0, Y4, Y4
	VPADDD  Y5, Y4, Y4  // g
	VPMULLD Y10, Y1, Y5
	VPADDD  Y0, Y5, Y5  // b

	VPSRAD  $16, Y3, Y3
	VPSRAD  $16, Y4, Y4
	VPSRAD  $16, Y5, Y5
	VPMAXSD Y9, Y3, Y3
	VPMAXSD Y9, Y4, Y4
	VPMAXSD Y9, Y5, Y5
	VPMINSD Y8, Y3, Y3
	VPMINSD Y8, Y4, Y4
	VPMINSD Y8, Y5, Y5
	VPSLLD  $8, Y4, Y4
	VPSLLD  $16, Y5, Y5
	VPOR    Y4, Y3, Y3
	VPOR    Y5, Y7, Y5
	VPOR    Y5, Y3, Y3
	VMOVDQU Y3, (DI)

	ADDQ $8, SI
	ADDQ $8, DX
	ADDQ $8, R8
	ADDQ $32, DI
	SUBQ $8, CX
	JNZ  loop

	VZEROUPPER
	RET
