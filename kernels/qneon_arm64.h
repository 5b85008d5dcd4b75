// The integer NEON instructions of the 8-bit kernels that the Go arm64
// assembler has no mnemonic for, encoded as WORDs, and the requantization
// they share. Arguments are vector register numbers (8 for V8) and lane
// indexes, constant expressions allowed; each encoding is the A64 one of the
// instruction beside it, checked against the LLVM disassembler.

// udot vd.4s, vn.16b, vm.4b[i]: each lane of vd += the dot product of its 4
// bytes of vn with bytes 4i..4i+3 of vm, all unsigned (the dot-product
// extension). Index i = H:L, m = M:Rm.
#define UDOT_ELEM(vd, vn, vm, i) WORD $(0x6F80E000 | (((i)&1)<<21) | ((vm)<<16) | (((i)>>1)<<11) | ((vn)<<5) | (vd))

// udot vd.4s, vn.16b, vm.16b: each lane of vd += the dot product of its 4
// bytes of vn and vm.
#define UDOT(vd, vn, vm) WORD $(0x6E809400 | ((vm)<<16) | ((vn)<<5) | (vd))

// smlal vd.4s, vn.4h, vm.h[i] and smlal2 (the high 4 lanes of vn): vd +=
// vn * vm[i], int16 to int32. vm is V0-V15; index i = H:L:M.
#define SMLAL_ELEM(vd, vn, vm, i) WORD $(0x0F402000 | (((i)>>2)<<11) | ((((i)>>1)&1)<<21) | (((i)&1)<<20) | ((vm)<<16) | ((vn)<<5) | (vd))
#define SMLAL2_ELEM(vd, vn, vm, i) WORD $(0x4F402000 | (((i)>>2)<<11) | ((((i)>>1)&1)<<21) | (((i)&1)<<20) | ((vm)<<16) | ((vn)<<5) | (vd))

// smlal vd.4s, vn.4h, vm.4h and smlal2 (the high halves): vd += vn * vm.
#define SMLAL(vd, vn, vm) WORD $(0x0E608000 | ((vm)<<16) | ((vn)<<5) | (vd))
#define SMLAL2(vd, vn, vm) WORD $(0x4E608000 | ((vm)<<16) | ((vn)<<5) | (vd))

// ssubl vd.8h, vn.8b, vm.8b and ssubl2 (the high 8 bytes): vd = vn - vm,
// signed bytes widened to int16; usubl, usubl2: the same of unsigned bytes.
#define SSUBL(vd, vn, vm) WORD $(0x0E202000 | ((vm)<<16) | ((vn)<<5) | (vd))
#define SSUBL2(vd, vn, vm) WORD $(0x4E202000 | ((vm)<<16) | ((vn)<<5) | (vd))
#define USUBL(vd, vn, vm) WORD $(0x2E202000 | ((vm)<<16) | ((vn)<<5) | (vd))
#define USUBL2(vd, vn, vm) WORD $(0x6E202000 | ((vm)<<16) | ((vn)<<5) | (vd))

// and vd.16b, vn.16b, vm.16b
#define AND_B16(vd, vn, vm) WORD $(0x4E201C00 | ((vm)<<16) | ((vn)<<5) | (vd))

// The int32x4 arithmetic (.4s): vd = vn op vm.
#define ADD_S4(vd, vn, vm) WORD $(0x4EA08400 | ((vm)<<16) | ((vn)<<5) | (vd))
#define SUB_S4(vd, vn, vm) WORD $(0x6EA08400 | ((vm)<<16) | ((vn)<<5) | (vd))
#define MUL_S4(vd, vn, vm) WORD $(0x4EA09C00 | ((vm)<<16) | ((vn)<<5) | (vd))
#define ADDP_S4(vd, vn, vm) WORD $(0x4EA0BC00 | ((vm)<<16) | ((vn)<<5) | (vd))
#define SMAX_S4(vd, vn, vm) WORD $(0x4EA06400 | ((vm)<<16) | ((vn)<<5) | (vd))
#define SMIN_S4(vd, vn, vm) WORD $(0x4EA06C00 | ((vm)<<16) | ((vn)<<5) | (vd))
// sshl: vn shifted left by vm (a negative vm shifts right), not saturating.
#define SSHL_S4(vd, vn, vm) WORD $(0x4EA04400 | ((vm)<<16) | ((vn)<<5) | (vd))
// srshl: as sshl, a right shift rounding half up (the rounding added exactly).
#define SRSHL_S4(vd, vn, vm) WORD $(0x4EA05400 | ((vm)<<16) | ((vn)<<5) | (vd))
// sqrdmulh: the high half of 2*vn*vm rounded half up, saturated.
#define SQRDMULH_S4(vd, vn, vm) WORD $(0x6EA0B400 | ((vm)<<16) | ((vn)<<5) | (vd))
#define SQADD_S4(vd, vn, vm) WORD $(0x4EA00C00 | ((vm)<<16) | ((vn)<<5) | (vd))
// sshr vd.4s, vn.4s, #31: each lane's sign, 0 or -1.
#define SSHR31_S4(vd, vn) WORD $(0x4F210400 | ((vn)<<5) | (vd))
#define NEG_S4(vd, vn) WORD $(0x6EA0B800 | ((vn)<<5) | (vd))
// mls vd.4s, vn.4s, vm.s[i]: vd -= vn * vm[i]. Index i = H:L, m = M:Rm.
#define MLS_ELEM_S4(vd, vn, vm, i) WORD $(0x6F804000 | (((i)&1)<<21) | ((vm)<<16) | (((i)>>1)<<11) | ((vn)<<5) | (vd))

// uzp1 vd.8h, vn.8h, vm.8h: the low halves of the int32 lanes of vn, then
// vm (a narrowing); uzp1 vd.16b: the low bytes of the int16 lanes.
#define UZP1_H8(vd, vn, vm) WORD $(0x4E401800 | ((vm)<<16) | ((vn)<<5) | (vd))
#define UZP1_B16(vd, vn, vm) WORD $(0x4E001800 | ((vm)<<16) | ((vn)<<5) | (vd))

// sqshrun vd.4h, vn.4s, #16 and sqshrun2 (into the high half of vd): the
// int32 lanes shifted right by 16 (arithmetic, no rounding) and saturated
// to uint16. uqxtn vd.8b, vn.8h: the uint16 lanes saturated to bytes.
#define SQSHRUN16_H4(vd, vn) WORD $(0x2F108400 | ((vn)<<5) | (vd))
#define SQSHRUN16_H8(vd, vn) WORD $(0x6F108400 | ((vn)<<5) | (vd))
#define UQXTN_B8(vd, vn) WORD $(0x2E214800 | ((vn)<<5) | (vd))

// mla vd.4s, vn.4s, vm.4s: vd += vn * vm, wrapping.
#define MLA_S4(vd, vn, vm) WORD $(0x4EA09400 | ((vm)<<16) | ((vn)<<5) | (vd))
// sshr vd.4s, vn.4s, #22: arithmetic shift right by 22.
#define SSHR22_S4(vd, vn) WORD $(0x4F2A0400 | ((vn)<<5) | (vd))
// sqxtun vd.4h, vn.4s: the int32 lanes saturated to uint16.
#define SQXTUN_H4(vd, vn) WORD $(0x2E612800 | ((vn)<<5) | (vd))

// uxtl vd.8h, vn.8b (ushll #0) and uxtl2: bytes widened to uint16.
#define UXTL_H8(vd, vn) WORD $(0x2F08A400 | ((vn)<<5) | (vd))
#define UXTL2_H8(vd, vn) WORD $(0x6F08A400 | ((vn)<<5) | (vd))

// REQUANT_S4 applies TFLite's MultiplyByQuantizedMultiplier to the int32
// lanes of v, with the multipliers in vmul, the left shifts in vleft and
// minus the right shifts in vright; t is scratch:
//	v = RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(v << left, mult), right)
// sqrdmulh is gemmlowp's SaturatingRoundingDoublingHighMul exactly (both
// round half up: gemmlowp's nudge of 1-2^30 for a negative product is the
// same as adding 2^30 and flooring). srshl rounds half up too, where
// RoundingDivideByPOT rounds half away from zero: subtracting 1 from a
// negative v first (saturating) moves its ties down and nothing else, as in
// gemmlowp's NEON code. vright is 0 for no right shift, and then so is the
// fixup.
#define REQUANT_S4(v, vmul, vleft, vright, t) \
	SSHL_S4(v, v, vleft) \
	SQRDMULH_S4(v, v, vmul) \
	AND_B16(t, v, vright) \
	SSHR31_S4(t, t) \
	SQADD_S4(v, v, t) \
	SRSHL_S4(v, v, vright)

// CLAMP_Q_S4 adds the output zero point vzero to the int32 lanes of v
// (wrapping, as int32 does in Go) and clamps to [vlo, vhi].
#define CLAMP_Q_S4(v, vzero, vlo, vhi) \
	ADD_S4(v, v, vzero) \
	SMAX_S4(v, v, vlo) \
	SMIN_S4(v, v, vhi)

// STORE_N stores the first n bytes of vector v (a register name) at p, for
// n (a register) in 1..15: 8, 4, 2 and 1 bytes as the bits of n say. It
// advances p and clobbers s0 and s1. The branches count instructions: each
// line below is one.
#define STORE_N(v, p, n, s0, s1) \
	VMOV   v.D[0], s0 \
	VMOV   v.D[1], s1 \
	TBZ    $3, n, 3(PC) \
	MOVD.P s0, 8(p) \
	MOVD   s1, s0 \
	TBZ    $2, n, 3(PC) \
	MOVW.P s0, 4(p) \
	LSR    $32, s0, s0 \
	TBZ    $1, n, 3(PC) \
	MOVH.P s0, 2(p) \
	LSR    $16, s0, s0 \
	TBZ    $0, n, 2(PC) \
	MOVB   s0, (p)
