//go:build !noasm

#include "textflag.h"

// dwconv3x3s1AVX2, dwconv3x3s2AVX2: one output row of a 3x3 depthwise
// convolution, stride 1 or 2, with bias and clamp fused. Channels are in
// vector lanes, 8 at a time; the channel groups are the outer loop so that a
// group's nine taps of weights stay in registers along the row. A last group
// of c%8 channels is done as the group of the last 8 channels, overlapping
// the one before (same values written twice). Along the row: a left edge
// pixel without its kx=0 taps (if left), the interior four then one pixel
// at a time, and a right edge pixel without its kx=2 taps. A missing input
// row (TF SAME padding at the top or bottom) has its weights zeroed, and the
// caller points it at the centre row.
//
// Register map (ABI0: arguments on the stack; every register but SP and BP
// is scratch, R14 and X15 included; R15 is left alone for dynamic linking):
//	DX	the group's first channel, in bytes
//	DI	running dst pointer: the output pixel, at the group
//	SI, R8, R9	running pointers into input rows 0, 1, 2: the kx=0 input of the output pixel
//	R10	c*4: the pixel stride of src and dst in bytes; R11 = 3*R10, R12 = 5*R10, R13 = 7*R10
//	R14	cp*4: the tap stride of w in bytes
//	CX	interior pixels still to do
//	AX, BX	scratch
//	Y0-Y8	the group's weights, tap ky*3+kx in Y(ky*3+kx)
//	Y9	the group's bias
//	Y10, Y11	lo, hi
//	Y12-Y15	accumulators of four output pixels

// AT<m>(P) addresses the input m pixels to the right of P.
#define AT0(P) (P)
#define AT1(P) (P)(R10*1)
#define AT2(P) (P)(R10*2)
#define AT3(P) (P)(R11*1)
#define AT4(P) (P)(R10*4)
#define AT5(P) (P)(R12*1)
#define AT6(P) (P)(R11*2)
#define AT7(P) (P)(R13*1)
#define AT8(P) (P)(R10*8)

// PIXEL sums bias and the nine taps of one output pixel into acc, whose kx
// = 0, 1, 2 inputs are K0, K1, K2 pixels right of the running pointers.
#define PIXEL(acc, K0, K1, K2) \
	VMOVAPS     Y9, acc; \
	VFMADD231PS K0(SI), Y0, acc; \
	VFMADD231PS K1(SI), Y1, acc; \
	VFMADD231PS K2(SI), Y2, acc; \
	VFMADD231PS K0(R8), Y3, acc; \
	VFMADD231PS K1(R8), Y4, acc; \
	VFMADD231PS K2(R8), Y5, acc; \
	VFMADD231PS K0(R9), Y6, acc; \
	VFMADD231PS K1(R9), Y7, acc; \
	VFMADD231PS K2(R9), Y8, acc

// CLAMP_STORE clamps acc to [lo, hi] and stores it at dst.
#define CLAMP_STORE(acc, dst) \
	VMAXPS  Y10, acc, acc; \
	VMINPS  Y11, acc, acc; \
	VMOVUPS acc, dst

// GROUP_START loads the weights and bias of the group at DX, zeroing the
// weights of missing rows, and points the running pointers at the group's
// channels of the row's first pixel.
#define GROUP_START \
	MOVQ    w+32(FP), BX; \
	ADDQ    DX, BX; \
	VMOVUPS (BX), Y0; \
	VMOVUPS (BX)(R14*1), Y1; \
	VMOVUPS (BX)(R14*2), Y2; \
	LEAQ    (BX)(R14*2), BX; \
	ADDQ    R14, BX; \
	VMOVUPS (BX), Y3; \
	VMOVUPS (BX)(R14*1), Y4; \
	VMOVUPS (BX)(R14*2), Y5; \
	LEAQ    (BX)(R14*2), BX; \
	ADDQ    R14, BX; \
	VMOVUPS (BX), Y6; \
	VMOVUPS (BX)(R14*1), Y7; \
	VMOVUPS (BX)(R14*2), Y8; \
	MOVQ    rows+80(FP), AX; \
	TESTQ   $1, AX; \
	JNZ     row0; \
	VXORPS  Y0, Y0, Y0; \
	VXORPS  Y1, Y1, Y1; \
	VXORPS  Y2, Y2, Y2; \
row0: \
	TESTQ  $4, AX; \
	JNZ    row2; \
	VXORPS Y6, Y6, Y6; \
	VXORPS Y7, Y7, Y7; \
	VXORPS Y8, Y8, Y8; \
row2: \
	MOVQ    bias+40(FP), BX; \
	VMOVUPS (BX)(DX*1), Y9; \
	MOVQ    dst+0(FP), DI; \
	ADDQ    DX, DI; \
	MOVQ    r0+8(FP), SI; \
	ADDQ    DX, SI; \
	MOVQ    r1+16(FP), R8; \
	ADDQ    DX, R8; \
	MOVQ    r2+24(FP), R9; \
	ADDQ    DX, R9

// EDGES_START does the left edge pixel, if any: its kx = 1, 2 inputs are
// the first two of the row. It leaves CX the number of interior pixels.
#define EDGES_START \
	MOVQ        ow+48(FP), CX; \
	DECQ        CX; \
	CMPQ        left+56(FP), $0; \
	JEQ         interior; \
	DECQ        CX; \
	VMOVAPS     Y9, Y12; \
	VFMADD231PS (SI), Y1, Y12; \
	VFMADD231PS (SI)(R10*1), Y2, Y12; \
	VFMADD231PS (R8), Y4, Y12; \
	VFMADD231PS (R8)(R10*1), Y5, Y12; \
	VFMADD231PS (R9), Y7, Y12; \
	VFMADD231PS (R9)(R10*1), Y8, Y12; \
	CLAMP_STORE(Y12, (DI)); \
	ADDQ        R10, DI

// RIGHT_EDGE does the last pixel: its kx = 0, 1 inputs are at the running
// pointers. Then it moves DX to the next group, the last 8 channels if fewer
// than 8 are left, or jumps to done.
#define RIGHT_EDGE \
	VMOVAPS     Y9, Y12; \
	VFMADD231PS (SI), Y0, Y12; \
	VFMADD231PS (SI)(R10*1), Y1, Y12; \
	VFMADD231PS (R8), Y3, Y12; \
	VFMADD231PS (R8)(R10*1), Y4, Y12; \
	VFMADD231PS (R9), Y6, Y12; \
	VFMADD231PS (R9)(R10*1), Y7, Y12; \
	CLAMP_STORE(Y12, (DI)); \
	LEAQ        -32(R10), AX; \
	CMPQ        DX, AX; \
	JGE         done; \
	ADDQ        $32, DX; \
	CMPQ        DX, AX; \
	JLE         group; \
	MOVQ        AX, DX; \
	JMP         group

// PROLOGUE loads the strides and the clamp and starts at channel 0.
#define PROLOGUE \
	MOVQ         c+64(FP), R10; \
	SHLQ         $2, R10; \
	LEAQ         (R10)(R10*2), R11; \
	LEAQ         (R10)(R10*4), R12; \
	LEAQ         (R11)(R10*4), R13; \
	MOVQ         cp+72(FP), R14; \
	SHLQ         $2, R14; \
	VBROADCASTSS lo+88(FP), Y10; \
	VBROADCASTSS hi+92(FP), Y11; \
	XORQ         DX, DX

// func dwconv3x3s1AVX2(dst, r0, r1, r2, w, bias *float32, ow, left, c, cp, rows int, lo, hi float32)
TEXT ·dwconv3x3s1AVX2(SB), NOSPLIT, $0-96
	PROLOGUE

group:
	GROUP_START
	EDGES_START

interior:
	// for ; CX >= 4; CX -= 4: pixels j = 0..3 have inputs j+kx
	CMPQ CX, $4
	JLT  interior1
	PIXEL(Y12, AT0, AT1, AT2)
	PIXEL(Y13, AT1, AT2, AT3)
	PIXEL(Y14, AT2, AT3, AT4)
	PIXEL(Y15, AT3, AT4, AT5)
	CLAMP_STORE(Y12, (DI))
	CLAMP_STORE(Y13, (DI)(R10*1))
	CLAMP_STORE(Y14, (DI)(R10*2))
	CLAMP_STORE(Y15, (DI)(R11*1))
	LEAQ (SI)(R10*4), SI
	LEAQ (R8)(R10*4), R8
	LEAQ (R9)(R10*4), R9
	LEAQ (DI)(R10*4), DI
	SUBQ $4, CX
	JMP  interior

interior1:
	// for ; CX > 0; CX--
	TESTQ CX, CX
	JZ    right
	PIXEL(Y12, AT0, AT1, AT2)
	CLAMP_STORE(Y12, (DI))
	ADDQ  R10, SI
	ADDQ  R10, R8
	ADDQ  R10, R9
	ADDQ  R10, DI
	DECQ  CX
	JMP   interior1

right:
	RIGHT_EDGE

done:
	VZEROUPPER
	RET

// func dwconv3x3s2AVX2(dst, r0, r1, r2, w, bias *float32, ow, left, c, cp, rows int, lo, hi float32)
TEXT ·dwconv3x3s2AVX2(SB), NOSPLIT, $0-96
	PROLOGUE

group:
	GROUP_START
	EDGES_START

	// The first interior pixel's kx=0 input is the left edge's kx=2 one.
	ADDQ R10, SI
	ADDQ R10, R8
	ADDQ R10, R9

interior:
	// for ; CX >= 4; CX -= 4: pixels j = 0..3 have inputs 2j+kx
	CMPQ CX, $4
	JLT  interior1
	PIXEL(Y12, AT0, AT1, AT2)
	PIXEL(Y13, AT2, AT3, AT4)
	PIXEL(Y14, AT4, AT5, AT6)
	PIXEL(Y15, AT6, AT7, AT8)
	CLAMP_STORE(Y12, (DI))
	CLAMP_STORE(Y13, (DI)(R10*1))
	CLAMP_STORE(Y14, (DI)(R10*2))
	CLAMP_STORE(Y15, (DI)(R11*1))
	LEAQ (SI)(R10*8), SI
	LEAQ (R8)(R10*8), R8
	LEAQ (R9)(R10*8), R9
	LEAQ (DI)(R10*4), DI
	SUBQ $4, CX
	JMP  interior

interior1:
	// for ; CX > 0; CX--
	TESTQ CX, CX
	JZ    right
	PIXEL(Y12, AT0, AT1, AT2)
	CLAMP_STORE(Y12, (DI))
	LEAQ  (SI)(R10*2), SI
	LEAQ  (R8)(R10*2), R8
	LEAQ  (R9)(R10*2), R9
	ADDQ  R10, DI
	DECQ  CX
	JMP   interior1

right:
	RIGHT_EDGE

done:
	VZEROUPPER
	RET
