package main

import (
	"context"
	"fmt"
	"io"

	"github.com/mbv2/mbv2/assets"
)

// sweepRes are the resolutions a sweep times by default, those of the
// TF-slim table; its widths are model.Widths.
var sweepRes = []int{96, 128, 160, 192, 224}

// sweepRow is one configuration of a sweep, with its published accuracy.
type sweepRow struct {
	benchResult
	Top1   *float64 `json:"top1"` // ImageNet top-1 of the TF-slim checkpoint, percent; null if none
	Top5   *float64 `json:"top5"`
	Pareto bool     `json:"pareto"` // on the latency/top-1 frontier
}

// runSweep times each width x resolution, without per-layer runs, and marks
// the Pareto frontier.
func runSweep(ctx context.Context, o *benchOptions, src weights) error {
	type config struct {
		w float64
		r int
	}
	var configs []config
	for _, w := range o.widths {
		for _, r := range o.res {
			configs = append(configs, config{w, r})
		}
	}
	bar := newBar(o.io, int64(len(configs)), "sweep")
	var rows []sweepRow
	for i, c := range configs {
		bar.Describe(fmt.Sprintf("sweep %s/%d", widthString(c.w), c.r))
		res, err := benchConfig(ctx, o, src, c.w, c.r, true)
		if err != nil {
			bar.Exit()
			return err
		}
		row := sweepRow{benchResult: res}
		if ck, ok := assets.SlimCheckpoint(c.w, c.r); ok {
			row.Top1, row.Top5 = &ck.Top1, &ck.Top5
		}
		rows = append(rows, row)
		bar.Set(i + 1)
	}
	bar.Exit()
	paretoFrontier(rows)

	if o.plot != "" {
		if err := plotSweep(o.plot, rows); err != nil {
			return err
		}
	}
	results := make([]benchResult, len(rows))
	for i, r := range rows {
		results[i] = r.benchResult
	}
	return o.output(struct {
		Configs []sweepRow `json:"configs"`
	}{rows}, results, func(w io.Writer) { printSweep(w, rows) })
}

// paretoFrontier marks the rows that no other row beats: none with a
// published top-1 is at least as fast and as accurate, and better in one.
// Rows without published accuracy are neither marked nor counted.
func paretoFrontier(rows []sweepRow) {
	for i := range rows {
		a := &rows[i]
		a.Pareto = a.Top1 != nil
		for _, b := range rows {
			if a.Top1 == nil || b.Top1 == nil {
				continue
			}
			la, lb := a.Latency.Median, b.Latency.Median
			if lb <= la && *b.Top1 >= *a.Top1 && (lb < la || *b.Top1 > *a.Top1) {
				a.Pareto = false
				break
			}
		}
	}
}

func printSweep(w io.Writer, rows []sweepRow) {
	if len(rows) == 0 {
		return
	}
	r0 := rows[0]
	fmt.Fprintf(w, "MobileNetV2 sweep, %s weights; %s, kernels %s, %s\n", r0.Model, r0.CPU, r0.Kernels, plural(r0.Threads, "thread"))
	fmt.Fprintln(w, "top-1/top-5: ImageNet accuracy of the TF-slim checkpoint; * on the latency/top-1 Pareto frontier")
	t := newTable(0, 1, 2, 3, 4, 5, 6, 7, 8)
	t.add("width", "res", "MMACs", "Mparams", "median ms", "p90 ms", "GFLOP/s", "top-1", "top-5")
	for _, r := range rows {
		acc := func(p *float64) string {
			if p == nil {
				return "-"
			}
			return fmt.Sprintf("%.1f", *p)
		}
		mark := ""
		if r.Pareto {
			mark = "*"
		}
		t.add(widthString(r.Width), fmt.Sprint(r.Res), fmt.Sprintf("%.1f", float64(r.MACs)/1e6), fmt.Sprintf("%.2f", float64(r.Params)/1e6),
			fmt.Sprintf("%.3f", r.Latency.Median), fmt.Sprintf("%.3f", r.Latency.P90), fmt.Sprintf("%.1f", r.GFLOPS), acc(r.Top1), acc(r.Top5), mark)
	}
	t.write(w)
	if n := len(rows) - published(rows); n > 0 {
		verb := "have"
		if n == 1 {
			verb = "has"
		}
		fmt.Fprintf(w, "%d of %d configurations %s no published accuracy (-): timed, but neither ranked nor plotted\n", n, len(rows), verb)
	}
}

// published counts the rows with a published accuracy.
func published(rows []sweepRow) int {
	n := 0
	for _, r := range rows {
		if r.Top1 != nil {
			n++
		}
	}
	return n
}
