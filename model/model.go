package model

import (
	"fmt"
	"time"

	"github.com/mbv2/mbv2/kernels"
)

// Model is a loaded MobileNetV2: its configuration at its native resolution,
// its weights packed once for the kernels, its input normalisation and its
// labels. It is read-only once loaded; goroutines share it, each running
// its own Runner.
type Model struct {
	Config
	// Input pixels p (0..255) become x = InputScale*(p - InputZero), from
	// the quantization of the model's input tensor.
	InputScale, InputZero float32
	Labels                []string  // one per class, or nil
	Weights               string    // how the file stored its weights, e.g. "uint8 per-tensor"
	Precision             Precision // the arithmetic of its forward pass

	q *int8Net // the integer network, at precision Int8; the float weights below are nil then

	stem        *kernels.StemWeights
	bottlenecks []bottleneckWeights
	head        *kernels.PointwiseWeights
	classifier  *kernels.PointwiseWeights
}

type bottleneckWeights struct {
	expand    *kernels.PointwiseWeights // nil when t == 1
	depthwise *kernels.DepthwiseWeights
	project   *kernels.PointwiseWeights
}

// Label returns the label of class i, or its index when there are no labels.
func (m *Model) Label(i int) string {
	if i >= 0 && i < len(m.Labels) {
		return m.Labels[i]
	}
	return fmt.Sprintf("class %d", i)
}

// Runner holds the activation buffers of forward passes at one resolution,
// allocated once. It is not safe for concurrent use: one per goroutine.
type Runner struct {
	m      *Model
	arch   *Arch
	layers []Layer

	input  []float32    // res x res x 3, normalised
	pixel  [256]float32 // the normalised value of each 8-bit pixel value
	x, y   []float32    // a bottleneck's input and output: max h*w*c
	e      []float32    // head output; expanded activations of the blocks split by channels, or layer by layer of all
	d      []float32    // depthwise output of the blocks split by channels, or layer by layer of all
	pooled []float32    // [head]
	logits []float32    // [classes]
	probs  []float32    // [classes]

	layerwise bool      // run bottlenecks layer by layer instead of streamed
	strips    []int     // output rows per strip of each bottleneck
	split     []bool    // which bottlenecks are split by channels instead
	scratch   []scratch // streamed bottlenecks: one per thread

	q *int8Buffers // at precision Int8, the activations instead of those above

	pool *pool
	step step // the layer being computed, shared with the pool's threads

	timing bool
	times  []time.Duration // per layer, when timing
	last   time.Time
	next   int
}

// NewRunner allocates the buffers of a forward pass at resolution res (the
// network is fully convolutional: any res works, not only the model's own)
// and starts threads-1 goroutines (at most 31) that share each layer's
// work; Close stops them.
func (m *Model) NewRunner(res, threads int) (*Runner, error) {
	cfg := m.Config
	cfg.Res = res
	a, err := NewArch(cfg)
	if err != nil {
		return nil, err
	}
	if m.q != nil {
		r := &Runner{m: m, arch: a, layers: a.Layers(), q: newInt8Buffers(a), pool: newPool(threads),
			logits: make([]float32, a.Classes), probs: make([]float32, a.Classes)}
		r.times = make([]time.Duration, len(r.layers))
		return r, nil
	}
	pool := newPool(threads)
	// The blocks' outputs, and the stem's unless it streams into the
	// first block.
	xy := 0
	if !a.fusesStem(pool.threads) {
		xy = a.StemH * a.StemH * a.Stem
	}
	for _, b := range a.Bottlenecks {
		xy = max(xy, b.OutH*b.OutW*b.Out)
	}
	r := &Runner{
		m:      m,
		arch:   a,
		layers: a.Layers(),
		input:  make([]float32, res*res*3),
		x:      make([]float32, xy),
		y:      make([]float32, xy),
		pooled: make([]float32, a.Head),
		logits: make([]float32, a.Classes),
		probs:  make([]float32, a.Classes),
		pool:   pool,
	}
	r.times = make([]time.Duration, len(r.layers))
	r.strips = stripPlan(a)
	// Split by channels, a bottleneck's expanded tensor and depthwise
	// output exist whole.
	e, d := a.HeadH*a.HeadH*a.Head, 0
	for _, b := range a.Bottlenecks {
		split := byChannels(b, r.pool.threads)
		r.split = append(r.split, split)
		if split {
			e = max(e, b.H*b.W*b.Expanded())
			d = max(d, b.OutH*b.OutW*b.Expanded())
		}
	}
	r.e, r.d = make([]float32, e), make([]float32, d)
	ring, strip := scratchSizes(a, r.strips)
	r.scratch = make([]scratch, r.pool.threads)
	for i := range r.scratch {
		r.scratch[i] = scratch{ring: make([]float32, ring), strip: make([]float32, strip)}
	}
	// Touch the buffers now, so that the first pass does not pay for
	// their pages.
	for _, b := range [][]float32{r.input, r.x, r.y, r.e, r.d, r.pooled, r.logits, r.probs} {
		clear(b)
	}
	for _, s := range r.scratch {
		clear(s.ring)
		clear(s.strip)
	}
	return r, nil
}

// SetLayerwise makes the runner compute each bottleneck layer by layer,
// materialising its expanded tensors whole, instead of streaming it in
// strips; for comparison, the results are the same.
func (r *Runner) SetLayerwise(on bool) {
	r.layerwise = on
	if r.q != nil {
		return // the integer pass is layer by layer
	}
	if !on {
		return
	}
	if n := r.arch.StemH * r.arch.StemH * r.arch.Stem; len(r.x) < n {
		r.x, r.y = make([]float32, n), make([]float32, n)
	}
	var e, d int
	for _, b := range r.arch.Bottlenecks {
		e = max(e, b.H*b.W*b.Expanded())
		d = max(d, b.OutH*b.OutW*b.Expanded())
	}
	if len(r.e) < e {
		r.e = make([]float32, e)
	}
	if len(r.d) < d {
		r.d = make([]float32, d)
	}
}

// Close stops the runner's threads.
func (r *Runner) Close() { r.pool.close() }

// Threads returns the number of threads the runner splits each layer over.
func (r *Runner) Threads() int { return r.pool.threads }

// Arch returns the layer plan the runner runs.
func (r *Runner) Arch() *Arch { return r.arch }

// Layers returns the layers of a forward pass, in order.
func (r *Runner) Layers() []Layer { return r.layers }

// SetTiming turns per-layer timing on or off.
func (r *Runner) SetTiming(on bool) { r.timing = on }

// Times returns the duration of each layer of the last forward pass, in
// the order of Layers, when timing is on.
func (r *Runner) Times() []time.Duration { return r.times }

// Logits returns the classifier outputs of the last forward pass.
func (r *Runner) Logits() []float32 { return r.logits }
