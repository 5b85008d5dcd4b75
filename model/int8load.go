package model

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/mbv2/mbv2/kernels"
	"github.com/mbv2/mbv2/model/internal/tflite"
)

// int8Net is a quantized file's network in integer form, as TFLite runs
// it: 8-bit activations with the scales and zero points of the file, int32
// sums, fixed-point requantization. Every 8-bit value is carried unsigned
// (an int8 tensor as q+128, see kernels.Requant).
type int8Net struct {
	stem       *kernels.QStemWeights
	blocks     []int8Block
	head       *kernels.QPointwiseWeights
	pool       qpool
	classifier *kernels.QPointwiseWeights
	logits     qparam // the classifier's output
	softmax    kernels.QSoftmax
	out        qparam // the network's output: probabilities (q-zero)*scale
}

type int8Block struct {
	expand    *kernels.QPointwiseWeights // nil when t == 1
	depthwise *kernels.QDepthwiseWeights
	project   *kernels.QPointwiseWeights
	add       *kernels.QAdd // the shortcut; nil without
}

// qpool is the global average pool: AVERAGE_POOL_2D, which keeps the
// input's quantization, or MEAN, which requantizes.
type qpool struct {
	mean   bool
	signed bool  // the tensors are int8: rounding and the mean's formula differ
	inZero int32 // u8 domain
	// MEAN: the multiplier of in scale / out scale (int8) or of
	// in scale / (pixels * out scale) (uint8), the output zero point and
	// the uint8 formula's bias.
	mult, shift, outZero, bias int32
}

// qparam is the quantization of an activation tensor: real = scale*(q-zero),
// zero in the u8 domain (q+128 for int8).
type qparam struct {
	scale  float32
	zero   int32
	signed bool
}

func activationQuant(t *tflite.Tensor) (qparam, error) {
	if t.Type != tflite.Uint8 && t.Type != tflite.Int8 {
		return qparam{}, fmt.Errorf("tensor %q: type %s, want UINT8 or INT8", t.Name, t.Type)
	}
	if len(t.Scale) != 1 || len(t.ZeroPoint) != 1 || !(t.Scale[0] > 0) {
		return qparam{}, fmt.Errorf("tensor %q: want one quantization scale and zero point", t.Name)
	}
	q := qparam{scale: t.Scale[0], zero: int32(t.ZeroPoint[0]), signed: t.Type == tflite.Int8}
	if q.signed {
		q.zero += 128
	}
	if q.zero < 0 || q.zero > 255 {
		return qparam{}, fmt.Errorf("tensor %q: zero point %d out of range for %s", t.Name, t.ZeroPoint[0], t.Type)
	}
	return q, nil
}

// clamp is TFLite's CalculateActivationRangeQuantized: the fused
// activation's bounds quantized (rounded in float32), within 0..255.
func (q qparam) clamp(act int) (lo, hi int32) {
	quant := func(x float32) int32 { return q.zero + int32(math.Round(float64(x/q.scale))) }
	switch act {
	case actRelu:
		return max(0, quant(0)), 255
	case actRelu6:
		return max(0, quant(0)), min(255, quant(6))
	}
	return 0, 255
}

// qconv is what a quantized CONV_2D, DEPTHWISE_CONV_2D or FULLY_CONNECTED
// operator holds: its tensors' quantization, raw weights and bias.
type qconv struct {
	in       qparam
	w        []byte
	unsigned bool
	wZero    []int32 // one, or per output channel
	bias     []int32
	out      kernels.Requant
}

// quantConv reads op, whose weights have outs output channels along
// dimension dim of their shape. The bias and multipliers are in tmp,
// which holds 3*outs int32s and which the packers read before the next
// call: a load then leaves no garbage of them.
func quantConv(tf *tflite.Model, op *tflite.Op, outs, dim int, tmp []int32) (*qconv, error) {
	tensor := func(i int) *tflite.Tensor {
		if i < 0 || i >= len(tf.Tensors) {
			return nil
		}
		return &tf.Tensors[i]
	}
	in, wt, out := tensor(op.Inputs[0]), tensor(op.Inputs[1]), tensor(op.Outputs[0])
	if in == nil || wt == nil || out == nil {
		return nil, fmt.Errorf("tensor index out of range")
	}
	c := &qconv{w: wt.Data, unsigned: wt.Type == tflite.Uint8}
	var err error
	if c.in, err = activationQuant(in); err != nil {
		return nil, err
	}
	o, err := activationQuant(out)
	if err != nil {
		return nil, err
	}
	if wt.Type != tflite.Uint8 && wt.Type != tflite.Int8 {
		return nil, fmt.Errorf("weights %q: type %s, want UINT8 or INT8", wt.Name, wt.Type)
	}
	if _, err := wt.Reader(); err != nil { // checks shape, data and quantization
		return nil, err
	}
	if n := len(wt.Scale); n != 1 && (n != outs || wt.QuantDim != dim) {
		return nil, fmt.Errorf("weights %q: %d scales along dimension %d, want 1 or %d along %d", wt.Name, n, wt.QuantDim, outs, dim)
	}
	lo, hi := int64(-128), int64(127)
	if c.unsigned {
		lo, hi = 0, 255
	}
	for _, z := range wt.ZeroPoint {
		if z < lo || z > hi || len(wt.ZeroPoint) > 1 && z != 0 {
			return nil, fmt.Errorf("weights %q: zero point %d; per-channel weights must be symmetric", wt.Name, z)
		}
		c.wZero = append(c.wZero, int32(z))
	}
	c.bias = tmp[:outs]
	clear(c.bias)
	if len(op.Inputs) > 2 && op.Inputs[2] >= 0 {
		bt := tensor(op.Inputs[2])
		if bt == nil || bt.Type != tflite.Int32 || bt.Data == nil || len(bt.Data) != 4*outs {
			return nil, fmt.Errorf("bias: want %d constant INT32 values", outs)
		}
		for i := range c.bias {
			c.bias[i] = int32(binary.LittleEndian.Uint32(bt.Data[4*i:]))
		}
	}
	// TFLite's multipliers: for int8 convolutions the product of the
	// scales in float64, else (uint8, fully connected) in float32.
	double := c.in.signed && op.Code != tflite.OpFullyConnected
	c.out = kernels.Requant{Mult: tmp[outs : 2*outs], Shift: tmp[2*outs : 3*outs], Zero: o.zero}
	c.out.Lo, c.out.Hi = o.clamp(op.Activation)
	for i := range outs {
		s := wt.Scale[min(i, len(wt.Scale)-1)]
		real := float64(c.in.scale*s) / float64(o.scale)
		if double {
			real = float64(c.in.scale) * float64(s) / float64(o.scale)
		}
		c.out.Mult[i], c.out.Shift[i] = kernels.QuantizeMultiplier(real)
	}
	return c, nil
}

// quantize builds the integer form of m's file, whose operators match has
// checked: the same walk, reading the 8-bit tensors as they are.
func quantize(tf *tflite.Model, m *Model) (*int8Net, error) {
	a, err := NewArch(m.Config)
	if err != nil {
		return nil, err
	}
	// The weights and tables of the 1x1 and depthwise layers, all but a
	// few kB of what the pass keeps, go in one arena.
	bytes := kernels.QPointwiseSize(a.Head, a.Bottlenecks[len(a.Bottlenecks)-1].Out) +
		kernels.QPointwiseSize(m.Classes, a.Head)
	for _, b := range a.Bottlenecks {
		bytes += kernels.QPointwiseSize(b.Expanded(), b.In) + kernels.QDepthwiseSize(b.Expanded()) +
			kernels.QPointwiseSize(b.Out, b.Expanded())
	}
	mem := newArena((bytes + 3) / 4)
	q, err := quantizeIn(tf, m, a, kernels.NewMem(mem.bytes(bytes)))
	if err != nil {
		mem.release()
		return nil, err
	}
	keep(mem, m)
	return q, nil
}

// quantizeIn is quantize with the memory of the 1x1 and depthwise layers.
func quantizeIn(tf *tflite.Model, m *Model, a *Arch, mem *kernels.Mem) (*int8Net, error) {
	pointwise := func(c *qconv, cout, cin int) *kernels.QPointwiseWeights {
		return kernels.PackQPointwiseIn(mem, c.w, c.unsigned, c.wZero[0], c.bias, cout, cin, c.in.zero, c.out)
	}
	q := &int8Net{}
	most := max(a.Stem, a.Head, m.Classes) // output channels of a layer, at most
	for _, b := range a.Bottlenecks {
		most = max(most, b.Expanded(), b.Out)
	}
	tmp := make([]int32, 3*most)
	i := 0
	next := func() *tflite.Op {
		op := &tf.Ops[i]
		i++
		return op
	}
	tensor := func(t int) *tflite.Tensor { return &tf.Tensors[t] }
	// QUANTIZE between uint8 and int8 at the same scale is the identity on
	// u8-domain values; any other is not supported.
	identity := func(op *tflite.Op) error {
		if op.Code == tflite.OpDequantize {
			return fmt.Errorf("op %d: DEQUANTIZE: the graph computes in float", i-1)
		}
		x, err1 := activationQuant(tensor(op.Inputs[0]))
		y, err2 := activationQuant(tensor(op.Outputs[0]))
		if err := cmpErr(err1, err2); err != nil {
			return fmt.Errorf("op %d: QUANTIZE: %w", i-1, err)
		}
		if x.scale != y.scale || x.zero != y.zero {
			return fmt.Errorf("op %d: QUANTIZE rescales (scale %g zero %d to %g zero %d); only a change of type is supported", i-1, x.scale, x.zero, y.scale, y.zero)
		}
		return nil
	}
	at := func(what string, err error) error { return fmt.Errorf("op %d (%s): %w", i-1, what, err) }
	for tf.Ops[i].Code == tflite.OpQuantize || tf.Ops[i].Code == tflite.OpDequantize {
		if err := identity(next()); err != nil {
			return nil, err
		}
	}
	c, err := quantConv(tf, next(), a.Stem, 0, tmp)
	if err != nil {
		return nil, at("stem", err)
	}
	q.stem = kernels.PackQStem(c.w, c.unsigned, c.wZero, c.bias, a.Stem, c.in.zero, c.out)
	for bi, b := range a.Bottlenecks {
		var qb int8Block
		blockIn := tf.Ops[i].Inputs[0]
		e := b.Expanded()
		if b.T != 1 {
			c, err := quantConv(tf, next(), e, 0, tmp)
			if err != nil {
				return nil, at(fmt.Sprintf("b%d expand", bi), err)
			}
			qb.expand = pointwise(c, e, b.In)
		}
		c, err := quantConv(tf, next(), e, 3, tmp)
		if err != nil {
			return nil, at(fmt.Sprintf("b%d depthwise", bi), err)
		}
		qb.depthwise = kernels.PackQDepthwiseIn(mem, c.w, c.unsigned, c.wZero, c.bias, e, c.in.zero, c.out)
		op := next()
		if c, err = quantConv(tf, op, b.Out, 0, tmp); err != nil {
			return nil, at(fmt.Sprintf("b%d project", bi), err)
		}
		qb.project = pointwise(c, b.Out, e)
		if b.Residual {
			op := next()
			proj, shortcut := op.Inputs[0], op.Inputs[1]
			if proj == blockIn {
				proj, shortcut = shortcut, proj
			}
			x, err1 := activationQuant(tensor(proj))
			y, err2 := activationQuant(tensor(shortcut))
			o, err3 := activationQuant(tensor(op.Outputs[0]))
			if err := cmpErr(err1, err2, err3); err != nil {
				return nil, at(fmt.Sprintf("b%d add", bi), err)
			}
			lo, hi := o.clamp(op.Activation)
			add := kernels.NewQAdd(x.scale, x.zero, y.scale, y.zero, o.scale, o.zero, lo, hi)
			qb.add = &add
		}
		q.blocks = append(q.blocks, qb)
	}
	if c, err = quantConv(tf, next(), a.Head, 0, tmp); err != nil {
		return nil, at("head", err)
	}
	q.head = pointwise(c, a.Head, a.Bottlenecks[len(a.Bottlenecks)-1].Out)

	op := next()
	x, err1 := activationQuant(tensor(op.Inputs[0]))
	y, err2 := activationQuant(tensor(op.Outputs[0]))
	if err := cmpErr(err1, err2); err != nil {
		return nil, at("pool", err)
	}
	q.pool = qpool{mean: op.Code == tflite.OpMean, signed: x.signed, inZero: x.zero, outZero: y.zero}
	pixels := float32(a.HeadH * a.HeadH)
	switch {
	case !q.pool.mean && (x.scale != y.scale || x.zero != y.zero):
		return nil, at("AVERAGE_POOL_2D", fmt.Errorf("input and output quantization differ"))
	case q.pool.mean && x.signed:
		q.pool.mult, q.pool.shift = kernels.QuantizeMultiplier(float64(x.scale) / float64(y.scale))
	case q.pool.mean:
		q.pool.mult, q.pool.shift = kernels.QuantizeMultiplier(float64(x.scale / (pixels * y.scale)))
		q.pool.bias = y.zero - int32(float32(x.zero)*x.scale/y.scale)
	}
	for tf.Ops[i].Code == tflite.OpReshape {
		i++
	}
	op = next()
	if c, err = quantConv(tf, op, m.Classes, 0, tmp); err != nil {
		return nil, at("classifier", err)
	}
	q.classifier = pointwise(c, m.Classes, a.Head)
	if q.logits, err = activationQuant(tensor(op.Outputs[0])); err != nil {
		return nil, at("classifier", err)
	}
	for tf.Ops[i].Code == tflite.OpReshape {
		i++
	}
	op = next() // SOFTMAX
	if q.out, err = activationQuant(tensor(op.Outputs[0])); err != nil {
		return nil, at("SOFTMAX", err)
	}
	if q.out.scale != 1.0/256 || q.out.zero != 0 {
		return nil, at("SOFTMAX", fmt.Errorf("output scale %g zero point %d, want 1/256 and 0 (-128 for int8)", q.out.scale, q.out.zero))
	}
	q.softmax = kernels.NewQSoftmax(op.Beta, q.logits.scale)
	for i < len(tf.Ops) {
		if err := identity(next()); err != nil {
			return nil, err
		}
	}
	return q, nil
}

func cmpErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
