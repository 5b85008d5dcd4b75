//go:build (amd64 || arm64) && !noasm

package kernels

// An isa names the instruction set of the microkernel a shared driver
// calls.
type isa uint8

const (
	isaAVX2 isa = iota
	isaAVX512
	isaNEON
)

// stemRows runs the conv3x3s2c3 microkernel of k over output rows
// [y0, y1): the pixels of a row whose nine inputs are all inside the image
// in one call, the others one by one from a zero-padded copy of their
// inputs. A row of padding is skipped by its bit in inside; the microkernel
// reads the centre row in its place, which is always inside the image.
// (An isa, not a function value: through one, the copy would escape to the
// heap.)
func stemRows(dst, src []float32, h, w, y0, y1 int, wt *StemWeights, lo, hi float32, k isa) {
	cout, cp := wt.Cout, roundUp(wt.Cout, Tile)
	if cout == 0 {
		return
	}
	// kernel computes n pixels from the input rows r0, r1, r2 of the
	// first, summing those whose bit is set in inside (the others are
	// padding).
	kernel := func(dst, r0, r1, r2 *float32, n, inside int) {
		conv3x3s2c3(k, dst, r0, r1, r2, &wt.W[0], &wt.Bias[0], n, cout, cp, inside, lo, hi)
	}
	_, top := SamePad(h, 3, 2)
	ow, left := SamePad(w, 3, 2)
	xa, xb := left, left // the interior pixels [xa, xb)
	if w-3+left >= 0 {
		xb = (w-3+left)/2 + 1
	}
	row := w * 3
	var patch [27]float32
	for oy := y0; oy < y1; oy++ {
		iy := oy*2 - top
		// The centre row is always inside the image; it stands in for a
		// missing row, which is skipped.
		var r [3]int
		inside := 0
		for ky := range 3 {
			r[ky] = (iy + 1) * row
			if y := iy + ky; y >= 0 && y < h {
				r[ky], inside = y*row, inside|1<<ky
			}
		}
		if xb > xa {
			x := (2*xa - left) * 3
			kernel(&dst[((oy-y0)*ow+xa)*cout], &src[r[0]+x], &src[r[1]+x], &src[r[2]+x], xb-xa, inside)
		}
		for ox := range ow {
			if ox >= xa && ox < xb {
				continue
			}
			for ky := range 3 {
				for kx := range 3 {
					in := patch[(ky*3+kx)*3:][:3]
					y, x := iy+ky, ox*2-left+kx
					if y < 0 || y >= h || x < 0 || x >= w {
						clear(in)
					} else {
						copy(in, src[(y*w+x)*3:])
					}
				}
			}
			kernel(&dst[((oy-y0)*ow+ox)*cout], &patch[0], &patch[9], &patch[18], 1, 7)
		}
	}
}
