package kernels

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// idctLoops is InverseDCT as its comment writes it, a loop a sum.
func idctLoops(out *[8][8]byte, coef *[64]int32, across, down *[8][8]float32, sw, sh int) {
	var t [8][8]float32
	for v := range sh {
		for x := range sw {
			acc := float32(float32(coef[8*v]) * across[0][x])
			for u := 1; u < sw; u++ {
				acc += float32(float32(coef[8*v+u]) * across[u][x])
			}
			t[v][x] = acc
		}
	}
	for y := range sh {
		for x := range sw {
			a := float32(128.5)
			for v := range sh {
				a += float32(down[y][v] * t[v][x])
			}
			out[y][x] = byte(min(max(a, 0), 255))
		}
	}
}

// randomIDCT makes a block as photos have them (mostly zeros, small values,
// sometimes large ones that clamp) and weights in [-1, 1].
func randomIDCT(r *rand.Rand) (coef [64]int32, across, down [8][8]float32) {
	big := r.IntN(8) == 0
	for k := range coef {
		switch r.IntN(4) {
		case 0:
			coef[k] = r.Int32N(2047) - 1023
			if big {
				coef[k] *= 16
			}
		case 1:
			coef[k] = r.Int32N(9) - 4
		}
	}
	if r.IntN(3) == 0 { // rows of zeros at the end
		clear(coef[8*r.IntN(8):])
	}
	for i := range 8 {
		for j := range 8 {
			across[i][j] = r.Float32()*2 - 1
			down[i][j] = r.Float32()*2 - 1
		}
	}
	return
}

func TestInverseDCT(t *testing.T) {
	forEachSet(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(7, 8))
		for sw := 1; sw <= 8; sw++ {
			for sh := 1; sh <= 8; sh++ {
				for range 500 {
					coef, across, down := randomIDCT(r)
					var got, want [8][8]byte
					InverseDCT(&got, &coef, &across, &down, sw, sh)
					idctLoops(&want, &coef, &across, &down, sw, sh)
					for y := range sh {
						if string(got[y][:sw]) != string(want[y][:sw]) {
							t.Fatalf("%dx%d, row %d: %v, want %v\ncoef %v", sw, sh, y, got[y][:sw], want[y][:sw], coef)
						}
					}
				}
			}
		}
	})
}

// BenchmarkInverseDCT is a block with five low-frequency coefficients, as
// most blocks of a photo are, with the weights of the JPEG transform,
// reporting GFLOP/s of the two passes.
func BenchmarkInverseDCT(b *testing.B) {
	var coef [64]int32
	coef[0], coef[1], coef[2], coef[8], coef[9] = 300, -20, 5, 14, 3
	r := rand.New(rand.NewPCG(1, 1))
	var across, down [8][8]float32
	for i := range 8 {
		for j := range 8 {
			across[i][j], down[i][j] = r.Float32()-0.5, r.Float32()-0.5
		}
	}
	for _, name := range Sets() {
		b.Run(name, func(b *testing.B) {
			useSet(b, name)
			for s := 2; s <= 8; s++ {
				b.Run(fmt.Sprintf("%dx%d", s, s), func(b *testing.B) {
					var out [8][8]byte
					for b.Loop() {
						InverseDCT(&out, &coef, &across, &down, s, s)
					}
					flops := float64(2 * (s*s*s + s*s*s))
					b.ReportMetric(flops*float64(b.N)/float64(b.Elapsed().Nanoseconds()), "GFLOP/s")
				})
			}
		})
	}
}
