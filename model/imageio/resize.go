package imageio

import (
	"bytes"
	"fmt"
	"image"
	"image/draw"
	"math"
	"slices"
	"strings"

	"github.com/mbv2/mbv2/kernels"
)

// Resize is the resampling filter used to bring an image to the model's resolution.
type Resize int

const (
	ResizeBilinear Resize = iota // default
	ResizeNearest
	ResizeCatmullRom
)

var resizeNames = [...]string{
	ResizeBilinear:   "bilinear",
	ResizeNearest:    "nearest",
	ResizeCatmullRom: "catmullrom",
}

// ParseResize parses a filter name: "bilinear", "nearest" or "catmullrom".
func ParseResize(s string) (Resize, error) {
	for r, name := range resizeNames {
		if strings.EqualFold(s, name) {
			return Resize(r), nil
		}
	}
	return 0, fmt.Errorf("unknown resize filter %q (choose %s)", s, strings.Join(resizeNames[:], ", "))
}

// ResizeNames lists the filter names ParseResize knows.
func ResizeNames() []string { return slices.Clone(resizeNames[:]) }

func (r Resize) String() string {
	if r >= 0 && int(r) < len(resizeNames) {
		return resizeNames[r]
	}
	return fmt.Sprintf("Resize(%d)", int(r))
}

// PrepareRGB central-crops img to the fraction crop (0 < crop <= 1) of its
// width and of its height (as TF's central_crop), resizes the crop to
// size x size (the whole crop, aspect not kept) with the filter, converts it
// to 8-bit RGB with alpha composited over white, and writes it to dst
// (len size*size*3, row-major RGB). A crop that already is size x size is
// copied pixel for pixel, never resampled.
//
// Bilinear and Catmull-Rom resample as PIL's Image.resize does (BILINEAR,
// BICUBIC), to the bit: the accuracy reference made its inputs with PIL.
func PrepareRGB(dst []byte, img image.Image, size int, crop float64, filter Resize) error {
	if size <= 0 {
		return fmt.Errorf("input size %d, want > 0", size)
	}
	if len(dst) != size*size*3 {
		return fmt.Errorf("input buffer holds %d bytes, want %dx%dx3 = %d", len(dst), size, size, size*size*3)
	}
	if !(crop > 0 && crop <= 1) {
		return fmt.Errorf("crop fraction %g, want 0 < crop <= 1", crop)
	}
	if filter < 0 || int(filter) >= len(resizeNames) {
		return fmt.Errorf("unknown resize filter %v", filter)
	}
	b := img.Bounds()
	sr := centralCrop(b, crop)
	if sr.Empty() {
		return fmt.Errorf("image is %dx%d, nothing is left after a central crop of %g", b.Dx(), b.Dy(), crop)
	}
	rows := newRowReader(img, sr)
	w, h := sr.Dx(), sr.Dy()
	switch {
	case w == size && h == size:
		for y := 0; y < size; y++ {
			packRGB(dst[3*size*y:3*size*(y+1)], rows.row(y))
		}
	case filter == ResizeNearest:
		resizeNearest(dst, rows, size)
	default:
		f := filters[filter]
		if h > size {
			resampleTall(dst, rows, size, makeCoeffs(w, size, f), newCoeffMaker(h, size, f))
		} else {
			resample(dst, rows, size, makeCoeffs(w, size, f), makeCoeffs(h, size, f))
		}
	}
	return nil
}

// centralCrop keeps the central fraction f of b's width and height, with the
// rounding of TF's central_crop: the margin is truncated, then taken on both
// sides.
func centralCrop(b image.Rectangle, f float64) image.Rectangle {
	mx := int((float64(b.Dx()) - float64(b.Dx())*f) / 2)
	my := int((float64(b.Dy()) - float64(b.Dy())*f) / 2)
	return image.Rect(b.Min.X+mx, b.Min.Y+my, b.Max.X-mx, b.Max.Y-my)
}

// rowReader hands out the rows of the crop sr of an image one at a time, as
// RGBA composited over opaque white: 4 bytes a pixel, alpha always 255. A
// row at a time keeps a 720p photo's pixels out of a second full-size buffer.
// A decoded JPEG's YCbCr rows go through kernels.YCbCrToRGBA; image/draw
// converts the rest (RGBA, NRGBA, Gray, CMYK) without a call per pixel.
type rowReader struct {
	img   image.Image
	sr    image.Rectangle
	buf   *image.RGBA // one row
	white []byte      // one opaque white row; nil if img is opaque

	ycc    *image.YCbCr // img, if it is one
	cdiv   int          // source pixels a chroma sample spans across
	cb, cr []byte       // a row's chroma, one sample a pixel, if cdiv > 1
}

func newRowReader(img image.Image, sr image.Rectangle) *rowReader {
	r := &rowReader{img: img, sr: sr, buf: image.NewRGBA(image.Rect(0, 0, sr.Dx(), 1))}
	if m, ok := img.(*image.YCbCr); ok {
		switch m.SubsampleRatio {
		case image.YCbCrSubsampleRatio444, image.YCbCrSubsampleRatio440:
			r.ycc, r.cdiv = m, 1
		case image.YCbCrSubsampleRatio422, image.YCbCrSubsampleRatio420:
			r.ycc, r.cdiv = m, 2
		case image.YCbCrSubsampleRatio411, image.YCbCrSubsampleRatio410:
			r.ycc, r.cdiv = m, 4
		}
		if r.cdiv > 1 {
			r.cb, r.cr = make([]byte, sr.Dx()), make([]byte, sr.Dx())
		}
	}
	if o, ok := img.(interface{ Opaque() bool }); !ok || !o.Opaque() {
		r.white = bytes.Repeat([]byte{0xff}, len(r.buf.Pix))
	}
	return r
}

// row returns row y of the crop; valid until the next call.
func (r *rowReader) row(y int) []byte {
	if r.ycc != nil {
		r.ycbcrRow(y)
		return r.buf.Pix
	}
	op := draw.Src
	if r.white != nil {
		copy(r.buf.Pix, r.white)
		op = draw.Over
	}
	draw.Draw(r.buf, r.buf.Rect, r.img, image.Pt(r.sr.Min.X, r.sr.Min.Y+y), op)
	return r.buf.Pix
}

// ycbcrRow converts row y of a YCbCr crop, each pixel with the chroma
// sample image.YCbCr.COffset gives it, as image/draw does.
func (r *rowReader) ycbcrRow(y int) {
	m, x0, w, sy := r.ycc, r.sr.Min.X, r.sr.Dx(), r.sr.Min.Y+y
	yi, ci := m.YOffset(x0, sy), m.COffset(x0, sy)
	var cb, cr []byte
	if d := r.cdiv; d == 1 {
		cb, cr = m.Cb[ci:ci+w], m.Cr[ci:ci+w]
	} else {
		cb, cr = r.cb, r.cr
		if x0 < 0 { // x/d rounds towards zero
			for i := range cb {
				j := ci + (x0+i)/d - x0/d
				cb[i], cr[i] = m.Cb[j], m.Cr[j]
			}
		} else {
			s := uint(d / 2) // d is 2 or 4
			ci -= x0 >> s
			for i := range cb {
				j := ci + (x0+i)>>s
				cb[i], cr[i] = m.Cb[j], m.Cr[j]
			}
		}
	}
	kernels.YCbCrToRGBA(r.buf.Pix, m.Y[yi:yi+w], cb, cr)
}

// packRGB drops the alpha byte of opaque RGBA pixels.
func packRGB(dst, rgba []byte) {
	for i, j := 0, 0; i+2 < len(dst) && j+3 < len(rgba); i, j = i+3, j+4 {
		dst[i], dst[i+1], dst[i+2] = rgba[j], rgba[j+1], rgba[j+2]
	}
}

// resizeNearest takes, for each output pixel, the source pixel under its
// centre, as PIL's NEAREST does.
func resizeNearest(dst []byte, rows *rowReader, size int) {
	w, h := rows.sr.Dx(), rows.sr.Dy()
	for yy := 0; yy < size; yy++ {
		src := rows.row((2*yy + 1) * h / (2 * size))
		d := dst[3*size*yy : 3*size*(yy+1)]
		for xx := 0; xx < size; xx++ {
			x := (2*xx + 1) * w / (2 * size)
			copy(d[3*xx:3*xx+3], src[4*x:4*x+3])
		}
	}
}

// A filter is a resampling kernel of PIL's Resample.c: its support (half
// width) in source pixels when upscaling, widened by the scale factor when
// downscaling.
type filter struct {
	support float64
	kernel  func(x float64) float64
}

var filters = [...]filter{ // nearest needs none
	ResizeBilinear: {1, func(x float64) float64 {
		x = math.Abs(x)
		if x < 1 {
			return 1 - x
		}
		return 0
	}},
	// PIL's BICUBIC, a = -0.5: the Catmull-Rom spline.
	ResizeCatmullRom: {2, func(x float64) float64 {
		const a = -0.5
		x = math.Abs(x)
		if x < 1 {
			return ((a+2)*x-(a+3))*x*x + 1
		}
		if x < 2 {
			return (((x-5)*x+8)*x - 4) * a
		}
		return 0
	}},
}

// precBits is the fixed-point precision of the coefficients, PIL's
// PRECISION_BITS: a sum of 8-bit pixels times coefficients fits in int32.
const precBits = 32 - 8 - 2

// coeffs are the fixed-point weights that make each output pixel i along
// one axis from the inputs first[i], first[i]+1, ...: k[i] holds their
// weights; row holds them as kernels.ResampleRow takes them.
type coeffs struct {
	first []int
	k     [][]int32 // slices of one allocation, ksize apart
	row   *kernels.ResampleWeights
}

// makeCoeffs computes the weights of f resizing in pixels to out pixels,
// with PIL's arithmetic (precompute_coeffs, normalize_coeffs_8bpc), so that
// the sums round as PIL's do.
func makeCoeffs(in, out int, f filter) coeffs {
	m := newCoeffMaker(in, out, f)
	c := coeffs{first: make([]int, out), k: make([][]int32, out)}
	all, bounds := make([]int32, out*m.ksize), make([]int, 2*out)
	for xx := range out {
		c.first[xx], c.k[xx] = m.at(xx, all[xx*m.ksize:(xx+1)*m.ksize])
		bounds[2*xx], bounds[2*xx+1] = c.first[xx], len(c.k[xx])
	}
	var err error
	if c.row, err = kernels.NewResampleWeights(bounds, all, m.ksize); err != nil {
		panic(err) // at keeps each window inside the input and ksize
	}
	return c
}

// A coeffMaker computes the weights of one output pixel at a time: those
// of all the outputs together take (in/out) x support x out int32s, 800 MB
// for a 100-megapixel-tall image, where one output's are a few MB.
type coeffMaker struct {
	in, out            int
	f                  filter
	scale, support, ss float64
	ksize              int       // the most inputs one output can see
	w                  []float64 // scratch, ksize
}

func newCoeffMaker(in, out int, f filter) *coeffMaker {
	m := &coeffMaker{in: in, out: out, f: f, scale: float64(in) / float64(out)}
	fscale := max(m.scale, 1)
	m.support = f.support * fscale
	m.ss = 1 / fscale
	m.ksize = int(math.Ceil(m.support))*2 + 1
	m.w = make([]float64, m.ksize)
	return m
}

// at computes the weights of output xx into k (len ksize) and returns its
// first input and the weights, a prefix of k.
func (m *coeffMaker) at(xx int, k []int32) (int, []int32) {
	center := (float64(xx) + 0.5) * m.scale
	first := max(int(center-m.support+0.5), 0)
	n := min(int(center+m.support+0.5), m.in) - first
	w := m.w
	sum := 0.0
	for x := range n {
		w[x] = m.f.kernel((float64(x+first) - center + 0.5) * m.ss)
		sum += w[x]
	}
	k = k[:n]
	for x := range n {
		v := w[x]
		if sum != 0 {
			v /= sum
		}
		if v < 0 {
			k[x] = int32(-0.5 + v*(1<<precBits))
		} else {
			k[x] = int32(0.5 + v*(1<<precBits))
		}
	}
	return first, k
}

// clip8 rounds a fixed-point sum (which started at one half) to a byte.
func clip8(v int32) uint8 {
	if v >= 1<<precBits<<8 {
		return 255
	}
	if v <= 0 {
		return 0
	}
	return uint8(v >> precBits)
}

// resample resizes the crop to size x size in two passes, as PIL does:
// horizontally into 8-bit rows (only the rows the second pass reads), then
// vertically into dst.
func resample(dst []byte, rows *rowReader, size int, kx, ky coeffs) {
	const half = 1 << (precBits - 1)
	stride := 3 * size
	y0 := ky.first[0]
	y1 := ky.first[size-1] + len(ky.k[size-1])
	tmp := make([]byte, (y1-y0)*stride) // (y1-y0) rows x size x RGB
	for y := y0; y < y1; y++ {
		kernels.ResampleRow(tmp[(y-y0)*stride:(y-y0+1)*stride], rows.row(y), kx.row)
	}
	acc := make([]int32, stride)
	for yy := 0; yy < size; yy++ {
		for i := range acc {
			acc[i] = half
		}
		first := ky.first[yy] - y0
		for i, c := range ky.k[yy] {
			kernels.AddScaled(acc, tmp[(first+i)*stride:(first+i+1)*stride], c)
		}
		out := dst[yy*stride : (yy+1)*stride]
		for x, v := range acc {
			out[x] = clip8(v)
		}
	}
}

// resampleTall is resample for a crop taller than size, with the same
// sums: each source row is resized horizontally once and added into the
// few output rows whose window holds it, which are written as soon as
// their window ends. resample would keep every row the vertical pass
// reads, the crop's height x size x 3 bytes: 672 MB for a 1x1,000,000
// image at 224. Here memory is a few output rows and their weights.
func resampleTall(dst []byte, rows *rowReader, size int, kx coeffs, ky *coeffMaker) {
	const half = 1 << (precBits - 1)
	stride := 3 * size
	type outRow struct {
		first int
		k     []int32 // weights of the source rows first, first+1, ...
		acc   []int32 // stride sums
	}
	var live, free []*outRow // live in output order
	var pending *outRow      // output row next, its window not reached yet
	next := 0
	hrow := make([]byte, stride)
	for y := 0; y < ky.in && (next < size || len(live) > 0); y++ {
		for next < size {
			if pending == nil {
				if n := len(free); n > 0 {
					pending, free = free[n-1], free[:n-1]
				} else {
					pending = &outRow{k: make([]int32, ky.ksize), acc: make([]int32, stride)}
				}
				pending.first, pending.k = ky.at(next, pending.k[:ky.ksize])
				for i := range pending.acc {
					pending.acc[i] = half
				}
			}
			if pending.first > y {
				break
			}
			live = append(live, pending)
			pending = nil
			next++
		}
		if len(live) == 0 {
			continue // no output reads this row
		}
		kernels.ResampleRow(hrow, rows.row(y), kx.row)
		for _, o := range live {
			if i := y - o.first; i < len(o.k) {
				kernels.AddScaled(o.acc, hrow, o.k[i])
			}
		}
		for len(live) > 0 && live[0].first+len(live[0].k) <= y+1 {
			o := live[0]
			yy := next - len(live)
			out := dst[yy*stride : (yy+1)*stride]
			for x, v := range o.acc {
				out[x] = clip8(v)
			}
			live = live[1:]
			free = append(free, o)
		}
	}
}
