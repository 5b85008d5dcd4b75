package kernels

// InverseDCT is the reduced inverse DCT of a JPEG block: from the 8x8
// dequantized coefficients coef (natural order), it writes sw x sh pixels
// (1 <= sw, sh <= 8) to out[y][x], y < sh and x < sw; the other bytes of out
// are unspecified. In float32,
//
//	t[v][x]   = sum over u < sw of coef[8v+u] * across[u][x]
//	out[y][x] = 128.5 + sum over v < sh of down[y][v] * t[v][x], clamped
//	            to [0, 255] and rounded down
//
// each sum taken in the order of its terms, so that every kernel set writes
// the same bytes (a zero term, which a set may skip, leaves a sum as it
// was). across[u][x] is the weight of coefficient column u in pixel column
// x, down[y][v] that of coefficient row v in pixel row y; both hold finite
// values throughout.
func InverseDCT(out *[8][8]byte, coef *[64]int32, across, down *[8][8]float32, sw, sh int) {
	if sw < 1 || sw > 8 || sh < 1 || sh > 8 {
		panic("kernels: InverseDCT: bad arguments")
	}
	active.idct(out, coef, across, down, sw, sh)
}

// idctGeneric computes each pass on eight lanes side by side, in variables,
// the lanes from sw on unused. Each product is converted to float32
// explicitly: that keeps the compiler from fusing it with the addition (as
// it does on arm64), which would round differently.
func idctGeneric(out *[8][8]byte, coef *[64]int32, across, down *[8][8]float32, sw, sh int) {
	var t [8][8]float32 // t[v][x]
	rows := 0
	for v := range sh {
		r := (*[8]int32)(coef[8*v : 8*v+8])
		var f [8]float32
		zero := true
		for u, c := range r[:sw] {
			f[u] = float32(c)
			zero = zero && c == 0
		}
		if zero {
			continue
		}
		a0, a1, a2, a3, a4, a5, a6, a7 := &across[0], &across[1], &across[2], &across[3], &across[4], &across[5], &across[6], &across[7]
		tv := &t[v]
		for x := range tv {
			tv[x] = float32(f[0]*a0[x]) + float32(f[1]*a1[x]) + float32(f[2]*a2[x]) + float32(f[3]*a3[x]) +
				float32(f[4]*a4[x]) + float32(f[5]*a5[x]) + float32(f[6]*a6[x]) + float32(f[7]*a7[x])
		}
		rows = v + 1
	}
	for y := range sh {
		dy := &down[y]
		s0, s1, s2, s3 := float32(128.5), float32(128.5), float32(128.5), float32(128.5)
		s4, s5, s6, s7 := float32(128.5), float32(128.5), float32(128.5), float32(128.5)
		for v := range t[:rows] {
			c, tv := dy[v], &t[v]
			s0 += float32(c * tv[0])
			s1 += float32(c * tv[1])
			s2 += float32(c * tv[2])
			s3 += float32(c * tv[3])
			s4 += float32(c * tv[4])
			s5 += float32(c * tv[5])
			s6 += float32(c * tv[6])
			s7 += float32(c * tv[7])
		}
		out[y] = [8]byte{clampPixel(s0), clampPixel(s1), clampPixel(s2), clampPixel(s3),
			clampPixel(s4), clampPixel(s5), clampPixel(s6), clampPixel(s7)}
	}
}

// clampPixel is a level-shifted sample clamped to [0, 255] and rounded down.
func clampPixel(a float32) byte {
	switch {
	case a <= 0:
		return 0
	case a >= 255:
		return 255
	}
	return byte(a)
}
