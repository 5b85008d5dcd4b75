// Package tflite reads TensorFlow Lite model files: a flatbuffer with the file
// identifier "TFL3" whose schema is tensorflow/lite/schema/schema.fbs. Only
// the fields MobileNetV2 needs are read, by their field ids in that schema.
//
// The reader is written by hand rather than with the official flatbuffers Go
// runtime and generated code, because that runtime does no bounds checking:
// a corrupt or hostile file makes it panic with an index out of range. The
// generated code would also be thousands of lines for the ~15 fields read
// here. Instead every offset, length and count is checked against the data,
// nothing is allocated that the file's size cannot justify, and the fixed
// nesting of the schema is followed without recursion.
package tflite

import (
	"fmt"
	"math"
)

// Type is a TensorType of the schema.
type Type int8

const (
	Float32   Type = 0
	Float16   Type = 1
	Int32     Type = 2
	Uint8     Type = 3
	Int64     Type = 4
	String    Type = 5
	Bool      Type = 6
	Int16     Type = 7
	Complex64 Type = 8
	Int8      Type = 9
)

var typeNames = [...]string{"FLOAT32", "FLOAT16", "INT32", "UINT8", "INT64", "STRING", "BOOL", "INT16", "COMPLEX64", "INT8"}

// typeSizes holds the bytes per element of each type; 0 for STRING, whose
// elements vary in size.
var typeSizes = [...]int{4, 2, 4, 1, 8, 0, 1, 2, 8, 1}

// String returns the schema's name of t, as "INT8".
func (t Type) String() string {
	if t >= 0 && int(t) < len(typeNames) {
		return typeNames[t]
	}
	return fmt.Sprintf("type %d", t)
}

// Builtin operator codes (BuiltinOperator in the schema).
const (
	OpAdd             = 0
	OpAveragePool2D   = 1
	OpConv2D          = 3
	OpDepthwiseConv2D = 4
	OpDequantize      = 6
	OpFullyConnected  = 9
	OpReshape         = 22
	OpSoftmax         = 25
	OpCustom          = 32
	OpMean            = 40
	OpQuantize        = 114
)

// opName is the TFLite name of a builtin operator mbv2 knows, else "". A
// switch, not a map: a map literal is built by the package's init, in every
// process.
func opName(code int32) string {
	switch code {
	case OpAdd:
		return "ADD"
	case OpAveragePool2D:
		return "AVERAGE_POOL_2D"
	case OpConv2D:
		return "CONV_2D"
	case OpDepthwiseConv2D:
		return "DEPTHWISE_CONV_2D"
	case OpDequantize:
		return "DEQUANTIZE"
	case OpFullyConnected:
		return "FULLY_CONNECTED"
	case OpReshape:
		return "RESHAPE"
	case OpSoftmax:
		return "SOFTMAX"
	case OpCustom:
		return "CUSTOM"
	case OpMean:
		return "MEAN"
	case OpQuantize:
		return "QUANTIZE"
	}
	return ""
}

// Builtin options types (the BuiltinOptions union) of the operators above.
const (
	optConv2D          = 1
	optDepthwiseConv2D = 2
	optPool2D          = 5
	optFullyConnected  = 8
	optSoftmax         = 9
	optAdd             = 11
	optReshape         = 17
	optReducer         = 27
)

// maxElements bounds the element count of a tensor's shape, so that sizes
// in bytes fit in an int everywhere.
const maxElements = 1<<31 - 1

// Model is the part of a .tflite file that MobileNetV2 needs: subgraph 0.
type Model struct {
	Version     uint32
	Description string
	Tensors     []Tensor // subgraph 0
	Ops         []Op     // execution order
	Inputs      []int
	Outputs     []int
}

// Tensor is a tensor of subgraph 0.
type Tensor struct {
	Name      string
	Shape     []int
	Type      Type
	Data      []byte    // constant data (a sub-slice of the file), nil for activations
	Scale     []float32 // quantization, nil if none
	ZeroPoint []int64
	QuantDim  int
}

// Op is an operator of subgraph 0.
type Op struct {
	Code            int32  // builtin operator code, OpConv2D etc.
	Name            string // for messages: "CONV_2D", "op 123", or a custom op's name
	Inputs, Outputs []int  // tensor indices, -1 = optional absent

	// Options, filled when the op has them.
	Padding              int // 0 SAME, 1 VALID
	StrideW, StrideH     int
	DilationW, DilationH int // 1 unless the file says otherwise
	FilterW, FilterH     int // pools
	DepthMultiplier      int
	Activation           int // 0 NONE, 1 RELU, 3 RELU6 ...
	KeepDims             bool
	Beta                 float32 // softmax
}

// Parse reads the model in data. The result's constant tensors point
// into data.
func Parse(data []byte) (*Model, error) {
	if err := checkIdentifier(data); err != nil {
		return nil, err
	}
	r := &fbReader{buf: data, budget: len(data)}
	root := r.table(r.follow(0))
	m := &Model{
		Version:     uint32(r.scalar(root, 0, 4, 0)),
		Description: r.string(root, 3),
	}
	codes, nCodes := r.vector(root, 1, 4)
	subgraphs, nSubgraphs := r.vector(root, 2, 4)
	buffers, nBuffers := r.vector(root, 4, 4)
	if r.err != nil {
		return nil, fmt.Errorf("tflite: model: %w", r.err)
	}
	if m.Version != 3 {
		return nil, fmt.Errorf("tflite: schema version %d, want 3", m.Version)
	}
	if nSubgraphs != 1 {
		return nil, fmt.Errorf("tflite: model has %d subgraphs, want 1", nSubgraphs)
	}
	sg := r.tableAt(subgraphs, 0)
	tensors, nTensors := r.vector(sg, 0, 4)
	ops, nOps := r.vector(sg, 3, 4)
	m.Inputs = r.ints(sg, 1)
	m.Outputs = r.ints(sg, 2)
	if r.err != nil {
		return nil, fmt.Errorf("tflite: subgraph 0: %w", r.err)
	}
	if err := checkIndices(m.Inputs, nTensors, false); err != nil {
		return nil, fmt.Errorf("tflite: subgraph input %w", err)
	}
	if err := checkIndices(m.Outputs, nTensors, false); err != nil {
		return nil, fmt.Errorf("tflite: subgraph output %w", err)
	}

	m.Tensors = make([]Tensor, nTensors)
	for i := range m.Tensors {
		t := &m.Tensors[i]
		r.tensor(t, r.tableAt(tensors, i), buffers, nBuffers)
		if r.err != nil {
			return nil, fmt.Errorf("tflite: tensor %d: %w", i, r.err)
		}
		if err := t.check(); err != nil {
			return nil, fmt.Errorf("tflite: tensor %d: %w", i, err)
		}
	}

	opCodes := make([]int32, nCodes)
	codeNames := make([]string, nCodes)
	for i := range opCodes {
		opCodes[i], codeNames[i] = r.opcode(r.tableAt(codes, i))
		if r.err != nil {
			return nil, fmt.Errorf("tflite: operator code %d: %w", i, r.err)
		}
	}

	m.Ops = make([]Op, nOps)
	for i := range m.Ops {
		o := &m.Ops[i]
		t := r.tableAt(ops, i)
		idx := r.scalar(t, 0, 4, 0)
		if r.err != nil {
			return nil, fmt.Errorf("tflite: operator %d: %w", i, r.err)
		}
		if idx >= uint64(nCodes) {
			return nil, fmt.Errorf("tflite: operator %d: operator code %d out of range (file has %d)", i, idx, nCodes)
		}
		o.Code, o.Name = opCodes[idx], codeNames[idx]
		r.op(o, t)
		if r.err != nil {
			return nil, fmt.Errorf("tflite: operator %d (%s): %w", i, o.Name, r.err)
		}
		if err := checkIndices(o.Inputs, nTensors, true); err != nil {
			return nil, fmt.Errorf("tflite: operator %d (%s): input %w", i, o.Name, err)
		}
		if err := checkIndices(o.Outputs, nTensors, true); err != nil {
			return nil, fmt.Errorf("tflite: operator %d (%s): output %w", i, o.Name, err)
		}
	}
	return m, nil
}

// InputShape returns the shape of subgraph 0's input, reading only the
// tables on the way to it. Converters write each tensor's table beside its
// weights, so Parse reads pages all over the file: a millisecond of page
// faults for a file that is not yet in memory, which an image can be
// resized in meanwhile. Parse checks the rest.
func InputShape(data []byte) ([]int, error) {
	if err := checkIdentifier(data); err != nil {
		return nil, err
	}
	r := &fbReader{buf: data, budget: len(data)}
	root := r.table(r.follow(0))
	subgraphs, nSubgraphs := r.vector(root, 2, 4)
	if r.err == nil && nSubgraphs != 1 {
		return nil, fmt.Errorf("tflite: model has %d subgraphs, want 1", nSubgraphs)
	}
	sg := r.tableAt(subgraphs, 0)
	tensors, nTensors := r.vector(sg, 0, 4)
	inputs := r.ints(sg, 1)
	if r.err != nil {
		return nil, fmt.Errorf("tflite: subgraph 0: %w", r.err)
	}
	if len(inputs) != 1 {
		return nil, fmt.Errorf("tflite: subgraph has %d inputs, want 1", len(inputs))
	}
	if err := checkIndices(inputs, nTensors, false); err != nil {
		return nil, fmt.Errorf("tflite: subgraph input %w", err)
	}
	shape := r.ints(r.tableAt(tensors, inputs[0]), 0)
	if r.err != nil {
		return nil, fmt.Errorf("tflite: tensor %d: %w", inputs[0], r.err)
	}
	return shape, nil
}

func checkIdentifier(data []byte) error {
	if len(data) < 8 {
		return fmt.Errorf("tflite: file is %d bytes, too short for a model", len(data))
	}
	if id := string(data[4:8]); id != "TFL3" {
		return fmt.Errorf("tflite: file identifier is %q, want \"TFL3\" (not a TensorFlow Lite model)", id)
	}
	return nil
}

// checkIndices checks that each tensor index in idx is below n, or -1
// (absent) if optional.
func checkIndices(idx []int, n int, optional bool) error {
	for i, t := range idx {
		if t >= n || t < 0 && !(optional && t == -1) {
			return fmt.Errorf("%d is tensor %d, out of range (subgraph has %d tensors)", i, t, n)
		}
	}
	return nil
}

// tensor reads the Tensor table t into dst, with its constant data from the
// model's buffers (nBuffers Buffer tables at the vector position buffers).
func (r *fbReader) tensor(dst *Tensor, t fbTable, buffers, nBuffers int) {
	dst.Shape = r.ints(t, 0)
	dst.Type = Type(r.scalar(t, 1, 1, 0))
	dst.Name = r.string(t, 3)
	q := r.subtable(t, 4)
	dst.Scale = r.float32s(q, 2)
	dst.ZeroPoint = r.int64s(q, 3)
	if details := r.scalar(q, 4, 1, 0); details != 0 {
		r.fail("quantization details of type %d, want none (custom quantization is not supported)", details)
	}
	dst.QuantDim = int(int32(r.scalar(q, 6, 4, 0)))
	b := r.scalar(t, 2, 4, 0)
	if r.err == nil && b >= uint64(nBuffers) {
		r.fail("buffer %d out of range (file has %d buffers)", b, nBuffers)
	}
	if r.err != nil {
		return
	}
	buf := r.tableAt(buffers, int(b))
	dst.Data = r.bytes(buf, 0)
	// A buffer offset above 1 places the data outside the flatbuffer, at
	// that position in the file; converters write 1 as a placeholder.
	if off, size := r.scalar(buf, 1, 8, 0), r.scalar(buf, 2, 8, 0); off > 1 {
		if size > uint64(len(r.buf)) || off > uint64(len(r.buf))-size {
			r.fail("buffer %d: data at offset %d, size %d, runs past the end of the file (%d bytes)", b, off, size, len(r.buf))
			return
		}
		dst.Data = r.buf[off : off+size : off+size]
		if size == 0 {
			dst.Data = nil
		}
	}
}

// opcode reads an OperatorCode table. The builtin code moved from an int8
// field to an int32 one when the codes outgrew a byte; writers keep the old
// field at min(code, 127), so the code is the larger of the two.
func (r *fbReader) opcode(t fbTable) (code int32, name string) {
	code = max(int32(int8(r.scalar(t, 0, 1, 0))), int32(r.scalar(t, 3, 4, 0)))
	if code < 0 {
		r.fail("builtin code %d is negative", code)
	}
	name = opName(code)
	if name == "" {
		name = fmt.Sprintf("op %d", code)
	}
	if custom := r.string(t, 1); code == OpCustom && custom != "" {
		name = custom
	}
	return code, name
}

// op reads the tensors and options of the Operator table t into o, whose
// Code is set.
func (r *fbReader) op(o *Op, t fbTable) {
	o.Inputs = r.ints(t, 1)
	o.Outputs = r.ints(t, 2)
	switch o.Code {
	case OpConv2D:
		p := r.options(t, optConv2D, "Conv2DOptions")
		o.Padding = int(r.scalar(p, 0, 1, 0))
		o.StrideW = int(int32(r.scalar(p, 1, 4, 0)))
		o.StrideH = int(int32(r.scalar(p, 2, 4, 0)))
		o.Activation = int(r.scalar(p, 3, 1, 0))
		o.DilationW = int(int32(r.scalar(p, 4, 4, 1)))
		o.DilationH = int(int32(r.scalar(p, 5, 4, 1)))
		r.checkWindow(o, false)
	case OpDepthwiseConv2D:
		p := r.options(t, optDepthwiseConv2D, "DepthwiseConv2DOptions")
		o.Padding = int(r.scalar(p, 0, 1, 0))
		o.StrideW = int(int32(r.scalar(p, 1, 4, 0)))
		o.StrideH = int(int32(r.scalar(p, 2, 4, 0)))
		o.DepthMultiplier = int(int32(r.scalar(p, 3, 4, 0)))
		o.Activation = int(r.scalar(p, 4, 1, 0))
		o.DilationW = int(int32(r.scalar(p, 5, 4, 1)))
		o.DilationH = int(int32(r.scalar(p, 6, 4, 1)))
		r.checkWindow(o, false)
	case OpAveragePool2D:
		p := r.options(t, optPool2D, "Pool2DOptions")
		o.Padding = int(r.scalar(p, 0, 1, 0))
		o.StrideW = int(int32(r.scalar(p, 1, 4, 0)))
		o.StrideH = int(int32(r.scalar(p, 2, 4, 0)))
		o.FilterW = int(int32(r.scalar(p, 3, 4, 0)))
		o.FilterH = int(int32(r.scalar(p, 4, 4, 0)))
		o.Activation = int(r.scalar(p, 5, 1, 0))
		r.checkWindow(o, true)
	case OpFullyConnected:
		p := r.options(t, optFullyConnected, "FullyConnectedOptions")
		o.Activation = int(r.scalar(p, 0, 1, 0))
		// Shuffled weights would need a layout this reader does not undo.
		if f := r.scalar(p, 1, 1, 0); f != 0 {
			r.fail("weights format %d, want 0 (DEFAULT)", f)
		}
	case OpSoftmax:
		p := r.options(t, optSoftmax, "SoftmaxOptions")
		o.Beta = math.Float32frombits(uint32(r.scalar(p, 0, 4, 0)))
	case OpAdd:
		p := r.options(t, optAdd, "AddOptions")
		o.Activation = int(r.scalar(p, 0, 1, 0))
	case OpReshape:
		r.options(t, optReshape, "ReshapeOptions") // new_shape is unused: the shape tensor and the output's shape say the same
	case OpMean:
		p := r.options(t, optReducer, "ReducerOptions")
		o.KeepDims = r.scalar(p, 0, 1, 0) != 0
	}
}

// options returns the builtin options table of the Operator table t, which
// must be of the given type or absent.
func (r *fbReader) options(t fbTable, want uint64, name string) fbTable {
	typ := r.scalar(t, 3, 1, 0)
	if typ == 0 {
		return fbTable{}
	}
	if typ != want {
		r.fail("builtin options of type %d, want %d (%s)", typ, want, name)
		return fbTable{}
	}
	return r.subtable(t, 4)
}

// checkWindow checks the sliding-window options of a convolution or pool.
func (r *fbReader) checkWindow(o *Op, pool bool) {
	switch {
	case r.err != nil:
	case o.Padding > 1:
		r.fail("padding %d, want 0 (SAME) or 1 (VALID)", o.Padding)
	case o.StrideW < 1 || o.StrideH < 1:
		r.fail("stride %dx%d (WxH), want at least 1", o.StrideW, o.StrideH)
	case !pool && (o.DilationW < 1 || o.DilationH < 1):
		r.fail("dilation %dx%d (WxH), want at least 1", o.DilationW, o.DilationH)
	case pool && (o.FilterW < 1 || o.FilterH < 1):
		r.fail("filter %dx%d (WxH), want at least 1", o.FilterW, o.FilterH)
	}
}

// Elements returns the number of elements of shape.
func Elements(shape []int) (int, error) {
	n := 1
	for _, d := range shape {
		if d < 0 {
			return 0, fmt.Errorf("shape %v has a negative dimension", shape)
		}
		if d > 0 && n > maxElements/d {
			return 0, fmt.Errorf("shape %v has more than %d elements", shape, maxElements)
		}
		n *= d
	}
	return n, nil
}

// check checks that t's shape, data and quantization agree.
func (t *Tensor) check() error {
	n, err := Elements(t.Shape)
	if err != nil {
		return err
	}
	if t.Data != nil && t.Type >= 0 && int(t.Type) < len(typeSizes) {
		if size := int64(typeSizes[t.Type]); size > 0 && int64(len(t.Data)) != int64(n)*size {
			return fmt.Errorf("%d bytes of data, want %d for %s %v", len(t.Data), int64(n)*size, t.Type.String(), t.Shape)
		}
	}
	if len(t.ZeroPoint) != len(t.Scale) {
		return fmt.Errorf("quantization has %d scales and %d zero points, want as many of each", len(t.Scale), len(t.ZeroPoint))
	}
	for i, s := range t.Scale {
		if !(s > 0 && s <= math.MaxFloat32) {
			return fmt.Errorf("quantization scale %d is %g, want a finite value > 0", i, s)
		}
	}
	if len(t.Scale) > 1 {
		if t.QuantDim < 0 || t.QuantDim >= len(t.Shape) {
			return fmt.Errorf("quantized dimension %d, want 0..%d for shape %v", t.QuantDim, len(t.Shape)-1, t.Shape)
		}
		if d := t.Shape[t.QuantDim]; d != len(t.Scale) {
			return fmt.Errorf("%d quantization scales, want %d (dimension %d of shape %v)", len(t.Scale), d, t.QuantDim, t.Shape)
		}
	}
	return nil
}

// Floats returns the values of a constant tensor as fresh float32s: FLOAT32
// as stored; UINT8, INT8 and INT32 dequantized, real = scale*(q - zero_point),
// per channel along QuantDim when there is more than one scale.
func (t *Tensor) Floats() ([]float32, error) {
	read, err := t.Reader()
	if err != nil {
		return nil, err
	}
	n, _ := Elements(t.Shape)
	out := make([]float32, n)
	read(out, 0)
	return out, nil
}

// Reader checks a constant tensor and returns a function that writes its
// values [from, from+len(dst)) into dst, as Floats does: loading
// dequantizes a weight tensor a tile at a time, as it packs it, rather than
// whole.
func (t *Tensor) Reader() (func(dst []float32, from int), error) {
	if t.Data == nil {
		return nil, fmt.Errorf("tflite: tensor %q: not constant (it has no data)", t.Name)
	}
	if err := t.check(); err != nil {
		return nil, fmt.Errorf("tflite: tensor %q: %w", t.Name, err)
	}
	if t.Type == Float32 {
		return func(dst []float32, from int) {
			for i := range dst {
				dst[i] = math.Float32frombits(le.Uint32(t.Data[4*(from+i):]))
			}
		}, nil
	}
	if t.Type != Uint8 && t.Type != Int8 && t.Type != Int32 {
		return nil, fmt.Errorf("tflite: tensor %q: type %s, want FLOAT32, UINT8, INT8 or INT32", t.Name, t.Type.String())
	}
	if len(t.Scale) == 0 {
		return nil, fmt.Errorf("tflite: tensor %q: %s without quantization parameters", t.Name, t.Type.String())
	}
	// Each run of inner elements shares a scale: all of them for one
	// scale, else those after one index along QuantDim.
	inner, _ := Elements(t.Shape)
	if len(t.Scale) > 1 {
		inner, _ = Elements(t.Shape[t.QuantDim+1:])
	}
	return func(dst []float32, from int) {
		// A table of the 256 values of a scale is faster than the
		// arithmetic once a run is longer than that; both give the
		// same bits.
		var lut [256]float32
		for i := 0; i < len(dst); {
			e := from + i
			c := e / inner % len(t.Scale)
			s, zp := float64(t.Scale[c]), t.ZeroPoint[c]
			out := dst[i : i+min(len(dst)-i, inner-e%inner)]
			i += len(out)
			switch {
			case t.Type != Int32 && len(out) >= len(lut):
				for q := range lut {
					v := int64(q)
					if t.Type == Int8 {
						v = int64(int8(q))
					}
					lut[q] = float32(s * float64(v-zp))
				}
				for j, q := range t.Data[e : e+len(out)] {
					out[j] = lut[q]
				}
			case t.Type == Uint8:
				for j, q := range t.Data[e : e+len(out)] {
					out[j] = float32(s * float64(int64(q)-zp))
				}
			case t.Type == Int8:
				for j, q := range t.Data[e : e+len(out)] {
					out[j] = float32(s * float64(int64(int8(q))-zp))
				}
			default: // INT32
				for j := range out {
					q := int32(le.Uint32(t.Data[4*(e+j):]))
					out[j] = float32(s * float64(int64(q)-zp))
				}
			}
		}
	}, nil
}
