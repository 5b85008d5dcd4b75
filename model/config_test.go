package model

import (
	"fmt"
	"strings"
	"testing"

	"github.com/mbv2/mbv2/assets"
)

// TestCostMatchesSlimTable compares the analytic cost with the TF-slim
// checkpoint table, whose figures are rounded down.
func TestCostMatchesSlimTable(t *testing.T) {
	for _, row := range assets.SlimCheckpoints() {
		a, err := NewArch(Config{Width: row.Width, Res: row.Res, Classes: 1001})
		if err != nil {
			t.Fatal(err)
		}
		macs, params := a.Cost()
		// Round down to whole millions and to two decimals of millions.
		gotParams := fmt.Sprintf("%d.%02d", params/1e6, params%1e6/1e4)
		if macs/1e6 != row.MMACs || gotParams != fmt.Sprintf("%.2f", row.MParams) {
			t.Errorf("%g/%d: %d MACs, %d params (%dM, %sM); table: %dM, %.2fM",
				row.Width, row.Res, macs, params, macs/1e6, gotParams, row.MMACs, row.MParams)
		}
	}
}

func TestCostExact(t *testing.T) {
	a, _ := NewArch(Config{Width: 1, Res: 224, Classes: 1001})
	macs, params := a.Cost()
	if macs != 300_775_552 || params != 3_471_040 {
		t.Errorf("1.0/224: %d MACs, %d params; want 300775552 and 3471040", macs, params)
	}
}

// The per-block MACs are the paper's formula h*w*d'*t*(d'+9+d”) at
// stride 1, and the sum of the block's layers in general.
func TestBottleneckFormula(t *testing.T) {
	for _, w := range Widths {
		a, _ := NewArch(Config{Width: w, Res: 224, Classes: 1001})
		layers := a.Layers()
		for i, b := range a.Bottlenecks {
			var sum int64
			for _, l := range layers {
				if strings.HasPrefix(l.Name, fmt.Sprintf("b%d/", i)) {
					sum += l.MACs
				}
			}
			if sum != b.MACs() {
				t.Errorf("width %g b%d: layers sum to %d MACs, block says %d", w, i, sum, b.MACs())
			}
			if b.Stride == 1 && b.T != 1 {
				h, d1, d2 := int64(b.H), int64(b.In), int64(b.Out)
				if f := h * h * d1 * int64(b.T) * (d1 + 9 + d2); f != b.MACs() {
					t.Errorf("width %g b%d: formula %d, block %d", w, i, f, b.MACs())
				}
			}
		}
	}
}

func TestArchShape(t *testing.T) {
	a, _ := NewArch(Config{Width: 1, Res: 224, Classes: 1001})
	var adds, outs []int
	for i, b := range a.Bottlenecks {
		if b.Residual {
			adds = append(adds, i)
		}
		outs = append(outs, b.Out)
	}
	if fmt.Sprint(adds) != "[2 4 5 7 8 9 11 12 14 15]" {
		t.Errorf("residual blocks %v", adds)
	}
	if fmt.Sprint(outs) != "[16 24 24 32 32 32 64 64 64 64 96 96 96 160 160 160 320]" || a.Stem != 32 || a.Head != 1280 || a.HeadH != 7 {
		t.Errorf("channels %v stem %d head %d at %d", outs, a.Stem, a.Head, a.HeadH)
	}
	a, _ = NewArch(Config{Width: 0.35, Res: 96, Classes: 1001})
	outs = outs[:0]
	for _, b := range a.Bottlenecks {
		outs = append(outs, b.Out)
	}
	if fmt.Sprint(outs) != "[8 8 8 16 16 16 24 24 24 24 32 32 32 56 56 56 112]" || a.Stem != 16 || a.Head != 1280 {
		t.Errorf("0.35: channels %v stem %d head %d", outs, a.Stem, a.Head)
	}
	a, _ = NewArch(Config{Width: 1.4, Res: 224, Classes: 1001})
	if a.Head != 1792 || a.Stem != 48 || a.Bottlenecks[16].Out != 448 {
		t.Errorf("1.4: stem %d head %d last %d", a.Stem, a.Head, a.Bottlenecks[16].Out)
	}
}
