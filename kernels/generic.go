package kernels

// The pure-Go kernels: the reference for the assembly ones, and the kernels
// of CPUs without them. Clear before fast, but not naive: the pointwise
// kernel keeps one tile of accumulators per pixel.

func clamp(v []float32, lo, hi float32) {
	for i, x := range v {
		v[i] = min(max(x, lo), hi)
	}
}

func pointwiseGeneric(dst, src []float32, pixels int, wt *PointwiseWeights, residual []float32, c0, c1 int, lo, hi float32) {
	cin, cout := wt.Cin, wt.Cout
	for t := c0 / Tile; t*Tile < c1; t++ {
		tw := wt.W[t*cin*Tile : (t+1)*cin*Tile]
		o0, n := t*Tile, min(Tile, c1-t*Tile)
		for p := range pixels {
			var acc [Tile]float32
			copy(acc[:], wt.Bias[o0:o0+Tile])
			for i, x := range src[p*cin : (p+1)*cin] {
				row := tw[i*Tile : i*Tile+Tile]
				for j := range acc {
					acc[j] += x * row[j]
				}
			}
			out := dst[p*cout+o0 : p*cout+o0+n]
			for j := range out {
				out[j] = min(max(acc[j], lo), hi)
			}
			if residual != nil {
				for j, r := range residual[p*cout+o0 : p*cout+o0+n] {
					out[j] += r
				}
			}
		}
	}
}

func depthwiseGeneric(dst, src []float32, h, w, stride, rows, y0, y1 int, wt *DepthwiseWeights, c0, c1 int, lo, hi float32) {
	c, cp, n := wt.C, roundUp(wt.C, Tile), c1-c0
	_, padTop := SamePad(h, 3, stride)
	ow, padLeft := SamePad(w, 3, stride)
	for oy := y0; oy < y1; oy++ {
		for ox := range ow {
			out := dst[((oy-y0)*ow+ox)*c+c0:][:n]
			copy(out, wt.Bias[c0:c1])
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
					in := src[((iy%rows)*w+ix)*c+c0:][:n]
					k := wt.W[(ky*3+kx)*cp+c0:][:n]
					for i := range out {
						out[i] += in[i] * k[i]
					}
				}
			}
			clamp(out, lo, hi)
		}
	}
}

func stemGeneric(dst, src []float32, h, w, y0, y1 int, wt *StemWeights, lo, hi float32) {
	c, cp := wt.Cout, roundUp(wt.Cout, Tile)
	_, padTop := SamePad(h, 3, 2)
	ow, padLeft := SamePad(w, 3, 2)
	for oy := y0; oy < y1; oy++ {
		for ox := range ow {
			out := dst[((oy-y0)*ow+ox)*c:][:c]
			copy(out, wt.Bias[:c])
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
						k := wt.W[((ky*3+kx)*3+ci)*cp:][:c]
						for i := range out {
							out[i] += x * k[i]
						}
					}
				}
			}
			clamp(out, lo, hi)
		}
	}
}
