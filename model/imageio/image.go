// Package imageio turns an image file into the RGB input of a model: it
// decodes by content, applies the EXIF orientation, crops and resizes. It
// knows nothing of the network.
package imageio

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"math"
	"slices"
	"strings"

	scaledjpeg "github.com/mbv2/mbv2/model/imageio/jpeg"
	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"
	"golang.org/x/image/webp"
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

// A format is an image format DecodeImage knows: its decoder, and the magic
// number its files start with ('?' matches any byte), as the decoder's
// package registers it with package image. The formats are listed here
// rather than taken from that registry, so that what counts as an image
// does not depend on what else the program imports.
type format struct {
	name   string
	magic  string
	decode func(io.Reader) (image.Image, error)
	config func(io.Reader) (image.Config, error)
}

var formats = []format{
	{"jpeg", "\xff\xd8", jpeg.Decode, jpeg.DecodeConfig},
	{"png", "\x89PNG\r\n\x1a\n", png.Decode, png.DecodeConfig},
	{"gif", "GIF8?a", gif.Decode, gif.DecodeConfig},
	{"bmp", "BM????\x00\x00\x00\x00", bmp.Decode, bmp.DecodeConfig},
	{"tiff", "II*\x00", tiff.Decode, tiff.DecodeConfig},
	{"tiff", "MM\x00*", tiff.Decode, tiff.DecodeConfig},
	{"webp", "RIFF????WEBPVP8", webp.Decode, webp.DecodeConfig},
}

// sniff returns the format whose magic number data starts with, or nil.
func sniff(data []byte) *format {
next:
	for i := range formats {
		f := &formats[i]
		if len(data) < len(f.magic) {
			continue
		}
		for j := range len(f.magic) {
			if f.magic[j] != '?' && f.magic[j] != data[j] {
				continue next
			}
		}
		return f
	}
	return nil
}

// Format returns the name of the image format that head, the first bytes
// of a file, starts as ("jpeg", "png", "gif", "bmp", "tiff" or "webp"), or
// "" if none: the files that DecodeImage tries to decode.
func Format(head []byte) string {
	if f := sniff(head); f != nil {
		return f.name
	}
	return ""
}

// Decode says how DecodeScaled decodes a JPEG.
type Decode int

const (
	// DecodeFast (the default) decodes a JPEG in the DCT domain at the
	// smallest scale n/8 whose image, oriented and cropped, still covers
	// the model's input: a 12 MP photo never exists at full size.
	DecodeFast Decode = iota
	// DecodeExact decodes every pixel, as DecodeImage does.
	DecodeExact
)

var decodeNames = [...]string{DecodeFast: "fast", DecodeExact: "exact"}

// ParseDecode parses "fast" or "exact".
func ParseDecode(s string) (Decode, error) {
	for d, name := range decodeNames {
		if strings.EqualFold(s, name) {
			return Decode(d), nil
		}
	}
	return 0, fmt.Errorf("unknown decode mode %q (choose %s)", s, strings.Join(decodeNames[:], ", "))
}

// DecodeNames lists the modes ParseDecode knows.
func DecodeNames() []string { return slices.Clone(decodeNames[:]) }

func (d Decode) String() string {
	if d >= 0 && int(d) < len(decodeNames) {
		return decodeNames[d]
	}
	return fmt.Sprintf("Decode(%d)", int(d))
}

// DecodeImage decodes an image by its content, not its name: JPEG, PNG, GIF
// (first frame), BMP, TIFF or WebP, and applies the JPEG EXIF orientation.
// If maxPixels > 0, an image whose header declares more pixels than that is
// refused before it is decoded, so a decompression bomb cannot exhaust memory.
// Errors are one line and say why.
func DecodeImage(data []byte, maxPixels int) (image.Image, error) {
	return DecodeScaled(data, maxPixels, 0, 1, DecodeExact)
}

// DecodeScaled is DecodeImage for a model whose input is size x size pixels,
// cut from the central fraction crop of the image (as PrepareRGB does). With
// DecodeFast a JPEG comes out at the smallest scale n/8 of its full size
// whose crop is still at least size x size, so that PrepareRGB still
// downscales it; a JPEG that this decoder does not cover (12-bit,
// arithmetic-coded, lossless), or that it finds corrupt, is decoded at full
// size instead. Other formats always are.
func DecodeScaled(data []byte, maxPixels, size int, crop float64, mode Decode) (image.Image, error) {
	if len(data) == 0 {
		return nil, errors.New("empty file")
	}
	f := sniff(data)
	if f == nil {
		return nil, decodeError("", data, image.ErrFormat)
	}
	format := f.name
	cfg, err := f.config(bytes.NewReader(data))
	if err != nil {
		if format == "jpeg" {
			// Say which feature image/jpeg lacks, where this package knows.
			if _, _, e := scaledjpeg.DecodeConfig(data); errors.Is(e, scaledjpeg.ErrUnsupported) {
				err = e
			}
		}
		return nil, decodeError(format, data, err)
	}
	w, h := cfg.Width, cfg.Height
	if w <= 0 || h <= 0 {
		return nil, fmt.Errorf("image is %dx%d, it has no pixels", w, h)
	}
	if maxPixels > 0 && int64(w)*int64(h) > int64(maxPixels) {
		return nil, fmt.Errorf("image is %dx%d, more than the %d-pixel limit", w, h, maxPixels)
	}
	var img image.Image
	var fastErr error
	if n := jpegScale(w, h, size, crop); format == "jpeg" && mode == DecodeFast && n < 8 {
		img, fastErr = decode(func(io.Reader) (image.Image, error) { return scaledjpeg.Decode(data, n) }, data)
	}
	if img == nil {
		if img, err = decode(f.decode, data); err != nil {
			if errors.Is(fastErr, scaledjpeg.ErrUnsupported) {
				err = fastErr // says which feature
			}
			return nil, decodeError(format, data, err)
		}
	}
	if format == "jpeg" {
		if o := jpegOrientation(data); o > 1 {
			img = orient(img, o)
		}
	}
	return img, nil
}

// jpegScale is the smallest n (1..8) at which a w x h JPEG decoded at n/8
// and central-cropped to crop still covers size x size; 8 if none does or
// size is 0. Orientation need not be known: it swaps width and height, and
// crop and size are the same across and down.
func jpegScale(w, h, size int, crop float64) int {
	if size <= 0 || !(crop > 0 && crop <= 1) {
		return 8
	}
	for n := 1; n < 8; n++ {
		sw, sh := scaledjpeg.ScaledSize(w, h, n)
		if r := centralCrop(image.Rect(0, 0, sw, sh), crop); r.Dx() >= size && r.Dy() >= size {
			return n
		}
	}
	return 8
}

// decode runs a decoder. Decoders are third-party code fed untrusted
// files; a panic in one of them becomes an error on that file rather than
// the end of a whole batch.
func decode(dec func(io.Reader) (image.Image, error), data []byte) (img image.Image, err error) {
	defer func() {
		if r := recover(); r != nil {
			img, err = nil, fmt.Errorf("decoder failed: %v", r)
		}
	}()
	return dec(bytes.NewReader(data))
}

// pngEnd is the IEND chunk that closes every complete PNG.
var pngEnd = []byte("\x00\x00\x00\x00IEND\xae\x42\x60\x82")

// decodeError turns a decoder's error on data into one line that says why.
func decodeError(format string, data []byte, err error) error {
	if errors.Is(err, image.ErrFormat) {
		return errors.New("not an image (unknown format)")
	}
	name := strings.ToUpper(format)
	msg := err.Error()
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		// gif formats the io error into its own: "...: unexpected EOF".
		strings.HasSuffix(msg, io.ErrUnexpectedEOF.Error()) ||
		// png says "not enough pixel data" when the file stops in the
		// middle; a PNG that has its IEND chunk is corrupt instead.
		format == "png" && !bytes.HasSuffix(data, pngEnd) {
		return fmt.Errorf("truncated %s", name)
	}
	msg = strings.TrimPrefix(msg, format+": ")
	msg = strings.Join(strings.Fields(msg), " ")
	return fmt.Errorf("cannot decode %s: %s", name, msg)
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
// row at a time keeps a 720p photo's pixels out of a second full-size buffer;
// image/draw converts YCbCr, RGBA, NRGBA, Gray and CMYK without a call per
// pixel.
type rowReader struct {
	img   image.Image
	sr    image.Rectangle
	buf   *image.RGBA // one row
	white []byte      // one opaque white row; nil if img is opaque
}

func newRowReader(img image.Image, sr image.Rectangle) *rowReader {
	r := &rowReader{img: img, sr: sr, buf: image.NewRGBA(image.Rect(0, 0, sr.Dx(), 1))}
	if o, ok := img.(interface{ Opaque() bool }); !ok || !o.Opaque() {
		r.white = bytes.Repeat([]byte{0xff}, len(r.buf.Pix))
	}
	return r
}

// row returns row y of the crop; valid until the next call.
func (r *rowReader) row(y int) []byte {
	op := draw.Src
	if r.white != nil {
		copy(r.buf.Pix, r.white)
		op = draw.Over
	}
	draw.Draw(r.buf, r.buf.Rect, r.img, image.Pt(r.sr.Min.X, r.sr.Min.Y+y), op)
	return r.buf.Pix
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
// weights.
type coeffs struct {
	first []int
	k     [][]int32 // slices of one allocation
}

// makeCoeffs computes the weights of f resizing in pixels to out pixels,
// with PIL's arithmetic (precompute_coeffs, normalize_coeffs_8bpc), so that
// the sums round as PIL's do.
func makeCoeffs(in, out int, f filter) coeffs {
	m := newCoeffMaker(in, out, f)
	c := coeffs{make([]int, out), make([][]int32, out)}
	all := make([]int32, out*m.ksize)
	for xx := range out {
		c.first[xx], c.k[xx] = m.at(xx, all[xx*m.ksize:(xx+1)*m.ksize])
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
		resizeRow(tmp[(y-y0)*stride:(y-y0+1)*stride], rows.row(y), kx)
	}
	acc := make([]int32, stride)
	for yy := 0; yy < size; yy++ {
		for i := range acc {
			acc[i] = half
		}
		first := ky.first[yy] - y0
		for i, c := range ky.k[yy] {
			src := tmp[(first+i)*stride : (first+i+1)*stride]
			for x, v := range src {
				acc[x] += int32(v) * c
			}
		}
		out := dst[yy*stride : (yy+1)*stride]
		for x, v := range acc {
			out[x] = clip8(v)
		}
	}
}

// resizeRow resizes one row of RGBA pixels, src, to the RGB row out with
// the weights kx.
func resizeRow(out, src []byte, kx coeffs) {
	const half = 1 << (precBits - 1)
	for xx := range kx.first {
		k := kx.k[xx]
		p := src[4*kx.first[xx]:]
		r, g, b := int32(half), int32(half), int32(half)
		for i, c := range k {
			v := binary.LittleEndian.Uint32(p[4*i:]) // R, G, B, A
			r += int32(v&0xff) * c
			g += int32(v>>8&0xff) * c
			b += int32(v>>16&0xff) * c
		}
		out[3*xx], out[3*xx+1], out[3*xx+2] = clip8(r), clip8(g), clip8(b)
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
		resizeRow(hrow, rows.row(y), kx)
		for _, o := range live {
			if i := y - o.first; i < len(o.k) {
				c := o.k[i]
				for x, v := range hrow {
					o.acc[x] += int32(v) * c
				}
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

// orient returns img as it should be displayed under EXIF orientation o
// (2..8), as a new *image.RGBA. Pixel (dx, dy) of the result is read from
// the stored image at start + dx*stepX + dy*stepY.
func orient(img image.Image, o int) image.Image {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	src := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(src, src.Rect, img, b.Min, draw.Src)

	// Stored-image coordinates of the result's first pixel, and how they
	// move one pixel right and one pixel down in the result.
	var x0, y0, xdx, ydx, xdy, ydy int
	switch o {
	case 2: // mirrored left-right
		x0, y0, xdx, ydx, xdy, ydy = w-1, 0, -1, 0, 0, 1
	case 3: // rotated 180
		x0, y0, xdx, ydx, xdy, ydy = w-1, h-1, -1, 0, 0, -1
	case 4: // mirrored top-bottom
		x0, y0, xdx, ydx, xdy, ydy = 0, h-1, 1, 0, 0, -1
	case 5: // transposed
		x0, y0, xdx, ydx, xdy, ydy = 0, 0, 0, 1, 1, 0
	case 6: // stored rotated 90 counter-clockwise: turn it 90 clockwise
		x0, y0, xdx, ydx, xdy, ydy = 0, h-1, 0, -1, 1, 0
	case 7: // transversed
		x0, y0, xdx, ydx, xdy, ydy = w-1, h-1, 0, -1, -1, 0
	case 8: // stored rotated 90 clockwise: turn it 90 counter-clockwise
		x0, y0, xdx, ydx, xdy, ydy = w-1, 0, 0, 1, -1, 0
	default:
		return img
	}
	dw, dh := w, h
	if o >= 5 {
		dw, dh = h, w
	}
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	stepX := xdx*4 + ydx*src.Stride
	stepY := xdy*4 + ydy*src.Stride
	row := x0*4 + y0*src.Stride
	for dy := 0; dy < dh; dy++ {
		s := row
		d := dst.Pix[dy*dst.Stride : dy*dst.Stride+dw*4]
		for dx := 0; dx < len(d); dx += 4 {
			copy(d[dx:dx+4], src.Pix[s:s+4])
			s += stepX
		}
		row += stepY
	}
	return dst
}

// jpegOrientation returns the EXIF orientation (1..8) of a JPEG, read from
// the first APP1 "Exif\0\0" segment before the image data; 1 if there is
// none or it cannot be read.
func jpegOrientation(data []byte) int {
	if len(data) < 4 || data[0] != 0xff || data[1] != 0xd8 {
		return 1
	}
	for p := 2; p+4 <= len(data); {
		if data[p] != 0xff {
			return 1
		}
		marker := data[p+1]
		switch {
		case marker == 0xff: // fill byte
			p++
			continue
		case marker == 0x01 || marker >= 0xd0 && marker <= 0xd7: // no payload
			p += 2
			continue
		case marker == 0xda || marker == 0xd9: // start of scan, end of image
			return 1
		}
		n := int(data[p+2])<<8 | int(data[p+3]) // includes its own two bytes
		if n < 2 || p+2+n > len(data) {
			return 1
		}
		seg := data[p+4 : p+2+n]
		if marker == 0xe1 && bytes.HasPrefix(seg, []byte("Exif\x00\x00")) {
			return exifOrientation(seg[6:])
		}
		p += 2 + n
	}
	return 1
}

// exifOrientation reads tag 0x0112 (Orientation) from IFD0 of a TIFF
// structure, in either byte order; 1 if it is missing or out of range.
func exifOrientation(t []byte) int {
	if len(t) < 8 {
		return 1
	}
	var bo binary.ByteOrder
	switch string(t[:4]) {
	case "II*\x00":
		bo = binary.LittleEndian
	case "MM\x00*":
		bo = binary.BigEndian
	default:
		return 1
	}
	ifd := bo.Uint32(t[4:])
	if ifd > uint32(len(t)-2) {
		return 1
	}
	entries := t[ifd+2:]
	for i := 0; i < int(bo.Uint16(t[ifd:])) && 12*i+12 <= len(entries); i++ {
		e := entries[12*i : 12*i+12]
		const tagOrientation, typeShort = 0x0112, 3
		if bo.Uint16(e) == tagOrientation && bo.Uint16(e[2:]) == typeShort && bo.Uint32(e[4:]) == 1 {
			if o := int(bo.Uint16(e[8:])); o >= 1 && o <= 8 {
				return o
			}
			return 1
		}
	}
	return 1
}
