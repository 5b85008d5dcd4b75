//go:build !noasm

package kernels

import (
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
