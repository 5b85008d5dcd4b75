package main

import (
	"strings"
	"testing"

	"github.com/mbv2/mbv2/kernels"
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
