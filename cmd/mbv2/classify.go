package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"sync"
	"syscall"

	"github.com/klauspost/cpuid/v2"
	"github.com/mbv2/mbv2/kernels"
	"github.com/mbv2/mbv2/model"
	"github.com/mbv2/mbv2/model/imageio"
	"github.com/spf13/cobra"
)

type classifyOptions struct {
	io        *iostreams
	top       int
	model     string
	labels    string
	json      bool
	format    string
	timing    bool
	resize    string
	decode    string
	crop      float64
	maxPixels int
	threads   int
	jobs      int
	unordered bool
	summary   bool
	recursive bool
	hidden    bool
	exclude   []string
	filesFrom string
	nul       bool
	skipDone  string
	shard     string
	output    string
	args      []string
}

func newClassifyCmd(io *iostreams) *cobra.Command {
	opts := &classifyOptions{io: io}
	cmd := &cobra.Command{
		Use:   "classify [flags] IMAGE|DIR|-...",
		Short: "Print the top labels of images",
		Long: `Classify images with MobileNetV2 and print the top-k labels of each.

Inputs are files, directories with -r (every file under them whose content
is an image; symlinks are followed; hidden names, starting with ".", only
with --hidden; none that an --exclude GLOB matches by name or by path under
the directory), "-" for one image on standard input, and the paths listed
in --files-from, one a line (NUL-separated with -0, as find -print0
writes). Paths are reported as given.

Images are recognised by content (JPEG, PNG, GIF, BMP, TIFF, WebP). Each is
central-cropped (--crop) and resized to the model's resolution; one that
already has it is used as is. A JPEG is decoded at the smallest scale (1/8
to 8/8, in the DCT domain) whose crop still covers that resolution
(--decode fast), or at full size (--decode exact). An image whose header declares more than
--max-pixels is refused before it is decoded.

The model is a known name (see 'mbv2 model list': the default is built in,
the others are downloaded on first use) or the path of a MobileNetV2 .tflite
file, from -m or $MBV2_MODEL. It is loaded once; -j workers each decode,
resize and classify one image at a time.

Results go to stdout in input order (--unordered: as they finish), one
record per image, written whole as soon as it is known:
  text  the file, then one line per label: rank, probability, label
  json  JSON Lines: {"file","model","top":[{"index","label","prob"}]}; a path
        that is not UTF-8 also has its exact bytes, base64, in "file_bytes"
  csv   a header, then one row per image and rank: file,rank,index,label,prob,error
  tsv   as csv, with tabs; a tab, newline or backslash in a field is \t, \n, \\

A file that fails gets a one-line error on stderr (and an "error" record in
json, csv and tsv); the others still get their answers, and the exit code
is 1. Usage errors (bad flags, an unknown model name, labels that do not
fit the model) exit with 2. A closed stdout (mbv2 ... | head) ends the
run quietly; Ctrl-C stops it after the last whole record.`,
		Example: `  mbv2 classify cat.jpg
  mbv2 classify -k 3 --json photos/*.jpg
  mbv2 classify -r --format csv -k 1 photos/ > labels.csv
  find photos -name '*.jpg' -print0 | mbv2 classify --files-from - -0 --json
  mbv2 classify -r photos --json --skip-done out.jsonl >> out.jsonl
  mbv2 classify -r photos --json --skip-done out.jsonl -o out.jsonl
  mbv2 classify -r photos --json --shard 2/8 > out.2.jsonl
  mbv2 classify -m tf2_mobilenet_v2_1.0_224_ptq --timing cat.jpg`,
		RunE: interruptible(func(cmd *cobra.Command, args []string) error {
			opts.args = args
			if opts.output == "" {
				return runClassify(cmd.Context(), opts)
			}
			// Appended to, so that it can also be the --skip-done file of a
			// resumed run: a container without a shell cannot redirect.
			f, err := os.OpenFile(opts.output, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
			if err != nil {
				return err // the error names the file
			}
			out := *opts.io
			out.Out = f
			opts.io = &out
			err = runClassify(cmd.Context(), opts)
			if cerr := f.Close(); err == nil && cerr != nil {
				err = cerr
			}
			return err
		}),
	}
	f := cmd.Flags()
	f.IntVarP(&opts.top, "top", "k", 5, "number of labels per image (0: all classes)")
	f.StringVarP(&opts.model, "model", "m", "", "model name or .tflite path (default $MBV2_MODEL, else "+defaultModelName()+")")
	f.StringVar(&opts.labels, "labels", "", "labels file, one per line (default: the labels inside the model file)")
	f.StringVar(&opts.format, "format", "text", "output format: text, json, csv or tsv")
	f.BoolVar(&opts.json, "json", false, "write JSON Lines, one object per image (--format json)")
	f.BoolVar(&opts.timing, "timing", false, "print per-layer times to stderr (and add them to --json)")
	f.StringVar(&opts.resize, "resize", "bilinear", "resampling filter: nearest, bilinear or catmullrom")
	f.StringVar(&opts.decode, "decode", "fast", "JPEG decoding: fast (at the smallest scale that covers the model's input) or exact (full size)")
	f.Float64Var(&opts.crop, "crop", 1, "central crop: the fraction of width and height kept before resizing")
	f.IntVarP(&opts.jobs, "jobs", "j", 0, "images classified at once (default: the number of cores)")
	f.IntVar(&opts.threads, "threads", 0, "threads that share each image's layers (default: cores / jobs)")
	f.IntVar(&opts.maxPixels, "max-pixels", defaultMaxPixels, "refuse images whose header declares more pixels than this (0: no limit)")
	f.BoolVarP(&opts.recursive, "recursive", "r", false, "classify the image files under directories (not hidden ones)")
	f.BoolVar(&opts.hidden, "hidden", false, "with -r, also files and directories whose name starts with \".\"")
	f.StringArrayVar(&opts.exclude, "exclude", nil, "with -r, leave out the files and directories whose name or path matches `GLOB` (repeatable)")
	f.StringVar(&opts.filesFrom, "files-from", "", "read input paths from `FILE`, one a line (\"-\": stdin)")
	f.BoolVarP(&opts.nul, "null", "0", false, "--files-from paths end with NUL, not newline")
	f.BoolVar(&opts.unordered, "unordered", false, "print results as they finish, not in input order")
	f.BoolVar(&opts.summary, "summary", false, "print images, failures and images/s to stderr at the end")
	f.StringVar(&opts.skipDone, "skip-done", "", "skip the inputs labelled in `FILE`, the --json output of an earlier run (none if it does not exist yet)")
	f.StringVar(&opts.shard, "shard", "", "classify only the inputs whose path hashes to shard `I/N` (0 <= I < N)")
	f.StringVarP(&opts.output, "output", "o", "", "append the results to `FILE` instead of writing them to stdout")
	return cmd
}

// result is one image's answer, as printed by --json.
type result struct {
	File string `json:"file"`
	// The path's bytes when it is not UTF-8, which "file" cannot hold:
	// JSON writes U+FFFD for each invalid byte.
	FileBytes []byte       `json:"file_bytes,omitempty"`
	Model     string       `json:"model,omitempty"`
	Top       []prediction `json:"top,omitempty"`
	Layers    []layerTime  `json:"layers,omitempty"`
	Error     string       `json:"error,omitempty"`
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

func runClassify(ctx context.Context, opts *classifyOptions) error {
	b, err := newBatch(opts)
	if err != nil {
		return err
	}
	// Load the model while the workers read and decode the first images:
	// for one photo the two take about as long.
	b.sized, b.loaded = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(b.loaded)
		// Loading allocates the model and the runners' buffers, all kept:
		// collecting garbage meanwhile only costs time (a few ms of a
		// one-photo run). $GOGC still decides.
		if os.Getenv("GOGC") == "" {
			defer debug.SetGCPercent(debug.SetGCPercent(400))
		}
		sized := sync.OnceFunc(func() { close(b.sized) })
		defer sized()
		b.m, b.name, b.loadErr = loadModel(ctx, opts.io, opts.model, opts.labels, func(res int) {
			b.res = res
			sized()
		})
		if b.loadErr != nil {
			return
		}
		// The first worker's runner too, so that it is ready, its memory
		// touched, when the first image is; the other workers make theirs
		// when they start, so that a large -j costs nothing until there
		// are inputs for it.
		r, err := b.m.NewRunner(b.m.Res, b.threads)
		if err != nil {
			b.loadErr = err
			return
		}
		r.SetTiming(opts.timing)
		b.runners = make(chan *model.Runner, 1)
		b.runners <- r
	}()
	return b.run(ctx)
}

// newBatch checks the options and makes the batch they describe, all but
// its model.
func newBatch(opts *classifyOptions) (*batch, error) {
	usage := func(format string, a ...any) (*batch, error) {
		return nil, usageError{fmt.Errorf(format, a...)}
	}
	switch {
	case len(opts.args) == 0 && opts.filesFrom == "":
		return usage("no input: name images, directories with -r, - for stdin, or --files-from")
	case opts.top < 0:
		return usage("--top %d: must be 0 (all) or more", opts.top)
	case opts.threads < 0:
		return usage("--threads %d: must be 1 or more", opts.threads)
	case opts.jobs < 0:
		return usage("--jobs %d: must be 1 or more", opts.jobs)
	case opts.jobs > maxJobs:
		return usage("--jobs %d: at most %d", opts.jobs, maxJobs)
	case opts.maxPixels < 0:
		return usage("--max-pixels %d: must be 0 (no limit) or more", opts.maxPixels)
	case opts.maxPixels > maxMaxPixels:
		return usage("--max-pixels %d: at most %d", opts.maxPixels, maxMaxPixels)
	case !(opts.crop > 0 && opts.crop <= 1):
		return usage("--crop %g: must be in (0, 1]", opts.crop)
	case opts.nul && opts.filesFrom == "":
		return usage("-0 is for --files-from")
	case (opts.hidden || len(opts.exclude) > 0) && !opts.recursive:
		return usage("--hidden and --exclude are for -r")
	}
	for _, g := range opts.exclude {
		if _, err := filepath.Match(g, ""); err != nil {
			return usage("--exclude %q: %w", g, err)
		}
	}
	stdinUses := 0
	if opts.filesFrom == "-" {
		stdinUses++
	}
	for _, a := range opts.args {
		if a == "-" {
			stdinUses++
		}
	}
	if stdinUses > 1 {
		return usage("standard input can be read once: one - or --files-from -")
	}
	b := &batch{opts: opts, fileLimit: fileLimit(opts.maxPixels)}
	var err error
	if b.filter, err = imageio.ParseResize(opts.resize); err != nil {
		return usage("--resize: %w", err)
	}
	if b.decode, err = imageio.ParseDecode(opts.decode); err != nil {
		return usage("--decode: %w", err)
	}
	if b.format, err = parseFormat(opts.format); err != nil {
		return usage("%w", err)
	}
	if opts.json {
		if b.format != formatText && b.format != formatJSON {
			return usage("--json and --format %s: choose one", opts.format)
		}
		b.format = formatJSON
	}
	b.list = &inputLister{args: opts.args, filesFrom: opts.filesFrom, stdin: opts.io.In, nul: opts.nul, recursive: opts.recursive, hidden: opts.hidden, exclude: opts.exclude}
	if opts.shard != "" {
		if b.list.shard, err = parseShard(opts.shard); err != nil {
			return usage("%w", err)
		}
	}
	if opts.filesFrom != "" && opts.filesFrom != "-" {
		if _, err := os.Stat(opts.filesFrom); err != nil {
			return nil, fmt.Errorf("--files-from %s: %w", opts.filesFrom, readError(err))
		}
	}
	if opts.skipDone != "" {
		if b.list.done, err = readDone(opts.skipDone); err != nil {
			return nil, err
		}
	}
	// A few named images are faster one at a time, each over all cores.
	inputs := 0
	if opts.filesFrom == "" && !opts.recursive {
		inputs = len(opts.args)
	}
	b.jobs, b.threads = parallelism(runtime.GOMAXPROCS(0), opts.jobs, opts.threads, inputs)
	return b, nil
}

// maxJobs bounds -j: each worker holds a Runner (2-3 MB at 1.0/224) and
// an image, so a typo such as -j 100000 with as many inputs must not
// exhaust memory.
const maxJobs = 1024

// parallelism chooses the jobs and the threads per job that the flags left
// at 0 (unset), so that jobs x threads fills the cores without
// oversubscribing them. A batch of fewer known inputs than cores runs them
// side by side on more threads each.
func parallelism(cores, jobs, threads, inputs int) (int, int) {
	switch {
	case jobs == 0 && threads == 0:
		jobs = cores
		if inputs > 0 && inputs < jobs {
			jobs = inputs
		}
		threads = max(cores/jobs, 1)
	case jobs == 0:
		jobs = max(cores/threads, 1)
	case threads == 0:
		threads = max(cores/jobs, 1)
	}
	return jobs, threads
}

// readError shortens the errors of reading a file: the path is printed
// already.
func readError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		if errors.Is(pe.Err, os.ErrNotExist) {
			return errors.New("no such file")
		}
		if errors.Is(pe.Err, syscall.ELOOP) {
			return errors.New("symlink loop")
		}
		return pe.Err
	}
	return err
}

// loadModel opens the model (see openModel) and applies a labels file. It
// returns the model and the name to report.
func loadModel(ctx context.Context, io *iostreams, arg, labelsFile string, sized func(res int)) (*model.Model, string, error) {
	o, err := openModel(ctx, io, arg, sized)
	if err != nil {
		return nil, "", err
	}
	m := o.m
	if labelsFile != "" {
		b, err := os.ReadFile(labelsFile)
		if err != nil {
			return nil, "", fmt.Errorf("labels %s: %w", labelsFile, readError(err))
		}
		if err := m.SetLabels(b); err != nil {
			return nil, "", usageError{fmt.Errorf("labels %s: %w", labelsFile, err)}
		}
	}
	return m, o.name(), nil
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

func layerTimes(r *model.Runner) []layerTime {
	var lt []layerTime
	for i, l := range r.Layers() {
		lt = append(lt, layerTime{Name: l.Name, Op: l.Kind, Out: l.Out, MACs: l.MACs, Ms: toMs(r.Times()[i])})
	}
	return lt
}

// printTiming writes the per-layer table of one forward pass.
func printTiming(w io.Writer, file string, layers []layerTime, threads int) {
	var total float64
	var macs int64
	for _, l := range layers {
		total += l.Ms
		macs += l.MACs
	}
	fmt.Fprintf(w, "%s: kernels %s, %d threads, %s\n", quoteControl(file), kernels.Name(), threads, cpuid.CPU.BrandName)
	t := newTable(3, 4, 5)
	t.add("layer", "op", "output", "MACs", "ms", "share")
	for _, l := range layers {
		t.add(l.Name, l.Op, fmt.Sprintf("%dx%dx%d", l.Out[0], l.Out[1], l.Out[2]), fmt.Sprint(l.MACs),
			fmt.Sprintf("%.3f", l.Ms), fmt.Sprintf("%.1f%%", 100*l.Ms/max(total, 1e-9)))
	}
	t.add("total", "", "", fmt.Sprint(macs), fmt.Sprintf("%.3f", total), "100.0%")
	t.write(w)
}
