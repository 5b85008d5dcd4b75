package model

import (
	"fmt"
	"testing"
)

// TestPlan checks the schedule of 1.0/224 worked out by hand: with the
// 256 KiB strip budget of float32 values, each block's strip rows, and the
// rows of its ring, (strip-1)*stride+3 capped by the input's height (the
// first block, t = 1, has one only because it computes the stem's rows into
// it); on two threads the 7x7 blocks, with fewer than 4 input rows a
// thread, split by channels; layer by layer, none streams.
func TestPlan(t *testing.T) {
	a, _ := NewArch(Config{Width: 1, Res: 224, Classes: 1001})
	strips := []int{9, 2, 4, 3, 6, 6, 4, 6, 6, 6, 6, 4, 4, 3, 4, 4, 4}
	rings := []int{11, 5, 6, 7, 8, 8, 9, 8, 8, 8, 8, 6, 6, 7, 6, 6, 6}
	for _, threads := range []int{1, 2} {
		p := newPlan(a, threads, false, 4)
		for i, b := range p.blocks {
			want := fmt.Sprintf("streamed strip=%d ring=%d stem=%v", strips[i], rings[i], i == 0)
			if threads == 2 && i >= 14 {
				want = "channelSplit strip=0 ring=0 stem=false"
			}
			if got := planString(b); got != want {
				t.Errorf("%d threads, b%d: %s, want %s", threads, i, got, want)
			}
		}
	}
	for i, b := range newPlan(a, 2, true, 4).blocks {
		if got := planString(b); got != "layerByLayer strip=0 ring=0 stem=false" {
			t.Errorf("layer by layer, b%d: %s", i, got)
		}
	}
	// A byte a value: four times the rows in the same budget, up to the
	// block's height.
	if b := newPlan(a, 1, false, 1).blocks[1]; b.strip != 9 || b.ring != 19 {
		t.Errorf("a byte a value, b1: strip %d ring %d, want 9 and 19", b.strip, b.ring)
	}
}

func planString(b blockPlan) string {
	s := [...]string{streamed: "streamed", channelSplit: "channelSplit", layerByLayer: "layerByLayer"}[b.schedule]
	return fmt.Sprintf("%s strip=%d ring=%d stem=%v", s, b.strip, b.ring, b.fusesStem)
}
