package model

import (
	"math"
	"math/rand/v2"

	"github.com/mbv2/mbv2/kernels"
)

// Synthetic returns a MobileNetV2 of cfg with seeded random weights, packed
// as Load packs a file's: what a benchmark needs when the cost, not the
// answer, matters. Pixels are normalised as x = (p-128)/128.
//
// The weights are He-scaled, so activations keep a normal float range
// through the 17 blocks: no denormals to slow the kernels down, no
// overflow.
func Synthetic(cfg Config, seed uint64) (*Model, error) {
	a, err := NewArch(cfg)
	if err != nil {
		return nil, err
	}
	convs := randomConvs(a, seed)
	next := func() convSpec {
		c := convs[0]
		convs = convs[1:]
		return c
	}
	m := &Model{Config: cfg, InputScale: 1.0 / 128, InputZero: 128, Weights: "float32, random", Precision: Float32}
	c := next()
	m.stem = kernels.PackStem(c.w, c.b, c.cout)
	for _, b := range a.Bottlenecks {
		var bw bottleneckWeights
		if b.T != 1 {
			c = next()
			bw.expand = kernels.PackPointwise(c.w, c.b, c.cout, c.cin)
		}
		c = next()
		bw.depthwise = kernels.PackDepthwise(c.w, c.b, c.cout)
		c = next()
		bw.project = kernels.PackPointwise(c.w, c.b, c.cout, c.cin)
		m.bottlenecks = append(m.bottlenecks, bw)
	}
	c = next()
	m.head = kernels.PackPointwise(c.w, c.b, c.cout, c.cin)
	c = next()
	m.classifier = kernels.PackPointwise(c.w, c.b, c.cout, c.cin)
	return m, nil
}

// convSpec is one convolution of a random MobileNetV2, with its weights as
// a TFLite file stores them (OHWI; [1,3,3,C] for depthwise).
type convSpec struct {
	kind      string // stem, expand, depthwise, project, head, classifier
	k, stride int
	cin, cout int
	relu6     bool
	w, b      []float32
	residual  bool // project: add the block's input
}

// randomConvs draws the weights of the network a in execution order, each
// from N(0, 2/fan-in) (He initialisation) so that activations stay in a
// normal range, and biases from N(0, 0.1²).
func randomConvs(a *Arch, seed uint64) []convSpec {
	rng := rand.New(rand.NewPCG(seed, 1))
	conv := func(kind string, k, stride, cin, cout int, relu6 bool) convSpec {
		fanIn, n := k*k*cin, cout*k*k*cin
		if kind == "depthwise" {
			fanIn, n = k*k, k*k*cout
		}
		c := convSpec{kind: kind, k: k, stride: stride, cin: cin, cout: cout, relu6: relu6,
			w: make([]float32, n), b: make([]float32, cout)}
		std := math.Sqrt(2 / float64(fanIn))
		for i := range c.w {
			c.w[i] = float32(rng.NormFloat64() * std)
		}
		for i := range c.b {
			c.b[i] = float32(rng.NormFloat64() * 0.1)
		}
		return c
	}
	specs := []convSpec{conv("stem", 3, 2, 3, a.Stem, true)}
	for _, b := range a.Bottlenecks {
		if b.T != 1 {
			specs = append(specs, conv("expand", 1, 1, b.In, b.Expanded(), true))
		}
		specs = append(specs, conv("depthwise", 3, b.Stride, b.Expanded(), b.Expanded(), true))
		p := conv("project", 1, 1, b.Expanded(), b.Out, false)
		p.residual = b.Residual
		specs = append(specs, p)
	}
	last := a.Bottlenecks[len(a.Bottlenecks)-1].Out
	specs = append(specs, conv("head", 1, 1, last, a.Head, true))
	specs = append(specs, conv("classifier", 1, 1, a.Head, a.Classes, false))
	return specs
}
