// Command mbv2 classifies images with MobileNetV2 on the CPU.
package main

import (
	"os"

	"golang.org/x/term"
)

func main() {
	io := &iostreams{
		In:     os.Stdin,
		Out:    os.Stdout,
		Err:    os.Stderr,
		ErrTTY: term.IsTerminal(int(os.Stderr.Fd())),
	}
	os.Exit(run(os.Args[1:], io))
}
