package model

import "testing"

// TestActivationBytes checks the live sets of 1.0/224 by hand: the peak is
// the second block's depthwise, reading 112x112x96 and writing 56x56x96;
// a residual block's project holds its input, its output and the shortcut.
func TestActivationBytes(t *testing.T) {
	a, _ := NewArch(Config{Width: 1, Res: 224, Classes: 1001})
	live := a.ActivationBytes()
	layers := a.Layers()
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
			t.Errorf("%s: %d bytes live, want %d", l.Name, live[i], w)
		}
	}
	if p := a.PeakActivationBytes(); p != want["b1/depthwise"] {
		t.Errorf("peak %d bytes, want %d (b1/depthwise)", p, want["b1/depthwise"])
	}
}
