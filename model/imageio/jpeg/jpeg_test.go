package jpeg

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/draw"
	stdjpeg "image/jpeg"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The files in testdata are made by scripts/jpeg-testdata.sh: one 75x53
// picture (and a 13x9 one) in every layout the decoder covers.

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func testFiles(t testing.TB) []string {
	t.Helper()
	names, err := filepath.Glob("testdata/*.jpg")
	if err != nil || len(names) == 0 {
		t.Fatalf("no test JPEGs: %v", err)
	}
	var out []string
	for _, n := range names {
		if b := filepath.Base(n); b != "arith.jpg" {
			out = append(out, b)
		}
	}
	return out
}

// toRGBA converts any image to RGBA at the origin.
func toRGBA(m image.Image) *image.RGBA {
	b := m.Bounds()
	out := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(out, out.Rect, m, b.Min, draw.Src)
	return out
}

// boxDownscale averages full into w x h pixels, each the mean of the
// (fractional) 8/n x 8/n area it covers, clipped to the image: what a
// reduced-scale decode approximates.
func boxDownscale(full *image.RGBA, w, h, n int) *image.RGBA {
	W, H := full.Rect.Dx(), full.Rect.Dy()
	s := 8 / float64(n)
	weights := func(i, size int) (int, []float64) {
		lo, hi := float64(i)*s, math.Min(float64(i+1)*s, float64(size))
		first := int(lo)
		var ws []float64
		for p := first; float64(p) < hi; p++ {
			ws = append(ws, math.Min(hi, float64(p+1))-math.Max(lo, float64(p)))
		}
		return first, ws
	}
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		y0, wy := weights(y, H)
		for x := 0; x < w; x++ {
			x0, wx := weights(x, W)
			var sum [4]float64
			var total float64
			for j, a := range wy {
				for i, b := range wx {
					p := full.Pix[(y0+j)*full.Stride+4*(x0+i):]
					for c := range sum {
						sum[c] += a * b * float64(p[c])
					}
					total += a * b
				}
			}
			for c := range sum {
				out.Pix[y*out.Stride+4*x+c] = uint8(sum[c]/total + 0.5)
			}
		}
	}
	return out
}

// compare returns the PSNR (dB) and the largest difference of two RGBA
// images' colour channels.
func compare(a, b *image.RGBA) (psnr float64, maxErr int) {
	var se float64
	n := 0
	for y := 0; y < a.Rect.Dy(); y++ {
		for x := 0; x < a.Rect.Dx(); x++ {
			for c := 0; c < 3; c++ {
				d := int(a.Pix[y*a.Stride+4*x+c]) - int(b.Pix[y*b.Stride+4*x+c])
				se += float64(d * d)
				maxErr = max(maxErr, d, -d)
				n++
			}
		}
	}
	if se == 0 {
		return math.Inf(1), 0
	}
	return 10 * math.Log10(255*255*float64(n)/se), maxErr
}

// TestScaledMatchesFull decodes every file at every scale and compares it
// with image/jpeg's full-size decode, box-averaged to the same size. A
// reduced inverse DCT keeps the block's low frequencies where a box filter
// averages: close on a photograph-like picture, not equal. At 8/8 both are
// the full decode and differ by rounding alone.
func TestScaledMatchesFull(t *testing.T) {
	for _, name := range testFiles(t) {
		data := readTestdata(t, name)
		ref, err := stdjpeg.Decode(bytes.NewReader(data))
		if err != nil {
			// image/jpeg refuses restart markers in progressive files;
			// TestSameCoefficients checks those.
			t.Logf("%s: image/jpeg: %v", name, err)
			continue
		}
		full := toRGBA(ref)
		for n := 1; n <= 8; n++ {
			m, err := Decode(data, n)
			if err != nil {
				t.Fatalf("%s at %d/8: %v", name, n, err)
			}
			W, H := full.Rect.Dx(), full.Rect.Dy()
			w, h := ScaledSize(W, H, n)
			if m.Bounds() != image.Rect(0, 0, w, h) {
				t.Fatalf("%s at %d/8: bounds %v, want %dx%d", name, n, m.Bounds(), w, h)
			}
			if fmt.Sprintf("%T", m) != fmt.Sprintf("%T", ref) {
				t.Errorf("%s at %d/8: a %T, image/jpeg gives a %T", name, n, m, ref)
			}
			psnr, maxErr := compare(toRGBA(m), boxDownscale(full, w, h, n))
			minPSNR := 27.0
			if n == 8 {
				minPSNR = 55
				if maxErr > 3 {
					t.Errorf("%s at 8/8: largest difference %d from image/jpeg, want <= 3", name, maxErr)
				}
			}
			if psnr < minPSNR {
				t.Errorf("%s at %d/8: PSNR %.1f dB against the box-averaged full decode, want >= %.0f (max error %d)", name, n, psnr, minPSNR, maxErr)
			}
			if testing.Verbose() {
				t.Logf("%-20s %d/8  %3dx%-3d PSNR %5.1f dB  max error %3d", name, n, w, h, psnr, maxErr)
			}
		}
	}
}

// TestSameCoefficients decodes lossless transcodings of one file
// (progressive, restart intervals, several scans): the coefficients are the
// same, so the pixels must be too, at every scale.
func TestSameCoefficients(t *testing.T) {
	for _, name := range testFiles(t) {
		base, _, ok := strings.Cut(name, "-")
		if !ok || strings.HasPrefix(name, "cmyk") || strings.HasPrefix(name, "ycck") || name == "420-opt.jpg" || name == "420-scans.jpg" {
			continue
		}
		a, b := readTestdata(t, base+".jpg"), readTestdata(t, name)
		for n := 1; n <= 8; n++ {
			ma, err := Decode(a, n)
			if err != nil {
				t.Fatal(err)
			}
			mb, err := Decode(b, n)
			if err != nil {
				t.Fatalf("%s at %d/8: %v", name, n, err)
			}
			if psnr, maxErr := compare(toRGBA(ma), toRGBA(mb)); maxErr != 0 {
				t.Errorf("%s at %d/8 differs from %s.jpg: PSNR %.1f dB, max error %d", name, n, base, psnr, maxErr)
			}
		}
	}
}

func TestUnsupported(t *testing.T) {
	arith := readTestdata(t, "arith.jpg")
	// A 12-bit file: the frame header's precision byte says so.
	twelve := bytes.Clone(readTestdata(t, "420.jpg"))
	i := bytes.Index(twelve, []byte{0xff, sof0})
	twelve[i+4] = 12
	for name, data := range map[string][]byte{"arithmetic": arith, "12-bit": twelve} {
		_, err := Decode(data, 1)
		if !errors.Is(err, ErrUnsupported) {
			t.Errorf("%s: error %v, want one that wraps ErrUnsupported", name, err)
		}
	}
}

func TestBadInput(t *testing.T) {
	data := readTestdata(t, "420-prog.jpg")
	for _, cut := range []int{0, 1, 2, 100, 400, len(data) / 2, len(data) - 2} {
		if _, err := Decode(data[:cut], 1); err == nil && cut < len(data)-2 {
			t.Errorf("truncated to %d bytes: no error", cut)
		}
	}
	if _, err := Decode(data, 0); err == nil {
		t.Error("scale 0/8: no error")
	}
}

// FuzzDecode feeds mutated files to the decoder: it must return an image
// or an error, never panic, and allocate no more than the reduced image
// that the header (bounded here as the caller bounds it) declares.
func FuzzDecode(f *testing.F) {
	for _, name := range []string{"420.jpg", "420-progscans.jpg", "420-prog-rst.jpg", "gray-rst.jpg", "411-prog.jpg", "tiny420.jpg", "ycck-prog.jpg"} {
		f.Add(readTestdata(f, name), uint8(1))
	}
	f.Fuzz(func(t *testing.T, data []byte, n uint8) {
		cfg, err := stdjpeg.DecodeConfig(bytes.NewReader(data))
		if err != nil || cfg.Width*cfg.Height > 1<<16 {
			return
		}
		m, err := Decode(data, int(n%8)+1)
		if err == nil {
			w, h := ScaledSize(cfg.Width, cfg.Height, int(n%8)+1)
			if m.Bounds() != image.Rect(0, 0, w, h) {
				t.Fatalf("bounds %v, want %dx%d", m.Bounds(), w, h)
			}
		}
	})
}

func TestDecodeConfig(t *testing.T) {
	for _, name := range testFiles(t) {
		w, h, err := DecodeConfig(readTestdata(t, name))
		if want := (image.Point{75, 53}); err != nil || image.Pt(w, h) != want && name[:4] != "tiny" {
			t.Errorf("%s: %dx%d, %v; want %v", name, w, h, err, want)
		}
	}
	if _, _, err := DecodeConfig(readTestdata(t, "arith.jpg")); !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), "arithmetic") {
		t.Errorf("arith.jpg: %v, want the unsupported arithmetic coding", err)
	}
}

// TestTooManyScans repeats the DC refinement scan of a progressive file (a
// bit a block, whatever came before) until there are more than maxScans.
func TestTooManyScans(t *testing.T) {
	data := readTestdata(t, "gray-prog.jpg")
	var scan []byte
	for p := 0; p+9 < len(data); p++ {
		// SOS of one component: length 8, then Ss, Se, Ah|Al at 7..9.
		if data[p] == 0xff && data[p+1] == sos && data[p+7] == 0 && data[p+8] == 0 && data[p+9]>>4 != 0 {
			end := p + 10
			for !(data[end] == 0xff && data[end+1] != 0) {
				end++
			}
			scan = data[p:end]
		}
	}
	if scan == nil {
		t.Fatal("no DC refinement scan")
	}
	for _, n := range []int{maxScans - 20, maxScans + 1} {
		b := bytes.Clone(data[:len(data)-2])
		for bytes.Count(b, []byte{0xff, sos}) < n {
			b = append(b, scan...)
		}
		b = append(b, 0xff, eoi)
		_, err := Decode(b, 1)
		if tooMany := n > maxScans; (err != nil) != tooMany {
			t.Errorf("%d scans: error %v", n, err)
		}
	}
}

// idctLoops is the reduced inverse DCT as the formula above idct reads,
// a loop a sum, each product rounded to float32 before it is added;
// idct must write the very same bytes.
func idctLoops(dst []byte, stride int, blk *[64]int32, sw, sh int) {
	b := &weights().basis
	var tmp [8][8]float32
	for v := 0; v < sh; v++ {
		for x := 0; x < sw; x++ {
			acc := float32(float32(blk[8*v]) * b[sw-1][x][0])
			for u := 1; u < sw; u++ {
				acc += float32(float32(blk[8*v+u]) * b[sw-1][x][u])
			}
			tmp[v][x] = acc
		}
	}
	for y := 0; y < sh; y++ {
		for x := 0; x < sw; x++ {
			a := float32(128.5)
			for v := 0; v < sh; v++ {
				a += float32(b[sh-1][y][v] * tmp[v][x])
			}
			dst[y*stride+x] = byte(min(max(a, 0), 255))
		}
	}
}

func TestIDCT(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	const stride = 11
	for sw := 1; sw <= 8; sw++ {
		for sh := 1; sh <= 8; sh++ {
			if sw == sh && sw <= 2 {
				continue // in integers, see idct1x1 and idct2x2
			}
			for i := range 2000 {
				var blk [64]int32
				// Mostly small values and many zeros, as in photos;
				// sometimes large ones, to clamp.
				for k := range blk {
					switch r.IntN(4) {
					case 0:
						blk[k] = r.Int32N(2047) - 1023
						if i%8 == 0 {
							blk[k] *= 16
						}
					case 1:
						blk[k] = r.Int32N(9) - 4
					}
				}
				if i%3 == 0 { // trailing rows of zeros
					clear(blk[8*r.IntN(sh):])
				}
				got, want := make([]byte, 8*stride), make([]byte, 8*stride)
				var out [8][8]byte
				idct(got, stride, &blk, &out, sw, sh)
				idctLoops(want, stride, &blk, sw, sh)
				if !bytes.Equal(got, want) {
					t.Fatalf("%dx%d, block %v:\n got %v\nwant %v", sw, sh, blk, got, want)
				}
			}
		}
	}
}

// TestHuffTablesShared: a table defined again is the one built before, of
// its class only, and the cache keeps at most maxHuffTables of them.
func TestHuffTablesShared(t *testing.T) {
	def := func(sym byte) (counts [16]int, d []byte) {
		counts[1] = 2 // two codes of 2 bits
		return counts, []byte{0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, sym, sym + 1}
	}
	counts, d := def(3)
	a, err := huffTableFor(d, counts, d[16:], true)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := huffTableFor(bytes.Clone(d), counts, d[16:], true); b != a {
		t.Error("the same AC table defined twice was built twice")
	}
	if b, _ := huffTableFor(d, counts, d[16:], false); b == a {
		t.Error("a DC table shares an AC table's entries")
	}
	for sym := byte(10); sym < 10+2*maxHuffTables; sym += 2 {
		counts, d := def(sym)
		if _, err := huffTableFor(d, counts, d[16:], true); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(huffTables.recent); n > maxHuffTables {
		t.Errorf("%d tables kept, want at most %d", n, maxHuffTables)
	}
	if b, _ := huffTableFor(d, counts, d[16:], true); b == a {
		t.Error("the first table outlived maxHuffTables others")
	}
}

// TestConcurrentDecodes: files decoded at once share their tables (and a
// skip table built once) and come out as when decoded one by one.
func TestConcurrentDecodes(t *testing.T) {
	names := testFiles(t)
	data, want := make([][]byte, len(names)), make([][]byte, len(names))
	for i, n := range names {
		data[i] = readTestdata(t, n)
		m, err := Decode(data[i], 3)
		if err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		want[i] = toRGBA(m).Pix
	}
	huffTables.Lock()
	huffTables.recent = nil // every table is built during the race below
	huffTables.Unlock()
	errs := make(chan error, 4*len(names))
	for range 4 {
		for i, n := range names {
			go func() {
				m, err := Decode(data[i], 3)
				switch {
				case err != nil:
					errs <- fmt.Errorf("%s: %v", n, err)
				case !bytes.Equal(toRGBA(m).Pix, want[i]):
					errs <- fmt.Errorf("%s: decoded beside other files, the pixels differ", n)
				default:
					errs <- nil
				}
			}()
		}
	}
	for range 4 * len(names) {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// TestDecoderReuse decodes every test file at every scale, larger and
// smaller ones in turn, with one Decoder: each image is the one a fresh
// decode makes, whatever the Decoder's planes held before.
func TestDecoderReuse(t *testing.T) {
	var dec Decoder
	for _, n := range []int{8, 1, 5, 2, 3, 7, 4, 6} {
		for _, name := range testFiles(t) {
			data := readTestdata(t, name)
			want, err := Decode(data, n)
			if err != nil {
				t.Fatalf("%s at %d/8: %v", name, n, err)
			}
			got, err := dec.Decode(data, n)
			if err != nil {
				t.Fatalf("%s at %d/8, reused: %v", name, n, err)
			}
			if !bytes.Equal(toRGBA(got).Pix, toRGBA(want).Pix) {
				t.Errorf("%s at %d/8: a reused Decoder's image differs", name, n)
			}
		}
	}
}
