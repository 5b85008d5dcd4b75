//go:build !noasm

#include "textflag.h"

// dwconv3x3s1AVX2, dwconv3x3s2AVX2: one output row of a 3x3 depthwise
// convolution, stride 1 or 2, with bias and clamp fused, for cn of its c
// channels. Channels are in vector lanes, 8 at a time. Along the row go a
// left edge pixel without its kx=0 taps (if left), the interior six pixels
// at a time then 4, 2, 1, and a right edge pixel without its kx=2 taps; for
// each, all the channel groups in turn, so that the input is read in order
// and the group's nine taps of weights are loaded once for six pixels. A
// last group of cn%8 channels is done as the group of the last 8 channels,
// overlapping the one before (the same values are written twice). The
// weights of input rows 0 and 2 are ANDed with lane masks made from inside:
// zero for a row of TF SAME padding, which the caller points at the centre
// row.
//
// Register map (ABI0: arguments on the stack; every register but SP and BP
// is scratch, R14 and X15 included; R15 is free, as the one global,
// tailMask, is read before R15 is set):
//	DI	running dst pointer: the output pixel, at the group
//	SI, R8, R9	running pointers into input rows 0, 1, 2: the kx=0 input of the output pixel, at the group
//	BX	running weight pointer: tap 0 of the group
//	R15	bias - w: the group's bias is at (BX)(R15*1)
//	DX	bytes of channels after the group
//	R10	c*4: the pixel stride of src and dst in bytes; R11 = 3*R10, R12 = 5*R10, R13 = 7*R10
//	R14	cp*4: the tap stride of w in bytes
//	CX	interior pixels still to do
//	AX	scratch: the taps of w; the inputs 8 pixels right of a row pointer
//	Y0-Y8	the group's weights, tap ky*3+kx in Y(ky*3+kx)
//	Y9-Y14	accumulators of six output pixels; Y13, Y14 first hold the masks of rows 0, 2
//	m0-8(SP), m2-16(SP)	the masks of rows 0 and 2: &tailMask[0] (8 lanes set) if
//		the row is inside the image, else &tailMask[16] (8 lanes clear)
//	Y15	lo, then hi

// AT<m>(P) addresses the input m pixels right of P; AT9 to AT12 those
// right of AX, which is 8 pixels right of P.
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

// WEIGHTS loads the group's nine taps of weights, masking rows 0 and 2.
#define WEIGHTS \
	MOVQ    m0-8(SP), AX; \
	VMOVUPS (AX), Y13; \
	MOVQ    m2-16(SP), AX; \
	VMOVUPS (AX), Y14; \
	MOVQ    BX, AX; \
	VANDPS  (AX), Y13, Y0; \
	VANDPS  (AX)(R14*1), Y13, Y1; \
	VANDPS  (AX)(R14*2), Y13, Y2; \
	LEAQ    (AX)(R14*2), AX; \
	ADDQ    R14, AX; \
	VMOVUPS (AX), Y3; \
	VMOVUPS (AX)(R14*1), Y4; \
	VMOVUPS (AX)(R14*2), Y5; \
	LEAQ    (AX)(R14*2), AX; \
	ADDQ    R14, AX; \
	VANDPS  (AX), Y14, Y6; \
	VANDPS  (AX)(R14*1), Y14, Y7; \
	VANDPS  (AX)(R14*2), Y14, Y8

// TAP6 adds the inputs K0..K5 right of P times the weights W to the six
// accumulators.
#define TAP6(P, W, K0, K1, K2, K3, K4, K5) \
	VFMADD231PS K0(P), W, Y9; \
	VFMADD231PS K1(P), W, Y10; \
	VFMADD231PS K2(P), W, Y11; \
	VFMADD231PS K3(P), W, Y12; \
	VFMADD231PS K4(P), W, Y13; \
	VFMADD231PS K5(P), W, Y14

// TAP4, TAP2 are TAP6 for four and two pixels.
#define TAP4(P, W, K0, K1, K2, K3) \
	VFMADD231PS K0(P), W, Y9; \
	VFMADD231PS K1(P), W, Y10; \
	VFMADD231PS K2(P), W, Y11; \
	VFMADD231PS K3(P), W, Y12

#define TAP2(P, W, K0, K1) \
	VFMADD231PS K0(P), W, Y9; \
	VFMADD231PS K1(P), W, Y10

// BIAS6 loads the group's bias into the six accumulators.
#define BIAS6 \
	VMOVUPS (BX)(R15*1), Y9; \
	VMOVAPS Y9, Y10; \
	VMOVAPS Y9, Y11; \
	VMOVAPS Y9, Y12; \
	VMOVAPS Y9, Y13; \
	VMOVAPS Y9, Y14

// BIAS4, BIAS2 are BIAS6 for four and two pixels.
#define BIAS4 \
	VMOVUPS (BX)(R15*1), Y9; \
	VMOVAPS Y9, Y10; \
	VMOVAPS Y9, Y11; \
	VMOVAPS Y9, Y12

#define BIAS2 \
	VMOVUPS (BX)(R15*1), Y9; \
	VMOVAPS Y9, Y10

// CLAMP4_STORE, CLAMP2_STORE are CLAMP6_STORE for four and two pixels.
#define CLAMP4_STORE \
	VBROADCASTSS lo+96(FP), Y15; \
	VMAXPS       Y15, Y9, Y9; \
	VMAXPS       Y15, Y10, Y10; \
	VMAXPS       Y15, Y11, Y11; \
	VMAXPS       Y15, Y12, Y12; \
	VBROADCASTSS hi+100(FP), Y15; \
	VMINPS       Y15, Y9, Y9; \
	VMINPS       Y15, Y10, Y10; \
	VMINPS       Y15, Y11, Y11; \
	VMINPS       Y15, Y12, Y12; \
	VMOVUPS      Y9, (DI); \
	VMOVUPS      Y10, (DI)(R10*1); \
	VMOVUPS      Y11, (DI)(R10*2); \
	VMOVUPS      Y12, (DI)(R11*1)

#define CLAMP2_STORE \
	VBROADCASTSS lo+96(FP), Y15; \
	VMAXPS       Y15, Y9, Y9; \
	VMAXPS       Y15, Y10, Y10; \
	VBROADCASTSS hi+100(FP), Y15; \
	VMINPS       Y15, Y9, Y9; \
	VMINPS       Y15, Y10, Y10; \
	VMOVUPS      Y9, (DI); \
	VMOVUPS      Y10, (DI)(R10*1)

// CLAMP6_STORE clamps the six accumulators and stores them at pixels 0..5
// of DI.
#define CLAMP6_STORE \
	VBROADCASTSS lo+96(FP), Y15; \
	VMAXPS       Y15, Y9, Y9; \
	VMAXPS       Y15, Y10, Y10; \
	VMAXPS       Y15, Y11, Y11; \
	VMAXPS       Y15, Y12, Y12; \
	VMAXPS       Y15, Y13, Y13; \
	VMAXPS       Y15, Y14, Y14; \
	VBROADCASTSS hi+100(FP), Y15; \
	VMINPS       Y15, Y9, Y9; \
	VMINPS       Y15, Y10, Y10; \
	VMINPS       Y15, Y11, Y11; \
	VMINPS       Y15, Y12, Y12; \
	VMINPS       Y15, Y13, Y13; \
	VMINPS       Y15, Y14, Y14; \
	VMOVUPS      Y9, (DI); \
	VMOVUPS      Y10, (DI)(R10*1); \
	VMOVUPS      Y11, (DI)(R10*2); \
	VMOVUPS      Y12, (DI)(R11*1); \
	VMOVUPS      Y13, (DI)(R10*4); \
	VMOVUPS      Y14, (DI)(R12*1)

// ONE sums bias and six taps of an edge pixel into Y9, two of each row: the
// weights W0..W5 times the inputs at K0, K1 of rows 0, 1, 2. Then it clamps
// and stores Y9 at DI.
#define ONE(W0, W1, W2, W3, W4, W5, K0, K1) \
	VMOVUPS      (BX)(R15*1), Y9; \
	VFMADD231PS  K0(SI), W0, Y9; \
	VFMADD231PS  K1(SI), W1, Y9; \
	VFMADD231PS  K0(R8), W2, Y9; \
	VFMADD231PS  K1(R8), W3, Y9; \
	VFMADD231PS  K0(R9), W4, Y9; \
	VFMADD231PS  K1(R9), W5, Y9; \
	VBROADCASTSS lo+96(FP), Y15; \
	VMAXPS       Y15, Y9, Y9; \
	VBROADCASTSS hi+100(FP), Y15; \
	VMINPS       Y15, Y9, Y9; \
	VMOVUPS      Y9, (DI)

// PIXEL is ONE with all nine taps, the inputs of kx = 0, 1, 2 at K0, K1, K2.
#define PIXEL(K0, K1, K2) \
	VMOVUPS      (BX)(R15*1), Y9; \
	VFMADD231PS  K0(SI), Y0, Y9; \
	VFMADD231PS  K1(SI), Y1, Y9; \
	VFMADD231PS  K2(SI), Y2, Y9; \
	VFMADD231PS  K0(R8), Y3, Y9; \
	VFMADD231PS  K1(R8), Y4, Y9; \
	VFMADD231PS  K2(R8), Y5, Y9; \
	VFMADD231PS  K0(R9), Y6, Y9; \
	VFMADD231PS  K1(R9), Y7, Y9; \
	VFMADD231PS  K2(R9), Y8, Y9; \
	VBROADCASTSS lo+96(FP), Y15; \
	VMAXPS       Y15, Y9, Y9; \
	VBROADCASTSS hi+100(FP), Y15; \
	VMINPS       Y15, Y9, Y9; \
	VMOVUPS      Y9, (DI)

// NEXT_GROUP moves the running pointers to the next group of 8 channels,
// or to the last 8 if fewer are left, and jumps to loop; or to exit after
// the last group.
#define NEXT_GROUP(loop, exit) \
	TESTQ   DX, DX; \
	JZ      exit; \
	MOVQ    $32, AX; \
	CMPQ    DX, AX; \
	CMOVQLT DX, AX; \
	ADDQ    AX, SI; \
	ADDQ    AX, R8; \
	ADDQ    AX, R9; \
	ADDQ    AX, DI; \
	ADDQ    AX, BX; \
	SUBQ    AX, DX; \
	JMP     loop

// LAST sets DX to the bytes of channels after the first group.
#define LAST \
	MOVQ cn+72(FP), DX; \
	SHLQ $2, DX; \
	SUBQ $32, DX

// REWIND moves the running pointers from the last group back to the first.
#define REWIND \
	LAST; \
	SUBQ DX, SI; \
	SUBQ DX, R8; \
	SUBQ DX, R9; \
	SUBQ DX, DI; \
	MOVQ w+32(FP), BX

// PROLOGUE makes the masks of rows 0 and 2 from bits 0 and 2 of inside, loads
// the strides and pointers and sets CX to the number of interior pixels.
#define PROLOGUE \
	MOVQ inside+88(FP), AX; \
	LEAQ ·tailMask(SB), DX; \
	MOVQ AX, CX; \
	NOTQ CX; \
	ANDQ $1, CX; \
	SHLQ $6, CX; \
	ADDQ DX, CX; \
	MOVQ CX, m0-8(SP); \
	SHRQ $2, AX; \
	NOTQ AX; \
	ANDQ $1, AX; \
	SHLQ $6, AX; \
	ADDQ DX, AX; \
	MOVQ AX, m2-16(SP); \
	MOVQ c+64(FP), R10; \
	SHLQ $2, R10; \
	LEAQ (R10)(R10*2), R11; \
	LEAQ (R10)(R10*4), R12; \
	LEAQ (R11)(R10*4), R13; \
	MOVQ cp+80(FP), R14; \
	SHLQ $2, R14; \
	MOVQ dst+0(FP), DI; \
	MOVQ r0+8(FP), SI; \
	MOVQ r1+16(FP), R8; \
	MOVQ r2+24(FP), R9; \
	MOVQ w+32(FP), BX; \
	MOVQ bias+40(FP), R15; \
	SUBQ BX, R15; \
	LAST; \
	MOVQ ow+48(FP), CX; \
	DECQ CX; \
	SUBQ left+56(FP), CX

// func dwconv3x3s1AVX2(dst, r0, r1, r2, w, bias *float32, ow, left, c, cn, cp, inside int, lo, hi float32)
TEXT ·dwconv3x3s1AVX2(SB), NOSPLIT, $16-104
	PROLOGUE
	CMPQ left+56(FP), $0
	JEQ  block6

left:
	// The left edge pixel: its kx = 1, 2 inputs are the row's first two.
	WEIGHTS
	ONE(Y1, Y2, Y4, Y5, Y7, Y8, AT0, AT1)
	NEXT_GROUP(left, leftdone)

leftdone:
	REWIND
	ADDQ R10, DI

block6:
	// for ; CX >= 6; CX -= 6: pixel j's kx input is j+kx pixels right
	CMPQ CX, $6
	JLT  single

group6:
	WEIGHTS
	BIAS6
	TAP6(SI, Y0, AT0, AT1, AT2, AT3, AT4, AT5)
	TAP6(SI, Y1, AT1, AT2, AT3, AT4, AT5, AT6)
	TAP6(SI, Y2, AT2, AT3, AT4, AT5, AT6, AT7)
	TAP6(R8, Y3, AT0, AT1, AT2, AT3, AT4, AT5)
	TAP6(R8, Y4, AT1, AT2, AT3, AT4, AT5, AT6)
	TAP6(R8, Y5, AT2, AT3, AT4, AT5, AT6, AT7)
	TAP6(R9, Y6, AT0, AT1, AT2, AT3, AT4, AT5)
	TAP6(R9, Y7, AT1, AT2, AT3, AT4, AT5, AT6)
	TAP6(R9, Y8, AT2, AT3, AT4, AT5, AT6, AT7)
	CLAMP6_STORE
	NEXT_GROUP(group6, done6)

done6:
	REWIND
	LEAQ (SI)(R10*4), SI
	LEAQ (SI)(R10*2), SI
	LEAQ (R8)(R10*4), R8
	LEAQ (R8)(R10*2), R8
	LEAQ (R9)(R10*4), R9
	LEAQ (R9)(R10*2), R9
	LEAQ (DI)(R10*4), DI
	LEAQ (DI)(R10*2), DI
	SUBQ $6, CX
	JMP  block6

single:
	// Four, then two, then one pixel: what is left is less than six.
	CMPQ CX, $4
	JLT  block2

group4:
	WEIGHTS
	BIAS4
	TAP4(SI, Y0, AT0, AT1, AT2, AT3)
	TAP4(SI, Y1, AT1, AT2, AT3, AT4)
	TAP4(SI, Y2, AT2, AT3, AT4, AT5)
	TAP4(R8, Y3, AT0, AT1, AT2, AT3)
	TAP4(R8, Y4, AT1, AT2, AT3, AT4)
	TAP4(R8, Y5, AT2, AT3, AT4, AT5)
	TAP4(R9, Y6, AT0, AT1, AT2, AT3)
	TAP4(R9, Y7, AT1, AT2, AT3, AT4)
	TAP4(R9, Y8, AT2, AT3, AT4, AT5)
	CLAMP4_STORE
	NEXT_GROUP(group4, done4)

done4:
	REWIND
	LEAQ (SI)(R10*4), SI
	LEAQ (R8)(R10*4), R8
	LEAQ (R9)(R10*4), R9
	LEAQ (DI)(R10*4), DI
	SUBQ $4, CX

block2:
	CMPQ CX, $2
	JLT  block1

group2:
	WEIGHTS
	BIAS2
	TAP2(SI, Y0, AT0, AT1)
	TAP2(SI, Y1, AT1, AT2)
	TAP2(SI, Y2, AT2, AT3)
	TAP2(R8, Y3, AT0, AT1)
	TAP2(R8, Y4, AT1, AT2)
	TAP2(R8, Y5, AT2, AT3)
	TAP2(R9, Y6, AT0, AT1)
	TAP2(R9, Y7, AT1, AT2)
	TAP2(R9, Y8, AT2, AT3)
	CLAMP2_STORE
	NEXT_GROUP(group2, done2)

done2:
	REWIND
	LEAQ (SI)(R10*2), SI
	LEAQ (R8)(R10*2), R8
	LEAQ (R9)(R10*2), R9
	LEAQ (DI)(R10*2), DI
	SUBQ $2, CX

block1:
	TESTQ CX, CX
	JZ    right

group1:
	WEIGHTS
	PIXEL(AT0, AT1, AT2)
	NEXT_GROUP(group1, done1)

done1:
	REWIND
	ADDQ R10, SI
	ADDQ R10, R8
	ADDQ R10, R9
	ADDQ R10, DI

right:
	// The right edge pixel: its kx = 0, 1 inputs are the row's last two.
	WEIGHTS
	ONE(Y0, Y1, Y3, Y4, Y6, Y7, AT0, AT1)
	NEXT_GROUP(right, done)

done:
	VZEROUPPER
	RET

// func dwconv3x3s2AVX2(dst, r0, r1, r2, w, bias *float32, ow, left, c, cn, cp, inside int, lo, hi float32)
TEXT ·dwconv3x3s2AVX2(SB), NOSPLIT, $16-104
	PROLOGUE
	CMPQ left+56(FP), $0
	JEQ  block6

left:
	// The left edge pixel: its kx = 1, 2 inputs are the row's first two.
	WEIGHTS
	ONE(Y1, Y2, Y4, Y5, Y7, Y8, AT0, AT1)
	NEXT_GROUP(left, leftdone)

leftdone:
	// The first interior pixel's kx=0 input is the left edge's kx=2 one.
	REWIND
	ADDQ R10, SI
	ADDQ R10, R8
	ADDQ R10, R9
	ADDQ R10, DI

block6:
	// for ; CX >= 6; CX -= 6: pixel j's kx input is 2j+kx pixels right
	CMPQ CX, $6
	JLT  single

group6:
	WEIGHTS
	BIAS6
	LEAQ (SI)(R10*8), AX
	TAP6(SI, Y0, AT0, AT2, AT4, AT6, AT8, AT10)
	TAP6(SI, Y1, AT1, AT3, AT5, AT7, AT9, AT11)
	TAP6(SI, Y2, AT2, AT4, AT6, AT8, AT10, AT12)
	LEAQ (R8)(R10*8), AX
	TAP6(R8, Y3, AT0, AT2, AT4, AT6, AT8, AT10)
	TAP6(R8, Y4, AT1, AT3, AT5, AT7, AT9, AT11)
	TAP6(R8, Y5, AT2, AT4, AT6, AT8, AT10, AT12)
	LEAQ (R9)(R10*8), AX
	TAP6(R9, Y6, AT0, AT2, AT4, AT6, AT8, AT10)
	TAP6(R9, Y7, AT1, AT3, AT5, AT7, AT9, AT11)
	TAP6(R9, Y8, AT2, AT4, AT6, AT8, AT10, AT12)
	CLAMP6_STORE
	NEXT_GROUP(group6, done6)

done6:
	REWIND
	LEAQ (SI)(R10*8), SI
	LEAQ (SI)(R10*4), SI
	LEAQ (R8)(R10*8), R8
	LEAQ (R8)(R10*4), R8
	LEAQ (R9)(R10*8), R9
	LEAQ (R9)(R10*4), R9
	LEAQ (DI)(R10*4), DI
	LEAQ (DI)(R10*2), DI
	SUBQ $6, CX
	JMP  block6

single:
	// Four, then two, then one pixel: what is left is less than six.
	CMPQ CX, $4
	JLT  block2

group4:
	WEIGHTS
	BIAS4
	TAP4(SI, Y0, AT0, AT2, AT4, AT6)
	TAP4(SI, Y1, AT1, AT3, AT5, AT7)
	TAP4(SI, Y2, AT2, AT4, AT6, AT8)
	TAP4(R8, Y3, AT0, AT2, AT4, AT6)
	TAP4(R8, Y4, AT1, AT3, AT5, AT7)
	TAP4(R8, Y5, AT2, AT4, AT6, AT8)
	TAP4(R9, Y6, AT0, AT2, AT4, AT6)
	TAP4(R9, Y7, AT1, AT3, AT5, AT7)
	TAP4(R9, Y8, AT2, AT4, AT6, AT8)
	CLAMP4_STORE
	NEXT_GROUP(group4, done4)

done4:
	REWIND
	LEAQ (SI)(R10*8), SI
	LEAQ (R8)(R10*8), R8
	LEAQ (R9)(R10*8), R9
	LEAQ (DI)(R10*4), DI
	SUBQ $4, CX

block2:
	CMPQ CX, $2
	JLT  block1

group2:
	WEIGHTS
	BIAS2
	TAP2(SI, Y0, AT0, AT2)
	TAP2(SI, Y1, AT1, AT3)
	TAP2(SI, Y2, AT2, AT4)
	TAP2(R8, Y3, AT0, AT2)
	TAP2(R8, Y4, AT1, AT3)
	TAP2(R8, Y5, AT2, AT4)
	TAP2(R9, Y6, AT0, AT2)
	TAP2(R9, Y7, AT1, AT3)
	TAP2(R9, Y8, AT2, AT4)
	CLAMP2_STORE
	NEXT_GROUP(group2, done2)

done2:
	REWIND
	LEAQ (SI)(R10*4), SI
	LEAQ (R8)(R10*4), R8
	LEAQ (R9)(R10*4), R9
	LEAQ (DI)(R10*2), DI
	SUBQ $2, CX

block1:
	TESTQ CX, CX
	JZ    right

group1:
	WEIGHTS
	PIXEL(AT0, AT1, AT2)
	NEXT_GROUP(group1, done1)

done1:
	REWIND
	LEAQ (SI)(R10*2), SI
	LEAQ (R8)(R10*2), R8
	LEAQ (R9)(R10*2), R9
	ADDQ R10, DI

right:
	// The right edge pixel: its kx = 0, 1 inputs are the row's last two.
	WEIGHTS
	ONE(Y0, Y1, Y3, Y4, Y6, Y7, AT0, AT1)
	NEXT_GROUP(right, done)

done:
	VZEROUPPER
	RET
