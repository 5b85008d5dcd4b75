//go:build !noasm

#include "textflag.h"

// qadd16AVX512: TFLite's quantized ADD, 16 values at a time: each input
// less its zero point, shifted left by 20 bits and requantized, the two
// added and the sum requantized to the output, in int32 lanes with the
// arithmetic of qgemm16AVX2's REQUANT (qgemm16_amd64.s). The multipliers
// are one per tensor, so the odd lanes' copy of a multiplier is the
// multiplier itself.
//
// Register map:
//	DI, SI, DX	dst, a, b; CX values still to do; R8 the parameters
//	K1	all 16 lanes, then the tail's; K3 the odd lanes
//	Z0, Z1	a and b; Z28, Z29 temporaries
//	Z4-Z9	a's zero point, left shift, multiplier, 2^right-1, 2^(right-1), right
//	Z10-Z15	the same of b; Z16-Z21 of the sum (its zero point is 0)
//	Z22, Z23, Z24	the output zero point, lo, hi
//	Z31	2^30 in each 64-bit lane

// MBQM is MultiplyByQuantizedMultiplier of v by the requantization whose
// left shift is in register r+1 (so on), with temporary T.
#define MBQM(v, left, mult, mask, round, right, T) \
	VPSLLVD   left, v, v; \
	VPMULDQ   mult, v, T; \
	VPSRLQ    $32, v, v; \
	VPMULDQ   mult, v, v; \
	VPADDQ    Z31, T, T; \
	VPADDQ    Z31, v, v; \
	VPSRLQ    $31, T, T; \
	VPADDQ    v, v, v; \
	VPBLENDMD v, T, K3, v; \
	VPSRLD    $31, v, T; \
	VPMINUD   mask, T, T; \
	VPSUBD    T, v, v; \
	VPADDD    round, v, v; \
	VPSRAVD   right, v, v

// ADD16 adds the values at SI and DX under K1 into DI.
#define ADD16 \
	VPMOVZXBD.Z (SI), K1, Z0; \
	VPMOVZXBD.Z (DX), K1, Z1; \
	VPSUBD      Z4, Z0, Z0; \
	VPSUBD      Z10, Z1, Z1; \
	VPSLLD      $20, Z0, Z0; \
	VPSLLD      $20, Z1, Z1; \
	MBQM(Z0, Z5, Z6, Z7, Z8, Z9, Z28); \
	MBQM(Z1, Z11, Z12, Z13, Z14, Z15, Z29); \
	VPADDD      Z1, Z0, Z0; \
	MBQM(Z0, Z17, Z18, Z19, Z20, Z21, Z28); \
	VPADDD      Z22, Z0, Z0; \
	VPMAXSD     Z23, Z0, Z0; \
	VPMINSD     Z24, Z0, Z0; \
	VPMOVDB     Z0, K1, (DI)

// func qadd16AVX512(dst, a, b *uint8, n int, p *int32, tail uint16)
TEXT ·qadd16AVX512(SB), NOSPLIT, $0-42
	MOVQ         dst+0(FP), DI
	MOVQ         a+8(FP), SI
	MOVQ         b+16(FP), DX
	MOVQ         n+24(FP), CX
	MOVQ         p+32(FP), R8
	VPBROADCASTD 0(R8), Z4
	VPBROADCASTD 4(R8), Z5
	VPBROADCASTD 8(R8), Z6
	VPBROADCASTD 12(R8), Z7
	VPBROADCASTD 16(R8), Z8
	VPBROADCASTD 20(R8), Z9
	VPBROADCASTD 24(R8), Z10
	VPBROADCASTD 28(R8), Z11
	VPBROADCASTD 32(R8), Z12
	VPBROADCASTD 36(R8), Z13
	VPBROADCASTD 40(R8), Z14
	VPBROADCASTD 44(R8), Z15
	VPBROADCASTD 48(R8), Z16
	VPBROADCASTD 52(R8), Z17
	VPBROADCASTD 56(R8), Z18
	VPBROADCASTD 60(R8), Z19
	VPBROADCASTD 64(R8), Z20
	VPBROADCASTD 68(R8), Z21
	VPBROADCASTD 72(R8), Z22
	VPBROADCASTD 76(R8), Z23
	VPBROADCASTD 80(R8), Z24
	MOVQ         $0x40000000, AX
	VPBROADCASTQ AX, Z31
	MOVL         $0xAAAA, AX
	KMOVW        AX, K3
	MOVL         $0xFFFF, AX
	KMOVW        AX, K1
	SUBQ         $16, CX
	JL           tail

loop:
	ADD16
	ADDQ $16, SI
	ADDQ $16, DX
	ADDQ $16, DI
	SUBQ $16, CX
	JGE  loop

tail:
	KMOVW tail+40(FP), K1
	KORTESTW K1, K1
	JZ    done
	ADD16

done:
	VZEROUPPER
	RET

// qadd8AVX2: qadd16AVX512 in 8 lanes; the parameters each fill a row of 8
// lanes (QAdd.vec8), read from memory as they are needed.
//	DI, SI, DX	dst, a, b; CX values still to do; R8 the parameters
//	Y0, Y1	a and b; Y2, Y3 temporaries; Y15 2^30 in each 64-bit lane

// MBQM8 is MultiplyByQuantizedMultiplier of v by the requantization whose
// row of 6 starts at off(R8) (zero point, left shift, multiplier, 2^right-1,
// 2^(right-1), right), with temporary T.
#define MBQM8(v, off, T) \
	VPSLLVD  (off+32)(R8), v, v; \
	VPMULDQ  (off+64)(R8), v, T; \
	VPSRLQ   $32, v, v; \
	VPMULDQ  (off+64)(R8), v, v; \
	VPADDQ   Y15, T, T; \
	VPADDQ   Y15, v, v; \
	VPSRLQ   $31, T, T; \
	VPADDQ   v, v, v; \
	VPBLENDD $0xAA, v, T, v; \
	VPSRLD   $31, v, T; \
	VPMINUD  (off+96)(R8), T, T; \
	VPSUBD   T, v, v; \
	VPADDD   (off+128)(R8), v, v; \
	VPSRAVD  (off+160)(R8), v, v

// func qadd8AVX2(dst, a, b *uint8, n int, p *int32)
TEXT ·qadd8AVX2(SB), NOSPLIT, $0-40
	MOVQ         dst+0(FP), DI
	MOVQ         a+8(FP), SI
	MOVQ         b+16(FP), DX
	MOVQ         n+24(FP), CX
	MOVQ         p+32(FP), R8
	MOVQ         $0x40000000, AX
	MOVQ         AX, X15
	VPBROADCASTQ X15, Y15

loop8:
	VPMOVZXBD (SI), Y0
	VPMOVZXBD (DX), Y1
	VPSUBD    (R8), Y0, Y0
	VPSUBD    192(R8), Y1, Y1
	VPSLLD    $20, Y0, Y0
	VPSLLD    $20, Y1, Y1
	MBQM8(Y0, 0, Y2)
	MBQM8(Y1, 192, Y3)
	VPADDD    Y1, Y0, Y0
	MBQM8(Y0, 384, Y2)
	VPADDD    576(R8), Y0, Y0
	VPMAXSD   608(R8), Y0, Y0
	VPMINSD   640(R8), Y0, Y0
	VPACKUSDW Y0, Y0, Y0
	VPERMQ    $0x08, Y0, Y0
	VPACKUSWB X0, X0, X0
	MOVQ      X0, (DI)
	ADDQ      $8, SI
	ADDQ      $8, DX
	ADDQ      $8, DI
	SUBQ      $8, CX
	JNZ       loop8
	VZEROUPPER
	RET
