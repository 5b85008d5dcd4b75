package model

// Activation memory of a forward pass: for each layer, the bytes of the
// tensors live while it runs, under a plan. The peak of a plan is
// the largest of its layers'.

// LayerwiseActivationBytes returns the live bytes of each layer of Layers
// when the bottlenecks run layer by layer (Runner.SetLayerwise): the
// layer's whole input and output, and the block's input while its residual
// add is pending. The expanded tensors exist whole, so the peak is set by
// the widest of them.
func (a *Arch) LayerwiseActivationBytes() []int64 {
	return newPlan(a, 1, true, float32Bytes).activationBytes()
}

// StreamedActivationBytes returns the live bytes of each layer of Layers
// when the bottlenecks stream in strips of output rows, as the runner does
// by default (the paper's section 5.1) on the given number of threads: a
// block's input and output whole, and each thread's ring of expanded rows
// and strip of depthwise output; all the layers of a block share its
// figure. A small block that the threads split by channels instead has
// its expanded tensor and depthwise output whole. The stem computes the
// first block's input rows into its ring, so that block holds the image
// instead, and the stem shares its figure. The other layers are as layer
// by layer.
func (a *Arch) StreamedActivationBytes(threads int) []int64 {
	return newPlan(a, min(max(threads, 1), maxThreads), false, float32Bytes).activationBytes()
}

// Int8ActivationBytes returns the live bytes of each layer of Layers in
// the integer forward pass on the given number of threads: as
// StreamedActivationBytes, a byte an activation.
func (a *Arch) Int8ActivationBytes(threads int) []int64 {
	return newPlan(a, min(max(threads, 1), maxThreads), false, 1).activationBytes()
}

// ActivationBytes returns the live bytes of each layer of Layers under the
// runner's plan.
func (r *Runner) ActivationBytes() []int64 { return r.plan.activationBytes() }

func (p *plan) activationBytes() []int64 {
	valueBytes := int64(p.valueBytes)
	layers := p.Layers()
	live := make([]int64, len(layers))
	for i, l := range layers {
		live[i] = valueBytes * (volume(l.In) + volume(l.Out))
	}
	i := 1 // after the stem
	for _, b := range p.blocks {
		n := 2 // depthwise, project
		if b.T != 1 {
			n = 3
		}
		in, out := int64(b.H*b.W*b.In), int64(b.OutH*b.OutW*b.Out)
		var bytes int64
		switch b.schedule {
		case layerByLayer:
			// The shortcut is a separate buffer unless the layer reads it:
			// a depthwise without expansion reads the block's input.
			// The first layer reads it.
			if b.Residual {
				for j := 1; j < n; j++ {
					live[i+j] += valueBytes * in
				}
			}
			i += n
			continue
		case channelSplit:
			bytes = valueBytes * (in + out + int64(b.H*b.W+b.OutH*b.OutW)*int64(b.Expanded()))
		case streamed:
			perThread := int64(b.strip*b.OutW+b.ring*b.W) * int64(b.Expanded())
			if b.fusesStem {
				in = int64(p.Res * p.Res * 3)
			}
			active := int64(max(1, min(p.threads, b.OutH))) // threads with a band of rows
			bytes = valueBytes * (in + out + active*perThread)
		}
		if b.fusesStem {
			live[0] = bytes
		}
		for range n {
			live[i] = bytes
			i++
		}
	}
	return live
}

func volume(shape [3]int) int64 { return int64(shape[0]) * int64(shape[1]) * int64(shape[2]) }
