package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"runtime"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

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

// A table lays out rows in columns two spaces apart, each as wide as its
// widest cell: text left-aligned, the columns in right (numbers)
// right-aligned, and no trailing spaces, so that a long name never runs
// into the next column.
type table struct {
	right map[int]bool
	rows  [][]string // a nil row is an empty line
}

func newTable(right ...int) *table {
	t := &table{right: map[int]bool{}}
	for _, i := range right {
		t.right[i] = true
	}
	return t
}

func (t *table) add(cells ...string) { t.rows = append(t.rows, cells) }

func (t *table) write(w io.Writer) {
	var widths []int
	for _, r := range t.rows {
		for i, c := range r {
			if i == len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	var b strings.Builder
	for _, r := range t.rows {
		b.Reset()
		for i, c := range r {
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c))
			if i > 0 {
				b.WriteString("  ")
			}
			if t.right[i] {
				b.WriteString(pad + c)
			} else {
				b.WriteString(c + pad)
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
}
