package kernels

import "fmt"

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

// ResampleWeights are the weights of a resize's horizontal pass, checked
// once for all the rows it resamples: output pixel o is made of the n
// source pixels from first on, bounds[2o] and bounds[2o+1], with the
// weights coef[o*ksize:o*ksize+n], in fixed point with 22 fraction bits
// (PIL's ImagingResampleHorizontal_8bpp).
type ResampleWeights struct {
	bounds []int
	coef   []int32
	ksize  int
	in     int // source pixels the weights read, at most
}

// NewResampleWeights checks the weights (each output's window inside
// n <= ksize pixels from first >= 0) and keeps them, not a copy.
func NewResampleWeights(bounds []int, coef []int32, ksize int) (*ResampleWeights, error) {
	w := &ResampleWeights{bounds: bounds, coef: coef, ksize: ksize}
	outs := len(bounds) / 2
	if len(bounds) != 2*outs || ksize < 0 || len(coef) < outs*ksize {
		return nil, fmt.Errorf("kernels: %d bounds and %d weights for rows of %d", len(bounds), len(coef), ksize)
	}
	for o := range outs {
		first, n := bounds[2*o], bounds[2*o+1]
		if first < 0 || n < 0 || n > ksize {
			return nil, fmt.Errorf("kernels: output %d reads %d pixels from %d, rows of %d", o, n, first, ksize)
		}
		w.in = max(w.in, first+n)
	}
	return w, nil
}

// ResampleRow resamples the row of RGBA pixels src to len(bounds)/2 RGB
// pixels in out: each channel's weighted sum, rounded half up and clamped
// to [0, 255]. Alpha is not read.
func ResampleRow(out, src []byte, w *ResampleWeights) {
	outs := len(w.bounds) / 2
	if len(out) < 3*outs || len(src) < 4*w.in {
		panic("kernels: ResampleRow: bad arguments")
	}
	if outs > 0 {
		active.resampleRow(out, src, w.bounds, w.coef, w.ksize)
	}
}

// resampleBits is the fixed-point precision of ResampleRow's weights,
// PIL's PRECISION_BITS.
const resampleBits = 32 - 8 - 2

// clipResampled rounds a fixed-point sum (which started at one half) down
// to a byte, clamped.
func clipResampled(v int32) uint8 {
	if v >= 1<<resampleBits<<8 {
		return 255
	}
	if v <= 0 {
		return 0
	}
	return uint8(v >> resampleBits)
}

func resampleRowGeneric(out, src []byte, bounds []int, coef []int32, ksize int) {
	const half = 1 << (resampleBits - 1)
	for o := range len(bounds) / 2 {
		first, n := bounds[2*o], bounds[2*o+1]
		k := coef[o*ksize : o*ksize+n]
		p := src[4*first : 4*(first+n)]
		r, g, b := int32(half), int32(half), int32(half)
		for i, c := range k {
			q := p[4*i : 4*i+3 : 4*i+3]
			r += int32(q[0]) * c
			g += int32(q[1]) * c
			b += int32(q[2]) * c
		}
		d := out[3*o : 3*o+3 : 3*o+3]
		d[0], d[1], d[2] = clipResampled(r), clipResampled(g), clipResampled(b)
	}
}
