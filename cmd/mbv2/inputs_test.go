package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/jpeg"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// writeJPEG writes a w x h JPEG and returns its path.
func writeJPEG(t *testing.T, dir, name string, w, h int) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 13)
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return writeFile(t, filepath.Join(dir, name), b.Bytes())
}

func writeFile(t *testing.T, path string, data []byte) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// records parses JSON Lines output; every line must be one whole record.
func records(t *testing.T, stdout string) []result {
	t.Helper()
	var rs []result
	for i, l := range strings.SplitAfter(stdout, "\n") {
		if l == "" {
			continue
		}
		var r result
		if err := json.Unmarshal([]byte(l), &r); err != nil || !strings.HasSuffix(l, "\n") {
			t.Fatalf("line %d is not a whole record (%v): %q", i, err, l)
		}
		rs = append(rs, r)
	}
	return rs
}

func files(rs []result) []string {
	var fs []string
	for _, r := range rs {
		fs = append(fs, r.File)
	}
	return fs
}

// photoTree makes a directory as -r finds it: images by content whatever
// their names, and files that are not images.
//
//	dir/a.png
//	dir/link -> sub
//	dir/sub/b.jpg, empty, notes.txt, photo.dat (a PNG)
func photoTree(t *testing.T) string {
	dir := t.TempDir()
	writePNG(t, dir, "a.png", 40, 30)
	sub := filepath.Join(dir, "sub")
	writeJPEG(t, sub, "b.jpg", 33, 35)
	writeFile(t, filepath.Join(sub, "empty"), nil)
	writeFile(t, filepath.Join(sub, "notes.txt"), []byte("BM is not enough for a BMP\n"))
	png, _ := os.ReadFile(writePNG(t, t.TempDir(), "x.png", 20, 20))
	writeFile(t, filepath.Join(sub, "photo.dat"), png)
	if err := os.Symlink("sub", filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestClassifyInputForms(t *testing.T) {
	dir := photoTree(t)
	a := filepath.Join(dir, "a.png")
	b := filepath.Join(dir, "sub", "b.jpg")
	png, _ := os.ReadFile(a)
	list := filepath.Join(t.TempDir(), "list")
	writeFile(t, list, []byte(a+"\n\n"+b+"\n"))
	nulList := filepath.Join(t.TempDir(), "list0")
	writeFile(t, nulList, []byte(b+"\x00"+a+"\x00"))
	found := []string{dir + "/a.png", dir + "/link/b.jpg", dir + "/link/photo.dat", dir + "/sub/b.jpg", dir + "/sub/photo.dat"}

	for _, c := range []struct {
		name  string
		stdin []byte
		args  []string
		want  []string
	}{
		{"files", nil, []string{a, b, a}, []string{a, b, a}},
		{"stdin", png, []string{b, "-"}, []string{b, "-"}},
		{"dir", nil, []string{"-r", dir}, found},
		{"dir/ as given", nil, []string{"-r", dir + "/"}, found},
		{"files-from", nil, []string{"--files-from", list, b}, []string{b, a, b}},
		{"files-from stdin", []byte(a + "\n" + b), []string{"--files-from", "-"}, []string{a, b}},
		{"files-from -0", nil, []string{"--files-from", nulList, "-0"}, []string{b, a}},
		{"files-from -0 stdin", []byte(a + "\x00" + b + "\x00"), []string{"-0", "--files-from", "-"}, []string{a, b}},
		{"files-from dirs -r", []byte(filepath.Join(dir, "sub") + "\n"), []string{"-r", "--files-from", "-"},
			[]string{dir + "/sub/b.jpg", dir + "/sub/photo.dat"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			args := append([]string{"classify", "-m", tinyModelPath, "--json", "-k", "1"}, c.args...)
			code, stdout, stderr := runCmd(t, bytes.NewReader(c.stdin), args...)
			rs := records(t, stdout)
			if code != exitOK || stderr != "" {
				t.Fatalf("exit %d, stderr %q", code, stderr)
			}
			if !slices.Equal(files(rs), c.want) {
				t.Errorf("got files\n%q\nwant\n%q", files(rs), c.want)
			}
			for _, r := range rs {
				if r.Error != "" || len(r.Top) != 1 {
					t.Errorf("%+v", r)
				}
			}
		})
	}
}

func TestClassifyInputErrors(t *testing.T) {
	dir := photoTree(t)
	// sub/up leads back to dir; self leads to itself.
	os.Symlink("..", filepath.Join(dir, "sub", "up"))
	os.Symlink("self", filepath.Join(dir, "self"))
	os.Symlink("nowhere", filepath.Join(dir, "dangling"))
	for _, c := range []struct {
		name string
		args []string
		want map[string]string // file -> error; files not named must succeed
	}{
		{"dir without -r", []string{dir}, map[string]string{dir: "is a directory (use -r to classify the images in it)"}},
		{"symlink loops", []string{"-r", dir}, map[string]string{
			dir + "/dangling": "broken symlink",
			dir + "/self":     "symlink loop",
			dir + "/sub/up":   "symlink loop: leads back to " + dir,
			dir + "/link/up":  "symlink loop: leads back to " + dir,
		}},
		{"missing with -r", []string{"-r", dir + "/nope"}, map[string]string{dir + "/nope": "no such file"}},
		{"missing list", []string{"--files-from", dir + "/nope"}, nil},
		{"not a list", []string{"--files-from", writeFile(t, dir+"/big", bytes.Repeat([]byte("x"), 2<<20))}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, stdout, stderr := runCmd(t, nil, append([]string{"classify", "-m", tinyModelPath, "--json"}, c.args...)...)
			if code != exitFailure {
				t.Errorf("exit %d, want %d", code, exitFailure)
			}
			if c.want == nil {
				list := c.args[len(c.args)-1]
				if stdout != "" || !matches(`mbv2: --files-from `+list+`: (no such file|a line of more than 1 MiB: not a list of paths)\n`, stderr) {
					t.Errorf("stdout %q, stderr %q", stdout, stderr)
				}
				return
			}
			failed := 0
			for _, r := range records(t, stdout) {
				want, ok := c.want[r.File]
				if ok && r.Error != want || !ok && r.Error != "" {
					t.Errorf("%s: error %q, want %q", r.File, r.Error, want)
				}
				if r.Error != "" {
					failed++
					if !strings.Contains(stderr, "mbv2: "+r.File+": "+r.Error+"\n") {
						t.Errorf("stderr lacks the error of %s:\n%s", r.File, stderr)
					}
				}
			}
			if failed != strings.Count(stderr, "\n") || failed == 0 {
				t.Errorf("%d failed records; stderr:\n%s", failed, stderr)
			}
		})
	}
}

func TestClassifyShard(t *testing.T) {
	// Fixed paths, so that the split is the same on every run.
	tiny, _ := filepath.Abs(tinyModelPath)
	t.Chdir(t.TempDir())
	dir := "photos"
	os.Mkdir(dir, 0o755)
	for i := range 12 {
		writePNG(t, dir, fmt.Sprintf("%02d.png", i), 8, 8)
	}
	_, stdout, _ := runCmd(t, nil, "classify", "-m", tiny, "--json", "-r", dir)
	all := files(records(t, stdout))
	var union []string
	for i := range 3 {
		code, stdout, stderr := runCmd(t, nil, "classify", "-m", tiny, "--json", "-r", dir, "--shard", fmt.Sprintf("%d/3", i))
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		got := files(records(t, stdout))
		if len(got) == 0 || len(got) == len(all) {
			t.Errorf("shard %d/3 has %d of the %d inputs", i, len(got), len(all))
		}
		for _, f := range got {
			if !(shard{uint64(i), 3}).has(f) {
				t.Errorf("shard %d/3 has %s", i, f)
			}
		}
		union = append(union, got...)
	}
	slices.Sort(union)
	if len(all) != 12 || !slices.Equal(union, all) {
		t.Errorf("the shards hold\n%q\nall inputs are\n%q", union, all)
	}
}

func TestParseShard(t *testing.T) {
	if s, err := parseShard("2/5"); err != nil || s != (shard{2, 5}) {
		t.Errorf("2/5: %v, %v", s, err)
	}
	for _, bad := range []string{"5/5", "1", "/2", "1/0", "-1/2", "a/b", "1/2/3"} {
		if _, err := parseShard(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
	// A path's shard is its FNV-1a hash modulo N: stable across versions,
	// so that machines agree.
	// FNV-1a 64 of "a" is 0xaf63dc4c8601ec8c, 5 modulo 7.
	if !(shard{5, 7}).has("a") || (shard{4, 7}).has("a") {
		t.Error(`"a" is not in shard 5/7 alone`)
	}
}

func TestClassifySkipDone(t *testing.T) {
	dir := t.TempDir()
	a := writePNG(t, dir, "a.png", 8, 8)
	b := writePNG(t, dir, "b.png", 9, 9)
	bad := writeFile(t, filepath.Join(dir, "bad.png"), []byte("soon a PNG"))
	c := writePNG(t, dir, "c.png", 10, 10)
	out := filepath.Join(dir, "out.jsonl")

	// A first run, killed while it wrote c's record.
	_, stdout, _ := runCmd(t, nil, "classify", "-m", tinyModelPath, "--json", a, bad, b, c)
	lines := strings.SplitAfter(stdout, "\n")
	writeFile(t, out, []byte(lines[0]+lines[1]+lines[2]+lines[3][:20]))
	writePNG(t, dir, "bad.png", 11, 11)

	code, stdout, stderr := runCmd(t, nil, "classify", "-m", tinyModelPath, "--json", "--summary", "--skip-done", out, a, bad, b, c)
	if got := files(records(t, stdout)); code != exitOK || !slices.Equal(got, []string{bad, c}) {
		t.Errorf("exit %d, labelled %q, want the failed and the unfinished: stderr %s", code, got, stderr)
	}
	if !strings.Contains(stderr, "2 images, 0 failed") || !strings.Contains(stderr, ", 2 done before") {
		t.Errorf("summary: %q", stderr)
	}

	// A file that does not exist yet: nothing is done.
	code, stdout, stderr = runCmd(t, nil, "classify", "-m", tinyModelPath, "--json", "--skip-done", filepath.Join(dir, "nope.jsonl"), a)
	if code != exitOK || len(records(t, stdout)) != 1 {
		t.Errorf("--skip-done of no file: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}

	notJSON := writeFile(t, filepath.Join(dir, "list.txt"), []byte(a+"\n"))
	for _, f := range []string{notJSON, dir} {
		code, stdout, stderr = runCmd(t, nil, "classify", "-m", tinyModelPath, "--skip-done", f, a)
		if code != exitFailure || stdout != "" || !strings.HasPrefix(stderr, "mbv2: --skip-done "+f+": ") || strings.Count(stderr, "\n") != 1 {
			t.Errorf("--skip-done %s: exit %d, stdout %q, stderr %q", f, code, stdout, stderr)
		}
	}
}

// TestClassifySkipDoneNotUTF8: a path that is not UTF-8 is kept whole in
// --json (file_bytes), so that --skip-done recognises it.
func TestClassifySkipDoneNotUTF8(t *testing.T) {
	dir := t.TempDir()
	latin1 := writePNG(t, dir, "caf\xe9.png", 8, 8)
	utf := writePNG(t, dir, "café.png", 8, 8)
	code, stdout, stderr := runCmd(t, nil, "classify", "-m", tinyModelPath, "--json", latin1, utf)
	rs := records(t, stdout)
	if code != exitOK || len(rs) != 2 || string(rs[0].FileBytes) != latin1 || rs[1].FileBytes != nil || rs[1].File != utf {
		t.Fatalf("exit %d, records %+v, stderr %s", code, rs, stderr)
	}
	out := writeFile(t, filepath.Join(dir, "out.jsonl"), []byte(stdout))
	code, stdout, stderr = runCmd(t, nil, "classify", "-m", tinyModelPath, "--json", "--skip-done", out, latin1, utf)
	if code != exitOK || stdout != "" {
		t.Errorf("resumed: exit %d, stdout %q, stderr %s", code, stdout, stderr)
	}
}

// TestClassifyHiddenExclude: -r passes over hidden files and directories
// unless --hidden, and whatever --exclude matches, by name or by path
// under the directory given.
func TestClassifyHiddenExclude(t *testing.T) {
	dir := t.TempDir()
	a := writePNG(t, dir, "a.png", 8, 8)
	hiddenFile := writePNG(t, dir, ".a.png", 8, 8)
	for _, d := range []string{".thumbs", "raw"} {
		os.Mkdir(filepath.Join(dir, d), 0o755)
	}
	hiddenDir := writePNG(t, filepath.Join(dir, ".thumbs"), "b.png", 8, 8)
	raw := writePNG(t, filepath.Join(dir, "raw"), "c.png", 8, 8)
	keep := writePNG(t, filepath.Join(dir, "raw"), "d.jpg.png", 8, 8)
	for _, c := range []struct {
		args []string
		want []string
	}{
		{nil, []string{a, raw, keep}},
		{[]string{"--hidden"}, []string{hiddenFile, hiddenDir, a, raw, keep}},
		{[]string{"--exclude", "raw"}, []string{a}},
		{[]string{"--exclude", "raw/c.*", "--exclude", "a.*"}, []string{keep}},
		{[]string{"--hidden", "--exclude", ".thumbs"}, []string{hiddenFile, a, raw, keep}},
	} {
		code, stdout, stderr := runCmd(t, nil, append(append([]string{"classify", "-m", tinyModelPath, "--json", "-r"}, c.args...), dir)...)
		if got := files(records(t, stdout)); code != exitOK || !slices.Equal(got, c.want) {
			t.Errorf("%v: exit %d, files %q, want %q; stderr %s", c.args, code, got, c.want, stderr)
		}
	}
	for _, args := range [][]string{{"--hidden", a}, {"-r", "--exclude", "[", dir}} {
		if code, _, _ := runCmd(t, nil, append([]string{"classify", "-m", tinyModelPath}, args...)...); code != exitUsage {
			t.Errorf("%v: exit %d", args, code)
		}
	}
}
