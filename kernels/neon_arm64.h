// NEON instructions that the Go arm64 assembler has no mnemonic for,
// encoded as WORDs, and the store helpers the kernels share.
//
// Arguments of the WORD macros are vector register numbers (8 for V8) and a
// lane index; they may be constant expressions such as (16+4*2), which the
// assembler folds. Every encoding is the A64 one for the instruction in the
// comment beside it, 128-bit vectors of four singles (Q = 1, sz = 0); each was
// checked against the GNU disassembler.

// fmla vd.4s, vn.4s, vm.s[i]: vd += vn * vm[i] (FMLA, by element).
// 0 Q 0 01111 1 sz L M Rm 0001 H 0 Rn Rd, with index i = H:L and register
// m = M:Rm.
#define FMLA_ELEM(vd, vn, vm, i) WORD $(0x4F801000 | (((i)&1)<<21) | (((vm)>>4)<<20) | (((vm)&15)<<16) | (((i)>>1)<<11) | ((vn)<<5) | (vd))

// fmul vd.4s, vn.4s, vm.s[i]: vd = vn * vm[i] (FMUL, by element), rounded
// apart from any addition. The fields are FMLA_ELEM's.
#define FMUL_ELEM(vd, vn, vm, i) WORD $(0x4F809000 | (((i)&1)<<21) | (((vm)>>4)<<20) | (((vm)&15)<<16) | (((i)>>1)<<11) | ((vn)<<5) | (vd))

// scvtf vd.4s, vn.4s: int32 lanes to singles. fcvtzs vd.4s, vn.4s: singles
// to int32, truncated.
#define SCVTF_S4(vd, vn) WORD $(0x4E21D800 | ((vn)<<5) | (vd))
#define FCVTZS_S4(vd, vn) WORD $(0x4EA1B800 | ((vn)<<5) | (vd))

// xtn vd.4h, vn.4s, xtn2 vd.8h, vn.4s (into the high half of vd) and xtn
// vd.8b, vn.8h: each lane's low half, narrowed.
#define XTN_H4(vd, vn) WORD $(0x0E612800 | ((vn)<<5) | (vd))
#define XTN2_H8(vd, vn) WORD $(0x4E612800 | ((vn)<<5) | (vd))
#define XTN_B8(vd, vn) WORD $(0x0E212800 | ((vn)<<5) | (vd))

// fadd vd.4s, vn.4s, vm.4s: vd = vn + vm.
#define FADD_S4(vd, vn, vm) WORD $(0x4E20D400 | ((vm)<<16) | ((vn)<<5) | (vd))

// fmax vd.4s, vn.4s, vm.4s: vd = max(vn, vm), NaN if either is NaN.
#define FMAX_S4(vd, vn, vm) WORD $(0x4E20F400 | ((vm)<<16) | ((vn)<<5) | (vd))

// fmin vd.4s, vn.4s, vm.4s: vd = min(vn, vm), NaN if either is NaN.
#define FMIN_S4(vd, vn, vm) WORD $(0x4EA0F400 | ((vm)<<16) | ((vn)<<5) | (vd))

// CLAMP_S4 clamps v to [vlo, vhi] as Go's min(max(v, lo), hi) does.
#define CLAMP_S4(v, vlo, vhi) FMAX_S4(v, v, vlo); FMIN_S4(v, v, vhi)

// CLAMP_ROW clamps the four vectors v .. v+3 (16 channels) to [vlo, vhi].
#define CLAMP_ROW(v, vlo, vhi) \
	CLAMP_S4(v, vlo, vhi) \
	CLAMP_S4((v+1), vlo, vhi) \
	CLAMP_S4((v+2), vlo, vhi) \
	CLAMP_S4((v+3), vlo, vhi)

// STORE_TAIL stores lanes [0, n) of the 16 lanes in a0..a3 (register names)
// to (p), for a register n with 1 <= n <= 15: 8, 4, 2 and 1 lanes as the bits
// of n say, moving the lanes left down into a0 after each store. It advances
// p and clobbers a0 and a1. The branches count instructions: each line below
// is one.
#define STORE_TAIL(a0, a1, a2, a3, n, p) \
	TBZ  $3, n, 4(PC) \
	VST1.P [a0.S4, a1.S4], 32(p) \
	VMOV a2.B16, a0.B16 \
	VMOV a3.B16, a1.B16 \
	TBZ  $2, n, 3(PC) \
	VST1.P [a0.S4], 16(p) \
	VMOV a1.B16, a0.B16 \
	TBZ  $1, n, 3(PC) \
	VST1.P [a0.S2], 8(p) \
	VEXT $8, a0.B16, a0.B16, a0.B16 \
	TBZ  $0, n, 2(PC) \
	VST1 a0.S[0], (p)
