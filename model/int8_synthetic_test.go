package model

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/mbv2/mbv2/model/internal/tflite"
)

// Small quantized MobileNetV2 files of both schemes of the shipped models,
// made here, run by the integer forward pass and by refInterpret, a
// straightforward int64 interpreter of TFLite's formulas over the file's
// operators: the logits must agree bit for bit, and so the probabilities.

// quantSynthTFLite lays out a random MobileNetV2 of cfg as a fully
// quantized TFLite graph: TF1's scheme (uint8 everywhere, weights per
// tensor and asymmetric, AVERAGE_POOL_2D, a FULLY_CONNECTED classifier)
// or TF2's (a QUANTIZE to int8, weights int8 per channel and symmetric,
// MEAN, a 1x1 CONV_2D classifier and RESHAPE, a QUANTIZE back to uint8).
func quantSynthTFLite(cfg Config, seed uint64, tf2 bool) *tflite.Model {
	a, err := NewArch(cfg)
	if err != nil {
		panic(err)
	}
	r := rand.New(rand.NewPCG(seed, 9))
	m := &tflite.Model{Version: 3, Description: "synthetic quantized MobileNetV2"}
	tensor := func(t tflite.Tensor) int {
		m.Tensors = append(m.Tensors, t)
		return len(m.Tensors) - 1
	}
	actType, shift := tflite.Uint8, int64(0) // zero points of int8 tensors are 128 less
	if tf2 {
		actType, shift = tflite.Int8, 128
	}
	// act makes an activation tensor: ReLU6 outputs as the files have them,
	// others with a random scale and zero point.
	act := func(name string, relu6 bool, shape ...int) int {
		s, z := float32(6.0/255), int64(0)
		if !relu6 {
			s, z = float32(0.05+0.2*r.Float64()), int64(64+r.IntN(128))
		}
		return tensor(tflite.Tensor{Name: name, Shape: shape, Type: actType, Scale: []float32{s}, ZeroPoint: []int64{z - shift}})
	}
	scale := func(t int) float32 { return m.Tensors[t].Scale[0] }
	// weights of outs channels along dim, fanIn inputs each, scaled so
	// that the layer's outputs spread over their 8 bits.
	weights := func(name string, in, out, outs, dim, fanIn int, shape ...int) (w, b int) {
		n := 1
		for _, d := range shape {
			n *= d
		}
		data := make([]byte, n)
		for i := range data {
			data[i] = byte(r.IntN(256))
		}
		ws := scale(out) / scale(in) / float32(80*math.Sqrt(float64(fanIn)))
		t := tflite.Tensor{Name: name + "/w", Shape: shape, Data: data}
		if tf2 {
			t.Type, t.QuantDim = tflite.Int8, dim
			for range outs {
				t.Scale = append(t.Scale, ws*float32(0.5+r.Float64()))
				t.ZeroPoint = append(t.ZeroPoint, 0)
			}
			for i := range data {
				data[i] = byte(int8(r.IntN(255) - 127))
			}
		} else {
			t.Type, t.Scale, t.ZeroPoint = tflite.Uint8, []float32{ws}, []int64{int64(r.IntN(20) + 118)}
		}
		w = tensor(t)
		bias := make([]byte, 4*outs)
		for c := range outs {
			// A real bias of -0.5 to 1.5 keeps a share of each ReLU6 alive.
			real := -0.5 + 2*r.Float64()
			binary.LittleEndian.PutUint32(bias[4*c:], uint32(int32(real/float64(scale(in)*ws))))
		}
		b = tensor(tflite.Tensor{Name: name + "/b", Shape: []int{outs}, Type: tflite.Int32, Data: bias,
			Scale: []float32{scale(in) * ws}, ZeroPoint: []int64{0}})
		return w, b
	}
	op := func(o tflite.Op) { m.Ops = append(m.Ops, o) }
	conv := func(name string, in, k, stride, cin, cout int, relu6 bool, h int) (int, int) {
		oh := (h + stride - 1) / stride
		out := act(name, relu6, 1, oh, oh, cout)
		w, b := weights(name, in, out, cout, 0, k*k*cin, cout, k, k, cin)
		o := tflite.Op{Code: tflite.OpConv2D, Inputs: []int{in, w, b}, Outputs: []int{out}, StrideW: stride, StrideH: stride, DilationW: 1, DilationH: 1}
		if relu6 {
			o.Activation = actRelu6
		}
		op(o)
		return out, oh
	}

	h := cfg.Res
	in := tensor(tflite.Tensor{Name: "input", Shape: []int{1, h, h, 3}, Type: tflite.Uint8, Scale: []float32{1.0 / 128}, ZeroPoint: []int64{128}})
	m.Inputs = []int{in}
	cur := in
	if tf2 {
		m.Tensors[in].Scale, m.Tensors[in].ZeroPoint = []float32{2.0 / 255}, []int64{127}
		cur = tensor(tflite.Tensor{Name: "input_int8", Shape: []int{1, h, h, 3}, Type: tflite.Int8, Scale: []float32{2.0 / 255}, ZeroPoint: []int64{-1}})
		op(tflite.Op{Code: tflite.OpQuantize, Inputs: []int{in}, Outputs: []int{cur}})
	}
	cur, h = conv("stem", cur, 3, 2, 3, a.Stem, true, h)
	for i, b := range a.Bottlenecks {
		blockIn := cur
		e := b.Expanded()
		if b.T != 1 {
			cur, _ = conv(fmt.Sprintf("b%d/expand", i), cur, 1, 1, b.In, e, true, h)
		}
		oh := (h + b.Stride - 1) / b.Stride
		dw := act(fmt.Sprintf("b%d/dw", i), true, 1, oh, oh, e)
		w, bias := weights(fmt.Sprintf("b%d/dw", i), cur, dw, e, 3, 9, 1, 3, 3, e)
		op(tflite.Op{Code: tflite.OpDepthwiseConv2D, Inputs: []int{cur, w, bias}, Outputs: []int{dw}, StrideW: b.Stride, StrideH: b.Stride,
			DilationW: 1, DilationH: 1, DepthMultiplier: 1, Activation: actRelu6})
		cur, h = conv(fmt.Sprintf("b%d/project", i), dw, 1, 1, e, b.Out, false, oh)
		if b.Residual {
			sum := act(fmt.Sprintf("b%d/add", i), false, 1, h, h, b.Out)
			inputs := []int{cur, blockIn}
			if tf2 {
				inputs = []int{blockIn, cur}
			}
			op(tflite.Op{Code: tflite.OpAdd, Inputs: inputs, Outputs: []int{sum}})
			cur = sum
		}
	}
	cur, h = conv("head", cur, 1, 1, a.Bottlenecks[len(a.Bottlenecks)-1].Out, a.Head, true, h)
	var pooled int
	if tf2 {
		pooled = act("pool", false, 1, 1, 1, a.Head)
		axes := tensor(tflite.Tensor{Name: "axes", Shape: []int{2}, Type: tflite.Int32, Data: []byte{1, 0, 0, 0, 2, 0, 0, 0}})
		op(tflite.Op{Code: tflite.OpMean, Inputs: []int{cur, axes}, Outputs: []int{pooled}, KeepDims: true})
	} else {
		t := m.Tensors[cur]
		pooled = tensor(tflite.Tensor{Name: "pool", Shape: []int{1, 1, 1, a.Head}, Type: actType, Scale: t.Scale, ZeroPoint: t.ZeroPoint})
		op(tflite.Op{Code: tflite.OpAveragePool2D, Inputs: []int{cur}, Outputs: []int{pooled}, Padding: 1, StrideW: 1, StrideH: 1, FilterW: h, FilterH: h})
	}
	logits := act("logits", false, 1, cfg.Classes)
	if tf2 {
		conv4 := tensor(m.Tensors[logits])
		m.Tensors[conv4].Shape = []int{1, 1, 1, cfg.Classes}
		w, b := weights("classifier", pooled, conv4, cfg.Classes, 0, a.Head, cfg.Classes, 1, 1, a.Head)
		op(tflite.Op{Code: tflite.OpConv2D, Inputs: []int{pooled, w, b}, Outputs: []int{conv4}, StrideW: 1, StrideH: 1, DilationW: 1, DilationH: 1})
		shape := tensor(tflite.Tensor{Name: "shape", Shape: []int{2}, Type: tflite.Int32, Data: []byte{1, 0, 0, 0, byte(cfg.Classes), 0, 0, 0}})
		op(tflite.Op{Code: tflite.OpReshape, Inputs: []int{conv4, shape}, Outputs: []int{logits}})
	} else {
		w, b := weights("classifier", pooled, logits, cfg.Classes, 0, a.Head, cfg.Classes, a.Head)
		op(tflite.Op{Code: tflite.OpFullyConnected, Inputs: []int{pooled, w, b}, Outputs: []int{logits}})
	}
	probs := tensor(tflite.Tensor{Name: "probs", Shape: []int{1, cfg.Classes}, Type: actType, Scale: []float32{1.0 / 256}, ZeroPoint: []int64{-shift}})
	op(tflite.Op{Code: tflite.OpSoftmax, Inputs: []int{logits}, Outputs: []int{probs}, Beta: 1})
	if tf2 {
		out := tensor(tflite.Tensor{Name: "output", Shape: []int{1, cfg.Classes}, Type: tflite.Uint8, Scale: []float32{1.0 / 256}, ZeroPoint: []int64{0}})
		op(tflite.Op{Code: tflite.OpQuantize, Inputs: []int{probs}, Outputs: []int{out}})
		probs = out
	}
	m.Outputs = []int{probs}
	return m
}

// TestInt8Synthetic checks the integer forward pass against refInterpret
// on random quantized models of both schemes, widths and resolutions, on
// one and two threads.
func TestInt8Synthetic(t *testing.T) {
	for i, c := range []struct {
		cfg Config
		tf2 bool
	}{
		{Config{Width: 0.35, Res: 33, Classes: 7}, false},
		{Config{Width: 0.35, Res: 32, Classes: 10}, true},
		{Config{Width: 0.5, Res: 48, Classes: 5}, false},
		{Config{Width: 0.75, Res: 40, Classes: 9}, true},
	} {
		t.Run(fmt.Sprintf("%g-%d-tf2=%v", c.cfg.Width, c.cfg.Res, c.tf2), func(t *testing.T) {
			tf := quantSynthTFLite(c.cfg, uint64(i), c.tf2)
			m, err := LoadAs(tflite.Write(tf, nil), "")
			if err != nil {
				t.Fatal(err)
			}
			if m.Precision != Int8 {
				t.Fatalf("precision %q, want int8", m.Precision)
			}
			rgb := randomRGB(c.cfg.Res*c.cfg.Res*3, uint64(i))
			wantLogits, want := refInterpret(tf, rgb)
			spread := map[int64]bool{}
			for _, v := range wantLogits {
				spread[v] = true
			}
			t.Logf("reference logits %v, output %v", wantLogits, want)
			if len(spread) < 3 {
				t.Fatalf("degenerate test model: logits %v", wantLogits)
			}
			// Streamed (with strips as planned, and of one row: rings
			// that wrap), split by channels where the plan says so, and
			// layer by layer: the same bits on any thread count.
			defaultStrip := stripBytes
			defer func() { stripBytes = defaultStrip }()
			for _, mode := range []string{"streamed", "one-row strips", "layer by layer"} {
				stripBytes = defaultStrip
				if mode == "one-row strips" {
					stripBytes = 1
				}
				for _, threads := range []int{1, 2, 3} {
					r, err := m.NewRunner(c.cfg.Res, threads)
					if err != nil {
						t.Fatal(err)
					}
					r.SetLayerwise(mode == "layer by layer")
					probs := r.Forward(rgb)
					shift := int64(0)
					if c.tf2 {
						shift = 128
					}
					for j, v := range r.q.logits {
						if int64(v)-shift != wantLogits[j] {
							t.Fatalf("%s, threads %d: logit %d = %d, reference %d (all: %v vs %v)", mode, threads, j, int64(v)-shift, wantLogits[j], r.q.logits, wantLogits)
						}
					}
					for j, p := range probs {
						if p != float32(want[j])/256 {
							t.Fatalf("%s, threads %d: probability %d = %v, reference %d/256", mode, threads, j, p, want[j])
						}
					}
					r.Close()
				}
			}
		})
	}
}

// TestInt8ForwardAllocs checks that an integer forward pass allocates
// nothing, with and without timing.
func TestInt8ForwardAllocs(t *testing.T) {
	cfg := Config{Width: 0.5, Res: 64, Classes: 11}
	for _, tf2 := range []bool{false, true} {
		m, err := LoadAs(tflite.Write(quantSynthTFLite(cfg, 1, tf2), nil), Int8)
		if err != nil {
			t.Fatal(err)
		}
		rgb := randomRGB(cfg.Res*cfg.Res*3, 1)
		for _, timing := range []bool{false, true} {
			r, _ := m.NewRunner(cfg.Res, 1)
			r.SetTiming(timing)
			if n := testing.AllocsPerRun(10, func() { r.Forward(rgb) }); n != 0 {
				t.Errorf("tf2 %v timing %v: %v allocations per forward pass", tf2, timing, n)
			}
			r.Close()
		}
	}
}
