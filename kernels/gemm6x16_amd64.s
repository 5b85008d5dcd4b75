//go:build !noasm

#include "textflag.h"

// gemm6x16AVX2: one tile of 16 output channels of a 1x1 convolution over a
// run of pixels, six at a time (then 4, 2, 1), with bias, clamp and residual
// add fused. Every pixel sums its input channels in the same order whatever
// the size of its block, so results do not depend on how pixels are split.
//
// Register map (ABI0: arguments on the stack; every register but SP and BP
// is scratch, R14 and X15 included; R15 is left alone for dynamic linking):
//	DI	dst at the current block's first pixel, at the tile's first channel
//	SI	src at the current block's first pixel
//	R8	res at the current block's first pixel, or nil for no residual
//	CX	pixels still to do
//	R9	cin*4: the row stride of src in bytes; R10 = 3*R9, R11 = 5*R9
//	R12	cout*4: the row stride of dst in bytes
//	R14	cout*4 too: the row stride of res
//	DX	running weight pointer
//	R13	running src pointer, row 0 of the block
//	AX	input channels still to do; in the epilogue, the res row
//	BX	bias; in the epilogue, the dst row
//	R13	in the epilogue of a partial tile, its row of tailMask
//	Y0-Y11	accumulators: pixel r of the block holds channels 0-7 in Y(2r), 8-15 in Y(2r+1)
//	Y12, Y13	the 16 weights of one input channel; then lo, hi; then the store masks
//	Y14	an input broadcast; then half a row of the residual

// FMA_ROW adds the input at src times the weights in Y12, Y13 to a0, a1.
#define FMA_ROW(src, a0, a1) \
	VBROADCASTSS src, Y14; \
	VFMADD231PS  Y12, Y14, a0; \
	VFMADD231PS  Y13, Y14, a1

// LOAD_W loads the weights of the next input channel.
#define LOAD_W \
	VMOVUPS (DX), Y12; \
	VMOVUPS 32(DX), Y13; \
	ADDQ    $64, DX

// START loads the bias into Y0, Y1, points DX at the weights and R13 at the
// block's input, and sets the input-channel counter.
#define START \
	MOVQ    bias+24(FP), BX; \
	VMOVUPS (BX), Y0; \
	VMOVUPS 32(BX), Y1; \
	MOVQ    w+16(FP), DX; \
	MOVQ    SI, R13; \
	MOVQ    cin+48(FP), AX

// CLAMP clamps a0, a1 to [Y12, Y13].
#define CLAMP(a0, a1) \
	VMAXPS Y12, a0, a0; \
	VMAXPS Y12, a1, a1; \
	VMINPS Y13, a0, a0; \
	VMINPS Y13, a1, a1

// EPILOGUE loads lo, hi into Y12, Y13 and points BX, AX at the block's dst
// and res rows. The stores that follow depend on the tile, full (cn = 16)
// or partial (masked), and on the residual, there or nil.
#define EPILOGUE \
	VBROADCASTSS lo+72(FP), Y12; \
	VBROADCASTSS hi+76(FP), Y13; \
	MOVQ         DI, BX; \
	MOVQ         R8, AX

// STORE adds a row of the residual to a0, a1, stores them, and moves to the
// next row.
#define STORE(a0, a1) \
	VADDPS  (AX), a0, a0; \
	VADDPS  32(AX), a1, a1; \
	VMOVUPS a0, (BX); \
	VMOVUPS a1, 32(BX); \
	ADDQ    R12, BX; \
	ADDQ    R14, AX

// STORE_NORES is STORE without a residual.
#define STORE_NORES(a0, a1) \
	VMOVUPS a0, (BX); \
	VMOVUPS a1, 32(BX); \
	ADDQ    R12, BX

// LOAD_MASKS loads the store masks of a partial tile of cn channels into
// Y12, Y13: tailMask[16-cn:][:16], whose first cn lanes are set.
#define LOAD_MASKS \
	MOVQ    cn+64(FP), DX; \
	NEGQ    DX; \
	LEAQ    ·tailMask+64(SB), R13; \
	LEAQ    (R13)(DX*4), R13; \
	VMOVDQU (R13), Y12; \
	VMOVDQU 32(R13), Y13

// STORE_MASKED is STORE for a partial tile: only the lanes of the masks are
// read and written.
#define STORE_MASKED(a0, a1) \
	VMASKMOVPS (AX), Y12, Y14; \
	VADDPS     Y14, a0, a0; \
	VMASKMOVPS 32(AX), Y13, Y14; \
	VADDPS     Y14, a1, a1; \
	VMASKMOVPS a0, Y12, (BX); \
	VMASKMOVPS a1, Y13, 32(BX); \
	ADDQ       R12, BX; \
	ADDQ       R14, AX

// STORE_MASKED_NORES is STORE_MASKED without a residual.
#define STORE_MASKED_NORES(a0, a1) \
	VMASKMOVPS a0, Y12, (BX); \
	VMASKMOVPS a1, Y13, 32(BX); \
	ADDQ       R12, BX

// func gemm6x16AVX2(dst, src, w, bias, res *float32, pixels, cin, cout, cn int, lo, hi float32)
TEXT ·gemm6x16AVX2(SB), NOSPLIT, $0-80
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ res+32(FP), R8
	MOVQ pixels+40(FP), CX
	MOVQ cin+48(FP), R9
	SHLQ $2, R9
	LEAQ (R9)(R9*2), R10
	LEAQ (R9)(R9*4), R11
	MOVQ cout+56(FP), R12
	SHLQ $2, R12
	MOVQ R12, R14

block6:
	// for ; pixels >= 6; pixels -= 6
	CMPQ    CX, $6
	JLT     block4
	START
	VMOVAPS Y0, Y2
	VMOVAPS Y1, Y3
	VMOVAPS Y0, Y4
	VMOVAPS Y1, Y5
	VMOVAPS Y0, Y6
	VMOVAPS Y1, Y7
	VMOVAPS Y0, Y8
	VMOVAPS Y1, Y9
	VMOVAPS Y0, Y10
	VMOVAPS Y1, Y11

loop6:
	// for i := range cin: acc[r] += src[r][i] * w[i]
	LOAD_W
	FMA_ROW((R13), Y0, Y1)
	FMA_ROW((R13)(R9*1), Y2, Y3)
	FMA_ROW((R13)(R9*2), Y4, Y5)
	FMA_ROW((R13)(R10*1), Y6, Y7)
	FMA_ROW((R13)(R9*4), Y8, Y9)
	FMA_ROW((R13)(R11*1), Y10, Y11)
	ADDQ $4, R13
	DECQ AX
	JNZ  loop6

	EPILOGUE
	CLAMP(Y0, Y1)
	CLAMP(Y2, Y3)
	CLAMP(Y4, Y5)
	CLAMP(Y6, Y7)
	CLAMP(Y8, Y9)
	CLAMP(Y10, Y11)
	CMPQ  cn+64(FP), $16
	JLT   masked6
	TESTQ R8, R8
	JZ    nores6
	STORE(Y0, Y1)
	STORE(Y2, Y3)
	STORE(Y4, Y5)
	STORE(Y6, Y7)
	STORE(Y8, Y9)
	STORE(Y10, Y11)
	JMP  next6

nores6:
	STORE_NORES(Y0, Y1)
	STORE_NORES(Y2, Y3)
	STORE_NORES(Y4, Y5)
	STORE_NORES(Y6, Y7)
	STORE_NORES(Y8, Y9)
	STORE_NORES(Y10, Y11)
	JMP  next6

masked6:
	LOAD_MASKS
	TESTQ R8, R8
	JZ    maskednores6
	STORE_MASKED(Y0, Y1)
	STORE_MASKED(Y2, Y3)
	STORE_MASKED(Y4, Y5)
	STORE_MASKED(Y6, Y7)
	STORE_MASKED(Y8, Y9)
	STORE_MASKED(Y10, Y11)
	JMP   next6

maskednores6:
	STORE_MASKED_NORES(Y0, Y1)
	STORE_MASKED_NORES(Y2, Y3)
	STORE_MASKED_NORES(Y4, Y5)
	STORE_MASKED_NORES(Y6, Y7)
	STORE_MASKED_NORES(Y8, Y9)
	STORE_MASKED_NORES(Y10, Y11)

next6:
	MOVQ BX, DI
	MOVQ AX, R8
	LEAQ (SI)(R11*1), SI
	ADDQ R9, SI
	SUBQ $6, CX
	JMP  block6

block4:
	CMPQ    CX, $4
	JLT     block2
	START
	VMOVAPS Y0, Y2
	VMOVAPS Y1, Y3
	VMOVAPS Y0, Y4
	VMOVAPS Y1, Y5
	VMOVAPS Y0, Y6
	VMOVAPS Y1, Y7

loop4:
	LOAD_W
	FMA_ROW((R13), Y0, Y1)
	FMA_ROW((R13)(R9*1), Y2, Y3)
	FMA_ROW((R13)(R9*2), Y4, Y5)
	FMA_ROW((R13)(R10*1), Y6, Y7)
	ADDQ $4, R13
	DECQ AX
	JNZ  loop4

	EPILOGUE
	CLAMP(Y0, Y1)
	CLAMP(Y2, Y3)
	CLAMP(Y4, Y5)
	CLAMP(Y6, Y7)
	CMPQ  cn+64(FP), $16
	JLT   masked4
	TESTQ R8, R8
	JZ    nores4
	STORE(Y0, Y1)
	STORE(Y2, Y3)
	STORE(Y4, Y5)
	STORE(Y6, Y7)
	JMP  next4

nores4:
	STORE_NORES(Y0, Y1)
	STORE_NORES(Y2, Y3)
	STORE_NORES(Y4, Y5)
	STORE_NORES(Y6, Y7)
	JMP  next4

masked4:
	LOAD_MASKS
	TESTQ R8, R8
	JZ    maskednores4
	STORE_MASKED(Y0, Y1)
	STORE_MASKED(Y2, Y3)
	STORE_MASKED(Y4, Y5)
	STORE_MASKED(Y6, Y7)
	JMP   next4

maskednores4:
	STORE_MASKED_NORES(Y0, Y1)
	STORE_MASKED_NORES(Y2, Y3)
	STORE_MASKED_NORES(Y4, Y5)
	STORE_MASKED_NORES(Y6, Y7)

next4:
	MOVQ BX, DI
	MOVQ AX, R8
	LEAQ (SI)(R9*4), SI
	SUBQ $4, CX

block2:
	CMPQ    CX, $2
	JLT     block1
	START
	VMOVAPS Y0, Y2
	VMOVAPS Y1, Y3

loop2:
	LOAD_W
	FMA_ROW((R13), Y0, Y1)
	FMA_ROW((R13)(R9*1), Y2, Y3)
	ADDQ $4, R13
	DECQ AX
	JNZ  loop2

	EPILOGUE
	CLAMP(Y0, Y1)
	CLAMP(Y2, Y3)
	CMPQ  cn+64(FP), $16
	JLT   masked2
	TESTQ R8, R8
	JZ    nores2
	STORE(Y0, Y1)
	STORE(Y2, Y3)
	JMP  next2

nores2:
	STORE_NORES(Y0, Y1)
	STORE_NORES(Y2, Y3)
	JMP  next2

masked2:
	LOAD_MASKS
	TESTQ R8, R8
	JZ    maskednores2
	STORE_MASKED(Y0, Y1)
	STORE_MASKED(Y2, Y3)
	JMP   next2

maskednores2:
	STORE_MASKED_NORES(Y0, Y1)
	STORE_MASKED_NORES(Y2, Y3)

next2:
	MOVQ BX, DI
	MOVQ AX, R8
	LEAQ (SI)(R9*2), SI
	SUBQ $2, CX

block1:
	CMPQ CX, $1
	JLT  done
	START

loop1:
	LOAD_W
	FMA_ROW((R13), Y0, Y1)
	ADDQ $4, R13
	DECQ AX
	JNZ  loop1

	EPILOGUE
	CLAMP(Y0, Y1)
	CMPQ  cn+64(FP), $16
	JLT   masked1
	TESTQ R8, R8
	JZ    nores1
	STORE(Y0, Y1)
	JMP  done

nores1:
	STORE_NORES(Y0, Y1)
	JMP  done

masked1:
	LOAD_MASKS
	TESTQ R8, R8
	JZ    maskednores1
	STORE_MASKED(Y0, Y1)
	JMP   done

maskednores1:
	STORE_MASKED_NORES(Y0, Y1)

done:
	VZEROUPPER
	RET
