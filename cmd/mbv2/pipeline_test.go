package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// manyImages writes n PNGs, alternately large and small so that workers
// finish them out of order, and returns their paths.
func manyImages(t *testing.T, n int) []string {
	dir := t.TempDir()
	var paths []string
	for i := range n {
		size := 8 + i%3
		if i%4 == 0 {
			size = 400
		}
		paths = append(paths, writePNG(t, dir, fmt.Sprintf("%03d.png", i), size, size))
	}
	return paths
}

func TestClassifyOrder(t *testing.T) {
	paths := manyImages(t, 24)
	for _, args := range [][]string{{"-j", "4"}, {"-j", "3", "--threads", "2"}, {"-j", "4", "--unordered"}} {
		code, stdout, stderr := runCmd(t, nil, append(append([]string{"classify", "-m", tinyModelPath, "--json"}, args...), paths...)...)
		if code != exitOK {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
		got := files(records(t, stdout))
		if slices.Contains(args, "--unordered") {
			slices.Sort(got)
		}
		if !slices.Equal(got, paths) {
			t.Errorf("%v: files in the order\n%q", args, got)
		}
	}
}

// TestClassifyJobsAgree: each worker has its own Runner on the one Model,
// so an image gets the same answer whatever the jobs and threads.
func TestClassifyJobsAgree(t *testing.T) {
	paths := manyImages(t, 8)
	var outs []string
	for _, j := range []string{"1", "4"} {
		_, stdout, _ := runCmd(t, nil, append([]string{"classify", "-m", tinyModelPath, "--json", "-k", "0", "-j", j}, paths...)...)
		outs = append(outs, stdout)
	}
	if outs[0] != outs[1] || len(records(t, outs[0])) != len(paths) {
		t.Errorf("-j 1 and -j 4 differ:\n%s\n%s", outs[0], outs[1])
	}
}

// pngHeader is the start of a w x h PNG: signature and IHDR, no pixels.
func pngHeader(w, h uint32) []byte {
	ihdr := binary.BigEndian.AppendUint32([]byte("IHDR"), w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 2, 0, 0, 0) // 8-bit RGB
	b := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0d")
	b = append(b, ihdr...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(ihdr))
}

// badInputs writes the hostile inputs of a batch into dir and returns each
// path with its error, a regular expression.
//
// A JPEG cut in its scan data is reported by the decoder as corrupt ("short
// Huffman data"): only a cut inside the headers is known to be a truncation.
func badInputs(t *testing.T, dir string) map[string]string {
	os.Mkdir(filepath.Join(dir, "sub"), 0o755)
	jpg, _ := os.ReadFile(writeJPEG(t, dir, "whole.jpg", 64, 48))
	png, _ := os.ReadFile(writePNG(t, dir, "whole.png", 64, 48))
	return map[string]string{
		writeFile(t, filepath.Join(dir, "truncated.jpg"), jpg[:len(jpg)/2]):   "truncated JPEG|cannot decode JPEG: invalid JPEG format: short Huffman data",
		writeFile(t, filepath.Join(dir, "truncated.png"), png[:len(png)/2]):   "truncated PNG",
		writeFile(t, filepath.Join(dir, "empty.jpg"), nil):                    "empty file",
		writeFile(t, filepath.Join(dir, "notes.txt"), []byte("hello\n")):      `not an image \(unknown format\)`,
		writeFile(t, filepath.Join(dir, "bomb.png"), pngHeader(30000, 30000)): "image is 30000x30000, more than the 100000000-pixel limit",
		writeFile(t, filepath.Join(dir, "header.jpg"), jpg[:100]):             "truncated JPEG",
		filepath.Join(dir, "missing.jpg"):                                     "no such file",
		filepath.Join(dir, "sub"):                                             `is a directory \(use -r to classify the images in it\)`,
	}
}

// matches says whether all of s matches the regular expression re.
func matches(re, s string) bool {
	return regexp.MustCompile("^(?:" + re + ")$").MatchString(s)
}

func TestClassifyBadInputs(t *testing.T) {
	dir := t.TempDir()
	bad := badInputs(t, dir)
	good := writePNG(t, dir, "good.png", 16, 16)
	inputs := []string{good}
	for path := range bad {
		inputs = append(inputs, path, good)
	}
	code, stdout, stderr := runCmd(t, nil, append([]string{"classify", "-m", tinyModelPath, "--json", "-j", "3"}, inputs...)...)
	if code != exitFailure {
		t.Errorf("exit %d, want %d", code, exitFailure)
	}
	rs := records(t, stdout)
	if !slices.Equal(files(rs), inputs) {
		t.Fatalf("records for\n%q\nwant\n%q", files(rs), inputs)
	}
	var wantErr strings.Builder
	for _, r := range rs {
		if r.File == good {
			if r.Error != "" || len(r.Top) != 4 {
				t.Errorf("good image: %+v", r)
			}
			continue
		}
		if !matches(bad[r.File], r.Error) || r.Top != nil {
			t.Errorf("%s: error %q, want %q", r.File, r.Error, bad[r.File])
		}
		fmt.Fprintf(&wantErr, "mbv2: %s: %s\n", r.File, r.Error)
	}
	if stderr != wantErr.String() {
		t.Errorf("stderr:\n%s\nwant:\n%s", stderr, wantErr.String())
	}
}

// TestClassifyUnreadable: a file that cannot be opened gets the system's
// reason. Root reads any file whatever its mode, so the cases that fail
// for root too always run.
func TestClassifyUnreadable(t *testing.T) {
	dir := t.TempDir()
	img := writePNG(t, dir, "a.png", 8, 8)
	loop := filepath.Join(dir, "loop.png")
	if err := os.Symlink(loop, loop); err != nil {
		t.Fatal(err)
	}
	cases := map[string]string{
		filepath.Join(img, "b.png"):                  "not a directory",
		filepath.Join(dir, strings.Repeat("x", 300)): "file name too long",
		loop: "symlink loop",
	}
	if os.Geteuid() != 0 {
		secret := writePNG(t, dir, "secret.png", 8, 8)
		os.Chmod(secret, 0)
		cases[secret] = "permission denied"
	}
	for path, reason := range cases {
		code, _, stderr := runCmd(t, nil, "classify", "-m", tinyModelPath, path)
		if want := "mbv2: " + path + ": " + reason + "\n"; code != exitFailure || stderr != want {
			t.Errorf("exit %d, stderr %q, want %q", code, stderr, want)
		}
	}
}

// infinite is a stream that never ends.
type infinite struct{}

func (infinite) Read(p []byte) (int, error) { return len(p), nil }

// TestClassifyEndlessStdin: a stream that is no image (as /dev/zero) is
// refused from its first bytes.
func TestClassifyEndlessStdin(t *testing.T) {
	for _, max := range []string{"1000", "0"} {
		code, _, stderr := runCmd(t, infinite{}, "classify", "-m", tinyModelPath, "--max-pixels", max, "-")
		if want := "mbv2: -: not an image (unknown format)\n"; code != exitFailure || stderr != want {
			t.Errorf("--max-pixels %s: exit %d, stderr %q, want %q", max, code, stderr, want)
		}
	}
}

// countingReader is a 1x1 PNG header followed by zeros, up to n bytes,
// and counts the bytes read.
type countingReader struct {
	head []byte
	n    int64
	read int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	if c.read >= c.n {
		return 0, io.EOF
	}
	p = p[:min(int64(len(p)), c.n-c.read)]
	clear(p)
	if c.read < int64(len(c.head)) {
		copy(p, c.head[c.read:])
	}
	c.read += int64(len(p))
	return len(p), nil
}

// TestClassifyLongStream: a stream whose header says 1x1 is read no
// further than a 1x1 image can take, even with --max-pixels 0, and into
// a buffer of about that size.
func TestClassifyLongStream(t *testing.T) {
	for _, max := range []string{"1000", "0"} {
		r := &countingReader{head: pngHeader(1, 1), n: 200 << 20}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		code, _, stderr := runCmd(t, r, "classify", "-m", tinyModelPath, "--max-pixels", max, "-")
		runtime.ReadMemStats(&after)
		want := fmt.Sprintf("mbv2: -: stream larger than the %d bytes a 1x1 image can take\n", fileLimit(1))
		if code != exitFailure || stderr != want {
			t.Errorf("--max-pixels %s: exit %d, stderr %q, want %q", max, code, stderr, want)
		}
		if r.read > fileLimit(1)+1 {
			t.Errorf("--max-pixels %s: read %d bytes, limit %d", max, r.read, fileLimit(1))
		}
		// The buffer's doublings add up to twice the limit; the model and
		// the head take a few MB more.
		if a := after.TotalAlloc - before.TotalAlloc; a > 5*uint64(fileLimit(1)) {
			t.Errorf("--max-pixels %s: allocated %d bytes", max, a)
		}
	}
	// A header that declares more than --max-pixels ends the read there.
	r := &countingReader{head: pngHeader(1000, 1000), n: 200 << 20}
	code, _, stderr := runCmd(t, r, "classify", "-m", tinyModelPath, "--max-pixels", "1000", "-")
	if code != exitFailure || stderr != "mbv2: -: image is 1000x1000, more than the 1000-pixel limit\n" || r.read > streamHead {
		t.Errorf("exit %d, stderr %q, read %d", code, stderr, r.read)
	}
}

func TestClassifyClosedStdout(t *testing.T) {
	paths := manyImages(t, 12)
	for _, c := range []struct {
		err      error
		code     int
		stderr   string
		messages int
	}{
		// mbv2 ... | head -1
		{&os.PathError{Op: "write", Path: "/dev/stdout", Err: syscall.EPIPE}, exitOK, "", 0},
		{&os.PathError{Op: "write", Path: "/dev/stdout", Err: syscall.ENOSPC}, exitFailure, "mbv2: write /dev/stdout: no space left on device\n", 1},
	} {
		out := &failWriter{n: 1, err: c.err}
		var errb bytes.Buffer
		code := run(append([]string{"classify", "-m", tinyModelPath, "--json", "-j", "2"}, paths...), &iostreams{In: strings.NewReader(""), Out: out, Err: &errb})
		if code != c.code || errb.String() != c.stderr {
			t.Errorf("%v: exit %d, stderr %q; want %d, %q", c.err, code, errb.String(), c.code, c.stderr)
		}
		if rs := records(t, out.String()); len(rs) != 1 || rs[0].File != paths[0] {
			t.Errorf("%v: wrote %q", c.err, files(rs))
		}
	}
}

// cancelWriter cancels the run's context, as Ctrl-C does, while the first
// record is written.
type cancelWriter struct {
	cancel func()
	bytes.Buffer
}

func (w *cancelWriter) Write(p []byte) (int, error) {
	w.cancel()
	return w.Buffer.Write(p)
}

func TestClassifyInterrupt(t *testing.T) {
	paths := manyImages(t, 40)
	for _, format := range []string{"json", "csv"} {
		ctx, cancel := context.WithCancel(context.Background())
		out := &cancelWriter{cancel: cancel}
		var errb bytes.Buffer
		root := newRootCmd(&iostreams{In: strings.NewReader(""), Out: out, Err: &errb})
		root.SetArgs(append([]string{"classify", "-m", tinyModelPath, "--format", format, "-j", "2"}, paths...))
		err := root.ExecuteContext(ctx)
		if err == nil || err.Error() != "interrupted" || errb.String() != "" {
			t.Errorf("%s: error %v, stderr %q", format, err, errb.String())
		}
		// The first write (the JSON record, or the CSV header) is whole,
		// and nothing follows it.
		want := "file,rank,index,label,prob,error\n"
		if format == "json" {
			var r result
			if json.Unmarshal(out.Bytes(), &r) != nil || r.File != paths[0] || strings.Count(out.String(), "\n") != 1 {
				t.Errorf("json: wrote %q", out.String())
			}
			want = out.String()
		}
		if out.String() != want {
			t.Errorf("%s: wrote %q, want %q", format, out.String(), want)
		}
	}
}

func TestClassifySummary(t *testing.T) {
	dir := photoTree(t)
	code, _, stderr := runCmd(t, nil, "classify", "-m", tinyModelPath, "--summary", "-r", dir, filepath.Join(dir, "nope"))
	re := regexp.MustCompile(`^mbv2: \S+/nope: no such file\n6 images, 1 failed, [0-9.]+ images/s \([0-9.]+ s\); skipped 4 non-image files, 0 done before\n$`)
	if code != exitFailure || !re.MatchString(stderr) {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}

func TestClassifyTimingJobs(t *testing.T) {
	paths := manyImages(t, 3)
	code, stdout, stderr := runCmd(t, nil, append([]string{"classify", "-m", tinyModelPath, "--json", "--timing", "-j", "2"}, paths...)...)
	rs := records(t, stdout)
	if code != exitOK || len(rs) != 3 || strings.Count(stderr, "\ntotal ") != 3 {
		t.Fatalf("exit %d, %d records, stderr:\n%s", code, len(rs), stderr)
	}
	for _, r := range rs {
		if len(r.Layers) != len(rs[0].Layers) || len(r.Layers) < 50 {
			t.Errorf("%s has %d layers", r.File, len(r.Layers))
		}
	}
	if !strings.Contains(stderr, paths[2]+": kernels ") || !strings.Contains(stderr, ", 1 threads, ") {
		t.Errorf("timing tables:\n%s", stderr)
	}
}

// TestClassifyManyJobsFewInputs: workers start as inputs arrive, so -j
// 100 on one image allocates about what -j 1 does, not 100 runners. (The
// queues between the stages grow with -j: at -j 1000 they alone outweigh
// a model whose weights are off the Go heap.)
func TestClassifyManyJobsFewInputs(t *testing.T) {
	img := writePNG(t, t.TempDir(), "a.png", 8, 8)
	// The least of three runs: an earlier test's workers, left to finish
	// an image after their run stopped, may allocate meanwhile.
	alloc := func(j string) uint64 {
		least := uint64(math.MaxUint64)
		for range 3 {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			if code, _, stderr := runCmd(t, nil, "classify", "-m", tinyModelPath, "-j", j, img); code != exitOK {
				t.Fatalf("-j %s: exit %d: %s", j, code, stderr)
			}
			runtime.ReadMemStats(&after)
			least = min(least, after.TotalAlloc-before.TotalAlloc)
		}
		return least
	}
	one, many := alloc("1"), alloc("100")
	if many > one+one/2 {
		t.Errorf("-j 100 allocated %d bytes, -j 1 %d", many, one)
	}
}

func TestParallelism(t *testing.T) {
	for _, c := range []struct{ cores, jobs, threads, inputs, wantJobs, wantThreads int }{
		{8, 0, 0, 0, 8, 1},   // a stream: one image per core
		{8, 0, 0, 100, 8, 1}, // a big batch
		{8, 0, 0, 1, 1, 8},   // one image: all cores on its layers
		{8, 0, 0, 3, 3, 2},   // few images: side by side, threads to spare
		{8, 2, 0, 0, 2, 4},   // -j 2
		{8, 3, 0, 0, 3, 2},
		{8, 16, 0, 0, 16, 1},
		{8, 0, 3, 0, 2, 3}, // --threads 3
		{8, 0, 16, 0, 1, 16},
		{8, 5, 5, 0, 5, 5}, // both set: as asked
		{1, 0, 0, 0, 1, 1},
	} {
		j, th := parallelism(c.cores, c.jobs, c.threads, c.inputs)
		if j != c.wantJobs || th != c.wantThreads {
			t.Errorf("%d cores, -j %d, --threads %d, %d inputs: %d jobs x %d threads, want %d x %d",
				c.cores, c.jobs, c.threads, c.inputs, j, th, c.wantJobs, c.wantThreads)
		}
	}
}

// TestClassifySharedPhotos runs the real model over all the shared photos
// and the hostile inputs: one record per input, in order, the reference's
// top-1 label for each photo it has.
func TestClassifySharedPhotos(t *testing.T) {
	models := sharedModelsDir(t)
	shared := filepath.Dir(models)
	var ref struct {
		Models map[string]struct {
			Images map[string]struct {
				QuantRef struct {
					Top5 []prediction `json:"top5"`
				} `json:"quant_ref"`
			}
		}
	}
	data, err := os.ReadFile(filepath.Join(shared, "reference", "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &ref); err != nil {
		t.Fatal(err)
	}
	labels := ref.Models["mobilenet_v2_1.0_224_quant"].Images

	photos, _ := filepath.Glob(filepath.Join(shared, "images", "*"))
	photos = slices.DeleteFunc(photos, func(p string) bool { return filepath.Base(p) == "COPYRIGHT" })
	dir := t.TempDir()
	parrot, _ := os.ReadFile(filepath.Join(shared, "images", "parrot.jpg"))
	bad := badInputs(t, dir)
	bad[writeFile(t, filepath.Join(dir, "parrot-truncated.jpg"), parrot[:len(parrot)/3])] = "truncated JPEG|cannot decode JPEG: .*"
	inputs := slices.Clone(photos)
	for path := range bad {
		inputs = append(inputs, path)
	}
	code, stdout, stderr := runCmd(t, nil, append([]string{"classify", "-m", filepath.Join(models, "mobilenet_v2_1.0_224_quant.tflite"), "--json", "-k", "1", "-j", "2"}, inputs...)...)
	if code != exitFailure || strings.Count(stderr, "\n") != len(bad) {
		t.Errorf("exit %d, stderr:\n%s", code, stderr)
	}
	rs := records(t, stdout)
	if !slices.Equal(files(rs), inputs) {
		t.Fatalf("records for\n%q\nwant\n%q", files(rs), inputs)
	}
	checked := 0
	for _, r := range rs {
		if want, ok := bad[r.File]; ok {
			if !matches(want, r.Error) {
				t.Errorf("%s: error %q, want %q", r.File, r.Error, want)
			}
			continue
		}
		if r.Error != "" || len(r.Top) != 1 {
			t.Errorf("%s: %+v", r.File, r)
			continue
		}
		name := strings.TrimSuffix(filepath.Base(r.File), filepath.Ext(r.File))
		if img, ok := labels[name]; ok {
			checked++
			if want := img.QuantRef.Top5[0].Label; r.Top[0].Label != want {
				t.Errorf("%s: %s, want %s", r.File, r.Top[0].Label, want)
			}
		}
	}
	if checked < 5 {
		t.Errorf("only %d photos have reference labels", checked)
	}
}

var _ io.Writer = (*failWriter)(nil)

// TestProgressBar: on a terminal the bar counts the images on stderr (not
// the files found that are not images), and steps aside for error lines;
// stdout holds only the records.
func TestProgressBar(t *testing.T) {
	var out, errb bytes.Buffer
	p := &printer{w: newRecordWriter(&out, formatJSON), err: &errb, cancel: func() {}, start: time.Now()}
	p.openBar()
	p.print(outcome{res: result{File: "a.jpg", Top: []prediction{{1, "cat", 1}}}})
	p.print(outcome{skip: true})
	p.setTotal(5) // a.jpg, the skipped file, b.jpg, c.jpg, d.txt
	if max := p.bar.GetMax(); max != 4 {
		t.Errorf("total %d once counted, want 4", max)
	}
	p.print(outcome{res: result{File: "b.jpg", Error: "no such file"}})
	p.print(outcome{res: result{File: "c.jpg", Top: []prediction{{1, "cat", 1}}}})
	p.print(outcome{skip: true})
	if max, done := p.bar.GetMax(), p.bar.State().CurrentNum; max != 3 || done != 3 {
		t.Errorf("%d/%d at the end, want 3/3", done, max)
	}
	p.end(true, 0)
	stderr := errb.String()
	for _, want := range []string{"classify", " img/s)", "\rmbv2: b.jpg: no such file\n",
		"\r3 images, 1 failed, ", "skipped 2 non-image files, 0 done before"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q: %q", want, stderr)
		}
	}
	if files(records(t, out.String()))[2] != "c.jpg" {
		t.Errorf("stdout: %q", out.String())
	}
}

// TestSIGTERMWhileOpeningFIFO: SIGTERM stops a run whose input is a FIFO
// that no one opens for writing (the open blocks in the kernel).
func TestSIGTERMWhileOpeningFIFO(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	cmd := mbv2Command(t, "classify", "-m", tinyModelPath, fifo)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // until it waits in open
	sent := time.Now()
	cmd.Process.Signal(syscall.SIGTERM)
	exited := make(chan error)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		t.Logf("stopped %v after SIGTERM", time.Since(sent).Round(time.Millisecond))
		if code := cmd.ProcessState.ExitCode(); code != exitFailure || stderr.String() != "mbv2: interrupted\n" {
			t.Errorf("%v, stderr %q", err, stderr.String())
		}
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		<-exited
		t.Errorf("still running 10 s after SIGTERM")
	}
}
