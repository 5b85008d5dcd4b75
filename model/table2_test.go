package model

import (
	"slices"
	"testing"
)

// TestTable2 checks Arch.Table2 at 1.0/224 against Table 2 of the paper,
// typed from it (k = 1001 classes).
func TestTable2(t *testing.T) {
	a, err := NewArch(Config{Width: 1, Res: 224, Classes: 1001})
	if err != nil {
		t.Fatal(err)
	}
	sq := func(h, c int) [3]int { return [3]int{h, h, c} }
	want := []Table2Row{
		{sq(224, 3), "conv2d 3x3", 0, 32, 1, 2},
		{sq(112, 32), "bottleneck", 1, 16, 1, 1},
		{sq(112, 16), "bottleneck", 6, 24, 2, 2},
		{sq(56, 24), "bottleneck", 6, 32, 3, 2},
		{sq(28, 32), "bottleneck", 6, 64, 4, 2},
		{sq(14, 64), "bottleneck", 6, 96, 3, 1},
		{sq(14, 96), "bottleneck", 6, 160, 3, 2},
		{sq(7, 160), "bottleneck", 6, 320, 1, 1},
		{sq(7, 320), "conv2d 1x1", 0, 1280, 1, 1},
		{sq(7, 1280), "avgpool 7x7", 0, 0, 1, 0},
		{sq(1, 1280), "conv2d 1x1", 0, 1001, 0, 0},
	}
	if got := a.Table2(); !slices.Equal(got, want) {
		t.Errorf("Table2:\n got %v\nwant %v", got, want)
	}
	// A narrow network whose rounded widths repeat keeps the paper's rows.
	a, err = NewArch(Config{Width: 0.1, Res: 224, Classes: 10})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(a.Table2()); got != len(want) {
		t.Errorf("width 0.1: %d rows, want %d", got, len(want))
	}
}
