package tflite

import (
	"bytes"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/mbv2/mbv2/model/internal/shareddata"
)

// tinyTFLite returns a small model that uses every field Parse reads,
// with distinct option values so that a swapped field id shows.
func tinyTFLite() *Model {
	rng := rand.New(rand.NewPCG(1, 2))
	bytesOf := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return b
	}
	f32 := func(v ...float32) []byte {
		var b []byte
		for _, x := range v {
			b = le.AppendUint32(b, math.Float32bits(x))
		}
		return b
	}
	i32 := func(v ...int32) []byte {
		var b []byte
		for _, x := range v {
			b = le.AppendUint32(b, uint32(x))
		}
		return b
	}
	act := func(name string, typ Type, shape ...int) Tensor {
		return Tensor{Name: name, Type: typ, Shape: shape, Scale: []float32{0.0235}, ZeroPoint: []int64{-128}}
	}
	return &Model{
		Version:     3,
		Description: "tiny test model",
		Tensors: []Tensor{
			{Name: "input", Type: Uint8, Shape: []int{1, 4, 4, 3}, Scale: []float32{0.0078125}, ZeroPoint: []int64{128}},
			act("quantized input", Int8, 1, 4, 4, 3),
			{Name: "conv/weights", Type: Int8, Shape: []int{4, 3, 3, 3}, Data: bytesOf(4 * 27),
				Scale: []float32{0.01, 0.02, 1e-6, 0.04}, ZeroPoint: []int64{0, 0, 0, 0}},
			{Name: "conv/bias", Type: Int32, Shape: []int{4}, Data: i32(100, -200, 0, 1<<30),
				Scale: []float32{1e-4, 2e-4, 3e-4, 4e-4}, ZeroPoint: []int64{0, 0, 0, 0}},
			act("conv", Int8, 1, 2, 2, 4),
			{Name: "dw/weights", Type: Uint8, Shape: []int{1, 3, 3, 4}, Data: bytesOf(36),
				Scale: []float32{0.5, 0.25, 0.125, 2}, ZeroPoint: []int64{128, 100, 0, 255}, QuantDim: 3},
			act("dw", Int8, 1, 2, 2, 4),
			act("add", Int8, 1, 2, 2, 4),
			act("pool", Int8, 1, 1, 1, 4),
			{Name: "axes", Type: Int32, Shape: []int{2}, Data: i32(1, 2)},
			act("mean", Int8, 1, 1, 1, 4),
			{Name: "fc/weights", Type: Float32, Shape: []int{5, 4}, Data: f32(
				1, 2, 3, 4, -1, -2, -3, -4, 0.5, 0.25, 0, float32(math.Inf(1)), 1e-30, 1e30, 7, 8, 9, 10, 11, 12)},
			{Name: "fc", Type: Float32, Shape: []int{1, 5}},
			{Name: "shape", Type: Int32, Shape: []int{2}, Data: i32(1, 5)},
			{Name: "reshape", Type: Float32, Shape: []int{1, 5}},
			{Name: "softmax", Type: Float32, Shape: []int{1, 5}},
			{Name: "custom", Type: Float32, Shape: []int{1, 5}},
			{Name: "output", Type: Uint8, Shape: []int{1, 5}, Scale: []float32{1.0 / 256}, ZeroPoint: []int64{0}},
			{Name: "scalar", Type: Float32, Data: f32(42)},
		},
		Ops: []Op{
			{Code: OpQuantize, Name: "QUANTIZE", Inputs: []int{0}, Outputs: []int{1}},
			{Code: OpConv2D, Name: "CONV_2D", Inputs: []int{1, 2, 3}, Outputs: []int{4},
				Padding: 0, StrideW: 2, StrideH: 3, Activation: 3, DilationW: 1, DilationH: 4},
			{Code: OpDepthwiseConv2D, Name: "DEPTHWISE_CONV_2D", Inputs: []int{4, 5, -1}, Outputs: []int{6},
				Padding: 1, StrideW: 5, StrideH: 6, DepthMultiplier: 7, Activation: 1, DilationW: 8, DilationH: 9},
			{Code: OpAdd, Name: "ADD", Inputs: []int{6, 4}, Outputs: []int{7}, Activation: 3},
			{Code: OpAveragePool2D, Name: "AVERAGE_POOL_2D", Inputs: []int{7}, Outputs: []int{8},
				Padding: 1, StrideW: 2, StrideH: 3, FilterW: 4, FilterH: 5, Activation: 1},
			{Code: OpMean, Name: "MEAN", Inputs: []int{7, 9}, Outputs: []int{10}, KeepDims: true},
			{Code: OpFullyConnected, Name: "FULLY_CONNECTED", Inputs: []int{10, 11, -1}, Outputs: []int{12}, Activation: 1},
			{Code: OpReshape, Name: "RESHAPE", Inputs: []int{12, 13}, Outputs: []int{14}},
			{Code: OpSoftmax, Name: "SOFTMAX", Inputs: []int{14}, Outputs: []int{15}, Beta: 1.5},
			{Code: OpCustom, Name: "MyCustomOp", Inputs: []int{15}, Outputs: []int{16}},
			{Code: 150, Name: "op 150", Inputs: []int{16}, Outputs: []int{17}},
			{Code: OpQuantize, Name: "QUANTIZE", Inputs: []int{16}, Outputs: []int{17}},
		},
		Inputs:  []int{0},
		Outputs: []int{17},
	}
}

var tinyLabels = []string{"background", "cat", "dog", "", "kite, and cold"}

func TestTFLiteRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name  string
		write func(*Model, []string) []byte
	}{{"inline", Write}, {"external", WriteExternal}} {
		t.Run(tc.name, func(t *testing.T) {
			want := tinyTFLite()
			data := tc.write(want, tinyLabels)
			got, err := Parse(data)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("round trip differs:\n got %+v\nwant %+v", got, want)
			}
			labels, err := Labels(data)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(labels, tinyLabels) {
				t.Errorf("labels = %q, want %q", labels, tinyLabels)
			}
		})
	}
}

func TestTFLiteFloats(t *testing.T) {
	m := tinyTFLite()
	tensor := func(name string) *Tensor {
		for i := range m.Tensors {
			if m.Tensors[i].Name == name {
				return &m.Tensors[i]
			}
		}
		t.Fatalf("no tensor %q", name)
		return nil
	}

	// A naive reference: the channel of element i along QuantDim.
	for _, name := range []string{"conv/weights", "conv/bias", "dw/weights"} {
		tt := tensor(name)
		got, err := tt.Floats()
		if err != nil {
			t.Fatal(err)
		}
		n, _ := Elements(tt.Shape)
		if len(got) != n {
			t.Fatalf("%s: %d values, want %d", name, len(got), n)
		}
		stride := 1
		for _, d := range tt.Shape[tt.QuantDim+1:] {
			stride *= d
		}
		for i := range got {
			c := i / stride % tt.Shape[tt.QuantDim]
			var q int64
			switch tt.Type {
			case Uint8:
				q = int64(tt.Data[i])
			case Int8:
				q = int64(int8(tt.Data[i]))
			case Int32:
				q = int64(int32(le.Uint32(tt.Data[4*i:])))
			}
			want := float32(float64(tt.Scale[c]) * float64(q-tt.ZeroPoint[c]))
			if got[i] != want {
				t.Fatalf("%s[%d] = %g, want %g (q %d, channel %d)", name, i, got[i], want, q, c)
			}
		}
	}

	got, err := tensor("fc/weights").Floats()
	if err != nil {
		t.Fatal(err)
	}
	if got[11] != float32(math.Inf(1)) || got[13] != 1e30 || got[19] != 12 {
		t.Errorf("float32 weights = %v", got)
	}
	if got, err := tensor("scalar").Floats(); err != nil || !slices.Equal(got, []float32{42}) {
		t.Errorf("scalar = %v, %v; want [42]", got, err)
	}

	// Per-tensor: one scale for all.
	u := Tensor{Name: "u", Type: Uint8, Shape: []int{2, 2}, Data: []byte{0, 1, 128, 255}, Scale: []float32{0.5}, ZeroPoint: []int64{128}}
	if got, err := u.Floats(); err != nil || !slices.Equal(got, []float32{-64, -63.5, 0, 63.5}) {
		t.Errorf("per-tensor uint8 = %v, %v", got, err)
	}

	for _, tc := range []struct {
		name  string
		edit  func(t *Tensor)
		error string
	}{
		{"activation", func(t *Tensor) { t.Data = nil }, "not constant"},
		{"short data", func(t *Tensor) { t.Data = t.Data[:len(t.Data)-1] }, "bytes of data, want"},
		{"long data", func(t *Tensor) { t.Data = append(t.Data, 0) }, "bytes of data, want"},
		{"negative dim", func(t *Tensor) { t.Shape = []int{-1, 3, 3, 3} }, "negative dimension"},
		{"huge shape", func(t *Tensor) { t.Shape = []int{1 << 20, 1 << 20, 1, 1} }, "more than"},
		{"no quantization", func(t *Tensor) { t.Scale, t.ZeroPoint = nil, nil }, "without quantization"},
		{"fewer zero points", func(t *Tensor) { t.ZeroPoint = t.ZeroPoint[:3] }, "4 scales and 3 zero points"},
		{"fewer scales", func(t *Tensor) { t.Scale, t.ZeroPoint = t.Scale[:3], t.ZeroPoint[:3] }, "3 quantization scales, want 4"},
		{"quant dim", func(t *Tensor) { t.QuantDim = 4 }, "quantized dimension 4"},
		{"negative quant dim", func(t *Tensor) { t.QuantDim = -1 }, "quantized dimension -1"},
		{"zero scale", func(t *Tensor) { t.Scale[1] = 0 }, "scale 1 is 0"},
		{"negative scale", func(t *Tensor) { t.Scale[1] = -1 }, "scale 1 is -1"},
		{"NaN scale", func(t *Tensor) { t.Scale[1] = float32(math.NaN()) }, "scale 1 is NaN"},
		{"infinite scale", func(t *Tensor) { t.Scale[1] = float32(math.Inf(1)) }, "scale 1 is +Inf"},
		{"int16", func(t *Tensor) { t.Type, t.Data = Int16, make([]byte, 2*len(t.Data)) }, "type INT16, want"},
		{"unknown type", func(t *Tensor) { t.Type = 99 }, "type 99, want"},
	} {
		tt := *tensor("conv/weights")
		tt.Scale = slices.Clone(tt.Scale)
		tc.edit(&tt)
		_, err := tt.Floats()
		if err == nil || !strings.Contains(err.Error(), tc.error) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.error)
		}
	}
}

// tfliteTree returns the tiny model's flatbuffer objects, and its subgraph
// and tensor tables for editing.
func tfliteTree() (root, subgraph fbObj, tensors []fbObj) {
	root = tfliteObj(tinyTFLite(), -1)
	subgraph = root[2].child.([]fbObj)[0]
	return root, subgraph, subgraph[0].child.([]fbObj)
}

// tfliteCorruptions are files that Parse must reject, each with a
// piece of the error it must give.
func tfliteCorruptions() []struct {
	name, error string
	data        []byte
} {
	var cases []struct {
		name, error string
		data        []byte
	}
	add := func(name, error string, data []byte) {
		cases = append(cases, struct {
			name, error string
			data        []byte
		}{name, error, data})
	}
	good := Write(tinyTFLite(), nil)
	patched := func(pos int, v uint32) []byte {
		b := slices.Clone(good)
		le.PutUint32(b[pos:], v)
		return b
	}
	// find returns the position of the vector of int32s v in the good file.
	find := func(v ...int32) int {
		b := le.AppendUint32(nil, uint32(len(v)))
		for _, e := range v {
			b = le.AppendUint32(b, uint32(e))
		}
		i := bytes.Index(good, b)
		if i < 0 || bytes.Index(good[i+1:], b) >= 0 {
			panic(fmt.Sprintf("vector %v is not in the file exactly once", v))
		}
		return i
	}
	edited := func(edit func(root, subgraph fbObj, tensors []fbObj)) []byte {
		root, subgraph, tensors := tfliteTree()
		edit(root, subgraph, tensors)
		return fbFile(root)
	}
	tensor := func(name string, f fbField) fbObj { return fbObj{fbRef([]int32{1}), fbU8(0), fbU32(0), fbRef(name), f} }

	add("empty", "too short", nil)
	add("header only", "past the end", good[:8])
	add("wrong magic", `"TFL2"`, append(append(slices.Clone(good[:4]), "TFL2"...), good[8:]...))
	add("root outside", "points to", patched(0, 1<<31))
	add("root at last byte", "past the end", patched(0, uint32(len(good)-1)))
	add("huge vector count", "elements of 4 bytes run past the end", patched(find(4, 3, 3, 3), 1<<30))
	add("vector count past end", "run past the end", patched(find(4, 3, 3, 3), uint32(len(good)/4)))
	add("string count past end", "run past the end", patched(bytes.Index(good, []byte("conv/bias"))-4, 1<<31))
	add("string without terminator", "not terminated", func() []byte {
		b := slices.Clone(good)
		b[bytes.Index(b, []byte("conv/bias"))+len("conv/bias")] = 'x'
		return b
	}())
	add("version 2", "schema version 2, want 3", edited(func(root, _ fbObj, _ []fbObj) { root[0] = fbU32(2) }))
	add("two subgraphs", "2 subgraphs, want 1", edited(func(root, sg fbObj, _ []fbObj) { root[2] = fbRef([]fbObj{sg, sg}) }))
	add("no subgraphs", "0 subgraphs, want 1", edited(func(root, _ fbObj, _ []fbObj) { root[2] = fbField{} }))
	add("missing buffers", "tensor 0: buffer 0 out of range (file has 0 buffers)", edited(func(root, _ fbObj, _ []fbObj) { root[4] = fbField{} }))
	add("buffer out of range", "tensor 2: buffer 40 out of range (file has 8 buffers)", edited(func(_, _ fbObj, ts []fbObj) { ts[2][2] = fbU32(40) }))
	add("external data outside", "runs past the end", edited(func(root, _ fbObj, _ []fbObj) {
		root[4].child.([]fbObj)[1] = fbObj{{}, fbU64(1 << 40), fbU64(4)}
	}))
	add("external size outside", "runs past the end", edited(func(root, _ fbObj, _ []fbObj) {
		root[4].child.([]fbObj)[1] = fbObj{{}, fbU64(8), fbU64(math.MaxUint64)}
	}))
	add("negative dim", "negative dimension", edited(func(_, _ fbObj, ts []fbObj) { ts[4][0] = fbRef([]int32{1, -2, 2, 4}) }))
	add("huge shape", "more than 2147483647 elements", edited(func(_, _ fbObj, ts []fbObj) { ts[4][0] = fbRef([]int32{1 << 16, 1 << 16}) }))
	add("data disagrees with shape", "108 bytes of data, want 81", edited(func(_, _ fbObj, ts []fbObj) { ts[2][0] = fbRef([]int32{3, 3, 3, 3}) }))
	add("scales disagree with shape", "4 quantization scales, want 3", edited(func(_, _ fbObj, ts []fbObj) {
		ts[2][0], ts[2][2] = fbRef([]int32{3, 3, 3, 4}), fbU32(0)
	}))
	add("zero points missing", "4 scales and 0 zero points", edited(func(_, _ fbObj, ts []fbObj) {
		ts[2][4].child.(fbObj)[3] = fbField{}
	}))
	add("zero scale", "scale 0 is 0", edited(func(_, _ fbObj, ts []fbObj) {
		ts[0][4].child.(fbObj)[2] = fbRef([]float32{0})
	}))
	add("custom quantization", "quantization details of type 1", edited(func(_, _ fbObj, ts []fbObj) {
		ts[0][4].child.(fbObj)[4] = fbU8(1)
	}))
	add("subgraph input out of range", "subgraph input 0 is tensor 99", edited(func(_, sg fbObj, _ []fbObj) { sg[1] = fbRef([]int32{99}) }))
	add("subgraph output -1", "subgraph output 0 is tensor -1", edited(func(_, sg fbObj, _ []fbObj) { sg[2] = fbRef([]int32{-1}) }))
	ops := func(sg fbObj) []fbObj { return sg[3].child.([]fbObj) }
	add("op input out of range", "operator 1 (CONV_2D): input 2 is tensor 19", edited(func(_, sg fbObj, _ []fbObj) {
		ops(sg)[1][1] = fbRef([]int32{1, 2, 19})
	}))
	add("op output -2", "output 0 is tensor -2", edited(func(_, sg fbObj, _ []fbObj) { ops(sg)[1][2] = fbRef([]int32{-2}) }))
	add("opcode out of range", "operator code 50 out of range", edited(func(_, sg fbObj, _ []fbObj) { ops(sg)[0][0] = fbU32(50) }))
	add("negative builtin code", "builtin code -5 is negative", edited(func(root, _ fbObj, _ []fbObj) {
		root[1].child.([]fbObj)[0] = fbObj{fbU8(0xfb), {}, {}, fbI32(-5)}
	}))
	add("wrong options", "CONV_2D): builtin options of type 11, want 1 (Conv2DOptions)", edited(func(_, sg fbObj, _ []fbObj) {
		ops(sg)[1][3] = fbU8(optAdd)
	}))
	add("no conv options", "stride 0x0", edited(func(_, sg fbObj, _ []fbObj) { ops(sg)[1] = ops(sg)[1][:3] }))
	add("padding 2", "padding 2", edited(func(_, sg fbObj, _ []fbObj) { ops(sg)[2][4].child.(fbObj)[0] = fbU8(2) }))
	add("dilation 0", "dilation 8x0", edited(func(_, sg fbObj, _ []fbObj) { ops(sg)[2][4].child.(fbObj)[6] = fbI32(0) }))
	add("pool filter 0", "filter 0x5", edited(func(_, sg fbObj, _ []fbObj) { ops(sg)[4][4].child.(fbObj)[3] = fbI32(0) }))
	add("shuffled FC weights", "weights format 1", edited(func(_, sg fbObj, _ []fbObj) { ops(sg)[6][4].child.(fbObj)[1] = fbU8(1) }))
	add("shared shape vector", "shares data too often", edited(func(_, sg fbObj, _ []fbObj) {
		// 2000 tensors pointing at one tensor of 1000 dimensions.
		t := tensor("t", fbRef(fbObj{}))
		t[0] = fbRef(make([]int32, 1000))
		sg[0] = fbRef(fbRepeat{2000, t})
		sg[1], sg[2], sg[3] = fbField{}, fbField{}, fbField{}
	}))
	add("vtable outside", "vtable at", edited(func(_, sg fbObj, ts []fbObj) {
		sg[0] = fbRef([]fbObj{tensor("t", fbRef(fbRawTable{soffset: 1 << 30}))})
		sg[1], sg[2], sg[3] = fbField{}, fbField{}, fbField{}
	}))
	add("field outside table", "lies outside the table", edited(func(_, sg fbObj, ts []fbObj) {
		sg[0] = fbRef([]fbObj{tensor("t", fbRef(fbRawTable{fields: []uint16{0, 0, 200}}))})
		sg[1], sg[2], sg[3] = fbField{}, fbField{}, fbField{}
	}))
	add("odd vtable", "malformed", edited(func(_, sg fbObj, ts []fbObj) {
		sg[0] = fbRef([]fbObj{tensor("t", fbRef(fbRawTable{vtSize: 5}))})
		sg[1], sg[2], sg[3] = fbField{}, fbField{}, fbField{}
	}))
	return cases
}

func TestTFLiteCorrupt(t *testing.T) {
	for _, tc := range tfliteCorruptions() {
		m, err := Parse(tc.data)
		if err == nil || !strings.Contains(err.Error(), tc.error) {
			t.Errorf("%s: Parse = %v, %v; want an error containing %q", tc.name, m != nil, err, tc.error)
			continue
		}
		if msg := err.Error(); !strings.HasPrefix(msg, "tflite: ") || strings.Contains(msg, "\n") {
			t.Errorf("%s: error %q is not one line starting with \"tflite: \"", tc.name, msg)
		}
	}
}

// TestTFLiteTruncated cuts the tiny model at every length: the writer
// leaves no unused bytes at the end, so each cut must be an error.
func TestTFLiteTruncated(t *testing.T) {
	for _, write := range []func(*Model, []string) []byte{Write, WriteExternal} {
		data := write(tinyTFLite(), nil)
		for n := range len(data) {
			if _, err := Parse(data[:n:n]); err == nil {
				t.Fatalf("file of %d bytes cut to %d: no error", len(data), n)
			}
		}
	}
}

// TestTFLiteOverwrite writes extreme values over every word of the tiny
// model. Most are errors, some change only data; none may panic or break
// what a parsed model promises.
func TestTFLiteOverwrite(t *testing.T) {
	good := Write(tinyTFLite(), tinyLabels)
	for pos := 0; pos+4 <= len(good); pos++ {
		for _, v := range []uint32{0, 1, 0xff, 0x7fff, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff} {
			b := slices.Clone(good)
			le.PutUint32(b[pos:], v)
			if err := checkTFLite(b); err != nil {
				t.Fatalf("%#x at %d: %v", v, pos, err)
			}
		}
	}
}

// checkTFLite parses data and, if that works, dequantizes every tensor and
// reads the labels. It returns an error if the parsed model breaks a
// promise of Parse or InputShape; errors of parsing itself are fine.
func checkTFLite(data []byte) error {
	shape, shapeErr := InputShape(data)
	if shapeErr != nil {
		if msg := shapeErr.Error(); !strings.HasPrefix(msg, "tflite: ") || strings.Contains(msg, "\n") {
			return fmt.Errorf("InputShape error %q is not one line starting with \"tflite: \"", msg)
		}
	}
	m, err := Parse(data)
	if err == nil && len(m.Inputs) == 1 {
		if want := m.Tensors[m.Inputs[0]].Shape; shapeErr != nil || !slices.Equal(shape, want) {
			return fmt.Errorf("InputShape: %v, %v; Parse's input shape is %v", shape, shapeErr, want)
		}
	}
	if err != nil {
		if msg := err.Error(); !strings.HasPrefix(msg, "tflite: ") || strings.Contains(msg, "\n") {
			return fmt.Errorf("error %q is not one line starting with \"tflite: \"", msg)
		}
		return nil
	}
	// A naive check, apart from the parser's.
	valid := func(idx []int, optional bool) bool {
		for _, i := range idx {
			if !(i >= 0 && i < len(m.Tensors) || optional && i == -1) {
				return false
			}
		}
		return true
	}
	if !valid(m.Inputs, false) || !valid(m.Outputs, false) {
		return fmt.Errorf("subgraph inputs %v / outputs %v out of range", m.Inputs, m.Outputs)
	}
	for i, o := range m.Ops {
		if !valid(o.Inputs, true) || !valid(o.Outputs, true) {
			return fmt.Errorf("operator %d: inputs %v / outputs %v out of range", i, o.Inputs, o.Outputs)
		}
	}
	for i := range m.Tensors {
		t := &m.Tensors[i]
		if err := t.check(); err != nil {
			return fmt.Errorf("tensor %d passed parsing but not check: %v", i, err)
		}
		v, err := t.Floats()
		if err == nil && t.Data == nil {
			return fmt.Errorf("tensor %d: floats of an activation", i)
		}
		if n, _ := Elements(t.Shape); err == nil && len(v) != n {
			return fmt.Errorf("tensor %d: %d floats for shape %v", i, len(v), t.Shape)
		}
	}
	Labels(data)
	return nil
}

func FuzzParseTFLite(f *testing.F) {
	// The committed corpus in testdata holds the seeds; see TestTFLiteSeeds.
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := checkTFLite(data); err != nil {
			t.Fatal(err)
		}
	})
}

var updateSeeds = flag.Bool("update-tflite-seeds", false, "rewrite the FuzzParseTFLite seed corpus in testdata")

// tfliteSeeds are the fuzz seeds: tiny models made by Write.
func tfliteSeeds() map[string][]byte {
	seeds := map[string][]byte{
		"inline":          Write(tinyTFLite(), nil),
		"inline-labels":   Write(tinyTFLite(), tinyLabels),
		"external":        WriteExternal(tinyTFLite(), nil),
		"external-labels": WriteExternal(tinyTFLite(), tinyLabels),
	}
	small := tinyTFLite()
	small.Tensors, small.Ops = small.Tensors[:7], small.Ops[1:3]
	small.Outputs = []int{6}
	seeds["small"] = Write(small, []string{"a"})
	return seeds
}

// TestTFLiteSeeds checks that the committed fuzz seeds are the valid
// models tfliteSeeds makes; with -update-tflite-seeds it rewrites them.
func TestTFLiteSeeds(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzParseTFLite")
	for name, data := range tfliteSeeds() {
		file := filepath.Join(dir, name)
		corpus := fmt.Appendf(nil, "go test fuzz v1\n[]byte(%q)\n", data)
		if *updateSeeds {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(file, corpus, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := Parse(data); err != nil {
			t.Errorf("seed %s: %v", name, err)
		}
		if old, err := os.ReadFile(file); err != nil || !bytes.Equal(old, corpus) {
			t.Errorf("seed %s is missing or stale in %s (%v): run go test -run TestTFLiteSeeds -update-tflite-seeds", name, dir, err)
		}
	}
}

// realTFLite is what MODELS.md says of each shared model.
var realTFLite = []struct {
	file              string
	ops               int
	codes             map[int]int32 // op index -> code
	adds              []int
	in, out           string
	inScale, outScale float32
	inZero            int64
	classes           int
	background        int
	perChannel        bool
}{
	{
		file: "mobilenet_v2_1.0_224_quant.tflite", ops: 66,
		codes: map[int]int32{0: OpConv2D, 1: OpDepthwiseConv2D, 2: OpConv2D, 62: OpAveragePool2D, 63: OpConv2D, 64: OpReshape, 65: OpSoftmax},
		adds:  []int{9, 16, 20, 27, 31, 35, 42, 46, 53, 57},
		in:    "input", inScale: 0.0078125, inZero: 128,
		out: "MobilenetV2/Predictions/Softmax", outScale: 1.0 / 256,
		classes: 1001, background: 0,
	},
	{
		file: "tf2_mobilenet_v2_1.0_224_ptq.tflite", ops: 68,
		codes: map[int]int32{0: OpQuantize, 1: OpConv2D, 2: OpDepthwiseConv2D, 63: OpMean, 64: OpConv2D, 65: OpReshape, 66: OpSoftmax, 67: OpQuantize},
		adds:  []int{10, 17, 21, 28, 32, 36, 43, 47, 54, 58},
		in:    "input", inScale: 0.00784313772, inZero: 127,
		out: "Identity", outScale: 1.0 / 256,
		classes: 1001, background: 0, perChannel: true,
	},
	{
		file: "mobilenet_v2_1.0_224_inat_bird_quant.tflite", ops: 65,
		codes: map[int]int32{0: OpConv2D, 1: OpDepthwiseConv2D, 62: OpAveragePool2D, 63: OpFullyConnected, 64: OpSoftmax},
		adds:  []int{9, 16, 20, 27, 31, 35, 42, 46, 53, 57},
		in:    "map/TensorArrayStack/TensorArrayGatherV3", inScale: 0.0078125, inZero: 128,
		out: "prediction", outScale: 1.0 / 256,
		classes: 965, background: 964,
	},
	{
		file: "mobilenet_v2_1.0_224_inat_insect_quant.tflite", ops: 65,
		codes: map[int]int32{0: OpConv2D, 1: OpDepthwiseConv2D, 62: OpAveragePool2D, 63: OpFullyConnected, 64: OpSoftmax},
		adds:  []int{9, 16, 20, 27, 31, 35, 42, 46, 53, 57},
		in:    "map/TensorArrayStack/TensorArrayGatherV3", inScale: 0.0078125, inZero: 128,
		out: "prediction", outScale: 1.0 / 256,
		classes: 1022, background: 1021,
	},
}

func TestTFLiteRealFiles(t *testing.T) {
	dir := filepath.Join(shareddata.Dir(t), "models")
	for _, want := range realTFLite {
		t.Run(want.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(dir, want.file))
			if err != nil {
				t.Fatal(err)
			}
			m, err := Parse(data)
			if err != nil {
				t.Fatal(err)
			}
			if s, err := InputShape(data); err != nil || !slices.Equal(s, []int{1, 224, 224, 3}) {
				t.Errorf("InputShape: %v, %v; want [1 224 224 3]", s, err)
			}
			if m.Version != 3 || m.Description != "MLIR Converted." {
				t.Errorf("version %d, description %q", m.Version, m.Description)
			}
			if len(m.Ops) != want.ops {
				t.Fatalf("%d ops, want %d", len(m.Ops), want.ops)
			}
			for i, code := range want.codes {
				if m.Ops[i].Code != code {
					t.Errorf("op %d is %s, want %s", i, m.Ops[i].Name, opName(code))
				}
			}
			var adds []int
			for i, o := range m.Ops {
				if o.Code == OpAdd {
					adds = append(adds, i)
				}
			}
			if !slices.Equal(adds, want.adds) {
				t.Errorf("ADDs at %v, want %v", adds, want.adds)
			}

			if len(m.Inputs) != 1 || len(m.Outputs) != 1 {
				t.Fatalf("inputs %v, outputs %v", m.Inputs, m.Outputs)
			}
			in, out := m.Tensors[m.Inputs[0]], m.Tensors[m.Outputs[0]]
			if in.Name != want.in || !slices.Equal(in.Shape, []int{1, 224, 224, 3}) || in.Type != Uint8 ||
				!slices.Equal(in.Scale, []float32{want.inScale}) || !slices.Equal(in.ZeroPoint, []int64{want.inZero}) || in.Data != nil {
				t.Errorf("input %q %v %s scale %v zero point %v", in.Name, in.Shape, in.Type.String(), in.Scale, in.ZeroPoint)
			}
			if out.Name != want.out || !slices.Equal(out.Shape, []int{1, want.classes}) || out.Type != Uint8 ||
				!slices.Equal(out.Scale, []float32{want.outScale}) || !slices.Equal(out.ZeroPoint, []int64{0}) {
				t.Errorf("output %q %v %s scale %v zero point %v", out.Name, out.Shape, out.Type.String(), out.Scale, out.ZeroPoint)
			}

			// The stem: CONV_2D 3x3 stride 2, SAME, RELU6, 32 output channels.
			stem := m.Ops[slices.IndexFunc(m.Ops, func(o Op) bool { return o.Code == OpConv2D })]
			if stem.Padding != 0 || stem.StrideW != 2 || stem.StrideH != 2 || stem.Activation != 3 || stem.DilationW != 1 || stem.DilationH != 1 {
				t.Errorf("stem options %+v", stem)
			}
			w := m.Tensors[stem.Inputs[1]]
			if !slices.Equal(w.Shape, []int{32, 3, 3, 3}) {
				t.Errorf("stem weights %v", w.Shape)
			}
			if want.perChannel != (len(w.Scale) == 32) || want.perChannel && (w.Type != Int8 || w.QuantDim != 0) {
				t.Errorf("stem weights %s with %d scales along %d", w.Type.String(), len(w.Scale), w.QuantDim)
			}
			v, err := w.Floats()
			if err != nil {
				t.Fatal(err)
			}
			if len(v) != 32*27 {
				t.Errorf("stem weights: %d floats, want %d", len(v), 32*27)
			}
			if q := float64(int8(w.Data[27])); w.Type == Int8 && v[27] != float32(float64(w.Scale[1])*q) {
				t.Errorf("stem weight [1,0,0,0] = %g, want %g*%g", v[27], w.Scale[1], q)
			}
			dw := m.Tensors[m.Ops[slices.IndexFunc(m.Ops, func(o Op) bool { return o.Code == OpDepthwiseConv2D })].Inputs[1]]
			if want.perChannel && (dw.QuantDim != 3 || len(dw.Scale) != 32) {
				t.Errorf("depthwise weights: %d scales along %d, want 32 along 3", len(dw.Scale), dw.QuantDim)
			}
			for _, o := range m.Ops {
				switch o.Code {
				case OpMean:
					if !o.KeepDims {
						t.Errorf("MEAN without keep_dims")
					}
				case OpAveragePool2D:
					if o.FilterW != 7 || o.FilterH != 7 || o.Padding != 1 {
						t.Errorf("pool %+v", o)
					}
				case OpSoftmax:
					if o.Beta != 1 {
						t.Errorf("softmax beta %g", o.Beta)
					}
				}
			}
			for i := range m.Tensors {
				if tt := &m.Tensors[i]; tt.Data != nil && (tt.Type != Int32 || tt.Scale != nil) {
					if _, err := tt.Floats(); err != nil {
						t.Error(err)
					}
				}
			}

			labels, err := Labels(data)
			if err != nil {
				t.Fatal(err)
			}
			if len(labels) != want.classes || labels[want.background] != "background" {
				t.Errorf("%d labels with %q at %d, want %d with background", len(labels), labels[min(want.background, len(labels)-1)], want.background, want.classes)
			}

			// Cut anywhere in the first half, the file loses weights.
			for n := 0; n < len(data)/2; n += len(data)/128 + 1 {
				if _, err := Parse(data[:n:n]); err == nil {
					t.Errorf("cut to %d bytes: no error", n)
				}
			}
		})
	}
}

// BenchmarkTFLiteLoad parses the TF1 ImageNet model and dequantizes all its
// constant tensors, as loading does.
func BenchmarkTFLiteLoad(b *testing.B) {
	data, err := os.ReadFile(filepath.Join(shareddata.Dir(b), "models", "mobilenet_v2_1.0_224_quant.tflite"))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		m, err := Parse(data)
		if err != nil {
			b.Fatal(err)
		}
		for i := range m.Tensors {
			if t := &m.Tensors[i]; t.Data != nil && t.Scale != nil {
				if _, err := t.Floats(); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
}
