package model

import (
	"time"

	"github.com/mbv2/mbv2/kernels"
)

// The memory-efficient inverted residual of the paper's section 5.1: a
// bottleneck runs over strips of output rows, so that its t-times-wider
// expanded tensor only ever exists as the few rows a strip reads, in a ring
// small enough to stay in the L2 cache, and the depthwise output as one
// strip. Each thread streams its own band of output rows with its own
// buffers; the rows at the edge of a band are expanded by both threads
// next to it. Every value is computed as the layer-by-layer path computes
// it, so the results are the same bits.

// stripPlan returns the output rows per strip of each bottleneck of a.
// (Running the small late blocks layer by layer instead, their 1x1 layers
// split by channels, measured slower on 2 threads: medians 3.24-3.30
// against 3.00-3.09 ms at 1.0/224.)
func stripPlan(a *Arch) []int {
	plan := make([]int, len(a.Bottlenecks))
	for i, b := range a.Bottlenecks {
		plan[i] = stripRows(b)
	}
	return plan
}

// minBandRows is the fewest input rows per thread for which a bottleneck
// streams in bands of rows; below it, the threads split the block by
// channels (see byChannels). On 2 threads at 1.0/224 that is the three
// 7x7 blocks, each 3-9% faster so (about 20 us in all); the strided 14x14
// block was 12% slower, and the 14x14 ones slower still.
const minBandRows = 4

// byChannels reports whether bottleneck b runs split by channels on the
// given threads rather than streamed in bands of rows. In a band of a few
// rows, the rows its edges share with the next band are expanded twice,
// and every thread reads all of the block's weights, which is what limits
// the small late blocks. Split by channels, each thread expands and
// filters its share of the expanded channels, whole, then the projection
// is split as any 1x1 layer: no work is done twice and each thread reads
// only its share of the weights, for one more wait between threads.
func byChannels(b Bottleneck, threads int) bool {
	return threads > 1 && b.H < threads*minBandRows && b.Expanded()%kernels.Tile == 0
}

// fusesStem reports whether, streamed on the given threads, the first
// bottleneck computes its input rows with the stem: unless the threads
// split it by channels (tiny images), or it adds its input (never in
// MobileNetV2: the stem is twice as wide as the block's output).
func (a *Arch) fusesStem(threads int) bool {
	b := a.Bottlenecks[0]
	return !byChannels(b, threads) && !b.Residual
}

// stripBytes is the budget of one thread's strip buffers: the expanded rows
// a strip reads and the strip's depthwise output. (A variable so that tests
// can force strips of one row.)
var stripBytes = 256 << 10

// stripRows returns the output rows per strip of bottleneck b.
func stripRows(b Bottleneck) int {
	perRow := 4 * (b.Stride*b.W + b.OutW) * b.Expanded()
	return max(1, min(b.OutH, stripBytes/perRow))
}

// ringRows returns the rows of the ring of expanded rows of b: what a strip
// of s output rows reads.
func ringRows(b Bottleneck, s int) int { return min(b.H, (s-1)*b.Stride+3) }

// scratch is one thread's buffers.
type scratch struct {
	ring  []float32        // expanded rows, a ring of ringRows rows
	strip []float32        // a strip's depthwise output
	times [3]time.Duration // expand, depthwise, project of the last block, on thread 0 when timing
}

// scratchSizes returns the floats of the ring and strip buffers that every
// bottleneck of a fits in, under plan.
func scratchSizes(a *Arch, plan []int) (ring, strip int) {
	for i, b := range a.Bottlenecks {
		s := plan[i]
		if b.T != 1 || i == 0 { // the first block's ring holds rows of the stem
			ring = max(ring, ringRows(b, s)*b.W*b.Expanded())
		}
		strip = max(strip, s*b.OutW*b.Expanded())
	}
	return ring, strip
}

// stream computes output rows [from, to) of the bottleneck s.block from
// s.src into s.dst, a strip at a time.
func (s *step) stream(sc *scratch, first bool, from, to int) {
	b, w := s.block, s.weights
	e := b.Expanded()
	_, top := kernels.SamePad(b.H, 3, b.Stride)
	strip := s.strip
	timing := first && s.timing
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

	// Without expansion the depthwise reads the block's input whole; with
	// it, or with the stem computing the input of the first block from the
	// image in s.src, the rows of a ring.
	in, rows := s.src, b.H
	ring := ringRows(b, strip)
	inRing := b.T != 1 || s.stem != nil
	if inRing {
		in, rows = sc.ring, ring
	}
	next := max(from*b.Stride-top, 0) // the next input row to expand
	for y0 := from; y0 < to; y0 += strip {
		y1 := min(y0+strip, to)
		if inRing {
			// Expand the input rows this strip reads that are not in the
			// ring yet; they overwrite rows no strip reads any more.
			end := min((y1-1)*b.Stride-top+2, b.H-1) + 1
			for next < end {
				r := next % ring
				n := min(end-next, ring-r)
				if s.stem != nil {
					kernels.Stem(sc.ring[r*b.W*e:], s.src, s.h, s.w, next, next+n, s.stem, relu6Min, relu6Max)
				} else {
					kernels.Pointwise(sc.ring[r*b.W*e:], s.src[next*b.W*b.In:], n*b.W, w.expand, nil, 0, e, relu6Min, relu6Max)
				}
				next += n
			}
			lap(0)
		}
		kernels.Depthwise(sc.strip, in, b.H, b.W, b.Stride, rows, y0, y1, w.depthwise, 0, e, relu6Min, relu6Max)
		lap(1)
		var shortcut []float32
		if b.Residual {
			shortcut = s.src[y0*b.OutW*b.Out:]
		}
		kernels.Pointwise(s.dst[y0*b.OutW*b.Out:], sc.strip, (y1-y0)*b.OutW, w.project, shortcut, 0, b.Out, linearMin, linearMax)
		lap(2)
	}
}

// expandDepthwise computes expanded channels [c0, c1) of bottleneck
// s.block from its input s.src into s.expanded, whole, then their depthwise
// output into s.dst.
func (s *step) expandDepthwise(sc *scratch, first bool, c0, c1 int) {
	b, w := s.block, s.weights
	timing := first && s.timing
	var t time.Time
	if timing {
		t = time.Now()
	}
	in := s.src
	if b.T != 1 {
		kernels.Pointwise(s.expanded, s.src, b.H*b.W, w.expand, nil, c0, c1, relu6Min, relu6Max)
		in = s.expanded
	}
	if timing {
		now := time.Now()
		sc.times[0], t = now.Sub(t), now
	}
	kernels.Depthwise(s.dst, in, b.H, b.W, b.Stride, b.H, 0, b.OutH, w.depthwise, c0, c1, relu6Min, relu6Max)
	if timing {
		sc.times[1] = time.Since(t)
	}
}
