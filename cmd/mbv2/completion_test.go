package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// complete returns what the shell would be offered for args, the last
// one being what is typed so far.
func complete(t *testing.T, args ...string) []string {
	t.Helper()
	code, stdout, _ := runCmd(t, nil, append([]string{"__complete"}, args...)...)
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if code != exitOK || len(lines) == 0 || !strings.HasPrefix(lines[len(lines)-1], ":") {
		t.Fatalf("%v: exit %d, stdout %q", args, code, stdout)
	}
	return lines[:len(lines)-1]
}

func TestCompletion(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "a.tflite"), nil)
	writeFile(t, filepath.Join(dir, "notes.txt"), nil)
	os.Mkdir(filepath.Join(dir, "sub"), 0o755)
	names := modelNames()
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"classify", "--format", ""}, []string{"text", "json", "csv", "tsv"}},
		{[]string{"classify", "--resize", ""}, []string{"bilinear", "nearest", "catmullrom"}},
		{[]string{"classify", "--decode", ""}, []string{"fast", "exact"}},
		{[]string{"bench", "--precision", ""}, []string{"int8", "float32"}},
		{[]string{"model", "info", "--kernels", ""}, []string{"auto", "generic"}},
		{[]string{"bench", "--compare", "generic,"}, []string{"generic,generic"}},
		{[]string{"model", "fetch", ""}, names},
		{[]string{"classify", "-m", ""}, names},
		{[]string{"bench", "-m", dir + "/"}, append(slices.Clone(names), dir+"/a.tflite", dir+"/sub/")},
	} {
		got := complete(t, c.args...)
		for _, w := range c.want {
			if !slices.Contains(got, w) {
				t.Errorf("%q: %q lacks %q", c.args, got, w)
			}
		}
		if slices.Contains(got, dir+"/notes.txt") {
			t.Errorf("%q: %q offers a file that is no model", c.args, got)
		}
	}
}
