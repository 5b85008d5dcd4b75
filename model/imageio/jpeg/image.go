package jpeg

import (
	"image"
	"image/color"
)

// image turns the decoded planes into the reduced image.
func (d *decoder) image() (image.Image, error) {
	if d.progressive {
		d.inverseProgressive()
	}
	w, h := ScaledSize(d.width, d.height, d.n)
	r := image.Rect(0, 0, w, h)
	c := &d.comp
	switch d.ncomp {
	case 1:
		return &image.Gray{Pix: c[0].plane, Stride: c[0].stride, Rect: r}, nil
	case 3:
		if d.isRGB() {
			return d.rgb(r), nil
		}
		if c[0].upH == 1 && c[0].upV == 1 && c[1].upH == c[2].upH && c[1].upV == c[2].upV && c[1].stride == c[2].stride {
			if ratio, ok := ratio(c[1].upH, c[1].upV); ok {
				return &image.YCbCr{
					Y: c[0].plane, Cb: c[1].plane, Cr: c[2].plane,
					YStride: c[0].stride, CStride: c[1].stride,
					SubsampleRatio: ratio, Rect: r,
				}, nil
			}
		}
		return d.ycbcrToRGB(r), nil
	}
	if !d.adobe {
		return nil, unsupported("4-component JPEG without Adobe APP14 metadata")
	}
	return d.cmyk(r), nil
}

// ratio is image's subsampling ratio for chroma samples that each cover
// h x v output pixels. A switch, not a map: a map literal is built by the
// package's init, in every process.
func ratio(h, v int) (image.YCbCrSubsampleRatio, bool) {
	switch [2]int{h, v} {
	case [2]int{1, 1}:
		return image.YCbCrSubsampleRatio444, true
	case [2]int{2, 1}:
		return image.YCbCrSubsampleRatio422, true
	case [2]int{2, 2}:
		return image.YCbCrSubsampleRatio420, true
	case [2]int{1, 2}:
		return image.YCbCrSubsampleRatio440, true
	case [2]int{4, 1}:
		return image.YCbCrSubsampleRatio411, true
	case [2]int{4, 2}:
		return image.YCbCrSubsampleRatio410, true
	}
	return 0, false
}

// isRGB says whether a 3-component file holds RGB rather than YCbCr, as
// image/jpeg decides it.
func (d *decoder) isRGB() bool {
	if d.jfif {
		return false
	}
	if d.adobe && d.adobeTr == adobeUnknown {
		return true
	}
	return d.comp[0].id == 'R' && d.comp[1].id == 'G' && d.comp[2].id == 'B'
}

// sample returns the reduced sample of component c at output pixel (x, y).
func (c *component) sample(x, y int) byte {
	return c.plane[y/c.upV*c.stride+x/c.upH]
}

func (d *decoder) rgb(r image.Rectangle) image.Image {
	m := image.NewRGBA(r)
	c := &d.comp
	for y := 0; y < r.Dy(); y++ {
		p := m.Pix[y*m.Stride:]
		for x := 0; x < r.Dx(); x++ {
			p[4*x], p[4*x+1], p[4*x+2], p[4*x+3] = c[0].sample(x, y), c[1].sample(x, y), c[2].sample(x, y), 255
		}
	}
	return m
}

// ycbcrToRGB converts YCbCr whose subsampling image.YCbCr cannot express.
func (d *decoder) ycbcrToRGB(r image.Rectangle) image.Image {
	m := image.NewRGBA(r)
	c := &d.comp
	for y := 0; y < r.Dy(); y++ {
		p := m.Pix[y*m.Stride:]
		for x := 0; x < r.Dx(); x++ {
			p[4*x], p[4*x+1], p[4*x+2] = color.YCbCrToRGB(c[0].sample(x, y), c[1].sample(x, y), c[2].sample(x, y))
			p[4*x+3] = 255
		}
	}
	return m
}

// cmyk combines four components as image/jpeg does. Adobe stores CMYK
// inverted (255 is no ink); YCCK is YCbCr of the inverted CMY, plus the
// inverted K.
func (d *decoder) cmyk(r image.Rectangle) image.Image {
	m := image.NewCMYK(r)
	c := &d.comp
	for y := 0; y < r.Dy(); y++ {
		p := m.Pix[y*m.Stride:]
		for x := 0; x < r.Dx(); x++ {
			k := 255 - c[3].sample(x, y)
			if d.adobeTr != adobeUnknown {
				p[4*x], p[4*x+1], p[4*x+2] = color.YCbCrToRGB(c[0].sample(x, y), c[1].sample(x, y), c[2].sample(x, y))
			} else {
				p[4*x], p[4*x+1], p[4*x+2] = 255-c[0].sample(x, y), 255-c[1].sample(x, y), 255-c[2].sample(x, y)
			}
			p[4*x+3] = k
		}
	}
	return m
}

// inverseProgressive runs the reduced inverse DCT of every block of a
// progressive file, from the coefficients its scans left.
func (d *decoder) inverseProgressive() {
	for i := 0; i < d.ncomp; i++ {
		c := &d.comp[i]
		q := &d.quant[c.tq]
		blk := &d.blk
		*blk = [64]int32{}
		for by := 0; by < c.bh; by++ {
			for bx := 0; bx < c.bw; bx++ {
				b := by*c.bw + bx
				coef := c.coef[b*c.ncoef : (b+1)*c.ncoef]
				dst := c.plane[by*c.sh*c.stride+bx*c.sw:]
				if c.ncoef == 1 {
					idct1x1(dst, int32(coef[0])*q[0])
					continue
				}
				ac := false
				for k := 1; k <= c.kmax; k++ {
					if i := c.slot[k]; i >= 0 {
						blk[zigzag[k]] = int32(coef[i]) * q[k]
						ac = ac || coef[i] != 0
					}
				}
				if !ac {
					idctDC(dst, c.stride, int32(coef[0])*q[0], c.sw, c.sh)
					continue
				}
				blk[0] = int32(coef[0]) * q[0]
				idct(dst, c.stride, blk, &d.out, c.sw, c.sh)
			}
		}
	}
}
