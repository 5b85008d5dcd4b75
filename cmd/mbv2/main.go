// Command mbv2 classifies images with MobileNetV2 on the CPU.
package main

import (
	"os"
	"runtime/debug"

	"golang.org/x/term"
)

func main() {
	// The live heap is mostly the model and buffers made once, and the
	// garbage mostly decoded images: collecting at 3x the live heap rather
	// than 2x saves a few ms of a one-photo run. $GOGC still decides.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(200)
	}
	io := &iostreams{
		In:     os.Stdin,
		Out:    os.Stdout,
		Err:    os.Stderr,
		ErrTTY: term.IsTerminal(int(os.Stderr.Fd())),
	}
	os.Exit(run(os.Args[1:], io))
}
