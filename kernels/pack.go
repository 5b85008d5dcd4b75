package kernels

import "encoding/binary"

// PointwiseWeights are the weights of a 1x1 convolution (or the classifier)
// packed for the GEMM: output channels in tiles of Tile, and within a tile
// each input channel's Tile weights contiguous, so a kernel streams one tile
// row per input channel.
type PointwiseWeights struct {
	Cin, Cout int
	W         []float32 // [ceil(Cout/Tile)][Cin][Tile], zero-padded
	Bias      []float32 // [ceil(Cout/Tile)*Tile], zero-padded
}

// PackPointwise packs w, laid out [cout][cin] (OHWI with H=W=1), and bias
// [cout] (nil for none).
func PackPointwise(w, bias []float32, cout, cin int) *PointwiseWeights {
	p := newPointwise(bias, cout, cin)
	for t := range roundUp(cout, Tile) / Tile {
		n := min(Tile, cout-t*Tile)
		packTile(p.W[t*cin*Tile:(t+1)*cin*Tile], w[t*Tile*cin:(t*Tile+n)*cin], n, cin)
	}
	return p
}

// PackPointwiseRows is PackPointwise for weights that are not at hand
// whole: rows(o, dst) writes the weights of output channels o, o+1, ...
// into dst ([len(dst)/cin][cin]), a tile of them at a time. Loading a model
// so dequantizes its weights into one small buffer as it packs them.
func PackPointwiseRows(bias []float32, cout, cin int, rows func(o int, dst []float32)) *PointwiseWeights {
	p := newPointwise(bias, cout, cin)
	buf := make([]float32, Tile*cin)
	for t := range roundUp(cout, Tile) / Tile {
		n := min(Tile, cout-t*Tile)
		w := buf[:n*cin]
		rows(t*Tile, w)
		packTile(p.W[t*cin*Tile:(t+1)*cin*Tile], w, n, cin)
	}
	return p
}

// PointwiseSize returns the float32s that PackPointwiseBytes packs the
// weights and bias of a 1x1 convolution into.
func PointwiseSize(cout, cin int) int { return roundUp(cout, Tile) * (cin + 1) }

// PackPointwiseBytes packs the weights of a 1x1 convolution that a model
// file stores one byte each, q laid out [cout][cin], as PackPointwise packs
// their values: byte v of output channel o stands for lut(o)[v]. It reads
// the bytes in place, with no float copy of them in between. The packed
// weights and bias live in mem, PointwiseSize(cout, cin) zeroed float32s
// (nil: newly allocated). lut is asked for each channel once, in order, and
// a table is used only until Tile more have been asked for.
func PackPointwiseBytes(mem []float32, q []byte, lut func(o int) *[256]float32, bias []float32, cout, cin int) *PointwiseWeights {
	p := pointwiseIn(mem, bias, cout, cin)
	var luts [Tile]*[256]float32
	for t := range roundUp(cout, Tile) / Tile {
		n := min(Tile, cout-t*Tile)
		for j := range n {
			luts[j] = lut(t*Tile + j)
		}
		packTileBytes(p.W[t*cin*Tile:(t+1)*cin*Tile], q[t*Tile*cin:(t*Tile+n)*cin], &luts, n, cin)
	}
	return p
}

func newPointwise(bias []float32, cout, cin int) *PointwiseWeights {
	return pointwiseIn(nil, bias, cout, cin)
}

// pointwiseIn lays out the packed weights and bias of a 1x1 convolution in
// mem (nil: newly allocated) and copies bias in.
func pointwiseIn(mem, bias []float32, cout, cin int) *PointwiseWeights {
	n := PointwiseSize(cout, cin)
	if mem == nil {
		mem = make([]float32, n)
	}
	mem = mem[:n:n]
	w := roundUp(cout, Tile) * cin
	p := &PointwiseWeights{Cin: cin, Cout: cout, W: mem[:w:w], Bias: mem[w:]}
	copy(p.Bias, bias)
	return p
}

// packTile writes the weights w ([n][cin], n <= Tile) of a tile of output
// channels into dst ([cin][Tile]) in order, reading the n rows of w side by
// side: both sides stream through memory. A whole tile goes through
// sixteen row slices, so that the compiler drops the bounds checks: twice
// as fast, and packing is most of loading a model.
func packTile(dst, w []float32, n, cin int) {
	if n < Tile {
		for i := range cin {
			d := dst[i*Tile : i*Tile+n]
			for j := range d {
				d[j] = w[j*cin+i]
			}
		}
		return
	}
	var r [Tile][]float32
	for j := range r {
		r[j] = w[j*cin:][:cin]
	}
	for i := range cin {
		d := (*[Tile]float32)(dst[i*Tile:])
		d[0], d[1], d[2], d[3] = r[0][i], r[1][i], r[2][i], r[3][i]
		d[4], d[5], d[6], d[7] = r[4][i], r[5][i], r[6][i], r[7][i]
		d[8], d[9], d[10], d[11] = r[8][i], r[9][i], r[10][i], r[11][i]
		d[12], d[13], d[14], d[15] = r[12][i], r[13][i], r[14][i], r[15][i]
	}
}

// packTileBytes is packTile for weights stored one byte each, row j's
// byte v standing for lut[j][v]. It reads eight bytes of a row at once and
// spreads them over eight rows of dst: three times faster than a byte at a
// time.
func packTileBytes(dst []float32, q []byte, lut *[Tile]*[256]float32, n, cin int) {
	i := 0
	if n == Tile {
		for ; i+8 <= cin; i += 8 {
			d := (*[8 * Tile]float32)(dst[i*Tile:])
			for j := range Tile {
				x := binary.LittleEndian.Uint64(q[j*cin+i:])
				l := lut[j]
				d[j], d[Tile+j], d[2*Tile+j], d[3*Tile+j] = l[byte(x)], l[byte(x>>8)], l[byte(x>>16)], l[byte(x>>24)]
				d[4*Tile+j], d[5*Tile+j], d[6*Tile+j], d[7*Tile+j] = l[byte(x>>32)], l[byte(x>>40)], l[byte(x>>48)], l[byte(x>>56)]
			}
		}
	}
	for ; i < cin; i++ {
		d := dst[i*Tile : i*Tile+n]
		for j := range d {
			d[j] = lut[j][q[j*cin+i]]
		}
	}
}

// DepthwiseWeights are the weights of a 3x3 depthwise convolution, tap-major
// so that the channels of one tap are contiguous vector lanes.
type DepthwiseWeights struct {
	C    int
	W    []float32 // [9][roundUp(C, Tile)], zero-padded
	Bias []float32 // [roundUp(C, Tile)], zero-padded
}

// PackDepthwise packs w, laid out [1][3][3][c] as in TFLite, and bias [c].
// The layout is already tap-major; packing pads each tap's channels.
func PackDepthwise(w, bias []float32, c int) *DepthwiseWeights {
	p := depthwiseIn(nil, bias, c)
	cp := roundUp(c, Tile)
	for tap := range 9 {
		copy(p.W[tap*cp:tap*cp+c], w[tap*c:(tap+1)*c])
	}
	return p
}

// DepthwiseSize returns the float32s that PackDepthwiseBytes packs the
// weights and bias of a 3x3 depthwise convolution into.
func DepthwiseSize(c int) int { return 10 * roundUp(c, Tile) }

// PackDepthwiseBytes packs weights stored one byte each, q laid out
// [1][3][3][c], as PackDepthwise packs their values: byte v of channel ch
// stands for lut(ch)[v]. mem is as for PackPointwiseBytes, of
// DepthwiseSize(c) float32s.
func PackDepthwiseBytes(mem []float32, q []byte, lut func(ch int) *[256]float32, bias []float32, c int) *DepthwiseWeights {
	p := depthwiseIn(mem, bias, c)
	cp := roundUp(c, Tile)
	for ch := range c {
		l := lut(ch)
		for tap := range 9 {
			p.W[tap*cp+ch] = l[q[tap*c+ch]]
		}
	}
	return p
}

func depthwiseIn(mem, bias []float32, c int) *DepthwiseWeights {
	n := DepthwiseSize(c)
	if mem == nil {
		mem = make([]float32, n)
	}
	mem = mem[:n:n]
	w := 9 * roundUp(c, Tile)
	p := &DepthwiseWeights{C: c, W: mem[:w:w], Bias: mem[w:]}
	copy(p.Bias, bias)
	return p
}

// StemWeights are the weights of the first 3x3 convolution, 3 input
// channels, packed tap-major: for each of the 27 (ky, kx, ci) taps, the
// output channels contiguous.
type StemWeights struct {
	Cout int
	W    []float32 // [27][roundUp(Cout, Tile)], zero-padded
	Bias []float32 // [roundUp(Cout, Tile)], zero-padded
}

// PackStem packs w, laid out [cout][3][3][3] (OHWI), and bias [cout].
func PackStem(w, bias []float32, cout int) *StemWeights {
	p := stemIn(nil, bias, cout)
	cp := roundUp(cout, Tile)
	for o := range cout {
		for tap := range 27 {
			p.W[tap*cp+o] = w[o*27+tap]
		}
	}
	return p
}

// StemSize returns the float32s that PackStemBytes packs the weights and
// bias of the stem into.
func StemSize(cout int) int { return 28 * roundUp(cout, Tile) }

// PackStemBytes packs weights stored one byte each, q laid out
// [cout][3][3][3], as PackStem packs their values: byte v of output channel
// o stands for lut(o)[v]. mem is as for PackPointwiseBytes, of
// StemSize(cout) float32s.
func PackStemBytes(mem []float32, q []byte, lut func(o int) *[256]float32, bias []float32, cout int) *StemWeights {
	p := stemIn(mem, bias, cout)
	cp := roundUp(cout, Tile)
	for o := range cout {
		l := lut(o)
		for tap := range 27 {
			p.W[tap*cp+o] = l[q[o*27+tap]]
		}
	}
	return p
}

func stemIn(mem, bias []float32, cout int) *StemWeights {
	n := StemSize(cout)
	if mem == nil {
		mem = make([]float32, n)
	}
	mem = mem[:n:n]
	w := 27 * roundUp(cout, Tile)
	p := &StemWeights{Cout: cout, W: mem[:w:w], Bias: mem[w:]}
	copy(p.Bias, bias)
	return p
}
