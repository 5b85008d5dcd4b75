package model

import (
	"fmt"

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
