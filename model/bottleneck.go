package model

import (
	"time"

	"github.com/mbv2/mbv2/kernels"
)

// block is one inverted-residual bottleneck as a runner computes it: its
// plan, and its three layers, which every schedule computes through these.
type block struct {
	*blockPlan
	stemConv  conv3x3s2 // when the block computes the stem
	expand    conv1x1   // ReLU6; absent when t == 1
	depthwise conv3x3dw // ReLU6
	project   conv1x1   // linear, the block's input added when Residual
}

func newBlock(p *blockPlan, w *bottleneckWeights, stem conv3x3s2) block {
	b := block{
		blockPlan: p,
		expand:    conv1x1{w.expand, relu6Min, relu6Max},
		depthwise: conv3x3dw{w.depthwise, p.H, p.W, p.Stride},
		project:   conv1x1{w.project, linearMin, linearMax},
	}
	if p.fusesStem {
		b.stemConv = stem
	}
	return b
}

// bottleneck computes block b from x into y, as its plan says. A streamed
// first block that computes the stem reads the image instead of x.
func (r *Runner) bottleneck(b *block, x, y []float32) {
	var shortcut []float32 // what the projection adds
	if b.Residual {
		shortcut = x
	}
	switch b.schedule {
	case streamed:
		r.band = bandStep{block: b, src: x, dst: y, scratch: r.scratch, timing: r.timing}
		if b.fusesStem {
			r.band.src = r.input
		}
		r.team.run(&r.band)
		t := r.scratch[0].times[:] // expand (or the stem), depthwise, project
		if b.T == 1 && !b.fusesStem {
			t = t[1:]
		}
		r.share(t)

	case channelSplit:
		r.channels = channelStep{block: b, src: x, expanded: r.e, dst: r.d, scratch: r.scratch, timing: r.timing}
		r.team.run(&r.channels)
		t := r.scratch[0].times[:2] // expand, depthwise
		if b.T == 1 {
			t = t[1:]
		}
		r.share(t)
		r.run1x1(b.project, y, r.d, b.OutH*b.OutW, shortcut, nil)

	case layerByLayer:
		in := x
		if b.T != 1 {
			r.run1x1(b.expand, r.e, x, b.H*b.W, nil, nil)
			in = r.e
		}
		r.dw = depthwiseStep{conv: b.depthwise, dst: r.d, src: in}
		r.team.run(&r.dw)
		r.lap()
		r.run1x1(b.project, y, r.d, b.OutH*b.OutW, shortcut, nil)
	}
}

// bandStep computes a streamed bottleneck, each part a band of its output
// rows, a strip of rows at a time (the paper's section 5.1): the block's
// t-times-wider expanded tensor only ever exists as the rows a strip
// reads, in a ring small enough to stay in the L2 cache, and its depthwise
// output as one strip. Each part has its own buffers; the rows at the
// edge of a band are expanded by the parts on either side. Every value is
// computed as layer by layer, so the results are the same bits.
type bandStep struct {
	*block
	src, dst []float32 // the block's input (or the image, when it computes the stem) and output
	scratch  []scratch // one per part
	timing   bool
}

func (s *bandStep) size() int { return s.OutH }

func (s *bandStep) run(part, from, to int) {
	b, sc := s.block, &s.scratch[part]
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
		if b.fusesStem {
			b.stemConv.apply(sc.ring[slot*b.W*e:], s.src, row, row+n)
		} else {
			b.expand.apply(sc.ring[slot*b.W*e:], s.src[row*b.W*b.In:], n*b.W, nil, 0, e)
		}
	}
	b.strips(from, to, fill, func(y0, y1 int) {
		if b.ring > 0 {
			lap(0)
		}
		b.depthwise.apply(sc.strip, in, rows, y0, y1, 0, e)
		lap(1)
		var shortcut []float32
		if b.Residual {
			shortcut = s.src[y0*b.OutW*b.Out:]
		}
		b.project.apply(s.dst[y0*b.OutW*b.Out:], sc.strip, (y1-y0)*b.OutW, shortcut, 0, b.Out)
		lap(2)
	})
}

// channelStep expands and filters a bottleneck split by channels: each
// part a range of tiles of its expanded channels, whole, from its input
// src into expanded, then into dst.
type channelStep struct {
	*block
	src, expanded, dst []float32
	scratch            []scratch // one per part
	timing             bool
}

func (s *channelStep) size() int { return (s.Expanded() + kernels.Tile - 1) / kernels.Tile }

func (s *channelStep) run(part, from, to int) {
	b := s.block
	c0, c1 := from*kernels.Tile, min(to*kernels.Tile, b.Expanded())
	timing := part == 0 && s.timing
	var t time.Time
	if timing {
		t = time.Now()
	}
	in := s.src
	if b.T != 1 {
		b.expand.apply(s.expanded, s.src, b.H*b.W, nil, c0, c1)
		in = s.expanded
	}
	if timing {
		now := time.Now()
		s.scratch[part].times[0], t = now.Sub(t), now
	}
	b.depthwise.apply(s.dst, in, b.H, 0, b.OutH, c0, c1)
	if timing {
		s.scratch[part].times[1] = time.Since(t)
	}
}
