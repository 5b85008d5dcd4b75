package model

import (
	"fmt"
	"strings"

	"github.com/mbv2/mbv2/model/internal/tflite"
)

// Load reads a MobileNetV2 from the bytes of a TFLite file: it checks that
// the graph is the network of the paper, infers width, resolution and class
// count from the tensors, dequantizes the weights to float32 and packs them
// for the kernels. Labels come from the zip archive appended to the file,
// if any.
func Load(data []byte) (*Model, error) { return LoadAs(data, Float32) }

// LoadAs is Load at precision p: Int8 runs a quantized file in integer
// arithmetic as TFLite does, its 8-bit weights packed as they are (see
// int8Net); Float32 dequantizes them; "" picks Int8 for a quantized file,
// Float32 for any other.
func LoadAs(data []byte, p Precision) (*Model, error) { return LoadSized(data, p, nil) }

// LoadSized is LoadAs that, as soon as the file shows the input resolution
// and before the weights are packed, calls sized with it (if not nil), so
// that a caller can resize an image meanwhile.
func LoadSized(data []byte, p Precision, sized func(res int)) (*Model, error) {
	if sized != nil {
		if res, err := InputSize(data); err == nil {
			sized(res)
		}
	}
	tf, err := tflite.Parse(data)
	if err != nil {
		return nil, err
	}
	if p == "" {
		p = Float32
		if quantized(tf) {
			p = Int8
		}
	}
	if p != Float32 && p != Int8 {
		return nil, fmt.Errorf("unknown precision %q (known: float32, int8)", p)
	}
	// The float weights live in an arena; the int8 pass packs its own.
	var a *arena
	if p == Float32 {
		a = newArena(packedSize(tf))
	}
	m, err := match(tf, a)
	if err != nil {
		a.release()
		return nil, fmt.Errorf("not a MobileNetV2 this program can run: %w", err)
	}
	m.Precision = p
	if p == Int8 {
		if !quantized(tf) {
			return nil, fmt.Errorf("%w; this one stores %s weights", ErrNotQuantized, m.Weights)
		}
		if m.q, err = quantize(tf, m); err != nil {
			return nil, fmt.Errorf("cannot run this model in int8: %w", err)
		}
	}
	keep(a, m)
	if labels, err := tflite.Labels(data); err == nil && len(labels) == m.Classes {
		m.Labels = labels
	}
	return m, nil
}

// SetLabels names the classes from the text of a label file, one label a
// line, as the files appended to models hold them; see Load.
func (m *Model) SetLabels(text []byte) error {
	labels := tflite.ParseLabels(text)
	if len(labels) != m.Classes {
		return fmt.Errorf("%d labels for a model with %d classes", len(labels), m.Classes)
	}
	m.Labels = labels
	return nil
}

// InputSize returns the input resolution of the MobileNetV2 in a TFLite
// file's bytes, reading no more of it than that; Load checks the rest.
func InputSize(data []byte) (int, error) {
	s, err := tflite.InputShape(data)
	if err != nil {
		return 0, err
	}
	if len(s) != 4 || s[0] != 1 || s[3] != 3 || s[1] != s[2] || s[1] < 1 {
		return 0, fmt.Errorf("expected a [1,N,N,3] input, found %v", s)
	}
	// Checked here as Load does, so that no image is resized to a
	// resolution the model is then refused for.
	if err := checkRes(s[1]); err != nil {
		return 0, err
	}
	return s[1], nil
}

// match recognises MobileNetV2 in the operators of tf and builds the model,
// its float weights packed into a, or only its layout when a is nil.
func match(tf *tflite.Model, a *arena) (*Model, error) {
	if len(tf.Inputs) != 1 || len(tf.Outputs) != 1 {
		return nil, fmt.Errorf("expected 1 input and 1 output, found %d and %d", len(tf.Inputs), len(tf.Outputs))
	}
	g := &graph{tf: tf, cur: tf.Inputs[0], arena: a}
	in := g.tensor(g.cur)
	if in == nil || len(in.Shape) != 4 || in.Shape[0] != 1 || in.Shape[3] != 3 || in.Shape[1] != in.Shape[2] {
		var s []int
		if in != nil {
			s = in.Shape
		}
		return nil, fmt.Errorf("expected a [1,N,N,3] input, found %v", s)
	}
	m := &Model{}
	m.Res = in.Shape[1]
	if err := inputNormalisation(m, in); err != nil {
		return nil, err
	}
	for g.is(0, tflite.OpQuantize, tflite.OpDequantize) {
		g.take("QUANTIZE", tflite.OpQuantize, tflite.OpDequantize)
	}

	// Stem.
	op, err := g.take("the 3x3 stem CONV_2D", tflite.OpConv2D)
	if err != nil {
		return nil, err
	}
	w, shape, b, err := g.conv(op, "stem", 3, 2, actRelu6)
	if err != nil {
		return nil, err
	}
	if shape[3] != 3 {
		return nil, fmt.Errorf("stem: expected 3 input channels, found %d", shape[3])
	}
	if a != nil {
		m.stem = g.stem(op, w, shape, b)
	}
	m.Weights = storage(g.tensor(op.Inputs[1]))
	stem := shape[0]

	// Bottlenecks: [expand] depthwise project [add], until the head.
	var found []Bottleneck
	c := stem
	for g.is(0, tflite.OpDepthwiseConv2D) || g.is(0, tflite.OpConv2D) && g.is(1, tflite.OpDepthwiseConv2D) {
		i := len(found)
		if i == 17 {
			return nil, fmt.Errorf("more than 17 bottlenecks")
		}
		blockIn := g.cur
		bn := Bottleneck{T: 1, In: c}
		var bw bottleneckWeights
		e := c
		if g.is(0, tflite.OpConv2D) {
			op, _ := g.take("expand", tflite.OpConv2D)
			w, shape, b, err := g.conv(op, fmt.Sprintf("b%d expand", i), 1, 1, actRelu6)
			if err != nil {
				return nil, err
			}
			if shape[3] != c || shape[0]%c != 0 {
				return nil, fmt.Errorf("b%d expand: expected %d input channels expanded by an integer factor, found weights %v", i, c, shape)
			}
			e, bn.T = shape[0], shape[0]/c
			if a != nil {
				bw.expand = g.pointwise(op, w, b, shape[0], shape[3])
			}
		}
		op, _ := g.take("depthwise", tflite.OpDepthwiseConv2D)
		stride := op.StrideH
		w, shape, b, err := g.conv(op, fmt.Sprintf("b%d depthwise", i), 3, stride, actRelu6)
		if err != nil {
			return nil, err
		}
		if stride != 1 && stride != 2 || shape[0] != 1 || shape[3] != e || op.DepthMultiplier > 1 {
			return nil, fmt.Errorf("b%d depthwise: expected [1,3,3,%d] weights, stride 1 or 2, depth multiplier 1; found %v, stride %d, multiplier %d", i, e, shape, stride, op.DepthMultiplier)
		}
		bn.Stride = stride
		if a != nil {
			bw.depthwise = g.depthwise(op, w, shape, b, e)
		}
		op, err = g.take("the 1x1 projection CONV_2D", tflite.OpConv2D)
		if err != nil {
			return nil, err
		}
		w, shape, b, err = g.conv(op, fmt.Sprintf("b%d project", i), 1, 1, actNone)
		if err != nil {
			return nil, err
		}
		if shape[3] != e {
			return nil, fmt.Errorf("b%d project: expected %d input channels, found %d", i, e, shape[3])
		}
		bn.Out = shape[0]
		if a != nil {
			bw.project = g.pointwise(op, w, b, shape[0], e)
		}
		if g.is(0, tflite.OpAdd) {
			op := g.peek(0)
			if len(op.Inputs) != 2 || len(op.Outputs) != 1 || !(op.Inputs[0] == g.cur && op.Inputs[1] == blockIn || op.Inputs[1] == g.cur && op.Inputs[0] == blockIn) {
				return nil, fmt.Errorf("op %d (ADD): expected the shortcut add of b%d's input and projection", g.i, i)
			}
			if op.Activation != actNone {
				return nil, fmt.Errorf("op %d (ADD): expected no activation, found %s", g.i, actName(op.Activation))
			}
			g.i++
			g.cur = op.Outputs[0]
			bn.Residual = true
		}
		found = append(found, bn)
		m.bottlenecks = append(m.bottlenecks, bw)
		c = bn.Out
	}

	// The last 1x1 conv.
	op, err = g.take("the next bottleneck or the last 1x1 CONV_2D", tflite.OpConv2D)
	if err != nil {
		return nil, err
	}
	w, shape, b, err = g.conv(op, "head", 1, 1, actRelu6)
	if err != nil {
		return nil, err
	}
	if shape[3] != c {
		return nil, fmt.Errorf("head: expected %d input channels, found %d", c, shape[3])
	}
	if a != nil {
		m.head = g.pointwise(op, w, b, shape[0], c)
	}
	head := shape[0]

	// Global average pool.
	op, err = g.take("AVERAGE_POOL_2D or MEAN", tflite.OpAveragePool2D, tflite.OpMean)
	if err != nil {
		return nil, err
	}
	if op.Code == tflite.OpAveragePool2D && op.Padding != 1 {
		return nil, fmt.Errorf("op %d (AVERAGE_POOL_2D): expected VALID padding", g.i-1)
	}
	for g.is(0, tflite.OpReshape) {
		g.take("RESHAPE", tflite.OpReshape)
	}

	// Classifier: a 1x1 conv or a fully connected layer.
	op, err = g.take("the classifier (CONV_2D or FULLY_CONNECTED)", tflite.OpConv2D, tflite.OpFullyConnected)
	if err != nil {
		return nil, err
	}
	w, shape, b, err = g.conv(op, "classifier", 1, 1, actNone)
	if err != nil {
		return nil, err
	}
	if shape[len(shape)-1] != head {
		return nil, fmt.Errorf("classifier: expected %d input channels, found %d", head, shape[len(shape)-1])
	}
	m.Classes = shape[0]
	if a != nil {
		m.classifier = g.pointwise(op, w, b, shape[0], head)
	}
	for g.is(0, tflite.OpReshape) {
		g.take("RESHAPE", tflite.OpReshape)
	}
	op, err = g.take("SOFTMAX", tflite.OpSoftmax)
	if err != nil {
		return nil, err
	}
	if op.Beta != 1 {
		return nil, fmt.Errorf("op %d (SOFTMAX): expected beta 1, found %g", g.i-1, op.Beta)
	}
	for g.is(0, tflite.OpQuantize, tflite.OpDequantize) {
		g.take("QUANTIZE", tflite.OpQuantize, tflite.OpDequantize)
	}
	if g.i != len(tf.Ops) {
		return nil, fmt.Errorf("op %d (%s): expected the end of the graph after SOFTMAX", g.i, tf.Ops[g.i].Name)
	}
	if g.cur != tf.Outputs[0] {
		return nil, fmt.Errorf("the last operator does not write the model's output")
	}

	// The layout must be the paper's at one of the published widths.
	for _, width := range Widths {
		a, err := NewArch(Config{Width: width, Res: m.Res, Classes: m.Classes})
		if err != nil {
			return nil, err
		}
		if a.Stem == stem && a.Head == head && sameBottlenecks(a.Bottlenecks, found) {
			m.Width = width
			return m, nil
		}
	}
	return nil, fmt.Errorf("expected the layers of Table 2 at a width in %v; found stem %d, bottlenecks %s, head %d",
		Widths, stem, describe(found), head)
}

func sameBottlenecks(want, got []Bottleneck) bool {
	if len(want) != len(got) {
		return false
	}
	for i := range want {
		w, g := want[i], got[i]
		if w.T != g.T || w.In != g.In || w.Out != g.Out || w.Stride != g.Stride || w.Residual != g.Residual {
			return false
		}
	}
	return true
}

// describe lists bottlenecks as t/out/stride, with + for a shortcut.
func describe(bs []Bottleneck) string {
	var s []string
	for _, b := range bs {
		r := ""
		if b.Residual {
			r = "+"
		}
		s = append(s, fmt.Sprintf("%d/%d/s%d%s", b.T, b.Out, b.Stride, r))
	}
	return fmt.Sprintf("%d [%s]", len(bs), strings.Join(s, " "))
}

// inputNormalisation sets how pixels 0..255 map to the network's input.
func inputNormalisation(m *Model, in *tflite.Tensor) error {
	switch in.Type {
	case tflite.Uint8, tflite.Int8:
		if len(in.Scale) != 1 || len(in.ZeroPoint) != 1 || !(in.Scale[0] > 0) {
			return fmt.Errorf("input: expected one quantization scale and zero point, found %d and %d", len(in.Scale), len(in.ZeroPoint))
		}
		m.InputScale, m.InputZero = in.Scale[0], float32(in.ZeroPoint[0])
		if in.Type == tflite.Int8 {
			// An int8 input holds p - 128.
			m.InputZero += 128
		}
	case tflite.Float32:
		// A float input carries no normalisation of its own: use
		// MobileNetV2's training convention, x = p/127.5 - 1.
		m.InputScale, m.InputZero = 1/127.5, 127.5
	default:
		return fmt.Errorf("input: expected uint8, int8 or float32, found type %d", in.Type)
	}
	return nil
}

// storage says how a weight tensor is stored in the file.
func storage(t *tflite.Tensor) string {
	switch {
	case t.Type == tflite.Float32:
		return "float32"
	case len(t.Scale) > 1:
		return fmt.Sprintf("%s per-channel", t.Type.String())
	default:
		return fmt.Sprintf("%s per-tensor", t.Type.String())
	}
}
