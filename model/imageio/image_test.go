package imageio

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/color/palette"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/image/bmp"
	"golang.org/x/image/draw"
	"golang.org/x/image/tiff"

	"github.com/mbv2/mbv2/model/internal/shareddata"
)

// testPattern is an asymmetric w x h image: every pixel differs from its
// mirror images, so a flip or a transpose shows.
func testPattern(w, h int) *image.NRGBA {
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			m.SetNRGBA(x, y, color.NRGBA{uint8(x * 255 / max(w-1, 1)), uint8(y * 255 / max(h-1, 1)), uint8((x + 2*y) * 7), 255})
		}
	}
	return m
}

// vp8lBits writes the LSB-first bit stream of a lossless WebP.
type vp8lBits struct {
	buf  []byte
	nbit uint
}

func (b *vp8lBits) put(v uint32, n uint) {
	for i := uint(0); i < n; i++ {
		if b.nbit%8 == 0 {
			b.buf = append(b.buf, 0)
		}
		b.buf[len(b.buf)-1] |= byte(v>>i&1) << (b.nbit % 8)
		b.nbit++
	}
}

// simpleCode writes a VP8L "simple" prefix code of one or two 8-bit
// symbols (s0 < s1): one symbol costs no bits per pixel, two cost one bit.
func (b *vp8lBits) simpleCode(syms ...uint32) {
	b.put(1, 1)                   // is_simple
	b.put(uint32(len(syms)-1), 1) // num_symbols - 1
	b.put(1, 1)                   // is_first_8bits
	for _, s := range syms {
		b.put(s, 8)
	}
}

// webpLossless returns a w x h lossless WebP (VP8L, no transforms, no
// colour cache) whose red, green and blue each take one of two values, and
// the image it encodes. x/image has no WebP encoder; this one is enough for
// two-level channels.
func webpLossless(w, h int) ([]byte, *image.NRGBA) {
	red, green, blue := [2]uint8{10, 200}, [2]uint8{20, 220}, [2]uint8{30, 240}
	want := image.NewNRGBA(image.Rect(0, 0, w, h))
	var b vp8lBits
	b.put(0x2f, 8)
	b.put(uint32(w-1), 14)
	b.put(uint32(h-1), 14)
	b.put(0, 1) // alpha_is_used
	b.put(0, 3) // version
	b.put(0, 1) // no transform
	b.put(0, 1) // no colour cache
	b.put(0, 1) // no meta prefix codes
	b.simpleCode(uint32(green[0]), uint32(green[1]))
	b.simpleCode(uint32(red[0]), uint32(red[1]))
	b.simpleCode(uint32(blue[0]), uint32(blue[1]))
	b.simpleCode(255) // alpha
	b.simpleCode(0)   // distance, unused
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			r, g, bl := x&1, y&1, (x>>1^y)&1
			b.put(uint32(g), 1)
			b.put(uint32(r), 1)
			b.put(uint32(bl), 1)
			want.SetNRGBA(x, y, color.NRGBA{red[r], green[g], blue[bl], 255})
		}
	}
	payload := b.buf
	if len(payload)%2 == 1 {
		payload = append(payload, 0) // RIFF chunks are padded to even length
	}
	var f []byte
	f = append(f, "RIFF"...)
	f = binary.LittleEndian.AppendUint32(f, uint32(4+8+len(payload)))
	f = append(f, "WEBPVP8L"...)
	f = binary.LittleEndian.AppendUint32(f, uint32(len(b.buf)))
	f = append(f, payload...)
	return f, want
}

// plan9 returns m in the Plan 9 palette, undithered.
func plan9(m image.Image) *image.Paletted {
	p := image.NewPaletted(m.Bounds(), palette.Plan9)
	draw.Draw(p, p.Rect, m, m.Bounds().Min, draw.Src)
	return p
}

// encodeAll encodes m in every format DecodeImage reads: GIF stores
// plan9(m), WebP its own two-level image (see webpLossless).
func encodeAll(t testing.TB, m image.Image) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	var buf bytes.Buffer
	enc := map[string]func() error{
		"png":  func() error { return png.Encode(&buf, m) },
		"jpeg": func() error { return jpeg.Encode(&buf, m, &jpeg.Options{Quality: 100}) },
		"gif":  func() error { return gif.Encode(&buf, plan9(m), nil) },
		"bmp":  func() error { return bmp.Encode(&buf, m) },
		"tiff": func() error { return tiff.Encode(&buf, m, &tiff.Options{Compression: tiff.Deflate}) },
	}
	for name, f := range enc {
		buf.Reset()
		if err := f(); err != nil {
			t.Fatalf("encode %s: %v", name, err)
		}
		out[name] = bytes.Clone(buf.Bytes())
	}
	out["webp"], _ = webpLossless(m.Bounds().Dx(), m.Bounds().Dy())
	return out
}

// rgbAt returns the 8-bit RGB of a pixel in a PrepareRGB buffer.
func rgbAt(p []byte, size, x, y int) [3]int {
	i := 3 * (y*size + x)
	return [3]int{int(p[i]), int(p[i+1]), int(p[i+2])}
}

func near(a, b [3]int, tol int) bool {
	for i := range a {
		if d := a[i] - b[i]; d > tol || d < -tol {
			return false
		}
	}
	return true
}

// prepare runs PrepareRGB into a fresh buffer.
func prepare(t *testing.T, img image.Image, size int, crop float64, f Resize) []byte {
	t.Helper()
	dst := make([]byte, size*size*3)
	if err := PrepareRGB(dst, img, size, crop, f); err != nil {
		t.Fatalf("PrepareRGB(size %d, crop %g, %v): %v", size, crop, f, err)
	}
	return dst
}

func TestDecodeImageFormats(t *testing.T) {
	const w, h = 16, 8
	src := testPattern(w, h)
	webp, webpWant := webpLossless(w, h)
	for format, data := range encodeAll(t, src) {
		t.Run(format, func(t *testing.T) {
			want, tol := image.Image(src), 0
			switch format {
			case "jpeg":
				tol = 24 // chroma is subsampled
			case "gif":
				want = plan9(src)
			case "webp":
				data, want = webp, webpWant
			}
			img, err := DecodeImage(data, 1<<20)
			if err != nil {
				t.Fatalf("DecodeImage: %v", err)
			}
			b := img.Bounds()
			if b.Dx() != w || b.Dy() != h {
				t.Fatalf("decoded %v, want %dx%d", b, w, h)
			}
			for y := 0; y < h; y++ {
				for x := 0; x < w; x++ {
					c := color.NRGBAModel.Convert(want.At(x, y)).(color.NRGBA)
					r, g, bl, _ := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
					got := [3]int{int(r >> 8), int(g >> 8), int(bl >> 8)}
					if e := [3]int{int(c.R), int(c.G), int(c.B)}; !near(got, e, tol) {
						t.Fatalf("pixel (%d,%d) = %v, want %v ±%d", x, y, got, e, tol)
					}
				}
			}
		})
	}
}

// exifSegment returns an APP1 segment whose IFD0 holds an unrelated tag and
// then Orientation = o, in the byte order bo.
func exifSegment(o uint16, bo binary.AppendByteOrder) []byte {
	var t []byte
	if bo == binary.LittleEndian {
		t = append(t, "II*\x00"...)
	} else {
		t = append(t, "MM\x00*"...)
	}
	t = bo.AppendUint32(t, 8) // IFD0 offset
	t = bo.AppendUint16(t, 2) // entries
	// ImageWidth, LONG, 1, 640: a tag before Orientation, to be skipped.
	t = bo.AppendUint16(t, 0x0100)
	t = bo.AppendUint16(t, 4)
	t = bo.AppendUint32(t, 1)
	t = bo.AppendUint32(t, 640)
	// Orientation, SHORT, 1, o (left-justified in the 4-byte value).
	t = bo.AppendUint16(t, 0x0112)
	t = bo.AppendUint16(t, 3)
	t = bo.AppendUint32(t, 1)
	t = bo.AppendUint16(t, o)
	t = bo.AppendUint16(t, 0)
	t = bo.AppendUint32(t, 0) // no next IFD
	seg := []byte{0xff, 0xe1, 0, 0}
	seg = append(seg, "Exif\x00\x00"...)
	seg = append(seg, t...)
	binary.BigEndian.PutUint16(seg[2:], uint16(len(seg)-2))
	return seg
}

// withExif inserts an EXIF APP1 segment right after a JPEG's SOI marker.
func withExif(jpg []byte, o uint16, bo binary.AppendByteOrder) []byte {
	return append(append(bytes.Clone(jpg[:2]), exifSegment(o, bo)...), jpg[2:]...)
}

// quadrants returns a w x h image split into four solid quadrants.
func quadrants(w, h int, q [2][2]color.RGBA) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			m.SetRGBA(x, y, q[2*y/h][2*x/w])
		}
	}
	return m
}

func TestDecodeImageOrientation(t *testing.T) {
	R := color.RGBA{255, 0, 0, 255}
	G := color.RGBA{0, 255, 0, 255}
	B := color.RGBA{0, 0, 255, 255}
	W := color.RGBA{255, 255, 255, 255}
	// The upright image is 64x32: R G over B W. stored[o] is what a camera
	// writes for orientation o, worked out from the EXIF definitions of
	// where the stored 0th row and 0th column are shown.
	upright := [2][2]color.RGBA{{R, G}, {B, W}}
	stored := map[uint16][2][2]color.RGBA{
		1: {{R, G}, {B, W}},
		2: {{G, R}, {W, B}}, // 0th row at the top, 0th column on the right
		3: {{W, B}, {G, R}}, // bottom, right
		4: {{B, W}, {R, G}}, // bottom, left
		5: {{R, B}, {G, W}}, // 0th row on the left, 0th column at the top
		6: {{G, W}, {R, B}}, // right, top
		7: {{W, G}, {B, R}}, // right, bottom
		8: {{B, R}, {W, G}}, // left, bottom
	}
	for o := uint16(1); o <= 8; o++ {
		for _, bo := range []binary.AppendByteOrder{binary.LittleEndian, binary.BigEndian} {
			t.Run(fmt.Sprintf("%d/%v", o, bo), func(t *testing.T) {
				w, h := 64, 32
				if o >= 5 {
					w, h = h, w
				}
				var buf bytes.Buffer
				if err := jpeg.Encode(&buf, quadrants(w, h, stored[o]), &jpeg.Options{Quality: 95}); err != nil {
					t.Fatal(err)
				}
				img, err := DecodeImage(withExif(buf.Bytes(), o, bo), 0)
				if err != nil {
					t.Fatalf("DecodeImage: %v", err)
				}
				if b := img.Bounds(); b.Dx() != 64 || b.Dy() != 32 {
					t.Fatalf("decoded %v, want 64x32", b)
				}
				for qy := 0; qy < 2; qy++ {
					for qx := 0; qx < 2; qx++ {
						r, g, b, _ := img.At(img.Bounds().Min.X+16+32*qx, img.Bounds().Min.Y+8+16*qy).RGBA()
						got := [3]int{int(r >> 8), int(g >> 8), int(b >> 8)}
						c := upright[qy][qx]
						if want := [3]int{int(c.R), int(c.G), int(c.B)}; !near(got, want, 40) {
							t.Errorf("quadrant (%d,%d) = %v, want %v", qx, qy, got, want)
						}
					}
				}
			})
		}
	}
}

func TestJPEGOrientationGarbage(t *testing.T) {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, testPattern(8, 8), nil); err != nil {
		t.Fatal(err)
	}
	seg := exifSegment(6, binary.BigEndian)
	for _, tc := range []struct {
		name string
		data []byte
		want int
	}{
		{"no exif", buf.Bytes(), 1},
		{"exif", withExif(buf.Bytes(), 6, binary.BigEndian), 6},
		{"orientation 9", withExif(buf.Bytes(), 9, binary.LittleEndian), 1},
		{"orientation 0", withExif(buf.Bytes(), 0, binary.LittleEndian), 1},
		{"segment cut short", append([]byte{0xff, 0xd8}, seg[:len(seg)-10]...), 1},
		{"bad byte order", append([]byte{0xff, 0xd8}, bytes.Replace(seg, []byte("MM"), []byte("XX"), 1)...), 1},
		{"IFD offset past the end", append([]byte{0xff, 0xd8}, bytes.Replace(seg, []byte{0, 0, 0, 8}, []byte{0xff, 0, 0, 8}, 1)...), 1},
		{"fill bytes before the marker", append([]byte{0xff, 0xd8, 0xff, 0xff}, seg...), 6},
		{"after start of scan", append([]byte{0xff, 0xd8, 0xff, 0xda, 0, 2}, seg...), 1},
		{"not a JPEG", seg, 1},
		{"empty", nil, 1},
	} {
		if got := jpegOrientation(tc.data); got != tc.want {
			t.Errorf("%s: orientation %d, want %d", tc.name, got, tc.want)
		}
	}
}

func TestPrepareRGBAlphaOverWhite(t *testing.T) {
	m := image.NewNRGBA(image.Rect(0, 0, 2, 1))
	m.SetNRGBA(0, 0, color.NRGBA{255, 0, 0, 0})   // transparent: white
	m.SetNRGBA(1, 0, color.NRGBA{0, 0, 255, 128}) // half blue over white
	got := prepare(t, m, 2, 1, ResizeBilinear)
	if g := rgbAt(got, 2, 0, 0); g != [3]int{255, 255, 255} {
		t.Errorf("transparent pixel = %v, want white", g)
	}
	if g := rgbAt(got, 2, 1, 0); !near(g, [3]int{127, 127, 255}, 1) {
		t.Errorf("half-transparent blue = %v, want ~{127 127 255}", g)
	}

	// The resampling path composites too.
	u := image.NewNRGBA(image.Rect(0, 0, 10, 10))
	draw.Draw(u, u.Rect, image.NewUniform(color.NRGBA{0, 0, 255, 128}), image.Point{}, draw.Src)
	got = prepare(t, u, 3, 1, ResizeBilinear)
	for i := 0; i < 9; i++ {
		if g := rgbAt(got, 3, i%3, i/3); !near(g, [3]int{127, 127, 255}, 1) {
			t.Fatalf("resized half-transparent blue = %v, want ~{127 127 255}", g)
		}
	}
}

func TestPrepareRGBColorModels(t *testing.T) {
	gray := image.NewGray(image.Rect(0, 0, 4, 4))
	draw.Draw(gray, gray.Rect, image.NewUniform(color.Gray{77}), image.Point{}, draw.Src)

	cmyk := image.NewCMYK(image.Rect(0, 0, 4, 4))
	draw.Draw(cmyk, cmyk.Rect, image.NewUniform(color.CMYK{0, 255, 255, 0}), image.Point{}, draw.Src)

	rgba64 := image.NewRGBA64(image.Rect(0, 0, 4, 4))
	draw.Draw(rgba64, rgba64.Rect, image.NewUniform(color.RGBA64{0x1234, 0xabcd, 0xff00, 0xffff}), image.Point{}, draw.Src)
	var png16 bytes.Buffer
	if err := png.Encode(&png16, rgba64); err != nil {
		t.Fatal(err)
	}
	dec16, err := DecodeImage(png16.Bytes(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := dec16.(*image.RGBA64); !ok {
		t.Fatalf("16-bit PNG decoded as %T, want *image.RGBA64", dec16)
	}

	pal := color.Palette{color.RGBA{10, 20, 30, 255}, color.RGBA{200, 100, 50, 255}, color.RGBA{0, 0, 0, 0}}
	pm := image.NewPaletted(image.Rect(0, 0, 4, 4), pal)
	for i := range pm.Pix {
		pm.Pix[i] = uint8(i % 3)
	}
	var gifData bytes.Buffer
	if err := gif.Encode(&gifData, pm, nil); err != nil {
		t.Fatal(err)
	}
	decGIF, err := DecodeImage(gifData.Bytes(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := decGIF.(*image.Paletted); !ok {
		t.Fatalf("GIF decoded as %T, want *image.Paletted", decGIF)
	}
	gifWant := [][3]int{{10, 20, 30}, {200, 100, 50}, {255, 255, 255}}

	for _, tc := range []struct {
		name string
		img  image.Image
		want func(x, y int) [3]int
	}{
		{"gray", gray, func(x, y int) [3]int { return [3]int{77, 77, 77} }},
		{"cmyk", cmyk, func(x, y int) [3]int { return [3]int{255, 0, 0} }},
		{"png16", dec16, func(x, y int) [3]int { return [3]int{0x12, 0xab, 0xff} }},
		{"gif", decGIF, func(x, y int) [3]int { return gifWant[(4*y+x)%3] }},
	} {
		for _, size := range []int{4, 2} { // copied, then resampled
			if tc.name == "gif" && size != 4 {
				continue // a mix of its colours once resampled
			}
			got := prepare(t, tc.img, size, 1, ResizeBilinear)
			for y := 0; y < size; y++ {
				for x := 0; x < size; x++ {
					if g, w := rgbAt(got, size, x, y), tc.want(x, y); g != w {
						t.Fatalf("%s at size %d: pixel (%d,%d) = %v, want %v", tc.name, size, x, y, g, w)
					}
				}
			}
		}
	}
}

// TestRowReaderYCbCr checks the YCbCr rows, converted by kernels, against
// image/draw's conversion of the same crop: every subsample ratio, images
// whose bounds start at odd and negative coordinates, and crops of them.
func TestRowReaderYCbCr(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, ratio := range []image.YCbCrSubsampleRatio{
		image.YCbCrSubsampleRatio444, image.YCbCrSubsampleRatio422, image.YCbCrSubsampleRatio420,
		image.YCbCrSubsampleRatio440, image.YCbCrSubsampleRatio411, image.YCbCrSubsampleRatio410,
	} {
		for _, b := range []image.Rectangle{
			image.Rect(0, 0, 37, 11), image.Rect(3, 5, 40, 20), image.Rect(-7, -3, 30, 9),
		} {
			m := image.NewYCbCr(b, ratio)
			for _, p := range [][]byte{m.Y, m.Cb, m.Cr} {
				for i := range p {
					p[i] = byte(r.Uint32())
				}
			}
			for _, sr := range []image.Rectangle{b, b.Inset(3), image.Rect(b.Min.X+1, b.Min.Y, b.Max.X-2, b.Min.Y+4)} {
				rows := newRowReader(m, sr)
				want := image.NewRGBA(image.Rect(0, 0, sr.Dx(), 1))
				for y := range sr.Dy() {
					draw.Draw(want, want.Rect, m, image.Pt(sr.Min.X, sr.Min.Y+y), draw.Src)
					if got := rows.row(y); !bytes.Equal(got, want.Pix) {
						t.Fatalf("%v, bounds %v, crop %v, row %d:\n got %v\nwant %v", ratio, b, sr, y, got, want.Pix)
					}
				}
			}
		}
	}
}

func TestPrepareRGBCrop(t *testing.T) {
	// A 100x60 image: a red central 50x30 box in a blue frame. Crop 0.5
	// keeps the box exactly.
	red, blue := color.RGBA{255, 0, 0, 255}, color.RGBA{0, 0, 255, 255}
	m := image.NewRGBA(image.Rect(0, 0, 100, 60))
	draw.Draw(m, m.Rect, image.NewUniform(blue), image.Point{}, draw.Src)
	draw.Draw(m, image.Rect(25, 15, 75, 45), image.NewUniform(red), image.Point{}, draw.Src)
	for _, f := range []Resize{ResizeBilinear, ResizeNearest, ResizeCatmullRom} {
		got := prepare(t, m, 10, 0.5, f)
		for i := 0; i < 100; i++ {
			if g := rgbAt(got, 10, i%10, i/10); g != [3]int{255, 0, 0} {
				t.Fatalf("%v, crop 0.5: pixel (%d,%d) = %v, want red", f, i%10, i/10, g)
			}
		}
		// Without the crop the frame shows at the corners.
		if g := rgbAt(prepare(t, m, 10, 1, f), 10, 0, 0); g != [3]int{0, 0, 255} {
			t.Errorf("%v, crop 1: corner = %v, want blue", f, g)
		}
	}

	// The rounding of TF's central_crop: the margin is truncated.
	for _, tc := range []struct {
		w, h int
		f    float64
		want image.Rectangle
	}{
		{256, 256, 0.875, image.Rect(16, 16, 240, 240)},
		{7, 10, 0.5, image.Rect(1, 2, 6, 8)},
		{5, 5, 1, image.Rect(0, 0, 5, 5)},
		{3, 3, 0.01, image.Rect(1, 1, 2, 2)},
	} {
		if got := centralCrop(image.Rect(0, 0, tc.w, tc.h), tc.f); got != tc.want {
			t.Errorf("centralCrop(%dx%d, %g) = %v, want %v", tc.w, tc.h, tc.f, got, tc.want)
		}
	}
	// A sub-image keeps its own origin.
	if got := centralCrop(image.Rect(10, 20, 30, 60), 0.5); got != image.Rect(15, 30, 25, 50) {
		t.Errorf("centralCrop of an offset rectangle = %v", got)
	}
}

func TestResize(t *testing.T) {
	for _, name := range []string{"bilinear", "nearest", "catmullrom"} {
		r, err := ParseResize(name)
		if err != nil {
			t.Fatalf("ParseResize(%q): %v", name, err)
		}
		if r.String() != name {
			t.Errorf("ParseResize(%q).String() = %q", name, r.String())
		}
	}
	if r, err := ParseResize("CatmullRom"); err != nil || r != ResizeCatmullRom {
		t.Errorf("ParseResize(CatmullRom) = %v, %v", r, err)
	}
	_, err := ParseResize("lanczos")
	if err == nil || !strings.Contains(err.Error(), "bilinear, nearest, catmullrom") {
		t.Errorf("ParseResize(lanczos) error %v, want one listing the choices", err)
	}
	if ResizeBilinear != 0 {
		t.Error("the zero Resize must be bilinear, the default")
	}

	// A one-pixel checkerboard halved: nearest picks one of its colours,
	// the filters that average give grey.
	m := image.NewGray(image.Rect(0, 0, 16, 16))
	for i := range m.Pix {
		if (i%16+i/16)%2 == 1 {
			m.Pix[i] = 255
		}
	}
	for _, tc := range []struct {
		f    Resize
		want int
		tol  int
	}{
		{ResizeNearest, 0, 0}, // samples (2x+1, 2y+1): all black
		{ResizeBilinear, 128, 1},
		{ResizeCatmullRom, 128, 1},
	} {
		got := prepare(t, m, 8, 1, tc.f)
		// The border rows differ for the wider kernels; look inside.
		for y := 2; y < 6; y++ {
			for x := 2; x < 6; x++ {
				if g := rgbAt(got, 8, x, y); !near(g, [3]int{tc.want, tc.want, tc.want}, tc.tol) {
					t.Fatalf("%v: pixel (%d,%d) = %v, want %d", tc.f, x, y, g, tc.want)
				}
			}
		}
	}
}

// TestResamplePIL checks the arithmetic of PIL's BILINEAR on a case done by
// hand: halving [0 100 200 255] widens the triangle to a support of 2, so
// each output pixel weighs three inputs 3/7, 3/7, 1/7 (mirrored for the
// second) and the fixed-point sums round down to 71 and 209.
func TestResamplePIL(t *testing.T) {
	ramp := [4]uint8{0, 100, 200, 255}
	m := image.NewRGBA(image.Rect(0, 0, 4, 4))
	for y := 0; y < 4; y++ {
		for x := 0; x < 4; x++ {
			m.SetRGBA(x, y, color.RGBA{ramp[x], ramp[y], 50, 255})
		}
	}
	got := prepare(t, m, 2, 1, ResizeBilinear)
	want := []byte{71, 71, 50, 209, 71, 50, 71, 209, 50, 209, 209, 50}
	if !bytes.Equal(got, want) {
		t.Errorf("bilinear 4x4 -> 2x2 = %v, want %v", got, want)
	}
}

// TestResampleMatchesXDraw compares our filters with x/image/draw's, an
// independent implementation of the same kernels (also widened when
// downscaling), on smooth content where the two may differ only by
// rounding.
func TestResampleMatchesXDraw(t *testing.T) {
	m := image.NewRGBA(image.Rect(0, 0, 203, 117))
	for y := 0; y < 117; y++ {
		for x := 0; x < 203; x++ {
			fx, fy := float64(x)/203, float64(y)/117
			m.SetRGBA(x, y, color.RGBA{
				uint8(127.5 + 127*math.Sin(6*fx+2*fy)),
				uint8(255 * fx * fy),
				uint8(127.5 + 127*math.Cos(5*fy-3*fx)),
				255,
			})
		}
	}
	for _, tc := range []struct {
		f    Resize
		ref  draw.Scaler
		size int
	}{
		{ResizeBilinear, draw.BiLinear, 50},
		{ResizeBilinear, draw.BiLinear, 160}, // up in y, down in x
		{ResizeCatmullRom, draw.CatmullRom, 50},
		{ResizeCatmullRom, draw.CatmullRom, 160},
	} {
		got := prepare(t, m, tc.size, 1, tc.f)
		ref := image.NewRGBA(image.Rect(0, 0, tc.size, tc.size))
		tc.ref.Scale(ref, ref.Rect, m, m.Rect, draw.Src, nil)
		worst := 0
		for i := 0; i < tc.size*tc.size; i++ {
			for c := 0; c < 3; c++ {
				d := int(got[3*i+c]) - int(ref.Pix[4*i+c])
				worst = max(worst, d, -d)
			}
		}
		if worst > 1 {
			t.Errorf("%v to %dx%d: differs from x/image/draw by up to %d levels, want <= 1", tc.f, tc.size, tc.size, worst)
		}
	}
}

func TestPrepareRGBPassthrough(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	rgba := image.NewRGBA(image.Rect(0, 0, 37, 37))
	for i := range rgba.Pix {
		rgba.Pix[i] = uint8(rng.Uint32())
		if i%4 == 3 {
			rgba.Pix[i] = 255
		}
	}
	nrgba := image.NewNRGBA(rgba.Rect)
	copy(nrgba.Pix, rgba.Pix)
	ycc := image.NewYCbCr(rgba.Rect, image.YCbCrSubsampleRatio420)
	for _, p := range [][]byte{ycc.Y, ycc.Cb, ycc.Cr} {
		for i := range p {
			p[i] = uint8(rng.Uint32())
		}
	}
	for _, src := range []image.Image{rgba, nrgba, ycc, rgba.SubImage(image.Rect(0, 0, 37, 37))} {
		for _, f := range []Resize{ResizeBilinear, ResizeNearest, ResizeCatmullRom} {
			got := prepare(t, src, 37, 1, f)
			for y := 0; y < 37; y++ {
				for x := 0; x < 37; x++ {
					r, g, b, _ := src.At(x, y).RGBA()
					if w := [3]int{int(r >> 8), int(g >> 8), int(b >> 8)}; rgbAt(got, 37, x, y) != w {
						t.Fatalf("%T %v: pixel (%d,%d) = %v, want %v", src, f, x, y, rgbAt(got, 37, x, y), w)
					}
				}
			}
		}
	}
}

// pngHeader returns a PNG that stops after a valid IHDR declaring w x h.
func pngHeader(w, h uint32) []byte {
	ihdr := []byte("IHDR")
	ihdr = binary.BigEndian.AppendUint32(ihdr, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 2, 0, 0, 0) // 8-bit RGB
	f := []byte("\x89PNG\r\n\x1a\n")
	f = binary.BigEndian.AppendUint32(f, 13)
	f = append(f, ihdr...)
	return binary.BigEndian.AppendUint32(f, crc32.ChecksumIEEE(ihdr))
}

func TestDecodeImageErrors(t *testing.T) {
	img := testPattern(32, 32)
	var jpg, pngData bytes.Buffer
	if err := jpeg.Encode(&jpg, img, nil); err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(&pngData, img); err != nil {
		t.Fatal(err)
	}
	corrupt := bytes.Clone(pngData.Bytes())
	corrupt[bytes.Index(corrupt, []byte("IDAT"))+10] ^= 0xff
	for _, tc := range []struct {
		name string
		data []byte
		max  int
		want string
	}{
		{"empty", nil, 0, "empty file"},
		{"text", []byte("hello, world\n"), 0, "not an image (unknown format)"},
		{"truncated JPEG", jpg.Bytes()[:jpg.Len()/2], 0, "truncated JPEG"},
		{"truncated JPEG header", jpg.Bytes()[:20], 0, "truncated JPEG"},
		{"truncated PNG", pngData.Bytes()[:pngData.Len()/2], 0, "truncated PNG"},
		{"corrupt PNG", corrupt, 0, "cannot decode PNG: "},
		{"too many pixels", pngData.Bytes(), 1000, "image is 32x32, more than the 1000-pixel limit"},
		{"bomb", pngHeader(30000, 30000), 100e6, "image is 30000x30000, more than the 100000000-pixel limit"},
	} {
		_, err := DecodeImage(tc.data, tc.max)
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error %q, want %q", tc.name, err, tc.want)
		}
	}

	// The bomb is refused from its header: nothing near 30000*30000 bytes
	// is allocated.
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	DecodeImage(pngHeader(30000, 30000), 100e6)
	runtime.ReadMemStats(&after)
	if n := after.TotalAlloc - before.TotalAlloc; n > 1<<20 {
		t.Errorf("refusing a 30000x30000 header allocated %d bytes", n)
	}
}

func TestPrepareRGBErrors(t *testing.T) {
	img := testPattern(8, 8)
	empty := image.NewRGBA(image.Rect(0, 0, 0, 0))
	for _, tc := range []struct {
		name string
		dst  []byte
		img  image.Image
		size int
		crop float64
		f    Resize
	}{
		{"size 0", nil, img, 0, 1, ResizeBilinear},
		{"short buffer", make([]byte, 10), img, 4, 1, ResizeBilinear},
		{"crop 0", make([]byte, 48), img, 4, 0, ResizeBilinear},
		{"crop 1.5", make([]byte, 48), img, 4, 1.5, ResizeBilinear},
		{"crop NaN", make([]byte, 48), img, 4, math.NaN(), ResizeBilinear},
		{"unknown filter", make([]byte, 48), img, 4, 1, Resize(9)},
		{"empty image", make([]byte, 48), empty, 4, 1, ResizeBilinear},
	} {
		err := PrepareRGB(tc.dst, tc.img, tc.size, tc.crop, tc.f)
		if err == nil || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error %v, want one line", tc.name, err)
		}
	}
}

// readRGB decodes a PNG from disk into row-major RGB bytes, with the
// standard library only.
func readRGB(t *testing.T, path string) ([]byte, int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	b := m.Bounds()
	if b.Dx() != b.Dy() {
		t.Fatalf("%s is %v, want square", path, b)
	}
	p := make([]byte, 0, 3*b.Dx()*b.Dy())
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := m.At(x, y).RGBA()
			p = append(p, uint8(r>>8), uint8(g>>8), uint8(bl>>8))
		}
	}
	return p, b.Dx()
}

// TestReferenceInputs checks our decode and resize against the canonical
// 224x224 inputs, made with PIL's bilinear resize of the whole photo, and
// that those inputs go through unchanged.
func TestReferenceInputs(t *testing.T) {
	dir := shareddata.Dir(t)
	photos, err := os.ReadDir(filepath.Join(dir, "images"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range photos {
		name := strings.TrimSuffix(e.Name(), filepath.Ext(e.Name()))
		ref := filepath.Join(dir, "reference", "inputs", name+".png")
		if _, err := os.Stat(ref); err != nil {
			continue
		}
		n++
		t.Run(name, func(t *testing.T) {
			want, size := readRGB(t, ref)

			refData, err := os.ReadFile(ref)
			if err != nil {
				t.Fatal(err)
			}
			refImg, err := DecodeImage(refData, 0)
			if err != nil {
				t.Fatal(err)
			}
			if got := prepare(t, refImg, size, 1, ResizeBilinear); !bytes.Equal(got, want) {
				t.Errorf("the canonical input did not go through unchanged")
			}

			data, err := os.ReadFile(filepath.Join(dir, "images", e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			img, err := DecodeImage(data, 0)
			if err != nil {
				t.Fatal(err)
			}
			got := prepare(t, img, size, 1, ResizeBilinear)
			sum, worst := 0, 0
			for i := range got {
				d := int(got[i]) - int(want[i])
				d = max(d, -d)
				sum += d
				worst = max(worst, d)
			}
			mean := float64(sum) / float64(len(got))
			t.Logf("%-24s %v: mean |diff| %.3f, max %d", e.Name(), img.Bounds().Size(), mean, worst)
			// We resample as PIL does, so a lossless original gives the very
			// same input. JPEG decoders differ a little (IDCT, chroma
			// upsampling): measured mean 0.16-0.19, max 2-3.
			if ext := strings.ToLower(filepath.Ext(e.Name())); ext != ".jpg" && ext != ".jpeg" {
				if worst != 0 {
					t.Errorf("|diff| from PIL's bilinear input of a lossless original: mean %.3f, max %d levels; want 0", mean, worst)
				}
			} else if mean >= 1 || worst > 6 {
				t.Errorf("|diff| from PIL's bilinear input: mean %.3f, max %d levels; want < 1 and <= 6", mean, worst)
			}
		})
	}
	if n == 0 {
		t.Fatal("no photo has a reference input")
	}
}

// FuzzDecodeImage: no input may panic the decoders or PrepareRGB.
func FuzzDecodeImage(f *testing.F) {
	for _, data := range encodeAll(f, testPattern(5, 3)) {
		f.Add(data)
	}
	var jpg bytes.Buffer
	if err := jpeg.Encode(&jpg, testPattern(5, 3), nil); err != nil {
		f.Fatal(err)
	}
	f.Add(withExif(jpg.Bytes(), 6, binary.BigEndian))
	f.Add(pngHeader(3, 2))
	f.Fuzz(func(t *testing.T, data []byte) {
		// Size 2: a JPEG is decoded at 1/8 to 3/8 in the fast mode.
		for _, mode := range []Decode{DecodeExact, DecodeFast} {
			img, err := DecodeScaled(data, 1<<22, 2, 1, mode)
			if err != nil {
				if strings.Contains(err.Error(), "\n") {
					t.Fatalf("error of more than one line: %q", err)
				}
				continue
			}
			dst := make([]byte, 32*32*3)
			if err := PrepareRGB(dst, img, 32, 1, ResizeBilinear); err != nil {
				t.Fatalf("PrepareRGB on a decoded image: %v", err)
			}
		}
	})
}

// BenchmarkDecodePrepare is the input path of one 720p photo: JPEG decode,
// resize to 224x224, RGB bytes. The generated JPEG is about the size of a
// photo's (smooth colour plus grain).
func BenchmarkDecodePrepare(b *testing.B) {
	m := image.NewRGBA(image.Rect(0, 0, 1280, 720))
	rng := rand.New(rand.NewPCG(3, 4))
	for y := 0; y < 720; y++ {
		for x := 0; x < 1280; x++ {
			n := int(rng.Uint32() % 6)
			m.SetRGBA(x, y, color.RGBA{uint8(x/5 + n), uint8(y/3 + n), uint8((x+y)/8 + n), 255})
		}
	}
	var jpg bytes.Buffer
	if err := jpeg.Encode(&jpg, m, &jpeg.Options{Quality: 90}); err != nil {
		b.Fatal(err)
	}
	dst := make([]byte, 224*224*3)
	for _, mode := range []Decode{DecodeFast, DecodeExact} {
		b.Run("decode="+mode.String(), func(b *testing.B) {
			b.SetBytes(int64(jpg.Len()))
			b.ReportAllocs()
			for b.Loop() {
				img, err := DecodeScaled(jpg.Bytes(), 1<<26, 224, 1, mode)
				if err != nil {
					b.Fatal(err)
				}
				if err := PrepareRGB(dst, img, 224, 1, ResizeBilinear); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestJPEGScale(t *testing.T) {
	for _, tc := range []struct {
		w, h, size int
		crop       float64
		want       int
	}{
		{4032, 3024, 224, 1, 1},     // 504x378
		{4032, 3024, 224, 0.875, 1}, // 441x331 after the crop
		{3024, 4032, 224, 1, 1},
		{1280, 720, 224, 1, 3}, // 1/8 and 2/8 are 90 and 180 rows
		{1280, 720, 224, 0.5, 5},
		{512, 430, 224, 1, 5},
		{224, 224, 224, 1, 8},
		{200, 100, 224, 1, 8}, // smaller than the input: full size
		{4032, 3024, 0, 1, 8},
	} {
		if got := jpegScale(tc.w, tc.h, tc.size, tc.crop); got != tc.want {
			t.Errorf("jpegScale(%d, %d, %d, %g) = %d, want %d", tc.w, tc.h, tc.size, tc.crop, got, tc.want)
		}
	}
}

// TestDecodeScaled decodes a JPEG stored on its side (EXIF orientation 6)
// for a small input: it comes out upright at the reduced scale.
func TestDecodeScaled(t *testing.T) {
	R := color.RGBA{255, 0, 0, 255}
	G := color.RGBA{0, 255, 0, 255}
	B := color.RGBA{0, 0, 255, 255}
	W := color.RGBA{255, 255, 255, 255}
	var buf bytes.Buffer
	// Upright R G over B W, 640x320, stored turned for orientation 6.
	if err := jpeg.Encode(&buf, quadrants(320, 640, [2][2]color.RGBA{{G, W}, {R, B}}), &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	data := withExif(buf.Bytes(), 6, binary.BigEndian)
	for _, tc := range []struct {
		size int
		crop float64
		mode Decode
		w, h int
	}{
		{80, 1, DecodeFast, 160, 80},    // 2/8
		{80, 0.5, DecodeFast, 320, 160}, // 4/8
		{40, 1, DecodeFast, 80, 40},     // 1/8
		{80, 1, DecodeExact, 640, 320},
		{400, 1, DecodeFast, 640, 320}, // larger than the image
	} {
		img, err := DecodeScaled(data, 0, tc.size, tc.crop, tc.mode)
		if err != nil {
			t.Fatal(err)
		}
		b := img.Bounds()
		if b.Dx() != tc.w || b.Dy() != tc.h {
			t.Errorf("size %d, crop %g, %v: %dx%d, want %dx%d", tc.size, tc.crop, tc.mode, b.Dx(), b.Dy(), tc.w, tc.h)
			continue
		}
		for qy, row := range [2][2]color.RGBA{{R, G}, {B, W}} {
			for qx, c := range row {
				r, g, bl, _ := img.At(b.Min.X+tc.w/4+tc.w/2*qx, b.Min.Y+tc.h/4+tc.h/2*qy).RGBA()
				if got, want := [3]int{int(r >> 8), int(g >> 8), int(bl >> 8)}, [3]int{int(c.R), int(c.G), int(c.B)}; !near(got, want, 40) {
					t.Errorf("size %d, crop %g, %v: quadrant (%d,%d) = %v, want %v", tc.size, tc.crop, tc.mode, qx, qy, got, want)
				}
			}
		}
	}
}

// TestDecodeScaledUnsupported: an arithmetic-coded JPEG, which neither
// decoder reads, gets an error that says why.
func TestDecodeScaledUnsupported(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("jpeg", "testdata", "arith.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = DecodeScaled(data, 0, 8, 1, DecodeFast)
	if err == nil || !strings.Contains(err.Error(), "arithmetic") {
		t.Errorf("error %v, want one that says arithmetic coding", err)
	}
}

func TestParseDecode(t *testing.T) {
	for _, s := range []string{"fast", "exact", "EXACT"} {
		d, err := ParseDecode(s)
		if err != nil || !strings.EqualFold(d.String(), s) {
			t.Errorf("ParseDecode(%q) = %v, %v", s, d, err)
		}
	}
	if _, err := ParseDecode("quick"); err == nil {
		t.Error("ParseDecode(quick): no error")
	}
}

// randomNRGBA is a w x h image of seeded random pixels, some translucent.
func randomNRGBA(w, h int, seed uint64) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	r := rand.New(rand.NewPCG(seed, 1))
	for i := range img.Pix {
		img.Pix[i] = uint8(r.IntN(256))
	}
	return img
}

// TestResampleTallMatchesWhole: streaming the vertical pass of a crop
// taller than the output gives the bytes of the pass over all its rows.
func TestResampleTallMatchesWhole(t *testing.T) {
	for _, c := range []struct{ w, h, size int }{
		{1, 1000, 7}, {5, 9, 8}, {13, 200, 16}, {40, 41, 40}, {3, 3001, 224}, {17, 64, 3}, {2, 5, 1},
	} {
		img := randomNRGBA(c.w, c.h, uint64(c.w*c.h))
		for _, filter := range []Resize{ResizeBilinear, ResizeCatmullRom} {
			f := filters[filter]
			kx := makeCoeffs(c.w, c.size, f)
			want := make([]byte, 3*c.size*c.size)
			resample(want, newRowReader(img, img.Bounds()), c.size, kx, makeCoeffs(c.h, c.size, f))
			got := make([]byte, len(want))
			resampleTall(got, newRowReader(img, img.Bounds()), c.size, kx, newCoeffMaker(c.h, c.size, f))
			if !bytes.Equal(got, want) {
				t.Errorf("%dx%d to %d, %v: streamed differs", c.w, c.h, c.size, filter)
			}
		}
	}
}

// TestPrepareRGBTallThinMemory: shrinking a 1 x 50,000 image allocates
// about what the output takes, not its height x size x 3 bytes (34 MB);
// so 1 x 100,000,000, within the default --max-pixels, cannot exhaust
// memory either.
func TestPrepareRGBTallThinMemory(t *testing.T) {
	const h, size = 50_000, 224
	img := randomNRGBA(1, h, 1)
	dst := make([]byte, 3*size*size)
	for _, filter := range []Resize{ResizeBilinear, ResizeCatmullRom} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		if err := PrepareRGB(dst, img, size, 1, filter); err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&after)
		if a := after.TotalAlloc - before.TotalAlloc; a > 4<<20 {
			t.Errorf("%v: allocated %d bytes", filter, a)
		}
	}
}

// TestDecodeScaledRescues: image/jpeg refuses restart markers in a
// progressive file; the fast mode decodes it all the same, at full size
// when that is the scale it needs.
func TestDecodeScaledRescues(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("jpeg", "testdata", "420-prog-rst.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := DecodeScaled(data, 0, 224, 1, DecodeExact); err == nil {
		t.Log("image/jpeg now decodes progressive files with restart intervals")
	}
	for _, size := range []int{224, 16} {
		img, err := DecodeScaled(data, 0, size, 1, DecodeFast)
		if err != nil {
			t.Fatalf("size %d: %v", size, err)
		}
		want := image.Rect(0, 0, 75, 53)
		if size == 16 {
			want = image.Rect(0, 0, 29, 20) // 3/8
		}
		if img.Bounds() != want {
			t.Errorf("size %d: %v, want %v", size, img.Bounds(), want)
		}
	}
}
