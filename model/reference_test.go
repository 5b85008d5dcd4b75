package model

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mbv2/mbv2/kernels"
	"github.com/mbv2/mbv2/model/imageio"
	"github.com/mbv2/mbv2/model/internal/shareddata"
)

type refTop struct {
	Index int     `json:"index"`
	Label string  `json:"label"`
	Prob  float64 `json:"prob"`
}

type reference struct {
	Models map[string]struct {
		File       string `json:"file"`
		NumClasses int    `json:"num_classes"`
		Images     map[string]struct {
			Input    string `json:"input"`
			FloatRef struct {
				Top5   []refTop  `json:"top5"`
				Probs  []float64 `json:"probs_f32"`
				Logits []float64 `json:"logits_f32"`
				Margin float64   `json:"top1_margin"`
			} `json:"float_ref"`
		} `json:"images"`
	} `json:"models"`
}

func readReference(t testing.TB, dir string) *reference {
	b, err := os.ReadFile(filepath.Join(dir, "reference", "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ref reference
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	return &ref
}

func loadFile(t testing.TB, path string) *Model {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Load(data)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return m
}

// classifyFile decodes, prepares and runs one image file.
func classifyFile(t testing.TB, r *Runner, path string) []float32 {
	return r.Forward(canonicalRGB(t, r, path))
}

// canonicalRGB reads the image at path, sized for r's network.
func canonicalRGB(t testing.TB, r *Runner, path string) []byte {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	img, err := imageio.DecodeImage(data, 0)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	rgb := make([]byte, r.Arch().Res*r.Arch().Res*3)
	if err := imageio.PrepareRGB(rgb, img, r.Arch().Res, 1, imageio.ResizeBilinear); err != nil {
		t.Fatal(err)
	}
	return rgb
}

func argmax(p []float32) int {
	best := 0
	for i, v := range p {
		if v > p[best] {
			best = i
		}
	}
	return best
}

// TestReference checks every model on every canonical input against the
// float reference: each probability within 1e-4, each logit within 1e-3,
// the same top-1. It runs under every kernel set this CPU supports.
func TestReference(t *testing.T) {
	dir := shareddata.Dir(t)
	ref := readReference(t, dir)
	for _, set := range kernels.Sets() {
		t.Run(set, func(t *testing.T) {
			prev := kernels.Name()
			if err := kernels.Use(set); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { kernels.Use(prev) })
			for key, mr := range ref.Models {
				m := loadFile(t, filepath.Join(dir, "models", mr.File))
				if m.Classes != mr.NumClasses || m.Width != 1 || m.Res != 224 {
					t.Fatalf("%s: loaded %d classes, width %g, res %d", key, m.Classes, m.Width, m.Res)
				}
				r, err := m.NewRunner(m.Res, 2)
				if err != nil {
					t.Fatal(err)
				}
				for name, ir := range mr.Images {
					probs := classifyFile(t, r, filepath.Join(dir, "reference", ir.Input))
					var maxP, maxL float64
					for i, want := range ir.FloatRef.Probs {
						maxP = max(maxP, math.Abs(float64(probs[i])-want))
						maxL = max(maxL, math.Abs(float64(r.Logits()[i])-ir.FloatRef.Logits[i]))
					}
					if maxP > 1e-4 || maxL > 1e-3 {
						t.Errorf("%s/%s: max |Δprob| %.2g, max |Δlogit| %.2g; want ≤ 1e-4 and 1e-3", key, name, maxP, maxL)
					}
					if got, want := argmax(probs), ir.FloatRef.Top5[0].Index; got != want {
						t.Errorf("%s/%s: top-1 %d (%s), reference %d (%s)", key, name, got, m.Label(got), want, ir.FloatRef.Top5[0].Label)
					}
					t.Logf("%s/%s: max |Δprob| %.2g, max |Δlogit| %.2g", key, name, maxP, maxL)
				}
			}
		})
	}
}

// TestPhotos runs the original photos, resized by us rather than by the
// reference's resampler: top-1 must still be the reference's where the
// reference is confident (a margin of 0.05 or more).
func TestPhotos(t *testing.T) {
	dir := shareddata.Dir(t)
	ref := readReference(t, dir)
	photos, _ := filepath.Glob(filepath.Join(dir, "images", "*"))
	for key, mr := range ref.Models {
		m := loadFile(t, filepath.Join(dir, "models", mr.File))
		r, _ := m.NewRunner(m.Res, 1)
		for name, ir := range mr.Images {
			var photo string
			for _, p := range photos {
				if strings.TrimSuffix(filepath.Base(p), filepath.Ext(p)) == name {
					photo = p
				}
			}
			if photo == "" {
				continue
			}
			probs := classifyFile(t, r, photo)
			got, want := argmax(probs), ir.FloatRef.Top5[0].Index
			switch {
			case got == want:
				t.Logf("%s/%s: top-1 %s %.3f (reference %.3f)", key, name, m.Label(got), probs[got], ir.FloatRef.Top5[0].Prob)
			case ir.FloatRef.Margin >= 0.05:
				t.Errorf("%s/%s: top-1 %d (%s %.3f), reference %d (%s %.3f, margin %.3f)", key, name,
					got, m.Label(got), probs[got], want, ir.FloatRef.Top5[0].Label, ir.FloatRef.Top5[0].Prob, ir.FloatRef.Margin)
			default:
				t.Logf("%s/%s: top-1 %s, reference %s, within the reference's margin %.3f", key, name, m.Label(got), ir.FloatRef.Top5[0].Label, ir.FloatRef.Margin)
			}
		}
	}
}
