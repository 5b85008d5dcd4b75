package main

import (
	"bytes"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/mbv2/mbv2/kernels"
	"github.com/mbv2/mbv2/model"
)

func TestBenchFlagErrors(t *testing.T) {
	t.Cleanup(func() { kernels.Use("auto") })
	runCmd(t, nil, "version") // settles the kernel set, as every command does
	before := kernels.Name()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--threads", "0"}, "--threads"},
		{[]string{"--iters", "-1"}, "negative"},
		{[]string{"--iters", "5", "--time", "1s"}, "exclude"},
		{[]string{"--width", "0.5,1.0"}, "--sweep"},
		{[]string{"--res", "96,128"}, "--sweep"},
		{[]string{"--width", "wide"}, "--width"},
		{[]string{"--res", "8"}, "resolution 8"},
		{[]string{"--sweep", "--width", "0.5,9"}, "width multiplier 9"},
		{[]string{"--plot", "x.png"}, "--sweep"},
		{[]string{"--sweep", "--plot", "x.jpg"}, ".png or .svg"},
		{[]string{"--sweep", "--compare", "generic"}, "exclude"},
		{[]string{"--compare", "generic,bogus"}, `"bogus"`},
		{[]string{"-m", tinyModelPath, "--width", "0.5"}, "--width"},
		{[]string{"--time", "soon"}, "--time"},
		{[]string{"extra"}, "unknown command"},
	} {
		code, stdout, stderr := runCmd(t, nil, append([]string{"bench"}, c.args...)...)
		if code != exitUsage || stdout != "" || !strings.Contains(stderr, c.want) {
			t.Errorf("bench %v: exit %d, stdout %q, stderr %q; want exit 2 and %q", c.args, code, stdout, stderr, c.want)
		}
	}
	if k := kernels.Name(); k != before {
		t.Errorf("a rejected --compare left the kernel set at %s, was %s", k, before)
	}
}

// benchJSON runs bench with --json and decodes its output into v, also
// checking it against the generic shape: the keys the JSON promises.
func benchJSON(t *testing.T, v any, args ...string) map[string]any {
	t.Helper()
	code, stdout, stderr := runCmd(t, nil, append([]string{"bench", "--json", "--warmup", "0"}, args...)...)
	if code != exitOK || stderr != "" {
		t.Fatalf("bench %v: exit %d, stderr %q", args, code, stderr)
	}
	dec := json.NewDecoder(strings.NewReader(stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("bench %v: %v\n%s", args, err, stdout)
	}
	var m map[string]any
	json.Unmarshal([]byte(stdout), &m)
	return m
}

// checkResult checks one timed configuration for consistency with the
// analytic cost; it asserts nothing about the times but their order.
func checkResult(t *testing.T, r benchResult, width float64, res, runs int) {
	t.Helper()
	a, err := model.NewArch(model.Config{Width: width, Res: res, Classes: 1001})
	if err != nil {
		t.Fatal(err)
	}
	macs, params := a.Cost()
	l := r.Latency
	switch {
	case r.Width != width || r.Res != res || r.Runs != runs || r.Threads != 1:
		t.Errorf("width %g res %d runs %d threads %d; want %g, %d, %d, 1", r.Width, r.Res, r.Runs, r.Threads, width, res, runs)
	case r.MACs != macs || r.Params != params || r.PeakBytes != slices.Max(a.StreamedActivationBytes(1)):
		t.Errorf("%d MACs, %d params, peak %d; want %d, %d, %d", r.MACs, r.Params, r.PeakBytes, macs, params, slices.Max(a.StreamedActivationBytes(1)))
	case !(0 < l.Min && l.Min <= l.Median && l.Median <= l.P90 && l.P90 <= l.Max):
		t.Errorf("latency %+v out of order", l)
	case math.Abs(r.GFLOPS-2*float64(macs)/l.Median/1e6) > 1e-9*r.GFLOPS:
		t.Errorf("%g GFLOP/s for %d MACs in %g ms", r.GFLOPS, macs, l.Median)
	case r.CPU == "" || !slices.Contains(kernels.Sets(), r.Kernels) || r.LoadMs <= 0 || r.FirstRunMs <= 0:
		t.Errorf("cpu %q kernels %q load %g first run %g", r.CPU, r.Kernels, r.LoadMs, r.FirstRunMs)
	}
}

func TestBenchJSON(t *testing.T) {
	var r benchResult
	m := benchJSON(t, &r, "--width", "0.35", "--res", "96", "--iters", "3")
	checkResult(t, r, 0.35, 96, 3)
	if r.Model != "synthetic" {
		t.Errorf("model %q", r.Model)
	}
	for _, key := range []string{"latency_ms", "macs", "params", "kernels", "threads", "peak_activation_bytes", "layers", "cpu", "gflops", "load_ms", "first_run_ms"} {
		if _, ok := m[key]; !ok {
			t.Errorf("no %q in the JSON", key)
		}
	}
	for _, key := range []string{"mean", "stddev", "min", "median", "p90", "max", "times"} {
		if _, ok := m["latency_ms"].(map[string]any)[key]; !ok {
			t.Errorf("no latency_ms.%s", key)
		}
	}
	// runs is the count of the raw times, as in every bench JSON.
	l := r.Latency
	if len(l.Times) != r.Runs || l.Min != slices.Min(l.Times) || l.Max != slices.Max(l.Times) ||
		!(l.Min <= l.Mean && l.Mean <= l.Max) || l.Stddev < 0 {
		t.Errorf("runs %d, latency %+v", r.Runs, l)
	}
	layer := m["layers"].([]any)[1].(map[string]any)
	for _, key := range []string{"name", "op", "in", "out", "macs", "ms"} {
		if _, ok := layer[key]; !ok {
			t.Errorf("no %q in a layer: %v", key, layer)
		}
	}

	// Layers: the input step, then the network's layers, in order; the
	// kinds total them.
	a, _ := model.NewArch(model.Config{Width: 0.35, Res: 96, Classes: 1001})
	want := append([]string{"input"}, func() (names []string) {
		for _, l := range a.Layers() {
			names = append(names, l.Name)
		}
		return
	}()...)
	var got []string
	var macs int64
	var share, ms float64
	for _, l := range r.Layers {
		got = append(got, l.Name)
		macs += l.MACs
		share += l.Share
		ms += l.Ms
		if l.Ms < 0 || l.In == nil || l.Out == nil {
			t.Errorf("layer %+v", l)
		}
	}
	if !slices.Equal(got, want) || macs != r.MACs || math.Abs(share-1) > 1e-9 {
		t.Errorf("layers %v (%d MACs, shares sum to %g); want %v (%d MACs)", got, macs, share, want, r.MACs)
	}
	var kms float64
	var kinds []string
	for _, k := range r.Kinds {
		kms += k.Ms
		kinds = append(kinds, k.Op)
	}
	if !slices.Equal(kinds, kindOrder) || math.Abs(kms-ms) > 1e-9*ms {
		t.Errorf("kinds %v sum to %g ms, layers to %g", kinds, kms, ms)
	}
}

func TestBenchText(t *testing.T) {
	code, stdout, stderr := runCmd(t, nil, "bench", "--width", "0.35", "--res", "64", "--iters", "2", "--threads", "2")
	if code != exitOK || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	for _, want := range []string{"MobileNetV2 0.35/64, synthetic weights", "2 threads", "2 runs", "GFLOP/s", "b16/project", "depthwise ", "total "} {
		if !strings.Contains(stdout, want) {
			t.Errorf("no %q in:\n%s", want, stdout)
		}
	}
}

func TestBenchModelFile(t *testing.T) {
	var r benchResult
	benchJSON(t, &r, "-m", tinyModelPath, "--iters", "2")
	if r.Model != "mbv2_tiny" || r.Width != 0.35 || r.Res != 32 || r.Weights == "" || len(r.Layers) == 0 {
		t.Errorf("model %q weights %q width %g res %d", r.Model, r.Weights, r.Width, r.Res)
	}
	benchJSON(t, &r, "-m", tinyModelPath, "--iters", "1", "--res", "48")
	if r.Res != 48 {
		t.Errorf("--res 48: res %d", r.Res)
	}
}

func TestBenchSweep(t *testing.T) {
	plot := filepath.Join(t.TempDir(), "sweep.png")
	var s struct {
		Configs []sweepRow `json:"configs"`
	}
	benchJSON(t, &s, "--sweep", "--width", "0.35,1.3", "--res", "96,224", "--iters", "2", "--plot", plot)
	var got []string
	for _, r := range s.Configs {
		checkResult(t, r.benchResult, r.Width, r.Res, 2)
		got = append(got, widthString(r.Width)+"/"+strconv.Itoa(r.Res))
		if (r.Top1 == nil) != (r.Width == 1.3 && r.Res == 96) {
			t.Errorf("%g/%d: top-1 %v", r.Width, r.Res, r.Top1)
		}
	}
	if strings.Join(got, " ") != "0.35/96 0.35/224 1.3/96 1.3/224" {
		t.Errorf("configurations %v", got)
	}
	// Whatever the times, the fastest configuration with an accuracy and
	// the most accurate one are on the frontier.
	if !s.Configs[3].Pareto || s.Configs[2].Pareto {
		t.Errorf("1.3/224 pareto %v, 1.3/96 (no accuracy) pareto %v", s.Configs[3].Pareto, s.Configs[2].Pareto)
	}
	// The PNG is 9 x 6 inches at 144 dpi and shows the first width's line
	// in its colour.
	f, err := os.Open(plot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil || img.Bounds() != image.Rect(0, 0, 1296, 864) {
		t.Fatalf("plot: %v, %v", err, img)
	}
	var orange int
	for y := range 864 {
		for x := range 1296 {
			if color.NRGBAModel.Convert(img.At(x, y)) == okabeIto[0] {
				orange++
			}
		}
	}
	if orange < 100 {
		t.Errorf("plot: %d pixels of the first width's colour", orange)
	}

	// The SVG names generic fonts after its own, and its legend counts the
	// configurations it cannot draw, as the table does.
	svg := filepath.Join(t.TempDir(), "sweep.svg")
	code, stdout, stderr := runCmd(t, nil, "bench", "--sweep", "--width", "1.3", "--res", "96,224", "--iters", "1", "--plot", svg)
	if code != exitOK || stderr != "" || !strings.Contains(stdout, "1.3   96") ||
		!strings.Contains(stdout, "1 of 2 configurations has no published accuracy") {
		t.Fatalf("exit %d, stderr %q, stdout:\n%s", code, stderr, stdout)
	}
	b, err := os.ReadFile(svg)
	for _, want := range []string{"<svg", "width 1.3", "not drawn: 1 of 2 configurations", "median to p90", ",sans-serif"} {
		if err != nil || !bytes.Contains(b, []byte(want)) {
			t.Errorf("svg plot lacks %q: %v, %d bytes", want, err, len(b))
		}
	}
	if regexp.MustCompile(`font-family:[^';"]`).Match(b) {
		t.Errorf("svg plot names a font without a fallback")
	}
}

func TestBenchCompare(t *testing.T) {
	sets := kernels.Sets()
	before := kernels.Name()
	compare := sets[0] + "," + sets[len(sets)-1]
	var c compareResult
	benchJSON(t, &c, "--compare", compare, "--width", "0.35", "--res", "64", "--iters", "2")
	if len(c.Configs) != 2 || c.Configs[0].Kernels != sets[0] || c.Configs[1].Kernels != sets[len(sets)-1] || len(c.Speedup) != 1 {
		t.Fatalf("runs %d, speed-ups %d", len(c.Configs), len(c.Speedup))
	}
	for _, r := range c.Configs {
		checkResult(t, r, 0.35, 64, 2)
	}
	s := c.Speedup[0]
	if s.Baseline != sets[0] || s.Kernels != sets[len(sets)-1] || len(s.Kinds) != len(kindOrder) ||
		math.Abs(s.Total-c.Configs[0].Latency.Median/c.Configs[1].Latency.Median) > 1e-9*s.Total {
		t.Errorf("speed-up %+v", s)
	}
	if kernels.Name() != before {
		t.Errorf("--compare left the kernel set at %s, was %s", kernels.Name(), before)
	}
	code, stdout, _ := runCmd(t, nil, "bench", "--compare", compare, "--width", "0.35", "--res", "64", "--iters", "1")
	if code != exitOK || !strings.Contains(stdout, "median latency") || !strings.Contains(stdout, sets[len(sets)-1]+"/"+sets[0]) {
		t.Errorf("exit %d, stdout:\n%s", code, stdout)
	}
}

// TestParetoFrontier marks a fixed table: a configuration is on the frontier
// when none other is at least as fast and as accurate, and better in one.
func TestParetoFrontier(t *testing.T) {
	acc := func(v float64) *float64 { return &v }
	rows := []struct {
		ms   float64
		top1 *float64
		want bool
	}{
		{1.0, acc(50), true},  // the fastest
		{2.0, acc(60), true},  //
		{2.5, acc(55), false}, // slower and worse than 2.0
		{3.0, acc(60), false}, // as accurate as 2.0, slower
		{2.0, acc(58), false}, // as fast as 2.0, worse
		{4.0, acc(70), true},  // the most accurate
		{0.5, nil, false},     // fastest, but no published accuracy
		{5.0, acc(70), false}, // as accurate as 4.0, slower
		{3.5, acc(65), true},
	}
	var in []sweepRow
	for _, r := range rows {
		var s sweepRow
		s.Latency.Median, s.Top1 = r.ms, r.top1
		in = append(in, s)
	}
	paretoFrontier(in)
	for i, r := range rows {
		if in[i].Pareto != r.want {
			t.Errorf("row %d (%g ms): pareto %v, want %v", i, r.ms, in[i].Pareto, r.want)
		}
	}
}

// TestBenchLayerwise checks that --layerwise runs the other schedule and
// reports its own, larger, peak of activation memory.
func TestBenchLayerwise(t *testing.T) {
	a, _ := model.NewArch(model.Config{Width: 1, Res: 96, Classes: 1001})
	for _, c := range []struct {
		args     []string
		schedule string
		peak     int64
	}{
		{nil, "streamed", slices.Max(a.StreamedActivationBytes(1))},
		{[]string{"--layerwise"}, "layer by layer", slices.Max(a.LayerwiseActivationBytes())},
	} {
		var r benchResult
		benchJSON(t, &r, append([]string{"--res", "96", "--iters", "2"}, c.args...)...)
		if r.Schedule != c.schedule || r.PeakBytes != c.peak {
			t.Errorf("%v: schedule %q, peak %d; want %q, %d", c.args, r.Schedule, r.PeakBytes, c.schedule, c.peak)
		}
	}
	if s, l := slices.Max(a.StreamedActivationBytes(1)), slices.Max(a.LayerwiseActivationBytes()); s >= l {
		t.Errorf("streamed peak %d, layer by layer %d", s, l)
	}
}

// TestBenchExportJSON: --export-json writes the JSON while the table goes
// to stdout.
func TestBenchExportJSON(t *testing.T) {
	file := filepath.Join(t.TempDir(), "bench.json")
	code, stdout, stderr := runCmd(t, nil, "bench", "--width", "0.35", "--res", "64", "--iters", "3", "--export-json", file)
	if code != exitOK || !strings.Contains(stdout, "mean +- sigma") || !strings.Contains(stdout, "b16/project") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	b, err := os.ReadFile(file)
	var r benchResult
	if err != nil || json.Unmarshal(b, &r) != nil {
		t.Fatalf("%v: %q", err, b)
	}
	checkResult(t, r, 0.35, 64, 3)
}

// TestNoiseWarnings: a p90 far above the median, or layers that do not add
// up to the whole, are warned about; a steady run of few runs is not.
func TestNoiseWarnings(t *testing.T) {
	steady := benchResult{Runs: 20, Latency: latency{Median: 10, P90: 11}, Kinds: []benchLayer{{Ms: 6}, {Ms: 4.5}}}
	for _, c := range []struct {
		name string
		edit func(*benchResult)
		want []string
	}{
		{"steady", func(*benchResult) {}, nil},
		{"p90", func(r *benchResult) { r.Latency.P90 = 16 }, []string{"p90 16.000 ms is 1.6x the median"}},
		{"layers", func(r *benchResult) { r.Kinds[0].Ms = 2 }, []string{"add up to 6.500 ms, -35% off"}},
		{"few runs", func(r *benchResult) { r.Runs, r.Latency.P90 = 3, 30 }, nil},
	} {
		r := steady
		r.Kinds = slices.Clone(steady.Kinds)
		c.edit(&r)
		ws := noiseWarnings(r)
		if len(ws) != len(c.want) {
			t.Errorf("%s: %q", c.name, ws)
			continue
		}
		for i, w := range c.want {
			if !strings.Contains(ws[i], w) {
				t.Errorf("%s: %q lacks %q", c.name, ws[i], w)
			}
		}
	}
}

// TestTablesAligned: the tables of bench, model info and classify
// --timing keep two spaces between columns (the classifier layer's name
// and op used to run together) and no trailing spaces.
func TestTablesAligned(t *testing.T) {
	img := writePNG(t, t.TempDir(), "a.png", 8, 8)
	fields := regexp.MustCompile(`\S+( \S+)*`) // cells: single spaces inside, two or more between
	for _, c := range []struct {
		args   []string
		stderr bool
		cells  int // of the classifier's row
	}{
		{[]string{"bench", "--width", "0.35", "--res", "64", "--iters", "2"}, false, 7},
		{[]string{"model", "info", "--width", "0.35", "--res", "64"}, false, 8},
		{[]string{"classify", "-m", tinyModelPath, "--timing", img}, true, 6},
	} {
		code, stdout, stderr := runCmd(t, nil, c.args...)
		out := stdout
		if c.stderr {
			out = stderr
		}
		if code != exitOK {
			t.Fatalf("%v: exit %d: %s", c.args, code, stderr)
		}
		found := false
		for _, line := range strings.Split(out, "\n") {
			if strings.HasSuffix(line, " ") {
				t.Errorf("%v: trailing space: %q", c.args, line)
			}
			if strings.HasPrefix(line, "classifier ") && strings.Contains(line, "x") {
				found = true
				if n := len(fields.FindAllString(line, -1)); n != c.cells {
					t.Errorf("%v: %d cells in %q, want %d", c.args, n, line, c.cells)
				}
			}
		}
		if !found {
			t.Errorf("%v: no classifier row in:\n%s", c.args, out)
		}
	}
}
