package model

// Activation memory of a forward pass, float32.
//
// Runner.Forward goes layer by layer: each layer reads a whole input
// buffer and writes a whole output buffer, and a block's input stays alive
// until its residual add. The paper's section 5.1 describes another
// schedule, which computes a bottleneck in slices of its expanded channels
// so that the t-times-wider tensors never exist whole; such a schedule
// would report its own live bytes per layer, and its own peak, beside
// these.

// ActivationBytes returns the bytes of activations live while each layer of
// Layers runs, layer by layer as Runner.Forward runs them: the layer's
// input, its output, and the block's input while its residual add is
// pending.
func (a *Arch) ActivationBytes() []int64 {
	layers := a.Layers()
	live := make([]int64, len(layers))
	b := 0 // the bottleneck of the current layer
	for i, l := range layers {
		bytes := 4 * (volume(l.In) + volume(l.Out))
		switch l.Kind {
		case "depthwise", "project":
			// The shortcut is a separate buffer unless the layer reads it:
			// a depthwise without expansion reads the block's input.
			blk := a.Bottlenecks[b]
			if blk.Residual && !(l.Kind == "depthwise" && blk.T == 1) {
				bytes += 4 * int64(blk.H*blk.W*blk.In)
			}
			if l.Kind == "project" {
				b++
			}
		}
		live[i] = bytes
	}
	return live
}

// PeakActivationBytes returns the largest of ActivationBytes: the least
// activation memory a layer-by-layer forward pass needs.
func (a *Arch) PeakActivationBytes() int64 {
	return peakBytes(a.ActivationBytes())
}

func peakBytes(live []int64) int64 {
	var peak int64
	for _, b := range live {
		peak = max(peak, b)
	}
	return peak
}

func volume(shape [3]int) int64 { return int64(shape[0]) * int64(shape[1]) * int64(shape[2]) }
