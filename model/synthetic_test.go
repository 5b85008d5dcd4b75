package model

import (
	"bytes"
	"encoding/binary"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unsafe"

	"github.com/mbv2/mbv2/kernels"
	"github.com/mbv2/mbv2/model/internal/tflite"
)

// synthNet draws the random weights of the network of cfg, as Synthetic
// does, for the tests to write as TFLite files.
func synthNet(cfg Config, seed uint64) []convSpec {
	a, err := NewArch(cfg)
	if err != nil {
		panic(err)
	}
	return randomConvs(a, seed)
}

// synthTFLite lays the network out as a TFLite graph: a uint8 input with
// quantization (x = (p-128)/128), float32 weights, optional uint8 per-tensor
// quantized weights when quant is set, a 1x1 conv classifier then RESHAPE
// (or FULLY_CONNECTED when fc is set), SOFTMAX.
func synthTFLite(cfg Config, specs []convSpec, quant, fc bool) *tflite.Model {
	m := &tflite.Model{Version: 3, Description: "synthetic MobileNetV2"}
	tensor := func(t tflite.Tensor) int {
		m.Tensors = append(m.Tensors, t)
		return len(m.Tensors) - 1
	}
	act := func(name string, shape ...int) int {
		return tensor(tflite.Tensor{Name: name, Shape: shape, Type: tflite.Float32})
	}
	floats := func(name string, v []float32, shape ...int) int {
		if quant && len(shape) > 1 {
			lo, hi := float32(0), float32(0)
			for _, x := range v {
				lo, hi = min(lo, x), max(hi, x)
			}
			scale := (hi - lo) / 255
			zp := int64(math.Round(float64(-lo / scale)))
			q := make([]byte, len(v))
			for i, x := range v {
				q[i] = byte(max(0, min(255, math.Round(float64(x/scale))+float64(zp))))
				v[i] = scale * (float32(q[i]) - float32(zp)) // the reference uses what the file holds
			}
			return tensor(tflite.Tensor{Name: name, Shape: shape, Type: tflite.Uint8, Data: q, Scale: []float32{scale}, ZeroPoint: []int64{zp}})
		}
		var buf bytes.Buffer
		binary.Write(&buf, binary.LittleEndian, v)
		return tensor(tflite.Tensor{Name: name, Shape: shape, Type: tflite.Float32, Data: buf.Bytes()})
	}
	op := func(o tflite.Op) { m.Ops = append(m.Ops, o) }

	h := cfg.Res
	cur := tensor(tflite.Tensor{Name: "input", Shape: []int{1, h, h, 3}, Type: tflite.Uint8, Scale: []float32{1.0 / 128}, ZeroPoint: []int64{128}})
	m.Inputs = []int{cur}
	blockIn := cur
	for i, s := range specs {
		name := fmt.Sprintf("%d_%s", i, s.kind)
		if s.kind == "classifier" {
			pooled := act("pool", 1, 1, 1, s.cin)
			op(tflite.Op{Code: tflite.OpAveragePool2D, Inputs: []int{cur}, Outputs: []int{pooled}, Padding: 1, StrideW: 1, StrideH: 1, FilterW: h, FilterH: h})
			cur = pooled
			out := act("logits", 1, s.cout)
			b := floats(name+"/b", s.b, s.cout)
			if fc {
				w := floats(name+"/w", s.w, s.cout, s.cin)
				op(tflite.Op{Code: tflite.OpFullyConnected, Inputs: []int{cur, w, b}, Outputs: []int{out}})
			} else {
				w := floats(name+"/w", s.w, s.cout, 1, 1, s.cin)
				conv := act("logits4", 1, 1, 1, s.cout)
				op(tflite.Op{Code: tflite.OpConv2D, Inputs: []int{cur, w, b}, Outputs: []int{conv}, StrideW: 1, StrideH: 1, DilationW: 1, DilationH: 1})
				shape := tensor(tflite.Tensor{Name: "shape", Shape: []int{2}, Type: tflite.Int32, Data: []byte{1, 0, 0, 0, byte(s.cout), byte(s.cout >> 8), 0, 0}})
				op(tflite.Op{Code: tflite.OpReshape, Inputs: []int{conv, shape}, Outputs: []int{out}})
			}
			probs := act("probs", 1, s.cout)
			op(tflite.Op{Code: tflite.OpSoftmax, Inputs: []int{out}, Outputs: []int{probs}, Beta: 1})
			m.Outputs = []int{probs}
			return m
		}
		if s.kind == "expand" || s.kind == "depthwise" && i == 1 {
			blockIn = cur
		}
		oh := (h + s.stride - 1) / s.stride
		out := act(name, 1, oh, oh, s.cout)
		var w int
		code := tflite.OpConv2D
		if s.kind == "depthwise" {
			code = tflite.OpDepthwiseConv2D
			w = floats(name+"/w", s.w, 1, 3, 3, s.cout)
		} else {
			w = floats(name+"/w", s.w, s.cout, s.k, s.k, s.cin)
		}
		b := floats(name+"/b", s.b, s.cout)
		o := tflite.Op{Code: int32(code), Inputs: []int{cur, w, b}, Outputs: []int{out}, StrideW: s.stride, StrideH: s.stride, DilationW: 1, DilationH: 1}
		if s.relu6 {
			o.Activation = actRelu6
		}
		if code == tflite.OpDepthwiseConv2D {
			o.DepthMultiplier = 1
		}
		op(o)
		cur, h = out, oh
		if s.residual {
			sum := act(name+"/add", 1, h, h, s.cout)
			op(tflite.Op{Code: tflite.OpAdd, Inputs: []int{cur, blockIn}, Outputs: []int{sum}})
			cur = sum
		}
	}
	panic("no classifier")
}

// naiveForward runs the network in float64, straight from the specs: the
// reference for the packed kernels, the loader and the graph together.
func naiveForward(cfg Config, specs []convSpec, rgb []byte) []float64 {
	h := cfg.Res
	x := make([]float64, len(rgb))
	for i, p := range rgb {
		x[i] = (float64(p) - 128) / 128
	}
	blockIn := x
	for i, s := range specs {
		if s.kind == "classifier" {
			c := s.cin
			pooled := make([]float64, c)
			for p := range h * h {
				for j := range c {
					pooled[j] += x[p*c+j]
				}
			}
			logits := make([]float64, s.cout)
			for o := range s.cout {
				sum := float64(s.b[o])
				for j := range c {
					sum += pooled[j] / float64(h*h) * float64(s.w[o*c+j])
				}
				logits[o] = sum
			}
			return logits
		}
		if s.kind == "expand" || s.kind == "depthwise" && i == 1 {
			blockIn = x
		}
		oh := (h + s.stride - 1) / s.stride
		pad := max((oh-1)*s.stride+s.k-h, 0) / 2
		y := make([]float64, oh*oh*s.cout)
		for oy := range oh {
			for ox := range oh {
				for o := range s.cout {
					sum := float64(s.b[o])
					for ky := range s.k {
						for kx := range s.k {
							iy, ix := oy*s.stride+ky-pad, ox*s.stride+kx-pad
							if iy < 0 || iy >= h || ix < 0 || ix >= h {
								continue
							}
							if s.kind == "depthwise" {
								sum += x[(iy*h+ix)*s.cin+o] * float64(s.w[(ky*3+kx)*s.cout+o])
								continue
							}
							for c := range s.cin {
								sum += x[(iy*h+ix)*s.cin+c] * float64(s.w[((o*s.k+ky)*s.k+kx)*s.cin+c])
							}
						}
					}
					if s.relu6 {
						sum = min(max(sum, 0), 6)
					}
					y[(oy*oh+ox)*s.cout+o] = sum
				}
			}
		}
		if s.residual {
			for j := range y {
				y[j] += blockIn[j]
			}
		}
		x, h = y, oh
	}
	panic("no classifier")
}

func randomRGB(n int, seed uint64) []byte {
	rng := rand.New(rand.NewPCG(seed, 2))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.IntN(256))
	}
	return b
}

// TestSyntheticModels writes random MobileNetV2s of several widths,
// resolutions and storage formats as TFLite files, loads them, and checks
// the forward pass against the float64 reference.
func TestSyntheticModels(t *testing.T) {
	cases := []struct {
		cfg       Config
		quant, fc bool
	}{
		{Config{Width: 0.35, Res: 32, Classes: 10}, false, false},
		{Config{Width: 0.5, Res: 45, Classes: 7}, true, true}, // odd sizes: SAME pads 1/1 at stride 2
		{Config{Width: 1.0, Res: 64, Classes: 1001}, true, false},
		{Config{Width: 1.4, Res: 40, Classes: 3}, false, true},
	}
	for _, c := range cases {
		name := fmt.Sprintf("%g_%d_quant=%v_fc=%v", c.cfg.Width, c.cfg.Res, c.quant, c.fc)
		t.Run(name, func(t *testing.T) {
			specs := synthNet(c.cfg, 1)
			file := tflite.Write(synthTFLite(c.cfg, specs, c.quant, c.fc), nil)
			m, err := Load(file)
			if err != nil {
				t.Fatal(err)
			}
			if m.Width != c.cfg.Width || m.Res != c.cfg.Res || m.Classes != c.cfg.Classes {
				t.Fatalf("loaded width %g res %d classes %d", m.Width, m.Res, m.Classes)
			}
			r, err := m.NewRunner(m.Res, 1)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			for seed := range uint64(3) {
				rgb := randomRGB(m.Res*m.Res*3, seed)
				r.Forward(rgb)
				want := naiveForward(c.cfg, specs, rgb)
				for i, got := range r.Logits() {
					if d := math.Abs(float64(got) - want[i]); d > 1e-4*max(1, math.Abs(want[i])) {
						t.Fatalf("image %d: logit %d = %g, reference %g", seed, i, got, want[i])
					}
				}
			}
		})
	}
}

// TestSyntheticSameBits checks that, under every kernel set, any thread
// count and schedule gives the same bits as one thread streaming: the
// sizes below make the threads split small blocks by channels (and then
// the stem run on its own), strips of one row, and bands of one row.
func TestSyntheticSameBits(t *testing.T) {
	cfgs := []Config{
		{Width: 0.35, Res: 32, Classes: 10},
		{Width: 0.5, Res: 45, Classes: 7}, // odd sizes: SAME pads 1/1 at stride 2
		{Width: 1.0, Res: 64, Classes: 1001},
		{Width: 1.4, Res: 40, Classes: 3},
	}
	defaultStrip := stripBytes
	t.Cleanup(func() { stripBytes = defaultStrip })
	for _, set := range kernels.Sets() {
		for _, cfg := range cfgs {
			t.Run(fmt.Sprintf("%s/%g_%d", set, cfg.Width, cfg.Res), func(t *testing.T) {
				prev := kernels.Name()
				if err := kernels.Use(set); err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { kernels.Use(prev) })
				m, err := Synthetic(cfg, 2)
				if err != nil {
					t.Fatal(err)
				}
				stripBytes = defaultStrip
				r, _ := m.NewRunner(m.Res, 1)
				defer r.Close()
				for seed := range uint64(2) {
					rgb := randomRGB(m.Res*m.Res*3, seed)
					want := slices.Clone(r.Forward(rgb))
					for _, threads := range []int{1, 2, 3, 8} {
						for _, schedule := range []string{"layerwise", "streamed", "one-row strips"} {
							stripBytes = defaultStrip
							if schedule == "one-row strips" {
								stripBytes = 1
							}
							rt, _ := m.NewRunner(m.Res, threads)
							rt.SetLayerwise(schedule == "layerwise")
							for i, got := range rt.Forward(rgb) {
								if got != want[i] {
									t.Fatalf("image %d, %d threads, %s: probability %d = %g, streamed on 1 thread %g",
										seed, threads, schedule, i, got, want[i])
								}
							}
							rt.Close()
						}
					}
				}
			})
		}
	}
}

// TestLoadRejects breaks a valid file in each way a model can be wrong: each
// must give an error that says what was expected, never a panic.
func TestLoadRejects(t *testing.T) {
	cfg := Config{Width: 0.35, Res: 32, Classes: 10}
	specs := synthNet(cfg, 1)
	good := func() *tflite.Model { return synthTFLite(cfg, specs, true, false) }
	if _, err := Load(tflite.Write(good(), nil)); err != nil {
		t.Fatal(err)
	}
	opIndex := func(m *tflite.Model, code int32, nth int) int {
		for i, o := range m.Ops {
			if o.Code == code {
				if nth == 0 {
					return i
				}
				nth--
			}
		}
		t.Fatalf("no op %d", code)
		return -1
	}
	cases := []struct {
		name  string
		edit  func(m *tflite.Model)
		bytes func(b []byte) []byte
		want  string
	}{
		{name: "truncated", bytes: func(b []byte) []byte { return b[:len(b)/2] }, want: "tflite"},
		{name: "empty", bytes: func(b []byte) []byte { return nil }, want: "tflite"},
		{name: "wrong magic", bytes: func(b []byte) []byte { copy(b[4:8], "XXXX"); return b }, want: "TFL3"},
		{name: "unsupported op", edit: func(m *tflite.Model) { m.Ops[opIndex(m, tflite.OpAdd, 0)].Code = 18 /* MUL */ }, want: "expected"},
		{name: "missing residual add", edit: func(m *tflite.Model) {
			i := opIndex(m, tflite.OpAdd, 0)
			m.Ops[i+1].Inputs[0] = m.Ops[i].Inputs[0]
			m.Ops = append(m.Ops[:i], m.Ops[i+1:]...)
		}, want: "Table 2"},
		{name: "missing weights", edit: func(m *tflite.Model) { m.Ops[0].Inputs = m.Ops[0].Inputs[:1] }, want: "no weights"},
		{name: "missing tensor", edit: func(m *tflite.Model) { m.Ops[3].Inputs[1] = len(m.Tensors) + 5 }, want: "tensor"},
		{name: "wrong stem shape", edit: func(m *tflite.Model) { m.Tensors[m.Ops[0].Inputs[1]].Shape = []int{16, 1, 1, 27} }, want: "3x3"},
		{name: "wrong stride", edit: func(m *tflite.Model) { m.Ops[0].StrideW = 1 }, want: "stride 2"},
		{name: "relu on projection", edit: func(m *tflite.Model) { m.Ops[2].Activation = actRelu6 }, want: "activation NONE"},
		{name: "no softmax", edit: func(m *tflite.Model) { m.Ops = m.Ops[:len(m.Ops)-1]; m.Outputs = m.Ops[len(m.Ops)-1].Outputs }, want: "SOFTMAX"},
		{name: "broken chain", edit: func(m *tflite.Model) { m.Ops[5].Inputs[0] = m.Ops[1].Outputs[0] }, want: "previous layer"},
		{name: "rgba input", edit: func(m *tflite.Model) { m.Tensors[m.Inputs[0]].Shape = []int{1, 32, 32, 4} }, want: "[1,N,N,3]"},
		{name: "not square", edit: func(m *tflite.Model) { m.Tensors[m.Inputs[0]].Shape = []int{1, 32, 48, 3} }, want: "[1,N,N,3]"},
		{name: "odd width", edit: func(m *tflite.Model) {
			// A first projection of 4 channels is no published width's.
			p := m.Ops[2]
			w := &m.Tensors[p.Inputs[1]]
			w.Shape[0], w.Data = 4, w.Data[:4*w.Shape[3]]
			b := &m.Tensors[p.Inputs[2]]
			b.Shape[0], b.Data = 4, b.Data[:4*4]
		}, want: "expected"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := good()
			if c.edit != nil {
				c.edit(m)
			}
			b := tflite.Write(m, nil)
			if c.bytes != nil {
				b = c.bytes(b)
			}
			_, err := Load(b)
			if err == nil {
				t.Fatal("loaded")
			}
			t.Log(err)
			if !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q: want one line containing %q", err, c.want)
			}
		})
	}
}

var update = flag.Bool("update", false, "rewrite the generated files under testdata")

// TestTinyModelFile keeps testdata/mbv2_tiny.tflite, the small random
// MobileNetV2 that the command's tests classify with, in step with the code
// that writes it: run with -update to rewrite it.
func TestTinyModelFile(t *testing.T) {
	cfg := Config{Width: 0.35, Res: 32, Classes: 4}
	file := tflite.Write(synthTFLite(cfg, synthNet(cfg, 7), true, false), []string{"alpha", "beta", "gamma", "delta"})
	path := filepath.Join("..", "testdata", "mbv2_tiny.tflite")
	if *update {
		if err := os.WriteFile(path, file, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./model -run TestTinyModelFile -update)", err)
	}
	if !bytes.Equal(got, file) {
		t.Fatalf("%s is stale: run go test ./model -run TestTinyModelFile -update", path)
	}
	m, err := Load(got)
	if err != nil || len(m.Labels) != 4 {
		t.Fatalf("load: %v, labels %v", err, m.Labels)
	}
}

// TestSynthetic checks that Synthetic packs the weights the tests write as
// files exactly as Load does, and that its activations stay normal floats.
func TestSynthetic(t *testing.T) {
	cfg := Config{Width: 0.75, Res: 64, Classes: 1001}
	m, err := Synthetic(cfg, 3)
	if err != nil {
		t.Fatal(err)
	}
	loaded, err := Load(tflite.Write(synthTFLite(cfg, synthNet(cfg, 3), false, false), nil))
	if err != nil {
		t.Fatal(err)
	}
	if m.Config != loaded.Config || m.InputScale != loaded.InputScale || m.InputZero != loaded.InputZero {
		t.Fatalf("synthetic %+v x=%g*(p-%g), loaded %+v x=%g*(p-%g)", m.Config, m.InputScale, m.InputZero, loaded.Config, loaded.InputScale, loaded.InputZero)
	}
	// Any resolution: the network is fully convolutional.
	for _, res := range []int{64, 96} {
		r, _ := m.NewRunner(res, 1)
		r.SetLayerwise(true) // so that e and d hold whole expanded tensors
		rl, _ := loaded.NewRunner(res, 1)
		rgb := randomRGB(res*res*3, 5)
		r.Forward(rgb)
		rl.Forward(rgb)
		for i, got := range r.Logits() {
			if got != rl.Logits()[i] {
				t.Fatalf("res %d: logit %d = %g, loaded from a file %g", res, i, got, rl.Logits()[i])
			}
		}
		// The last values each buffer held: a denormal or an overflow
		// anywhere would most likely leave a trace.
		for name, buf := range map[string][]float32{"x": r.x, "y": r.y, "e": r.e, "d": r.d, "pooled": r.pooled, "logits": r.logits} {
			for i, v := range buf {
				if a := math.Abs(float64(v)); a != 0 && a < 0x1p-126 || a > 1e4 || math.IsNaN(a) {
					t.Fatalf("res %d: %s[%d] = %g: not a normal activation", res, name, i, v)
				}
			}
		}
		r.Close()
		rl.Close()
	}
	if _, err := Synthetic(Config{Width: 0, Res: 224, Classes: 1001}, 1); err == nil {
		t.Error("width 0: no error")
	}
}

// FuzzLoad loads mutated MobileNetV2 files: an error or a model, never a
// panic, and nothing allocated beyond what the file's size justifies.
//
// The files are the smallest MobileNetV2s Load takes (width 0.35, 32x32,
// two classes), float and quantized, with their weights stored after the
// flatbuffer; an input overwrites the flatbuffer (its 22 KB of tables,
// shapes, operators and quantization) with patch at offset at. Mutating
// the weights explores nothing, and whole files as inputs made the fuzzer
// spend its time minimizing megabytes: about 10 executions a minute. A
// model mutated to a large input is loaded but not run, so that one
// execution stays a few milliseconds.
func FuzzLoad(f *testing.F) {
	cfg := Config{Width: 0.35, Res: 32, Classes: 2}
	var files [2][]byte
	var heads [2]int // the flatbuffer's length
	for i, quant := range []bool{false, true} {
		files[i] = tflite.WriteExternal(synthTFLite(cfg, synthNet(cfg, 3), quant, false), []string{"a", "b"})
		heads[i] = flatbufferLen(f, files[i])
		f.Add(quant, uint16(0), []byte(nil))
	}
	// The input's shape, [1, 32, 32, 3], to 4096 and to 0.
	at := bytes.Index(files[0], []byte{1, 0, 0, 0, 32, 0, 0, 0, 32, 0, 0, 0, 3, 0, 0, 0})
	if at < 0 {
		f.Fatal("no input shape in the file")
	}
	f.Add(false, uint16(at+4), []byte{0, 16, 0, 0, 0, 16})
	f.Add(false, uint16(at+4), []byte{0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, quant bool, at uint16, patch []byte) {
		i := 0
		if quant {
			i = 1
		}
		data := bytes.Clone(files[i])
		if n := heads[i]; int(at) < n {
			copy(data[at:n], patch)
		}
		m, err := Load(data)
		if err != nil || m.Res > 64 {
			return
		}
		r, err := m.NewRunner(m.Res, 1)
		if err != nil {
			return
		}
		defer r.Close()
		probs := r.Forward(make([]byte, m.Res*m.Res*3))
		if len(probs) != m.Classes {
			t.Fatalf("%d probabilities for %d classes", len(probs), m.Classes)
		}
	})
}

// flatbufferLen is the length of the flatbuffer of a file that WriteExternal
// wrote: the file offset of its first external buffer (Parse's Data slices
// alias the file).
func flatbufferLen(tb testing.TB, file []byte) int {
	m, err := tflite.Parse(file)
	if err != nil {
		tb.Fatal(err)
	}
	n := len(file)
	for _, t := range m.Tensors {
		if t.Data != nil {
			n = min(n, int(uintptr(unsafe.Pointer(unsafe.SliceData(t.Data)))-uintptr(unsafe.Pointer(unsafe.SliceData(file)))))
		}
	}
	return n
}

func TestInputSize(t *testing.T) {
	cfg := Config{Width: 0.35, Res: 40, Classes: 3}
	file := tflite.Write(synthTFLite(cfg, synthNet(cfg, 1), true, false), nil)
	if res, err := InputSize(file); res != 40 || err != nil {
		t.Errorf("InputSize: %d, %v; want 40", res, err)
	}
	for _, bad := range [][]byte{nil, file[:12], []byte("not a model at all")} {
		if res, err := InputSize(bad); err == nil {
			t.Errorf("InputSize of %d bad bytes: %d, no error", len(bad), res)
		}
	}
	// It reads no further than the input's shape: a file cut short after
	// that still tells its size, and is refused by the load.
	cut := file[:len(file)/3]
	if res, err := InputSize(cut); res != 40 || err != nil {
		t.Errorf("InputSize of the first third: %d, %v; want 40", res, err)
	}
	if _, err := LoadAs(cut, ""); err == nil {
		t.Error("LoadAs of the first third: no error")
	}
	// LoadSized tells the resolution before it returns the model.
	told := 0
	m, err := LoadSized(file, "", func(res int) { told = res })
	if err != nil || told != 40 || m.Res != 40 {
		t.Errorf("LoadSized: told %d, model %v, %v; want 40", told, m, err)
	}
}
