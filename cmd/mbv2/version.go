package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/klauspost/cpuid/v2"
	"github.com/mbv2/mbv2/kernels"
	"github.com/spf13/cobra"
)

// version is set at release time with -ldflags "-X main.version=...";
// otherwise the module version from the build info is used.
var version = ""

func newVersionCmd(io *iostreams) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, the CPU and the kernel set in use",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			v := version
			if v == "" {
				v = "(devel)"
				if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
					v = bi.Main.Version
				}
			}
			fmt.Fprintf(io.Out, "mbv2 %s %s/%s %s\n", v, runtime.GOOS, runtime.GOARCH, runtime.Version())
			fmt.Fprintf(io.Out, "cpu: %s\nkernels: %s\n", cpuid.CPU.BrandName, kernels.Name())
			return nil
		},
	}
}
