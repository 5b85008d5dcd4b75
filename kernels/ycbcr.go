package kernels

// YCbCrToRGBA converts len(y) pixels from JPEG's YCbCr (JFIF, full range)
// to RGBA with alpha 255, dst[4i:4i+4] from y[i], cb[i] and cr[i], exactly
// as image/color.YCbCrToRGB does: 16-bit fixed point, Y scaled by 0x10101,
// shifted right by 16 and clamped to [0, 255].
func YCbCrToRGBA(dst, y, cb, cr []byte) {
	n := len(y)
	if len(cb) < n || len(cr) < n || len(dst) < 4*n {
		panic("kernels: YCbCrToRGBA: bad arguments")
	}
	if n > 0 {
		active.ycbcr(dst, y, cb, cr)
	}
}

func ycbcrGeneric(dst, y, cb, cr []byte) {
	cb, cr, dst = cb[:len(y)], cr[:len(y)], dst[:4*len(y)]
	for i, v := range y {
		yy := int32(v) * 0x10101
		b1, r1 := int32(cb[i])-128, int32(cr[i])-128
		d := (*[4]byte)(dst[4*i:])
		d[0] = clampYCbCr(yy + 91881*r1)
		d[1] = clampYCbCr(yy - 22554*b1 - 46802*r1)
		d[2] = clampYCbCr(yy + 116130*b1)
		d[3] = 0xff
	}
}

// clampYCbCr is v>>16 clamped to [0, 255].
func clampYCbCr(v int32) byte {
	if uint32(v)&0xff000000 == 0 {
		return byte(v >> 16)
	}
	return byte(^(v >> 31))
}
