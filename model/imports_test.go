package model

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImports keeps the layers apart: the network reads no image file and
// knows no command line; image input is package imageio's, flags cmd's.
func TestImports(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		switch {
		case dep == "image/jpeg", dep == "image/png", dep == "image/gif",
			strings.HasPrefix(dep, "golang.org/x/image/"),
			strings.HasPrefix(dep, "github.com/mbv2/mbv2/model/imageio"),
			strings.HasPrefix(dep, "github.com/spf13/"):
			t.Errorf("package model depends on %s", dep)
		}
	}
}
