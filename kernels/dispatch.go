package kernels

import (
	"fmt"
	"runtime"
	"strings"
)

// impl is one kernel set: a driver per op, each with the signature and the
// parameter names of the exported kernel it backs (see ops.go), which has
// checked the arguments. Layer kernels take an output-row range [y0, y1)
// (or, for pointwise, a run of pixels) and a channel range [c0, c1), c0 a
// multiple of Tile, so that a caller can split a layer across threads;
// every output value is computed the same way whatever the split, so
// results do not depend on the thread count.
type impl struct {
	name string
	ok   bool // the CPU has every feature the set's code uses

	// pointwise: dst[p][o] = clamp(bias[o] + sum_i src[p][i]*w[o][i], lo, hi) + residual[p][o],
	// for p < pixels and c0 <= o < c1; a nil residual means none.
	pointwise func(dst, src []float32, pixels int, wt *PointwiseWeights, residual []float32, c0, c1 int, lo, hi float32)
	// depthwise: 3x3, TF SAME padding, input h x w x C in a ring of rows
	// rows, output rows y0..y1-1 from the start of dst.
	depthwise func(dst, src []float32, h, w, stride, rows, y0, y1 int, wt *DepthwiseWeights, c0, c1 int, lo, hi float32)
	// stem: 3x3 stride 2, TF SAME padding, input h x w x 3, output rows y0..y1-1.
	stem func(dst, src []float32, h, w, y0, y1 int, wt *StemWeights, lo, hi float32)

	// The 8-bit kernels (qops.go); a set without its own takes generic's.
	qpointwise func(dst, src []uint8, pixels int, w *QPointwiseWeights, c0, c1 int)
	qdepthwise func(dst, src []uint8, h, w, stride, rows, y0, y1 int, wt *QDepthwiseWeights, c0, c1 int)
	qstem      func(dst, src []uint8, h, w, y0, y1 int, wt *QStemWeights)
	qadd       func(dst, a, b []uint8, p *QAdd)

	// The photo path's kernels: the JPEG decoder's inverse DCT (idct.go),
	// the conversion of its pixels to RGBA (ycbcr.go) and the resize's two
	// passes (resample.go); likewise.
	idct        func(out *[8][8]byte, coef *[64]int32, across, down *[8][8]float32, sw, sh int)
	addScaled   func(acc []int32, src []byte, c int32)
	resampleRow func(out, src []byte, bounds []int, coef []int32, ksize int)
	ycbcr       func(dst, y, cb, cr []byte)
}

var generic = impl{
	name:      "generic",
	ok:        true,
	pointwise: pointwiseGeneric,
	depthwise: depthwiseGeneric,
	stem:      stemGeneric,

	qpointwise: qpointwiseGeneric,
	qdepthwise: qdepthwiseGeneric,
	qstem:      qstemGeneric,
	qadd:       qaddGeneric,

	idct:        idctGeneric,
	addScaled:   addScaledGeneric,
	resampleRow: resampleRowGeneric,
	ycbcr:       ycbcrGeneric,
}

// impls lists every kernel set built into this binary, slowest first; the
// architecture files add theirs.
var impls = withGeneric(append([]impl{generic}, archImpls...))

// withGeneric fills the kernels a set lacks with generic's.
func withGeneric(sets []impl) []impl {
	for i := range sets {
		s := &sets[i]
		if s.qpointwise == nil {
			s.qpointwise = generic.qpointwise
		}
		if s.qdepthwise == nil {
			s.qdepthwise = generic.qdepthwise
		}
		if s.qstem == nil {
			s.qstem = generic.qstem
		}
		if s.qadd == nil {
			s.qadd = generic.qadd
		}
		if s.idct == nil {
			s.idct = generic.idct
		}
		if s.addScaled == nil {
			s.addScaled = generic.addScaled
		}
		if s.resampleRow == nil {
			s.resampleRow = generic.resampleRow
		}
		if s.ycbcr == nil {
			s.ycbcr = generic.ycbcr
		}
	}
	return sets
}

// active is the kernel set in use: the last one the CPU supports.
var active = best()

func best() *impl {
	for i := len(impls) - 1; i >= 0; i-- {
		if impls[i].ok {
			return &impls[i]
		}
	}
	return &impls[0]
}

// Name returns the name of the kernel set in use.
func Name() string { return active.name }

// Sets returns the names of the kernel sets this CPU can run, slowest first.
func Sets() []string {
	var s []string
	for _, im := range impls {
		if im.ok {
			s = append(s, im.name)
		}
	}
	return s
}

// Names returns the names of every kernel set built into this binary.
func Names() []string {
	var s []string
	for _, im := range impls {
		s = append(s, im.name)
	}
	return s
}

// Use selects a kernel set by name; "auto" or "" picks the fastest the CPU
// supports. It is meant to be called once, before any inference.
func Use(name string) error {
	if name == "" || name == "auto" {
		active = best()
		return nil
	}
	var known []string
	for i := range impls {
		known = append(known, impls[i].name)
		if impls[i].name != name {
			continue
		}
		if !impls[i].ok {
			return fmt.Errorf("kernel set %q is not supported by this CPU (it supports: %s)", name, strings.Join(Sets(), ", "))
		}
		active = &impls[i]
		return nil
	}
	switch name {
	case "avx2", "avxvnni", "avx512", "avx512vnni", "neon":
		return fmt.Errorf("kernel set %q is not built into this binary (%s, built with: %s)", name, runtime.GOARCH, strings.Join(known, ", "))
	}
	return fmt.Errorf("unknown kernel set %q (known: auto, %s)", name, strings.Join(known, ", "))
}
