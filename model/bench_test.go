package model

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/mbv2/mbv2/kernels"
	"github.com/mbv2/mbv2/model/internal/shareddata"
	"github.com/mbv2/mbv2/model/internal/tflite"
)

// BenchmarkForward times the whole network, 1.0/224 with random weights,
// under each kernel set, thread count and schedule.
func BenchmarkForward(b *testing.B) {
	cfg := Config{Width: 1, Res: 224, Classes: 1001}
	m, err := Load(tflite.Write(synthTFLite(cfg, synthNet(cfg, 1), false, false), nil))
	if err != nil {
		b.Fatal(err)
	}
	macs, _ := newArchMust(cfg).Cost()
	rgb := randomRGB(cfg.Res*cfg.Res*3, 1)
	for _, set := range kernels.Sets() {
		for _, threads := range []int{1, 2} {
			for _, schedule := range []string{"streamed", "layerwise"} {
				b.Run(fmt.Sprintf("%s/threads=%d/%s", set, threads, schedule), func(b *testing.B) {
					prev := kernels.Name()
					kernels.Use(set)
					defer kernels.Use(prev)
					r, _ := m.NewRunner(cfg.Res, threads)
					defer r.Close()
					r.SetLayerwise(schedule == "layerwise")
					r.Forward(rgb)
					b.ResetTimer()
					for range b.N {
						r.Forward(rgb)
					}
					b.ReportMetric(2*float64(macs)*float64(b.N)/float64(b.Elapsed().Nanoseconds()), "GFLOP/s")
				})
			}
		}
	}
}

func newArchMust(cfg Config) *Arch {
	a, err := NewArch(cfg)
	if err != nil {
		panic(err)
	}
	return a
}

// BenchmarkLoad times loading the default model: parse, then dequantize
// and pack (float32) or pack the 8-bit weights as they are (int8).
func BenchmarkLoad(b *testing.B) {
	data, err := os.ReadFile(filepath.Join(shareddata.Dir(b), "models", "mobilenet_v2_1.0_224_quant.tflite"))
	if err != nil {
		b.Fatal(err)
	}
	for _, p := range []Precision{Float32, Int8} {
		b.Run(string(p), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := LoadAs(data, p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
