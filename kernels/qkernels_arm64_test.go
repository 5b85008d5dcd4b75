//go:build !noasm

package kernels

import (
	"math/rand/v2"
	"testing"

	"github.com/klauspost/cpuid/v2"
)

// TestQPointwiseNEONPaths runs TestQPointwise and TestQStem (a GEMM) on each
// of the neon set's 1x1 kernels the CPU can run: the set takes the
// dot-product one where the CPU has it, so the widening one would go
// untested there otherwise.
func TestQPointwiseNEONPaths(t *testing.T) {
	hasDot := cpuid.CPU.Supports(cpuid.ASIMD, cpuid.ASIMDDP)
	for _, dot := range []bool{false, true} {
		t.Run(map[bool]string{false: "widen", true: "dot"}[dot], func(t *testing.T) {
			if dot && !hasDot {
				t.Skip("the CPU has no dot product")
			}
			prev := qneonDot
			qneonDot = dot
			t.Cleanup(func() { qneonDot = prev })
			TestQPointwise(t)
			TestQStem(t)
		})
	}
}

// TestQDepthwiseNEONTails covers every tail of the NEON depthwise kernel,
// 1 to 7 channels after the groups of 8 (TestQDepthwise has 5 and 1), on
// edge-only rows (w < 3) and runs of interior pixels.
func TestQDepthwiseNEONTails(t *testing.T) {
	set := neonSet(t)
	r := rand.New(rand.NewPCG(7, 7))
	for _, ch := range []int{1, 2, 3, 7, 10, 12, 15, 23} {
		for _, s := range [][2]int{{2, 2}, {5, 9}} {
			for _, stride := range []int{1, 2} {
				h, w := s[0], s[1]
				c := newQCase(r, 9*ch, ch, 9, ch%2 == 0)
				src := randomBytes(r, h*w*ch)
				want := refConv3x3(src, h, w, ch, ch, stride, &c, true)
				wt := PackQDepthwise(c.w, c.unsigned, c.wZero, c.bias, ch, c.inZero, c.out)
				oh := (h + stride - 1) / stride
				dst := make([]uint8, len(want)+1)
				dst[len(want)] = 0xa5
				set.qdepthwise(dst[:len(want)], src, h, w, stride, h, 0, oh, wt, 0, ch)
				if dst[len(want)] != 0xa5 {
					t.Fatalf("c %d: wrote past dst", ch)
				}
				for i := range want {
					if dst[i] != want[i] {
						t.Fatalf("h %d w %d c %d stride %d: [%d] = %d, want %d", h, w, ch, stride, i, dst[i], want[i])
					}
				}
			}
		}
	}
}

func neonSet(t *testing.T) *impl {
	for i := range impls {
		if impls[i].name == "neon" && impls[i].ok {
			return &impls[i]
		}
	}
	t.Skip("no neon set")
	return nil
}
