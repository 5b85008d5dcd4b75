package model

import (
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

	for _, threads := range []int{1, 2} {
		streamed := a.StreamedActivationBytes(threads)
		b1 := a.Bottlenecks[1]
		rows := stripRows(b1)
		scratch := int64(threads) * 4 * int64(rows*56*96+ringRows(b1, rows)*112*96)
		for i, l := range layers {
			switch l.Name {
			case "stem", "b0/depthwise", "b0/project":
				// 9-row strips of b0, reading a ring of 11 rows of the stem.
				w := 4*int64(224*224*3+112*112*16) + int64(threads)*4*int64(9*112*32+11*112*32)
				if streamed[i] != w {
					t.Errorf("%d threads: %s streamed %d bytes, want %d", threads, l.Name, streamed[i], w)
				}
			case "head", "classifier":
				if streamed[i] != live[i] {
					t.Errorf("%d threads: %s streamed %d bytes, layer by layer %d", threads, l.Name, streamed[i], live[i])
				}
			case "b14/expand", "b14/depthwise", "b14/project":
				w := 4 * int64(7*7*160+7*7*160) // input and output
				if threads > 1 {
					w += 4 * 2 * 7 * 7 * 960 // split by channels: expanded and depthwise output whole
				} else {
					w += 4 * (4 + 6) * 7 * 960 // a strip of 4 rows, reading a ring of 6
				}
				if streamed[i] != w {
					t.Errorf("%d threads: %s streamed %d bytes, want %d", threads, l.Name, streamed[i], w)
				}
			case "b1/expand", "b1/depthwise", "b1/project":
				if w := 4*int64(112*112*16+56*56*24) + scratch; streamed[i] != w {
					t.Errorf("%d threads: %s streamed %d bytes, want %d", threads, l.Name, streamed[i], w)
				}
			}
		}
		if p := slices.Max(streamed); p >= 2<<20 || p != streamed[1] {
			t.Errorf("%d threads: streamed peak %d bytes, want under 2 MB at b0 (%d)", threads, p, streamed[1])
		}
	}

	m, _ := Synthetic(Config{Width: 1, Res: 224, Classes: 1001}, 1)
	r, _ := m.NewRunner(224, 2)
	defer r.Close()
	if !slices.Equal(r.ActivationBytes(), a.StreamedActivationBytes(2)) {
		t.Error("a runner's default schedule is not the streamed one on its threads")
	}
	r.SetLayerwise(true)
	if !slices.Equal(r.ActivationBytes(), live) {
		t.Error("a layer-by-layer runner does not report layer-by-layer bytes")
	}
}
