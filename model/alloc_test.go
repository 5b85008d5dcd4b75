package model

import (
	"fmt"
	"testing"

	"github.com/mbv2/mbv2/model/internal/tflite"
)

// TestForwardAllocs checks that a forward pass allocates nothing, on every
// schedule and thread count, with and without timing.
func TestForwardAllocs(t *testing.T) {
	cfg := Config{Width: 0.5, Res: 96, Classes: 11}
	m, err := Load(tflite.Write(synthTFLite(cfg, synthNet(cfg, 1), true, false), nil))
	if err != nil {
		t.Fatal(err)
	}
	rgb := randomRGB(cfg.Res*cfg.Res*3, 1)
	for _, threads := range []int{1, 2} {
		for _, layerwise := range []bool{false, true} {
			for _, timing := range []bool{false, true} {
				t.Run(fmt.Sprintf("threads=%d/layerwise=%v/timing=%v", threads, layerwise, timing), func(t *testing.T) {
					r, _ := m.NewRunner(cfg.Res, threads)
					defer r.Close()
					r.SetLayerwise(layerwise)
					r.SetTiming(timing)
					if n := testing.AllocsPerRun(20, func() { r.Forward(rgb) }); n != 0 {
						t.Errorf("%v allocations per forward pass", n)
					}
				})
			}
		}
	}
}
