package kernels

import (
	"fmt"
	"math"
	mbits "math/bits"
	"math/rand/v2"
	"testing"
)

// The 8-bit kernels are exact: every set must give the bits of a
// straightforward int64 evaluation of TFLite's formulas, computed here from
// the unpacked weights.

// refRequant is MultiplyByQuantizedMultiplier in int64 arithmetic, each
// rounding written as what it means: the doubling high product rounded half
// away from zero, then the division by 2^right rounded half away from zero.
func refRequant(acc int64, q, shift int32) int64 {
	left, right := int64(max(shift, 0)), int64(max(-shift, 0))
	x := acc << left
	if x > math.MaxInt32 || x < math.MinInt32 {
		x = int64(int32(x)) // TFLite's int32 wraps
	}
	p := x * int64(q)
	var hi int64
	if p >= 0 {
		hi = (p + 1<<30) >> 31
	} else {
		hi = -((-p + 1<<30 - 1) >> 31) // (p + 1 - 2^30) / 2^31 truncated toward zero
		if p == int64(math.MinInt32)*math.MinInt32 {
			hi = math.MaxInt32
		}
	}
	if right == 0 {
		return hi
	}
	half := int64(1) << (right - 1) // ties away from zero
	if hi >= 0 {
		return (hi + half) >> right
	}
	return -((-hi + half) >> right)
}

func refOut(acc int64, r *Requant, o int) uint8 {
	v := refRequant(acc, r.Mult[o], r.Shift[o]) + int64(r.Zero)
	return uint8(min(max(v, int64(r.Lo)), int64(r.Hi)))
}

func TestMultiplyByQuantizedMultiplier(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	for i := range 200000 {
		m := math.Ldexp(0.5+r.Float64()/2, -r.IntN(36)+4)
		q, shift := QuantizeMultiplier(m)
		if q != 0 && (q < 1<<30 || math.Abs(math.Ldexp(float64(q), int(shift)-31)-m) > math.Ldexp(m, -30)) {
			t.Fatalf("QuantizeMultiplier(%g) = %d, %d", m, q, shift)
		}
		x := int32(r.Uint32())
		if shift > 0 {
			x >>= shift // TFLite's inputs do not overflow the left shift
		}
		if i%3 == 0 {
			x = int32(r.IntN(1<<20) - 1<<19)
		}
		if got, want := MultiplyByQuantizedMultiplier(x, q, shift), refRequant(int64(x), q, shift); int64(got) != want {
			t.Fatalf("MultiplyByQuantizedMultiplier(%d, %d, %d) = %d, want %d", x, q, shift, got, want)
		}
	}
}

// qcase is a random quantized layer: weights of either scheme of the
// shipped files, zero points, and a requantization that clamps.
type qcase struct {
	unsigned bool
	w        []byte
	wZero    []int32 // one, or per channel (symmetric: zeros)
	inZero   int32
	bias     []int32
	out      Requant
}

func newQCase(r *rand.Rand, n, cout, fanIn int, perChannel bool) qcase {
	c := qcase{unsigned: !perChannel, w: make([]byte, n), inZero: int32(r.IntN(256)), bias: make([]int32, cout)}
	for i := range c.w {
		c.w[i] = byte(r.IntN(256))
	}
	if perChannel {
		c.wZero = make([]int32, cout)
	} else {
		c.wZero = []int32{int32(r.IntN(200) + 28)}
	}
	for i := range c.bias {
		c.bias[i] = int32(r.IntN(1<<16) - 1<<15)
	}
	c.out = Requant{Mult: make([]int32, cout), Shift: make([]int32, cout), Zero: int32(r.IntN(256))}
	c.out.Lo, c.out.Hi = int32(r.IntN(40)), int32(215+r.IntN(41))
	for o := range cout {
		// About a typical layer's: outputs spread over the 8 bits.
		m := (0.5 + r.Float64()) / (float64(fanIn) * 16 * 40) * math.Sqrt(float64(fanIn))
		c.out.Mult[o], c.out.Shift[o] = QuantizeMultiplier(m)
	}
	return c
}

// loud scales the requantization by 2^10: outputs far beyond 8 and 16
// bits, which the kernels' saturating packs must clamp as the exact sums
// are, and multipliers above 1 (a left shift and no rounding one).
func (c *qcase) loud() {
	for o := range c.out.Shift {
		c.out.Shift[o] += 10
	}
}

func (c *qcase) weight(i, o int) int64 {
	v := int64(int8(c.w[i]))
	if c.unsigned {
		v = int64(c.w[i])
	}
	return v - int64(c.wZero[min(o, len(c.wZero)-1)])
}

func randomBytes(r *rand.Rand, n int) []uint8 {
	b := make([]uint8, n+1)
	for i := range b {
		b[i] = uint8(r.IntN(256))
	}
	return b[1:] // unaligned
}

func TestQPointwise(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 2))
	shapes := [][3]int{{1, 4, 16}, {5, 8, 16}, {7, 3, 5}, {13, 16, 33}, {3, 96, 24}, {9, 17, 31}, {6, 160, 960}, {1, 1280, 21}, {31, 24, 144}}
	for i, s := range shapes {
		for _, perChannel := range []bool{false, true} {
			pixels, cin, cout := s[0], s[1], s[2]
			c := newQCase(r, cout*cin, cout, cin, perChannel)
			if i%2 == 1 {
				c.loud()
			}
			src := randomBytes(r, pixels*cin)
			want := make([]uint8, pixels*cout)
			for p := range pixels {
				for o := range cout {
					acc := int64(c.bias[o])
					for i := range cin {
						acc += (int64(src[p*cin+i]) - int64(c.inZero)) * c.weight(o*cin+i, o)
					}
					want[p*cout+o] = refOut(acc, &c.out, o)
				}
			}
			w := PackQPointwise(c.w, c.unsigned, c.wZero[0], c.bias, cout, cin, c.inZero, c.out)
			forEachSet(t, func(t *testing.T) {
				for _, cr := range [][2]int{{0, cout}, {0, min(cout, Tile)}, {Tile, cout}} {
					if cr[0] >= cr[1] {
						continue
					}
					dst := make([]uint8, pixels*cout+1)
					dst[len(dst)-1] = 0xa5
					QPointwise(dst[:pixels*cout], src, pixels, w, cr[0], cr[1])
					if dst[len(dst)-1] != 0xa5 {
						t.Fatalf("%v: wrote past dst", s)
					}
					for p := range pixels {
						for o := cr[0]; o < cr[1]; o++ {
							if got := dst[p*cout+o]; got != want[p*cout+o] {
								t.Fatalf("pixels %d cin %d cout %d per-channel %v channels %v: [%d][%d] = %d, want %d",
									pixels, cin, cout, perChannel, cr, p, o, got, want[p*cout+o])
							}
						}
					}
				}
			})
		}
	}
}

// refDepthwise is the int64 3x3 depthwise (or, with cin 3, the stem) of
// TFLite: taps in the padding are skipped.
func refConv3x3(src []uint8, h, w, cin, cout, stride int, c *qcase, depthwise bool) []uint8 {
	oh, ow := (h+stride-1)/stride, (w+stride-1)/stride
	padT := max((oh-1)*stride+3-h, 0) / 2
	padL := max((ow-1)*stride+3-w, 0) / 2
	dst := make([]uint8, oh*ow*cout)
	for oy := range oh {
		for ox := range ow {
			for o := range cout {
				acc := int64(c.bias[o])
				for ky := range 3 {
					for kx := range 3 {
						iy, ix := oy*stride-padT+ky, ox*stride-padL+kx
						if iy < 0 || iy >= h || ix < 0 || ix >= w {
							continue
						}
						if depthwise {
							a := int64(src[(iy*w+ix)*cin+o]) - int64(c.inZero)
							acc += a * c.weight((ky*3+kx)*cout+o, o)
							continue
						}
						for ci := range cin {
							a := int64(src[(iy*w+ix)*cin+ci]) - int64(c.inZero)
							acc += a * c.weight(((o*3+ky)*3+kx)*cin+ci, o)
						}
					}
				}
				dst[(oy*ow+ox)*cout+o] = refOut(acc, &c.out, o)
			}
		}
	}
	return dst
}

func TestQDepthwise(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	for i, s := range [][3]int{{1, 1, 16}, {2, 3, 5}, {7, 5, 24}, {8, 8, 33}, {14, 14, 96}, {9, 4, 144}, {5, 6, 48}, {5, 6, 40}, {3, 4, 320}, {6, 2, 40}, {4, 3, 32}} {
		for _, stride := range []int{1, 2} {
			for _, perChannel := range []bool{false, true} {
				h, w, ch := s[0], s[1], s[2]
				c := newQCase(r, 9*ch, ch, 9, perChannel)
				if i%2 == 1 {
					c.loud()
				}
				src := randomBytes(r, h*w*ch)
				want := refConv3x3(src, h, w, ch, ch, stride, &c, true)
				wt := PackQDepthwise(c.w, c.unsigned, c.wZero, c.bias, ch, c.inZero, c.out)
				oh, ow := (h+stride-1)/stride, (w+stride-1)/stride
				forEachSet(t, func(t *testing.T) {
					// Whole, then a row at a time from a ring of 3 rows, as a
					// streamed bottleneck computes it.
					dst := make([]uint8, oh*ow*ch)
					QDepthwise(dst, src, h, w, stride, h, 0, oh, wt, 0, ch)
					rows := min(3, h)
					ring := make([]uint8, rows*w*ch)
					row := make([]uint8, ow*ch)
					for oy := range oh {
						top := max((oh-1)*stride+3-h, 0) / 2
						for iy := max(oy*stride-top, 0); iy <= min(oy*stride-top+2, h-1); iy++ {
							copy(ring[(iy%rows)*w*ch:(iy%rows+1)*w*ch], src[iy*w*ch:])
						}
						QDepthwise(row, ring, h, w, stride, rows, oy, oy+1, wt, 0, ch)
						for i, v := range row {
							if v != dst[oy*ow*ch+i] {
								t.Fatalf("%v stride %d: row %d from a ring differs", s, stride, oy)
							}
						}
					}
					for i := range want {
						if dst[i] != want[i] {
							t.Fatalf("h %d w %d c %d stride %d per-channel %v: [%d] = %d, want %d", h, w, ch, stride, perChannel, i, dst[i], want[i])
						}
					}
					// A range of channels from a tile boundary, as a thread's share.
					if ch > Tile {
						part := make([]uint8, oh*ow*ch)
						QDepthwise(part, src, h, w, stride, h, 0, oh, wt, Tile, ch)
						for i := range part {
							if c := i % ch; c >= Tile && part[i] != want[i] || c < Tile && part[i] != 0 {
								t.Fatalf("h %d w %d c %d stride %d: channels [%d, %d): [%d] = %d, want %d", h, w, ch, stride, Tile, ch, i, part[i], want[i])
							}
						}
					}
				})
			}
		}
	}
}

func TestQStem(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	for i, s := range [][3]int{{2, 2, 8}, {5, 7, 16}, {8, 8, 13}, {33, 32, 32}} {
		for _, perChannel := range []bool{false, true} {
			h, w, cout := s[0], s[1], s[2]
			c := newQCase(r, cout*27, cout, 27, perChannel)
			if i%2 == 1 {
				c.loud()
			}
			src := randomBytes(r, h*w*3)
			want := refConv3x3(src, h, w, 3, cout, 2, &c, false)
			wt := PackQStem(c.w, c.unsigned, c.wZero, c.bias, cout, c.inZero, c.out)
			oh := (h + 1) / 2
			forEachSet(t, func(t *testing.T) {
				dst := make([]uint8, len(want))
				QStem(dst, src, h, w, 0, oh, wt)
				for i := range want {
					if dst[i] != want[i] {
						t.Fatalf("h %d w %d cout %d per-channel %v: [%d] = %d, want %d", h, w, cout, perChannel, i, dst[i], want[i])
					}
				}
			})
		}
	}
}

// TestQAdd checks the quantized add against its formula in int64, and
// that it is the sum of the real values within an output LSB.
func TestQAdd(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	for range 200 {
		as, bs, os := float32(0.01+r.Float64()/10), float32(0.01+r.Float64()/10), float32(0.02+r.Float64()/5)
		az, bz, oz := int32(r.IntN(256)), int32(r.IntN(256)), int32(r.IntN(256))
		p := NewQAdd(as, az, bs, bz, os, oz, 0, 255)
		for range 200 {
			a, b := uint8(r.IntN(256)), uint8(r.IntN(256))
			x := refRequant(int64(int32(a)-az)<<20, p.AMult, p.AShift)
			y := refRequant(int64(int32(b)-bz)<<20, p.BMult, p.BShift)
			want := uint8(min(max(refRequant(x+y, p.Mult, p.Shift)+int64(oz), 0), 255))
			got := p.Add(a, b)
			var viaTables [1]uint8
			QAddTensors(viaTables[:], []uint8{a}, []uint8{b}, &p)
			if got != want || viaTables[0] != want {
				t.Fatalf("add %d+%d: %d (tables %d), want %d", a, b, got, viaTables[0], want)
			}
			real := float64(as)*float64(int32(a)-az) + float64(bs)*float64(int32(b)-bz)
			q := min(max(math.Round(real/float64(os))+float64(oz), 0), 255)
			if math.Abs(q-float64(got)) > 1 {
				t.Fatalf("add %d+%d: %d, real sum quantizes to %v", a, b, got, q)
			}
		}
	}
}

// TestQAddTensors checks every set's QAddTensors against Add, on runs of
// every length to past a few vectors, unaligned.
func TestQAddTensors(t *testing.T) {
	r := rand.New(rand.NewPCG(6, 6))
	for i := range 40 {
		p := NewQAdd(float32(0.01+r.Float64()/10), int32(r.IntN(256)), float32(0.01+r.Float64()/10), int32(r.IntN(256)),
			float32(0.02+r.Float64()/5), int32(r.IntN(256)), int32(r.IntN(40)), int32(215+r.IntN(41)))
		n := i*3 + r.IntN(3)
		a, b := randomBytes(r, n), randomBytes(r, n)
		forEachSet(t, func(t *testing.T) {
			dst := make([]uint8, n+2)
			dst[0], dst[n+1] = 0xa5, 0xa5
			QAddTensors(dst[1:n+1], a, b, &p)
			if dst[0] != 0xa5 || dst[n+1] != 0xa5 {
				t.Fatalf("n %d: wrote outside dst", n)
			}
			for j := range n {
				if got, want := dst[1+j], p.Add(a[j], b[j]); got != want {
					t.Fatalf("n %d: [%d] %d+%d = %d, want %d", n, j, a[j], b[j], got, want)
				}
			}
		})
	}
}

// TestQSoftmaxOnce checks that Softmax, which computes each distinct
// exponential once, gives the bits of TFLite's loop, which computes every
// one twice, written out here.
func TestQSoftmaxOnce(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	for _, n := range []int{1, 3, 17, 1001} {
		for range 30 {
			p := NewQSoftmax(1, float32(0.005+r.Float64()/2))
			src := randomBytes(r, n)
			if r.IntN(2) == 0 {
				for i := range src {
					src[i] = 100 + src[i]%40 // repeated values, none far below the top
				}
			}
			got := make([]uint8, n)
			p.Softmax(got, src)
			var top uint8
			for _, x := range src {
				top = max(top, x)
			}
			exp := func(d int32) int32 {
				return expOnNegative(SaturatingRoundingDoublingHighMul(d*(1<<p.LeftShift), p.Mult))
			}
			var sum int32
			for _, x := range src {
				if d := int32(x) - int32(top); d >= p.DiffMin {
					sum += RoundingDivideByPOT(exp(d), 12)
				}
			}
			headroom := int32(mbits.LeadingZeros32(uint32(sum)))
			scale := oneOverOnePlusX(int32(uint32(sum)<<headroom - 1<<31))
			for i, x := range src {
				want := uint8(0)
				if d := int32(x) - int32(top); d >= p.DiffMin {
					v := RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(scale, exp(d)), 12-headroom+31-8)
					want = uint8(min(max(v, 0), 255))
				}
				if got[i] != want {
					t.Fatalf("%d classes, mult %d shift %d: class %d = %d, want %d", n, p.Mult, p.LeftShift, i, got[i], want)
				}
			}
		}
	}
}

// TestQSoftmax checks the fixed-point softmax against float64: within 1
// LSB of 1/256 on every class.
func TestQSoftmax(t *testing.T) {
	r := rand.New(rand.NewPCG(6, 6))
	for _, n := range []int{1, 2, 10, 1001} {
		for range 20 {
			scale := float32(0.02 + r.Float64()/5)
			p := NewQSoftmax(1, scale)
			src := randomBytes(r, n)
			dst := make([]uint8, n)
			p.Softmax(dst, src)
			var sum float64
			top := 0
			for _, x := range src {
				top = max(top, int(x))
			}
			e := make([]float64, n)
			for i, x := range src {
				e[i] = math.Exp(float64(scale) * float64(int(x)-top))
				sum += e[i]
			}
			for i := range dst {
				want := min(e[i]/sum*256, 255)
				if math.Abs(float64(dst[i])-want) > 1 {
					t.Fatalf("%s: class %d: %d, float %.3f", fmt.Sprint(n, " classes"), i, dst[i], want)
				}
			}
		}
	}
}

// TestQDepthwiseRanges runs QDepthwise as the forward pass's threads and
// strips call it: output rows [y0, y1) from a ring of the rows they read,
// channels [c0, c1) from a tile boundary, into an unaligned dst; every set must
// give generic's bytes there and leave the other channels alone.
func TestQDepthwiseRanges(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	for range 120 {
		h, w, ch, stride := 1+r.IntN(12), 1+r.IntN(24), 1+r.IntN(220), 1+r.IntN(2)
		perChannel := r.IntN(2) == 0
		c := newQCase(r, 9*ch, ch, 9, perChannel)
		if r.IntN(3) == 0 {
			c.loud()
		}
		wt := PackQDepthwise(c.w, c.unsigned, c.wZero, c.bias, ch, c.inZero, c.out)
		oh, ow := outSize(h, stride), outSize(w, stride)
		y0 := r.IntN(oh)
		y1 := y0 + 1 + r.IntN(oh-y0)
		c0 := Tile * r.IntN((ch+Tile-1)/Tile)
		c1 := min(c0+Tile*(1+r.IntN(8)), ch) // a thread's share ends at a tile or at ch
		// The input rows [first, last] that [y0, y1) read, in a ring of rows
		// rows (at least their count), at an odd offset.
		top := samePadBefore(h, stride)
		first, last := max(y0*stride-top, 0), min((y1-1)*stride-top+2, h-1)
		rows := min(last-first+1+r.IntN(3), h)
		src := randomBytes(r, h*w*ch)
		ring := make([]uint8, rows*w*ch+1)[1:]
		for iy := first; iy <= last; iy++ {
			copy(ring[(iy%rows)*w*ch:(iy%rows+1)*w*ch], src[iy*w*ch:])
		}
		n := (y1 - y0) * ow * ch
		run := func(set string) []uint8 {
			useSet(t, set)
			off := 1 + r.IntN(63)
			dst := make([]uint8, off+n+8)
			for i := range dst {
				dst[i] = 0xa5
			}
			QDepthwise(dst[off:off+n], ring, h, w, stride, rows, y0, y1, wt, c0, c1)
			return dst[off:]
		}
		want := run("generic")
		for _, set := range Sets() {
			got := run(set)
			if i := firstDiff(got, want); i >= 0 {
				t.Fatalf("set %s, h %d w %d c %d stride %d rows %d, rows [%d, %d) channels [%d, %d): [%d] = %d, generic %d",
					set, h, w, ch, stride, rows, y0, y1, c0, c1, i, got[i], want[i])
			}
		}
		for i := 0; i < n; i++ {
			if k := i % ch; (k < c0 || k >= c1) && want[i] != 0xa5 {
				t.Fatalf("h %d w %d c %d: channels [%d, %d) wrote channel %d", h, w, ch, c0, c1, k)
			}
		}
	}
}
