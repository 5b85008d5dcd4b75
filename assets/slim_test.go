package assets

import "testing"

// TestSlimCheckpoints checks the table is whole and sane: 22 configurations,
// each once, accuracy growing with resolution at each width.
func TestSlimCheckpoints(t *testing.T) {
	cs := SlimCheckpoints()
	if len(cs) != 22 {
		t.Fatalf("%d checkpoints, want 22", len(cs))
	}
	seen := map[[2]float64]bool{}
	for _, c := range cs {
		key := [2]float64{c.Width, float64(c.Res)}
		if seen[key] {
			t.Errorf("%g/%d twice", c.Width, c.Res)
		}
		seen[key] = true
		if !(c.Top1 > 40 && c.Top1 < c.Top5 && c.Top5 < 100) || c.MMACs <= 0 || c.MParams <= 0 {
			t.Errorf("%+v: implausible", c)
		}
		if got, ok := SlimCheckpoint(c.Width, c.Res); !ok || got != c {
			t.Errorf("SlimCheckpoint(%g, %d) = %+v, %v", c.Width, c.Res, got, ok)
		}
		if lower, ok := SlimCheckpoint(c.Width, c.Res-32); ok && lower.Top1 >= c.Top1 {
			t.Errorf("%g: top-1 %g at %d, %g at %d", c.Width, lower.Top1, c.Res-32, c.Top1, c.Res)
		}
	}
	if _, ok := SlimCheckpoint(1.3, 96); ok {
		t.Error("1.3/96 was never published")
	}
}
