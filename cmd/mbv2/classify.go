package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/klauspost/cpuid/v2"
	"github.com/mbv2/mbv2/kernels"
	"github.com/mbv2/mbv2/model"
	"github.com/spf13/cobra"
)

type classifyOptions struct {
	io        *iostreams
	top       int
	model     string
	labels    string
	json      bool
	timing    bool
	resize    string
	crop      float64
	maxPixels int
	threads   int
	files     []string
}

func newClassifyCmd(io *iostreams) *cobra.Command {
	opts := &classifyOptions{io: io}
	cmd := &cobra.Command{
		Use:   "classify [flags] IMAGE...",
		Short: "Print the top labels of images",
		Long: `Classify images with MobileNetV2 and print the top-k labels of each.

Images are recognised by content (JPEG, PNG, GIF, BMP, TIFF, WebP); "-" reads
one image from standard input. Each image is central-cropped (--crop) and
resized to the model's resolution; one that already has it is used as is.

The model is a known name (see 'mbv2 model list'; downloaded on first use) or
the path of a MobileNetV2 .tflite file, from -m or $MBV2_MODEL.

A file that fails gets a one-line error on stderr (and an "error" record
with --json); the others still get their answers, and the exit code is 1.`,
		Example: `  mbv2 classify cat.jpg
  mbv2 classify -k 3 --json photos/*.jpg
  mbv2 classify -m tf2_mobilenet_v2_1.0_224_ptq --timing cat.jpg`,
		Args: usageArgs(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.files = args
			return runClassify(opts)
		},
	}
	f := cmd.Flags()
	f.IntVarP(&opts.top, "top", "k", 5, "number of labels per image (0: all classes)")
	f.StringVarP(&opts.model, "model", "m", "", "model name or .tflite path (default $MBV2_MODEL, else "+defaultModelName()+")")
	f.StringVar(&opts.labels, "labels", "", "labels file, one per line (default: the labels inside the model file)")
	f.BoolVar(&opts.json, "json", false, "write JSON Lines, one object per image")
	f.BoolVar(&opts.timing, "timing", false, "print per-layer times to stderr (and add them to --json)")
	f.StringVar(&opts.resize, "resize", "bilinear", "resampling filter: nearest, bilinear or catmullrom")
	f.Float64Var(&opts.crop, "crop", 1, "central crop: the fraction of width and height kept before resizing")
	f.IntVar(&opts.threads, "threads", runtime.NumCPU(), "threads that share each layer's work")
	f.IntVar(&opts.maxPixels, "max-pixels", 100_000_000, "refuse images whose header declares more pixels than this")
	return cmd
}

// result is one image's answer, as printed by --json.
type result struct {
	File   string       `json:"file"`
	Model  string       `json:"model,omitempty"`
	Top    []prediction `json:"top,omitempty"`
	Layers []layerTime  `json:"layers,omitempty"`
	Error  string       `json:"error,omitempty"`
}

type prediction struct {
	Index int     `json:"index"`
	Label string  `json:"label"`
	Prob  float32 `json:"prob"`
}

type layerTime struct {
	Name string  `json:"name"`
	Op   string  `json:"op"`
	Out  [3]int  `json:"out"`
	MACs int64   `json:"macs"`
	Ms   float64 `json:"ms"`
}

func runClassify(opts *classifyOptions) error {
	if opts.top < 0 {
		return usageError{fmt.Errorf("--top %d: must be 0 (all) or more", opts.top)}
	}
	if opts.threads < 1 {
		return usageError{fmt.Errorf("--threads %d: must be 1 or more", opts.threads)}
	}
	if !(opts.crop > 0 && opts.crop <= 1) {
		return usageError{fmt.Errorf("--crop %g: must be in (0, 1]", opts.crop)}
	}
	filter, err := model.ParseResize(opts.resize)
	if err != nil {
		return usageError{fmt.Errorf("--resize: %w", err)}
	}
	m, name, err := loadModel(opts.io, opts.model, opts.labels)
	if err != nil {
		return err
	}
	r, err := m.NewRunner(m.Res, opts.threads)
	if err != nil {
		return err
	}
	defer r.Close()
	r.SetTiming(opts.timing)

	out := bufio.NewWriter(opts.io.Out)
	rgb := make([]byte, m.Res*m.Res*3)
	failed := 0
	for _, file := range opts.files {
		res := result{File: file, Model: name}
		probs, err := classifyOne(opts, r, file, rgb, filter)
		if err != nil {
			failed++
			fmt.Fprintf(opts.io.Err, "mbv2: %s: %v\n", file, err)
			res = result{File: file, Error: err.Error()}
		} else {
			res.Top = topK(probs, opts.top, m)
			if opts.timing {
				res.Layers = layerTimes(r)
				printTiming(opts.io.Err, file, r)
			}
		}
		if opts.json {
			b, _ := json.Marshal(res)
			out.Write(append(b, '\n'))
		} else if err == nil {
			printText(out, res)
		}
		// Flush per image so that pipelines see each answer as it comes.
		if err := out.Flush(); err != nil {
			return err
		}
	}
	if failed > 0 {
		return errReported
	}
	return nil
}

func classifyOne(opts *classifyOptions, r *model.Runner, file string, rgb []byte, filter model.Resize) ([]float32, error) {
	var data []byte
	var err error
	if file == "-" {
		data, err = io.ReadAll(opts.io.In)
	} else {
		data, err = os.ReadFile(file)
	}
	if err != nil {
		return nil, readError(err)
	}
	img, err := model.DecodeImage(data, opts.maxPixels)
	if err != nil {
		return nil, err
	}
	size := r.Arch().Res
	if err := model.PrepareRGB(rgb, img, size, opts.crop, filter); err != nil {
		return nil, err
	}
	return r.Forward(rgb), nil
}

// readError shortens the errors of reading a file: the path is printed
// already.
func readError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		if errors.Is(pe.Err, os.ErrNotExist) {
			return errors.New("no such file")
		}
		return pe.Err
	}
	return err
}

// loadModel resolves the model argument, reads and loads the file, and
// applies a labels file. It returns the model and the name to report.
func loadModel(io *iostreams, arg, labelsFile string) (*model.Model, string, error) {
	path, name, err := resolveModel(io, arg)
	if err != nil {
		return nil, "", err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, "", fmt.Errorf("model %s: %w", path, readError(err))
	}
	m, err := model.Load(data)
	if err != nil {
		return nil, "", fmt.Errorf("model %s: %w", path, err)
	}
	if labelsFile != "" {
		b, err := os.ReadFile(labelsFile)
		if err != nil {
			return nil, "", fmt.Errorf("labels %s: %w", labelsFile, readError(err))
		}
		labels := strings.Split(strings.TrimRight(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n"), "\n")
		if len(labels) != m.Classes {
			return nil, "", fmt.Errorf("labels %s: %d labels for a model with %d classes", labelsFile, len(labels), m.Classes)
		}
		m.Labels = labels
	}
	if name == "" {
		name = strings.TrimSuffix(filepath.Base(path), ".tflite")
	}
	return m, name, nil
}

// topK returns the k most probable classes, ties by ascending index; k == 0
// means all.
func topK(probs []float32, k int, m *model.Model) []prediction {
	idx := make([]int, len(probs))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case probs[a] > probs[b]:
			return -1
		case probs[a] < probs[b]:
			return 1
		}
		return 0
	})
	if k == 0 || k > len(idx) {
		k = len(idx)
	}
	top := make([]prediction, k)
	for i, c := range idx[:k] {
		top[i] = prediction{Index: c, Label: m.Label(c), Prob: probs[c]}
	}
	return top
}

func printText(w io.Writer, res result) {
	fmt.Fprintf(w, "%s\n", res.File)
	for i, p := range res.Top {
		fmt.Fprintf(w, "%3d  %.4f  %s\n", i+1, p.Prob, p.Label)
	}
}

func layerTimes(r *model.Runner) []layerTime {
	var lt []layerTime
	for i, l := range r.Layers() {
		lt = append(lt, layerTime{Name: l.Name, Op: l.Kind, Out: l.Out, MACs: l.MACs, Ms: ms(r.Times()[i])})
	}
	return lt
}

func ms(d time.Duration) float64 { return float64(d) / 1e6 }

// printTiming writes the per-layer table of the last forward pass.
func printTiming(w io.Writer, file string, r *model.Runner) {
	var total time.Duration
	for _, d := range r.Times() {
		total += d
	}
	fmt.Fprintf(w, "%s: kernels %s, %d threads, %s\n", file, kernels.Name(), r.Threads(), cpuid.CPU.BrandName)
	fmt.Fprintf(w, "%-14s %-10s %-14s %12s %9s %6s\n", "layer", "op", "output", "MACs", "ms", "share")
	for i, l := range r.Layers() {
		d := r.Times()[i]
		fmt.Fprintf(w, "%-14s %-10s %-14s %12d %9.3f %5.1f%%\n", l.Name, l.Kind,
			fmt.Sprintf("%dx%dx%d", l.Out[0], l.Out[1], l.Out[2]), l.MACs, ms(d), 100*float64(d)/float64(max(total, 1)))
	}
	macs, _ := r.Arch().Cost()
	fmt.Fprintf(w, "%-14s %-10s %-14s %12d %9.3f %5.1f%%\n", "total", "", "", macs, ms(total), 100.0)
}
