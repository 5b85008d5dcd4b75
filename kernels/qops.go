package kernels

// The 8-bit kernels of the integer forward pass, with TFLite's quantized
// semantics (see Requant). Activations are uint8 (int8 tensors carried as
// q + 128), weights int8, sums int32; as the float kernels, they check their
// slice bounds once per call.

// QPointwise computes output channels [c0, c1) of a quantized 1x1
// convolution over pixels pixels of src ([pixels][w.Cin]) into dst
// ([pixels][w.Cout]), requantized by w.Out. c0 is a multiple of Tile.
func QPointwise(dst, src []uint8, pixels int, w *QPointwiseWeights, c0, c1 int) {
	if len(src) < pixels*w.Cin || len(dst) < pixels*w.Cout || c0 < 0 || c0%Tile != 0 || c1 > w.Cout {
		panic("kernels: QPointwise: bad arguments")
	}
	if pixels == 0 || c0 >= c1 {
		return
	}
	active.qpointwise(dst, src, pixels, w, c0, c1)
}

// QDepthwise computes output rows [y0, y1) and channels [c0, c1) of a
// quantized 3x3 depthwise convolution, TF SAME padding, stride 1 or 2, of an
// h x w x wt.C input held in a ring of rows rows, as Depthwise.
func QDepthwise(dst, src []uint8, h, w, stride, rows, y0, y1 int, wt *QDepthwiseWeights, c0, c1 int) {
	oh, top := SamePad(h, 3, stride)
	ow, _ := SamePad(w, 3, stride)
	first, last := max(y0*stride-top, 0), min((y1-1)*stride-top+2, h-1)
	if stride != 1 && stride != 2 || y0 < 0 || y1 > oh || rows < 1 || rows > h ||
		y0 < y1 && rows < last-first+1 || len(src) < rows*w*wt.C || len(dst) < (y1-y0)*ow*wt.C ||
		c0 < 0 || c0%Tile != 0 || c1 > wt.C {
		panic("kernels: QDepthwise: bad arguments")
	}
	if y0 >= y1 || c0 >= c1 {
		return
	}
	active.qdepthwise(dst, src, h, w, stride, rows, y0, y1, wt, c0, c1)
}

// QStem computes output rows [y0, y1) of the quantized first convolution,
// 3x3 stride 2, TF SAME padding, of the 8-bit image src (h x w x 3), as Stem.
func QStem(dst, src []uint8, h, w, y0, y1 int, wt *QStemWeights) {
	oh, _ := SamePad(h, 3, 2)
	ow, _ := SamePad(w, 3, 2)
	if y0 < 0 || y1 > oh || len(src) < h*w*3 || len(dst) < (y1-y0)*ow*wt.Cout {
		panic("kernels: QStem: bad arguments")
	}
	if y0 >= y1 {
		return
	}
	active.qstem(dst, src, h, w, y0, y1, wt)
}
