//go:build !noasm

#include "textflag.h"

// addScaled32AVX2(acc *int32, src *byte, n int, c int32): 32 values a
// round, each byte widened to int32, multiplied by c and added to acc.
//
// Register map: DI acc; SI src; CX values left; Y15 c in every lane.
TEXT ·addScaled32AVX2(SB), NOSPLIT, $0-28
	MOVQ         acc+0(FP), DI
	MOVQ         src+8(FP), SI
	MOVQ         n+16(FP), CX
	MOVL         c+24(FP), AX
	VMOVD        AX, X15
	VPBROADCASTD X15, Y15

loop:
	VPMOVZXBD 0(SI), Y0
	VPMOVZXBD 8(SI), Y1
	VPMOVZXBD 16(SI), Y2
	VPMOVZXBD 24(SI), Y3
	VPMULLD   Y15, Y0, Y0
	VPMULLD   Y15, Y1, Y1
	VPMULLD   Y15, Y2, Y2
	VPMULLD   Y15, Y3, Y3
	VPADDD    0(DI), Y0, Y0
	VPADDD    32(DI), Y1, Y1
	VPADDD    64(DI), Y2, Y2
	VPADDD    96(DI), Y3, Y3
	VMOVDQU   Y0, 0(DI)
	VMOVDQU   Y1, 32(DI)
	VMOVDQU   Y2, 64(DI)
	VMOVDQU   Y3, 96(DI)
	ADDQ      $32, SI
	ADDQ      $128, DI
	SUBQ      $32, CX
	JNZ       loop

	VZEROUPPER
	RET
