package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"unicode"
	"unicode/utf8"

	"github.com/mbv2/mbv2/kernels"
	"github.com/mbv2/mbv2/model"

	"github.com/spf13/cobra"
)

// iostreams are the streams of a command, injected so that tests use buffers.
// Results go to Out; progress, timing and diagnostics to Err.
type iostreams struct {
	In     io.Reader
	Out    io.Writer
	Err    io.Writer
	ErrTTY bool // progress bars only when stderr is a terminal
}

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1 // the command, or one of its inputs, failed
	exitUsage   = 2 // bad flags or arguments
)

// usageError marks an error in how the command was called.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// errReported means the failures were already reported, one line each, and
// only the exit code is left to say it.
var errReported = errors.New("failures reported")

// errInterrupted ends a command stopped by Ctrl-C or SIGTERM.
var errInterrupted = errors.New("interrupted")

// usageArgs wraps a cobra argument check so that its error is a usage error.
func usageArgs(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := check(cmd, args); err != nil {
			return usageError{err}
		}
		return nil
	}
}

func newRootCmd(io *iostreams) *cobra.Command {
	root := &cobra.Command{
		Use:   "mbv2",
		Short: "Classify images with MobileNetV2 on the CPU",
		Long: `mbv2 runs MobileNetV2 on the CPU: it classifies images (classify), times
the network at any width and resolution (bench), lays out its layers, cost
and memory (model info), and keeps the models of its catalogue (model).

Environment:
  ` + envModel + `         the model when -m is not given: a catalogue name or a .tflite path
  ` + envCache + `     where downloaded models are kept (default: the user cache
                     directory, under mbv2)
  ` + envMirror + `  a directory or http(s) base URL that replaces the public
                     host of the models
  ` + envKernels + `       the kernel set when --kernels is not given
  GOGC, GOMAXPROCS   as for any Go program; GOMAXPROCS bounds the cores used`,
		Example: `  mbv2 classify photo.jpg
  mbv2 classify -r photos/ --json > labels.jsonl
  mbv2 bench --width 0.5 --res 160
  mbv2 model info
  MBV2_MODEL=tf2_mobilenet_v2_1.0_224_ptq mbv2 classify photo.jpg`,
		Version:       mbv2Version(), // --version prints it
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.SetVersionTemplate("mbv2 {{.Version}}\n")
	root.SetOut(io.Out)
	root.SetErr(io.Err)
	root.SetIn(io.In)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	set := root.PersistentFlags().String("kernels", "", "kernel set: auto, "+strings.Join(kernels.Names(), ", ")+" (default $MBV2_KERNELS, else auto)")
	prec := root.PersistentFlags().String("precision", "", "arithmetic: int8 (TFLite's integer kernels) or float32; default int8 for a quantized model, float32 for random weights")
	root.PersistentPreRunE = func(cmd *cobra.Command, args []string) error {
		switch p := model.Precision(*prec); p {
		case "", model.Int8, model.Float32:
			precision = p
		default:
			return usageError{fmt.Errorf("--precision %q: want int8 or float32", *prec)}
		}
		name := *set
		if name == "" {
			name = os.Getenv(envKernels)
		}
		if err := kernels.Use(name); err != nil {
			return usageError{err}
		}
		return nil
	}
	root.AddCommand(
		newClassifyCmd(io),
		newVersionCmd(io),
		newModelCmd(io),
		newBenchCmd(io),
	)
	return root
}

// run executes the command line args and returns the process exit code.
// Errors are printed here, once.
func run(args []string, io *iostreams) int {
	root := newRootCmd(io)
	// Only the shell's completion requests (cobra's hidden __complete and
	// __completeNoDesc) read the completion functions, and registering them
	// walks every flag of every command: a dozen page faults at each start.
	if len(args) > 0 && strings.HasPrefix(args[0], cobra.ShellCompRequestCmd) {
		registerCompletions(root)
	}
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(context.Background())
	var uerr usageError
	var merr modelError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, syscall.EPIPE):
		// The reader of stdout has seen enough (| head): not a failure.
		return exitOK
	case errors.Is(err, errReported):
		return exitFailure
	case errors.As(err, &uerr) || isCobraUsage(err): // also an unknown model name
		fmt.Fprintf(io.Err, "mbv2: %s\nRun '%s --help' for usage.\n", quoteControl(err.Error()), cmd.CommandPath())
		return exitUsage
	case errors.As(err, &merr): // whichever command opened it
		fmt.Fprintf(io.Err, "mbv2: %s\n", quoteControl(err.Error()))
		return exitFailure
	default:
		fmt.Fprintf(io.Err, "mbv2: %s\n", quoteControl(err.Error()))
		return exitFailure
	}
}

// interruptible runs a command under a context that Ctrl-C (or a job
// runner's SIGTERM) cancels, so that a download, a batch, a benchmark stop
// cleanly; a second signal kills the process. Only the commands that can
// run long take it: the signal machinery (a goroutine and a locked thread)
// costs every start about 25 page faults.
func interruptible(run func(cmd *cobra.Command, args []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		context.AfterFunc(ctx, stop)
		cmd.SetContext(ctx)
		return run(cmd, args)
	}
}

// isCobraUsage recognises the usage errors cobra makes itself, before any
// of our hooks run (an unknown command).
func isCobraUsage(err error) bool {
	const prefix = "unknown command"
	s := err.Error()
	return len(s) >= len(prefix) && s[:len(prefix)] == prefix
}

// quoteControl writes the control characters and invalid UTF-8 bytes of s
// as Go escapes (\n, \x1b, \xff), so that a file name cannot break a
// diagnostic into lines, forge one for another file, or drive the
// terminal. Other characters are kept as they are.
func quoteControl(s string) string {
	clean := true
	for _, r := range s {
		if r == utf8.RuneError || unicode.IsControl(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case unicode.IsControl(r):
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}
