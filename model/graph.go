package model

import (
	"fmt"
	"slices"

	"github.com/mbv2/mbv2/kernels"
	"github.com/mbv2/mbv2/model/internal/tflite"
)

// graph walks the operators of a TFLite file in order, following the one
// activation tensor that flows through MobileNetV2.
type graph struct {
	tf  *tflite.Model
	i   int       // next operator
	cur int       // the current activation tensor
	buf []float32 // the weights of a layer read whole (stem, depthwise)

	arena *arena                     // where the weights stored as bytes are packed
	luts  [kernels.Tile][256]float32 // the values of the bytes of the last channels asked for
}

func (g *graph) peek(offset int) *tflite.Op {
	if g.i+offset < len(g.tf.Ops) {
		return &g.tf.Ops[g.i+offset]
	}
	return nil
}

func (g *graph) is(offset int, codes ...int32) bool {
	op := g.peek(offset)
	return op != nil && slices.Contains(codes, op.Code)
}

// take consumes the next operator, which must be one of codes and read the
// current tensor as its first input.
func (g *graph) take(what string, codes ...int32) (*tflite.Op, error) {
	op := g.peek(0)
	if op == nil {
		return nil, fmt.Errorf("graph ends where %s was expected", what)
	}
	if !slices.Contains(codes, op.Code) {
		return nil, fmt.Errorf("op %d: expected %s, found %s", g.i, what, op.Name)
	}
	if len(op.Inputs) == 0 || len(op.Outputs) != 1 || op.Inputs[0] != g.cur {
		return nil, fmt.Errorf("op %d (%s): does not read the output of the previous layer", g.i, op.Name)
	}
	g.i++
	g.cur = op.Outputs[0]
	return op, nil
}

func (g *graph) tensor(i int) *tflite.Tensor {
	if i < 0 || i >= len(g.tf.Tensors) {
		return nil
	}
	return &g.tf.Tensors[i]
}

// conv checks a CONV_2D, DEPTHWISE_CONV_2D or FULLY_CONNECTED operator and
// returns a reader of its weights (see tflite.Tensor.Reader), their shape, and
// its bias (zeros if absent; nil without an arena, as nothing is packed
// from it then).
func (g *graph) conv(op *tflite.Op, what string, k, stride, act int) (w func(dst []float32, from int), shape []int, bias []float32, err error) {
	at := fmt.Sprintf("op %d (%s, %s)", g.i-1, op.Name, what)
	if len(op.Inputs) < 2 || g.tensor(op.Inputs[1]) == nil {
		return nil, nil, nil, fmt.Errorf("%s: no weights", at)
	}
	wt := g.tensor(op.Inputs[1])
	shape = wt.Shape
	switch op.Code {
	case tflite.OpConv2D, tflite.OpDepthwiseConv2D:
		if len(shape) != 4 || shape[1] != k || shape[2] != k {
			return nil, nil, nil, fmt.Errorf("%s: expected %dx%d weights, found shape %v", at, k, k, shape)
		}
		if op.StrideH != stride || op.StrideW != stride {
			return nil, nil, nil, fmt.Errorf("%s: expected stride %d, found %dx%d", at, stride, op.StrideH, op.StrideW)
		}
		if k > 1 && op.Padding != 0 {
			return nil, nil, nil, fmt.Errorf("%s: expected SAME padding, found VALID", at)
		}
		if op.DilationH > 1 || op.DilationW > 1 {
			return nil, nil, nil, fmt.Errorf("%s: expected dilation 1, found %dx%d", at, op.DilationH, op.DilationW)
		}
	case tflite.OpFullyConnected:
		if len(shape) != 2 {
			return nil, nil, nil, fmt.Errorf("%s: expected [classes, channels] weights, found shape %v", at, shape)
		}
	}
	if op.Activation != act {
		return nil, nil, nil, fmt.Errorf("%s: expected activation %s, found %s", at, actName(act), actName(op.Activation))
	}
	if w, err = wt.Reader(); err != nil {
		return nil, nil, nil, fmt.Errorf("%s: weights: %w", at, err)
	}
	outs := shape[0]
	if op.Code == tflite.OpDepthwiseConv2D {
		outs = shape[3]
	}
	if g.arena != nil {
		bias = make([]float32, outs)
	}
	if len(op.Inputs) > 2 && op.Inputs[2] >= 0 {
		bt := g.tensor(op.Inputs[2])
		if bt == nil {
			return nil, nil, nil, fmt.Errorf("%s: bias tensor %d out of range", at, op.Inputs[2])
		}
		read, err := bt.Reader()
		if err != nil {
			return nil, nil, nil, fmt.Errorf("%s: bias: %w", at, err)
		}
		if n, _ := tflite.Elements(bt.Shape); n != outs {
			return nil, nil, nil, fmt.Errorf("%s: expected %d biases, found %d", at, outs, n)
		}
		if bias != nil { // only the float weights are packed from here
			read(bias, 0)
		}
	}
	return w, shape, bias, nil
}

// whole reads all the weights of shape into the graph's buffer, which the
// next call reuses.
func (g *graph) whole(w func(dst []float32, from int), shape []int) []float32 {
	n, _ := tflite.Elements(shape)
	if cap(g.buf) < n {
		g.buf = make([]float32, n)
	}
	w(g.buf[:n], 0)
	return g.buf[:n]
}

// pointwise packs the weights of op, a 1x1 convolution or the classifier,
// as it reads them, a tile of output channels at a time.
func (g *graph) pointwise(op *tflite.Op, w func(dst []float32, from int), bias []float32, cout, cin int) *kernels.PointwiseWeights {
	if lut := g.tables(op, 0); lut != nil {
		return kernels.PackPointwiseBytes(g.arena.alloc(kernels.PointwiseSize(cout, cin)), g.tensor(op.Inputs[1]).Data, lut, bias, cout, cin)
	}
	return kernels.PackPointwiseRows(bias, cout, cin, func(o int, dst []float32) { w(dst, o*cin) })
}

// depthwise packs the weights of op, a 3x3 depthwise convolution of c
// channels.
func (g *graph) depthwise(op *tflite.Op, w func(dst []float32, from int), shape []int, bias []float32, c int) *kernels.DepthwiseWeights {
	if lut := g.tables(op, 3); lut != nil {
		return kernels.PackDepthwiseBytes(g.arena.alloc(kernels.DepthwiseSize(c)), g.tensor(op.Inputs[1]).Data, lut, bias, c)
	}
	return kernels.PackDepthwise(g.whole(w, shape), bias, c)
}

// stem packs the weights of op, the first 3x3 convolution.
func (g *graph) stem(op *tflite.Op, w func(dst []float32, from int), shape []int, bias []float32) *kernels.StemWeights {
	if lut := g.tables(op, 0); lut != nil {
		return kernels.PackStemBytes(g.arena.alloc(kernels.StemSize(shape[0])), g.tensor(op.Inputs[1]).Data, lut, bias, shape[0])
	}
	return kernels.PackStem(g.whole(w, shape), bias, shape[0])
}

// tables returns, for weights of op that the file stores one byte each and
// quantizes per tensor or along dimension dim (their channels), a function
// giving the table of the 256 values of a channel's bytes, as the
// tensor's Reader dequantizes them; else nil, and the weights are read as
// floats. The packers use the tables of at most a tile of channels at once,
// so a ring of as many serves.
func (g *graph) tables(op *tflite.Op, dim int) func(ch int) *[256]float32 {
	t := g.tensor(op.Inputs[1])
	if t.Type != tflite.Uint8 && t.Type != tflite.Int8 || len(t.Scale) == 0 || len(t.Scale) > 1 && t.QuantDim != dim {
		return nil
	}
	fill := func(lut *[256]float32, c int) {
		s, zp := float64(t.Scale[c]), t.ZeroPoint[c]
		for q := range lut {
			v := int64(q)
			if t.Type == tflite.Int8 {
				v = int64(int8(q))
			}
			lut[q] = float32(s * float64(v-zp))
		}
	}
	if len(t.Scale) == 1 {
		fill(&g.luts[0], 0)
		return func(int) *[256]float32 { return &g.luts[0] }
	}
	return func(ch int) *[256]float32 {
		lut := &g.luts[ch%kernels.Tile]
		fill(lut, ch)
		return lut
	}
}

// packedSize returns the float32s that the weights of tf stored as bytes
// take once packed, layers that match fails on included: the size of the
// model's arena.
func packedSize(tf *tflite.Model) int {
	n := 0
	for _, op := range tf.Ops {
		if len(op.Inputs) < 2 || op.Inputs[1] < 0 || op.Inputs[1] >= len(tf.Tensors) {
			continue
		}
		t := &tf.Tensors[op.Inputs[1]]
		if t.Type != tflite.Uint8 && t.Type != tflite.Int8 || t.Data == nil {
			continue
		}
		s := t.Shape
		size := 0
		switch {
		case op.Code == tflite.OpDepthwiseConv2D && len(s) == 4:
			size = kernels.DepthwiseSize(s[3])
		case op.Code == tflite.OpConv2D && len(s) == 4 && s[1] == 3 && s[2] == 3:
			size = kernels.StemSize(s[0])
		case op.Code == tflite.OpConv2D && len(s) == 4:
			size = kernels.PointwiseSize(s[0], s[3])
		case op.Code == tflite.OpFullyConnected && len(s) == 2:
			size = kernels.PointwiseSize(s[0], s[1])
		}
		// The packed layout pads channels to a tile, at most 16 floats a
		// byte: past 1 GB, something is wrong and Go memory will do.
		if n += size + 16; n > 1<<28 {
			return 0
		}
	}
	return n
}

func actName(a int) string {
	switch a {
	case actNone:
		return "NONE"
	case actRelu:
		return "RELU"
	case actRelu6:
		return "RELU6"
	}
	return fmt.Sprintf("#%d", a)
}

const (
	actNone  = 0
	actRelu  = 1
	actRelu6 = 3
)
