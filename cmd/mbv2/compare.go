package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/mbv2/mbv2/kernels"
)

// compareResult is one configuration under several kernel sets.
type compareResult struct {
	Configs []benchResult `json:"configs"` // one per set, in the order given, as a sweep's
	Speedup []speedup     `json:"speedup"` // each set after the first, over the first
}

type speedup struct {
	Kernels  string             `json:"kernels"`
	Baseline string             `json:"baseline"`
	Total    float64            `json:"total"` // of the median latency
	Kinds    map[string]float64 `json:"kinds"` // of the summed layer medians of each kind
}

// runCompare times one configuration under each kernel set in turn and
// prints the speed-up of each over the first.
func runCompare(ctx context.Context, o *benchOptions, src weights) error {
	prev := kernels.Name()
	defer kernels.Use(prev)
	var c compareResult
	for _, set := range o.compare {
		if err := kernels.Use(set); err != nil {
			return usageError{fmt.Errorf("--compare: %w", err)}
		}
		res, err := benchConfig(ctx, o, src, o.widths[0], o.res[0], false)
		if err != nil {
			return err
		}
		c.Configs = append(c.Configs, res)
	}
	base := c.Configs[0]
	for _, r := range c.Configs[1:] {
		s := speedup{Kernels: r.Kernels, Baseline: base.Kernels, Total: base.Latency.Median / r.Latency.Median, Kinds: map[string]float64{}}
		for i, k := range r.Kinds {
			s.Kinds[k.Op] = base.Kinds[i].Ms / k.Ms
		}
		c.Speedup = append(c.Speedup, s)
	}
	return o.output(c, c.Configs, func(w io.Writer) { printCompare(w, c) })
}

func printCompare(w io.Writer, c compareResult) {
	base := c.Configs[0]
	fmt.Fprintf(w, "MobileNetV2 %s/%d, %s weights; %s, %s\n", widthString(base.Width), base.Res, base.Model, base.CPU, plural(base.Threads, "thread"))
	cells := []string{fmt.Sprintf("%-15s", "kind")}
	for _, r := range c.Configs {
		cells = append(cells, fmt.Sprintf("%12s", r.Kernels+" ms"))
	}
	for _, s := range c.Speedup {
		cells = append(cells, fmt.Sprintf("%14s", s.Kernels+"/"+s.Baseline))
	}
	fmt.Fprintln(w, strings.Join(cells, " "))
	for i, k := range base.Kinds {
		cells = []string{fmt.Sprintf("%-15s", k.Op)}
		for _, r := range c.Configs {
			cells = append(cells, fmt.Sprintf("%12.3f", r.Kinds[i].Ms))
		}
		for _, s := range c.Speedup {
			cells = append(cells, fmt.Sprintf("%13.2fx", s.Kinds[k.Op]))
		}
		fmt.Fprintln(w, strings.Join(cells, " "))
	}
	cells = []string{fmt.Sprintf("%-15s", "median latency")}
	for _, r := range c.Configs {
		cells = append(cells, fmt.Sprintf("%12.3f", r.Latency.Median))
	}
	for _, s := range c.Speedup {
		cells = append(cells, fmt.Sprintf("%13.2fx", s.Total))
	}
	fmt.Fprintln(w, strings.Join(cells, " "))
}
