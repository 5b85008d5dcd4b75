//go:build !noasm

package kernels

// qadd16AVX512 is QAddTensors over n values, 16 at a time: p points at
// QAdd.vec; tail has a bit set for each of the n%16 last values.
//
//go:noescape
func qadd16AVX512(dst, a, b *uint8, n int, p *int32, tail uint16)

func qaddAVX512(dst, a, b []uint8, p *QAdd) {
	n := len(dst)
	qadd16AVX512(&dst[0], &a[0], &b[0], n, &p.vec[0], uint16(1<<(n%16)-1))
}

// qadd8AVX2 is QAddTensors over the first n/8*8 values, 8 at a time: p
// points at QAdd.vec8.
//
//go:noescape
func qadd8AVX2(dst, a, b *uint8, n int, p *int32)

func qaddAVX2(dst, a, b []uint8, p *QAdd) {
	n := len(dst) / 8 * 8
	if n > 0 {
		qadd8AVX2(&dst[0], &a[0], &b[0], n, &p.vec8[0])
	}
	qaddGeneric(dst[n:], a[n:], b[n:], p)
}
