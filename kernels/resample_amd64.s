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

// resamplePixelsAVX2(out, src *byte, bounds *int, coef *int32, outs, ksize int)
//
// Per output pixel: X0 = 2^21 in each lane, plus each source pixel's RGBA
// widened to int32 times its weight; then shifted right by 22 and packed
// with saturation (which clamps as clipResampled does) to four bytes,
// stored at out: the fourth is the next pixel's first, written after.
//
// Register map: DI out; SI src; DX bounds; R8 coef row; CX outputs left;
// R9 ksize*4; R10 the pixel's source; R11 taps left; R12 its weights;
// X15 2^21 in each lane.
TEXT ·resamplePixelsAVX2(SB), NOSPLIT, $0-48
	MOVQ         out+0(FP), DI
	MOVQ         src+8(FP), SI
	MOVQ         bounds+16(FP), DX
	MOVQ         coef+24(FP), R8
	MOVQ         outs+32(FP), CX
	MOVQ         ksize+40(FP), R9
	SHLQ         $2, R9
	MOVL         $0x200000, AX
	VMOVD        AX, X15
	VPBROADCASTD X15, X15

pixel:
	VMOVDQA X15, X0
	MOVQ    0(DX), R10
	LEAQ    (SI)(R10*4), R10
	MOVQ    8(DX), R11
	MOVQ    R8, R12
	TESTQ   R11, R11
	JZ      store

tap:
	VPMOVZXBD    (R10), X1
	VPBROADCASTD (R12), X2
	VPMULLD      X2, X1, X1
	VPADDD       X1, X0, X0
	ADDQ         $4, R10
	ADDQ         $4, R12
	DECQ         R11
	JNZ          tap

store:
	VPSRAD    $22, X0, X0
	VPACKSSDW X0, X0, X0
	VPACKUSWB X0, X0, X0
	VMOVD     X0, (DI)
	ADDQ      $3, DI
	ADDQ      $16, DX
	ADDQ      R9, R8
	DECQ      CX
	JNZ       pixel
	RET
