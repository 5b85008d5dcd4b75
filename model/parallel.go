package model

import (
	"math/bits"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/mbv2/mbv2/kernels"
)

// A step is one layer's kernel call, described so that any range of its
// output (rows, pixels or channel tiles) can be computed by any thread.
// Each output value is computed the same way whatever the split, so results
// are bit-identical for every thread count.
type step struct {
	kind      stepKind
	dst, src  []float32
	shortcut  []float32 // pointwise: residual input, or nil
	pooled    []float32 // pointwise by channels: the average of each output channel over the pixels, or nil
	h, w      int       // input size (stem, depthwise)
	stride    int       // depthwise
	pixels    int       // pointwise
	pointwise *kernels.PointwiseWeights
	depthwise *kernels.DepthwiseWeights
	stem      *kernels.StemWeights
	lo, hi    float32 // clamp

	// The input's normalisation: dst = pixel[rgb].
	rgb   []byte
	pixel *[256]float32

	// A streamed bottleneck: src is its input, dst its output; or, with
	// stem weights, src is the h x w image whose stem is the block's input.
	// Split by channels: src is its input, expanded its expanded tensor,
	// dst its depthwise output.
	expanded []float32
	block    Bottleneck
	strip    int // output rows per strip
	weights  *bottleneckWeights
	timing   bool

	scratch []scratch // one per thread
}

type stepKind int

const (
	stemStep stepKind = iota
	normaliseStep
	pointwiseStep
	depthwiseStep
	bottleneckStep
	expandDepthwiseStep
)

// size returns how many units of work the step splits into.
func (s *step) size() int {
	switch s.kind {
	case pointwiseStep:
		if s.byChannels() {
			return (s.pointwise.Cout + kernels.Tile - 1) / kernels.Tile
		}
		return s.pixels
	case depthwiseStep:
		out, _ := kernels.SamePad(s.h, 3, s.stride)
		return out
	case bottleneckStep:
		return s.block.OutH
	case expandDepthwiseStep:
		return (s.block.Expanded() + kernels.Tile - 1) / kernels.Tile
	case normaliseStep:
		return s.h
	default:
		out, _ := kernels.SamePad(s.h, 3, 2)
		return out
	}
}

// byChannels reports whether a pointwise step splits by tiles of output
// channels rather than by pixels: when its weights outweigh its input, as
// in the classifier and the 7x7 layers, so that each thread reads only its
// share of them.
func (s *step) byChannels() bool { return s.pixels < s.pointwise.Cout }

// run computes units [from, to) of the step on the given thread.
func (s *step) run(thread, from, to int) {
	switch s.kind {
	case bottleneckStep:
		s.stream(&s.scratch[thread], thread == 0, from, to)
	case expandDepthwiseStep:
		s.expandDepthwise(&s.scratch[thread], thread == 0, from*kernels.Tile, min(to*kernels.Tile, s.block.Expanded()))
	case stemStep:
		ow, _ := kernels.SamePad(s.w, 3, 2)
		kernels.Stem(s.dst[from*ow*s.stem.Cout:], s.src, s.h, s.w, from, to, s.stem, s.lo, s.hi)
	case normaliseStep:
		n := s.w * 3 // a row of pixels
		in := s.rgb[from*n : to*n]
		out := s.dst[from*n:][:len(in)]
		pixel := s.pixel
		for i, p := range in {
			out[i] = pixel[p]
		}
	case depthwiseStep:
		ow, _ := kernels.SamePad(s.w, 3, s.stride)
		kernels.Depthwise(s.dst[from*ow*s.depthwise.C:], s.src, s.h, s.w, s.stride, s.h, from, to, s.depthwise, 0, s.depthwise.C, s.lo, s.hi)
	case pointwiseStep:
		w := s.pointwise
		if s.byChannels() {
			c0, c1 := from*kernels.Tile, min(to*kernels.Tile, w.Cout)
			kernels.Pointwise(s.dst, s.src, s.pixels, w, s.shortcut, c0, c1, s.lo, s.hi)
			if s.pooled != nil {
				kernels.AvgPool(s.pooled, s.dst, s.pixels, w.Cout, c0, c1)
			}
			return
		}
		cin, cout := w.Cin, w.Cout
		var shortcut []float32
		if s.shortcut != nil {
			shortcut = s.shortcut[from*cout : to*cout]
		}
		kernels.Pointwise(s.dst[from*cout:to*cout], s.src[from*cin:to*cin], to-from, w, shortcut, 0, cout, s.lo, s.hi)
	}
}

// pool is a persistent set of goroutines that share the work of each step
// with the calling goroutine: no goroutine is started per inference.
//
// A step is split into one part per thread. Thread i (the caller is 0)
// takes part i, so that it finds in its caches what its part of the layer
// before wrote (the same band of rows, mostly), then any part not yet
// taken. So when the machine is busy and a helper is not running, the
// caller computes its part too rather than wait for it: it only ever waits
// for parts already under way. Part i always uses scratch[i], whoever runs
// it.
//
// Layers follow each other within microseconds, so a helper that has done
// its part spins a little for the next step before it sleeps: waking a
// sleeping thread for every layer would cost more than some layers take.
type pool struct {
	threads  int
	step     atomic.Pointer[step]
	next     atomic.Uint64   // the current step: gen<<40 | parts<<32 | a bit for each part taken
	done     atomic.Int32    // parts of the current step finished
	waiting  atomic.Bool     // the caller is asleep on finished, or about to be
	finished chan struct{}   // a helper that finishes the last part says so, if waiting
	wake     []chan struct{} // a sleeping helper's doorbell, one per helper
	closed   atomic.Bool
	gen      uint64
}

const (
	maxThreads = 32                     // parts fit in 32 bits of pool.next
	spinFor    = 200 * time.Microsecond // a helper, for the next step
	waitFor    = time.Millisecond       // the caller, for the parts under way
)

func newPool(threads int) *pool {
	p := &pool{threads: min(max(threads, 1), maxThreads), finished: make(chan struct{}, 1)}
	for i := range p.threads - 1 {
		c := make(chan struct{}, 1)
		p.wake = append(p.wake, c)
		go p.helper(i+1, c)
	}
	return p
}

// helper is thread i of the pool.
func (p *pool) helper(i int, wake chan struct{}) {
	var seen uint64 // the generation of the last step seen
	for p.await(seen, wake) {
		seen = p.next.Load() >> 40
		if p.help(seen, i) && p.waiting.Swap(false) {
			p.finished <- struct{}{}
		}
	}
}

// await waits for a step newer than generation seen: spinning for
// spinFor, then asleep until the doorbell wake rings, then spinning again.
// It returns false once the pool is closed.
//
// The spin does not yield to the Go scheduler: when a helper and the
// caller both did, the scheduler could swap their goroutines between the
// two threads, and each then worked on caches warmed for the other's band.
// Passes slower than on one thread went from about 1 in 4 to 1 in 10 or
// fewer (2 threads, 1.0/224, old and new interleaved in one process).
func (p *pool) await(seen uint64, wake chan struct{}) bool {
	start := time.Now()
	for i := 0; p.next.Load()>>40 == seen; i++ {
		if p.closed.Load() {
			return false
		}
		if i%64 == 63 && time.Since(start) > spinFor {
			if _, ok := <-wake; !ok {
				return false
			}
			start = time.Now()
		}
	}
	return true
}

// help computes parts of step generation gen, part own first, until none
// is left, and reports whether it finished the last one.
func (p *pool) help(gen uint64, own int) (last bool) {
	i := own
	for {
		v := p.next.Load()
		parts, taken := int(v>>32&0xff), uint32(v)
		if v>>40 != gen {
			return last
		}
		if i >= parts || taken&(1<<i) != 0 {
			free := ^taken & (1<<parts - 1)
			if free == 0 {
				return last
			}
			i = bits.TrailingZeros32(free)
		}
		if !p.next.CompareAndSwap(v, v|1<<i) {
			continue
		}
		// The step cannot change before its parts are done.
		s := p.step.Load()
		n := s.size()
		s.run(i, i*n/parts, (i+1)*n/parts)
		last = p.done.Add(1) == int32(parts)
	}
}

// run computes the step on the pool's threads.
func (p *pool) run(s *step) {
	n := s.size()
	parts := min(p.threads, n)
	if parts <= 1 {
		s.run(0, 0, n)
		return
	}
	p.gen = (p.gen + 1) & (1<<24 - 1)
	p.done.Store(0)
	p.step.Store(s)
	p.next.Store(p.gen<<40 | uint64(parts)<<32)
	for _, c := range p.wake[:parts-1] {
		select {
		case c <- struct{}{}:
		default: // rung already
		}
	}
	if p.help(p.gen, 0) {
		return
	}
	// Wait for the parts under way: spinning, as they are about as long
	// as the caller's own; then yielding, in case a helper waits for this
	// thread; then asleep. Going through the Go scheduler costs
	// microseconds and can swap the goroutines between the threads, so the
	// common case does not.
	start := time.Now()
	for i := 0; p.done.Load() < int32(parts); i++ {
		if i%64 == 63 {
			if d := time.Since(start); d > waitFor {
				break
			} else if d > spinFor {
				runtime.Gosched()
			}
		}
	}
	// Asleep: say so, then look again, so that the helper that finishes
	// the last part either is seen to have finished or sees the flag.
	p.waiting.Store(true)
	if p.done.Load() < int32(parts) || !p.waiting.Swap(false) {
		<-p.finished
	}
}

func (p *pool) close() {
	p.closed.Store(true)
	for _, c := range p.wake {
		close(c)
	}
	p.wake = nil
}
