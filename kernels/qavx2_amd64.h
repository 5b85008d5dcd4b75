// The requantization of the AVX2 8-bit kernels, shared by qgemm16AVX2 and
// qgemm6x16AVXVNNI. It reads the biases at BX and the table of
// requantTable at R14, uses Y12 and Y13, and needs 2^30 in each 64-bit
// lane of Y15.

// REQUANT turns the 8 sums in v (outputs off/4 .. off/4+7 of the tile) into
// int32 outputs less the zero point, with TFLite's two roundings:
//	v = RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(v << left, mult), right)
// The doubling high product is floor((v*mult + 2^30) / 2^31) (the one
// saturating case needs mult == -2^31, which a multiplier never is): the
// 64-bit products of even and odd lanes, nudged by 2^30; the even ones
// shifted right by 31 (a logical shift leaves the same low 32 bits as an
// arithmetic one), the odd ones doubled, which puts the same 32 bits in
// their high half. The rounding shift, ties away from zero, is
// (v + 2^(right-1) - (v < 0)) >> right for right > 0, and v for right 0:
// (v < 0) is taken as min(v >>> 31, 2^right - 1).
#define REQUANT(v, off) \
	VPADDD       off(BX), v, v; \
	VPSLLVD      (64+off)(R14), v, v; \
	VPMULDQ      off(R14), v, Y13; \
	VPSHUFD      $0xF5, off(R14), Y12; \
	VPSRLQ       $32, v, v; \
	VPMULDQ      Y12, v, v; \
	VPADDQ       Y15, Y13, Y13; \
	VPADDQ       Y15, v, v; \
	VPSRLQ       $31, Y13, Y13; \
	VPADDQ       v, v, v; \
	VPBLENDD     $0xAA, v, Y13, v; \
	VPSRLD       $31, v, Y12; \
	VPMINUD      (192+off)(R14), Y12, Y12; \
	VPSUBD       Y12, v, v; \
	VPADDD       (320+off)(R14), v, v; \
	VPSRAVD      (128+off)(R14), v, v
