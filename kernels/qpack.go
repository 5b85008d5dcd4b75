package kernels

import (
	"slices"
	"sync"
)

// The 8-bit weights of the integer forward pass, packed at load straight
// from the file's bytes, uint8 or int8. Each is stored less its zero point,
// as int16 (w - z spans [-255, 255]): the AVX2 kernels multiply int16
// pairs (vpmaddwd; AVX2's 8-bit dot product saturates), and no kernel
// needs the sums of its inputs that an asymmetric weight would cost.

// QPointwiseWeights are the weights of a quantized 1x1 convolution (or the
// classifier), packed for the GEMM: output channels in tiles of Tile;
// within a tile, groups of 4 input channels, each group holding the 4
// weights of each of the Tile output channels side by side. The
// accumulator of output o at a pixel of input a is
//
//	Bias[o] + sum_i a[i]*W[o][i]
//
// which is sum_i (a[i]-inZero)*(w[o][i]-z) + bias[o], the input's zero
// point folded into Bias.
type QPointwiseWeights struct {
	Cin, Cout int
	Bias      []int32 // [ceil(Cout/Tile)*Tile], zero-padded
	Out       Requant // Mult and Shift padded to the tiles

	// The weights less their zero point, [ceil(Cout/Tile)][ceil(Cin/4)][Tile][4],
	// zero-padded; when the weights are packed for VNNI, made from s8 on
	// first use (Int16s), as only the kernels of other sets read them.
	w16     []int16
	w16Once sync.Once

	// The requantization of each tile as the AVX2 and NEON kernels apply
	// it (see requantTable): [tiles][6][Tile]; made on first use (Requant)
	// where the weights are packed for VNNI.
	rq     []int32
	rqOnce sync.Once

	// For the NEON udot GEMM (packDot): W + dotOff as bytes, laid out as W.
	dot    []uint8
	dotOff int32

	// For the VNNI GEMMs (packVNNI; see packVNNIWeights): the weights less
	// a per-channel offset, as int8 bits, laid out as w16; per tile the
	// table of vnniRows rows; and whether a tile has a channel with an
	// offset.
	s8      []uint8
	vt      []int32
	offsets []bool
	left    bool // some channel has a left shift
}

// requant returns the requantization table of the AVX2 and NEON kernels.
func (p *QPointwiseWeights) requant() []int32 {
	p.rqOnce.Do(func() {
		if p.rq == nil {
			p.rq = requantTable(nil, p.Out, p.Cout)
		}
	})
	return p.rq
}

// Int16s returns the weights less their zero point, laid out for the
// GEMM (see QPointwiseWeights).
func (p *QPointwiseWeights) Int16s() []int16 {
	p.w16Once.Do(func() {
		if p.w16 != nil {
			return
		}
		tiles, groups := len(p.Bias)/Tile, p.Cin/4
		p.w16 = make([]int16, len(p.s8))
		for t := range tiles {
			k := p.vt[(t*vnniRows+10)*Tile:][:Tile]
			for i, b := range p.s8[t*groups*Tile*4 : (t+1)*groups*Tile*4] {
				p.w16[t*groups*Tile*4+i] = int16(int8(b)) + int16(k[i/4%Tile])
			}
		}
	})
	return p.w16
}

// packVNNI says whether PackQPointwise packs the weights for the VNNI
// GEMMs: on amd64 where the CPU has AVX512-VNNI or AVX-VNNI.
var packVNNI bool

// packRow, where set (AVX-512), writes a row of 1x1 weights into its tile
// as packVNNIWeights does and returns the sum, least and greatest of its
// values as the file's type reads them.
var packRow func(dst, row []uint8, zb uint8, unsigned bool) (sum, lo, hi int32)

// The rows of a tile's table for the VNNI GEMM, Tile int32s each: the
// folded bias; the left shift; the multiplier of each channel for the
// even lanes (at dword 2i of the row for channel 2i) and of the odd lanes
// (channel 2i+1 at dword 2i); then, as 8 int64s, for the even channels
// and for the odd ones, the constants of its requantization (see REQUANT
// in qgemm12x32vnni_amd64.s): 2^30 + 2^(right+30) (right > 0), 2^31 or 0,
// 31 + right; and the channel's weight offset.
const vnniRows = 11

// packVNNIWeights packs the weights of p for vpdpbusd, which multiplies
// unsigned by signed bytes, into mem: the inputs are bytes already; the
// weights less their zero point span up to 255 values in [-255, 255]. A
// channel whose weights fit in int8 keeps them; one that does not (in the
// shipped uint8 files, one or two channels a layer) is stored less an
// offset k that makes them fit, and gets k times the sum of the pixel's
// inputs back: sum a*w = sum a*(w-k) + k*sum a. Either way a packed byte
// is the file's byte less z+k, mod 256. It sets the folded biases too.
func packVNNIWeights(p *QPointwiseWeights, mem *Mem, w []byte, unsigned bool, z int32, bias []int32, inZero int32) {
	cin, tiles, groups := p.Cin, len(p.Bias)/Tile, p.Cin/4
	p.s8, p.offsets = carve[uint8](mem, tiles*groups*Tile*4), carve[bool](mem, tiles)
	offsets := make([][Tile]int16, tiles)
	// value is a weight less the zero point, by its byte.
	var value [256]int32
	for b := range value {
		value[b] = int32(int8(b)) - z
		if unsigned {
			value[b] = int32(b) - z
		}
	}
	for o := range p.Cout {
		t, j := o/Tile, o%Tile
		row := w[o*cin : (o+1)*cin]
		out := p.s8[t*groups*Tile*4+j*4:]
		// The row written less the zero point, its sum, and whether a
		// value is not an int8 (the OR of the values plus 128 exceeds 255).
		var sum, or int32
		zb := uint8(z)
		if packRow != nil {
			s, lo, hi := packRow(out, row, zb, unsigned)
			sum, or = s-int32(cin)*z, (lo-z+128)|(hi-z+128)
		} else {
			for g := range groups {
				r, d := (*[4]byte)(row[4*g:]), (*[4]byte)(out[g*Tile*4:])
				a, b, c, e := value[r[0]], value[r[1]], value[r[2]], value[r[3]]
				sum += a + b + c + e
				or |= (a + 128) | (b + 128) | (c + 128) | (e + 128)
				d[0], d[1], d[2], d[3] = r[0]-zb, r[1]-zb, r[2]-zb, r[3]-zb
			}
		}
		if uint32(or) > 255 {
			lo, hi := value[row[0]], value[row[0]]
			for _, b := range row {
				lo, hi = min(lo, value[b]), max(hi, value[b])
			}
			k := hi - 127
			if hi <= 127 {
				k = lo + 128
			}
			offsets[t][j], p.offsets[t] = int16(k), true
			for g := range groups {
				d := (*[4]byte)(out[g*Tile*4:])
				d[0], d[1], d[2], d[3] = d[0]-uint8(k), d[1]-uint8(k), d[2]-uint8(k), d[3]-uint8(k)
			}
		}
		// sum (a-zin)(w-z) = sum a*(w-z) - zin*sum (w-z)
		p.Bias[o] = -inZero * sum
		if bias != nil {
			p.Bias[o] += bias[o]
		}
	}
	p.vt = vnniTable(carve[int32](mem, tiles*vnniRows*Tile), p, offsets)
}

// vnniTable fills vt with the tables of p's tiles for the VNNI GEMM
// (vnniRows rows each), with the channels' weight offsets, and returns it.
func vnniTable(vt []int32, p *QPointwiseWeights, offsets [][Tile]int16) []int32 {
	for t, k := range offsets {
		row := vt[t*vnniRows*Tile:]
		// setQ sets int64 i of row r.
		setQ := func(r, i int, v int64) {
			row[r*Tile+2*i], row[r*Tile+2*i+1] = int32(v), int32(v>>32)
		}
		for j := range Tile {
			o := t*Tile + j
			right := int64(max(-p.Out.Shift[o], 0))
			row[j] = p.Bias[o]
			row[Tile+j] = max(p.Out.Shift[o], 0)
			p.left = p.left || p.Out.Shift[o] > 0
			row[(2+j%2)*Tile+j-j%2] = p.Out.Mult[o]
			c, f := int64(1)<<30, int64(0)
			if right > 0 {
				c, f = c+int64(1)<<(right+30), 1<<31
			}
			setQ(4+j%2, j/2, c)
			setQ(6+j%2, j/2, f)
			setQ(8+j%2, j/2, 31+right)
			row[10*Tile+j] = int32(k[j])
		}
	}
	return vt
}

// packDot says whether PackQPointwise adds the weights of the udot GEMM:
// on arm64 where the CPU has the dot product.
var packDot bool

// dotWeights returns w plus the offset that makes all of them (zeros of
// the padding included) bytes, written into b, and the offset; nil if they
// span more than a byte, which weights less one zero point do not.
func dotWeights(b []uint8, w []int16) ([]uint8, int32) {
	var lo, hi int16 // the padding holds zeros
	for _, v := range w {
		lo, hi = min(lo, v), max(hi, v)
	}
	if int(hi)-int(lo) > 255 {
		return nil, 0
	}
	for i, v := range w {
		b[i] = uint8(v - lo)
	}
	return b, -int32(lo)
}

// requantTable lays out the requantization of out, n channels padded to
// tiles, for the SIMD kernels: per tile, Tile of each of the multiplier,
// the left shift, the rounding right shift, its mask 2^right-1, half the
// mask (see RoundingDivideByPOT), and 2^(right-1) (0 for no shift).
func requantTable(mem *Mem, out Requant, n int) []int32 {
	tiles := roundUp(n, Tile) / Tile
	rq := carve[int32](mem, tiles*6*Tile)
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

// padRequant returns out with Mult and Shift copied to n channels.
func padRequant(mem *Mem, out Requant, n int) Requant {
	mult, shift := carve[int32](mem, n), carve[int32](mem, n)
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
	return PackQPointwiseIn(nil, w, unsigned, wZero, bias, cout, cin, inZero, out)
}

// QPointwiseSize returns the bytes of Mem that PackQPointwiseIn keeps the
// packed weights and tables of a quantized 1x1 convolution in.
func QPointwiseSize(cout, cin int) int {
	tiles, n := roundUp(cout, Tile)/Tile, roundUp(cout, Tile)*roundUp(cin, 4)
	size := 3 * memSize[int32](tiles*Tile) // Bias, Out.Mult, Out.Shift
	if packVNNI && cin%4 == 0 {
		return size + memSize[uint8](n) + memSize[bool](tiles) + memSize[int32](tiles*vnniRows*Tile)
	}
	size += memSize[int16](n) + memSize[int32](tiles*6*Tile)
	if packDot {
		size += memSize[uint8](n)
	}
	return size
}

// PackQPointwiseIn is PackQPointwise with what it keeps carved from mem,
// which QPointwiseSize(cout, cin) bytes suffice for.
func PackQPointwiseIn(mem *Mem, w []byte, unsigned bool, wZero int32, bias []int32, cout, cin int, inZero int32, out Requant) *QPointwiseWeights {
	tiles, groups := roundUp(cout, Tile)/Tile, (cin+3)/4
	n := tiles * groups * Tile * 4
	p := &QPointwiseWeights{
		Cin: cin, Cout: cout,
		Bias: carve[int32](mem, tiles*Tile),
		Out:  padRequant(mem, out, tiles*Tile),
	}
	if packVNNI && cin%4 == 0 {
		packVNNIWeights(p, mem, w, unsigned, wZero, bias, inZero)
		return p
	}
	p.w16 = carve[int16](mem, n)
	p.rq = requantTable(mem, p.Out, cout)
	// value returns weight b less the zero point.
	z := int16(wZero)
	value := func(b byte) int16 { return int16(int8(b)) - z }
	if unsigned {
		value = func(b byte) int16 { return int16(b) - z }
	}
	var table [256]int16
	for b := range table {
		table[b] = value(byte(b))
	}
	// A tile at a time, its rows read side by side and the packed
	// weights written in order: loading a model is mostly this.
	for t := range tiles {
		n := min(Tile, cout-t*Tile)
		var sums [Tile]int32
		out := p.w16[t*groups*Tile*4 : (t+1)*groups*Tile*4]
		var rows [Tile][]byte
		for j := range n {
			rows[j] = w[(t*Tile+j)*cin : (t*Tile+j+1)*cin]
		}
		for g := range groups {
			if 4*g+4 > cin { // the last group of a row of cin%4 weights
				for j := range n {
					for k := range cin - 4*g {
						v := table[rows[j][4*g+k]]
						out[(g*Tile+j)*4+k] = v
						sums[j] += int32(v)
					}
				}
				continue
			}
			d := (*[Tile * 4]int16)(out[g*Tile*4:])
			for j := range n {
				r := (*[4]byte)(rows[j][4*g:])
				a, b, c, e := table[r[0]], table[r[1]], table[r[2]], table[r[3]]
				d[4*j], d[4*j+1], d[4*j+2], d[4*j+3] = a, b, c, e
				sums[j] += int32(a) + int32(b) + int32(c) + int32(e)
			}
		}
		for j := range n {
			o := t*Tile + j
			// sum (a-zin)(w-z) = sum a*(w-z) - zin*sum (w-z)
			p.Bias[o] = -inZero * sums[j]
			if bias != nil {
				p.Bias[o] += bias[o]
			}
		}
	}
	if packDot {
		p.dot, p.dotOff = dotWeights(carve[uint8](mem, n), p.w16)
	}
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

	rq     []int32 // requantTable(Out), for the AVX2 and NEON kernels (requant)
	rqOnce sync.Once
	zp     []uint8 // InZero, what a tap in the padding reads: a row of 3 taps' worth

	// For the AVX2 kernel of 16 channels a block: the taps in pairs, the
	// weights of each pair interleaved channel by channel, and the biases
	// (less inZero times the channel's weights) and requantization table,
	// in the channel order of its unpacks (qdwconv3x3x16_amd64.s): per
	// block of 16, 0-3, 8-11, then 4-7, 12-15.
	pairs  []int16 // [blocks][5 pairs][0-3, 8-11, 4-7, 12-15][2 taps]
	bias16 []int32 // [blocks][16]
	rq16   []int32 // [blocks][6][16]
	once16 sync.Once

	// The same for the AVX-512 kernel, 32 channels a block (zmmOrder):
	// nil unless packVNNI.
	pairs32 []int16 // [blocks][5 pairs][32][2 taps]
	bias32  []int32 // [blocks][32]
	rq32    []int32 // [blocks][2 halves][9 rows][16] (qdwconv3x3x32avx512_amd64.s)
}

// zmmOrder is the channel order, within a block of 32, of the two
// accumulators of vpunpcklwd and vpunpckhwd on ZMM registers: per 128-bit
// lane, four channels in the first (lo), the next four in the second (hi).
var zmmOrder = func() (o [32]int) {
	for i := range 16 {
		lane, j := i/4, i%4
		o[i], o[16+i] = 8*lane+j, 8*lane+4+j
	}
	return o
}()

// unpackOrder is the channel order, within a block of 16, of the
// accumulators of a kernel that interleaves int16 lanes with vpunpcklwd
// and vpunpckhwd: per 128-bit lane, the low four then the high four.
var unpackOrder = [16]int{0, 1, 2, 3, 8, 9, 10, 11, 4, 5, 6, 7, 12, 13, 14, 15}

// PackQDepthwise packs w, [1][3][3][c] 8-bit weights (uint8 if unsigned)
// with per-channel zero points wZero ([c], or one for the tensor), and
// bias [c] (nil for none).
func PackQDepthwise(w []byte, unsigned bool, wZero []int32, bias []int32, c int, inZero int32, out Requant) *QDepthwiseWeights {
	return PackQDepthwiseIn(nil, w, unsigned, wZero, bias, c, inZero, out)
}

// QDepthwiseSize returns the bytes of Mem that PackQDepthwiseIn keeps the
// packed weights and tables of a quantized 3x3 depthwise convolution of c
// channels in.
func QDepthwiseSize(c int) int {
	cp, blocks := roundUp(c, Tile), roundUp(c, 32)/32
	size := memSize[int16](9*cp) + 3*memSize[int32](cp) + memSize[uint8](2*c+roundUp(c, 32))
	if packVNNI {
		return size + memSize[int16](blocks*5*64) + memSize[int32](blocks*32) + memSize[int32](blocks*2*9*16)
	}
	return size + memSize[int32](6*cp) + memSize[int16](cp/Tile*5*32) + memSize[int32](cp) + memSize[int32](6*cp)
}

// PackQDepthwiseIn is PackQDepthwise with what it keeps carved from mem,
// which QDepthwiseSize(c) bytes suffice for.
func PackQDepthwiseIn(mem *Mem, w []byte, unsigned bool, wZero []int32, bias []int32, c int, inZero int32, out Requant) *QDepthwiseWeights {
	cp := roundUp(c, Tile)
	p := &QDepthwiseWeights{C: c, W: carve[int16](mem, 9*cp), Bias: carve[int32](mem, cp), InZero: inZero, Out: padRequant(mem, out, cp),
		zp: carve[uint8](mem, 2*c+roundUp(c, 32))}
	for i := range p.zp {
		p.zp[i] = uint8(inZero)
	}
	for tap := range 9 {
		for i := range c {
			p.W[tap*cp+i] = widen(w[tap*c+i], unsigned) - int16(zeroAt(wZero, i))
		}
	}
	copy(p.Bias, bias)
	if packVNNI {
		p.pack32(mem)
	} else {
		p.rq = requantTable(mem, p.Out, cp)
		p.pack16(mem)
	}
	return p
}

// requant returns the requantization table of the AVX2 and NEON kernels:
// packed at load unless the weights were packed for the AVX-512 kernel,
// then on first use.
func (p *QDepthwiseWeights) requant() []int32 {
	p.rqOnce.Do(func() {
		if p.rq == nil {
			p.rq = requantTable(nil, p.Out, len(p.Bias))
		}
	})
	return p.rq
}

// layout16 returns p's weights, folded biases and requantization in the
// layout of the AVX2 kernel of 16 channels a block (pairs, bias16, rq16):
// packed at load unless the weights were packed for the AVX-512 kernel,
// then on first use.
func (p *QDepthwiseWeights) layout16() (pairs []int16, bias16, rq16 []int32) {
	p.once16.Do(func() {
		if p.pairs == nil {
			p.pack16(nil)
		}
	})
	return p.pairs, p.bias16, p.rq16
}

func (p *QDepthwiseWeights) pack16(mem *Mem) {
	cp, inZero := len(p.Bias), p.InZero
	blocks := cp / Tile
	rq := p.requant()
	p.pairs, p.bias16, p.rq16 = carve[int16](mem, blocks*5*32), carve[int32](mem, cp), carve[int32](mem, 6*cp)
	for b := range blocks {
		for i, j := range unpackOrder {
			ch := b*Tile + j
			for pair := range 5 {
				for k := range 2 {
					if tap := 2*pair + k; tap < 9 {
						p.pairs[(b*5+pair)*32+2*i+k] = p.W[tap*cp+ch]
					}
				}
			}
			// The input's zero point folded in: sum over the taps of
			// a*w, plus this, is the sum of (a-inZero)*w plus the bias.
			fold := p.Bias[ch]
			for tap := range 9 {
				fold -= inZero * int32(p.W[tap*cp+ch])
			}
			p.bias16[b*Tile+i] = fold
			for row := range 6 {
				p.rq16[(b*6+row)*Tile+i] = rq[(b*6+row)*Tile+j]
			}
		}
	}
}

// pack32 lays out p's weights, folded biases and requantization for the
// AVX-512 kernel (qdw3x3x32AVX512).
func (p *QDepthwiseWeights) pack32(mem *Mem) {
	cp := roundUp(p.C, Tile)
	blocks := roundUp(p.C, 32) / 32
	p.pairs32, p.bias32, p.rq32 = carve[int16](mem, blocks*5*64), carve[int32](mem, blocks*32), carve[int32](mem, blocks*2*9*16)
	for b := range blocks {
		for i, j := range zmmOrder {
			ch := b*32 + j
			if ch >= cp {
				continue // zero weights and bias; the outputs are not stored
			}
			fold := p.Bias[ch]
			for tap := range 9 {
				w := p.W[tap*cp+ch]
				p.pairs32[(b*5+tap/2)*64+2*i+tap%2] = w
				fold -= p.InZero * int32(w)
			}
			p.bias32[b*32+i] = fold
			// The table of the half of lane i (see REQUANT): as the VNNI
			// GEMM's (vnniTable), the rounding division folded into the
			// rounding of the doubling high product.
			half, l := p.rq32[(b*2+i/16)*9*16:], i%16
			setQ := func(row int, v int64) { // int64 l/2 of row
				half[row*16+l-l%2], half[row*16+l-l%2+1] = int32(v), int32(v>>32)
			}
			right := int64(max(-p.Out.Shift[ch], 0))
			half[l] = max(p.Out.Shift[ch], 0)
			half[(1+l%2)*16+l-l%2] = p.Out.Mult[ch]
			c, f := int64(1)<<30, int64(0)
			if right > 0 {
				c, f = c+int64(1)<<(right+30), 1<<31
			}
			setQ(3+l%2, c)
			setQ(5+l%2, f)
			setQ(7+l%2, 31+right)
		}
	}
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
	p := &QStemWeights{Cout: cout, W: make([]int16, 27*cp), Bias: make([]int32, cp), InZero: inZero, Out: padRequant(nil, out, cp)}
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
