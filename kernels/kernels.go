// Package kernels holds the arithmetic of MobileNetV2: pure functions over
// NHWC float32 slices (batch 1), with weights packed once into the layout the
// kernels stream; and, under the same rules, the inverse DCT of the JPEG
// decoder, a function of one block. It knows nothing of images, files or the
// network's graph.
//
// Every exported kernel calls through one dispatch table, set once at start-up
// to the fastest implementation the CPU supports; the pure-Go implementation
// is always built and is the reference for the others.
//
// The assembly microkernels share one contract per op, whatever the
// architecture: the family name says what they compute and the suffix the
// instruction set (gemm6x16AVX2, dwconv3x3s1AVX512, conv3x3s2c3NEON); the
// arguments are pointers, then sizes, then the clamp lo, hi; a nil
// residual means none; the channels to store are a count (cn; the stem's
// last tile, cout modulo 16), from which each kernel makes its own mask; and
// TF SAME padding is a bitmask, inside, of the input rows (or taps) inside
// the image, the others pointed by the caller at the centre row (or tap),
// which always is.
package kernels

import "math"

// Clamps for the fused activation: ReLU6 after expand, depthwise, stem and
// head; none after the linear projection and the classifier.
const (
	ReLU6Min float32 = 0
	ReLU6Max float32 = 6
)

var (
	LinearMin = float32(math.Inf(-1))
	LinearMax = float32(math.Inf(1))
)

// Tile is the number of output channels in one tile of packed pointwise and
// stem weights, and the channel padding of packed depthwise weights: two AVX2
// vectors, one AVX-512 vector, four NEON vectors.
const Tile = 16

func roundUp(n, m int) int { return (n + m - 1) / m * m }

// SamePad returns the output size and the leading padding of TF SAME padding
// along one axis of size in, for kernel size k and stride s. The odd pixel of
// padding goes to the bottom/right.
func SamePad(in, k, s int) (out, before int) {
	out = (in + s - 1) / s
	total := max((out-1)*s+k-in, 0)
	return out, total / 2
}
