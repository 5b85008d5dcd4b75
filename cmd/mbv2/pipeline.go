package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"syscall"
	"time"

	"github.com/mbv2/mbv2/model"
	"github.com/mbv2/mbv2/model/imageio"
	"github.com/schollz/progressbar/v3"
)

// A batch classifies a stream of inputs with up to jobs workers, started
// as the inputs arrive, each running its own Runner on the one shared Model, and prints the results in input
// order (or as they finish, unordered). At most inFlight inputs are
// between the lister and stdout at any time, so memory does not grow with
// the number of inputs: jobs images being decoded or run, and the small
// results waiting for their turn in the reorder buffer.
type batch struct {
	opts      *classifyOptions
	sized     chan struct{} // closed once res is known, or the model failed
	res       int           // of the model: images are resized to res x res
	loaded    chan struct{} // closed once m, name, runners and loadErr are set
	m         *model.Model
	name      string             // of the model, for the records
	runners   chan *model.Runner // the first worker's, made with the model
	loadErr   error
	started   int // workers started, at most jobs
	filter    imageio.Resize
	decode    imageio.Decode
	format    format
	jobs      int
	threads   int   // per job
	fileLimit int64 // bytes an image file may have; 0: any
	list      *inputLister
}

type job struct {
	seq int
	in  input
}

// An outcome is a worker's answer on one input.
type outcome struct {
	seq  int
	res  result
	skip bool // found under a directory, and not an image
}

// inFlightPerJob bounds the inputs handed out but not yet printed. Beyond
// the jobs images being worked on, the rest are paths and small results:
// room for a slow image not to stall the others.
const inFlightPerJob = 8

// stopGrace is how long a stopped run waits for its workers.
const stopGrace = 500 * time.Millisecond

// errSkip is a file found under a directory whose content is not an image.
var errSkip = errors.New("not an image")

func (b *batch) run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer func() {
		// Close the runners no worker took.
		<-b.loaded
		for b.runners != nil && len(b.runners) > 0 {
			(<-b.runners).Close()
		}
	}()
	p := &printer{
		w:       newRecordWriter(b.opts.io.Out, b.format),
		err:     b.opts.io.Err,
		timing:  b.opts.timing,
		threads: b.threads,
		cancel:  cancel,
		start:   time.Now(),
	}

	// The progress bar needs the count of inputs: a second lister counts
	// them while the first feeds the workers.
	counted := make(chan int, 1)
	if b.opts.io.ErrTTY && b.list.filesFrom != "-" {
		p.openBar()
		c := *b.list
		go func() {
			n := 0
			err := c.each(func(input) bool { n++; return ctx.Err() == nil })
			if err == nil && ctx.Err() == nil {
				counted <- n
			}
		}()
	}

	inFlight := inFlightPerJob * b.jobs
	tokens := make(chan struct{}, inFlight)
	jobs := make(chan job)
	results := make(chan outcome, inFlight) // never full: a send holds a token
	var listErr error
	// A worker is started when an input finds none idle, up to jobs: a
	// large -j costs nothing until there are inputs for it.
	var wg sync.WaitGroup
	work := func() {
		w := worker{b: b}
		defer w.close()
		for j := range jobs {
			if ctx.Err() == nil {
				res, skip := w.classify(j.in)
				results <- outcome{j.seq, res, skip}
			}
		}
	}
	finished := make(chan struct{}) // the lister and every worker are done
	go func() {
		defer func() {
			wg.Wait()
			close(results)
			close(finished)
		}()
		defer close(jobs)
		seq := 0
		listErr = b.list.each(func(in input) bool {
			select {
			case tokens <- struct{}{}:
			case <-ctx.Done():
				return false
			}
			j := job{seq, in}
			select {
			case jobs <- j: // to an idle worker
				seq++
				return true
			default:
			}
			if b.started < b.jobs {
				b.started++
				wg.Go(work)
			}
			select {
			case jobs <- j:
				seq++
				return true
			case <-ctx.Done():
				return false
			}
		})
	}()

	// Nothing is printed before the model is loaded: if it cannot be, the
	// command fails with only its error.
	<-b.loaded
	if b.loadErr != nil {
		cancel()
		for range results {
			<-tokens
		}
		return b.loadErr
	}
	if err := p.w.header(); err != nil {
		return p.writeError(err)
	}

	// Print in input order: an outcome waits in pending until those before
	// it are out.
	pending := map[int]outcome{}
	next := 0
	emit := func(o outcome) {
		if ctx.Err() == nil { // after an interrupt or a closed stdout, print nothing more
			p.print(o)
		}
		<-tokens
	}
	// Once stopped (a signal, a closed stdout), nothing more is printed,
	// and the run gives the workers stopGrace to finish the image in hand
	// and close their runners, but no more: one may be blocked for good
	// opening a FIFO that no one writes, where a signal cannot reach.
	stopped := false
	for outcomes := results; outcomes != nil; {
		select {
		case n := <-counted:
			p.setTotal(n)
		case <-ctx.Done():
			outcomes = nil
			select {
			case <-finished:
			case <-time.After(stopGrace):
				stopped = true
			}
		case o, ok := <-outcomes:
			switch {
			case !ok:
				outcomes = nil
			case b.opts.unordered:
				emit(o)
			default:
				pending[o.seq] = o
				for o, ok := pending[next]; ok; o, ok = pending[next] {
					delete(pending, next)
					next++
					emit(o)
				}
			}
		}
	}
	p.end(b.opts.summary, b.list.skippedDone)

	interrupted := ctx.Err() != nil && p.writeErr == nil && !p.closed
	switch {
	case interrupted:
		return errInterrupted
	case p.writeErr != nil:
		return p.writeErr
	case !stopped && listErr != nil: // if stopped, the lister may still be writing it
		return listErr
	case p.failed > 0:
		return errReported
	}
	return nil
}

// A worker classifies one input at a time with its own Runner and buffers.
type worker struct {
	b   *batch
	r   *model.Runner // made once the model is loaded
	rgb []byte        // res x res x 3, the network's input
	buf bytes.Buffer  // the file being decoded
	dec imageio.Decoder
}

func (w *worker) close() {
	if w.r != nil {
		w.r.Close()
	}
}

// classify reads, decodes, resizes and classifies one input.
func (w *worker) classify(in input) (res result, skip bool) {
	res.File = in.path
	err := in.err
	if err == nil {
		err = w.read(in)
	}
	var probs []float32
	if err == nil {
		probs, err = w.forward()
	}
	if w.buf.Cap() > 32<<20 {
		w.buf = bytes.Buffer{} // do not keep a huge file's buffer for the small ones
	}
	switch {
	case err == errSkip:
		return res, true
	case err != nil:
		res.Error = err.Error()
		return res, false
	}
	res.Model = w.b.name
	res.Top = topK(probs, w.b.opts.top, w.b.m)
	if w.b.opts.timing {
		res.Layers = layerTimes(w.r)
	}
	return res, false
}

// forward decodes the image in buf and runs the network on it; the
// probabilities are the Runner's, valid until its next pass. The first
// image is decoded while the model's weights are unpacked: its resolution,
// which a JPEG's decoding scale depends on, is known before.
func (w *worker) forward() ([]float32, error) {
	<-w.b.sized
	if w.b.res == 0 { // the model has no resolution: it will fail to load
		<-w.b.loaded
		if w.b.loadErr != nil {
			return nil, w.b.loadErr
		}
	}
	img, err := w.dec.DecodeScaled(w.buf.Bytes(), w.b.opts.maxPixels, w.b.res, w.b.opts.crop, w.b.decode)
	if err != nil {
		return nil, err
	}
	if w.rgb == nil && w.b.res > 0 {
		w.rgb = make([]byte, 3*w.b.res*w.b.res)
	}
	if w.rgb != nil {
		if err := imageio.PrepareRGB(w.rgb, img, w.b.res, w.b.opts.crop, w.b.filter); err != nil {
			return nil, err
		}
	}
	if w.r == nil {
		<-w.b.loaded
		if w.b.loadErr != nil {
			return nil, w.b.loadErr
		}
		select {
		case w.r = <-w.b.runners:
		default:
			r, err := w.b.m.NewRunner(w.b.m.Res, w.b.threads)
			if err != nil {
				return nil, err
			}
			r.SetTiming(w.b.opts.timing)
			w.r = r
		}
	}
	return w.r.Forward(w.rgb), nil
}

// printer writes the outcomes, the progress bar and the summary. Only the
// goroutine of batch.run uses it.
type printer struct {
	w       *recordWriter
	err     io.Writer
	timing  bool
	threads int
	cancel  func() // stops the batch when stdout fails
	start   time.Time
	bar     *progressbar.ProgressBar

	total                   int // inputs counted for the bar; 0 until then
	images, failed, skipped int
	closed                  bool  // stdout is a closed pipe
	writeErr                error // stdout failed otherwise
}

func (p *printer) print(o outcome) {
	if o.skip {
		p.skipped++
		if p.bar != nil && p.total > 0 {
			p.bar.ChangeMax(p.bar.GetMax() - 1) // the total counts images only
		}
		return
	}
	defer p.tick()
	p.images++
	res := &o.res
	if res.Error != "" {
		p.failed++
		p.clearBar()
		fmt.Fprintf(p.err, "mbv2: %s: %s\n", quoteControl(res.File), quoteControl(res.Error))
	}
	if err := p.w.write(res); err != nil {
		p.writeError(err)
		return
	}
	if p.timing && res.Error == "" {
		p.clearBar()
		printTiming(p.err, res.File, res.Layers, p.threads)
	}
}

// writeError notes a failed write to stdout and stops the batch. A closed
// pipe (mbv2 ... | head) is the reader saying it has seen enough: the run
// ends quietly, as if the inputs ended there.
func (p *printer) writeError(err error) error {
	if errors.Is(err, syscall.EPIPE) {
		p.closed = true
		err = nil
	} else {
		p.writeErr = err
	}
	p.cancel()
	return err
}

// openBar starts the progress bar with the batch, its total unknown (a
// spinner) until the inputs are counted: its rate then counts from the
// start, where a bar made when the count arrived showed the images done
// meanwhile as done in no time.
func (p *printer) openBar() {
	p.bar = progressbar.NewOptions(-1,
		progressbar.OptionSetWriter(p.err),
		progressbar.OptionSetDescription("classify"),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("img"),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionSetWidth(20),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
	)
}

// setTotal gives the bar the count of the inputs, less the files found so
// far not to be images: the total counts images only.
func (p *printer) setTotal(n int) {
	p.total = n
	p.bar.ChangeMax(n - p.skipped)
}

func (p *printer) tick() {
	if p.bar != nil {
		p.bar.Add(1)
	}
}

// clearBar takes the bar off its line before something else is written to
// stderr; the next tick draws it again.
func (p *printer) clearBar() {
	if p.bar != nil {
		p.bar.Clear()
	}
}

// end clears the progress bar and, for --summary, says what was done.
func (p *printer) end(summary bool, skippedDone int) {
	p.clearBar()
	if !summary {
		return
	}
	d := time.Since(p.start)
	fmt.Fprintf(p.err, "%s, %d failed, %.1f images/s (%.2f s)", plural(p.images, "image"), p.failed, float64(p.images)/d.Seconds(), d.Seconds())
	if p.skipped > 0 || skippedDone > 0 {
		fmt.Fprintf(p.err, "; skipped %s, %d done before", plural(p.skipped, "non-image file"), skippedDone)
	}
	fmt.Fprintln(p.err)
}
