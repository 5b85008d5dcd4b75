package kernels

import (
	"image/color"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestYCbCrToRGBA converts every one of the 2^24 colours, in rows of odd
// lengths from unaligned starts, and compares each pixel with
// image/color's conversion.
func TestYCbCrToRGBA(t *testing.T) {
	const colours = 1 << 24
	y, cb, cr := make([]byte, colours), make([]byte, colours), make([]byte, colours)
	for i := range colours {
		y[i], cb[i], cr[i] = byte(i>>16), byte(i>>8), byte(i)
	}
	forEachSet(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(13, 14))
		dst := make([]byte, 4*colours+64)
		for i := 0; i < colours; {
			n := min(1+r.IntN(1000), colours-i)
			off := r.IntN(4) // an unaligned destination
			d := dst[off : off+4*n+4]
			d[4*n] = 0xAB // past the row: left alone
			YCbCrToRGBA(d[:4*n], y[i:i+n], cb[i:i+n], cr[i:i+n])
			for j := range n {
				wr, wg, wb := color.YCbCrToRGB(y[i+j], cb[i+j], cr[i+j])
				if got, want := d[4*j:4*j+4], []byte{wr, wg, wb, 0xff}; !slices.Equal(got, want) {
					t.Fatalf("YCbCr %d, %d, %d: got %v, want %v", y[i+j], cb[i+j], cr[i+j], got, want)
				}
			}
			if d[4*n] != 0xAB {
				t.Fatalf("a row of %d pixels wrote past its end", n)
			}
			i += n
		}
	})
}

// BenchmarkYCbCrToRGBA converts one row of a 720p photo decoded at 3/8
// (480 pixels), reporting GOP/s (four multiplies and five adds a pixel).
func BenchmarkYCbCrToRGBA(b *testing.B) {
	const n = 480
	r := rand.New(rand.NewPCG(5, 6))
	y, cb, cr := randomBytes(r, n), randomBytes(r, n), randomBytes(r, n)
	dst := make([]byte, 4*n)
	for _, name := range Sets() {
		b.Run(name, func(b *testing.B) {
			useSet(b, name)
			for b.Loop() {
				YCbCrToRGBA(dst, y, cb, cr)
			}
			b.ReportMetric(float64(9*n*b.N)/float64(b.Elapsed().Nanoseconds()), "GOP/s")
		})
	}
}
