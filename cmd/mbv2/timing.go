package main

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/mbv2/mbv2/kernels"
	"github.com/mbv2/mbv2/model"
	"github.com/schollz/progressbar/v3"
)

// The timing harness: benchConfig times one configuration, for bench
// alone and for each of a sweep or a comparison.
const (
	benchTime  = 2 * time.Second        // per configuration, without --iters
	sweepTime  = 500 * time.Millisecond // per configuration of a sweep
	minRuns    = 5                      // with --time, at least this many runs
	weightSeed = 1                      // of synthetic weights and of the input image
)

// benchResult is one configuration timed, as --json writes it.
type benchResult struct {
	CPU        string  `json:"cpu"`
	Kernels    string  `json:"kernels"`
	Precision  string  `json:"precision"` // int8 or float32
	Threads    int     `json:"threads"`
	Schedule   string  `json:"schedule"` // of the bottlenecks: streamed, or layer by layer
	Model      string  `json:"model"`    // "synthetic", or the model's name
	Weights    string  `json:"weights"`  // how they were stored
	Width      float64 `json:"width"`
	Res        int     `json:"res"`
	MACs       int64   `json:"macs"`
	Params     int64   `json:"params"`
	PeakBytes  int64   `json:"peak_activation_bytes"` // at its precision, as the runner schedules them
	LoadMs     float64 `json:"load_ms"`               // make or read, and pack, the weights
	FirstRunMs float64 `json:"first_run_ms"`
	Runs       int     `json:"runs"` // timed, the count of latency_ms.times
	Latency    latency `json:"latency_ms"`
	GFLOPS     float64 `json:"gflops"` // 2 x MACs / median latency, in GFLOP/s

	Layers []benchLayer `json:"layers,omitempty"` // medians of the per-layer runs
	Kinds  []benchLayer `json:"kinds,omitempty"`  // totals by kind of layer

	Warnings []string `json:"warnings,omitempty"` // signs that the machine was busy
}

// latency sums up the timed runs, in milliseconds, as hyperfine does.
type latency struct {
	Mean   float64   `json:"mean"`
	Stddev float64   `json:"stddev"` // sample standard deviation
	Min    float64   `json:"min"`
	Median float64   `json:"median"`
	P90    float64   `json:"p90"`
	Max    float64   `json:"max"`
	Times  []float64 `json:"times"` // every timed run, in order
}

// newLatency sums up the durations of the timed runs.
func newLatency(runs []time.Duration) latency {
	sorted := slices.Sorted(slices.Values(runs))
	l := latency{
		Min:    toMs(sorted[0]),
		Median: toMs(median(sorted)),
		P90:    toMs(sorted[int(math.Ceil(0.9*float64(len(sorted))))-1]),
		Max:    toMs(sorted[len(sorted)-1]),
	}
	for _, d := range runs {
		l.Times = append(l.Times, toMs(d))
		l.Mean += toMs(d)
	}
	l.Mean /= float64(len(runs))
	if len(runs) > 1 {
		for _, t := range l.Times {
			l.Stddev += (t - l.Mean) * (t - l.Mean)
		}
		l.Stddev = math.Sqrt(l.Stddev / float64(len(runs)-1))
	}
	return l
}

// Thresholds of the noise warnings.
const (
	noisyRuns   = 10   // fewer runs say too little to warn on
	noisyP90    = 1.5  // p90 over median
	noisyLayers = 0.25 // the layers' medians summed, off the whole's median
)

// noiseWarnings says what in r suggests the machine was busy while it was
// timed: a p90 far above the median (some runs were slowed), or per-layer
// medians whose sum is far from the whole network's median (the per-layer
// runs and the whole runs met different conditions).
func noiseWarnings(r benchResult) []string {
	var ws []string
	l := r.Latency
	if r.Runs < noisyRuns {
		return nil
	}
	if l.P90 > noisyP90*l.Median {
		ws = append(ws, fmt.Sprintf("p90 %.3f ms is %.1fx the median %.3f ms: some runs were slowed (a busy machine?); "+
			"time longer (--time) on an idle machine", l.P90, l.P90/l.Median, l.Median))
	}
	var sum float64
	for _, k := range r.Kinds {
		sum += k.Ms
	}
	if len(r.Kinds) > 0 && math.Abs(sum/l.Median-1) > noisyLayers {
		ws = append(ws, fmt.Sprintf("the layers' medians add up to %.3f ms, %+.0f%% off the whole network's median %.3f ms: "+
			"the per-layer runs met other conditions (a busy machine?)", sum, 100*(sum/l.Median-1), l.Median))
	}
	return ws
}

// benchLayer is a layer, or with no name the total of a kind of layer.
type benchLayer struct {
	Name   string  `json:"name,omitempty"`
	Op     string  `json:"op"`
	In     *[3]int `json:"in,omitempty"`
	Out    *[3]int `json:"out,omitempty"`
	MACs   int64   `json:"macs"`
	Ms     float64 `json:"ms"`
	Share  float64 `json:"share"` // of the sum of the layers' medians
	GFLOPS float64 `json:"gflops"`
}

// weights are those of a model file, loaded once; without a file (m nil)
// each configuration makes its own random ones.
type weights struct {
	m    *model.Model
	name string
	load time.Duration // to parse, dequantize and pack them
}

// benchConfig times one configuration: src's model at resolution res, or
// random weights of width w. A configuration of a sweep gets no per-layer
// runs, no progress bar of its own, and a shorter default --time. An
// interrupt (ctx done) ends it with an error.
func benchConfig(ctx context.Context, o *benchOptions, src weights, w float64, res int, inSweep bool) (benchResult, error) {
	m, name, load := src.m, src.name, src.load
	if m == nil {
		start := time.Now()
		var err error
		synthetic := model.Synthetic
		if precision == model.Int8 {
			synthetic = model.SyntheticInt8
		}
		if m, err = synthetic(model.Config{Width: w, Res: res, Classes: 1001}, weightSeed); err != nil {
			return benchResult{}, err
		}
		load, name = time.Since(start), "synthetic"
	}
	r, err := m.NewRunner(res, o.threads)
	if err != nil {
		return benchResult{}, err
	}
	defer r.Close()
	r.SetLayerwise(o.layerwise)
	schedule := "streamed"
	if o.layerwise || m.Precision == model.Int8 { // the integer pass is layer by layer
		schedule = "layer by layer"
	}
	a := r.Arch()
	macs, params := a.Cost()
	out := benchResult{
		CPU: cpuName(), Kernels: kernels.Name(), Precision: string(m.Precision), Threads: r.Threads(), Schedule: schedule,
		Model: name, Weights: m.Weights, Width: m.Width, Res: res,
		MACs: macs, Params: params, PeakBytes: slices.Max(r.ActivationBytes()),
		LoadMs: toMs(load),
	}

	rgb := make([]byte, res*res*3)
	rng := rand.New(rand.NewPCG(weightSeed, 2))
	for i := range rgb {
		rgb[i] = byte(rng.IntN(256))
	}
	start := time.Now()
	r.Forward(rgb)
	out.FirstRunMs = toMs(time.Since(start))
	for range o.warmup {
		r.Forward(rgb)
	}

	budget := benchTime
	if inSweep {
		budget = sweepTime
	}
	if o.time > 0 {
		budget = o.time
	}
	perLayer := !inSweep
	var bar *progressbar.ProgressBar
	if !inSweep {
		max := int64(o.iters)
		if o.iters == 0 {
			max = budget.Milliseconds()
		}
		bar = newBar(o.io, max, fmt.Sprintf("%s/%d %s", widthString(m.Width), res, kernels.Name()))
		defer bar.Exit()
	}
	// Per-layer rows: the input step (normalising the pixels: the forward
	// pass outside its layers), then the layers.
	ls := append([]model.Layer{{Name: "input", Kind: "input", In: [3]int{res, res, 3}, Out: [3]int{res, res, 3}}}, r.Layers()...)
	layers := make([][]time.Duration, len(ls))
	var whole []time.Duration
	start = time.Now()
	for {
		n := len(whole)
		if o.iters > 0 && n >= o.iters || o.iters == 0 && n >= minRuns && time.Since(start) >= budget {
			break
		}
		if ctx.Err() != nil {
			return benchResult{}, errInterrupted
		}
		t0 := time.Now()
		r.Forward(rgb)
		whole = append(whole, time.Since(t0))
		if perLayer {
			r.SetTiming(true)
			t0 = time.Now()
			r.Forward(rgb)
			outside := time.Since(t0)
			r.SetTiming(false)
			for i, d := range r.Times() {
				layers[i+1] = append(layers[i+1], d)
				outside -= d
			}
			layers[0] = append(layers[0], outside)
		}
		if bar != nil {
			if o.iters > 0 {
				bar.Set(n + 1)
			} else {
				bar.Set64(min(time.Since(start).Milliseconds(), budget.Milliseconds()))
			}
		}
	}

	out.Runs = len(whole)
	out.Latency = newLatency(whole)
	out.GFLOPS = gflops(macs, out.Latency.Median)
	if perLayer {
		out.Layers, out.Kinds = layerTable(ls, layers)
	}
	out.Warnings = noiseWarnings(out)
	return out, nil
}

// kindOrder is the order of the totals by kind: the order of a block.
var kindOrder = []string{"input", "stem", "expand", "depthwise", "project", "head", "pool", "classifier", "softmax"}

// layerTable turns the per-layer durations of each timed run into medians,
// and totals them by kind.
func layerTable(ls []model.Layer, times [][]time.Duration) (layers, kinds []benchLayer) {
	var sum float64
	for i, l := range ls {
		ms := toMs(median(slices.Sorted(slices.Values(times[i]))))
		sum += ms
		in, out := l.In, l.Out
		layers = append(layers, benchLayer{Name: l.Name, Op: l.Kind, In: &in, Out: &out, MACs: l.MACs, Ms: ms})
	}
	for _, op := range kindOrder {
		k := benchLayer{Op: op}
		for _, l := range layers {
			if l.Op == op {
				k.MACs += l.MACs
				k.Ms += l.Ms
			}
		}
		kinds = append(kinds, k)
	}
	for _, t := range [][]benchLayer{layers, kinds} {
		for i := range t {
			t[i].Share = t[i].Ms / sum
			t[i].GFLOPS = gflops(t[i].MACs, t[i].Ms)
		}
	}
	return layers, kinds
}

// median of sorted durations.
func median(s []time.Duration) time.Duration {
	n := len(s)
	return (s[(n-1)/2] + s[n/2]) / 2
}

func gflops(macs int64, ms float64) float64 {
	if ms <= 0 {
		return 0
	}
	return 2 * float64(macs) / (ms * 1e6)
}
