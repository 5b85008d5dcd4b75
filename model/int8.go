package model

import (
	"errors"
	"math"
	"math/rand/v2"
	"time"

	"github.com/mbv2/mbv2/kernels"
	"github.com/mbv2/mbv2/model/internal/tflite"
)

// Precision is the arithmetic of a forward pass.
type Precision string

const (
	// Float32: weights dequantized at load, activations in float32.
	Float32 Precision = "float32"
	// Int8: TFLite's quantized arithmetic, 8-bit weights and activations
	// with the file's scales and zero points, int32 sums.
	Int8 Precision = "int8"
)

// quantized reports whether tf is quantized throughout, as TFLite's
// integer kernels need: its first convolution has 8-bit weights, input and
// output. A file of 8-bit weights and float activations is not.
func quantized(tf *tflite.Model) bool {
	is8 := func(i int) bool {
		if i < 0 || i >= len(tf.Tensors) {
			return false
		}
		t := tf.Tensors[i].Type
		return t == tflite.Uint8 || t == tflite.Int8
	}
	for _, op := range tf.Ops {
		if op.Code == tflite.OpConv2D && len(op.Inputs) > 1 && len(op.Outputs) == 1 {
			return is8(op.Inputs[0]) && is8(op.Inputs[1]) && is8(op.Outputs[0])
		}
	}
	return false
}

// int8Buffers are the 8-bit activations of an integer forward pass, sized
// from the runner's plan, and the steps its threads share.
type int8Buffers struct {
	step     int8Step
	band     int8Band
	channels int8Channels

	x, y    []uint8 // a bottleneck's input and output (the stem's output first, unless it streams)
	e       []uint8 // a block's expanded tensor computed whole; the head's output
	d       []uint8 // a block's depthwise output computed whole
	pooled  []uint8 // [head]
	logits  []uint8 // [classes]
	probs   []uint8 // [classes]
	scratch []int8Scratch
}

// int8Scratch is one thread's buffers for the streamed blocks.
type int8Scratch struct {
	ring  []uint8          // expanded rows, a ring of blockPlan.ring rows
	strip []uint8          // depthwise output, one strip
	times [3]time.Duration // expand (or stem), depthwise, project of the last block, in part 0 when timing
}

func newInt8Buffers(p *plan) *int8Buffers {
	s := p.buffers()
	// One populated mapping, as for the weights: the first pass would
	// otherwise fault its pages in one by one. Each piece is rounded up
	// to 64 bytes.
	n := 2*s.xy + s.e + s.d + s.head + 2*s.classes + p.threads*(s.ring+s.strip)
	mem := newArena(n/4 + (7+2*p.threads)*16)
	q := &int8Buffers{
		x: mem.bytes(s.xy), y: mem.bytes(s.xy),
		e: mem.bytes(s.e), d: mem.bytes(s.d),
		pooled: mem.bytes(s.head),
		logits: mem.bytes(s.classes), probs: mem.bytes(s.classes),
		scratch: make([]int8Scratch, p.threads),
	}
	for i := range q.scratch {
		q.scratch[i].ring, q.scratch[i].strip = mem.bytes(s.ring), mem.bytes(s.strip)
	}
	keep(mem, q)
	return q
}

// forwardInt8 is Forward in integer arithmetic: rgb's bytes are the 8-bit
// input as they are (MobileNetV2 files quantize the image with scale ~1/128
// and zero point 127 or 128), and the probabilities are the exact values
// of the 8-bit output, (q - zero point) * scale. The bottlenecks run as the
// plan says, as the float pass's do.
func (r *Runner) forwardInt8(rgb []byte) []float32 {
	a, q, buf := r.plan.Arch, r.m.q, r.q
	run := func(s int8Step) {
		buf.step = s
		r.team.run(&buf.step)
	}
	r.start()
	if !r.plan.blocks[0].fusesStem {
		run(int8Step{kind: qStem, dst: buf.x, src: rgb, h: a.Res, w: a.Res, stem: q.stem})
		r.lap()
	}
	x, y := buf.x, buf.y
	for i := range r.plan.blocks {
		b, w := &r.plan.blocks[i], &q.blocks[i]
		switch b.schedule {
		case streamed:
			buf.band = int8Band{b: b, w: w, src: x, dst: y, scratch: buf.scratch, timing: r.timing}
			if b.fusesStem {
				buf.band.src, buf.band.stem, buf.band.res = rgb, q.stem, a.Res
			}
			r.team.run(&buf.band)
			t := buf.scratch[0].times[:] // expand (or the stem), depthwise, project
			if b.T == 1 && !b.fusesStem {
				t = t[1:]
			}
			r.share(t)
		case channelSplit:
			buf.channels = int8Channels{b: b, w: w, src: x, expanded: buf.e, dst: buf.d, scratch: buf.scratch, timing: r.timing}
			r.team.run(&buf.channels)
			t := buf.scratch[0].times[:2] // expand, depthwise
			if b.T == 1 {
				t = t[1:]
			}
			r.share(t)
			run(int8Step{kind: qPointwise, dst: y, src: buf.d, pixels: b.OutH * b.OutW, pointwise: w.project, shortcut: x, add: w.add})
			r.lap()
		default:
			in := x
			if b.T != 1 {
				run(int8Step{kind: qPointwise, dst: buf.e, src: x, pixels: b.H * b.W, pointwise: w.expand})
				r.lap()
				in = buf.e
			}
			run(int8Step{kind: qDepthwise, dst: buf.d, src: in, h: b.H, w: b.W, stride: b.Stride, depthwise: w.depthwise})
			r.lap()
			run(int8Step{kind: qPointwise, dst: y, src: buf.d, pixels: b.OutH * b.OutW, pointwise: w.project, shortcut: x, add: w.add})
			r.lap()
		}
		x, y = y, x
	}
	hw := a.HeadH * a.HeadH
	run(int8Step{kind: qPointwise, dst: buf.e, src: x, pixels: hw, pointwise: q.head})
	r.lap()
	q.pool.run(buf.pooled, buf.e, hw, a.Head)
	r.lap()
	run(int8Step{kind: qPointwise, dst: buf.logits, src: buf.pooled, pixels: 1, pointwise: q.classifier})
	r.lap()
	q.softmax.Softmax(buf.probs, buf.logits)
	for i, v := range buf.probs {
		r.probs[i] = float32(int32(v)-q.out.zero) * q.out.scale
	}
	for i, v := range buf.logits {
		r.logits[i] = float32(int32(v)-q.logits.zero) * q.logits.scale
	}
	r.lap()
	return r.probs
}

// int8Band is bandStep in integer arithmetic: a streamed bottleneck, each
// part a band of output rows, a strip of rows at a time, the expanded rows
// a strip reads in the part's ring. Every value is computed as layer by
// layer, so the results are the same bits.
type int8Band struct {
	b        *blockPlan
	w        *int8Block
	src, dst []uint8               // the block's input (or the image, when it computes the stem) and output
	stem     *kernels.QStemWeights // when the block computes the stem, of the res x res image
	res      int
	scratch  []int8Scratch // one per part
	timing   bool
}

func (s *int8Band) size() int { return s.b.OutH }

func (s *int8Band) run(part, from, to int) {
	b, w, sc := s.b, s.w, &s.scratch[part]
	e := b.Expanded()
	timing := part == 0 && s.timing
	var t time.Time
	lap := func(i int) {
		if timing {
			now := time.Now()
			sc.times[i] += now.Sub(t)
			t = now
		}
	}
	if timing {
		sc.times = [3]time.Duration{}
		t = time.Now()
	}
	// Without a ring, the depthwise reads the block's input whole.
	in, rows := s.src, b.H
	if b.ring > 0 {
		in, rows = sc.ring, b.ring
	}
	fill := func(slot, row, n int) {
		if s.stem != nil {
			kernels.QStem(sc.ring[slot*b.W*e:], s.src, s.res, s.res, row, row+n, s.stem)
		} else {
			kernels.QPointwise(sc.ring[slot*b.W*e:(slot+n)*b.W*e], s.src[row*b.W*b.In:(row+n)*b.W*b.In], n*b.W, w.expand, 0, e)
		}
	}
	b.strips(from, to, fill, func(y0, y1 int) {
		if b.ring > 0 {
			lap(0)
		}
		kernels.QDepthwise(sc.strip, in, b.H, b.W, b.Stride, rows, y0, y1, w.depthwise, 0, e)
		lap(1)
		n := (y1 - y0) * b.OutW
		dst := s.dst[y0*b.OutW*b.Out : y1*b.OutW*b.Out]
		kernels.QPointwise(dst, sc.strip[:n*e], n, w.project, 0, b.Out)
		if w.add != nil {
			kernels.QAddTensors(dst, dst, s.src[y0*b.OutW*b.Out:], w.add)
		}
		lap(2)
	})
}

// int8Channels is channelStep in integer arithmetic: each part expands and
// filters a range of tiles of the block's expanded channels, whole.
type int8Channels struct {
	b                  *blockPlan
	w                  *int8Block
	src, expanded, dst []uint8
	scratch            []int8Scratch // one per part
	timing             bool
}

func (s *int8Channels) size() int { return (s.b.Expanded() + kernels.Tile - 1) / kernels.Tile }

func (s *int8Channels) run(part, from, to int) {
	b, w := s.b, s.w
	c0, c1 := from*kernels.Tile, min(to*kernels.Tile, b.Expanded())
	timing := part == 0 && s.timing
	var t time.Time
	if timing {
		t = time.Now()
	}
	in := s.src
	if b.T != 1 {
		kernels.QPointwise(s.expanded, s.src, b.H*b.W, w.expand, c0, c1)
		in = s.expanded
	}
	if timing {
		now := time.Now()
		s.scratch[part].times[0], t = now.Sub(t), now
	}
	kernels.QDepthwise(s.dst, in, b.H, b.W, b.Stride, b.H, 0, b.OutH, w.depthwise, c0, c1)
	if timing {
		s.scratch[part].times[1] = time.Since(t)
	}
}

// int8Step is a layer of the integer pass that the team's threads share:
// the stem and the depthwise split by output rows, a 1x1 convolution by
// pixels (its residual add with them), or by tiles of output channels when
// it has few pixels. Every output is computed the same way whatever the
// split: the same bits on any thread count.
type int8Step struct {
	kind      int
	dst, src  []uint8
	shortcut  []uint8 // a projection's block input, added by add
	add       *kernels.QAdd
	pixels    int
	h, w      int
	stride    int
	pointwise *kernels.QPointwiseWeights
	depthwise *kernels.QDepthwiseWeights
	stem      *kernels.QStemWeights
}

const (
	qStem = iota
	qPointwise
	qDepthwise
)

// byTiles reports whether a 1x1 step splits by output channels: when it
// has fewer pixels than the rows of a few tiles.
func (s *int8Step) byTiles() bool { return s.pixels < 4*kernels.Tile }

func (s *int8Step) size() int {
	switch s.kind {
	case qStem:
		oh, _ := kernels.SamePad(s.h, 3, 2)
		return oh
	case qDepthwise:
		oh, _ := kernels.SamePad(s.h, 3, s.stride)
		return oh
	}
	if s.byTiles() {
		return (s.pointwise.Cout + kernels.Tile - 1) / kernels.Tile
	}
	return s.pixels
}

func (s *int8Step) run(_, from, to int) {
	switch s.kind {
	case qStem:
		ow, _ := kernels.SamePad(s.w, 3, 2)
		kernels.QStem(s.dst[from*ow*s.stem.Cout:], s.src, s.h, s.w, from, to, s.stem)
	case qDepthwise:
		c := s.depthwise.C
		ow, _ := kernels.SamePad(s.w, 3, s.stride)
		kernels.QDepthwise(s.dst[from*ow*c:], s.src, s.h, s.w, s.stride, s.h, from, to, s.depthwise, 0, c)
	default:
		w := s.pointwise
		p0, p1, c0, c1 := from, to, 0, w.Cout
		if s.byTiles() {
			p0, p1, c0, c1 = 0, s.pixels, from*kernels.Tile, min(to*kernels.Tile, w.Cout)
		}
		dst := s.dst[p0*w.Cout : p1*w.Cout]
		kernels.QPointwise(dst, s.src[p0*w.Cin:p1*w.Cin], p1-p0, w, c0, c1)
		if s.add == nil {
			return
		}
		if c0 == 0 && c1 == w.Cout { // the pixels' outputs are one run
			kernels.QAddTensors(dst, dst, s.shortcut[p0*w.Cout:p1*w.Cout], s.add)
			return
		}
		for p := p0; p < p1; p++ {
			i := (p - p0) * w.Cout
			kernels.QAddTensors(dst[i+c0:i+c1], dst[i+c0:i+c1], s.shortcut[p*w.Cout+c0:p*w.Cout+c1], s.add)
		}
	}
}

// run averages src ([pixels][c]) per channel into dst, as TFLite's
// AVERAGE_POOL_2D (the average rounded half up for uint8, half away from
// zero for int8) or MEAN over the height and width.
func (p *qpool) run(dst, src []uint8, pixels, c int) {
	n := int32(pixels)
	// The sums of a chunk of channels, pixel by pixel: the inner loop
	// reads a run of bytes.
	const chunk = 256
	var sums [chunk]int32
	for c0 := 0; c0 < c; c0 += chunk {
		s := sums[:min(chunk, c-c0)]
		clear(s)
		for i := range pixels {
			for j, v := range src[i*c+c0:][:len(s)] {
				s[j] += int32(v)
			}
		}
		for j, acc := range s {
			dst[c0+j] = p.average(acc, n)
		}
	}
}

// average is the pool's output of a channel whose n inputs sum to acc.
func (p *qpool) average(acc, n int32) uint8 {
	var v int32
	switch {
	case !p.mean && !p.signed:
		v = (acc + n/2) / n
	case !p.mean:
		// The int8 values q = u - 128.
		s := acc - 128*n
		if s > 0 {
			v = (s+n/2)/n + 128
		} else {
			v = (s-n/2)/n + 128
		}
	case p.signed:
		s := kernels.MultiplyByQuantizedMultiplier(acc-p.inZero*n, p.mult, p.shift)
		if s > 0 {
			s = (s + n/2) / n
		} else {
			s = (s - n/2) / n
		}
		v = s + p.outZero
	default:
		v = kernels.MultiplyByQuantizedMultiplier(acc, p.mult, p.shift) + p.bias
	}
	return uint8(min(max(v, 0), 255))
}

// ErrNotQuantized is the error of LoadAs at precision Int8 for a file whose
// weights are not 8-bit.
var ErrNotQuantized = errors.New("int8 precision needs a quantized model")

// Int8WeightBytes returns the bytes of the weights of a quantized file of
// the network: one a weight, four a bias.
func (a *Arch) Int8WeightBytes() int64 {
	var n int64
	for _, l := range a.Layers() {
		if l.MACs > 0 {
			n += l.Params + 4*int64(l.Out[2])
		}
	}
	return n
}

// SyntheticInt8 returns a quantized MobileNetV2 of cfg with seeded random
// 8-bit weights, as a TF1 file stores them (uint8 per tensor, asymmetric,
// the costlier scheme: its pixel sums), packed as LoadAs packs a file's:
// what a benchmark of the integer pass needs. Each requantization is
// chosen so that the outputs spread over the 8 bits.
func SyntheticInt8(cfg Config, seed uint64) (*Model, error) {
	a, err := NewArch(cfg)
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(seed, 3))
	const inZero, outZero = 128, 0
	conv := func(n, cout, fanIn int, relu6 bool) (w []byte, wZero int32, bias []int32, out kernels.Requant) {
		w = make([]byte, n)
		for i := range w {
			w[i] = byte(1 + rng.IntN(255))
		}
		bias = make([]int32, cout)
		for i := range bias {
			bias[i] = int32(rng.IntN(1<<12) - 1<<11)
		}
		// (a-z)(w-z) has a standard deviation of about 74*74 a term.
		m := 60 / (74 * 74 * math.Sqrt(float64(fanIn)))
		q, shift := kernels.QuantizeMultiplier(m)
		out = kernels.Requant{Mult: make([]int32, cout), Shift: make([]int32, cout), Zero: outZero, Lo: 0, Hi: 255}
		for i := range cout {
			out.Mult[i], out.Shift[i] = q, shift
		}
		if !relu6 {
			out.Zero = 128
		}
		return w, 128, bias, out
	}
	q := &int8Net{}
	w, z, b, out := conv(a.Stem*27, a.Stem, 27, true)
	q.stem = kernels.PackQStem(w, true, []int32{z}, b, a.Stem, inZero, out)
	for _, blk := range a.Bottlenecks {
		var qb int8Block
		e := blk.Expanded()
		in := int32(128) // the block's input: a projection's output
		if blk.T != 1 {
			w, z, b, out := conv(e*blk.In, e, blk.In, true)
			qb.expand = kernels.PackQPointwise(w, true, z, b, e, blk.In, in, out)
			in = outZero
		}
		if blk.T == 1 {
			in = outZero // the stem's
		}
		w, z, b, out := conv(9*e, e, 9, true)
		qb.depthwise = kernels.PackQDepthwise(w, true, []int32{z}, b, e, in, out)
		w, z, b, out = conv(blk.Out*e, blk.Out, e, false)
		qb.project = kernels.PackQPointwise(w, true, z, b, blk.Out, e, outZero, out)
		if blk.Residual {
			add := kernels.NewQAdd(0.1, 128, 0.1, 128, 0.14, 128, 0, 255)
			qb.add = &add
		}
		q.blocks = append(q.blocks, qb)
	}
	last := a.Bottlenecks[len(a.Bottlenecks)-1].Out
	w, z, b, out = conv(a.Head*last, a.Head, last, true)
	q.head = kernels.PackQPointwise(w, true, z, b, a.Head, last, 128, out)
	q.pool = qpool{inZero: outZero}
	w, z, b, out = conv(a.Classes*a.Head, a.Classes, a.Head, false)
	q.classifier = kernels.PackQPointwise(w, true, z, b, a.Classes, a.Head, outZero, out)
	q.logits = qparam{scale: 0.1, zero: 128}
	q.softmax = kernels.NewQSoftmax(1, q.logits.scale)
	q.out = qparam{scale: 1.0 / 256}
	return &Model{Config: cfg, InputScale: 1.0 / 128, InputZero: 128, Weights: "uint8 per-tensor, random",
		Precision: Int8, q: q}, nil
}
