package model

import "github.com/mbv2/mbv2/kernels"

// A plan says how a runner computes each bottleneck on its threads, decided
// once in NewRunner; the buffers are sized from it and the memory report
// reads it. It names no kernel and counts values, not bytes: only the
// strips' cache budget and the memory report need the size of a value, so
// that a pass in another precision can follow the same plan.
type plan struct {
	*Arch
	threads    int
	valueBytes int // of an activation value: 4 for float32
	blocks     []blockPlan
}

// schedule is how the threads compute a bottleneck.
type schedule uint8

const (
	// streamed: each thread computes a band of output rows, a strip of
	// rows at a time, keeping only the expanded rows a strip reads, in a
	// ring (the paper's section 5.1).
	streamed schedule = iota
	// channelSplit: each thread expands and filters a range of the
	// expanded channels, whole; then the threads split the projection.
	channelSplit
	// layerByLayer: expand, depthwise and project each computed whole,
	// each split among the threads; for comparison.
	layerByLayer
)

// blockPlan is how one bottleneck runs.
type blockPlan struct {
	Bottleneck
	schedule  schedule
	strip     int  // streamed: output rows per strip
	ring      int  // streamed: rows of the ring of expanded rows; 0 when the depthwise reads the block's input whole
	fusesStem bool // streamed: the block computes its input rows from the image with the stem, into its ring
}

// strips computes the output rows [from, to) of a streamed block a strip at
// a time, in any precision: before each strip, fill computes the n input
// rows from row on that the strip reads and the ring lacks into the ring
// from slot on (over rows no strip reads any more; never, without a ring),
// then strip computes rows [y0, y1).
func (b *blockPlan) strips(from, to int, fill func(slot, row, n int), strip func(y0, y1 int)) {
	_, top := kernels.SamePad(b.H, 3, b.Stride)
	next := max(from*b.Stride-top, 0) // the next input row to fill
	for y0 := from; y0 < to; y0 += b.strip {
		y1 := min(y0+b.strip, to)
		if b.ring > 0 {
			end := min((y1-1)*b.Stride-top+2, b.H-1) + 1
			for next < end {
				slot := next % b.ring
				n := min(end-next, b.ring-slot)
				fill(slot, next, n)
				next += n
			}
		}
		strip(y0, y1)
	}
}

// minBandRows is the fewest input rows per thread for which a bottleneck
// streams in bands of rows; below it, the threads split the block by
// channels. In a band of a few rows, the rows its edges share with the
// next band are expanded twice, and every thread reads all of the block's
// weights, which is what limits the small late blocks. Split by channels,
// no work is done twice and each thread reads only its share of the
// weights, for one more wait between threads. On 2 threads at 1.0/224
// that is the three 7x7 blocks, each 3-9% faster so (about 20 us in all);
// the strided 14x14 block was 12% slower, and the 14x14 ones slower still.
// (Running the small late blocks layer by layer instead, their 1x1 layers
// split by channels, measured slower on 2 threads: medians 3.24-3.30
// against 3.00-3.09 ms at 1.0/224.)
const minBandRows = 4

// stripBytes is the budget of one thread's strip buffers: the expanded rows
// a strip reads and the strip's depthwise output. (A variable so that tests
// can force strips of one row.)
var stripBytes = 256 << 10

// newPlan plans a forward pass of a on the given threads, streamed unless
// layerwise, with activation values of valueBytes bytes.
func newPlan(a *Arch, threads int, layerwise bool, valueBytes int) *plan {
	p := &plan{Arch: a, threads: threads, valueBytes: valueBytes}
	for i, b := range a.Bottlenecks {
		bp := blockPlan{Bottleneck: b, schedule: layerByLayer}
		switch {
		case layerwise:
		case threads > 1 && b.H < threads*minBandRows && b.Expanded()%kernels.Tile == 0:
			bp.schedule = channelSplit
		default:
			bp.schedule = streamed
			perRow := valueBytes * (b.Stride*b.W + b.OutW) * b.Expanded()
			bp.strip = max(1, min(b.OutH, stripBytes/perRow))
			// The stem streams into the first block, unless that block
			// adds its input (never in MobileNetV2: the stem is twice as
			// wide as the block's output).
			bp.fusesStem = i == 0 && !b.Residual
			if b.T != 1 || bp.fusesStem {
				// What a strip's depthwise reads.
				bp.ring = min(b.H, (bp.strip-1)*b.Stride+3)
			}
		}
		p.blocks = append(p.blocks, bp)
	}
	return p
}

// buffers are the sizes, in values, of the activation buffers of a runner.
type buffers struct {
	input       int // res x res x 3: the normalised image
	xy          int // each of x and y: a block's input or output, or the stem's unless it streams
	e           int // the head's output, or a block's expanded tensor computed whole
	d           int // a block's depthwise output computed whole
	head        int // the average of each head channel
	classes     int // each of the logits and the probabilities
	ring, strip int // each thread's, for the streamed blocks
}

// buffers returns the sizes of the buffers that every step of p fits in.
func (p *plan) buffers() buffers {
	s := buffers{
		input:   p.Res * p.Res * 3,
		e:       p.HeadH * p.HeadH * p.Head,
		head:    p.Head,
		classes: p.Classes,
	}
	if !p.blocks[0].fusesStem {
		s.xy = p.StemH * p.StemH * p.Stem
	}
	for _, b := range p.blocks {
		s.xy = max(s.xy, b.OutH*b.OutW*b.Out)
		if b.schedule == streamed {
			s.ring = max(s.ring, b.ring*b.W*b.Expanded())
			s.strip = max(s.strip, b.strip*b.OutW*b.Expanded())
			continue
		}
		if b.T != 1 {
			s.e = max(s.e, b.H*b.W*b.Expanded())
		}
		s.d = max(s.d, b.OutH*b.OutW*b.Expanded())
	}
	return s
}
