package jpeg

import (
	"bytes"
	"flag"
	"image"
	stdjpeg "image/jpeg"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

var benchFiles = flag.String("jpegs", "", "benchmark these JPEGs (a glob) rather than a generated 12 MP photo")

// photo12MP is a 4032 x 3024 baseline 4:2:0 JPEG at quality 90 of a smooth
// picture with noise, about the entropy-coded size of a phone photo.
var photo12MP = sync.OnceValue(func() []byte {
	const w, h = 4032, 3024
	m := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	r := rand.New(rand.NewPCG(1, 2))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			m.Y[y*m.YStride+x] = uint8(min(max(float64(x+y)/28+r.NormFloat64()*6+20, 0), 255))
		}
	}
	for i := range m.Cb {
		m.Cb[i], m.Cr[i] = uint8(100+r.IntN(8)), uint8(150+r.IntN(8))
	}
	var b bytes.Buffer
	if err := stdjpeg.Encode(&b, m, &stdjpeg.Options{Quality: 90}); err != nil {
		panic(err)
	}
	return b.Bytes()
})

func benchInputs(b *testing.B) map[string][]byte {
	if *benchFiles == "" {
		return map[string][]byte{"12MP": photo12MP()}
	}
	names, _ := filepath.Glob(*benchFiles)
	if len(names) == 0 {
		b.Fatalf("-jpegs %q: no files", *benchFiles)
	}
	in := map[string][]byte{}
	for _, n := range names {
		data, err := os.ReadFile(n)
		if err != nil {
			b.Fatal(err)
		}
		in[filepath.Base(filepath.Dir(n))+"/"+filepath.Base(n)] = data
	}
	return in
}

// BenchmarkDecode decodes at 1/8, as a 12 MP photo is for a 224 x 224
// network, and reports full-size megapixels per second; image/jpeg's
// full-size decode of the same file is the baseline.
func BenchmarkDecode(b *testing.B) {
	files := benchInputs(b)
	run := func(b *testing.B, decode func([]byte) error) {
		var pixels float64
		b.ResetTimer()
		for i := 0; b.Loop(); i++ {
			for _, data := range files {
				if err := decode(data); err != nil {
					b.Fatal(err)
				}
			}
		}
		for _, data := range files {
			cfg, _ := stdjpeg.DecodeConfig(bytes.NewReader(data))
			pixels += float64(cfg.Width * cfg.Height)
		}
		per := b.Elapsed().Seconds() / float64(b.N)
		b.ReportMetric(pixels/per/1e6, "MP/s")
		b.ReportMetric(per*1e3/float64(len(files)), "ms/photo")
	}
	b.Run("scale=1/8", func(b *testing.B) {
		run(b, func(data []byte) error { _, err := Decode(data, 1); return err })
	})
	b.Run("image-jpeg", func(b *testing.B) {
		run(b, func(data []byte) error { _, err := stdjpeg.Decode(bytes.NewReader(data)); return err })
	})
}
