// Package model is MobileNetV2 (Sandler et al., 2018): its architecture for
// any width multiplier and input resolution, with the analytic cost of each
// layer; loading of TFLite files; and the forward pass over the kernels
// package, from the model-sized RGB bytes that package imageio prepares.
package model

import (
	"fmt"
	"math"
)

// Config is what sets the shape of a MobileNetV2.
type Config struct {
	Width   float64 // width multiplier (paper: 0.35 to 1.4)
	Res     int     // input resolution, square
	Classes int     // classifier outputs (1001 for ImageNet with background)
}

// Widths are the width multipliers of the published checkpoints.
var Widths = []float64{0.35, 0.5, 0.75, 1.0, 1.3, 1.4}

// table2 is Table 2 of the paper: each row is a sequence of n bottlenecks
// with expansion factor t and c output channels, the first with stride s.
var table2 = []struct{ t, c, n, s int }{
	{1, 16, 1, 1},
	{6, 24, 2, 2},
	{6, 32, 3, 2},
	{6, 64, 4, 2},
	{6, 96, 3, 1},
	{6, 160, 3, 2},
	{6, 320, 1, 1},
}

// Table2Row is a row of the paper's Table 2, for one Arch: N layers of an
// operator on an Input of h x w x c, with expansion factor T and C output
// channels, the first layer with stride S. A zero is the table's dash.
type Table2Row struct {
	Input      [3]int
	Operator   string
	T, C, N, S int
}

// Table2 lays a out as the paper's Table 2: the stem, a row per sequence of
// bottlenecks, the last 1x1 conv, the pool and the classifier.
func (a *Arch) Table2() []Table2Row {
	sq := func(h, c int) [3]int { return [3]int{h, h, c} }
	rows := []Table2Row{{Input: sq(a.Res, 3), Operator: "conv2d 3x3", C: a.Stem, N: 1, S: 2}}
	first := 0 // the first bottleneck of the row
	for _, r := range table2 {
		b := a.Bottlenecks[first]
		rows = append(rows, Table2Row{Input: sq(b.H, b.In), Operator: "bottleneck", T: r.t, C: b.Out, N: r.n, S: r.s})
		first += r.n
	}
	last := a.Bottlenecks[len(a.Bottlenecks)-1]
	return append(rows,
		Table2Row{Input: sq(a.HeadH, last.Out), Operator: "conv2d 1x1", C: a.Head, N: 1, S: 1},
		Table2Row{Input: sq(a.HeadH, a.Head), Operator: fmt.Sprintf("avgpool %dx%d", a.HeadH, a.HeadH), N: 1},
		Table2Row{Input: sq(1, a.Head), Operator: "conv2d 1x1", C: a.Classes},
	)
}

// Bottleneck is one inverted-residual block: 1x1 expand by t with ReLU6
// (absent when t == 1), 3x3 depthwise with ReLU6, 1x1 linear projection, and
// the residual add when the stride is 1 and In == Out.
type Bottleneck struct {
	T          int // expansion factor
	In, Out    int // channels d' and d''
	Stride     int
	H, W       int // input size
	OutH, OutW int
	Residual   bool
}

// Expanded is the channel count between expand and project, t*d'.
func (b Bottleneck) Expanded() int { return b.T * b.In }

// MACs is the paper's cost of a block, h*w*d'*t*(d' + 9 + d”), with h, w
// taken where each conv runs: expand and depthwise taps at their own
// output size (the same at stride 1).
func (b Bottleneck) MACs() int64 {
	e := int64(b.Expanded())
	in := int64(b.H * b.W)
	out := int64(b.OutH * b.OutW)
	var expand int64
	if b.T != 1 {
		expand = in * int64(b.In) * e
	}
	return expand + out*e*9 + out*e*int64(b.Out)
}

// Arch is the shape of one MobileNetV2 configuration: every layer, in order.
type Arch struct {
	Config
	Stem        int // stem output channels
	StemH       int // stem output size (square)
	Bottlenecks []Bottleneck
	Head        int // channels of the last 1x1 conv (1280 for width <= 1)
	HeadH       int // its spatial size
}

// makeDivisible rounds channels to a multiple of 8, never down by more than
// 10%: the rounding of the reference implementation.
func makeDivisible(v float64) int {
	n := max(8, int(v+4)/8*8)
	if float64(n) < 0.9*v {
		n += 8
	}
	return n
}

// checkRes refuses input resolutions the network is not laid out for.
func checkRes(res int) error {
	if res < 32 || res > 4096 {
		return fmt.Errorf("resolution %d out of range [32, 4096]", res)
	}
	return nil
}

// NewArch lays out the network for cfg.
func NewArch(cfg Config) (*Arch, error) {
	if !(cfg.Width > 0 && cfg.Width <= 4) || math.IsNaN(cfg.Width) {
		return nil, fmt.Errorf("width multiplier %g out of range (0, 4]", cfg.Width)
	}
	if err := checkRes(cfg.Res); err != nil {
		return nil, err
	}
	if cfg.Classes < 1 || cfg.Classes > 100000 {
		return nil, fmt.Errorf("class count %d out of range [1, 100000]", cfg.Classes)
	}
	a := &Arch{Config: cfg, Stem: makeDivisible(32 * cfg.Width)}
	a.StemH = (cfg.Res + 1) / 2
	h, c := a.StemH, a.Stem
	for _, row := range table2 {
		out := makeDivisible(float64(row.c) * cfg.Width)
		for i := range row.n {
			s := 1
			if i == 0 {
				s = row.s
			}
			oh := (h + s - 1) / s
			a.Bottlenecks = append(a.Bottlenecks, Bottleneck{
				T: row.t, In: c, Out: out, Stride: s,
				H: h, W: h, OutH: oh, OutW: oh,
				Residual: s == 1 && c == out,
			})
			h, c = oh, out
		}
	}
	// The last conv keeps 1280 channels for width < 1, as the paper does.
	a.Head = 1280
	if cfg.Width > 1 {
		a.Head = makeDivisible(1280 * cfg.Width)
	}
	a.HeadH = h
	return a, nil
}

// Layer is one step of the forward pass, as timed and costed.
type Layer struct {
	Name   string // "stem", "b3/expand", "head", ...
	Kind   string // stem, expand, depthwise, project, head, pool, classifier, softmax
	In     [3]int // input h, w, c
	Out    [3]int // output h, w, c
	MACs   int64  // multiply-adds of convolutions and the classifier
	Params int64  // weights, without biases
}

// Layers lists the layers in execution order. The residual add is fused
// into the projection, so it has no layer of its own.
func (a *Arch) Layers() []Layer {
	shape := func(h, c int) [3]int { return [3]int{h, h, c} }
	conv := func(name, kind string, in, out [3]int, k, cin int) Layer {
		macs := int64(out[0]*out[1]) * int64(k*k*cin) * int64(out[2])
		if kind == "depthwise" {
			macs = int64(out[0]*out[1]) * int64(k*k) * int64(out[2])
		}
		params := macs / int64(out[0]*out[1])
		return Layer{Name: name, Kind: kind, In: in, Out: out, MACs: macs, Params: params}
	}
	var ls []Layer
	ls = append(ls, conv("stem", "stem", shape(a.Res, 3), shape(a.StemH, a.Stem), 3, 3))
	for i, b := range a.Bottlenecks {
		e := b.Expanded()
		in := shape(b.H, b.In)
		if b.T != 1 {
			ls = append(ls, conv(fmt.Sprintf("b%d/expand", i), "expand", in, shape(b.H, e), 1, b.In))
			in = shape(b.H, e)
		}
		ls = append(ls, conv(fmt.Sprintf("b%d/depthwise", i), "depthwise", in, shape(b.OutH, e), 3, 1))
		ls = append(ls, conv(fmt.Sprintf("b%d/project", i), "project", shape(b.OutH, e), shape(b.OutH, b.Out), 1, e))
	}
	last := a.Bottlenecks[len(a.Bottlenecks)-1]
	ls = append(ls, conv("head", "head", shape(a.HeadH, last.Out), shape(a.HeadH, a.Head), 1, last.Out))
	ls = append(ls, Layer{Name: "pool", Kind: "pool", In: shape(a.HeadH, a.Head), Out: shape(1, a.Head)})
	ls = append(ls, conv("classifier", "classifier", shape(1, a.Head), shape(1, a.Classes), 1, a.Head))
	ls = append(ls, Layer{Name: "softmax", Kind: "softmax", In: shape(1, a.Classes), Out: shape(1, a.Classes)})
	return ls
}

// Cost returns the total multiply-adds and weights (without biases).
func (a *Arch) Cost() (macs, params int64) {
	for _, l := range a.Layers() {
		macs += l.MACs
		params += l.Params
	}
	return macs, params
}
