// Command mbv2 classifies images with MobileNetV2 on the CPU.
package main

import (
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/term"
)

func main() {
	// A write to a closed stdout (mbv2 ... | head -1) returns EPIPE
	// instead of killing the process with SIGPIPE, so that every command
	// ends quietly with the status so far; see run.
	signal.Ignore(syscall.SIGPIPE)
	io := &iostreams{
		In:     os.Stdin,
		Out:    os.Stdout,
		Err:    os.Stderr,
		ErrTTY: term.IsTerminal(int(os.Stderr.Fd())),
	}
	os.Exit(run(os.Args[1:], io))
}
