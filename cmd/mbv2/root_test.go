package main

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/mbv2/mbv2/kernels"
	"github.com/spf13/cobra"
)

func TestKernelsFlag(t *testing.T) {
	t.Cleanup(func() { kernels.Use("auto") })
	code, stdout, _ := runCmd(t, nil, "--kernels", "generic", "version")
	if code != exitOK || !strings.Contains(stdout, "kernels: generic\n") {
		t.Errorf("--kernels generic: exit %d, stdout %q", code, stdout)
	}
	t.Setenv("MBV2_KERNELS", "generic")
	kernels.Use("auto")
	if code, stdout, _ = runCmd(t, nil, "version"); !strings.Contains(stdout, "kernels: generic\n") {
		t.Errorf("MBV2_KERNELS=generic: exit %d, stdout %q", code, stdout)
	}
	for _, bad := range []string{"bogus", "neon-on-amd64"} {
		name := bad
		if bad == "neon-on-amd64" {
			// A set of another architecture, or one this CPU lacks.
			name = "neon"
			for _, n := range kernels.Names() {
				if n == "neon" {
					name = "avx2"
				}
			}
		}
		code, stdout, stderr := runCmd(t, nil, "--kernels", name, "version")
		if code != exitUsage || stdout != "" || !strings.Contains(stderr, `"`+name+`"`) {
			t.Errorf("--kernels %s: exit %d, stdout %q, stderr %q", name, code, stdout, stderr)
		}
	}
}

func TestUnknownCommand(t *testing.T) {
	code, stdout, stderr := runCmd(t, nil, "frobnicate")
	if code != exitUsage || stdout != "" || !strings.Contains(stderr, "unknown command") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

func TestVersionFlag(t *testing.T) {
	for _, args := range [][]string{{"--version"}, {"-v"}} {
		code, stdout, stderr := runCmd(t, nil, args...)
		if code != exitOK || stdout != "mbv2 "+mbv2Version()+"\n" || stderr != "" {
			t.Errorf("%q: exit %d, stdout %q, stderr %q", args, code, stdout, stderr)
		}
	}
	_, stdout, _ := runCmd(t, nil, "version")
	if !strings.HasPrefix(stdout, "mbv2 "+mbv2Version()+" ") {
		t.Errorf("version: %q, want it to start with mbv2 %s", stdout, mbv2Version())
	}
}

func TestBuildVersion(t *testing.T) {
	vcs := func(rev, modified string) []debug.BuildSetting {
		return []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: modified}}
	}
	const rev = "df1c214ffefd3da5fde958abf17a44dfc577503c"
	for _, c := range []struct {
		release string
		bi      *debug.BuildInfo
		want    string
	}{
		{"v1.2.3", &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-x"}}, "v1.2.3"},
		{"", &debug.BuildInfo{Main: debug.Module{Version: "v1.4.0"}}, "v1.4.0"},
		{"", &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261204222303-df1c214ffefd+dirty"}, Settings: vcs(rev, "true")},
			"v0.0.0-20261204222303-df1c214ffefd+dirty"},
		{"", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs(rev, "false")}, "(devel) df1c214ffefd"},
		{"", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs(rev, "true")}, "(devel) df1c214ffefd+dirty"},
		{"", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "(devel)"},
		{"", nil, "(devel)"},
	} {
		if got := buildVersion(c.release, c.bi, c.bi != nil); got != c.want {
			t.Errorf("buildVersion(%q, %+v) = %q, want %q", c.release, c.bi, got, c.want)
		}
	}
}

// TestDiagnosticsQuoteControl: a file name with a newline gets one error
// line, and cannot forge a line for another file.
func TestDiagnosticsQuoteControl(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "a.png\nmbv2: b.png: no such file\x1b[2K")
	if err := os.WriteFile(name, []byte("not an image"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runCmd(t, nil, "classify", "-m", tinyModelPath, name)
	want := "mbv2: " + dir + `/a.png\nmbv2: b.png: no such file\x1b[2K: not an image (unknown format)` + "\n"
	if code != exitFailure || stderr != want {
		t.Errorf("exit %d, stderr %q, want %q", code, stderr, want)
	}
	for in, want := range map[string]string{
		"cat.jpg":       "cat.jpg",
		"été\t.jpg":     `été\t.jpg`,
		"a\xffb\r\x00":  `a\xffb\r\x00`,
		"\u2028\u00ad—": "\u2028\u00ad—",
	} {
		if got := quoteControl(in); got != want {
			t.Errorf("quoteControl(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestMain lets a test run the command in a subprocess, for signals and
// pipes: the test binary itself, with MBV2_TEST_MAIN=1, is mbv2.
func TestMain(m *testing.M) {
	if os.Getenv("MBV2_TEST_MAIN") == "1" {
		main()
	}
	os.Exit(m.Run())
}

// mbv2Command is mbv2 with args, run as a subprocess.
func mbv2Command(t *testing.T, args ...string) *exec.Cmd {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), "MBV2_TEST_MAIN=1")
	return cmd
}

// TestClosedStdout: every command ends quietly, with status 0, when the
// reader of its output has gone (mbv2 model info | head -1).
func TestClosedStdout(t *testing.T) {
	img := writePNG(t, t.TempDir(), "a.png", 8, 8)
	for _, args := range [][]string{
		{"model", "info"},
		{"model", "info", "--json"},
		{"model", "list"},
		{"version"},
		{"--help"},
		{"classify", "-m", tinyModelPath, img, img, img},
		{"bench", "-m", tinyModelPath, "--iters", "1", "--json"},
	} {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		r.Close() // before anything is written
		cmd := mbv2Command(t, args...)
		cmd.Stdout = w
		var stderr strings.Builder
		cmd.Stderr = &stderr
		err = cmd.Run()
		w.Close()
		if err != nil || stderr.String() != "" {
			t.Errorf("%v: %v, stderr %q", args, err, stderr.String())
		}
	}
}

// TestHelpPages: every command's page has examples, and the root page
// names the environment variables mbv2 reads.
func TestHelpPages(t *testing.T) {
	root := newRootCmd(&iostreams{In: strings.NewReader(""), Out: io.Discard, Err: io.Discard})
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Example == "" && c.Name() != "help" && c.Name() != "completion" {
			t.Errorf("%s has no examples", c.CommandPath())
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	_, stdout, _ := runCmd(t, nil, "--help")
	for _, env := range []string{envModel, envCache, envMirror, envKernels} {
		if !strings.Contains(stdout, env) {
			t.Errorf("the root help does not name %s", env)
		}
	}
}
