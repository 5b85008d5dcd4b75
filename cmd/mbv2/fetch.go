package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/mbv2/mbv2/assets"
	"github.com/schollz/progressbar/v3"
)

// Environment variables read by the model commands.
const (
	envModel   = "MBV2_MODEL"        // the model when -m is not given: a name or a path
	envCache   = "MBV2_CACHE_DIR"    // where downloaded models live
	envMirror  = "MBV2_MODEL_MIRROR" // a directory or http(s) base URL replacing the public host
	envKernels = "MBV2_KERNELS"      // the kernel set when --kernels is not given
)

// modelStore finds catalogue models and keeps them in the cache directory.
// The catalogue and the environment are fields so that tests pass their own.
type modelStore struct {
	models      []assets.Model
	defaultName string
	builtIn     func(name string) []byte // a model's bytes if the binary holds them, else nil
	getenv      func(string) string
	client      *http.Client  // nil: httpClient()
	retryWait   time.Duration // before the first retry of a download
	io          *iostreams    // download progress goes to io.Err
}

// httpClient bounds every step of a download, so a dead network fails a
// classify run instead of hanging it. The whole transfer gets 5 minutes:
// 4 MB at 14 kB/s. Made on the first download, not at every start.
var httpClient = sync.OnceValue(func() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone() // keeps proxy settings and dial/TLS timeouts
	t.ResponseHeaderTimeout = 30 * time.Second
	return &http.Client{Transport: t, Timeout: 5 * time.Minute}
})

func newModelStore(io *iostreams) *modelStore {
	return &modelStore{
		models:      assets.Models(),
		defaultName: assets.DefaultModel(),
		builtIn:     assets.BuiltIn,
		getenv:      os.Getenv,
		retryWait:   retryWait,
		io:          io,
	}
}

// builtInPath stands for the path of a model built into the binary.
const builtInPath = "built in"

// read is resolve and reading the file, except that a model built into the
// binary is neither looked for in the cache nor downloaded: its bytes are
// used in place, with no copy, as they are mapped from the executable.
func (s *modelStore) read(ctx context.Context, arg string) (data []byte, path, name string, err error) {
	if name := s.choose(arg); s.builtIn(name) != nil {
		return s.builtIn(name), builtInPath, name, nil
	}
	path, name, err = s.resolve(ctx, arg)
	if err != nil {
		return nil, "", "", err
	}
	data, err = os.ReadFile(path)
	if err != nil {
		return nil, "", "", fmt.Errorf("model %s: %w", path, readError(err))
	}
	return data, path, name, nil
}

// defaultModelName is the model used when neither -m nor $MBV2_MODEL is set.
func defaultModelName() string { return assets.DefaultModel() }

// choose returns the -m argument, else $MBV2_MODEL, else the default model.
func (s *modelStore) choose(arg string) string {
	if arg == "" {
		arg = s.getenv(envModel)
	}
	if arg == "" {
		arg = s.defaultName
	}
	return arg
}

// resolve returns the model file named by arg, else by $MBV2_MODEL, else the
// default model, and its catalogue name ("" for a path). A catalogue name
// means the cached file, downloaded on first use; any other arg must be an
// existing file. Names win over files of the same name: write ./NAME for
// the file.
//
// A cached file of the right size is trusted without rehashing: the cache
// only ever receives files whose sha256 was checked before an atomic rename,
// and rehashing would add ~2 ms to every run to guard against someone
// editing the cache by hand. 'mbv2 model fetch' rehashes and repairs.
func (s *modelStore) resolve(ctx context.Context, arg string) (path, name string, err error) {
	arg = s.choose(arg)
	if m, ok := s.lookup(arg); ok {
		path, err := s.cachePath(m)
		if err != nil {
			return "", "", err
		}
		if s.cached(m, path) {
			return path, m.Name, nil
		}
		if err := s.download(ctx, m, path); err != nil {
			if errors.As(err, new(cacheError)) {
				return "", "", err // being online would not help
			}
			return "", "", fmt.Errorf("%w; to get the model, run 'mbv2 model fetch %s' when online, "+
				"or set %s to a directory or URL that holds %s, or pass -m path/to/model.tflite",
				err, m.Name, envMirror, m.File)
		}
		return path, m.Name, nil
	}
	fi, err := os.Stat(arg)
	switch {
	case err == nil && fi.Mode().IsRegular():
		return arg, "", nil
	case err == nil:
		return "", "", fmt.Errorf("model %s is not a regular file", arg)
	case errors.Is(err, fs.ErrNotExist):
		// A mistyped name, as 'model fetch' says of an unknown name.
		return "", "", usageError{fmt.Errorf("model %q is neither a file nor a known model (%s)", arg, s.names())}
	default:
		return "", "", err // permission denied and the like; the error names the path
	}
}

// fetch makes sure m is in the cache with the right sha256 and returns its
// path. Unlike resolve it rehashes a cached file, and downloads it again if
// it is corrupt. A model built into the binary is written from it.
func (s *modelStore) fetch(ctx context.Context, m assets.Model) (string, error) {
	path, err := s.cachePath(m)
	if err != nil {
		return "", err
	}
	if s.cached(m, path) {
		sum, err := fileSHA256(path)
		if err != nil {
			return "", err
		}
		if sum == m.SHA256 {
			return path, nil
		}
		fmt.Fprintf(s.io.Err, "cached %s has sha256 %s, want %s: downloading it again\n", m.Name, sum, m.SHA256)
	}
	if data := s.builtIn(m.Name); data != nil {
		// mbv2 never reads this file, but other programs, or -m PATH, may.
		return path, saveVerified(path, m, bytes.NewReader(data), nil)
	}
	return path, s.download(ctx, m, path)
}

func (s *modelStore) lookup(name string) (assets.Model, bool) {
	for _, m := range s.models {
		if m.Name == name {
			return m, true
		}
	}
	return assets.Model{}, false
}

// names lists the known model names for error messages.
func (s *modelStore) names() string {
	names := make([]string, len(s.models))
	for i, m := range s.models {
		names[i] = m.Name
	}
	return "known models: " + strings.Join(names, ", ")
}

func (s *modelStore) cacheDir() (string, error) {
	if dir := s.getenv(envCache); dir != "" {
		return dir, nil
	}
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no cache directory for models (%v): set %s", err, envCache)
	}
	return filepath.Join(dir, "mbv2"), nil
}

func (s *modelStore) cachePath(m assets.Model) (string, error) {
	dir, err := s.cacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, m.File), nil
}

// cached reports whether path holds a file of m's size.
func (s *modelStore) cached(m assets.Model, path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Size() == m.Size
}

// Retries of a download after a transient failure: the waits between
// attempts double from retryWait.
const (
	downloadAttempts = 4
	retryWait        = 500 * time.Millisecond
)

// download fetches m from the mirror, or else from its public URL, into
// path. It fails with one line naming the model and leaves no file behind.
// A transient failure (a reset connection, a timeout, an HTTP 5xx) is
// retried a few times, with waits that a signal (ctx) cuts short.
func (s *modelStore) download(ctx context.Context, m assets.Model, path string) error {
	removeStaleParts(path)
	wait := s.retryWait
	for attempt := 1; ; attempt++ {
		err := s.downloadOnce(ctx, m, path)
		if err == nil || attempt == downloadAttempts || !transient(err) || ctx.Err() != nil {
			return err
		}
		fmt.Fprintf(s.io.Err, "mbv2: %s; retrying in %v\n", quoteControl(err.Error()), wait)
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return fmt.Errorf("download %s: %w", m.Name, ctx.Err())
		}
		wait *= 2
	}
}

func (s *modelStore) downloadOnce(ctx context.Context, m assets.Model, path string) error {
	src, from, err := s.open(ctx, m)
	if err != nil {
		return fmt.Errorf("download %s: %w", m.Name, err)
	}
	defer src.Close()
	fmt.Fprintf(s.io.Err, "fetching %s (%s) from %s\n", m.Name, formatBytes(m.Size), from)

	var progress io.Writer
	var bar *progressbar.ProgressBar
	if s.io.ErrTTY {
		bar = progressbar.NewOptions64(m.Size,
			progressbar.OptionSetWriter(s.io.Err),
			progressbar.OptionSetDescription(m.Name),
			progressbar.OptionShowBytes(true),
			progressbar.OptionShowTotalBytes(true),
			progressbar.OptionShowCount(),
			progressbar.OptionSetWidth(20),
			progressbar.OptionThrottle(65*time.Millisecond),
			progressbar.OptionOnCompletion(func() { fmt.Fprintln(s.io.Err) }),
		)
		progress = barWriter{bar}
	}
	err = saveVerified(path, m, ctxReader{ctx, src}, progress)
	if bar != nil && !bar.IsFinished() {
		bar.Exit() // end the bar's line before the error is printed
	}
	if err != nil {
		return fmt.Errorf("download %s: %w", m.Name, err)
	}
	return nil
}

// open returns the bytes of m and where they come from: <mirror>/<file> when
// $MBV2_MODEL_MIRROR is set, else m.URL.
func (s *modelStore) open(ctx context.Context, m assets.Model) (io.ReadCloser, string, error) {
	mirror := s.getenv(envMirror)
	switch {
	case mirror == "":
		return s.get(ctx, m.URL)
	case strings.HasPrefix(mirror, "http://") || strings.HasPrefix(mirror, "https://"):
		return s.get(ctx, strings.TrimSuffix(mirror, "/")+"/"+m.File)
	default:
		path := filepath.Join(mirror, m.File)
		f, err := os.Open(path)
		if err != nil {
			return nil, path, err
		}
		return f, path, nil
	}
}

func (s *modelStore) get(ctx context.Context, url string) (io.ReadCloser, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, url, err
	}
	client := s.client
	if client == nil {
		client = httpClient()
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, url, err // the error names the URL
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, url, httpError{resp.StatusCode, fmt.Sprintf("HTTP %s from %s", resp.Status, url)}
	}
	return resp.Body, url, nil
}

// saveVerified copies m from src into path, or leaves nothing: it writes a
// temporary file next to path, checks the size and sha256, syncs it, and
// renames it over path, so a reader never sees a partial model. It reads at
// most m.Size+1 bytes from src, one more than enough to see a body is too
// long. progress, if not nil, sees every byte.
func saveVerified(path string, m assets.Model, src io.Reader, progress io.Writer) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return cacheError{err}
	}
	tmp, err := createPart(path)
	if err != nil {
		return cacheError{err}
	}
	defer func() {
		var pe *fs.PathError
		if errors.As(err, &pe) && pe.Path == tmp.Name() {
			err = cacheError{err}
		}
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()

	h := sha256.New()
	w := io.MultiWriter(tmp, h)
	if progress != nil {
		w = io.MultiWriter(tmp, h, progress)
	}
	n, err := io.Copy(w, io.LimitReader(src, m.Size+1))
	if err != nil {
		return err
	}
	if n > m.Size {
		return fmt.Errorf("size mismatch: got more than %d bytes, want %d", m.Size, m.Size)
	}
	if n < m.Size {
		return fmt.Errorf("size mismatch: got %d bytes, want %d", n, m.Size)
	}
	if sum := hex.EncodeToString(h.Sum(nil)); sum != m.SHA256 {
		return fmt.Errorf("sha256 mismatch: got %s, want %s", sum, m.SHA256)
	}
	if err := tmp.Sync(); err != nil { // the data must be on disk before the name is
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return cacheError{err}
	}
	return nil
}

// cacheError is a failure to write the cache directory: a read-only or
// full disk, a permission denied. Being online would not help.
type cacheError struct{ err error }

func (e cacheError) Error() string { return e.err.Error() }
func (e cacheError) Unwrap() error { return e.err }

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// ctxReader ends a copy once ctx is done (Ctrl-C), also for sources that
// do not watch a context themselves, such as a file on a mirror directory.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// barWriter feeds a progress bar; a bar that cannot draw must not fail the
// download, so its errors are dropped.
type barWriter struct{ bar *progressbar.ProgressBar }

func (b barWriter) Write(p []byte) (int, error) {
	b.bar.Add(len(p))
	return len(p), nil
}

// httpError is a response other than 200 OK.
type httpError struct {
	code int
	msg  string
}

func (e httpError) Error() string { return e.msg }

// transient says whether a failed download may succeed if tried again at
// once: the connection was reset or cut, timed out, or the server had a
// passing failure (5xx, 429). Not a 404, a wrong size or sha256, an
// unknown host, or a signal.
func transient(err error) bool {
	var herr httpError
	var nerr net.Error
	switch {
	case errors.Is(err, context.Canceled):
		return false
	case errors.As(err, &herr):
		return herr.code >= 500 || herr.code == http.StatusTooManyRequests
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNREFUSED),
		errors.Is(err, syscall.EPIPE), errors.Is(err, io.ErrUnexpectedEOF):
		return true
	case errors.As(err, &nerr):
		return nerr.Timeout()
	}
	return false
}

// createPart creates the temporary file a download of path is written to,
// next to it. Unlike os.CreateTemp's 0600 it asks for 0666, so that with
// the umask the model ends as any other file the user writes (0644): a
// cache filled by root in a container build is readable by the user who
// runs mbv2.
func createPart(path string) (*os.File, error) {
	for range 100 {
		name := fmt.Sprintf("%s.%d%s", partPrefix(path), rand.Uint32(), partSuffix)
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
		if !errors.Is(err, fs.ErrExist) {
			return f, err
		}
	}
	return nil, fmt.Errorf("cannot create a temporary file for %s", path)
}

const partSuffix = ".part"

// partPrefix is where the temporary files of a download of path start:
// hidden, beside it.
func partPrefix(path string) string {
	return filepath.Join(filepath.Dir(path), "."+filepath.Base(path))
}

// staleAfter is how long a temporary file can go unwritten before it is
// taken for the leftover of a download that was killed: longer than a
// download may stall (httpClient's timeouts), so that a download running
// in another process is never cut.
const staleAfter = 10 * time.Minute

// removeStaleParts removes the temporary files that killed downloads of
// path left.
func removeStaleParts(path string) {
	parts, _ := filepath.Glob(partPrefix(path) + ".*" + partSuffix)
	for _, p := range parts {
		if fi, err := os.Stat(p); err == nil && time.Since(fi.ModTime()) > staleAfter {
			os.Remove(p)
		}
	}
}
