package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/mbv2/mbv2/assets"
)

// tinyModel is a catalogue of one made-up model, 64 KiB of seeded random
// bytes, whose public URL is base + "/public/tiny.tflite".
func tinyModel(base string) ([]byte, assets.Model) {
	data := make([]byte, 64<<10)
	rand.NewChaCha8([32]byte{1}).Read(data)
	sum := sha256.Sum256(data)
	return data, assets.Model{
		Name:   "tiny",
		File:   "tiny.tflite",
		URL:    base + "/public/tiny.tflite",
		SHA256: hex.EncodeToString(sum[:]),
		Size:   int64(len(data)),
		Notes:  "test model",
	}
}

// fetchServer serves body (or status, if not 200) under /public/ and
// /mirror/ and counts the requests.
type fetchServer struct {
	*httptest.Server
	status   int
	body     []byte
	requests atomic.Int32
}

func newFetchServer(t *testing.T) *fetchServer {
	s := &fetchServer{status: http.StatusOK}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		if s.status != http.StatusOK {
			http.Error(w, "nope", s.status)
			return
		}
		w.Write(s.body)
	}))
	t.Cleanup(s.Close)
	return s
}

// newTestStore returns a store over models whose environment is env, with
// MBV2_CACHE_DIR set to a new directory unless env sets it, and the buffer
// that receives its stderr.
func newTestStore(t *testing.T, models []assets.Model, env map[string]string) (*modelStore, *bytes.Buffer) {
	if env == nil {
		env = map[string]string{}
	}
	if env[envCache] == "" {
		env[envCache] = t.TempDir()
	}
	stderr := &bytes.Buffer{}
	return &modelStore{
		models:      models,
		defaultName: models[0].Name,
		builtIn:     func(string) []byte { return nil },
		getenv:      func(k string) string { return env[k] },
		client:      &http.Client{},
		io:          &iostreams{Out: &bytes.Buffer{}, Err: stderr},
	}, stderr
}

// checkNoFiles fails if a failed download left anything in the cache dir.
func checkNoFiles(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Errorf("left in the cache: %s", e.Name())
	}
}

func checkFile(t *testing.T, path string, want []byte) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s: %d bytes differ from the %d served", path, len(got), len(want))
	}
}

func TestResolveDownloadsOnceThenUsesCache(t *testing.T) {
	srv := newFetchServer(t)
	data, m := tinyModel(srv.URL)
	srv.body = data
	cache := filepath.Join(t.TempDir(), "cache") // created on demand
	s, stderr := newTestStore(t, []assets.Model{m}, map[string]string{envCache: cache})

	for i := range 2 {
		path, name, err := s.resolve(context.Background(), "tiny")
		if err != nil {
			t.Fatal(err)
		}
		if want := filepath.Join(cache, "tiny.tflite"); path != want || name != "tiny" {
			t.Fatalf("resolve #%d = %q, %q; want %q, tiny", i, path, name, want)
		}
		checkFile(t, path, data)
	}
	if n := srv.requests.Load(); n != 1 {
		t.Errorf("%d requests, want 1: the second resolve must use the cache", n)
	}
	if got := stderr.String(); got != "fetching tiny (0.1 MB) from "+m.URL+"\n" {
		t.Errorf("stderr = %q", got)
	}
}

func TestFetchFromHTTPMirror(t *testing.T) {
	srv := newFetchServer(t)
	data, m := tinyModel("http://public.invalid") // never asked: the mirror replaces it
	srv.body = data
	s, stderr := newTestStore(t, []assets.Model{m}, map[string]string{envMirror: srv.URL + "/mirror/"})

	path, err := s.fetch(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	checkFile(t, path, data)
	if !strings.Contains(stderr.String(), srv.URL+"/mirror/tiny.tflite") {
		t.Errorf("stderr %q does not name the mirror URL", stderr)
	}
}

func TestFetchFromDirectoryMirror(t *testing.T) {
	data, m := tinyModel("http://public.invalid")
	mirror := t.TempDir()
	if err := os.WriteFile(filepath.Join(mirror, m.File), data, 0o644); err != nil {
		t.Fatal(err)
	}
	s, _ := newTestStore(t, []assets.Model{m}, map[string]string{envMirror: mirror})

	path, err := s.fetch(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	checkFile(t, path, data)
}

func TestFetchFailuresLeaveNothing(t *testing.T) {
	data, _ := tinyModel("")
	flipped := bytes.Clone(data)
	flipped[1000] ^= 1
	sum := sha256.Sum256(flipped)
	cases := []struct {
		name    string
		status  int
		body    []byte
		wantErr string // after "download tiny: "
	}{
		{"404", http.StatusNotFound, nil, "HTTP 404 Not Found from "},
		{"empty", http.StatusOK, nil, "size mismatch: got 0 bytes, want 65536"},
		{"short", http.StatusOK, data[:1000], "size mismatch: got 1000 bytes, want 65536"},
		{"long", http.StatusOK, append(bytes.Clone(data), 0), "size mismatch: got more than 65536 bytes, want 65536"},
		{"sha256", http.StatusOK, flipped, "sha256 mismatch: got " + hex.EncodeToString(sum[:]) + ", want "},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := newFetchServer(t)
			srv.status, srv.body = c.status, c.body
			_, m := tinyModel(srv.URL)
			s, _ := newTestStore(t, []assets.Model{m}, nil)

			_, err := s.fetch(context.Background(), m)
			if err == nil || !strings.HasPrefix(err.Error(), "download tiny: "+c.wantErr) {
				t.Fatalf("err = %v, want download tiny: %s...", err, c.wantErr)
			}
			checkNoFiles(t, s.getenv(envCache))

			// resolve says the same, in one line, with a way out.
			_, _, err = s.resolve(context.Background(), "tiny")
			if err == nil {
				t.Fatal("resolve: no error")
			}
			msg := err.Error()
			for _, want := range []string{c.wantErr, "mbv2 model fetch tiny", envMirror, "-m path/to/model.tflite"} {
				if !strings.Contains(msg, want) {
					t.Errorf("resolve error %q does not say %q", msg, want)
				}
			}
			if strings.Contains(msg, "\n") {
				t.Errorf("resolve error has more than one line: %q", msg)
			}
			checkNoFiles(t, s.getenv(envCache))
		})
	}
}

func TestFetchDirectoryMirrorMissingFile(t *testing.T) {
	_, m := tinyModel("http://public.invalid")
	s, _ := newTestStore(t, []assets.Model{m}, map[string]string{envMirror: t.TempDir()})
	_, err := s.fetch(context.Background(), m)
	if err == nil || !strings.HasPrefix(err.Error(), "download tiny: open ") || !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("err = %v, want download tiny: open ...: no such file", err)
	}
	checkNoFiles(t, s.getenv(envCache))
}

// endless is a source far longer than any model (it ends after 64 MB, so
// that a broken bound fails the test instead of hanging it), and counts
// what is read from it.
type endless struct{ n int64 }

func (e *endless) Read(p []byte) (int, error) {
	if e.n >= 64<<20 {
		return 0, io.EOF
	}
	e.n += int64(len(p))
	return len(p), nil
}

func TestSaveVerifiedReadsAtMostSizePlusOne(t *testing.T) {
	_, m := tinyModel("")
	src := &endless{}
	dir := t.TempDir()
	err := saveVerified(filepath.Join(dir, m.File), m, src, nil)
	if err == nil || !strings.Contains(err.Error(), "got more than") {
		t.Fatalf("err = %v, want a size mismatch", err)
	}
	if src.n != m.Size+1 {
		t.Errorf("read %d bytes from an endless source, want Size+1 = %d", src.n, m.Size+1)
	}
	checkNoFiles(t, dir)
}

func TestFetchCancelledMidwayLeavesNothing(t *testing.T) {
	data, _ := tinyModel("")
	// The server sends half the body and holds the connection until the
	// client gives up.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write(data[:len(data)/2])
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}))
	defer srv.Close()
	_, m := tinyModel(srv.URL)
	s, _ := newTestStore(t, []assets.Model{m}, nil)
	cache := s.getenv(envCache)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error)
	go func() {
		_, err := s.fetch(ctx, m)
		done <- err
	}()
	// Cancel (as Ctrl-C does) once the temporary file exists, that is, in
	// the middle of the body.
	for {
		if entries, _ := os.ReadDir(cache); len(entries) > 0 {
			break
		}
		select {
		case err := <-done:
			t.Fatalf("fetch ended before the body: %v", err)
		case <-time.After(time.Millisecond):
		}
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	checkNoFiles(t, cache)
}

// TestCachedFileTrustedByResolveRepairedByFetch pins the cache policy: a
// cached file of the right size is used as is, and 'model fetch' rehashes it.
func TestCachedFileTrustedByResolveRepairedByFetch(t *testing.T) {
	srv := newFetchServer(t)
	data, m := tinyModel(srv.URL)
	srv.body = data
	s, stderr := newTestStore(t, []assets.Model{m}, nil)
	path := filepath.Join(s.getenv(envCache), m.File)
	corrupt := make([]byte, len(data))
	if err := os.WriteFile(path, corrupt, 0o644); err != nil {
		t.Fatal(err)
	}

	if got, _, err := s.resolve(context.Background(), "tiny"); err != nil || got != path {
		t.Fatalf("resolve = %q, %v; want the cached %q", got, err, path)
	}
	if n := srv.requests.Load(); n != 0 {
		t.Fatalf("resolve made %d requests for a cached model", n)
	}
	if _, err := s.fetch(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	checkFile(t, path, data)
	if !strings.Contains(stderr.String(), "downloading it again") {
		t.Errorf("stderr %q does not say the cached file was replaced", stderr)
	}

	// A good cached file is rehashed, not downloaded again.
	if _, err := s.fetch(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	if n := srv.requests.Load(); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

func TestResolve(t *testing.T) {
	srv := newFetchServer(t)
	data, m := tinyModel(srv.URL)
	srv.body = data
	dir := t.TempDir()
	file := filepath.Join(dir, "mine.tflite")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		arg, env         string
		wantPath, wantEr string // wantPath "cache" means the cached tiny model
	}{
		{arg: file, wantPath: file},
		{arg: file, env: "tiny", wantPath: file},    // -m wins over $MBV2_MODEL
		{env: file, wantPath: file},                 // $MBV2_MODEL
		{wantPath: "cache"},                         // the default
		{arg: "tiny", env: file, wantPath: "cache"}, // a name
		{arg: dir, wantEr: "is not a regular file"},
		{arg: "nope", wantEr: `model "nope" is neither a file nor a known model (known models: tiny)`},
		{env: "nope", wantEr: `model "nope" is neither`},
	}
	for _, c := range cases {
		s, _ := newTestStore(t, []assets.Model{m}, map[string]string{envModel: c.env})
		path, name, err := s.resolve(context.Background(), c.arg)
		if c.wantEr != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantEr) {
				t.Errorf("resolve(%q) with %s=%q: err = %v, want %q", c.arg, envModel, c.env, err, c.wantEr)
			}
			continue
		}
		wantPath, wantName := c.wantPath, ""
		if wantPath == "cache" {
			wantPath, wantName = filepath.Join(s.getenv(envCache), m.File), "tiny"
		}
		if err != nil || path != wantPath || name != wantName {
			t.Errorf("resolve(%q) with %s=%q = %q, %q, %v; want %q, %q", c.arg, envModel, c.env, path, name, err, wantPath, wantName)
		}
	}
}

// TestReadBuiltIn checks a built-in model is used in place, without the
// cache or the network, whether named or the default, and that 'model
// fetch' writes it from the binary.
func TestReadBuiltIn(t *testing.T) {
	srv := newFetchServer(t)
	data, m := tinyModel(srv.URL)
	cache := filepath.Join(t.TempDir(), "cache")
	for _, c := range []struct{ arg, env string }{{"", ""}, {"tiny", ""}, {"", "tiny"}} {
		s, _ := newTestStore(t, []assets.Model{m}, map[string]string{envCache: cache, envModel: c.env})
		s.builtIn = func(name string) []byte {
			if name == "tiny" {
				return data
			}
			return nil
		}
		got, path, name, err := s.read(context.Background(), c.arg)
		if err != nil || path != builtInPath || name != "tiny" || len(got) != len(data) || &got[0] != &data[0] {
			t.Errorf("read(%q) with %s=%q = %d bytes, %q, %q, %v; want the built-in bytes themselves",
				c.arg, envModel, c.env, len(got), path, name, err)
		}
	}
	if n := srv.requests.Load(); n != 0 {
		t.Errorf("%d requests", n)
	}
	checkNoFiles(t, cache)

	s, _ := newTestStore(t, []assets.Model{m}, map[string]string{envCache: cache})
	s.builtIn = func(string) []byte { return data }
	path, err := s.fetch(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	checkFile(t, path, data)
	if n := srv.requests.Load(); n != 0 {
		t.Errorf("fetch: %d requests", n)
	}
}

func TestDownloadProgressOnlyOnTerminal(t *testing.T) {
	srv := newFetchServer(t)
	data, m := tinyModel(srv.URL)
	srv.body = data
	for _, tty := range []bool{false, true} {
		s, stderr := newTestStore(t, []assets.Model{m}, nil)
		s.io.ErrTTY = tty
		if _, err := s.fetch(context.Background(), m); err != nil {
			t.Fatal(err)
		}
		lines := strings.Count(stderr.String(), "\n")
		if bar := strings.Contains(stderr.String(), "100%"); bar != tty || (!tty && lines != 1) {
			t.Errorf("ErrTTY=%v: stderr = %q", tty, stderr)
		}
	}
}

// sharedModelsDir returns the directory of the real models, or skips (fails
// under CI) when it is missing.
func sharedModelsDir(t *testing.T) string {
	dir := os.Getenv("MBV2_TESTDATA")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "shared") // the module root is ../..
	}
	dir = filepath.Join(dir, "models")
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("real models missing under CI: %v", err)
		}
		t.Skipf("SKIPPING: real models not found (%v); set MBV2_TESTDATA", err)
	}
	return dir
}

// TestFetchRealDefaultModel checks the catalogue entry of the default model
// against the real file, read from a directory mirror.
func TestFetchRealDefaultModel(t *testing.T) {
	mirror := sharedModelsDir(t)
	s, _ := newTestStore(t, assets.Models(), map[string]string{envMirror: mirror})
	s.defaultName = assets.DefaultModel()

	path, name, err := s.resolve(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	m, _ := s.lookup(name)
	if name != assets.DefaultModel() || filepath.Base(path) != m.File {
		t.Fatalf("resolve = %q, %q", path, name)
	}
	if sum, err := fileSHA256(path); err != nil || sum != m.SHA256 {
		t.Errorf("cached %s: sha256 %s, %v; want %s", path, sum, err, m.SHA256)
	}
}

// TestFetchRetriesTransientFailures: an HTTP 5xx and a connection cut in
// the body are tried again; a 404 is not.
func TestFetchRetriesTransientFailures(t *testing.T) {
	data, _ := tinyModel("")
	for _, c := range []struct {
		name     string
		fail     func(w http.ResponseWriter)
		failures int32
		requests int32
		ok       bool
	}{
		{"503", func(w http.ResponseWriter) { http.Error(w, "busy", http.StatusServiceUnavailable) }, 2, 3, true},
		{"cut", func(w http.ResponseWriter) {
			// Half the body, then the connection closes.
			w.Header().Set("Content-Length", "65536")
			w.Write(data[:1000])
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.Close()
		}, 1, 2, true},
		{"always 502", func(w http.ResponseWriter) { http.Error(w, "bad gateway", http.StatusBadGateway) }, 100, downloadAttempts, false},
		{"404", func(w http.ResponseWriter) { http.NotFound(w, nil) }, 100, 1, false},
	} {
		var requests atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if requests.Add(1) <= c.failures {
				c.fail(w)
				return
			}
			w.Write(data)
		}))
		_, m := tinyModel(srv.URL)
		s, stderr := newTestStore(t, []assets.Model{m}, nil)
		path, err := s.fetch(context.Background(), m)
		srv.Close()
		if (err == nil) != c.ok || requests.Load() != c.requests {
			t.Errorf("%s: err %v after %d requests, want %d; stderr %q", c.name, err, requests.Load(), c.requests, stderr)
			continue
		}
		if c.ok {
			checkFile(t, path, data)
		} else {
			checkNoFiles(t, s.getenv(envCache))
		}
	}
}

// TestFetchCacheErrorNoOnlineHint: a cache that cannot be written is not
// fixed by going online, so the error does not say to.
func TestFetchCacheErrorNoOnlineHint(t *testing.T) {
	srv := newFetchServer(t)
	data, m := tinyModel(srv.URL)
	srv.body = data
	file := writeFile(t, filepath.Join(t.TempDir(), "file"), nil)
	s, _ := newTestStore(t, []assets.Model{m}, map[string]string{envCache: filepath.Join(file, "cache")})
	_, _, err := s.resolve(context.Background(), "tiny")
	if err == nil || !strings.Contains(err.Error(), "not a directory") || strings.Contains(err.Error(), "online") {
		t.Errorf("err = %v", err)
	}
}

// TestFetchFileMode: a downloaded model is readable by all, as the umask
// says (not os.CreateTemp's 0600), so that a cache filled by root serves
// every user.
func TestFetchFileMode(t *testing.T) {
	defer syscall.Umask(syscall.Umask(0o022))
	srv := newFetchServer(t)
	data, m := tinyModel(srv.URL)
	srv.body = data
	s, _ := newTestStore(t, []assets.Model{m}, nil)
	path, err := s.fetch(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, %v; want 0644", fi.Mode(), err)
	}
}

// TestFetchRemovesStaleParts: a temporary file a killed download left is
// removed by the next download; one still being written is not.
func TestFetchRemovesStaleParts(t *testing.T) {
	srv := newFetchServer(t)
	data, m := tinyModel(srv.URL)
	srv.body = data
	s, _ := newTestStore(t, []assets.Model{m}, nil)
	cache := s.getenv(envCache)
	stale := writeFile(t, filepath.Join(cache, ".tiny.tflite.123.part"), []byte("half"))
	old := time.Now().Add(-time.Hour)
	os.Chtimes(stale, old, old)
	fresh := writeFile(t, filepath.Join(cache, ".tiny.tflite.456.part"), []byte("half"))
	if _, err := s.fetch(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stale %s: %v", stale, err)
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Errorf("fresh %s: %v", fresh, err)
	}
}

// TestSIGTERMStopsDownload: SIGTERM stops a first-use download from a
// stalled mirror at once, in classify as in model fetch, and leaves no
// partial file.
func TestSIGTERMStopsDownload(t *testing.T) {
	const name = "tf2_mobilenet_v2_1.0_224_ptq" // not built in
	img := writePNG(t, t.TempDir(), "a.png", 8, 8)
	for _, args := range [][]string{{"model", "fetch", name}, {"classify", "-m", name, img}} {
		started := make(chan struct{}, 1)
		release := make(chan struct{})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "4000000")
			w.Write(make([]byte, 1000))
			w.(http.Flusher).Flush()
			started <- struct{}{}
			select { // stalls
			case <-release:
			case <-r.Context().Done():
			}
		}))
		cache := t.TempDir()
		cmd := mbv2Command(t, args...)
		cmd.Env = append(cmd.Env, envCache+"="+cache, envMirror+"="+srv.URL)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		<-started
		time.Sleep(50 * time.Millisecond) // into the body
		sent := time.Now()
		cmd.Process.Signal(syscall.SIGTERM)
		exited := make(chan error)
		go func() { exited <- cmd.Wait() }()
		select {
		case err := <-exited:
			t.Logf("%v: stopped %v after SIGTERM: %v", args, time.Since(sent).Round(time.Millisecond), err)
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != exitFailure {
				t.Errorf("%v: %v, stderr %q", args, err, stderr.String())
			}
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-exited
			t.Errorf("%v: still running 10 s after SIGTERM", args)
		}
		close(release)
		srv.Close()
		checkNoFiles(t, cache)
	}
}
