package main

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"image/color"
	"io"
	"math"
	"math/rand/v2"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/klauspost/cpuid/v2"
	"github.com/mbv2/mbv2/assets"
	"github.com/mbv2/mbv2/kernels"
	"github.com/mbv2/mbv2/model"
	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

type benchOptions struct {
	io        *iostreams
	widths    []float64
	res       []int
	threads   int
	iters     int
	time      time.Duration
	warmup    int
	model     string
	json      bool
	sweep     bool
	plot      string
	compare   []string
	layerwise bool

	widthSet, resSet bool // given on the command line
}

// Defaults of the sweep: the widths and resolutions of the TF-slim table.
var sweepRes = []int{96, 128, 160, 192, 224}

const (
	benchTime  = 2 * time.Second        // per configuration, without --iters
	sweepTime  = 500 * time.Millisecond // per configuration of a sweep
	minRuns    = 5                      // with --time, at least this many runs
	weightSeed = 1                      // of synthetic weights and of the input image
)

func newBenchCmd(io *iostreams) *cobra.Command {
	opts := &benchOptions{io: io}
	cmd := &cobra.Command{
		Use:   "bench [flags]",
		Short: "Time MobileNetV2 at any width and resolution, layer by layer",
		Long: `Time the forward pass of MobileNetV2 on this machine.

Without --model the weights are random (seeded, He-scaled so activations stay
normal floats), for any width multiplier and resolution; with --model they are
the file's, at its resolution unless --res says otherwise (the network is fully
convolutional). Only the forward pass is timed, from 8-bit pixels to
probabilities; loading and packing the weights, and the first run, are reported
apart. After --warmup runs, the whole network is timed for --iters runs or for
--time; each of them is followed by a run with per-layer timing, whose medians
make the layer table, so the clock reads between layers never touch the
whole-network figures. The layers of a bottleneck run interleaved, strip by
strip, so the runner splits each block's time among them in the proportions
its first thread measured. Each thread averages the channels of the head it
computed, so the pool's time is in the head's row. The "input" row is the
time of the forward pass outside its layers: normalising the pixels. GFLOP/s
is 2 x MACs / median latency.

--sweep times every width x resolution of the TF-slim checkpoints (--width and
--res take comma-separated lists to narrow it; with --model, its resolutions),
beside the published ImageNet accuracy of those checkpoints, and marks the
configurations on the latency/accuracy Pareto frontier: no other is at least
as fast and as accurate, and better in one. Configurations without a published
accuracy are timed but not ranked. --plot draws latency against accuracy.

--compare runs one configuration under each kernel set and prints the speed-up
of each kind of layer over the first set.`,
		Example: `  mbv2 bench
  mbv2 bench --width 0.5 --res 160 --threads 2 --json
  mbv2 bench -m mobilenet_v2_1.0_224_quant --iters 200
  mbv2 bench --sweep --plot pareto.png
  mbv2 bench --sweep --width 0.35,1.0 --res 96,224 --time 1s
  mbv2 bench --compare generic,avx2`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.widthSet = cmd.Flags().Changed("width")
			opts.resSet = cmd.Flags().Changed("res")
			return runBench(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.Float64SliceVar(&opts.widths, "width", nil, "width multiplier `W`, or a list W,W,... with --sweep (default 1.0)")
	f.IntSliceVar(&opts.res, "res", nil, "input resolution `R`, or a list R,R,... with --sweep (default 224, or the model's)")
	f.Lookup("width").DefValue = "" // the usage says the default; pflag would print "[]"
	f.IntVar(&opts.threads, "threads", 1, "threads that share each layer's work")
	f.IntVar(&opts.iters, "iters", 0, "timed runs per configuration (default: as many as --time allows)")
	f.DurationVar(&opts.time, "time", 0, "how long to time each configuration (default 2s, 500ms with --sweep)")
	f.IntVar(&opts.warmup, "warmup", 3, "untimed runs before timing")
	f.StringVarP(&opts.model, "model", "m", "", "model name or .tflite path (default: random weights)")
	f.BoolVar(&opts.json, "json", false, "write one JSON object")
	f.BoolVar(&opts.sweep, "sweep", false, "time every width x resolution of the TF-slim table")
	f.StringVar(&opts.plot, "plot", "", "with --sweep, draw latency against top-1 into `FILE`.png or .svg")
	f.StringSliceVar(&opts.compare, "compare", nil, "time under each of these kernel `SETS`, e.g. generic,avx2")
	f.BoolVar(&opts.layerwise, "layerwise", false, "run each bottleneck layer by layer, its expanded tensors whole, instead of streamed in strips")
	return cmd
}

// benchResult is one configuration timed, as --json writes it.
type benchResult struct {
	CPU        string  `json:"cpu"`
	Kernels    string  `json:"kernels"`
	Threads    int     `json:"threads"`
	Schedule   string  `json:"schedule"` // of the bottlenecks: streamed, or layer by layer
	Model      string  `json:"model"`    // "synthetic", or the model's name
	Weights    string  `json:"weights"`  // how they were stored
	Width      float64 `json:"width"`
	Res        int     `json:"res"`
	MACs       int64   `json:"macs"`
	Params     int64   `json:"params"`
	PeakBytes  int64   `json:"peak_activation_bytes"` // float32, as the runner schedules them
	LoadMs     float64 `json:"load_ms"`               // make or read, and pack, the weights
	FirstRunMs float64 `json:"first_run_ms"`
	Runs       int     `json:"runs"`
	Latency    latency `json:"latency_ms"`
	GFLOPS     float64 `json:"gflops"` // 2 x MACs / median latency, in GFLOP/s

	Layers []benchLayer `json:"layers,omitempty"` // medians of the per-layer runs
	Kinds  []benchLayer `json:"kinds,omitempty"`  // totals by kind of layer
}

type latency struct {
	Min    float64 `json:"min"`
	Median float64 `json:"median"`
	P90    float64 `json:"p90"`
	Max    float64 `json:"max"`
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

// sweepRow is one configuration of a sweep, with its published accuracy.
type sweepRow struct {
	benchResult
	Top1   *float64 `json:"top1"` // ImageNet top-1 of the TF-slim checkpoint, percent; null if none
	Top5   *float64 `json:"top5"`
	Pareto bool     `json:"pareto"` // on the latency/top-1 frontier
}

// compareResult is one configuration under several kernel sets.
type compareResult struct {
	Runs    []benchResult `json:"runs"`    // one per set, in the order given
	Speedup []speedup     `json:"speedup"` // each set after the first, over the first
}

type speedup struct {
	Kernels  string             `json:"kernels"`
	Baseline string             `json:"baseline"`
	Total    float64            `json:"total"` // of the median latency
	Kinds    map[string]float64 `json:"kinds"` // of the summed layer medians of each kind
}

func runBench(ctx context.Context, opts *benchOptions) error {
	if err := checkBenchFlags(opts); err != nil {
		return usageError{err}
	}
	var src weights
	if opts.model != "" {
		o, err := openModel(ctx, opts.io, opts.model, nil)
		if err != nil {
			return err
		}
		src = weights{o.m, o.name(), o.load}
		opts.widths = []float64{src.m.Width}
		if !opts.resSet && !opts.sweep {
			opts.res = []int{src.m.Res}
		}
	}
	switch {
	case opts.sweep:
		return runSweep(ctx, opts, src)
	case len(opts.compare) > 0:
		return runCompare(ctx, opts, src)
	}
	res, err := benchConfig(ctx, opts, src, opts.widths[0], opts.res[0], false)
	if err != nil {
		return err
	}
	if opts.json {
		return writeJSON(opts.io.Out, res)
	}
	printBench(opts.io.Out, res)
	return nil
}

// checkBenchFlags rejects flags that contradict each other, and
// configurations that do not exist, before anything is timed.
func checkBenchFlags(o *benchOptions) error {
	switch {
	case o.threads < 1:
		return fmt.Errorf("--threads %d: must be 1 or more", o.threads)
	case o.iters < 0 || o.warmup < 0 || o.time < 0:
		return fmt.Errorf("--iters, --warmup and --time cannot be negative")
	case o.iters > 0 && o.time > 0:
		return fmt.Errorf("--iters and --time exclude each other")
	case o.model != "" && o.widthSet:
		return fmt.Errorf("--width: the model file sets the width")
	case !o.sweep && (len(o.widths) > 1 || len(o.res) > 1):
		return fmt.Errorf("--width and --res take one value each without --sweep")
	case o.plot != "" && !o.sweep:
		return fmt.Errorf("--plot draws a sweep: add --sweep")
	case len(o.compare) > 0 && o.sweep:
		return fmt.Errorf("--compare and --sweep exclude each other")
	}
	if ext := strings.ToLower(filepath.Ext(o.plot)); o.plot != "" && ext != ".png" && ext != ".svg" {
		return fmt.Errorf("--plot %s: want a .png or .svg file", o.plot)
	}
	switch {
	case o.sweep && !o.widthSet:
		o.widths = model.Widths
	case !o.widthSet:
		o.widths = []float64{1}
	}
	switch {
	case o.sweep && !o.resSet:
		o.res = sweepRes
	case !o.resSet:
		o.res = []int{224}
	}
	for _, w := range o.widths {
		for _, r := range o.res {
			if _, err := model.NewArch(model.Config{Width: w, Res: r, Classes: 1001}); err != nil {
				return err
			}
		}
	}
	// Check the sets now, not after minutes of timing.
	prev := kernels.Name()
	defer kernels.Use(prev)
	for _, set := range o.compare {
		if err := kernels.Use(set); err != nil {
			return fmt.Errorf("--compare: %w", err)
		}
	}
	return nil
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
		if m, err = model.Synthetic(model.Config{Width: w, Res: res, Classes: 1001}, weightSeed); err != nil {
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
	if o.layerwise {
		schedule = "layer by layer"
	}
	a := r.Arch()
	macs, params := a.Cost()
	out := benchResult{
		CPU: cpuName(), Kernels: kernels.Name(), Threads: r.Threads(), Schedule: schedule,
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
	sorted := slices.Sorted(slices.Values(whole))
	out.Latency = latency{
		Min:    toMs(sorted[0]),
		Median: toMs(median(sorted)),
		P90:    toMs(sorted[int(math.Ceil(0.9*float64(len(sorted))))-1]),
		Max:    toMs(sorted[len(sorted)-1]),
	}
	out.GFLOPS = gflops(macs, out.Latency.Median)
	if perLayer {
		out.Layers, out.Kinds = layerTable(ls, layers)
	}
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

func toMs(d time.Duration) float64 { return float64(d) / 1e6 }

func gflops(macs int64, ms float64) float64 {
	if ms <= 0 {
		return 0
	}
	return 2 * float64(macs) / (ms * 1e6)
}

// newBar returns a progress bar on stderr, drawn only when it is a terminal.
func newBar(io *iostreams, max int64, desc string) *progressbar.ProgressBar {
	return progressbar.NewOptions64(max,
		progressbar.OptionSetWriter(io.Err),
		progressbar.OptionSetVisibility(io.ErrTTY),
		progressbar.OptionSetDescription(desc),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
	)
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// cpuName is the CPU's brand name, when the CPU tells it.
func cpuName() string {
	if cpuid.CPU.BrandName == "" {
		return "an unnamed " + runtime.GOARCH + " CPU"
	}
	return cpuid.CPU.BrandName
}

// widthString prints a width multiplier as the checkpoints name it: 1.0,
// 0.35.
func widthString(w float64) string {
	if w == math.Trunc(w) {
		return strconv.FormatFloat(w, 'f', 1, 64)
	}
	return strconv.FormatFloat(w, 'f', -1, 64)
}

// shape prints h x w x c.
func shape(s [3]int) string { return fmt.Sprintf("%dx%dx%d", s[0], s[1], s[2]) }

func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}

func printBench(w io.Writer, r benchResult) {
	fmt.Fprintf(w, "MobileNetV2 %s/%d, %s weights (%s)\n", widthString(r.Width), r.Res, r.Model, r.Weights)
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintf(tw, "cpu\t%s\n", r.CPU)
	fmt.Fprintf(tw, "kernels\t%s, %s, bottlenecks %s\n", r.Kernels, plural(r.Threads, "thread"), r.Schedule)
	fmt.Fprintf(tw, "cost\t%.1fM MACs, %.2fM params, %.2f MB peak activations\n", float64(r.MACs)/1e6, float64(r.Params)/1e6, float64(r.PeakBytes)/1e6)
	how := "parsed, dequantized and packed"
	if r.Model == "synthetic" {
		how = "made and packed"
	}
	fmt.Fprintf(tw, "load\t%.1f ms (weights %s); first run %.2f ms\n", r.LoadMs, how, r.FirstRunMs)
	fmt.Fprintf(tw, "latency\tmin %.3f  median %.3f  p90 %.3f  max %.3f ms, %s\n", r.Latency.Min, r.Latency.Median, r.Latency.P90, r.Latency.Max, plural(r.Runs, "run"))
	fmt.Fprintf(tw, "speed\t%.1f GFLOP/s (2 x MACs / median)\n", r.GFLOPS)
	tw.Flush()

	fmt.Fprintln(w)
	const row = "%-14s %-10s %-26s %10s %8s %6s %7s\n"
	fmt.Fprintf(w, row, "layer", "op", "input -> output", "MACs", "ms", "share", "GFLOP/s")
	for _, l := range r.Layers {
		fmt.Fprintf(w, row, l.Name, l.Op, shape(*l.In)+" -> "+shape(*l.Out), fmt.Sprint(l.MACs), fmt.Sprintf("%.3f", l.Ms),
			fmt.Sprintf("%.1f%%", 100*l.Share), rate(l))
	}
	fmt.Fprintln(w)
	var total benchLayer
	for _, k := range r.Kinds {
		fmt.Fprintf(w, row, k.Op, "", "", fmt.Sprint(k.MACs), fmt.Sprintf("%.3f", k.Ms), fmt.Sprintf("%.1f%%", 100*k.Share), rate(k))
		total.MACs += k.MACs
		total.Ms += k.Ms
	}
	total.GFLOPS = gflops(total.MACs, total.Ms)
	fmt.Fprintf(w, row, "total", "", "", fmt.Sprint(total.MACs), fmt.Sprintf("%.3f", total.Ms), "100.0%", rate(total))
}

// rate prints a layer's GFLOP/s, or "-" for those without MACs.
func rate(l benchLayer) string {
	if l.MACs == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f", l.GFLOPS)
}

// runSweep times each width x resolution, without per-layer runs, and marks
// the Pareto frontier.
func runSweep(ctx context.Context, o *benchOptions, src weights) error {
	type config struct {
		w float64
		r int
	}
	var configs []config
	for _, w := range o.widths {
		for _, r := range o.res {
			configs = append(configs, config{w, r})
		}
	}
	bar := newBar(o.io, int64(len(configs)), "sweep")
	var rows []sweepRow
	for i, c := range configs {
		bar.Describe(fmt.Sprintf("sweep %s/%d", widthString(c.w), c.r))
		res, err := benchConfig(ctx, o, src, c.w, c.r, true)
		if err != nil {
			bar.Exit()
			return err
		}
		row := sweepRow{benchResult: res}
		if ck, ok := assets.SlimCheckpoint(c.w, c.r); ok {
			row.Top1, row.Top5 = &ck.Top1, &ck.Top5
		}
		rows = append(rows, row)
		bar.Set(i + 1)
	}
	bar.Exit()
	paretoFrontier(rows)

	if o.plot != "" {
		if err := plotSweep(o.plot, rows); err != nil {
			return err
		}
	}
	if o.json {
		return writeJSON(o.io.Out, struct {
			Configs []sweepRow `json:"configs"`
		}{rows})
	}
	printSweep(o.io.Out, rows)
	return nil
}

// paretoFrontier marks the rows that no other row beats: none with a
// published top-1 is at least as fast and as accurate, and better in one.
// Rows without published accuracy are neither marked nor counted.
func paretoFrontier(rows []sweepRow) {
	for i := range rows {
		a := &rows[i]
		a.Pareto = a.Top1 != nil
		for _, b := range rows {
			if a.Top1 == nil || b.Top1 == nil {
				continue
			}
			la, lb := a.Latency.Median, b.Latency.Median
			if lb <= la && *b.Top1 >= *a.Top1 && (lb < la || *b.Top1 > *a.Top1) {
				a.Pareto = false
				break
			}
		}
	}
}

func printSweep(w io.Writer, rows []sweepRow) {
	if len(rows) == 0 {
		return
	}
	r0 := rows[0]
	fmt.Fprintf(w, "MobileNetV2 sweep, %s weights; %s, kernels %s, %s\n", r0.Model, r0.CPU, r0.Kernels, plural(r0.Threads, "thread"))
	fmt.Fprintln(w, "top-1/top-5: ImageNet accuracy of the TF-slim checkpoint; * on the latency/top-1 Pareto frontier")
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "width\tres\tMMACs\tMparams\tmedian ms\tp90 ms\tGFLOP/s\ttop-1\ttop-5\t\t")
	for _, r := range rows {
		acc := func(p *float64) string {
			if p == nil {
				return "-"
			}
			return fmt.Sprintf("%.1f", *p)
		}
		mark := ""
		if r.Pareto {
			mark = "*"
		}
		fmt.Fprintf(tw, "%s\t%d\t%.1f\t%.2f\t%.3f\t%.3f\t%.1f\t%s\t%s\t%s\t\n", widthString(r.Width), r.Res, float64(r.MACs)/1e6, float64(r.Params)/1e6,
			r.Latency.Median, r.Latency.P90, r.GFLOPS, acc(r.Top1), acc(r.Top5), mark)
	}
	tw.Flush()
}

// runCompare times one configuration under each kernel set in turn and
// prints the speed-up of each over the first.
func runCompare(ctx context.Context, o *benchOptions, src weights) error {
	prev := kernels.Name()
	defer kernels.Use(prev)
	var c compareResult
	for _, set := range o.compare {
		if err := kernels.Use(set); err != nil {
			return usageError{fmt.Errorf("--compare: %w", err)}
		}
		res, err := benchConfig(ctx, o, src, o.widths[0], o.res[0], false)
		if err != nil {
			return err
		}
		c.Runs = append(c.Runs, res)
	}
	base := c.Runs[0]
	for _, r := range c.Runs[1:] {
		s := speedup{Kernels: r.Kernels, Baseline: base.Kernels, Total: base.Latency.Median / r.Latency.Median, Kinds: map[string]float64{}}
		for i, k := range r.Kinds {
			s.Kinds[k.Op] = base.Kinds[i].Ms / k.Ms
		}
		c.Speedup = append(c.Speedup, s)
	}
	if o.json {
		return writeJSON(o.io.Out, c)
	}
	printCompare(o.io.Out, c)
	return nil
}

func printCompare(w io.Writer, c compareResult) {
	base := c.Runs[0]
	fmt.Fprintf(w, "MobileNetV2 %s/%d, %s weights; %s, %s\n", widthString(base.Width), base.Res, base.Model, base.CPU, plural(base.Threads, "thread"))
	cells := []string{fmt.Sprintf("%-15s", "kind")}
	for _, r := range c.Runs {
		cells = append(cells, fmt.Sprintf("%12s", r.Kernels+" ms"))
	}
	for _, s := range c.Speedup {
		cells = append(cells, fmt.Sprintf("%14s", s.Kernels+"/"+s.Baseline))
	}
	fmt.Fprintln(w, strings.Join(cells, " "))
	for i, k := range base.Kinds {
		cells = []string{fmt.Sprintf("%-15s", k.Op)}
		for _, r := range c.Runs {
			cells = append(cells, fmt.Sprintf("%12.3f", r.Kinds[i].Ms))
		}
		for _, s := range c.Speedup {
			cells = append(cells, fmt.Sprintf("%13.2fx", s.Kinds[k.Op]))
		}
		fmt.Fprintln(w, strings.Join(cells, " "))
	}
	cells = []string{fmt.Sprintf("%-15s", "median latency")}
	for _, r := range c.Runs {
		cells = append(cells, fmt.Sprintf("%12.3f", r.Latency.Median))
	}
	for _, s := range c.Speedup {
		cells = append(cells, fmt.Sprintf("%13.2fx", s.Total))
	}
	fmt.Fprintln(w, strings.Join(cells, " "))
}

// plotSweep draws median latency (x, log scale) against published top-1
// (y): one line per width through its resolutions, each point labelled with
// its resolution, and the Pareto frontier as a thick band beneath. The file
// extension sets the format.
func plotSweep(path string, rows []sweepRow) error {
	p := plot.New()
	r0 := rows[0]
	p.Title.Text = fmt.Sprintf("MobileNetV2 on %s (kernels %s, %s)", r0.CPU, r0.Kernels, plural(r0.Threads, "thread"))
	p.X.Label.Text = "median latency, ms (log scale)"
	p.Y.Label.Text = "ImageNet top-1, % (TF-slim checkpoints)"
	p.X.Scale = plot.LogScale{}
	p.Add(plotter.NewGrid())

	var published []sweepRow
	for _, r := range rows {
		if r.Top1 != nil {
			published = append(published, r)
		}
	}
	if len(published) == 0 {
		return fmt.Errorf("--plot: none of the configurations timed has a published accuracy")
	}
	slices.SortStableFunc(published, func(a, b sweepRow) int { return cmp.Compare(a.Latency.Median, b.Latency.Median) })
	xys := func(rs []sweepRow) plotter.XYs {
		var v plotter.XYs
		for _, r := range rs {
			v = append(v, plotter.XY{X: r.Latency.Median, Y: *r.Top1})
		}
		return v
	}

	var frontier []sweepRow
	for _, r := range published {
		if r.Pareto {
			frontier = append(frontier, r)
		}
	}
	band, rings, err := plotter.NewLinePoints(xys(frontier))
	if err != nil {
		return err
	}
	band.Color = color.NRGBA{A: 45}
	band.Width = vg.Points(8)
	rings.Shape = draw.RingGlyph{}
	rings.Color = color.NRGBA{A: 150}
	rings.Radius = vg.Points(7)
	p.Add(band, rings)
	p.Legend.Add("Pareto frontier", band, rings)

	var widths []float64
	for _, r := range published {
		if !slices.Contains(widths, r.Width) {
			widths = append(widths, r.Width)
		}
	}
	slices.Sort(widths)
	for i, w := range widths {
		var rs []sweepRow
		for _, r := range published {
			if r.Width == w {
				rs = append(rs, r)
			}
		}
		// Through the resolutions in order, whatever the timings.
		slices.SortFunc(rs, func(a, b sweepRow) int { return cmp.Compare(a.Res, b.Res) })
		var names []string
		for _, r := range rs {
			names = append(names, fmt.Sprint(r.Res))
		}
		line, points, err := plotter.NewLinePoints(xys(rs))
		if err != nil {
			return err
		}
		line.Color = plotutil.Color(i)
		line.Width = vg.Points(1.5)
		points.Color = plotutil.Color(i)
		points.Shape = plotutil.Shape(i)
		points.Radius = vg.Points(3.5)
		labels, err := plotter.NewLabels(plotter.XYLabels{XYs: xys(rs), Labels: names})
		if err != nil {
			return err
		}
		labels.Offset = vg.Point{X: vg.Points(5), Y: vg.Points(-9)}
		for j := range labels.TextStyle {
			labels.TextStyle[j].Font.Size = vg.Points(8)
			labels.TextStyle[j].Color = color.Gray{Y: 90}
		}
		p.Add(line, points, labels)
		p.Legend.Add("width "+widthString(w), line, points)
	}

	// Ticks at 1, 2, 5 times powers of ten over the data's range.
	lo, hi := published[0].Latency.Median, published[len(published)-1].Latency.Median
	var ticks []plot.Tick
	for e := math.Floor(math.Log10(lo)); e <= math.Ceil(math.Log10(hi)); e++ {
		for _, m := range []float64{1, 2, 5} {
			v := m * math.Pow(10, e)
			if v >= lo/1.3 && v <= hi*1.3 {
				ticks = append(ticks, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'g', -1, 64)})
			}
		}
	}
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
	p.X.Min, p.X.Max = lo/1.15, hi*1.3 // room for the labels

	// Ticks every 5 points of accuracy.
	top1 := func(r sweepRow) float64 { return *r.Top1 }
	ylo := math.Floor(top1(slices.MinFunc(published, func(a, b sweepRow) int { return cmp.Compare(*a.Top1, *b.Top1) })) - 1)
	yhi := math.Ceil(top1(slices.MaxFunc(published, func(a, b sweepRow) int { return cmp.Compare(*a.Top1, *b.Top1) })) + 1)
	ticks = nil
	for v := math.Ceil(ylo/5) * 5; v <= yhi; v += 5 {
		ticks = append(ticks, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', 0, 64)})
	}
	p.Y.Tick.Marker = plot.ConstantTicks(ticks)
	p.Y.Min, p.Y.Max = ylo, yhi
	p.Legend.Top, p.Legend.Left = true, true
	p.Legend.XOffs, p.Legend.YOffs = vg.Points(10), vg.Points(-10)
	if err := p.Save(9*vg.Inch, 6*vg.Inch, path); err != nil {
		return fmt.Errorf("--plot: %w", err)
	}
	return nil
}
