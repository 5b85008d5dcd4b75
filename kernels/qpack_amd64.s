//go:build !noasm

#include "textflag.h"

// scatter64 are the offsets of the groups of 4 weights of one output
// channel in a tile packed for the VNNI GEMM: a group is 16 channels x 4
// bytes, 64 bytes.
DATA ·scatter64+0(SB)/4, $0
DATA ·scatter64+4(SB)/4, $64
DATA ·scatter64+8(SB)/4, $128
DATA ·scatter64+12(SB)/4, $192
DATA ·scatter64+16(SB)/4, $256
DATA ·scatter64+20(SB)/4, $320
DATA ·scatter64+24(SB)/4, $384
DATA ·scatter64+28(SB)/4, $448
DATA ·scatter64+32(SB)/4, $512
DATA ·scatter64+36(SB)/4, $576
DATA ·scatter64+40(SB)/4, $640
DATA ·scatter64+44(SB)/4, $704
DATA ·scatter64+48(SB)/4, $768
DATA ·scatter64+52(SB)/4, $832
DATA ·scatter64+56(SB)/4, $896
DATA ·scatter64+60(SB)/4, $960
GLOBL ·scatter64(SB), RODATA|NOPTR, $64

// func qpackRowAVX512(dst, row *uint8, cin int, zb, flip uint8, tailBytes uint64, tailGroups uint16, stats *uint32)
// 64 bytes of the row at a time (16 groups of 4): each byte less zb,
// scattered a group to each 64 bytes of dst; and over the bytes XORed with
// flip, their sum (vpsadbw), least and greatest (the tail's bytes under
// K1, its groups under K2).
//
//	DI dst; SI row; CX whole chunks still to do
//	Z0 the sum (8 64-bit lanes); Z1 the least, Z2 the greatest bytes
//	Z3 a chunk; Z4 it less zb; Z28 zb, Z29 flip in every byte;
//	Z30 scatter64; Z31 zeros
TEXT ·qpackRowAVX512(SB), NOSPLIT, $0-56
	MOVQ         dst+0(FP), DI
	MOVQ         row+8(FP), SI
	MOVQ         cin+16(FP), CX
	SHRQ         $6, CX
	MOVBLZX      zb+24(FP), AX
	VPBROADCASTB AX, Z28
	MOVBLZX      flip+25(FP), AX
	VPBROADCASTB AX, Z29
	VMOVDQU32    ·scatter64(SB), Z30
	VPXORD       Z31, Z31, Z31
	VPXORD       Z0, Z0, Z0
	VPTERNLOGD   $0xFF, Z1, Z1, Z1
	VPXORD       Z2, Z2, Z2
	TESTQ        CX, CX
	JZ           tail

chunk:
	VMOVDQU8    (SI), Z3
	VPSUBB      Z28, Z3, Z4
	KXNORW      K2, K2, K2
	VPSCATTERDD Z4, K2, (DI)(Z30*1)
	VPXORD      Z29, Z3, Z3
	VPMINUB     Z3, Z1, Z1
	VPMAXUB     Z3, Z2, Z2
	VPSADBW     Z31, Z3, Z3
	VPADDQ      Z3, Z0, Z0
	ADDQ        $64, SI
	ADDQ        $1024, DI
	DECQ        CX
	JNZ         chunk

tail:
	KMOVQ        tailBytes+32(FP), K1
	KORTESTQ     K1, K1
	JZ           reduce
	VMOVDQU8.Z   (SI), K1, Z3
	VPSUBB       Z28, Z3, Z4
	KMOVW        tailGroups+40(FP), K2
	VPSCATTERDD  Z4, K2, (DI)(Z30*1)
	VPXORD       Z29, Z3, Z3
	VMOVDQU8.Z   Z3, K1, Z3
	VPMINUB      Z3, Z1, K1, Z1
	VPMAXUB      Z3, Z2, K1, Z2
	VPSADBW      Z31, Z3, Z3
	VPADDQ       Z3, Z0, Z0

reduce:
	MOVQ          stats+48(FP), DI
	VEXTRACTI64X4 $1, Z0, Y3
	VPADDQ        Y3, Y0, Y0
	VEXTRACTI128  $1, Y0, X3
	VPADDQ        X3, X0, X0
	VPSHUFD       $0x4E, X0, X3
	VPADDQ        X3, X0, X0
	VMOVD         X0, (DI)
	VEXTRACTI64X4 $1, Z1, Y3
	VPMINUB       Y3, Y1, Y1
	VEXTRACTI128  $1, Y1, X3
	VPMINUB       X3, X1, X1
	VPSRLDQ       $8, X1, X3
	VPMINUB       X3, X1, X1
	VPSRLDQ       $4, X1, X3
	VPMINUB       X3, X1, X1
	VPSRLDQ       $2, X1, X3
	VPMINUB       X3, X1, X1
	VPSRLDQ       $1, X1, X3
	VPMINUB       X3, X1, X1
	VPEXTRB       $0, X1, AX
	MOVL          AX, 4(DI)
	VEXTRACTI64X4 $1, Z2, Y3
	VPMAXUB       Y3, Y2, Y2
	VEXTRACTI128  $1, Y2, X3
	VPMAXUB       X3, X2, X2
	VPSRLDQ       $8, X2, X3
	VPMAXUB       X3, X2, X2
	VPSRLDQ       $4, X2, X3
	VPMAXUB       X3, X2, X2
	VPSRLDQ       $2, X2, X3
	VPMAXUB       X3, X2, X2
	VPSRLDQ       $1, X2, X3
	VPMAXUB       X3, X2, X2
	VPEXTRB       $0, X2, AX
	MOVL          AX, 8(DI)
	VZEROUPPER
	RET

// func qgatherStemAVX512(rows, r0, r1, r2 *uint8, s0, s1, s2, n int)
// The 3 runs of 9 bytes of each of n stem pixels, at r0, r1, r2 (advancing
// by s0, s1, s2 a pixel), into rows of 28 bytes, under the mask of 9 bytes.
TEXT ·qgatherStemAVX512(SB), NOSPLIT, $0-64
	MOVQ  rows+0(FP), DI
	MOVQ  r0+8(FP), R8
	MOVQ  r1+16(FP), R9
	MOVQ  r2+24(FP), R10
	MOVQ  s0+32(FP), R11
	MOVQ  s1+40(FP), R12
	MOVQ  s2+48(FP), R13
	MOVQ  n+56(FP), CX
	MOVQ  $0x1FF, AX
	KMOVQ AX, K1
	TESTQ CX, CX
	JZ    done

pixel:
	VMOVDQU8.Z (R8), K1, X0
	VMOVDQU8.Z (R9), K1, X1
	VMOVDQU8.Z (R10), K1, X2
	VMOVDQU8   X0, K1, (DI)
	VMOVDQU8   X1, K1, 9(DI)
	VMOVDQU8   X2, K1, 18(DI)
	ADDQ       R11, R8
	ADDQ       R12, R9
	ADDQ       R13, R10
	ADDQ       $28, DI
	DECQ       CX
	JNZ        pixel

done:
	RET
