package model

import (
	"fmt"
	"runtime"
	"slices"
	"testing"
)

// TestActivationBytes checks the live sets of 1.0/224 by hand. Layer by
// layer, the peak is the second block's depthwise, reading 112x112x96 and
// writing 56x56x96, and a residual block's project holds its input, its
// output and the shortcut. Streamed, the expanded tensors never exist whole,
// nor does the stem's output, which the first block computes into its ring
// as it reads it: the peak is that block's, with the image and its output.
func TestActivationBytes(t *testing.T) {
	a, _ := NewArch(Config{Width: 1, Res: 224, Classes: 1001})
	layers := a.Layers()
	live := a.LayerwiseActivationBytes()
	if len(live) != len(layers) {
		t.Fatalf("%d sizes for %d layers", len(live), len(layers))
	}
	want := map[string]int64{
		"stem":         4 * (224*224*3 + 112*112*32),
		"b0/depthwise": 4 * (112*112*32 + 112*112*32), // t = 1: reads the block input
		"b1/expand":    4 * (112*112*16 + 112*112*96),
		"b1/depthwise": 4 * (112*112*96 + 56*56*96),
		"b2/expand":    4 * (56*56*24 + 56*56*144), // the input is the shortcut
		"b2/depthwise": 4 * (56*56*144 + 56*56*144 + 56*56*24),
		"b2/project":   4 * (56*56*144 + 56*56*24 + 56*56*24),
		"b3/project":   4 * (28*28*144 + 28*28*32),
		"head":         4 * (7*7*320 + 7*7*1280),
		"classifier":   4 * (1280 + 1001),
	}
	for i, l := range layers {
		if w, ok := want[l.Name]; ok && live[i] != w {
			t.Errorf("layer by layer, %s: %d bytes live, want %d", l.Name, live[i], w)
		}
	}
	if p := slices.Max(live); p != want["b1/depthwise"] {
		t.Errorf("layer by layer: peak %d bytes, want %d (b1/depthwise)", p, want["b1/depthwise"])
	}

	// Streamed, with a strip budget of 256 KiB a thread: the first block
	// (t = 1, 112x112x32) streams 9-row strips reading a ring of 11 rows
	// of the stem; the second (t = 6, 112x112x16 -> 56x56x96 -> 24,
	// stride 2) 2-row strips reading 5 expanded rows; the 7x7 blocks
	// (960 expanded channels) 4-row strips reading 6 rows, unless two
	// threads split them by channels.
	for _, threads := range []int{1, 2} {
		streamed := a.StreamedActivationBytes(threads)
		n := int64(threads)
		for i, l := range layers {
			var w int64
			switch l.Name {
			case "stem", "b0/depthwise", "b0/project":
				w = 4*(224*224*3+112*112*16) + n*4*(9*112*32+11*112*32)
			case "b1/expand", "b1/depthwise", "b1/project":
				w = 4*(112*112*16+56*56*24) + n*4*(2*56*96+5*112*96)
			case "b14/expand", "b14/depthwise", "b14/project":
				w = 4 * (7*7*160 + 7*7*160) // input and output
				if threads > 1 {
					w += 4 * 2 * 7 * 7 * 960 // expanded and depthwise output whole
				} else {
					w += 4 * (4*7*960 + 6*7*960)
				}
			case "head", "classifier":
				w = live[i]
			default:
				continue
			}
			if streamed[i] != w {
				t.Errorf("%d threads: %s streamed %d bytes, want %d", threads, l.Name, streamed[i], w)
			}
		}
	}
	// The peaks the README quotes.
	for threads, peak := range map[int]int64{1: 1691648, 2: 1978368} {
		if p := slices.Max(a.StreamedActivationBytes(threads)); p != peak {
			t.Errorf("%d threads: streamed peak %d bytes, want %d", threads, p, peak)
		}
	}
}

// TestRunnerMemory checks what NewRunner really allocates at 1.0/224, as
// the Go runtime counts it, against figures worked out by hand, and that
// the runner's memory report is the one of its own schedule and fits in
// what it allocated.
func TestRunnerMemory(t *testing.T) {
	m, err := Synthetic(Config{Width: 1, Res: 224, Classes: 1001}, 1)
	if err != nil {
		t.Fatal(err)
	}
	const (
		image      = 224 * 224 * 3
		blockOut   = 112 * 112 * 16 // the largest block output: x and y
		head       = 7 * 7 * 1280   // the head's output
		classes    = 1280 + 2*1001  // pooled, logits, probabilities
		ring       = 7 * 56 * 144   // the largest ring: b3, 3-row strips at stride 2
		strip      = 9 * 112 * 32   // the largest strip: b0, 9 rows
		depthwise7 = 7 * 7 * 960    // 7x7 blocks split by channels: their depthwise output whole
	)
	cases := []struct {
		threads   int
		allocated int64 // bytes of activation buffers
		peak      int64 // of the memory report
	}{
		{1, 4 * (image + 2*blockOut + head + classes + ring + strip), 1691648},
		{2, 4 * (image + 2*blockOut + head + depthwise7 + classes + 2*(ring+strip)), 1978368},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("threads=%d", c.threads), func(t *testing.T) {
			var r *Runner
			got := allocated(func() { r, _ = m.NewRunner(224, c.threads) })
			defer r.Close()
			checkAllocated(t, "streamed", got, c.allocated)
			live := r.ActivationBytes()
			if p := slices.Max(live); p != c.peak || p > got {
				t.Errorf("streamed: peak %d bytes live, want %d, at most the %d allocated", p, c.peak, got)
			}

			// Layer by layer, the stem's output and the expanded tensors
			// exist whole: the runner grows x and y to the stem's
			// 112x112x32, e to the second block's expanded 112x112x96 and
			// d to the third block's depthwise output, 56x56x144.
			grown := allocated(func() { r.SetLayerwise(true) })
			checkAllocated(t, "layer by layer, grown", grown, 4*(2*112*112*32+112*112*96+56*56*144))
			if p := slices.Max(r.ActivationBytes()); p != 4*(112*112*96+56*56*96) {
				t.Errorf("layer by layer: peak %d bytes live, want %d", p, 4*(112*112*96+56*56*96))
			}
		})
	}
}

// TestInt8RunnerMemory checks the report of a runner of the integer pass,
// which streams as the float pass does, a byte a value: its peak is the
// stem streaming into the first block, the image (224x224x3), the block's
// output (112x112x16) and each thread's ring of 38 stem rows and strip of
// 36 depthwise rows (112x32 each), with strips of up to 256 KB.
func TestInt8RunnerMemory(t *testing.T) {
	m, err := SyntheticInt8(Config{Width: 1, Res: 224, Classes: 1001}, 1)
	if err != nil {
		t.Fatal(err)
	}
	for threads, want := range map[int]int64{
		1: 224*224*3 + 112*112*16 + (38+36)*112*32,
		2: 224*224*3 + 112*112*16 + 2*(38+36)*112*32,
	} {
		r, _ := m.NewRunner(224, threads)
		if p := slices.Max(r.ActivationBytes()); p != want {
			t.Errorf("int8, %d threads: peak %d bytes live, want %d", threads, p, want)
		}
		// Layer by layer, as before streaming: the second block's expanded
		// input and depthwise output.
		r.SetLayerwise(true)
		if p := slices.Max(r.ActivationBytes()); p != 112*112*96+56*56*96 {
			t.Errorf("int8 layer by layer: peak %d bytes live, want %d", p, 112*112*96+56*56*96)
		}
		r.Close()
	}
}

// allocated returns the bytes f allocates on the heap.
func allocated(f func()) int64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return int64(after.TotalAlloc - before.TotalAlloc)
}

// checkAllocated accepts got bytes allocated for want bytes of buffers: the
// runtime rounds large objects up to whole pages, and a runner allocates a
// few small things besides (its layer list, its threads' channels).
func checkAllocated(t *testing.T, what string, got, want int64) {
	t.Helper()
	if got < want || got > want+64<<10 {
		t.Errorf("%s: %d bytes allocated, want %d (+ at most 64 KiB)", what, got, want)
	}
}
