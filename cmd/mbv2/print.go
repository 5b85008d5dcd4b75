package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"runtime"
	"strconv"
	"time"

	"github.com/klauspost/cpuid/v2"
	"github.com/schollz/progressbar/v3"
)

// newBar returns a progress bar on stderr, drawn only when it is a terminal.
func newBar(io *iostreams, max int64, desc string) *progressbar.ProgressBar {
	return progressbar.NewOptions64(max,
		progressbar.OptionSetWriter(io.Err),
		progressbar.OptionSetVisibility(io.ErrTTY),
		progressbar.OptionSetDescription(desc),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
	)
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// cpuName is the CPU's brand name, when the CPU tells it.
func cpuName() string {
	if cpuid.CPU.BrandName == "" {
		return "an unnamed " + runtime.GOARCH + " CPU"
	}
	return cpuid.CPU.BrandName
}

// widthString prints a width multiplier as the checkpoints name it: 1.0,
// 0.35.
func widthString(w float64) string {
	if w == math.Trunc(w) {
		return strconv.FormatFloat(w, 'f', 1, 64)
	}
	return strconv.FormatFloat(w, 'f', -1, 64)
}

// shape prints h x w x c.
func shape(s [3]int) string { return fmt.Sprintf("%dx%dx%d", s[0], s[1], s[2]) }

func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// toMs is d in milliseconds, as the tables and --json give times.
func toMs(d time.Duration) float64 { return float64(d) / 1e6 }

// formatBytes prints a size in decimal megabytes, as download sizes are
// usually given.
func formatBytes(n int64) string {
	return fmt.Sprintf("%.1f MB", float64(n)/1e6)
}
