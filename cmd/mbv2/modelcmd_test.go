package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mbv2/mbv2/assets"
)

// runModelCmd runs mbv2 with args and a cache and mirror of its own. The
// command reads the process environment, so these tests set it (and so
// cannot run in parallel). mirror is always set: these tests never download
// from the public host.
func runModelCmd(t *testing.T, cache, mirror string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	t.Setenv(envCache, cache)
	t.Setenv(envMirror, mirror)
	var out, errb bytes.Buffer
	code = run(args, &iostreams{In: strings.NewReader(""), Out: &out, Err: &errb})
	return code, out.String(), errb.String()
}

func TestModelList(t *testing.T) {
	cache := t.TempDir()
	def := assets.DefaultModel()
	// Any file of the right size counts as cached.
	var m assets.Model
	for _, m = range assets.Models() {
		if m.Name != def {
			break
		}
	}
	if err := os.WriteFile(filepath.Join(cache, m.File), make([]byte, m.Size), 0o644); err != nil {
		t.Fatal(err)
	}

	code, stdout, stderr := runModelCmd(t, cache, t.TempDir(), "model", "list")
	if code != exitOK || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	if len(lines) != 1+len(assets.Models()) || !strings.HasPrefix(lines[0], "NAME ") {
		t.Fatalf("stdout:\n%s", stdout)
	}
	for i, want := range assets.Models() {
		f := strings.Fields(lines[1+i])
		cached := "no"
		switch want.Name {
		case m.Name:
			cached = "yes"
		case def:
			cached = "built in"
		}
		if f[0] != want.Name || (want.Name == def) != (f[1] == "(default)") || !strings.Contains(lines[1+i], " "+cached+" ") {
			t.Errorf("row %q: want %s, cached %s", lines[1+i], want.Name, cached)
		}
	}

	code, stdout, _ = runModelCmd(t, cache, t.TempDir(), "model", "list", "--json")
	var entries []modelListEntry
	if err := json.Unmarshal([]byte(stdout), &entries); code != exitOK || err != nil {
		t.Fatalf("exit %d, %v:\n%s", code, err, stdout)
	}
	if len(entries) != len(assets.Models()) {
		t.Fatalf("%d entries", len(entries))
	}
	for i, e := range entries {
		if e.Model != assets.Models()[i] || e.Default != (e.Name == def) || e.BuiltIn != (e.Name == def) ||
			e.Cached != (e.Name == m.Name) ||
			e.Path != filepath.Join(cache, e.File) {
			t.Errorf("entry %+v", e)
		}
	}
}

func TestModelUsageErrors(t *testing.T) {
	cache := t.TempDir()
	for _, args := range [][]string{
		{"model", "fetch", "nope"},
		{"model", "fetch", "--all", assets.DefaultModel()},
		{"model", "list", "extra"},
		{"model", "bogus"},
	} {
		code, stdout, stderr := runModelCmd(t, cache, t.TempDir(), args...)
		if code != exitUsage || stdout != "" || !strings.HasPrefix(stderr, "mbv2: ") {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit %d", args, code, stdout, stderr, exitUsage)
		}
	}
	checkNoFiles(t, cache)
}

func TestModelFetchFailure(t *testing.T) {
	cache := t.TempDir()
	m := assets.Models()[1] // not built in
	code, stdout, stderr := runModelCmd(t, cache, t.TempDir(), "model", "fetch", m.Name)
	want := "mbv2: download " + m.Name + ": open "
	if code != exitFailure || stdout != "" || !strings.HasPrefix(stderr, want) || strings.Count(stderr, "\n") != 1 {
		t.Errorf("exit %d, stdout %q, stderr %q; want exit %d and one line %q...", code, stdout, stderr, exitFailure, want)
	}
	checkNoFiles(t, cache)
}

// TestModelFetchReal fetches every model from the real files as a mirror
// (the built-in one from the binary): the catalogue's sizes and sha256 must
// match them.
func TestModelFetchReal(t *testing.T) {
	mirror := sharedModelsDir(t)
	cache := t.TempDir()
	code, stdout, stderr := runModelCmd(t, cache, mirror, "model", "fetch", "--all")
	if code != exitOK {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	var paths []string
	for _, m := range assets.Models() {
		path := filepath.Join(cache, m.File)
		paths = append(paths, path)
		if sum, err := fileSHA256(path); err != nil || sum != m.SHA256 {
			t.Errorf("%s: sha256 %s, %v; want %s", path, sum, err, m.SHA256)
		}
	}
	if want := strings.Join(paths, "\n") + "\n"; stdout != want {
		t.Errorf("stdout %q, want %q", stdout, want)
	}

	code, stdout, _ = runModelCmd(t, cache, mirror, "model", "list", "--json")
	var entries []modelListEntry
	if err := json.Unmarshal([]byte(stdout), &entries); code != exitOK || err != nil {
		t.Fatalf("exit %d, %v", code, err)
	}
	for _, e := range entries {
		if !e.Cached {
			t.Errorf("%s: not cached", e.Name)
		}
	}
}
