//go:build !noasm

#include "textflag.h"

// dwconv3x3s1AVX512, dwconv3x3s2AVX512: one output row of a 3x3 depthwise
// convolution, stride 1 or 2, with bias and clamp fused, for cn >= 16 of its
// c channels. Channels are in vector lanes, 16 at a time: for each group of
// 16 channels, the group's nine taps of weights stay in registers for the
// whole row, along which go a left edge pixel without its kx=0 taps (if
// left), the interior sixteen pixels at a time then 8, 4, 2, 1, and a right
// edge pixel without its kx=2 taps. Within a block each input is loaded once
// and multiplies the taps of every output that reads it, in the order
// kx = 0, 1, 2 of each output. A last group of cn%16 channels is done as the
// group of the last 16, overlapping the one before (the same values are
// written twice), so that no load or store is masked: masked loads measured
// slower. The weights of input rows 0 and 2 are loaded under K-masks made
// from inside: zero for a row of TF SAME padding, which the caller points at
// row 1.
//
// Register map (ABI0: arguments on the stack; every register but SP and BP
// is scratch, R14 and X15 included; R15 is free as nothing here is global):
//	DX	the group's first channel, in bytes
//	DI	running dst pointer: the output pixel, at the group
//	SI, R8, R9	running pointers into input rows 0, 1, 2: the kx=0 input of the output pixel, at the group
//	AX	8 pixels right of one of them; scratch
//	BX	the group's weights, tap 0; R15 = bias - w: the group's bias is at (BX)(R15*1)
//	R10	c*4: the pixel stride of src and dst in bytes; R11 = 3*R10, R12 = 5*R10, R13 = 7*R10
//	R14	cp*4: the tap stride of w in bytes
//	CX	interior pixels still to do
//	K1, K2	the masks of the weights of input rows 0 and 2
//	Z0-Z8	the group's weights, tap ky*3+kx in Z(ky*3+kx)
//	Z10-Z25	accumulators of sixteen output pixels
//	Z26-Z29	inputs
//	Z30, Z31	lo, hi

// AT<m>(P) addresses the pixel m pixels right of P; AT9 to AT16 those
// right of AX, which is 8 pixels right of P. Blocks of 16 move AX on by 8
// pixels at a time.
#define AT0(P) (P)
#define AT1(P) (P)(R10*1)
#define AT2(P) (P)(R10*2)
#define AT3(P) (P)(R11*1)
#define AT4(P) (P)(R10*4)
#define AT5(P) (P)(R12*1)
#define AT6(P) (P)(R11*2)
#define AT7(P) (P)(R13*1)
#define AT8(P) (P)(R10*8)
#define AT9(P) (AX)(R10*1)
#define AT10(P) (AX)(R10*2)
#define AT11(P) (AX)(R11*1)
#define AT12(P) (AX)(R10*4)
#define AT13(P) (AX)(R12*1)
#define AT14(P) (AX)(R11*2)
#define AT15(P) (AX)(R13*1)
#define AT16(P) (AX)(R10*8)

// The input at addr, loaded into T, times weights into the
// accumulators of the outputs that read it: IN_0 is read by a0 as its kx=0
// tap; IN_01 by a1 (kx=1) and a0 (kx=0); IN_012 by a2, a1, a0; IN_12 by a2
// and a1; IN_2 by a2; IN_02 by a2 (kx=2) and a0 (kx=0) (stride 2).
#define IN_0(addr, T, W0, a0) \
	VMOVUPS     addr, T; \
	VFMADD231PS T, W0, a0

#define IN_1(addr, T, W1, a1) \
	VMOVUPS     addr, T; \
	VFMADD231PS T, W1, a1

#define IN_2(addr, T, W2, a2) \
	VMOVUPS     addr, T; \
	VFMADD231PS T, W2, a2

#define IN_01(addr, T, W0, W1, a1, a0) \
	VMOVUPS     addr, T; \
	VFMADD231PS T, W1, a1; \
	VFMADD231PS T, W0, a0

#define IN_12(addr, T, W1, W2, a2, a1) \
	VMOVUPS     addr, T; \
	VFMADD231PS T, W2, a2; \
	VFMADD231PS T, W1, a1

#define IN_012(addr, T, W0, W1, W2, a2, a1, a0) \
	VMOVUPS     addr, T; \
	VFMADD231PS T, W2, a2; \
	VFMADD231PS T, W1, a1; \
	VFMADD231PS T, W0, a0

#define IN_02(addr, T, W0, W2, a2, a0) \
	VMOVUPS     addr, T; \
	VFMADD231PS T, W2, a2; \
	VFMADD231PS T, W0, a0

// S1_16 adds one input row at P, weights W0, W1, W2, to
// sixteen outputs of stride 1: output j reads inputs j, j+1, j+2.
#define S1_16(P, W0, W1, W2) \
	IN_0(AT0(P), Z26, W0, Z10); \
	IN_01(AT1(P), Z27, W0, W1, Z10, Z11); \
	IN_012(AT2(P), Z28, W0, W1, W2, Z10, Z11, Z12); \
	IN_012(AT3(P), Z29, W0, W1, W2, Z11, Z12, Z13); \
	IN_012(AT4(P), Z26, W0, W1, W2, Z12, Z13, Z14); \
	IN_012(AT5(P), Z27, W0, W1, W2, Z13, Z14, Z15); \
	IN_012(AT6(P), Z28, W0, W1, W2, Z14, Z15, Z16); \
	IN_012(AT7(P), Z29, W0, W1, W2, Z15, Z16, Z17); \
	IN_012(AT8(P), Z26, W0, W1, W2, Z16, Z17, Z18); \
	LEAQ   (P)(R10*8), AX; \
	IN_012(AT1(AX), Z27, W0, W1, W2, Z17, Z18, Z19); \
	IN_012(AT2(AX), Z28, W0, W1, W2, Z18, Z19, Z20); \
	IN_012(AT3(AX), Z29, W0, W1, W2, Z19, Z20, Z21); \
	IN_012(AT4(AX), Z26, W0, W1, W2, Z20, Z21, Z22); \
	IN_012(AT5(AX), Z27, W0, W1, W2, Z21, Z22, Z23); \
	IN_012(AT6(AX), Z28, W0, W1, W2, Z22, Z23, Z24); \
	IN_012(AT7(AX), Z29, W0, W1, W2, Z23, Z24, Z25); \
	IN_12(AT8(AX), Z26, W1, W2, Z24, Z25); \
	LEAQ   (AX)(R10*8), AX; \
	IN_2(AT1(AX), Z27, W2, Z25)

// S1_8 adds one input row at P, weights W0, W1, W2, to eight
// outputs of stride 1: output j reads inputs j, j+1, j+2.
#define S1_8(P, W0, W1, W2) \
	LEAQ   (P)(R10*8), AX; \
	IN_0(AT0(P), Z26, W0, Z10); \
	IN_01(AT1(P), Z27, W0, W1, Z10, Z11); \
	IN_012(AT2(P), Z28, W0, W1, W2, Z10, Z11, Z12); \
	IN_012(AT3(P), Z29, W0, W1, W2, Z11, Z12, Z13); \
	IN_012(AT4(P), Z26, W0, W1, W2, Z12, Z13, Z14); \
	IN_012(AT5(P), Z27, W0, W1, W2, Z13, Z14, Z15); \
	IN_012(AT6(P), Z28, W0, W1, W2, Z14, Z15, Z16); \
	IN_012(AT7(P), Z29, W0, W1, W2, Z15, Z16, Z17); \
	IN_12(AT8(P), Z26, W1, W2, Z16, Z17); \
	IN_2(AT9(P), Z27, W2, Z17)

// S1_4, S1_2, S1_1 are S1_8 for four, two and one outputs.
#define S1_4(P, W0, W1, W2) \
	IN_0(AT0(P), Z26, W0, Z10); \
	IN_01(AT1(P), Z27, W0, W1, Z10, Z11); \
	IN_012(AT2(P), Z28, W0, W1, W2, Z10, Z11, Z12); \
	IN_012(AT3(P), Z29, W0, W1, W2, Z11, Z12, Z13); \
	IN_12(AT4(P), Z26, W1, W2, Z12, Z13); \
	IN_2(AT5(P), Z27, W2, Z13)

#define S1_2(P, W0, W1, W2) \
	IN_0(AT0(P), Z26, W0, Z10); \
	IN_01(AT1(P), Z27, W0, W1, Z10, Z11); \
	IN_12(AT2(P), Z28, W1, W2, Z10, Z11); \
	IN_2(AT3(P), Z29, W2, Z11)

#define S1_1(P, W0, W1, W2) \
	IN_0(AT0(P), Z26, W0, Z10); \
	IN_1(AT1(P), Z27, W1, Z10); \
	IN_2(AT2(P), Z28, W2, Z10)

// S2_16 adds one input row at P to sixteen outputs of stride 2: output j
// reads inputs 2j, 2j+1, 2j+2.
#define S2_16(P, W0, W1, W2) \
	IN_0(AT0(P), Z26, W0, Z10); \
	IN_1(AT1(P), Z27, W1, Z10); \
	IN_02(AT2(P), Z28, W0, W2, Z10, Z11); \
	IN_1(AT3(P), Z29, W1, Z11); \
	IN_02(AT4(P), Z26, W0, W2, Z11, Z12); \
	IN_1(AT5(P), Z27, W1, Z12); \
	IN_02(AT6(P), Z28, W0, W2, Z12, Z13); \
	IN_1(AT7(P), Z29, W1, Z13); \
	IN_02(AT8(P), Z26, W0, W2, Z13, Z14); \
	LEAQ   (P)(R10*8), AX; \
	IN_1(AT1(AX), Z27, W1, Z14); \
	IN_02(AT2(AX), Z28, W0, W2, Z14, Z15); \
	IN_1(AT3(AX), Z29, W1, Z15); \
	IN_02(AT4(AX), Z26, W0, W2, Z15, Z16); \
	IN_1(AT5(AX), Z27, W1, Z16); \
	IN_02(AT6(AX), Z28, W0, W2, Z16, Z17); \
	IN_1(AT7(AX), Z29, W1, Z17); \
	IN_02(AT8(AX), Z26, W0, W2, Z17, Z18); \
	LEAQ   (AX)(R10*8), AX; \
	IN_1(AT1(AX), Z27, W1, Z18); \
	IN_02(AT2(AX), Z28, W0, W2, Z18, Z19); \
	IN_1(AT3(AX), Z29, W1, Z19); \
	IN_02(AT4(AX), Z26, W0, W2, Z19, Z20); \
	IN_1(AT5(AX), Z27, W1, Z20); \
	IN_02(AT6(AX), Z28, W0, W2, Z20, Z21); \
	IN_1(AT7(AX), Z29, W1, Z21); \
	IN_02(AT8(AX), Z26, W0, W2, Z21, Z22); \
	LEAQ   (AX)(R10*8), AX; \
	IN_1(AT1(AX), Z27, W1, Z22); \
	IN_02(AT2(AX), Z28, W0, W2, Z22, Z23); \
	IN_1(AT3(AX), Z29, W1, Z23); \
	IN_02(AT4(AX), Z26, W0, W2, Z23, Z24); \
	IN_1(AT5(AX), Z27, W1, Z24); \
	IN_02(AT6(AX), Z28, W0, W2, Z24, Z25); \
	IN_1(AT7(AX), Z29, W1, Z25); \
	IN_2(AT8(AX), Z26, W2, Z25)

// S2_8 adds one input row at P to eight outputs of stride 2: output j reads
// inputs 2j, 2j+1, 2j+2.
#define S2_8(P, W0, W1, W2) \
	LEAQ   (P)(R10*8), AX; \
	IN_0(AT0(P), Z26, W0, Z10); \
	IN_1(AT1(P), Z27, W1, Z10); \
	IN_02(AT2(P), Z28, W0, W2, Z10, Z11); \
	IN_1(AT3(P), Z29, W1, Z11); \
	IN_02(AT4(P), Z26, W0, W2, Z11, Z12); \
	IN_1(AT5(P), Z27, W1, Z12); \
	IN_02(AT6(P), Z28, W0, W2, Z12, Z13); \
	IN_1(AT7(P), Z29, W1, Z13); \
	IN_02(AT8(P), Z26, W0, W2, Z13, Z14); \
	IN_1(AT9(P), Z27, W1, Z14); \
	IN_02(AT10(P), Z28, W0, W2, Z14, Z15); \
	IN_1(AT11(P), Z29, W1, Z15); \
	IN_02(AT12(P), Z26, W0, W2, Z15, Z16); \
	IN_1(AT13(P), Z27, W1, Z16); \
	IN_02(AT14(P), Z28, W0, W2, Z16, Z17); \
	IN_1(AT15(P), Z29, W1, Z17); \
	IN_2(AT16(P), Z26, W2, Z17)

// S2_4, S2_2, S2_1 are S2_8 for four, two and one outputs.
#define S2_4(P, W0, W1, W2) \
	IN_0(AT0(P), Z26, W0, Z10); \
	IN_1(AT1(P), Z27, W1, Z10); \
	IN_02(AT2(P), Z28, W0, W2, Z10, Z11); \
	IN_1(AT3(P), Z29, W1, Z11); \
	IN_02(AT4(P), Z26, W0, W2, Z11, Z12); \
	IN_1(AT5(P), Z27, W1, Z12); \
	IN_02(AT6(P), Z28, W0, W2, Z12, Z13); \
	IN_1(AT7(P), Z29, W1, Z13); \
	IN_2(AT8(P), Z26, W2, Z13)

#define S2_2(P, W0, W1, W2) \
	IN_0(AT0(P), Z26, W0, Z10); \
	IN_1(AT1(P), Z27, W1, Z10); \
	IN_02(AT2(P), Z28, W0, W2, Z10, Z11); \
	IN_1(AT3(P), Z29, W1, Z11); \
	IN_2(AT4(P), Z26, W2, Z11)

#define S2_1 S1_1

// BLOCK sums the three input rows into n accumulators, with S = S1_n or S2_n.
#define BLOCK(S) \
	S(SI, Z0, Z1, Z2); \
	S(R8, Z3, Z4, Z5); \
	S(R9, Z6, Z7, Z8)

// BIAS<n> loads the group's bias into n accumulators.
#define BIAS1 \
	VMOVUPS (BX)(R15*1), Z10

#define BIAS2 \
	BIAS1; \
	VMOVUPS (BX)(R15*1), Z11

#define BIAS4 \
	BIAS2; \
	VMOVUPS (BX)(R15*1), Z12; \
	VMOVUPS (BX)(R15*1), Z13

#define BIAS8 \
	BIAS4; \
	VMOVUPS (BX)(R15*1), Z14; \
	VMOVUPS (BX)(R15*1), Z15; \
	VMOVUPS (BX)(R15*1), Z16; \
	VMOVUPS (BX)(R15*1), Z17

#define BIAS16 \
	BIAS8; \
	VMOVUPS (BX)(R15*1), Z18; \
	VMOVUPS (BX)(R15*1), Z19; \
	VMOVUPS (BX)(R15*1), Z20; \
	VMOVUPS (BX)(R15*1), Z21; \
	VMOVUPS (BX)(R15*1), Z22; \
	VMOVUPS (BX)(R15*1), Z23; \
	VMOVUPS (BX)(R15*1), Z24; \
	VMOVUPS (BX)(R15*1), Z25

// OUT clamps accumulator a and stores its group's channels at addr.
#define OUT(a, addr) \
	VMAXPS  Z30, a, a; \
	VMINPS  Z31, a, a; \
	VMOVUPS a, addr

// OUT<n> stores n accumulators at output pixels 0..n-1 of DI.
#define OUT1 \
	OUT(Z10, AT0(DI))

#define OUT2 \
	OUT1; \
	OUT(Z11, AT1(DI))

#define OUT4 \
	OUT2; \
	OUT(Z12, AT2(DI)); \
	OUT(Z13, AT3(DI))

#define OUT8 \
	OUT4; \
	OUT(Z14, AT4(DI)); \
	OUT(Z15, AT5(DI)); \
	OUT(Z16, AT6(DI)); \
	OUT(Z17, AT7(DI))

#define OUT16 \
	OUT8; \
	LEAQ (DI)(R10*8), AX; \
	OUT(Z18, AT0(AX)); \
	OUT(Z19, AT1(AX)); \
	OUT(Z20, AT2(AX)); \
	OUT(Z21, AT3(AX)); \
	OUT(Z22, AT4(AX)); \
	OUT(Z23, AT5(AX)); \
	OUT(Z24, AT6(AX)); \
	OUT(Z25, AT7(AX))

// EDGE computes an edge pixel from the two inputs at P and P+1 pixel of each
// row, times the weights Wa, Wb (row 0), Wc, Wd (row 1), We, Wf (row 2).
#define EDGE(Wa, Wb, Wc, Wd, We, Wf) \
	BIAS1; \
	IN_0(AT0(SI), Z26, Wa, Z10); \
	IN_0(AT1(SI), Z27, Wb, Z10); \
	IN_0(AT0(R8), Z28, Wc, Z10); \
	IN_0(AT1(R8), Z29, Wd, Z10); \
	IN_0(AT0(R9), Z26, We, Z10); \
	IN_0(AT1(R9), Z27, Wf, Z10); \
	OUT1

// ADVANCE moves the three input pointers n pixels right, with LEAQs of
// scale s (n = s or 2s).
#define ADVANCE(s) \
	LEAQ (SI)(R10*s), SI; \
	LEAQ (R8)(R10*s), R8; \
	LEAQ (R9)(R10*s), R9

// PROLOGUE loads the strides and clamp, makes the masks of rows 0 and 2
// from bits 0 and 2 of inside (all 16 lanes set for a row inside the image,
// none for a row of padding), and starts at group 0.
#define PROLOGUE \
	MOVQ         c+64(FP), R10; \
	SHLQ         $2, R10; \
	LEAQ         (R10)(R10*2), R11; \
	LEAQ         (R10)(R10*4), R12; \
	LEAQ         (R11)(R10*4), R13; \
	MOVQ         cp+80(FP), R14; \
	SHLQ         $2, R14; \
	MOVQ         bias+40(FP), R15; \
	SUBQ         w+32(FP), R15; \
	MOVQ         inside+88(FP), AX; \
	MOVQ         AX, DX; \
	ANDQ         $1, DX; \
	NEGQ         DX; \
	KMOVW        DX, K1; \
	SHRQ         $2, AX; \
	ANDQ         $1, AX; \
	NEGQ         AX; \
	KMOVW        AX, K2; \
	VBROADCASTSS lo+96(FP), Z30; \
	VBROADCASTSS hi+100(FP), Z31; \
	XORQ         DX, DX

// GROUP points the running pointers at the group at DX, loads its weights
// and sets CX to the number of interior pixels.
#define GROUP \
	MOVQ      dst+0(FP), DI; \
	ADDQ      DX, DI; \
	MOVQ      r0+8(FP), SI; \
	ADDQ      DX, SI; \
	MOVQ      r1+16(FP), R8; \
	ADDQ      DX, R8; \
	MOVQ      r2+24(FP), R9; \
	ADDQ      DX, R9; \
	MOVQ      w+32(FP), BX; \
	ADDQ      DX, BX; \
	MOVQ      BX, AX; \
	VMOVUPS.Z (AX), K1, Z0; \
	VMOVUPS.Z (AX)(R14*1), K1, Z1; \
	VMOVUPS.Z (AX)(R14*2), K1, Z2; \
	LEAQ      (AX)(R14*2), AX; \
	ADDQ      R14, AX; \
	VMOVUPS   (AX), Z3; \
	VMOVUPS   (AX)(R14*1), Z4; \
	VMOVUPS   (AX)(R14*2), Z5; \
	LEAQ      (AX)(R14*2), AX; \
	ADDQ      R14, AX; \
	VMOVUPS.Z (AX), K2, Z6; \
	VMOVUPS.Z (AX)(R14*1), K2, Z7; \
	VMOVUPS.Z (AX)(R14*2), K2, Z8; \
	MOVQ      ow+48(FP), CX; \
	DECQ      CX; \
	SUBQ      left+56(FP), CX

// NEXT_GROUP moves DX to the next group of 16 channels, or to the last 16
// if fewer are left, and jumps to group; after the last group it returns.
#define NEXT_GROUP \
	MOVQ    cn+72(FP), AX; \
	SHLQ    $2, AX; \
	SUBQ    $64, AX; \
	CMPQ    DX, AX; \
	JGE     done; \
	ADDQ    $64, DX; \
	CMPQ    DX, AX; \
	CMOVQGT AX, DX; \
	JMP     group

// func dwconv3x3s1AVX512(dst, r0, r1, r2, w, bias *float32, ow, left, c, cn, cp, inside int, lo, hi float32)
TEXT ·dwconv3x3s1AVX512(SB), NOSPLIT, $0-104
	PROLOGUE

group:
	// for each group of 16 channels
	GROUP

	// The left edge pixel: its kx = 1, 2 inputs are the row's first two.
	EDGE(Z1, Z2, Z4, Z5, Z7, Z8)
	ADDQ R10, DI

block16:
	// for ; CX >= 16; CX -= 16
	CMPQ CX, $16
	JLT  block8
	BIAS16
	BLOCK(S1_16)
	OUT16
	ADVANCE(8)
	ADVANCE(8)
	LEAQ (DI)(R10*8), DI
	LEAQ (DI)(R10*8), DI
	SUBQ $16, CX
	JMP  block16

block8:
	CMPQ CX, $8
	JLT  block4
	BIAS8
	BLOCK(S1_8)
	OUT8
	ADVANCE(8)
	LEAQ (DI)(R10*8), DI
	SUBQ $8, CX

block4:
	CMPQ CX, $4
	JLT  block2
	BIAS4
	BLOCK(S1_4)
	OUT4
	ADVANCE(4)
	LEAQ (DI)(R10*4), DI
	SUBQ $4, CX

block2:
	CMPQ CX, $2
	JLT  block1
	BIAS2
	BLOCK(S1_2)
	OUT2
	ADVANCE(2)
	LEAQ (DI)(R10*2), DI
	SUBQ $2, CX

block1:
	TESTQ CX, CX
	JZ    right
	BIAS1
	BLOCK(S1_1)
	OUT1
	ADVANCE(1)
	ADDQ  R10, DI

right:
	// The right edge pixel: its kx = 0, 1 inputs are the row's last two.
	EDGE(Z0, Z1, Z3, Z4, Z6, Z7)
	NEXT_GROUP

done:
	VZEROUPPER
	RET

// func dwconv3x3s2AVX512(dst, r0, r1, r2, w, bias *float32, ow, left, c, cn, cp, inside int, lo, hi float32)
TEXT ·dwconv3x3s2AVX512(SB), NOSPLIT, $0-104
	PROLOGUE

group:
	GROUP
	CMPQ left+56(FP), $0
	JEQ  block16

	// The left edge pixel: its kx = 1, 2 inputs are the row's first two,
	// and the first interior pixel's kx=0 input is the second.
	EDGE(Z1, Z2, Z4, Z5, Z7, Z8)
	ADVANCE(1)
	ADDQ R10, DI

block16:
	CMPQ CX, $16
	JLT  block8
	BIAS16
	BLOCK(S2_16)
	OUT16
	ADVANCE(8)
	ADVANCE(8)
	ADVANCE(8)
	ADVANCE(8)
	LEAQ (DI)(R10*8), DI
	LEAQ (DI)(R10*8), DI
	SUBQ $16, CX
	JMP  block16

block8:
	CMPQ CX, $8
	JLT  block4
	BIAS8
	BLOCK(S2_8)
	OUT8
	ADVANCE(8)
	ADVANCE(8)
	LEAQ (DI)(R10*8), DI
	SUBQ $8, CX

block4:
	CMPQ CX, $4
	JLT  block2
	BIAS4
	BLOCK(S2_4)
	OUT4
	ADVANCE(8)
	LEAQ (DI)(R10*4), DI
	SUBQ $4, CX

block2:
	CMPQ CX, $2
	JLT  block1
	BIAS2
	BLOCK(S2_2)
	OUT2
	ADVANCE(4)
	LEAQ (DI)(R10*2), DI
	SUBQ $2, CX

block1:
	TESTQ CX, CX
	JZ    right
	BIAS1
	BLOCK(S2_1)
	OUT1
	ADVANCE(2)
	ADDQ  R10, DI

right:
	// The right edge pixel: its kx = 0, 1 inputs are the row's last two.
	EDGE(Z0, Z1, Z3, Z4, Z6, Z7)
	NEXT_GROUP

done:
	VZEROUPPER
	RET
