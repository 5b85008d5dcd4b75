package kernels

// The pure-Go 8-bit kernels: the reference for the assembly ones. Every
// sum is exact in int32, so every kernel set must give the same bits.

func qpointwiseGeneric(dst, src []uint8, pixels int, w *QPointwiseWeights, c0, c1 int) {
	cin, cout, groups := w.Cin, w.Cout, (w.Cin+3)/4
	for t := c0 / Tile; t*Tile < c1; t++ {
		wt := w.Int16s()[t*groups*Tile*4 : (t+1)*groups*Tile*4]
		o0, n := t*Tile, min(Tile, c1-t*Tile)
		for p := range pixels {
			in := src[p*cin : (p+1)*cin]
			var acc [Tile]int32
			for g := range groups {
				var a [4]int32
				for k := range min(4, cin-4*g) {
					a[k] = int32(in[4*g+k])
				}
				row := (*[Tile * 4]int16)(wt[g*Tile*4:])
				for j := range acc {
					acc[j] += a[0]*int32(row[4*j]) + a[1]*int32(row[4*j+1]) + a[2]*int32(row[4*j+2]) + a[3]*int32(row[4*j+3])
				}
			}
			out := dst[p*cout+o0 : p*cout+o0+n]
			for j := range out {
				out[j] = w.Out.apply(acc[j]+w.Bias[o0+j], o0+j)
			}
		}
	}
}

func qdepthwiseGeneric(dst, src []uint8, h, w, stride, rows, y0, y1 int, wt *QDepthwiseWeights, c0, c1 int) {
	c, cp := wt.C, roundUp(wt.C, Tile)
	_, padTop := SamePad(h, 3, stride)
	ow, padLeft := SamePad(w, 3, stride)
	for oy := y0; oy < y1; oy++ {
		for ox := range ow {
			// A tile of channels at a time, its sums on the stack.
			for t := c0; t < c1; t += Tile {
				n := min(Tile, c1-t)
				var acc [Tile]int32
				copy(acc[:], wt.Bias[t:t+Tile])
				for ky := range 3 {
					iy := oy*stride - padTop + ky
					if iy < 0 || iy >= h {
						continue
					}
					for kx := range 3 {
						ix := ox*stride - padLeft + kx
						if ix < 0 || ix >= w {
							continue
						}
						in := src[((iy%rows)*w+ix)*c+t:][:n]
						k := wt.W[(ky*3+kx)*cp+t:][:n]
						for i, x := range in {
							acc[i] += (int32(x) - wt.InZero) * int32(k[i])
						}
					}
				}
				out := dst[((oy-y0)*ow+ox)*c+t:][:n]
				for i := range out {
					out[i] = wt.Out.apply(acc[i], t+i)
				}
			}
		}
	}
}

func qstemGeneric(dst, src []uint8, h, w, y0, y1 int, wt *QStemWeights) {
	c, cp := wt.Cout, roundUp(wt.Cout, Tile)
	_, padTop := SamePad(h, 3, 2)
	ow, padLeft := SamePad(w, 3, 2)
	for oy := y0; oy < y1; oy++ {
		for ox := range ow {
			for t := 0; t < c; t += Tile {
				n := min(Tile, c-t)
				var acc [Tile]int32
				copy(acc[:], wt.Bias[t:t+Tile])
				for ky := range 3 {
					iy := oy*2 - padTop + ky
					if iy < 0 || iy >= h {
						continue
					}
					for kx := range 3 {
						ix := ox*2 - padLeft + kx
						if ix < 0 || ix >= w {
							continue
						}
						for ci, x := range src[(iy*w+ix)*3 : (iy*w+ix)*3+3] {
							k := wt.W[((ky*3+kx)*3+ci)*cp+t:][:Tile]
							a := int32(x) - wt.InZero
							for i := range acc {
								acc[i] += a * int32(k[i])
							}
						}
					}
				}
				out := dst[((oy-y0)*ow+ox)*c+t:][:n]
				for i := range out {
					out[i] = wt.Out.apply(acc[i], t+i)
				}
			}
		}
	}
}

// gatherStemTaps writes the 27 taps (3 rows x 3 columns x RGB) of output
// pixels x0..x0+n-1 of stem row oy into rows, stemK bytes a pixel, so that
// the quantized stem runs as a GEMM; taps in the padding read zp, the
// input's zero point. rows[27] of each pixel is left as it is.
func gatherStemTaps(rows, src []uint8, h, w, oy, x0, n int, zp uint8) {
	_, padTop := SamePad(h, 3, 2)
	_, padLeft := SamePad(w, 3, 2)
	for i := range n {
		row := (*[stemK]uint8)(rows[i*stemK:])
		ix := (x0+i)*2 - padLeft // the column of tap kx = 0
		for ky := range 3 {
			iy := oy*2 - padTop + ky
			t := (*[9]uint8)(row[ky*9:])
			if iy >= 0 && iy < h && ix >= 0 && ix+2 < w {
				// Inside the image: the row's 3 taps are 9 bytes in a run.
				*t = *(*[9]uint8)(src[(iy*w+ix)*3:])
				continue
			}
			for kx := range 3 {
				if iy < 0 || iy >= h || ix+kx < 0 || ix+kx >= w {
					t[kx*3], t[kx*3+1], t[kx*3+2] = zp, zp, zp
					continue
				}
				s := src[(iy*w+ix+kx)*3 : (iy*w+ix+kx)*3+3]
				t[kx*3], t[kx*3+1], t[kx*3+2] = s[0], s[1], s[2]
			}
		}
	}
}
