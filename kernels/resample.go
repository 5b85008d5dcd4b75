package kernels

// AddScaled adds c times each byte of src to acc: acc[i] += int32(src[i]) * c
// for i < len(src), in int32 (wrapping, as Go's arithmetic does). It is the
// vertical pass of an image resize, a source row into an output row's sums.
func AddScaled(acc []int32, src []byte, c int32) {
	if len(acc) < len(src) {
		panic("kernels: AddScaled: bad arguments")
	}
	if len(src) > 0 {
		active.addScaled(acc, src, c)
	}
}

func addScaledGeneric(acc []int32, src []byte, c int32) {
	acc = acc[:len(src)]
	for i, v := range src {
		acc[i] += int32(v) * c
	}
}
