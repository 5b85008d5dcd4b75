package model

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/mbv2/mbv2/kernels"
	"github.com/mbv2/mbv2/model/internal/tflite"
)

// Two arithmetics of a quantized graph, operator kind by operator kind:
// TFLite's integer formulas (int32 sums, fixed-point requantization with
// two roundings), and the float requantization of an engine that decodes
// every 8-bit value to float32, sums in float32 and quantizes each
// operator's output once, round(x/scale) + zero point, as the quantized
// reference's engine (Arm NN's reference backend) does. Mixing them one
// kind at a time shows which operators a difference between the two comes
// from.

// opKind is an operator of the MobileNetV2 graph, by what it does.
type opKind int

const (
	kindStem       opKind = iota // the 3x3 CONV_2D
	kindExpand                   // 1x1 CONV_2D with ReLU6 (expansions, the head)
	kindProject                  // 1x1 CONV_2D without activation
	kindDepthwise                // DEPTHWISE_CONV_2D
	kindAdd                      // the residual ADD
	kindPool                     // AVERAGE_POOL_2D or MEAN
	kindClassifier               // FULLY_CONNECTED, or a 1x1 CONV_2D over one pixel
	kindSoftmax                  // SOFTMAX
	nKinds
)

var kindNames = [nKinds]string{"stem", "expand", "project", "depthwise", "add", "pool", "classifier", "softmax"}

func (k opKind) String() string { return kindNames[k] }

// arith says, per operator kind, whether it runs in float (the reference
// engine's way) rather than TFLite's integer way.
type arith [nKinds]bool

var (
	tfliteInteger arith // all integer
	floatRequant  = arith{true, true, true, true, true, true, true, true}
)

// refMBQM is MultiplyByQuantizedMultiplier in int64, each rounding spelled
// out: the doubling high product x*q/2^31 rounds half up (gemmlowp's nudge
// and truncation come to that), the shift half away from zero.
func refMBQM(x int64, q, shift int32) int64 {
	x <<= max(shift, 0)
	hi := (x*int64(q) + 1<<30) >> 31 // floor
	right := int64(max(-shift, 0))
	if right == 0 {
		return hi
	}
	if hi >= 0 {
		return (hi + 1<<(right-1)) >> right
	}
	return -((-hi + 1<<(right-1)) >> right)
}

// floatQuantize is the reference engine's quantization of a float32:
// round(x/scale) half away from zero, plus the zero point, clamped.
func floatQuantize(x, scale float32, zero, lo, hi int64) int64 {
	return min(max(zero+int64(math.Round(float64(x/scale))), lo), hi)
}

// refInterpret runs m's operators on the 8-bit image rgb in TFLite's
// integer arithmetic and returns the logits (the softmax's input) and
// the output.
func refInterpret(m *tflite.Model, rgb []byte) (logits, out []int64) {
	return interpret(m, rgb, tfliteInteger, nil)
}

// interpret runs m's operators on the 8-bit image rgb, each kind in the
// arithmetic ar gives it, each tensor in its own type (int8 as -128..127)
// in int64, and returns the logits (the softmax's input) and the output.
// If observe is not nil, each operator also runs in the other arithmetic on
// the same inputs, and observe sees both its outputs, ar's first.
func interpret(m *tflite.Model, rgb []byte, ar arith, observe func(k opKind, y, alt []int64)) (logits, out []int64) {
	vals := map[int][]int64{}
	img := make([]int64, len(rgb))
	for i, p := range rgb {
		img[i] = int64(p)
	}
	vals[m.Inputs[0]] = img
	q := func(t int) (float32, int64) { return m.Tensors[t].Scale[0], m.Tensors[t].ZeroPoint[0] }
	bounds := func(t int) (int64, int64) {
		if m.Tensors[t].Type == tflite.Int8 {
			return -128, 127
		}
		return 0, 255
	}
	// decode is the reference engine's dequantization.
	decode := func(v int64, s float32, z int64) float32 { return s * float32(v-z) }
	// step computes op's output from the values so far, and its kind.
	step := func(op *tflite.Op, ar arith) ([]int64, opKind) {
		in, o := op.Inputs[0], op.Outputs[0]
		x, shape := vals[in], m.Tensors[in].Shape
		xs, xz := q(in)
		ys, yz := q(o)
		lo, hi := bounds(o)
		switch op.Code {
		case tflite.OpQuantize, tflite.OpReshape:
			y := make([]int64, len(x))
			for i, v := range x {
				y[i] = v - xz + yz // same scale
			}
			return y, nKinds
		case tflite.OpConv2D, tflite.OpDepthwiseConv2D, tflite.OpFullyConnected:
			wt, bt := &m.Tensors[op.Inputs[1]], &m.Tensors[op.Inputs[2]]
			ws := wt.Shape
			h, w, cin := 1, 1, len(x)
			if len(shape) == 4 {
				h, w, cin = shape[1], shape[2], shape[3]
			}
			k, stride, dw := 1, max(op.StrideH, 1), op.Code == tflite.OpDepthwiseConv2D
			if len(ws) == 4 {
				k = ws[1]
			}
			cout := ws[0]
			if dw {
				cout = ws[3]
			}
			var kind opKind
			switch {
			case op.Code == tflite.OpFullyConnected || h*w == 1:
				kind = kindClassifier
			case dw:
				kind = kindDepthwise
			case k > 1:
				kind = kindStem
			case op.Activation == actRelu6:
				kind = kindExpand
			default:
				kind = kindProject
			}
			oh, ow := (h+stride-1)/stride, (w+stride-1)/stride
			padT, padL := max((oh-1)*stride+k-h, 0)/2, max((ow-1)*stride+k-w, 0)/2
			alo, ahi := lo, hi // the fused activation's clamp
			if op.Activation == actRelu6 {
				alo = max(lo, yz+int64(math.Round(float64(0/ys))))
				ahi = min(hi, yz+int64(math.Round(float64(float32(6)/ys))))
			}
			bias := func(c int) int64 { return int64(int32(binary.LittleEndian.Uint32(bt.Data[4*c:]))) }
			mult, shift := make([]int32, cout), make([]int32, cout)
			for c := range cout {
				wsc := wt.Scale[min(c, len(wt.Scale)-1)]
				real := float64(xs*wsc) / float64(ys)
				if m.Tensors[in].Type == tflite.Int8 && op.Code != tflite.OpFullyConnected {
					real = float64(xs) * float64(wsc) / float64(ys)
				}
				mult[c], shift[c] = kernels.QuantizeMultiplier(real)
			}
			// The weights as integers less their zero point, and as the
			// reference engine decodes them.
			wq, wf := make([]int64, len(wt.Data)), make([]float32, len(wt.Data))
			for i, v := range wt.Data {
				c := i / (len(wt.Data) / cout) // OHWI
				if dw {
					c = i % cout // 1HWC
				}
				wq[i] = int64(v)
				if wt.Type == tflite.Int8 {
					wq[i] = int64(int8(v))
				}
				wq[i] -= wt.ZeroPoint[min(c, len(wt.ZeroPoint)-1)]
				wf[i] = wt.Scale[min(c, len(wt.Scale)-1)] * float32(wq[i])
			}
			xf := make([]float32, len(x))
			for i, v := range x {
				xf[i] = decode(v, xs, xz)
			}
			type tap struct{ x, w int } // input offset, weight offset
			taps := make([]tap, 0, k*k)
			y := make([]int64, oh*ow*cout)
			for oy := range oh {
				for ox := range ow {
					taps = taps[:0]
					for ky := range k {
						for kx := range k {
							iy, ix := oy*stride-padT+ky, ox*stride-padL+kx
							if iy >= 0 && iy < h && ix >= 0 && ix < w {
								taps = append(taps, tap{(iy*w + ix) * cin, ky*k + kx})
							}
						}
					}
					for c := range cout {
						// Both engines sum over input channels, then filter
						// rows, then columns.
						var v int64
						switch {
						case ar[kind]:
							var sum float32
							c0, c1 := 0, cin
							if dw {
								c0, c1 = c, c+1
							}
							for ci := c0; ci < c1; ci++ {
								for _, t := range taps {
									wi := (c*k*k+t.w)*cin + ci
									if dw {
										wi = t.w*cout + c
									}
									sum += float32(wf[wi] * xf[t.x+ci])
								}
							}
							sum += float32(bias(c)) * bt.Scale[min(c, len(bt.Scale)-1)]
							v = floatQuantize(sum, ys, yz, lo, hi)
							if op.Activation == actRelu6 { // a layer of its own
								v = floatQuantize(min(max(decode(v, ys, yz), 0), 6), ys, yz, lo, hi)
							}
						case dw:
							acc := bias(c)
							for _, t := range taps {
								acc += (x[t.x+c] - xz) * wq[t.w*cout+c]
							}
							v = min(max(refMBQM(acc, mult[c], shift[c])+yz, alo), ahi)
						default:
							acc := bias(c)
							for _, t := range taps {
								xr, wr := x[t.x:t.x+cin], wq[(c*k*k+t.w)*cin:][:cin]
								for ci, xv := range xr {
									acc += (xv - xz) * wr[ci]
								}
							}
							v = min(max(refMBQM(acc, mult[c], shift[c])+yz, alo), ahi)
						}
						y[(oy*ow+ox)*cout+c] = v
					}
				}
			}
			return y, kind
		case tflite.OpAdd:
			as, az := q(op.Inputs[0])
			bs, bz := q(op.Inputs[1])
			twice := float64(2 * max(as, bs))
			am, ash := kernels.QuantizeMultiplier(float64(as) / twice)
			bm, bsh := kernels.QuantizeMultiplier(float64(bs) / twice)
			om, osh := kernels.QuantizeMultiplier(twice / float64(float32(1<<20)*ys))
			b := vals[op.Inputs[1]]
			y := make([]int64, len(x))
			for i := range y {
				if ar[kindAdd] {
					y[i] = floatQuantize(decode(x[i], as, az)+decode(b[i], bs, bz), ys, yz, lo, hi)
					continue
				}
				s := refMBQM((x[i]-az)<<20, am, ash) + refMBQM((b[i]-bz)<<20, bm, bsh)
				y[i] = min(max(refMBQM(s, om, osh)+yz, lo), hi)
			}
			return y, kindAdd
		case tflite.OpAveragePool2D, tflite.OpMean:
			n := int64(shape[1] * shape[2])
			c := shape[3]
			y := make([]int64, c)
			for ch := range c {
				var acc int64
				var sum float32
				for p := range n {
					acc += x[p*int64(c)+int64(ch)]
					sum += decode(x[p*int64(c)+int64(ch)], xs, xz)
				}
				switch {
				case ar[kindPool]:
					y[ch] = floatQuantize(sum/float32(n), ys, yz, lo, hi)
				case op.Code == tflite.OpAveragePool2D && acc >= 0:
					y[ch] = (acc + n/2) / n
				case op.Code == tflite.OpAveragePool2D:
					y[ch] = (acc - n/2) / n
				default: // MEAN of int8, TFLite's reference_integer_ops::Mean
					mult, shift := kernels.QuantizeMultiplier(float64(xs) / float64(ys))
					s := refMBQM(acc-xz*n, mult, shift)
					if s > 0 {
						s = (s + n/2) / n
					} else {
						s = (s - n/2) / n
					}
					y[ch] = min(max(s+yz, lo), hi)
				}
			}
			return y, kindPool
		case tflite.OpSoftmax:
			y := make([]int64, len(x))
			if ar[kindSoftmax] {
				top := float32(math.Inf(-1))
				for _, v := range x {
					top = max(top, decode(v, xs, xz))
				}
				var sum float32
				e := make([]float32, len(x))
				for i, v := range x {
					e[i] = float32(math.Exp(float64((decode(v, xs, xz) - top) * op.Beta)))
					sum += e[i]
				}
				for i := range x {
					y[i] = floatQuantize(e[i]/sum, ys, yz, lo, hi)
				}
				return y, kindSoftmax
			}
			// The fixed-point softmax is the kernels' (tested there against
			// float64), on the unsigned values.
			u := make([]uint8, len(x))
			for i, v := range x {
				if m.Tensors[in].Type == tflite.Int8 {
					v += 128 // a difference of two is the same
				}
				u[i] = uint8(v)
			}
			p := kernels.NewQSoftmax(op.Beta, xs)
			probs := make([]uint8, len(u))
			p.Softmax(probs, u)
			for i, v := range probs {
				y[i] = int64(v) + yz
			}
			return y, kindSoftmax
		}
		panic(fmt.Sprintf("op %s", op.Name))
	}
	for i := range m.Ops {
		op := &m.Ops[i]
		y, kind := step(op, ar)
		if observe != nil && kind < nKinds {
			var other arith
			other[kind] = !ar[kind]
			alt, _ := step(op, other)
			observe(kind, y, alt)
		}
		if op.Code == tflite.OpSoftmax {
			logits = vals[op.Inputs[0]]
		}
		vals[op.Outputs[0]] = y
	}
	return logits, vals[m.Outputs[0]]
}
