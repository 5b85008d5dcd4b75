package model

// Activation memory of a forward pass, float32: for each layer, the bytes
// of the tensors live while it runs, under each way the runner can compute
// the bottlenecks. The peak of a schedule is the largest of its layers'.

// LayerwiseActivationBytes returns the live bytes of each layer of Layers
// when the bottlenecks run layer by layer (Runner.SetLayerwise): the
// layer's whole input and output, and the block's input while its residual
// add is pending. The expanded tensors exist whole, so the peak is set by
// the widest of them.
func (a *Arch) LayerwiseActivationBytes() []int64 {
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
	live := a.LayerwiseActivationBytes()
	i := 1 // after the stem
	plan := stripPlan(a)
	for j, b := range a.Bottlenecks {
		n := 2 // depthwise, project
		if b.T != 1 {
			n = 3
		}
		strip := plan[j]
		stem := j == 0 && a.fusesStem(threads)
		perThread := int64(strip * b.OutW * b.Expanded())
		in := int64(b.H * b.W * b.In)
		if b.T != 1 || stem {
			perThread += int64(ringRows(b, strip) * b.W * b.Expanded())
		}
		if stem {
			in = int64(a.Res * a.Res * 3)
		}
		active := int64(max(1, min(threads, b.OutH))) // threads with a band of rows
		bytes := 4 * (in + int64(b.OutH*b.OutW*b.Out) + active*perThread)
		if byChannels(b, threads) {
			bytes = 4 * int64(b.H*b.W*b.In+b.OutH*b.OutW*b.Out+(b.H*b.W+b.OutH*b.OutW)*b.Expanded())
		}
		if stem {
			live[0] = bytes
		}
		for range n {
			live[i] = bytes
			i++
		}
	}
	return live
}

// ActivationBytes returns the live bytes of each layer of Layers under the
// runner's schedule and thread count.
func (r *Runner) ActivationBytes() []int64 {
	if r.q != nil {
		return r.arch.Int8ActivationBytes()
	}
	if r.layerwise {
		return r.arch.LayerwiseActivationBytes()
	}
	return r.arch.StreamedActivationBytes(r.pool.threads)
}

func volume(shape [3]int) int64 { return int64(shape[0]) * int64(shape[1]) * int64(shape[2]) }
