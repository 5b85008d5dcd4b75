package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/mbv2/mbv2/kernels"
	"github.com/mbv2/mbv2/model"
	"github.com/spf13/cobra"
)

type benchOptions struct {
	io         *iostreams
	widths     []float64
	res        []int
	threads    int
	iters      int
	time       time.Duration
	warmup     int
	model      string
	json       bool
	exportJSON string
	sweep      bool
	plot       string
	compare    []string
	layerwise  bool
	images     imagesOptions

	widthSet, resSet bool // given on the command line
}

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
is 2 x MACs / median latency. The latency is given as hyperfine gives it,
mean +- sigma and min, median, p90, max; with 10 runs or more, a p90 over 1.5x
the median, or layer medians adding up to over 25% off the whole median, are
warned about on stderr: the machine was busy.

--json writes one object instead of the tables, --export-json FILE writes it
into FILE as well: "runs" (a count), "latency_ms" (mean, stddev, min, median,
p90, max, and "times", every run), "layers" and "kinds"; a sweep or a
comparison writes {"configs": [...]}, one such object per configuration.
Shapes are [h, w, channels] arrays named "in" and "out", as in 'model info'.

--sweep times every width x resolution of the TF-slim checkpoints (--width and
--res take comma-separated lists to narrow it; with --model, its resolutions),
beside the published ImageNet accuracy of those checkpoints, and marks the
configurations on the latency/accuracy Pareto frontier: no other is at least
as fast and as accurate, and better in one. Only 22 of the 30 configurations
have a published accuracy: the others are timed and listed, but neither
ranked nor plotted. --plot draws latency against accuracy.

--compare runs one configuration under each kernel set and prints the speed-up
of each kind of layer over the first set.

--images DIR (or FILE; repeat it for more) times the whole path of classify
instead, over real files: each image under DIR (recursively; recognised by
content) is read, decoded (--decode), resized (--crop, --resize) and run
through the network once, on -j workers of --threads threads each, as
classify runs them. It prints the milliseconds an image spends in each stage
(each image's own time, averaged) and the images/s of the whole run, so that
you see how fast your folder will go and where the time goes. Opening the
model is reported apart. Without --model it uses the default model.`,
		Example: `  mbv2 bench
  mbv2 bench --width 0.5 --res 160 --threads 2 --json
  mbv2 bench -m mobilenet_v2_1.0_224_quant --iters 200
  mbv2 bench --sweep --plot pareto.png
  mbv2 bench --sweep --width 0.35,1.0 --res 96,224 --time 1s
  mbv2 bench --compare generic,avx2
  mbv2 bench --iters 100 --export-json run.json
  mbv2 bench --images photos/ -j 2`,
		Args: usageArgs(cobra.NoArgs),
		RunE: interruptible(func(cmd *cobra.Command, args []string) error {
			opts.widthSet = cmd.Flags().Changed("width")
			opts.resSet = cmd.Flags().Changed("res")
			return runBench(cmd.Context(), opts)
		}),
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
	f.BoolVar(&opts.json, "json", false, "write one JSON object instead of the table")
	f.StringVar(&opts.exportJSON, "export-json", "", "also write the JSON object into `FILE`, while the table goes to stdout")
	f.BoolVar(&opts.sweep, "sweep", false, "time every width x resolution of the TF-slim table")
	f.StringVar(&opts.plot, "plot", "", "with --sweep, draw latency against top-1 into `FILE`.png or .svg")
	f.StringSliceVar(&opts.compare, "compare", nil, "time under each of these kernel `SETS`, e.g. generic,avx2")
	f.BoolVar(&opts.layerwise, "layerwise", false, "run each bottleneck layer by layer, its expanded tensors whole, instead of streamed in strips")
	f.StringArrayVar(&opts.images.paths, "images", nil, "time read, decode, resize and network over the images in `DIR` or FILE (repeatable)")
	f.IntVarP(&opts.images.jobs, "jobs", "j", 0, "with --images: images at once (default: cores / threads)")
	f.StringVar(&opts.images.decode, "decode", "fast", "with --images: JPEG decoding, fast or exact (see classify)")
	f.StringVar(&opts.images.resize, "resize", "bilinear", "with --images: resampling filter: nearest, bilinear or catmullrom")
	f.Float64Var(&opts.images.crop, "crop", 1, "with --images: central crop, the fraction of width and height kept")
	return cmd
}

func runBench(ctx context.Context, opts *benchOptions) error {
	if len(opts.images.paths) > 0 {
		return runBenchImages(ctx, opts)
	}
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
	return opts.output(res, []benchResult{res}, func(w io.Writer) { printBench(w, res) })
}

// output writes v, what --json writes, or the table print draws, to stdout;
// v also to the --export-json file; and the noise warnings of the results
// to stderr.
func (o *benchOptions) output(v any, results []benchResult, print func(io.Writer)) error {
	for _, r := range results {
		for _, w := range r.Warnings {
			fmt.Fprintf(o.io.Err, "mbv2: warning: %s/%d %s: %s\n", widthString(r.Width), r.Res, r.Kernels, w)
		}
	}
	if o.exportJSON != "" {
		var b bytes.Buffer
		writeJSON(&b, v)
		if err := os.WriteFile(o.exportJSON, b.Bytes(), 0o666); err != nil {
			return fmt.Errorf("--export-json: %w", err)
		}
	}
	if o.json {
		return writeJSON(o.io.Out, v)
	}
	print(o.io.Out)
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

func printBench(w io.Writer, r benchResult) {
	fmt.Fprintf(w, "MobileNetV2 %s/%d, %s weights (%s), %s\n", widthString(r.Width), r.Res, r.Model, r.Weights, r.Precision)
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintf(tw, "cpu\t%s\n", r.CPU)
	fmt.Fprintf(tw, "kernels\t%s, %s, bottlenecks %s\n", r.Kernels, plural(r.Threads, "thread"), r.Schedule)
	fmt.Fprintf(tw, "cost\t%.1fM MACs, %.2fM params, %.2f MB peak activations\n", float64(r.MACs)/1e6, float64(r.Params)/1e6, float64(r.PeakBytes)/1e6)
	how := "parsed, dequantized and packed"
	if r.Model == "synthetic" {
		how = "made and packed"
	}
	fmt.Fprintf(tw, "load\t%.1f ms (weights %s); first run %.2f ms\n", r.LoadMs, how, r.FirstRunMs)
	fmt.Fprintf(tw, "latency\t%.3f ms +- %.3f (mean +- sigma), min %.3f  median %.3f  p90 %.3f  max %.3f, %s\n",
		r.Latency.Mean, r.Latency.Stddev, r.Latency.Min, r.Latency.Median, r.Latency.P90, r.Latency.Max, plural(r.Runs, "run"))
	fmt.Fprintf(tw, "speed\t%.1f GFLOP/s (2 x MACs / median)\n", r.GFLOPS)
	tw.Flush()

	fmt.Fprintln(w)
	t := newTable(3, 4, 5, 6)
	t.add("layer", "op", "input -> output", "MACs", "ms", "share", "GFLOP/s")
	for _, l := range r.Layers {
		t.add(l.Name, l.Op, shape(*l.In)+" -> "+shape(*l.Out), fmt.Sprint(l.MACs), fmt.Sprintf("%.3f", l.Ms),
			fmt.Sprintf("%.1f%%", 100*l.Share), rate(l))
	}
	t.add()
	var total benchLayer
	for _, k := range r.Kinds {
		t.add(k.Op, "", "", fmt.Sprint(k.MACs), fmt.Sprintf("%.3f", k.Ms), fmt.Sprintf("%.1f%%", 100*k.Share), rate(k))
		total.MACs += k.MACs
		total.Ms += k.Ms
	}
	total.GFLOPS = gflops(total.MACs, total.Ms)
	t.add("total", "", "", fmt.Sprint(total.MACs), fmt.Sprintf("%.3f", total.Ms), "100.0%", rate(total))
	t.write(w)
}

// rate prints a layer's GFLOP/s, or "-" for those without MACs.
func rate(l benchLayer) string {
	if l.MACs == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f", l.GFLOPS)
}
