package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/mbv2/mbv2/kernels"
	"github.com/mbv2/mbv2/model"
	"github.com/mbv2/mbv2/model/imageio"
)

// imagesOptions are the flags of 'mbv2 bench --images', beside those of
// bench it shares (--model, --threads, --json).
type imagesOptions struct {
	paths  []string // --images: directories (walked) and files
	jobs   int
	decode string
	resize string
	crop   float64
}

// imagesResult is what 'bench --images' measures, as --json writes it.
// The stage times are each image's own, summed over the workers and
// divided by the images: per image, not per second of the run.
type imagesResult struct {
	Model        string  `json:"model"`
	Kernels      string  `json:"kernels"`
	Images       int     `json:"images"`
	Failed       int     `json:"failed"`
	Jobs         int     `json:"jobs"`
	Threads      int     `json:"threads"`
	Bytes        int64   `json:"bytes"`
	LoadMs       float64 `json:"load_ms"` // opening the model, not in the figures below
	ReadMs       float64 `json:"read_ms"`
	DecodeMs     float64 `json:"decode_ms"`
	ResizeMs     float64 `json:"resize_ms"`
	NetworkMs    float64 `json:"network_ms"`
	WallS        float64 `json:"wall_s"`
	ImagesPerSec float64 `json:"images_per_s"`
}

// stageTimes add up the time of each stage over the images of a worker.
type stageTimes struct {
	read, decode, resize, network time.Duration
	images, failed                int
	bytes                         int64
}

// runBenchImages reads, decodes, resizes and classifies every image of
// the paths once, on -j workers as classify does, and reports where the
// time of an image goes and how many images a second the run made.
func runBenchImages(ctx context.Context, opts *benchOptions) error {
	o := &opts.images
	if o.jobs < 0 || opts.threads < 1 {
		return usageError{fmt.Errorf("--jobs %d, --threads %d: want 1 or more (0 jobs: one per core / threads)", o.jobs, opts.threads)}
	}
	dec, err := imageio.ParseDecode(o.decode)
	if err != nil {
		return usageError{fmt.Errorf("--decode: %w", err)}
	}
	filter, err := imageio.ParseResize(o.resize)
	if err != nil {
		return usageError{fmt.Errorf("--resize: %w", err)}
	}
	if !(o.crop > 0 && o.crop <= 1) {
		return usageError{fmt.Errorf("--crop %g: must be in (0, 1]", o.crop)}
	}
	files, err := imageFiles(o.paths)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return fmt.Errorf("--images: no image files in %v", o.paths)
	}
	mo, err := openModel(ctx, opts.io, opts.model, nil)
	if err != nil {
		return err
	}
	m := mo.m
	jobs := o.jobs
	if jobs == 0 {
		jobs = max(1, runtime.GOMAXPROCS(0)/opts.threads)
	}
	jobs = min(jobs, len(files))

	// Each worker's runner is made before the clock starts: its buffers
	// are the model's, not the images'.
	runners := make([]*model.Runner, jobs)
	for i := range runners {
		if runners[i], err = m.NewRunner(m.Res, opts.threads); err != nil {
			return err
		}
		defer runners[i].Close()
	}
	next := make(chan string)
	times := make([]stageTimes, jobs)
	var fails sync.Mutex
	start := time.Now()
	var wg sync.WaitGroup
	for i := range jobs {
		wg.Go(func() {
			t := &times[i]
			rgb := make([]byte, 3*m.Res*m.Res)
			var d imageio.Decoder
			for path := range next {
				err := benchImage(t, runners[i], &d, rgb, path, m.Res, o.crop, dec, filter)
				if err != nil {
					t.failed++
					fails.Lock()
					fmt.Fprintf(opts.io.Err, "mbv2: %s: %v\n", path, err)
					fails.Unlock()
				}
			}
		})
	}
	for _, f := range files {
		if ctx.Err() != nil {
			break
		}
		next <- f
	}
	close(next)
	wg.Wait()
	wall := time.Since(start)

	var sum stageTimes
	for _, t := range times {
		sum.read += t.read
		sum.decode += t.decode
		sum.resize += t.resize
		sum.network += t.network
		sum.images += t.images
		sum.failed += t.failed
		sum.bytes += t.bytes
	}
	if sum.images == 0 {
		return errReported
	}
	per := func(d time.Duration) float64 { return toMs(d) / float64(sum.images) }
	r := imagesResult{
		Model: mo.name(), Kernels: kernels.Name(),
		Images: sum.images, Failed: sum.failed, Jobs: jobs, Threads: opts.threads, Bytes: sum.bytes,
		LoadMs: toMs(mo.load),
		ReadMs: per(sum.read), DecodeMs: per(sum.decode), ResizeMs: per(sum.resize), NetworkMs: per(sum.network),
		WallS: wall.Seconds(), ImagesPerSec: float64(sum.images) / wall.Seconds(),
	}
	if opts.json {
		err = writeJSON(opts.io.Out, r)
	} else {
		printImages(opts.io.Out, r)
	}
	if err == nil && sum.failed > 0 {
		err = errReported
	}
	return err
}

// benchImage reads, decodes, resizes and classifies the image at path,
// adding the time of each stage to t.
func benchImage(t *stageTimes, r *model.Runner, d *imageio.Decoder, rgb []byte, path string, res int, crop float64, dec imageio.Decode, filter imageio.Resize) error {
	t0 := time.Now()
	data, err := os.ReadFile(path)
	if err != nil {
		return readError(err)
	}
	t1 := time.Now()
	img, err := d.DecodeScaled(data, 0, res, crop, dec)
	if err != nil {
		return err
	}
	t2 := time.Now()
	if err := imageio.PrepareRGB(rgb, img, res, crop, filter); err != nil {
		return err
	}
	t3 := time.Now()
	r.Forward(rgb)
	t4 := time.Now()
	t.read += t1.Sub(t0)
	t.decode += t2.Sub(t1)
	t.resize += t3.Sub(t2)
	t.network += t4.Sub(t3)
	t.images++
	t.bytes += int64(len(data))
	return nil
}

// imageFiles lists the files named and the image files under the
// directories named, in order: a file under a directory counts if its
// first bytes are those of an image format mbv2 reads.
func imageFiles(paths []string) ([]string, error) {
	var files []string
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("--images %s: %w", p, readError(err))
		}
		if !fi.IsDir() {
			files = append(files, p)
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.Type().IsRegular() && isImage(path) {
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("--images: %w", err)
		}
	}
	return files, nil
}

// isImage says whether the file at path starts as an image does.
func isImage(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 64)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return false
	}
	return imageio.Format(head[:n]) != ""
}

func printImages(w io.Writer, r imagesResult) {
	total := r.ReadMs + r.DecodeMs + r.ResizeMs + r.NetworkMs
	fmt.Fprintf(w, "%d images (%.1f MB), model %s, kernels %s, -j %d, %d threads each; model opened in %.1f ms (not counted)\n",
		r.Images, float64(r.Bytes)/1e6, r.Model, r.Kernels, r.Jobs, r.Threads, r.LoadMs)
	fmt.Fprintf(w, "%-8s %10s %6s\n", "stage", "ms/image", "share")
	for _, s := range []struct {
		name string
		ms   float64
	}{{"read", r.ReadMs}, {"decode", r.DecodeMs}, {"resize", r.ResizeMs}, {"network", r.NetworkMs}, {"total", total}} {
		fmt.Fprintf(w, "%-8s %10.2f %5.1f%%\n", s.name, s.ms, 100*s.ms/max(total, 1e-9))
	}
	fmt.Fprintf(w, "%.1f images/s at -j %d (%d in %.2f s)\n", r.ImagesPerSec, r.Jobs, r.Images, r.WallS)
}
