package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/mbv2/mbv2/model"
	"github.com/spf13/cobra"
)

type infoOptions struct {
	io      *iostreams
	width   float64
	res     int
	model   string
	threads int
	json    bool
	resSet  bool
}

func newModelInfoCmd(io *iostreams) *cobra.Command {
	opts := &infoOptions{io: io}
	cmd := &cobra.Command{
		Use:   "info [--width W --res R | --model PATH|NAME]",
		Short: "Print the layers of a MobileNetV2, with their cost and memory",
		Long: `Print a MobileNetV2 configuration, or the network of a model file, as the
paper lays it out: its Table 2 (input size, operator, expansion factor t,
output channels c, repeats n, stride s), each bottleneck block, and each layer
with its shapes, multiply-adds (MACs), weights (params, without biases) and
the bytes of activations live while it runs; then the totals. For a file, also
how it stores its weights, its class count, where its labels come from and
its sha256.

A bottleneck block with an h x w x d' input, expansion factor t and d''
output channels costs

    h*w*d'*t*(d' + 9 + d'')

multiply-adds: a 1x1 expansion (h*w*d'*t*d'), a 3x3 depthwise convolution
(h*w*d'*t*9) and a 1x1 linear projection (h*w*d'*t*d''). The first block
(t = 1) has no expansion; a stride-2 block runs its depthwise and projection
on the h/2 x w/2 output. The blocks table gives each block's MACs.

Memory. The "activations" of a layer are the bytes of float32 tensors live
while it runs; the peak over the layers is the activation memory a forward
pass needs. mbv2 streams each bottleneck in strips of output rows, as
Section 5.1 of the paper suggests: the expanded tensor, t = 6 times wider
than the bottleneck, only ever exists as the few rows a strip reads, in a
small ring per thread, so a block holds its input, its output, and each
thread's ring and strip (--threads). Layer by layer (the "layerwise" column, which mbv2
keeps for comparison), each layer reads a whole input and writes a whole
output, a block's input stays alive until its residual add, and the widest
expanded tensors set the peak. At 1.0/224 on one thread: 1.69 MB streamed, at
stem, against 6.02 MB layer by layer, at b1/depthwise.

A quantized model runs in integer arithmetic by default (--precision int8):
its 8-bit weights as the file stores them, 8-bit activations, a quarter of the
float32 bytes; the int8 line gives both.`,
		Example: `  mbv2 model info
  mbv2 model info --width 0.5 --res 160 --json
  mbv2 model info -m mobilenet_v2_1.0_224_quant`,
		Args: usageArgs(cobra.NoArgs),
		RunE: interruptible(func(cmd *cobra.Command, args []string) error {
			if opts.model != "" && cmd.Flags().Changed("width") {
				return usageError{fmt.Errorf("--width: the model file sets the width")}
			}
			if opts.threads < 1 {
				return usageError{fmt.Errorf("--threads %d: must be 1 or more", opts.threads)}
			}
			opts.resSet = cmd.Flags().Changed("res")
			return runModelInfo(cmd.Context(), opts)
		}),
	}
	f := cmd.Flags()
	f.Float64Var(&opts.width, "width", 1, "width multiplier")
	f.IntVar(&opts.res, "res", 224, "input resolution; for a model file, its own unless given")
	f.StringVarP(&opts.model, "model", "m", "", "model name or .tflite path")
	f.IntVar(&opts.threads, "threads", 1, "threads whose buffers the streamed activations count")
	f.BoolVar(&opts.json, "json", false, "write one JSON object")
	return cmd
}

// modelInfo is what 'model info --json' writes.
type modelInfo struct {
	Width     float64 `json:"width"`
	Res       int     `json:"res"`
	Classes   int     `json:"classes"`
	MACs      int64   `json:"macs"`
	Params    int64   `json:"params"`                // weights, without biases
	Threads   int     `json:"threads"`               // the streamed figures are for
	PeakBytes int64   `json:"peak_activation_bytes"` // streamed, as mbv2 runs
	PeakLayer string  `json:"peak_layer"`            // where the peak is reached
	// The same layer by layer, for comparison.
	LayerwisePeakBytes int64  `json:"layerwise_peak_activation_bytes"`
	LayerwisePeakLayer string `json:"layerwise_peak_layer"`
	// The integer forward pass, 8-bit weights and activations.
	Precision       string      `json:"precision"` // what a run of this model does: int8 or float32
	Int8WeightBytes int64       `json:"int8_weight_bytes"`
	Int8PeakBytes   int64       `json:"int8_peak_activation_bytes"`
	Int8PeakLayer   string      `json:"int8_peak_layer"`
	Table2          []table2Row `json:"table2"`
	Blocks          []blockInfo `json:"blocks"`
	Layers          []layerInfo `json:"layers"`
	File            *modelFile  `json:"file,omitempty"`
}

// table2Row is model.Table2Row with the names of --json.
type table2Row struct {
	Input    [3]int `json:"input"`
	Operator string `json:"operator"`
	T        int    `json:"t,omitempty"`
	C        int    `json:"c,omitempty"`
	N        int    `json:"n,omitempty"`
	S        int    `json:"s,omitempty"`
}

// blockInfo is a bottleneck block. Shapes are [h, w, channels], in and out,
// as in the layers (and in bench --json).
type blockInfo struct {
	Name     string `json:"name"`
	In       [3]int `json:"in"` // h, w, d'
	T        int    `json:"t"`
	Out      [3]int `json:"out"` // h/s, w/s, d''
	Stride   int    `json:"stride"`
	Residual bool   `json:"residual"`
	MACs     int64  `json:"macs"`
}

type layerInfo struct {
	Name            string `json:"name"`
	Op              string `json:"op"`
	In              [3]int `json:"in"`
	Out             [3]int `json:"out"`
	MACs            int64  `json:"macs"`
	Params          int64  `json:"params"`
	ActivationBytes int64  `json:"activation_bytes"` // live while the layer runs, streamed
	LayerwiseBytes  int64  `json:"layerwise_activation_bytes"`
}

type modelFile struct {
	Path    string `json:"path"`
	Name    string `json:"name,omitempty"` // in the catalogue
	Size    int64  `json:"size"`
	SHA256  string `json:"sha256"`
	Weights string `json:"weights"` // how the file stores them

	precision string // the loaded model's
	Classes   int    `json:"classes"`
	Labels    string `json:"labels"` // "embedded" or "none"
	Input     string `json:"input"`  // the normalisation of pixels p
	NatRes    int    `json:"native_res"`
}

func runModelInfo(ctx context.Context, opts *infoOptions) error {
	cfg := model.Config{Width: opts.width, Res: opts.res, Classes: 1001}
	var file *modelFile
	if opts.model != "" {
		o, err := openModel(ctx, opts.io, opts.model, nil)
		if err != nil {
			return err
		}
		m := o.m
		sum := sha256.Sum256(o.data)
		labels := "none"
		if m.Labels != nil {
			labels = "embedded"
		}
		file = &modelFile{
			Path: o.path, Name: o.catalog, Size: int64(len(o.data)), SHA256: hex.EncodeToString(sum[:]),
			Weights: m.Weights, Classes: m.Classes, Labels: labels, NatRes: m.Res, precision: string(m.Precision),
			Input: fmt.Sprintf("x = %g * (p - %g)", m.InputScale, m.InputZero),
		}
		cfg = m.Config
		if opts.resSet {
			cfg.Res = opts.res
		}
	}
	a, err := model.NewArch(cfg)
	if err != nil {
		if file == nil {
			err = usageError{err}
		}
		return err
	}
	info := describeArch(a, opts.threads)
	info.File = file
	info.Precision = string(precision)
	if file == nil && precision == "" {
		info.Precision = string(model.Float32) // random weights are float
	} else if file != nil {
		info.Precision = file.precision
	}
	if opts.json {
		return writeJSON(opts.io.Out, info)
	}
	printInfo(opts.io.Out, info)
	return nil
}

// describeArch lays out a as Table 2, blocks and layers, with the
// activation memory of a forward pass, streamed on threads and layer by
// layer.
func describeArch(a *model.Arch, threads int) modelInfo {
	macs, params := a.Cost()
	info := modelInfo{
		Width: a.Width, Res: a.Res, Classes: a.Classes, MACs: macs, Params: params,
		Threads: threads,
	}
	sq := func(h, c int) [3]int { return [3]int{h, h, c} }

	for _, r := range a.Table2() {
		info.Table2 = append(info.Table2, table2Row(r))
	}

	for i, b := range a.Bottlenecks {
		info.Blocks = append(info.Blocks, blockInfo{
			Name: fmt.Sprintf("b%d", i), In: sq(b.H, b.In), T: b.T, Out: sq(b.OutH, b.Out),
			Stride: b.Stride, Residual: b.Residual, MACs: b.MACs(),
		})
	}

	info.Int8WeightBytes = a.Int8WeightBytes()
	int8Bytes := a.Int8ActivationBytes(threads)
	for i, l := range a.Layers() {
		if int8Bytes[i] > info.Int8PeakBytes {
			info.Int8PeakBytes, info.Int8PeakLayer = int8Bytes[i], l.Name
		}
	}
	streamed, layerwise := a.StreamedActivationBytes(threads), a.LayerwiseActivationBytes()
	for i, l := range a.Layers() {
		info.Layers = append(info.Layers, layerInfo{
			Name: l.Name, Op: l.Kind, In: l.In, Out: l.Out,
			MACs: l.MACs, Params: l.Params, ActivationBytes: streamed[i], LayerwiseBytes: layerwise[i],
		})
		if streamed[i] > info.PeakBytes {
			info.PeakBytes, info.PeakLayer = streamed[i], l.Name
		}
		if layerwise[i] > info.LayerwisePeakBytes {
			info.LayerwisePeakBytes, info.LayerwisePeakLayer = layerwise[i], l.Name
		}
	}
	return info
}

func printInfo(w io.Writer, info modelInfo) {
	fmt.Fprintf(w, "MobileNetV2 %s/%d, %d classes\n", widthString(info.Width), info.Res, info.Classes)
	if f := info.File; f != nil {
		tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
		name := ""
		if f.Name != "" {
			name = " (" + f.Name + ")"
		}
		fmt.Fprintf(tw, "file\t%s%s, %s\n", f.Path, name, formatBytes(f.Size))
		fmt.Fprintf(tw, "sha256\t%s\n", f.SHA256)
		how := "dequantized to float32 at load"
		if f.precision == string(model.Int8) {
			how = "run as they are in integer arithmetic (int8)"
		}
		fmt.Fprintf(tw, "weights\t%s, %s\n", f.Weights, how)
		fmt.Fprintf(tw, "input\t%dx%d RGB, %s\n", f.NatRes, f.NatRes, f.Input)
		fmt.Fprintf(tw, "classes\t%d, labels %s\n", f.Classes, map[string]string{"embedded": "embedded in the file", "none": "none (indices)"}[f.Labels])
		tw.Flush()
	}

	fmt.Fprintln(w, "\nTable 2 (t: expansion factor, c: output channels, n: repeats, s: stride of the first)")
	dash := func(v int) string {
		if v == 0 {
			return "-"
		}
		return fmt.Sprint(v)
	}
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "input\toperator\tt\tc\tn\ts")
	for _, r := range info.Table2 {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", shape(r.Input), r.Operator, dash(r.T), dash(r.C), dash(r.N), dash(r.S))
	}
	tw.Flush()

	fmt.Fprintln(w, "\nBlocks (MACs: h*w*d'*t*(d' + 9 + d''), the depthwise and projection at the output size)")
	fmt.Fprintf(w, "%-6s %-12s %2s %5s %2s %-8s %12s\n", "block", "h x w x d'", "t", "d''", "s", "residual", "MACs")
	for _, b := range info.Blocks {
		res := ""
		if b.Residual {
			res = "yes"
		}
		fmt.Fprintf(w, "%-6s %-12s %2d %5d %2d %-8s %12d\n", b.Name, shape(b.In), b.T, b.Out[2], b.Stride, res, b.MACs)
	}

	fmt.Fprintf(w, "\nLayers (activations: bytes live while the layer runs, streamed on %s, and layer by layer)\n", plural(info.Threads, "thread"))
	t := newTable(4, 5, 6, 7)
	t.add("layer", "op", "input", "output", "MACs", "params", "activations", "layerwise")
	for _, l := range info.Layers {
		t.add(l.Name, l.Op, shape(l.In), shape(l.Out), fmt.Sprint(l.MACs), fmt.Sprint(l.Params),
			fmt.Sprint(l.ActivationBytes), fmt.Sprint(l.LayerwiseBytes))
	}
	t.add("total", "", "", "", fmt.Sprint(info.MACs), fmt.Sprint(info.Params))
	t.write(w)
	fmt.Fprintf(w, "\n%.1fM MACs, %.2fM params\n", float64(info.MACs)/1e6, float64(info.Params)/1e6)
	fmt.Fprintf(w, "peak activations %d bytes (%.2f MB) at %s; layer by layer %d bytes (%.2f MB) at %s\n",
		info.PeakBytes, float64(info.PeakBytes)/1e6, info.PeakLayer,
		info.LayerwisePeakBytes, float64(info.LayerwisePeakBytes)/1e6, info.LayerwisePeakLayer)
	fmt.Fprintf(w, "int8: weights %d bytes (%.2f MB), peak activations %d bytes (%.2f MB) at %s, streamed; this run's precision %s\n",
		info.Int8WeightBytes, float64(info.Int8WeightBytes)/1e6, info.Int8PeakBytes, float64(info.Int8PeakBytes)/1e6, info.Int8PeakLayer, info.Precision)
}
