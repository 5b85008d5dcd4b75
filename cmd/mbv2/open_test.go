package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestOpenModelErrors: classify, bench and model info open their model
// alike, so a bad one fails each with the same line and exit code: a usage
// error (2) for a name that is no model, 1 for a file that is not one.
func TestOpenModelErrors(t *testing.T) {
	dir := t.TempDir()
	img := writePNG(t, dir, "a.png", 8, 8)
	for _, c := range []struct {
		model string
		code  int
		want  string
	}{
		{filepath.Join(dir, "nope.tflite"), exitUsage, "is neither a file nor a known model"},
		{img, exitFailure, "model " + img + ": tflite: file identifier"},
		{dir, exitFailure, "model " + dir + " is not a regular file"},
	} {
		for _, cmd := range [][]string{{"classify", img}, {"bench", "--iters", "1"}, {"model", "info"}} {
			args := append(append(cmd, "-m"), c.model)
			code, stdout, stderr := runCmd(t, nil, args...)
			if code != c.code || stdout != "" || !strings.HasPrefix(stderr, "mbv2: ") || !strings.Contains(stderr, c.want) {
				t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit %d and %q", args, code, stdout, stderr, c.code, c.want)
			}
		}
	}
}
