//go:build !noasm

#include "textflag.h"

// gemm14x32AVX512, gemm14x16AVX512: two tiles (32 output channels) or one
// tile (16) of a 1x1 convolution over a run of pixels, fourteen at a time
// (then 7, 4, 2, 1), with bias, clamp and residual add fused. The K-mask
// registers store only the first cn channels. Every pixel sums its input
// channels in the same order whatever the size of its block, so results do
// not depend on how pixels are split (and equal those of gemm6x16AVX2).
//
// Register map (ABI0: arguments on the stack; every register but SP and BP
// is scratch, R14 and X15 included; R15 is free as nothing here is global):
//	DI	dst at the current block's first pixel, at the first channel
//	SI	src at the current block's first pixel
//	R8	res at the current block's first pixel, or nil
//	CX	pixels still to do
//	R9	cin*4: the row stride of src in bytes; R10 = 3*R9, R11 = 5*R9
//	R15	cin*64: from tile A's weights to tile B's
//	BX	cout*4: the row stride of dst in bytes
//	R12	cout*4 too: the row stride of res
//	DX	running weight pointer into tile A
//	R13, R14	running src pointers at rows 0 and 7 of the block; in the
//		epilogue, the dst and res rows
//	AX	input channels still to do
//	K1, K2	the store masks of tiles A and B
//	Z0-Z27	accumulators: pixel r of the block holds tile A in Z(2r) and
//		tile B in Z(2r+1) (one tile: pixel r in Z(r))
//	Z28, Z29	the weights of tiles A and B for one input channel; then lo, hi
//	Z30, Z31	input broadcasts

// Row r of the block, at the running src pointers.
#define ROW0 (R13)
#define ROW1 (R13)(R9*1)
#define ROW2 (R13)(R9*2)
#define ROW3 (R13)(R10*1)
#define ROW4 (R13)(R9*4)
#define ROW5 (R13)(R11*1)
#define ROW6 (R13)(R10*2)
#define ROW7 (R14)
#define ROW8 (R14)(R9*1)
#define ROW9 (R14)(R9*2)
#define ROW10 (R14)(R10*1)
#define ROW11 (R14)(R9*4)
#define ROW12 (R14)(R11*1)
#define ROW13 (R14)(R10*2)

// FMA32 broadcasts the input at row into T and adds it times the weights
// Z28, Z29 to a0, a1.
#define FMA32(row, T, a0, a1) \
	VBROADCASTSS row, T; \
	VFMADD231PS  Z28, T, a0; \
	VFMADD231PS  Z29, T, a1

// FMA16 adds the input at row times the weights Z28 to a0.
#define FMA16(row, a0) \
	VFMADD231PS.BCST row, Z28, a0

// START32 loads the bias into Z0, Z1, points DX at the weights and R13 at
// the block's input, and sets the input-channel counter.
#define START32 \
	MOVQ    bias+24(FP), DX; \
	VMOVUPS (DX), Z0; \
	VMOVUPS 64(DX), Z1; \
	MOVQ    w+16(FP), DX; \
	MOVQ    SI, R13; \
	MOVQ    cin+48(FP), AX

// START16 is START32 for one tile.
#define START16 \
	MOVQ    bias+24(FP), DX; \
	VMOVUPS (DX), Z0; \
	MOVQ    w+16(FP), DX; \
	MOVQ    SI, R13; \
	MOVQ    cin+48(FP), AX

// ROW7_AT points R14 at row 7 of the block.
#define ROW7_AT \
	LEAQ (R13)(R10*2), R14; \
	ADDQ R9, R14

// PF is how far ahead the weights are prefetched, in bytes: PF/64 input
// channels.
#define PF 2048

// LOAD32, LOAD16 load the weights of the next input channel, and prefetch
// those PF/64 input channels on: the weights of the 7x7 layers and the head
// come from L3, in a stream that the hardware prefetchers do not run far
// enough ahead of.
#define LOAD32 \
	PREFETCHT0 PF(DX); \
	PREFETCHT0 PF(DX)(R15*1); \
	VMOVUPS    (DX), Z28; \
	VMOVUPS    (DX)(R15*1), Z29; \
	ADDQ       $64, DX

#define LOAD16 \
	PREFETCHT0 PF(DX); \
	VMOVUPS    (DX), Z28; \
	ADDQ       $64, DX

// EPILOGUE loads lo, hi into Z28, Z29 and points R13, R14 at the block's
// dst and res rows.
#define EPILOGUE \
	VBROADCASTSS lo+72(FP), Z28; \
	VBROADCASTSS hi+76(FP), Z29; \
	MOVQ         DI, R13; \
	MOVQ         R8, R14

// CLAMP clamps a to [Z28, Z29].
#define CLAMP(a) \
	VMAXPS Z28, a, a; \
	VMINPS Z29, a, a

// STORE32 clamps a0, a1, adds a row of the residual, stores the lanes of
// the masks and moves to the next row. The masked residual loads do not
// fault on the lanes past cout.
#define STORE32(a0, a1) \
	CLAMP(a0); \
	CLAMP(a1); \
	VADDPS  (R14), a0, K1, a0; \
	VADDPS  64(R14), a1, K2, a1; \
	VMOVUPS a0, K1, (R13); \
	VMOVUPS a1, K2, 64(R13); \
	ADDQ    BX, R13; \
	ADDQ    R12, R14

// STORE32_NORES is STORE32 without a residual.
#define STORE32_NORES(a0, a1) \
	CLAMP(a0); \
	CLAMP(a1); \
	VMOVUPS a0, K1, (R13); \
	VMOVUPS a1, K2, 64(R13); \
	ADDQ    BX, R13

// STORE16, STORE16_NORES are STORE32, STORE32_NORES for one tile.
#define STORE16(a) \
	CLAMP(a); \
	VADDPS  (R14), a, K1, a; \
	VMOVUPS a, K1, (R13); \
	ADDQ    BX, R13; \
	ADDQ    R12, R14

#define STORE16_NORES(a) \
	CLAMP(a); \
	VMOVUPS a, K1, (R13); \
	ADDQ    BX, R13

// NEXT moves DI and R8 past the block's n pixels, to where the stores left
// R13 and R14, and counts the pixels done; SI is moved after it.
#define NEXT(n) \
	MOVQ R13, DI; \
	MOVQ R14, R8; \
	SUBQ $n, CX

// PROLOGUE loads the store masks of the first cn channels, (1<<cn)-1 split
// into K1 (tile A) and K2 (tile B), then the strides and pointers.
#define PROLOGUE \
	MOVQ  cn+64(FP), CX; \
	MOVQ  $1, AX; \
	SHLQ  CX, AX; \
	DECQ  AX; \
	KMOVW AX, K1; \
	SHRQ  $16, AX; \
	KMOVW AX, K2; \
	MOVQ  dst+0(FP), DI; \
	MOVQ  src+8(FP), SI; \
	MOVQ  res+32(FP), R8; \
	MOVQ  pixels+40(FP), CX; \
	MOVQ  cin+48(FP), R9; \
	MOVQ  R9, R15; \
	SHLQ  $6, R15; \
	SHLQ  $2, R9; \
	LEAQ  (R9)(R9*2), R10; \
	LEAQ  (R9)(R9*4), R11; \
	MOVQ  cout+56(FP), BX; \
	SHLQ  $2, BX; \
	MOVQ  BX, R12

// func gemm14x32AVX512(dst, src, w, bias, res *float32, pixels, cin, cout, cn int, lo, hi float32)
TEXT ·gemm14x32AVX512(SB), NOSPLIT, $0-80
	PROLOGUE

block14:
	// for ; pixels >= 14; pixels -= 14
	CMPQ    CX, $14
	JLT     block7
	START32
	ROW7_AT
	VMOVAPS Z0, Z2
	VMOVAPS Z1, Z3
	VMOVAPS Z0, Z4
	VMOVAPS Z1, Z5
	VMOVAPS Z0, Z6
	VMOVAPS Z1, Z7
	VMOVAPS Z0, Z8
	VMOVAPS Z1, Z9
	VMOVAPS Z0, Z10
	VMOVAPS Z1, Z11
	VMOVAPS Z0, Z12
	VMOVAPS Z1, Z13
	VMOVAPS Z0, Z14
	VMOVAPS Z1, Z15
	VMOVAPS Z0, Z16
	VMOVAPS Z1, Z17
	VMOVAPS Z0, Z18
	VMOVAPS Z1, Z19
	VMOVAPS Z0, Z20
	VMOVAPS Z1, Z21
	VMOVAPS Z0, Z22
	VMOVAPS Z1, Z23
	VMOVAPS Z0, Z24
	VMOVAPS Z1, Z25
	VMOVAPS Z0, Z26
	VMOVAPS Z1, Z27

loop14:
	// for i := range cin: acc[r] += src[r][i] * w[i]
	LOAD32
	FMA32(ROW0, Z30, Z0, Z1)
	FMA32(ROW1, Z31, Z2, Z3)
	FMA32(ROW2, Z30, Z4, Z5)
	FMA32(ROW3, Z31, Z6, Z7)
	FMA32(ROW4, Z30, Z8, Z9)
	FMA32(ROW5, Z31, Z10, Z11)
	FMA32(ROW6, Z30, Z12, Z13)
	FMA32(ROW7, Z31, Z14, Z15)
	FMA32(ROW8, Z30, Z16, Z17)
	FMA32(ROW9, Z31, Z18, Z19)
	FMA32(ROW10, Z30, Z20, Z21)
	FMA32(ROW11, Z31, Z22, Z23)
	FMA32(ROW12, Z30, Z24, Z25)
	FMA32(ROW13, Z31, Z26, Z27)
	ADDQ $4, R13
	ADDQ $4, R14
	DECQ AX
	JNZ  loop14

	EPILOGUE
	TESTQ R8, R8
	JZ    nores14
	STORE32(Z0, Z1)
	STORE32(Z2, Z3)
	STORE32(Z4, Z5)
	STORE32(Z6, Z7)
	STORE32(Z8, Z9)
	STORE32(Z10, Z11)
	STORE32(Z12, Z13)
	STORE32(Z14, Z15)
	STORE32(Z16, Z17)
	STORE32(Z18, Z19)
	STORE32(Z20, Z21)
	STORE32(Z22, Z23)
	STORE32(Z24, Z25)
	STORE32(Z26, Z27)
	JMP  next14

nores14:
	STORE32_NORES(Z0, Z1)
	STORE32_NORES(Z2, Z3)
	STORE32_NORES(Z4, Z5)
	STORE32_NORES(Z6, Z7)
	STORE32_NORES(Z8, Z9)
	STORE32_NORES(Z10, Z11)
	STORE32_NORES(Z12, Z13)
	STORE32_NORES(Z14, Z15)
	STORE32_NORES(Z16, Z17)
	STORE32_NORES(Z18, Z19)
	STORE32_NORES(Z20, Z21)
	STORE32_NORES(Z22, Z23)
	STORE32_NORES(Z24, Z25)
	STORE32_NORES(Z26, Z27)

next14:
	NEXT(14)
	LEAQ (SI)(R9*8), SI
	LEAQ (SI)(R11*1), SI
	ADDQ R9, SI
	JMP  block14

block7:
	CMPQ    CX, $7
	JLT     block4
	START32
	VMOVAPS Z0, Z2
	VMOVAPS Z1, Z3
	VMOVAPS Z0, Z4
	VMOVAPS Z1, Z5
	VMOVAPS Z0, Z6
	VMOVAPS Z1, Z7
	VMOVAPS Z0, Z8
	VMOVAPS Z1, Z9
	VMOVAPS Z0, Z10
	VMOVAPS Z1, Z11
	VMOVAPS Z0, Z12
	VMOVAPS Z1, Z13

loop7:
	LOAD32
	FMA32(ROW0, Z30, Z0, Z1)
	FMA32(ROW1, Z31, Z2, Z3)
	FMA32(ROW2, Z30, Z4, Z5)
	FMA32(ROW3, Z31, Z6, Z7)
	FMA32(ROW4, Z30, Z8, Z9)
	FMA32(ROW5, Z31, Z10, Z11)
	FMA32(ROW6, Z30, Z12, Z13)
	ADDQ $4, R13
	DECQ AX
	JNZ  loop7

	EPILOGUE
	TESTQ R8, R8
	JZ    nores7
	STORE32(Z0, Z1)
	STORE32(Z2, Z3)
	STORE32(Z4, Z5)
	STORE32(Z6, Z7)
	STORE32(Z8, Z9)
	STORE32(Z10, Z11)
	STORE32(Z12, Z13)
	JMP  next7

nores7:
	STORE32_NORES(Z0, Z1)
	STORE32_NORES(Z2, Z3)
	STORE32_NORES(Z4, Z5)
	STORE32_NORES(Z6, Z7)
	STORE32_NORES(Z8, Z9)
	STORE32_NORES(Z10, Z11)
	STORE32_NORES(Z12, Z13)

next7:
	NEXT(7)
	LEAQ (SI)(R10*2), SI
	ADDQ R9, SI

block4:
	CMPQ    CX, $4
	JLT     block2
	START32
	VMOVAPS Z0, Z2
	VMOVAPS Z1, Z3
	VMOVAPS Z0, Z4
	VMOVAPS Z1, Z5
	VMOVAPS Z0, Z6
	VMOVAPS Z1, Z7

loop4:
	LOAD32
	FMA32(ROW0, Z30, Z0, Z1)
	FMA32(ROW1, Z31, Z2, Z3)
	FMA32(ROW2, Z30, Z4, Z5)
	FMA32(ROW3, Z31, Z6, Z7)
	ADDQ $4, R13
	DECQ AX
	JNZ  loop4

	EPILOGUE
	TESTQ R8, R8
	JZ    nores4
	STORE32(Z0, Z1)
	STORE32(Z2, Z3)
	STORE32(Z4, Z5)
	STORE32(Z6, Z7)
	JMP  next4

nores4:
	STORE32_NORES(Z0, Z1)
	STORE32_NORES(Z2, Z3)
	STORE32_NORES(Z4, Z5)
	STORE32_NORES(Z6, Z7)

next4:
	NEXT(4)
	LEAQ (SI)(R9*4), SI

block2:
	CMPQ    CX, $2
	JLT     block1
	START32
	VMOVAPS Z0, Z2
	VMOVAPS Z1, Z3

loop2:
	LOAD32
	FMA32(ROW0, Z30, Z0, Z1)
	FMA32(ROW1, Z31, Z2, Z3)
	ADDQ $4, R13
	DECQ AX
	JNZ  loop2

	EPILOGUE
	TESTQ R8, R8
	JZ    nores2
	STORE32(Z0, Z1)
	STORE32(Z2, Z3)
	JMP  next2

nores2:
	STORE32_NORES(Z0, Z1)
	STORE32_NORES(Z2, Z3)

next2:
	NEXT(2)
	LEAQ (SI)(R9*2), SI

block1:
	CMPQ CX, $1
	JLT  done
	START32

loop1:
	LOAD32
	FMA32(ROW0, Z30, Z0, Z1)
	ADDQ $4, R13
	DECQ AX
	JNZ  loop1

	EPILOGUE
	TESTQ R8, R8
	JZ    nores1
	STORE32(Z0, Z1)
	JMP   done

nores1:
	STORE32_NORES(Z0, Z1)

done:
	VZEROUPPER
	RET

// func gemm14x16AVX512(dst, src, w, bias, res *float32, pixels, cin, cout, cn int, lo, hi float32)
TEXT ·gemm14x16AVX512(SB), NOSPLIT, $0-80
	PROLOGUE

block14:
	CMPQ    CX, $14
	JLT     block7
	START16
	ROW7_AT
	VMOVAPS Z0, Z1
	VMOVAPS Z0, Z2
	VMOVAPS Z0, Z3
	VMOVAPS Z0, Z4
	VMOVAPS Z0, Z5
	VMOVAPS Z0, Z6
	VMOVAPS Z0, Z7
	VMOVAPS Z0, Z8
	VMOVAPS Z0, Z9
	VMOVAPS Z0, Z10
	VMOVAPS Z0, Z11
	VMOVAPS Z0, Z12
	VMOVAPS Z0, Z13

loop14:
	LOAD16
	FMA16(ROW0, Z0)
	FMA16(ROW1, Z1)
	FMA16(ROW2, Z2)
	FMA16(ROW3, Z3)
	FMA16(ROW4, Z4)
	FMA16(ROW5, Z5)
	FMA16(ROW6, Z6)
	FMA16(ROW7, Z7)
	FMA16(ROW8, Z8)
	FMA16(ROW9, Z9)
	FMA16(ROW10, Z10)
	FMA16(ROW11, Z11)
	FMA16(ROW12, Z12)
	FMA16(ROW13, Z13)
	ADDQ $4, R13
	ADDQ $4, R14
	DECQ AX
	JNZ  loop14

	EPILOGUE
	TESTQ R8, R8
	JZ    nores14
	STORE16(Z0)
	STORE16(Z1)
	STORE16(Z2)
	STORE16(Z3)
	STORE16(Z4)
	STORE16(Z5)
	STORE16(Z6)
	STORE16(Z7)
	STORE16(Z8)
	STORE16(Z9)
	STORE16(Z10)
	STORE16(Z11)
	STORE16(Z12)
	STORE16(Z13)
	JMP  next14

nores14:
	STORE16_NORES(Z0)
	STORE16_NORES(Z1)
	STORE16_NORES(Z2)
	STORE16_NORES(Z3)
	STORE16_NORES(Z4)
	STORE16_NORES(Z5)
	STORE16_NORES(Z6)
	STORE16_NORES(Z7)
	STORE16_NORES(Z8)
	STORE16_NORES(Z9)
	STORE16_NORES(Z10)
	STORE16_NORES(Z11)
	STORE16_NORES(Z12)
	STORE16_NORES(Z13)

next14:
	NEXT(14)
	LEAQ (SI)(R9*8), SI
	LEAQ (SI)(R11*1), SI
	ADDQ R9, SI
	JMP  block14

block7:
	CMPQ    CX, $7
	JLT     block4
	START16
	VMOVAPS Z0, Z1
	VMOVAPS Z0, Z2
	VMOVAPS Z0, Z3
	VMOVAPS Z0, Z4
	VMOVAPS Z0, Z5
	VMOVAPS Z0, Z6

loop7:
	LOAD16
	FMA16(ROW0, Z0)
	FMA16(ROW1, Z1)
	FMA16(ROW2, Z2)
	FMA16(ROW3, Z3)
	FMA16(ROW4, Z4)
	FMA16(ROW5, Z5)
	FMA16(ROW6, Z6)
	ADDQ $4, R13
	DECQ AX
	JNZ  loop7

	EPILOGUE
	TESTQ R8, R8
	JZ    nores7
	STORE16(Z0)
	STORE16(Z1)
	STORE16(Z2)
	STORE16(Z3)
	STORE16(Z4)
	STORE16(Z5)
	STORE16(Z6)
	JMP  next7

nores7:
	STORE16_NORES(Z0)
	STORE16_NORES(Z1)
	STORE16_NORES(Z2)
	STORE16_NORES(Z3)
	STORE16_NORES(Z4)
	STORE16_NORES(Z5)
	STORE16_NORES(Z6)

next7:
	NEXT(7)
	LEAQ (SI)(R10*2), SI
	ADDQ R9, SI

block4:
	CMPQ    CX, $4
	JLT     block2
	START16
	VMOVAPS Z0, Z1
	VMOVAPS Z0, Z2
	VMOVAPS Z0, Z3

loop4:
	LOAD16
	FMA16(ROW0, Z0)
	FMA16(ROW1, Z1)
	FMA16(ROW2, Z2)
	FMA16(ROW3, Z3)
	ADDQ $4, R13
	DECQ AX
	JNZ  loop4

	EPILOGUE
	TESTQ R8, R8
	JZ    nores4
	STORE16(Z0)
	STORE16(Z1)
	STORE16(Z2)
	STORE16(Z3)
	JMP  next4

nores4:
	STORE16_NORES(Z0)
	STORE16_NORES(Z1)
	STORE16_NORES(Z2)
	STORE16_NORES(Z3)

next4:
	NEXT(4)
	LEAQ (SI)(R9*4), SI

block2:
	CMPQ    CX, $2
	JLT     block1
	START16
	VMOVAPS Z0, Z1

loop2:
	LOAD16
	FMA16(ROW0, Z0)
	FMA16(ROW1, Z1)
	ADDQ $4, R13
	DECQ AX
	JNZ  loop2

	EPILOGUE
	TESTQ R8, R8
	JZ    nores2
	STORE16(Z0)
	STORE16(Z1)
	JMP  next2

nores2:
	STORE16_NORES(Z0)
	STORE16_NORES(Z1)

next2:
	NEXT(2)
	LEAQ (SI)(R9*2), SI

block1:
	CMPQ CX, $1
	JLT  done
	START16

loop1:
	LOAD16
	FMA16(ROW0, Z0)
	ADDQ $4, R13
	DECQ AX
	JNZ  loop1

	EPILOGUE
	TESTQ R8, R8
	JZ    nores1
	STORE16(Z0)
	JMP   done

nores1:
	STORE16_NORES(Z0)

done:
	VZEROUPPER
	RET
