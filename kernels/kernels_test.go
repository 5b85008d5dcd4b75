package kernels

import (
	"encoding/csv"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// Every kernel set the CPU supports runs the same checks, against naive
// float64 references computed from the unpacked (OHWI) weights, with TF SAME
// padding worked out here rather than taken from SamePad.

// forEachSet runs check once per kernel set this CPU supports, as a subtest
// named after the set, with that set in use.
func forEachSet(t *testing.T, check func(t *testing.T)) {
	t.Helper()
	for _, name := range Sets() {
		t.Run(name, func(t *testing.T) {
			useSet(t, name)
			check(t)
		})
	}
}

// useSet makes name the kernel set in use until tb ends.
func useSet(tb testing.TB, name string) {
	tb.Helper()
	prev := Name()
	if err := Use(name); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = Use(prev) })
}

// samePadBefore is the leading TF SAME padding of a 3x3 kernel: stride 1
// pads 1 on each side; stride 2 pads the odd pixel at the bottom/right, so an
// even input gets 0/1 and an odd one 1/1.
func samePadBefore(in, stride int) int {
	if stride == 1 {
		return 1
	}
	return in % 2
}

func outSize(in, stride int) int { return (in + stride - 1) / stride }

// An activation is the clamp fused into a kernel.
type act struct {
	name   string
	lo, hi float32
}

var (
	relu6  = act{"relu6", ReLU6Min, ReLU6Max}
	linear = act{"linear", LinearMin, LinearMax}
	window = act{"clamp-0.75,1.5", -0.75, 1.5} // any min/max, not only ReLU6's
	acts   = []act{relu6, linear, window}
)

// A ref is a float64 reference result. mag holds, per cell, the sum of the
// magnitudes of the terms summed into it (bias and residual included): the
// scale of any float32 rounding error, whatever the order of summation.
type ref struct {
	val, mag []float64
	lo, hi   int // cells clamped from below and from above
}

func newRef(n int) *ref { return &ref{val: make([]float64, n), mag: make([]float64, n)} }

// clamp clamps cell i to [a.lo, a.hi] and counts it if clamping happened.
func (r *ref) clamp(i int, a act) {
	switch v := r.val[i]; {
	case v < float64(a.lo):
		r.val[i], r.lo = float64(a.lo), r.lo+1
	case v > float64(a.hi):
		r.val[i], r.hi = float64(a.hi), r.hi+1
	}
}

// relTol bounds |got - ref| relative to the sum of the magnitudes of the
// terms: float32 accumulation of K terms errs by about sqrt(K) ulps of that
// sum in practice, and K is at most 1792 (the head at width 1.4).
const relTol = 1e-5

func refPointwise(src, w, bias, residual []float32, pixels, cin, cout int, a act) *ref {
	r := newRef(pixels * cout)
	for p := range pixels {
		x := src[p*cin : (p+1)*cin]
		for o := range cout {
			i := p*cout + o
			sum, mag := float64(bias[o]), math.Abs(float64(bias[o]))
			for k, wk := range w[o*cin : (o+1)*cin] {
				t := float64(x[k]) * float64(wk)
				sum += t
				mag += math.Abs(t)
			}
			r.val[i], r.mag[i] = sum, mag
			r.clamp(i, a)
			if residual != nil {
				r.val[i] += float64(residual[i])
				r.mag[i] += math.Abs(float64(residual[i]))
			}
		}
	}
	return r
}

// refDepthwise: w is [3][3][c] as TFLite stores it.
func refDepthwise(src, w, bias []float32, h, wd, c, stride int, a act) *ref {
	oh, ow := outSize(h, stride), outSize(wd, stride)
	top, left := samePadBefore(h, stride), samePadBefore(wd, stride)
	r := newRef(oh * ow * c)
	for oy := range oh {
		for ox := range ow {
			for ch := range c {
				i := (oy*ow+ox)*c + ch
				sum, mag := float64(bias[ch]), math.Abs(float64(bias[ch]))
				for ky := range 3 {
					for kx := range 3 {
						iy, ix := oy*stride-top+ky, ox*stride-left+kx
						if iy < 0 || iy >= h || ix < 0 || ix >= wd {
							continue
						}
						t := float64(src[(iy*wd+ix)*c+ch]) * float64(w[(ky*3+kx)*c+ch])
						sum += t
						mag += math.Abs(t)
					}
				}
				r.val[i], r.mag[i] = sum, mag
				r.clamp(i, a)
			}
		}
	}
	return r
}

// refStem: w is [cout][3][3][3] (OHWI).
func refStem(src, w, bias []float32, h, wd, cout int, a act) *ref {
	oh, ow := outSize(h, 2), outSize(wd, 2)
	top, left := samePadBefore(h, 2), samePadBefore(wd, 2)
	r := newRef(oh * ow * cout)
	for oy := range oh {
		for ox := range ow {
			for o := range cout {
				i := (oy*ow+ox)*cout + o
				sum, mag := float64(bias[o]), math.Abs(float64(bias[o]))
				for ky := range 3 {
					for kx := range 3 {
						iy, ix := oy*2-top+ky, ox*2-left+kx
						if iy < 0 || iy >= h || ix < 0 || ix >= wd {
							continue
						}
						for ci := range 3 {
							t := float64(src[(iy*wd+ix)*3+ci]) * float64(w[((o*3+ky)*3+kx)*3+ci])
							sum += t
							mag += math.Abs(t)
						}
					}
				}
				r.val[i], r.mag[i] = sum, mag
				r.clamp(i, a)
			}
		}
	}
	return r
}

// compare checks got against r cell by cell; cell names a cell for the
// failure message. It reports at most a few cells.
func compare(t *testing.T, got []float32, r *ref, cell func(i int) string) {
	t.Helper()
	bad := 0
	for i, want := range r.val {
		tol := relTol * r.mag[i]
		if d := math.Abs(float64(got[i]) - want); !(d <= tol) {
			if bad < 4 {
				t.Errorf("set %s: %s: got %v, want %v (|diff| %.3g > tol %.3g)", Name(), cell(i), got[i], want, d, tol)
			}
			bad++
		}
	}
	if bad > 4 {
		t.Errorf("set %s: %d wrong cells in all", Name(), bad)
	}
}

// checkClamped fails if a clamped case of n cells never reached its clamp,
// which would leave the clamp untested.
func checkClamped(t *testing.T, r *ref, a act) {
	t.Helper()
	if len(r.val) >= 1000 && a == relu6 && (r.lo == 0 || r.hi == 0) {
		t.Fatalf("test data too tame: %d cells clamped at %v, %d at %v, of %d", r.lo, a.lo, r.hi, a.hi, len(r.val))
	}
}

// Guard bands: outputs are cut from the middle of a larger slice filled with
// a NaN of a known bit pattern, which must stay untouched around them; inputs
// start one float into their allocation and are followed by NaNs, so that
// reading past their end poisons the result.
const guard = 37

var guardBits uint32 = 0x7fc0dead

func nanFill(s []float32) {
	for i := range s {
		s[i] = math.Float32frombits(guardBits)
	}
}

// newOut returns an output slice of n floats inside the NaN-filled all.
func newOut(n int) (dst, all []float32) {
	all = make([]float32, guard+n+guard)
	nanFill(all)
	return all[guard : guard+n], all
}

// checkGuards fails if anything outside all[guard:guard+n] was written.
func checkGuards(t *testing.T, all []float32, n int) {
	t.Helper()
	for i, v := range all {
		if (i < guard || i >= guard+n) && math.Float32bits(v) != guardBits {
			t.Fatalf("set %s: wrote %v at offset %d outside the output of %d floats", Name(), v, i-guard, n)
		}
	}
}

// unaligned returns a copy of s starting one float into a NaN-guarded
// allocation.
func unaligned(s []float32) []float32 {
	all := make([]float32, 1+len(s)+guard)
	nanFill(all)
	u := all[1 : 1+len(s)]
	copy(u, s)
	return u
}

// uniform returns n values uniform in [-a, a).
func uniform(r *rand.Rand, n int, a float64) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32((2*r.Float64() - 1) * a)
	}
	return s
}

// weightScale makes a sum of k products of uniform inputs in [-1, 1) with
// uniform weights in [-a, a) have a standard deviation of 4, so that ReLU6
// clamps a fair share of the cells at both ends.
func weightScale(k int) float64 { return 12 / math.Sqrt(float64(k)) }

func newRand(name string) *rand.Rand {
	var h uint64 = 14695981039346656037
	for _, b := range []byte(name) {
		h = (h ^ uint64(b)) * 1099511628211
	}
	return rand.New(rand.NewPCG(h, 1))
}

// The shape catalogue.

type op int

const (
	opStem op = iota
	opPointwise
	opDepthwise
)

// A layer is one convolution of MobileNetV2, or an awkward shape.
type layer struct {
	name      string
	op        op
	h, w      int // input size; pointwise layers have h*w pixels
	cin, cout int // depthwise: cin == cout
	stride    int
	act       act
	residual  bool
}

func (l layer) flops() float64 {
	switch l.op {
	case opStem:
		return 2 * 27 * float64(outSize(l.h, 2)*outSize(l.w, 2)*l.cout)
	case opDepthwise:
		return 2 * 9 * float64(outSize(l.h, l.stride)*outSize(l.w, l.stride)*l.cout)
	}
	return 2 * float64(l.h*l.w*l.cin*l.cout)
}

// layersFile is MobileNetV2's layers at every published width and
// resolution, one per line: the shapes the tests and benchmarks run.
const layersFile = "../testdata/mobilenet_v2_layers.csv"

// A netLayer is one line of layersFile: a layer of MobileNetV2 at width
// multiplier width and input resolution res.
type netLayer struct {
	width string
	res   int
	layer
}

// mobilenetV2 reads the convolutions of layersFile (the pool and the
// softmax have no shape worth a catalogue), named as in the benchmarks
// ("b3_expand_56x56x24x144": block 3's expansion, input 56x56x24, 144 out).
func mobilenetV2(tb testing.TB) []netLayer {
	tb.Helper()
	f, err := os.Open(layersFile)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comment = '#'
	recs, err := r.ReadAll()
	if err != nil || len(recs) < 2 {
		tb.Fatalf("%s: %v", layersFile, err)
	}
	col := map[string]int{}
	for i, name := range recs[0] {
		col[name] = i
	}
	var ls []netLayer
	for _, rec := range recs[1:] {
		num := func(name string) int {
			n, err := strconv.Atoi(rec[col[name]])
			if err != nil {
				tb.Fatalf("%s: %v: %v", layersFile, rec, err)
			}
			return n
		}
		l := netLayer{width: rec[col["width"]], res: num("res"), layer: layer{
			h: num("in_h"), w: num("in_w"), cin: num("in_c"), cout: num("out_c"),
			stride: num("stride"), residual: rec[col["residual"]] == "true",
		}}
		switch a := rec[col["act"]]; a {
		case "relu6":
			l.act = relu6
		case "linear":
			l.act = linear
		case "none":
		default:
			tb.Fatalf("%s: %v: unknown activation %q", layersFile, rec, a)
		}
		block, _, _ := strings.Cut(rec[col["layer"]], "/")
		switch kind := rec[col["kind"]]; kind {
		case "stem":
			l.op, l.name = opStem, fmt.Sprintf("stem_%dx%dx3x%d", l.h, l.w, l.cout)
		case "depthwise":
			l.op, l.name = opDepthwise, fmt.Sprintf("%s_dw_%dx%dx%d_s%d", block, l.h, l.w, l.cin, l.stride)
		case "expand", "project", "head", "classifier":
			l.op = opPointwise
			if kind == "project" {
				// Named by its output, as the pixels it runs over.
				l.h, l.w = num("out_h"), num("out_w")
			}
			l.name = fmt.Sprintf("%s_%s_%dx%dx%dx%d", block, kind, l.h, l.w, l.cin, l.cout)
			if kind == "head" || kind == "classifier" {
				l.name = fmt.Sprintf("%s_%dx%dx%dx%d", kind, l.h, l.w, l.cin, l.cout)
			}
		default:
			continue
		}
		ls = append(ls, l)
	}
	return ls
}

// network returns the convolutions of MobileNetV2 at width multiplier
// width (as written in layersFile: "1.0") and resolution res.
func network(tb testing.TB, width string, res int) []layer {
	var ls []layer
	for _, l := range mobilenetV2(tb) {
		if l.width == width && l.res == res {
			ls = append(ls, l.layer)
		}
	}
	if len(ls) == 0 {
		tb.Fatalf("%s has no MobileNetV2 %s/%d", layersFile, width, res)
	}
	return ls
}

// inatClassifiers are the classifiers of the iNaturalist models (birds,
// insects) the product also runs: MobileNetV2 1.0/224 but for the class count.
var inatClassifiers = []layer{
	{name: "classifier_1x1x1280x965", op: opPointwise, h: 1, w: 1, cin: 1280, cout: 965, stride: 1, act: linear},
	{name: "classifier_1x1x1280x1022", op: opPointwise, h: 1, w: 1, cin: 1280, cout: 1022, stride: 1, act: linear},
}

// catalogue returns the distinct layers of op in MobileNetV2 at widths
// 0.35 to 1.4 and resolutions 224 and 96, prefixed with the first width and
// resolution that has them. With -short (for emulators) it keeps 96 only:
// every channel count is there, at a 30th of the arithmetic.
func catalogue(tb testing.TB, o op) []layer {
	var ls []layer
	seen := map[layer]bool{}
	resolutions := []int{224, 96}
	if testing.Short() {
		resolutions = resolutions[1:]
	}
	all := mobilenetV2(tb)
	for _, res := range resolutions {
		for _, l := range all {
			key := l.layer
			key.name = ""
			if l.res != res || l.op != o || seen[key] {
				continue
			}
			seen[key] = true
			key.name = fmt.Sprintf("w%s_r%d_%s", l.width, l.res, l.name)
			ls = append(ls, key)
		}
	}
	if o == opPointwise && !testing.Short() {
		ls = append(ls, inatClassifiers...)
	}
	return ls
}

var (
	awkwardSizes    = []int{1, 2, 3, 7, 15}
	awkwardChannels = []int{1, 2, 3, 4, 7, 8, 12, 15, 16, 17, 31, 33}
)

// awkward returns shapes of op chosen to hit every tail of a kernel: sizes
// of 1, 2, 3, 7 and 15 pixels or rows (odd sizes make stride 2 pad 1/1),
// channel counts around vector and tile widths, each activation, residual
// and not.
func awkward(o op) []layer {
	var ls []layer
	i := 0
	next := func() (act, bool) { i++; return acts[i%len(acts)], i%2 == 1 }
	switch o {
	case opPointwise:
		for _, p := range append([]int{4, 5, 6, 12, 13}, awkwardSizes...) {
			for _, cin := range awkwardChannels {
				for _, cout := range awkwardChannels {
					a, res := next()
					ls = append(ls, layer{name: fmt.Sprintf("%dx%dx%d_%s_res%v", p, cin, cout, a.name, res), op: o, h: 1, w: p, cin: cin, cout: cout, stride: 1, act: a, residual: res})
				}
			}
		}
	case opDepthwise:
		for _, s := range []int{1, 2} {
			for _, h := range append([]int{4}, awkwardSizes...) {
				for _, w := range append([]int{4, 5, 8, 16}, awkwardSizes...) {
					for _, c := range awkwardChannels {
						a, _ := next()
						ls = append(ls, layer{name: fmt.Sprintf("%dx%dx%d_s%d_%s", h, w, c, s, a.name), op: o, h: h, w: w, cin: c, cout: c, stride: s, act: a})
					}
				}
			}
		}
		// Rows narrow enough for the channels to go in chunks, with a
		// last chunk of fewer than 8 channels.
		for _, s := range []int{1, 2} {
			a, _ := next()
			ls = append(ls, layer{name: fmt.Sprintf("3x7x389_s%d_%s", s, a.name), op: o, h: 3, w: 7, cin: 389, cout: 389, stride: s, act: a},
				layer{name: fmt.Sprintf("4x3x907_s%d_%s", s, a.name), op: o, h: 4, w: 3, cin: 907, cout: 907, stride: s, act: a})
		}
	case opStem:
		for _, h := range append([]int{4, 16}, awkwardSizes...) {
			for _, w := range append([]int{4, 5, 16}, awkwardSizes...) {
				for _, c := range awkwardChannels {
					a, _ := next()
					ls = append(ls, layer{name: fmt.Sprintf("%dx%dx%d_%s", h, w, c, a.name), op: o, h: h, w: w, cin: 3, cout: c, stride: 2, act: a})
				}
			}
		}
	}
	return ls
}

// The tests.

func TestSamePad(t *testing.T) {
	for _, s := range []int{1, 2} {
		for in := 1; in <= 20; in++ {
			out, before := SamePad(in, 3, s)
			if out != outSize(in, s) || before != samePadBefore(in, s) {
				t.Errorf("SamePad(%d, 3, %d) = %d, %d; want %d, %d", in, s, out, before, outSize(in, s), samePadBefore(in, s))
			}
		}
	}
	if out, before := SamePad(7, 1, 1); out != 7 || before != 0 {
		t.Errorf("SamePad(7, 1, 1) = %d, %d; want 7, 0", out, before)
	}
}

func TestUse(t *testing.T) {
	prev := Name()
	t.Cleanup(func() { _ = Use(prev) })
	sets := Sets()
	if len(sets) == 0 || sets[0] != "generic" {
		t.Fatalf("Sets() = %v; want generic first", sets)
	}
	for _, name := range sets {
		if err := Use(name); err != nil || Name() != name {
			t.Errorf("Use(%q) = %v, then Name() = %q", name, err, Name())
		}
	}
	if err := Use("auto"); err != nil || Name() != sets[len(sets)-1] {
		t.Errorf("Use(auto) = %v, then Name() = %q; want %q", err, Name(), sets[len(sets)-1])
	}
	if err := Use("mmx"); err == nil {
		t.Error("Use(mmx) succeeded")
	}
	for _, im := range impls {
		if !im.ok {
			if err := Use(im.name); err == nil {
				t.Errorf("Use(%q) succeeded on a CPU without it", im.name)
			}
		}
	}
}

func TestPointwise(t *testing.T) {
	for _, l := range append(catalogue(t, opPointwise), awkward(opPointwise)...) {
		t.Run(l.name, func(t *testing.T) { testPointwise(t, l) })
	}
}

func testPointwise(t *testing.T, l layer) {
	r := newRand(l.name)
	pixels := l.h * l.w
	src := unaligned(uniform(r, pixels*l.cin, 1))
	w := uniform(r, l.cout*l.cin, weightScale(l.cin))
	bias := uniform(r, l.cout, 2)
	var res []float32
	if l.residual {
		res = unaligned(uniform(r, pixels*l.cout, 3))
	}
	want := refPointwise(src, w, bias, res, pixels, l.cin, l.cout, l.act)
	checkClamped(t, want, l.act)
	pw := PackPointwise(w, bias, l.cout, l.cin)
	pw.W, pw.Bias = unaligned(pw.W), unaligned(pw.Bias)
	cell := func(i int) string {
		return fmt.Sprintf("%d pixels x %d -> %d channels, residual %v, %s: pixel %d channel %d",
			pixels, l.cin, l.cout, res != nil, l.act.name, i/l.cout, i%l.cout)
	}
	forEachSet(t, func(t *testing.T) {
		dst, all := newOut(pixels * l.cout)
		Pointwise(dst, src, pixels, pw, res, 0, l.cout, l.act.lo, l.act.hi)
		checkGuards(t, all, len(dst))
		compare(t, dst, want, cell)

		// Ranges of channels, split at a tile boundary, give the same bits
		// and write only their channels.
		if c := l.cout / 2 / Tile * Tile; c > 0 {
			part, all := newOut(pixels * l.cout)
			Pointwise(part, src, pixels, pw, res, c, l.cout, l.act.lo, l.act.hi)
			for i, v := range part {
				if i%l.cout < c && math.Float32bits(v) != guardBits {
					t.Fatalf("set %s: channels [%d, %d) wrote cell %d", Name(), c, l.cout, i)
				}
			}
			Pointwise(part, src, pixels, pw, res, 0, c, l.act.lo, l.act.hi)
			checkGuards(t, all, len(part))
			if !slices.Equal(bits(part), bits(dst)) {
				t.Errorf("set %s: splitting the channels at %d changed the result", Name(), c)
			}
		}

		// Pixel runs split anywhere give the same bits.
		if pixels < 2 {
			return
		}
		k := max(1, pixels/3)
		part, all := newOut(pixels * l.cout)
		var r0 []float32
		if res != nil {
			r0 = res[k*l.cout:]
		}
		Pointwise(part[k*l.cout:], src[k*l.cin:], pixels-k, pw, r0, 0, l.cout, l.act.lo, l.act.hi)
		for i, v := range part[:k*l.cout] {
			if math.Float32bits(v) != guardBits {
				t.Fatalf("set %s: pixels [%d, %d) wrote cell %d", Name(), k, pixels, i)
			}
		}
		Pointwise(part, src, k, pw, res, 0, l.cout, l.act.lo, l.act.hi)
		checkGuards(t, all, len(part))
		if !slices.Equal(bits(part), bits(dst)) {
			t.Errorf("set %s: splitting the pixels at %d changed the result", Name(), k)
		}
	})
}

func bits(s []float32) []uint32 {
	b := make([]uint32, len(s))
	for i, v := range s {
		b[i] = math.Float32bits(v)
	}
	return b
}

func TestDepthwise(t *testing.T) {
	for _, l := range append(catalogue(t, opDepthwise), awkward(opDepthwise)...) {
		t.Run(l.name, func(t *testing.T) { testDepthwise(t, l) })
	}
}

func testDepthwise(t *testing.T, l layer) {
	r := newRand(l.name)
	c := l.cin
	src := unaligned(uniform(r, l.h*l.w*c, 1))
	w := uniform(r, 9*c, weightScale(9))
	bias := uniform(r, c, 2)
	want := refDepthwise(src, w, bias, l.h, l.w, c, l.stride, l.act)
	checkClamped(t, want, l.act)
	dw := PackDepthwise(w, bias, c)
	dw.W, dw.Bias = unaligned(dw.W), unaligned(dw.Bias)
	oh, ow := outSize(l.h, l.stride), outSize(l.w, l.stride)
	cell := func(i int) string {
		return fmt.Sprintf("%dx%dx%d stride %d, %s: y %d x %d channel %d",
			l.h, l.w, c, l.stride, l.act.name, i/c/ow, i/c%ow, i%c)
	}
	forEachSet(t, func(t *testing.T) {
		dst, all := newOut(oh * ow * c)
		Depthwise(dst, src, l.h, l.w, l.stride, l.h, 0, oh, dw, 0, c, l.act.lo, l.act.hi)
		checkGuards(t, all, len(dst))
		compare(t, dst, want, cell)
		checkRows(t, dst, oh, ow*c, func(dst []float32, y0, y1 int) {
			Depthwise(dst[y0*ow*c:], src, l.h, l.w, l.stride, l.h, y0, y1, dw, 0, c, l.act.lo, l.act.hi)
		})

		// Ranges of channels, split at a tile boundary, give the same bits
		// and write only their channels.
		if k := c / 2 / Tile * Tile; k > 0 && c-k >= Tile {
			part, all := newOut(oh * ow * c)
			Depthwise(part, src, l.h, l.w, l.stride, l.h, 0, oh, dw, k, c, l.act.lo, l.act.hi)
			for i, v := range part {
				if i%c < k && math.Float32bits(v) != guardBits {
					t.Fatalf("set %s: channels [%d, %d) wrote cell %d", Name(), k, c, i)
				}
			}
			Depthwise(part, src, l.h, l.w, l.stride, l.h, 0, oh, dw, 0, k, l.act.lo, l.act.hi)
			checkGuards(t, all, len(part))
			if !slices.Equal(bits(part), bits(dst)) {
				t.Errorf("set %s: splitting the channels at %d changed the result", Name(), k)
			}
		}
		checkRing(t, dst, src, l, dw)
	})
}

// checkRing computes the layer a strip of output rows at a time from a ring
// holding just the input rows each strip reads, as a streamed bottleneck
// does, and checks the bits equal the whole-tensor result full.
func checkRing(t *testing.T, full, src []float32, l layer, dw *DepthwiseWeights) {
	t.Helper()
	c, s := l.cin, l.stride
	oh, ow := outSize(l.h, s), outSize(l.w, s)
	top := 0
	if s == 1 || l.h%2 == 1 {
		top = 1
	}
	row := l.w * c
	for _, strip := range []int{1, 2, 3} {
		rows := min(l.h, (strip-1)*s+3)
		ring := unaligned(make([]float32, rows*row))
		out, all := newOut(strip * ow * c)
		for y0 := 0; y0 < oh; y0 += strip {
			y1 := min(y0+strip, oh)
			for iy := max(y0*s-top, 0); iy <= min((y1-1)*s-top+2, l.h-1); iy++ {
				copy(ring[iy%rows*row:(iy%rows+1)*row], src[iy*row:(iy+1)*row])
			}
			Depthwise(out, ring, l.h, l.w, s, rows, y0, y1, dw, 0, c, l.act.lo, l.act.hi)
			checkGuards(t, all, len(out))
			if got, want := bits(out[:(y1-y0)*ow*c]), bits(full[y0*ow*c:y1*ow*c]); !slices.Equal(got, want) {
				t.Fatalf("set %s: strips of %d rows from a ring of %d: rows [%d, %d) differ", Name(), strip, rows, y0, y1)
			}
		}
	}
}

// checkRows computes the rows of a layer in three runs, [a, b) first, and
// checks that each run writes only its rows and that the result has the
// bits of the one-run result full.
func checkRows(t *testing.T, full []float32, oh, row int, run func(dst []float32, y0, y1 int)) {
	t.Helper()
	a, b := oh/3, min(oh, 2*oh/3+1)
	dst, all := newOut(len(full))
	run(dst, a, b)
	checkGuards(t, all, len(dst))
	for i, v := range dst {
		if y := i / row; (y < a || y >= b) && math.Float32bits(v) != guardBits {
			t.Fatalf("set %s: rows [%d, %d) wrote row %d", Name(), a, b, y)
		}
	}
	run(dst, 0, a)
	run(dst, b, oh)
	checkGuards(t, all, len(dst))
	if !slices.Equal(bits(dst), bits(full)) {
		t.Errorf("set %s: computing rows [%d, %d) apart changed the result", Name(), a, b)
	}
}

func TestStem(t *testing.T) {
	for _, l := range append(catalogue(t, opStem), awkward(opStem)...) {
		t.Run(l.name, func(t *testing.T) { testStem(t, l) })
	}
}

func testStem(t *testing.T, l layer) {
	r := newRand(l.name)
	src := unaligned(uniform(r, l.h*l.w*3, 1))
	w := uniform(r, l.cout*27, weightScale(27))
	bias := uniform(r, l.cout, 2)
	want := refStem(src, w, bias, l.h, l.w, l.cout, l.act)
	checkClamped(t, want, l.act)
	sw := PackStem(w, bias, l.cout)
	sw.W, sw.Bias = unaligned(sw.W), unaligned(sw.Bias)
	oh, ow := outSize(l.h, 2), outSize(l.w, 2)
	cell := func(i int) string {
		return fmt.Sprintf("%dx%dx3 -> %d, %s: y %d x %d channel %d",
			l.h, l.w, l.cout, l.act.name, i/l.cout/ow, i/l.cout%ow, i%l.cout)
	}
	forEachSet(t, func(t *testing.T) {
		dst, all := newOut(oh * ow * l.cout)
		Stem(dst, src, l.h, l.w, 0, oh, sw, l.act.lo, l.act.hi)
		checkGuards(t, all, len(dst))
		compare(t, dst, want, cell)
		checkRows(t, dst, oh, ow*l.cout, func(dst []float32, y0, y1 int) {
			Stem(dst[y0*ow*l.cout:], src, l.h, l.w, y0, y1, sw, l.act.lo, l.act.hi)
		})
	})
}

// The kernels run in the inference loop, which must not allocate.
func TestNoAllocs(t *testing.T) {
	r := newRand("allocs")
	src := uniform(r, 9*9*40, 1)
	dst, res := make([]float32, 9*9*40), make([]float32, 9*9*40)
	pw := PackPointwise(uniform(r, 40*24, 1), uniform(r, 40, 1), 40, 24)
	dw := PackDepthwise(uniform(r, 9*40, 1), uniform(r, 40, 1), 40)
	sw := PackStem(uniform(r, 27*40, 1), uniform(r, 40, 1), 40)
	forEachSet(t, func(t *testing.T) {
		for name, f := range map[string]func(){
			"Pointwise": func() { Pointwise(dst, src, 81, pw, res, 0, pw.Cout, LinearMin, LinearMax) },
			"Depthwise": func() { Depthwise(dst, src, 9, 9, 1, 9, 0, 9, dw, 0, dw.C, ReLU6Min, ReLU6Max) },
			"Stem":      func() { Stem(dst, src, 9, 9, 0, 5, sw, ReLU6Min, ReLU6Max) },
		} {
			if n := testing.AllocsPerRun(10, f); n != 0 {
				t.Errorf("set %s: %s allocates %v times per call", Name(), name, n)
			}
		}
	})
}

func TestAvgPool(t *testing.T) {
	r := newRand("avgpool")
	const pixels, c = 49, 40
	src := uniform(r, pixels*c, 6)
	whole := make([]float32, c)
	AvgPool(whole, src, pixels, c, 0, c)
	for ch := range c {
		var sum float64
		for p := range pixels {
			sum += float64(src[p*c+ch])
		}
		if d := math.Abs(float64(whole[ch]) - sum/pixels); d > 1e-5 {
			t.Errorf("channel %d: %g, want %g", ch, whole[ch], sum/pixels)
		}
	}
	// Ranges write only their channels and give the bits of the whole.
	part := make([]float32, c)
	for i := range part {
		part[i] = float32(math.NaN())
	}
	AvgPool(part, src, pixels, c, 16, c)
	if !math.IsNaN(float64(part[15])) {
		t.Error("channels [16, 40) wrote channel 15")
	}
	AvgPool(part, src, pixels, c, 0, 16)
	if !slices.Equal(bits(part), bits(whole)) {
		t.Error("pooling channels [0, 16) then [16, 40) changed the result")
	}
}

func TestSoftmax(t *testing.T) {
	r := newRand("softmax")
	for _, scale := range []float64{1, 30, 1e4} { // 1e4: exp would overflow without the max
		src := uniform(r, 1001, scale)
		dst := make([]float32, len(src))
		Softmax(dst, src)
		m := float64(slices.Max(src))
		var z, sum float64
		for _, x := range src {
			z += math.Exp(float64(x) - m)
		}
		for i, x := range src {
			want := math.Exp(float64(x)-m) / z
			if d := math.Abs(float64(dst[i]) - want); d > 2e-7*want+1e-30 {
				t.Fatalf("logits in ±%g: p[%d] = %g, want %g", scale, i, dst[i], want)
			}
			sum += float64(dst[i])
		}
		if math.Abs(sum-1) > 1e-6 {
			t.Errorf("logits in ±%g: probabilities sum to %v", scale, sum)
		}
	}
}

// PackPointwiseRows, fed a tile of rows at a time, packs what PackPointwise
// packs from the whole.
func TestPackPointwiseRows(t *testing.T) {
	r := newRand("packrows")
	for _, s := range [][2]int{{1001, 37}, {16, 5}, {7, 3}, {40, 24}} {
		cout, cin := s[0], s[1]
		w, bias := uniform(r, cout*cin, 1), uniform(r, cout, 1)
		want := PackPointwise(w, bias, cout, cin)
		next := 0
		got := PackPointwiseRows(bias, cout, cin, func(o int, dst []float32) {
			if o != next || len(dst) != min(Tile, cout-o)*cin {
				t.Fatalf("%dx%d: asked for %d values from channel %d, want %d from %d", cout, cin, len(dst), o, min(Tile, cout-next)*cin, next)
			}
			copy(dst, w[o*cin:])
			next += Tile
		})
		if !slices.Equal(bits(got.W), bits(want.W)) || !slices.Equal(bits(got.Bias), bits(want.Bias)) || got.Cin != cin || got.Cout != cout {
			t.Errorf("%dx%d: packed by rows differs from packed whole", cout, cin)
		}
	}
}
