package model

import (
	"time"
)

// Runner holds the activation buffers of forward passes at one resolution,
// allocated once. It is not safe for concurrent use: one per goroutine.
type Runner struct {
	m      *Model
	plan   *plan
	layers []Layer

	// The layers, with their weights.
	stem             conv3x3s2
	blocks           []block
	head, classifier conv1x1

	// Activations, sized from the plan (see buffers).
	input  []float32    // res x res x 3, normalised
	pixel  [256]float32 // the normalised value of each 8-bit pixel value
	x, y   []float32    // a bottleneck's input and output
	e      []float32    // the head's output, or a block's expanded tensor computed whole
	d      []float32    // a block's depthwise output computed whole
	pooled []float32    // [head]: the average of each head channel
	logits []float32    // [classes]
	probs  []float32    // [classes]

	team    *team
	scratch []scratch // one per thread

	q *int8Buffers // at precision Int8, the activations instead of those above

	// The step the team computes, one of each type, so that a forward
	// pass allocates none.
	normalise normaliseStep
	stemRows  stemStep
	pw        pointwiseStep
	dw        depthwiseStep
	band      bandStep
	channels  channelStep

	timing bool
	times  []time.Duration // per layer, when timing
	last   time.Time
	next   int
}

const float32Bytes = 4

// scratch is one thread's buffers.
type scratch struct {
	ring  []float32        // a streamed block's expanded rows, a ring of blockPlan.ring rows
	strip []float32        // a streamed block's depthwise output, one strip
	times [3]time.Duration // expand (or stem), depthwise, project of the last block, in part 0 when timing
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
	r := &Runner{
		m:          m,
		layers:     a.Layers(),
		stem:       conv3x3s2{m.stem, res, res},
		head:       conv1x1{m.head, relu6Min, relu6Max},
		classifier: conv1x1{m.classifier, linearMin, linearMax},
		team:       newTeam(threads),
	}
	r.times = make([]time.Duration, len(r.layers))
	if m.q != nil {
		// The integer pass follows the same plans, a byte a value.
		r.plan = newPlan(a, r.team.threads, false, 1)
		r.q = newInt8Buffers(r.plan)
		r.logits, r.probs = make([]float32, a.Classes), make([]float32, a.Classes)
		return r, nil
	}
	r.scratch = make([]scratch, r.team.threads)
	r.setPlan(newPlan(a, r.team.threads, false, float32Bytes))
	return r, nil
}

// setPlan makes p the runner's plan: it lays out the blocks, and grows the
// buffers to p's sizes.
func (r *Runner) setPlan(p *plan) {
	r.plan = p
	r.blocks = r.blocks[:0]
	for i := range p.blocks {
		r.blocks = append(r.blocks, newBlock(&p.blocks[i], &r.m.bottlenecks[i], r.stem))
	}
	s := p.buffers()
	for _, b := range []struct {
		buf *[]float32
		n   int
	}{
		{&r.input, s.input}, {&r.x, s.xy}, {&r.y, s.xy}, {&r.e, s.e}, {&r.d, s.d},
		{&r.pooled, s.head}, {&r.logits, s.classes}, {&r.probs, s.classes},
	} {
		grow(b.buf, b.n)
	}
	for i := range r.scratch {
		grow(&r.scratch[i].ring, s.ring)
		grow(&r.scratch[i].strip, s.strip)
	}
}

// grow makes *buf n values long, unless it is already as long. It touches
// a new buffer, so that the first pass does not pay for its pages.
func grow(buf *[]float32, n int) {
	if len(*buf) < n {
		*buf = make([]float32, n)
		clear(*buf)
	}
}

// SetLayerwise makes the runner compute each bottleneck layer by layer,
// materialising its expanded tensors whole, instead of streaming it in
// strips; for comparison, the results are the same.
func (r *Runner) SetLayerwise(on bool) {
	if r.q != nil {
		r.plan = newPlan(r.plan.Arch, r.team.threads, on, 1)
		r.q = newInt8Buffers(r.plan)
		return
	}
	r.setPlan(newPlan(r.plan.Arch, r.team.threads, on, float32Bytes))
}

// Close stops the runner's threads.
func (r *Runner) Close() { r.team.close() }

// Threads returns the number of threads the runner splits each layer over.
func (r *Runner) Threads() int { return r.team.threads }

// Arch returns the architecture the runner runs, at its resolution.
func (r *Runner) Arch() *Arch { return r.plan.Arch }

// Layers returns the layers of a forward pass, in order.
func (r *Runner) Layers() []Layer { return r.layers }

// SetTiming turns per-layer timing on or off.
func (r *Runner) SetTiming(on bool) { r.timing = on }

// Times returns the duration of each layer of the last forward pass, in
// the order of Layers, when timing is on.
func (r *Runner) Times() []time.Duration { return r.times }

// Logits returns the classifier outputs of the last forward pass.
func (r *Runner) Logits() []float32 { return r.logits }

func (r *Runner) start() {
	r.next = 0
	if r.timing {
		r.last = time.Now()
	}
}

// lap ends the timing of the current layer.
func (r *Runner) lap() {
	if r.timing {
		now := time.Now()
		r.times[r.next] = now.Sub(r.last)
		r.last = now
	}
	r.next++
}

// share ends the timing of a step that computed len(t) layers interleaved:
// it gives each layer the step's time in the proportions t of them that
// the first thread measured on its own part.
func (r *Runner) share(t []time.Duration) {
	if !r.timing {
		r.next += len(t)
		return
	}
	now := time.Now()
	wall := now.Sub(r.last)
	r.last = now
	var sum time.Duration
	for _, d := range t {
		sum += d
	}
	for _, d := range t {
		r.times[r.next] = time.Duration(float64(wall) * float64(d) / float64(max(sum, 1)))
		r.next++
	}
}
