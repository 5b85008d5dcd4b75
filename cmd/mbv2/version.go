package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/klauspost/cpuid/v2"
	"github.com/mbv2/mbv2/kernels"
	"github.com/spf13/cobra"
)

// version is set by release builds with -ldflags "-X main.version=...";
// otherwise buildVersion finds one in the build information.
var version = ""

// buildVersion returns the version mbv2 was built as: the release's, else
// the module version Go records (v1.2.3 from 'go install ...@v1.2.3', a
// pseudo-version such as v0.0.0-20260102150405-abcdef123456+dirty from a
// build in a git checkout), else the VCS revision, else "(devel)" when the
// build recorded neither (-buildvcs=false, or no repository).
func buildVersion(release string, bi *debug.BuildInfo, ok bool) string {
	if release != "" {
		return release
	}
	if !ok {
		return "(devel)"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev, dirty string
	for _, s := range bi.Settings {
		switch {
		case s.Key == "vcs.revision":
			rev = s.Value[:min(12, len(s.Value))]
		case s.Key == "vcs.modified" && s.Value == "true":
			dirty = "+dirty"
		}
	}
	if rev == "" {
		return "(devel)"
	}
	return "(devel) " + rev + dirty
}

func mbv2Version() string {
	bi, ok := debug.ReadBuildInfo()
	return buildVersion(version, bi, ok)
}

func newVersionCmd(io *iostreams) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, the CPU and the kernel set in use",
		Example: `  mbv2 version
  mbv2 --version
  mbv2 --kernels generic version`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			fmt.Fprintf(io.Out, "mbv2 %s %s/%s %s\n", mbv2Version(), runtime.GOOS, runtime.GOARCH, runtime.Version())
			fmt.Fprintf(io.Out, "cpu: %s\nkernels: %s\n", cpuid.CPU.BrandName, kernels.Name())
			return nil
		},
	}
}
