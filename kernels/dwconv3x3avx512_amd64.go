//go:build !noasm

package kernels

// dwconv3x3s1AVX512 computes one output row of a 3x3 stride-1 depthwise
// convolution with TF SAME padding, for channels [0, cn) of c: dst is the
// row, r0, r1, r2 the input rows above, at and below it (iw pixels of c
// channels; iw is ow at stride 1, 2*ow - left at stride 2), w and bias the
// packed weights [9][cp] and bias. inside has bit ky set for the input rows
// inside the image; the weights of a row of padding count as zero, and the
// caller points it at r1 so that its loads stay in bounds. left is 1: the
// leading padding. In Go:
//
//	for ox := range ow {
//		for ch := range cn {
//			acc := bias[ch]
//			for ky, r := range [3][]float32{r0, r1, r2} {
//				for kx := range 3 {
//					wk := w[(ky*3+kx)*cp+ch]
//					if inside&(1<<ky) == 0 {
//						wk = 0
//					}
//					if ix := ox - left + kx; ix >= 0 && ix < iw {
//						acc += r[ix*c+ch] * wk
//					}
//				}
//			}
//			dst[ox*c+ch] = min(max(acc, lo), hi)
//		}
//	}
//
// The centre row is always inside the image: bit 1 is ignored. cn must be
// at least 16 and the row at least 2 pixels wide.
//
//go:noescape
func dwconv3x3s1AVX512(dst, r0, r1, r2, w, bias *float32, ow, left, c, cn, cp, inside int, lo, hi float32)

// dwconv3x3s2AVX512 is dwconv3x3s1AVX512 for stride 2: r0, r1, r2 are input
// rows 2*oy-top+0..2, left is the leading padding, 0 or 1, and
// ix = 2*ox - left + kx.
//
//go:noescape
func dwconv3x3s2AVX512(dst, r0, r1, r2, w, bias *float32, ow, left, c, cn, cp, inside int, lo, hi float32)

func depthwiseAVX512(dst, src []float32, h, w, stride, rows, y0, y1 int, wt *DepthwiseWeights, c0, c1 int, lo, hi float32) {
	c, cp := wt.C, roundUp(wt.C, Tile)
	if c1-c0 < Tile || w < 2 {
		// Narrower than a vector or than the edge pixels: never in
		// MobileNetV2.
		depthwiseAVX2(dst, src, h, w, stride, rows, y0, y1, wt, c0, c1, lo, hi)
		return
	}
	_, top := SamePad(h, 3, stride)
	ow, left := SamePad(w, 3, stride)
	row := w * c
	kernel := dwconv3x3s1AVX512
	if stride == 2 {
		kernel = dwconv3x3s2AVX512
	}
	// Channels go in chunks whose three input rows fit in L1, each chunk
	// down a band of rows whose input fits in L2, so that an input row
	// read for one output row is still in L1 for the next, and the
	// chunks after the first find the band's input in L2.
	chunk := c1 - c0
	if n := dwChunkBytes / (3 * w * 4) / Tile * Tile; n < chunk {
		chunk = max(n, Tile)
	}
	band := max(1, dwBandBytes/(stride*row*4))
	for b0 := y0; b0 < y1; b0 += band {
		b1 := min(b0+band, y1)
		for ch := c0; ch < c1; ch += chunk {
			// A last chunk of fewer than 16 channels ends the one before.
			cn := min(chunk, c1-ch)
			if cn < Tile {
				ch, cn = c1-Tile, Tile
			}
			for oy := b0; oy < b1; oy++ {
				// The centre input row is always inside the image; a row
				// of padding is read from it with zero weights, which
				// adds exactly zero for finite inputs.
				iy := oy*stride - top
				r1 := (iy+1)%rows*row + ch
				r0, r2, inside := r1, r1, 0b010
				if iy >= 0 {
					r0, inside = iy%rows*row+ch, inside|0b001
				}
				if iy+2 < h {
					r2, inside = (iy+2)%rows*row+ch, inside|0b100
				}
				kernel(&dst[(oy-y0)*ow*c+ch], &src[r0], &src[r1], &src[r2], &wt.W[ch], &wt.Bias[ch], ow, left, c, cn, cp, inside, lo, hi)
			}
		}
	}
}

// dwChunkBytes bounds the three input rows of a chunk of channels: half of
// L1, measured best on the layers of MobileNetV2. dwBandBytes bounds the
// input of a band of rows: a quarter of L2.
const (
	dwChunkBytes = 24 << 10
	dwBandBytes  = 512 << 10
)
