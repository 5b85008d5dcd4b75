package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestOpenModelErrors: classify, bench and model info open their model
// alike, so a bad one fails each with the same line and exit code.
func TestOpenModelErrors(t *testing.T) {
	dir := t.TempDir()
	img := writePNG(t, dir, "a.png", 8, 8)
	for _, c := range []struct{ model, want string }{
		{filepath.Join(dir, "nope.tflite"), "is neither a file nor a known model"},
		{img, "model " + img + ": tflite: file identifier"},
		{dir, "model " + dir + " is not a regular file"},
	} {
		for _, cmd := range [][]string{{"classify", img}, {"bench", "--iters", "1"}, {"model", "info"}} {
			args := append(append(cmd, "-m"), c.model)
			code, stdout, stderr := runCmd(t, nil, args...)
			if code != exitFailure || stdout != "" || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, c.want) {
				t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 1 and one line with %q", args, code, stdout, stderr, c.want)
			}
		}
	}
}
