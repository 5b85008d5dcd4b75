package kernels

import "slices"

// The 8-bit weights of the integer forward pass, packed at load straight
// from the file's bytes. Weights are int8: uint8 weights w (zero point z)
// are stored as w-128 with zero point z-128, which changes no product
// (w-z) and makes every layer u8 activations x s8 weights, the operands of
// the dot-product instructions (VNNI vpdpbusd, NEON sdot after a shift).

// QPointwiseWeights are the weights of a quantized 1x1 convolution (or the
// classifier), packed for the dot-product GEMM: output channels in tiles of
// Tile; within a tile, groups of 4 input channels, each group holding the
// 4 weights of each of the Tile output channels side by side, the operand
// layout of vpdpbusd and sdot. The accumulator of output o at a pixel of
// input a is
//
//	Bias[o] + sum_i a[i]*W[o][i] - WZero*sum_i a[i]
//
// which is sum_i (a[i]-inZero)*(w[o][i]-wZero) + bias[o] with the constant
// terms folded into Bias.
type QPointwiseWeights struct {
	Cin, Cout int
	W         []int8  // [ceil(Cout/Tile)][ceil(Cin/4)][Tile][4], zero-padded
	Bias      []int32 // [ceil(Cout/Tile)*Tile], zero-padded
	WZero     int32   // the weights' zero point; 0 for symmetric weights
	Out       Requant // Mult and Shift padded to the tiles

	// The requantization of each tile as the SIMD kernels apply it
	// (see requantTable): [tiles][6][Tile].
	rq []int32
	// The weights less their zero point, widened to int16 for the AVX2
	// GEMM, laid out as W.
	w16 []int16
}

// requantTable lays out the requantization of out, n channels padded to
// tiles, for the SIMD kernels: per tile, Tile of each of the multiplier,
// the left shift, the rounding right shift, its mask 2^right-1, half the
// mask (see RoundingDivideByPOT), and 2^(right-1) (0 for no shift).
func requantTable(out Requant, n int) []int32 {
	tiles := roundUp(n, Tile) / Tile
	rq := make([]int32, tiles*6*Tile)
	for o := range tiles * Tile {
		t, j := o/Tile, o%Tile
		row := rq[t*6*Tile:]
		right := max(-out.Shift[o], 0)
		row[j] = out.Mult[o]
		row[Tile+j] = max(out.Shift[o], 0)
		row[2*Tile+j] = right
		row[3*Tile+j] = int32(1)<<right - 1
		row[4*Tile+j] = (int32(1)<<right - 1) >> 1
		if right > 0 {
			row[5*Tile+j] = int32(1) << (right - 1)
		}
	}
	return rq
}

// signed returns 8-bit weight b as int8: a uint8 weight minus 128.
func signed(b byte, unsigned bool) int8 {
	if unsigned {
		return int8(b ^ 0x80)
	}
	return int8(b)
}

// padRequant returns out with Mult and Shift copied to n channels.
func padRequant(out Requant, n int) Requant {
	mult, shift := make([]int32, n), make([]int32, n)
	copy(mult, out.Mult)
	copy(shift, out.Shift)
	out.Mult, out.Shift = mult, shift
	return out
}

// PackQPointwise packs w ([cout][cin] 8-bit weights as a file stores
// them: uint8 if unsigned, else int8) with zero point wZero (in the
// weights' own type; one for the tensor), int32 bias [cout] (nil for
// none), the input's zero point inZero and the output's requantization.
func PackQPointwise(w []byte, unsigned bool, wZero int32, bias []int32, cout, cin int, inZero int32, out Requant) *QPointwiseWeights {
	if unsigned {
		wZero -= 128
	}
	tiles, groups := roundUp(cout, Tile)/Tile, (cin+3)/4
	p := &QPointwiseWeights{
		Cin: cin, Cout: cout,
		W:     make([]int8, tiles*groups*Tile*4),
		Bias:  make([]int32, tiles*Tile),
		WZero: wZero,
		Out:   padRequant(out, tiles*Tile),
	}
	p.w16 = make([]int16, len(p.W))
	for o := range cout {
		t, j := o/Tile, o%Tile
		dst, dst16 := p.W[t*groups*Tile*4:], p.w16[t*groups*Tile*4:]
		var sum int32
		for i, b := range w[o*cin : (o+1)*cin] {
			v := signed(b, unsigned)
			dst[(i/4*Tile+j)*4+i%4] = v
			dst16[(i/4*Tile+j)*4+i%4] = int16(v) - int16(wZero)
			sum += int32(v)
		}
		// sum (a-zin)(w-zw) = sum a*w - zw*sum a - zin*sum w + cin*zin*zw
		p.Bias[o] = -inZero*sum + int32(cin)*inZero*wZero
		if bias != nil {
			p.Bias[o] += bias[o]
		}
	}
	p.rq = requantTable(p.Out, cout)
	return p
}

// QDepthwiseWeights are the weights of a quantized 3x3 depthwise
// convolution, tap-major as DepthwiseWeights, each less its zero point:
// the accumulator of channel c is Bias[c] + sum over the taps inside the
// image of (a-InZero)*W[tap][c]. Padding contributes nothing, as in TFLite.
type QDepthwiseWeights struct {
	C      int
	W      []int16 // [9][roundUp(C, Tile)], w - zero point, zero-padded
	Bias   []int32 // [roundUp(C, Tile)]
	InZero int32
	Out    Requant

	rq []int32 // requantTable(Out)
	zp []uint8 // [roundUp(C, Tile)] of InZero: what a tap in the padding reads
}

// PackQDepthwise packs w, [1][3][3][c] 8-bit weights (uint8 if unsigned)
// with per-channel zero points wZero ([c], or one for the tensor), and
// bias [c] (nil for none).
func PackQDepthwise(w []byte, unsigned bool, wZero []int32, bias []int32, c int, inZero int32, out Requant) *QDepthwiseWeights {
	cp := roundUp(c, Tile)
	p := &QDepthwiseWeights{C: c, W: make([]int16, 9*cp), Bias: make([]int32, cp), InZero: inZero, Out: padRequant(out, cp),
		zp: make([]uint8, cp)}
	p.rq = requantTable(p.Out, cp)
	for i := range p.zp {
		p.zp[i] = uint8(inZero)
	}
	for tap := range 9 {
		for i := range c {
			p.W[tap*cp+i] = widen(w[tap*c+i], unsigned) - int16(zeroAt(wZero, i))
		}
	}
	copy(p.Bias, bias)
	return p
}

// widen returns 8-bit weight b, uint8 if unsigned, else int8.
func widen(b byte, unsigned bool) int16 {
	if unsigned {
		return int16(b)
	}
	return int16(int8(b))
}

func zeroAt(z []int32, i int) int32 {
	if len(z) == 1 {
		return z[0]
	}
	return z[i]
}

// QStemWeights are the weights of the quantized first convolution, 3x3
// stride 2 over 3 channels, tap-major as StemWeights, each less its zero
// point, as QDepthwiseWeights.
type QStemWeights struct {
	Cout   int
	W      []int16 // [27][roundUp(Cout, Tile)], w - zero point, zero-padded
	Bias   []int32 // [roundUp(Cout, Tile)]
	InZero int32
	Out    Requant

	// The same as a 1x1 convolution of 28 inputs, the 27 taps of a pixel
	// and one of weight zero, for a GEMM over rows the kernel gathers;
	// nil if the weights have per-channel zero points.
	gemm *QPointwiseWeights
}

// stemK is the row of the stem's GEMM: 27 taps and one to make groups of 4.
const stemK = 28

// PackQStem packs w, [cout][3][3][3] 8-bit weights (uint8 if unsigned)
// with per-output-channel zero points wZero ([cout], or one), and bias.
func PackQStem(w []byte, unsigned bool, wZero []int32, bias []int32, cout int, inZero int32, out Requant) *QStemWeights {
	cp := roundUp(cout, Tile)
	p := &QStemWeights{Cout: cout, W: make([]int16, 27*cp), Bias: make([]int32, cp), InZero: inZero, Out: padRequant(out, cp)}
	for o := range cout {
		for tap := range 27 {
			p.W[tap*cp+o] = widen(w[o*27+tap], unsigned) - int16(zeroAt(wZero, o))
		}
	}
	copy(p.Bias, bias)
	if len(wZero) == 1 || slices.Max(wZero) == 0 && slices.Min(wZero) == 0 {
		rows := make([]byte, cout*stemK)
		for o := range cout {
			copy(rows[o*stemK:], w[o*27:(o+1)*27])
			rows[o*stemK+27] = byte(wZero[0]) // w - zero point = 0
		}
		p.gemm = PackQPointwise(rows, unsigned, wZero[0], bias, cout, stemK, inZero, out)
	}
	return p
}
