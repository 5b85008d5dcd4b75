package kernels

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

func newPointwise(bias []float32, cout, cin int) *PointwiseWeights {
	tiles := roundUp(cout, Tile) / Tile
	p := &PointwiseWeights{
		Cin:  cin,
		Cout: cout,
		W:    make([]float32, tiles*cin*Tile),
		Bias: make([]float32, tiles*Tile),
	}
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
	cp := roundUp(c, Tile)
	p := &DepthwiseWeights{C: c, W: make([]float32, 9*cp), Bias: make([]float32, cp)}
	for tap := range 9 {
		copy(p.W[tap*cp:tap*cp+c], w[tap*c:(tap+1)*c])
	}
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
	cp := roundUp(cout, Tile)
	p := &StemWeights{Cout: cout, W: make([]float32, 27*cp), Bias: make([]float32, cp)}
	for o := range cout {
		for tap := range 27 {
			p.W[tap*cp+o] = w[o*27+tap]
		}
	}
	copy(p.Bias, bias)
	return p
}
