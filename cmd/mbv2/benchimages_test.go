package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// bench --images times every image under a directory once, whatever its
// name, skips the files that are not images, and splits each image's time
// among its stages.
func TestBenchImages(t *testing.T) {
	dir := t.TempDir()
	writePNG(t, dir, "a.png", 40, 30)
	os.Mkdir(filepath.Join(dir, "sub"), 0o777)
	writePNG(t, filepath.Join(dir, "sub"), "b.data", 9, 17)
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("not an image"), 0o666)
	for _, j := range []string{"1", "2"} {
		var r imagesResult
		benchJSON(t, &r, "-m", tinyModelPath, "--images", dir, "-j", j)
		if r.Images != 2 || r.Failed != 0 || r.Jobs != min(2, int(j[0]-'0')) || r.Threads != 1 || r.Bytes <= 0 {
			t.Errorf("-j %s: %+v; want 2 images, none failed, %s jobs of 1 thread", j, r, j)
		}
		for name, ms := range map[string]float64{"read": r.ReadMs, "decode": r.DecodeMs, "resize": r.ResizeMs, "network": r.NetworkMs} {
			if !(ms > 0) {
				t.Errorf("-j %s: %s took %g ms an image, want > 0", j, name, ms)
			}
		}
		if !(r.ImagesPerSec > 0) || !(r.WallS > 0) {
			t.Errorf("-j %s: %g images/s in %g s", j, r.ImagesPerSec, r.WallS)
		}
	}
	code, stdout, _ := runCmd(t, nil, "bench", "-m", tinyModelPath, "--images", dir)
	if code != exitOK || !strings.Contains(stdout, "images/s at -j") || !strings.Contains(stdout, "network") {
		t.Errorf("table: exit %d\n%s", code, stdout)
	}
}

// A file named that is not an image fails alone, on one line, and the run
// says so with its exit code.
func TestBenchImagesBadFile(t *testing.T) {
	dir := t.TempDir()
	good := writePNG(t, dir, "a.png", 8, 8)
	bad := filepath.Join(dir, "bad.jpg")
	os.WriteFile(bad, []byte("\xff\xd8\xff not a jpeg"), 0o666)
	code, stdout, stderr := runCmd(t, nil, "bench", "-m", tinyModelPath, "--images", good, "--images", bad)
	if code != exitFailure || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, bad) || !strings.Contains(stdout, "1 images") {
		t.Errorf("exit %d, stdout %q, stderr %q; want exit 1, one image timed, one error line naming %s", code, stdout, stderr, bad)
	}
	if code, _, stderr := runCmd(t, nil, "bench", "-m", tinyModelPath, "--images", filepath.Join(dir, "none")); code != exitFailure || !strings.Contains(stderr, "no such file") {
		t.Errorf("a missing path: exit %d, stderr %q", code, stderr)
	}
}
