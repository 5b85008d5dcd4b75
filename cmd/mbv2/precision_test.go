package main

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mbv2/mbv2/model"
)

// TestPrecisionUsage: an unknown precision, and int8 for a model that is not
// quantized throughout (the tiny test model has 8-bit weights and float
// activations), are usage errors.
func TestPrecisionUsage(t *testing.T) {
	img := filepath.Join("..", "..", "testdata", "chelsea.jpg")
	for _, args := range [][]string{
		{"classify", "--precision", "int4", "-m", tinyModelPath, img},
		{"classify", "--precision", "int8", "-m", tinyModelPath, img},
		{"model", "info", "--precision", "int8", "-m", tinyModelPath},
	} {
		code, stdout, stderr := runCmd(t, nil, args...)
		if code != exitUsage || stdout != "" || !strings.Contains(stderr, "--precision") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want a usage error naming --precision", args, code, stdout, stderr)
		}
	}
	// The default for that model is float32.
	if code, _, stderr := runCmd(t, nil, "classify", "-m", tinyModelPath, img); code != exitOK {
		t.Errorf("default precision: exit %d: %s", code, stderr)
	}
}

// TestBenchInt8 times random quantized weights: the JSON says int8, and the
// peak activation memory is the integer pass's.
func TestBenchInt8(t *testing.T) {
	var r benchResult
	benchJSON(t, &r, "--precision", "int8", "--width", "0.35", "--res", "64", "--iters", "2")
	a, _ := model.NewArch(model.Config{Width: 0.35, Res: 64, Classes: 1001})
	if r.Precision != "int8" || r.PeakBytes != slices.Max(a.Int8ActivationBytes(1)) || r.Latency.Median <= 0 {
		t.Errorf("precision %q, peak %d (want %d), latency %+v", r.Precision, r.PeakBytes, slices.Max(a.Int8ActivationBytes(1)), r.Latency)
	}
	benchJSON(t, &r, "--width", "0.35", "--res", "64", "--iters", "1")
	if r.Precision != "float32" {
		t.Errorf("random weights run in %q by default, want float32", r.Precision)
	}
}

// TestClassifyInt8 runs a shipped quantized model at both precisions: int8
// by default, whose probabilities are the 8-bit outputs q/256 exactly, and
// float32 on request; both name the same top-1.
func TestClassifyInt8(t *testing.T) {
	dir := sharedModelsDir(t)
	img := filepath.Join(filepath.Dir(dir), "reference", "inputs", "cat.png")
	file := filepath.Join(dir, "mobilenet_v2_1.0_224_quant.tflite")
	top := map[string]prediction{}
	for _, p := range []string{"", "int8", "float32"} {
		args := []string{"classify", "-m", file, "-k", "5", "--json", img}
		if p != "" {
			args = append(args, "--precision", p)
		}
		code, stdout, stderr := runCmd(t, nil, args...)
		if code != exitOK {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
		var res result
		if err := json.Unmarshal([]byte(stdout), &res); err != nil || len(res.Top) != 5 {
			t.Fatalf("%v: %v: %s", args, err, stdout)
		}
		if p != "float32" {
			for _, q := range res.Top {
				if v := q.Prob * 256; v != float32(int(v)) {
					t.Errorf("%s: probability %v of %s is not q/256", p, q.Prob, q.Label)
				}
			}
		}
		top[p] = res.Top[0]
	}
	if top[""] != top["int8"] || top["int8"].Label != top["float32"].Label || top["int8"].Label != "Egyptian cat" {
		t.Errorf("top-1: default %+v, int8 %+v, float32 %+v", top[""], top["int8"], top["float32"])
	}
}
