package model

import (
	"github.com/mbv2/mbv2/kernels"
	"github.com/mbv2/mbv2/model/internal/tflite"
)

// Precision is the arithmetic of a forward pass.
type Precision string

const (
	// Float32: weights dequantized at load, activations in float32.
	Float32 Precision = "float32"
	// Int8: TFLite's quantized arithmetic, 8-bit weights and activations
	// with the file's scales and zero points, int32 sums.
	Int8 Precision = "int8"
)

// quantized reports whether tf stores 8-bit weights: those of its first
// convolution.
func quantized(tf *tflite.Model) bool {
	for _, op := range tf.Ops {
		if op.Code == tflite.OpConv2D && len(op.Inputs) > 1 && op.Inputs[1] >= 0 && op.Inputs[1] < len(tf.Tensors) {
			t := tf.Tensors[op.Inputs[1]].Type
			return t == tflite.Uint8 || t == tflite.Int8
		}
	}
	return false
}

// int8Buffers are the 8-bit activations of an integer forward pass.
type int8Buffers struct {
	x, y   []uint8 // a bottleneck's input and output (the stem's output first)
	e      []uint8 // expanded activations; the head's output
	d      []uint8 // depthwise output
	pooled []uint8 // [head]
	logits []uint8 // [classes]
	probs  []uint8 // [classes]
}

func newInt8Buffers(a *Arch) *int8Buffers {
	xy := a.StemH * a.StemH * a.Stem
	e, d := a.HeadH*a.HeadH*a.Head, 0
	for _, b := range a.Bottlenecks {
		xy = max(xy, b.OutH*b.OutW*b.Out)
		e = max(e, b.H*b.W*b.Expanded())
		d = max(d, b.OutH*b.OutW*b.Expanded())
	}
	return &int8Buffers{
		x: make([]uint8, xy), y: make([]uint8, xy),
		e: make([]uint8, e), d: make([]uint8, d),
		pooled: make([]uint8, a.Head),
		logits: make([]uint8, a.Classes), probs: make([]uint8, a.Classes),
	}
}

// forwardInt8 is Forward in integer arithmetic: rgb's bytes are the 8-bit
// input as they are (MobileNetV2 files quantize the image with scale ~1/128
// and zero point 127 or 128), and the probabilities are the exact values
// of the 8-bit output, (q - zero point) * scale.
func (r *Runner) forwardInt8(rgb []byte) []float32 {
	a, q, buf := r.arch, r.m.q, r.q
	r.start()
	kernels.QStem(buf.x, rgb, a.Res, a.Res, 0, a.StemH, q.stem)
	r.lap()
	x, y := buf.x, buf.y
	for i, b := range a.Bottlenecks {
		w := &q.blocks[i]
		in := x
		if b.T != 1 {
			kernels.QPointwise(buf.e, x, b.H*b.W, w.expand, 0, b.Expanded())
			r.lap()
			in = buf.e
		}
		kernels.QDepthwise(buf.d, in, b.H, b.W, b.Stride, b.H, 0, b.OutH, w.depthwise, 0, b.Expanded())
		r.lap()
		n := b.OutH * b.OutW * b.Out
		kernels.QPointwise(y, buf.d, b.OutH*b.OutW, w.project, 0, b.Out)
		if w.add != nil {
			kernels.QAddTensors(y[:n], y, x, w.add)
		}
		r.lap()
		x, y = y, x
	}
	hw := a.HeadH * a.HeadH
	kernels.QPointwise(buf.e, x, hw, q.head, 0, a.Head)
	r.lap()
	q.pool.run(buf.pooled, buf.e, hw, a.Head)
	r.lap()
	kernels.QPointwise(buf.logits, buf.pooled, 1, q.classifier, 0, a.Classes)
	r.lap()
	q.softmax.Softmax(buf.probs, buf.logits)
	for i, v := range buf.probs {
		r.probs[i] = float32(int32(v)-q.out.zero) * q.out.scale
	}
	for i, v := range buf.logits {
		r.logits[i] = float32(int32(v)-q.logits.zero) * q.logits.scale
	}
	r.lap()
	return r.probs
}

// run averages src ([pixels][c]) per channel into dst, as TFLite's
// AVERAGE_POOL_2D (the average rounded half up for uint8, half away from
// zero for int8) or MEAN over the height and width.
func (p *qpool) run(dst, src []uint8, pixels, c int) {
	n := int32(pixels)
	for ch := range c {
		var acc int32
		for i := range pixels {
			acc += int32(src[i*c+ch])
		}
		var v int32
		switch {
		case !p.mean && !p.signed:
			v = (acc + n/2) / n
		case !p.mean:
			// The int8 values q = u - 128.
			s := acc - 128*n
			if s > 0 {
				v = (s+n/2)/n + 128
			} else {
				v = (s-n/2)/n + 128
			}
		case p.signed:
			s := kernels.MultiplyByQuantizedMultiplier(acc-p.inZero*n, p.mult, p.shift)
			if s > 0 {
				s = (s + n/2) / n
			} else {
				s = (s - n/2) / n
			}
			v = s + p.outZero
		default:
			v = kernels.MultiplyByQuantizedMultiplier(acc, p.mult, p.shift) + p.bias
		}
		dst[ch] = uint8(min(max(v, 0), 255))
	}
}
