package main

import (
	"cmp"
	"fmt"
	"image/color"
	"math"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// plotSweep draws median latency (x, log scale) against published top-1
// (y): one line per width through its resolutions, each point labelled with
// its resolution, and the Pareto frontier as a thick band beneath. The file
// extension sets the format.
func plotSweep(path string, rows []sweepRow) error {
	p := plot.New()
	r0 := rows[0]
	p.Title.Text = fmt.Sprintf("MobileNetV2 on %s (kernels %s, %s)", r0.CPU, r0.Kernels, plural(r0.Threads, "thread"))
	p.X.Label.Text = "median latency, ms (log scale)"
	p.Y.Label.Text = "ImageNet top-1, % (TF-slim checkpoints)"
	p.X.Scale = plot.LogScale{}
	p.Add(plotter.NewGrid())

	var published []sweepRow
	for _, r := range rows {
		if r.Top1 != nil {
			published = append(published, r)
		}
	}
	if len(published) == 0 {
		return fmt.Errorf("--plot: none of the configurations timed has a published accuracy")
	}
	slices.SortStableFunc(published, func(a, b sweepRow) int { return cmp.Compare(a.Latency.Median, b.Latency.Median) })
	xys := func(rs []sweepRow) plotter.XYs {
		var v plotter.XYs
		for _, r := range rs {
			v = append(v, plotter.XY{X: r.Latency.Median, Y: *r.Top1})
		}
		return v
	}

	var frontier []sweepRow
	for _, r := range published {
		if r.Pareto {
			frontier = append(frontier, r)
		}
	}
	band, rings, err := plotter.NewLinePoints(xys(frontier))
	if err != nil {
		return err
	}
	band.Color = color.NRGBA{A: 45}
	band.Width = vg.Points(8)
	rings.Shape = draw.RingGlyph{}
	rings.Color = color.NRGBA{A: 150}
	rings.Radius = vg.Points(7)
	p.Add(band, rings)
	p.Legend.Add("Pareto frontier", band, rings)

	var widths []float64
	for _, r := range published {
		if !slices.Contains(widths, r.Width) {
			widths = append(widths, r.Width)
		}
	}
	slices.Sort(widths)
	for i, w := range widths {
		var rs []sweepRow
		for _, r := range published {
			if r.Width == w {
				rs = append(rs, r)
			}
		}
		// Through the resolutions in order, whatever the timings.
		slices.SortFunc(rs, func(a, b sweepRow) int { return cmp.Compare(a.Res, b.Res) })
		var names []string
		for _, r := range rs {
			names = append(names, fmt.Sprint(r.Res))
		}
		line, points, err := plotter.NewLinePoints(xys(rs))
		if err != nil {
			return err
		}
		line.Color = plotutil.Color(i)
		line.Width = vg.Points(1.5)
		points.Color = plotutil.Color(i)
		points.Shape = plotutil.Shape(i)
		points.Radius = vg.Points(3.5)
		labels, err := plotter.NewLabels(plotter.XYLabels{XYs: xys(rs), Labels: names})
		if err != nil {
			return err
		}
		labels.Offset = vg.Point{X: vg.Points(5), Y: vg.Points(-9)}
		for j := range labels.TextStyle {
			labels.TextStyle[j].Font.Size = vg.Points(8)
			labels.TextStyle[j].Color = color.Gray{Y: 90}
		}
		p.Add(line, points, labels)
		p.Legend.Add("width "+widthString(w), line, points)
	}

	// Ticks at 1, 2, 5 times powers of ten over the data's range.
	lo, hi := published[0].Latency.Median, published[len(published)-1].Latency.Median
	var ticks []plot.Tick
	for e := math.Floor(math.Log10(lo)); e <= math.Ceil(math.Log10(hi)); e++ {
		for _, m := range []float64{1, 2, 5} {
			v := m * math.Pow(10, e)
			if v >= lo/1.3 && v <= hi*1.3 {
				ticks = append(ticks, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'g', -1, 64)})
			}
		}
	}
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
	p.X.Min, p.X.Max = lo/1.15, hi*1.3 // room for the labels

	// Ticks every 5 points of accuracy.
	top1 := func(r sweepRow) float64 { return *r.Top1 }
	ylo := math.Floor(top1(slices.MinFunc(published, func(a, b sweepRow) int { return cmp.Compare(*a.Top1, *b.Top1) })) - 1)
	yhi := math.Ceil(top1(slices.MaxFunc(published, func(a, b sweepRow) int { return cmp.Compare(*a.Top1, *b.Top1) })) + 1)
	ticks = nil
	for v := math.Ceil(ylo/5) * 5; v <= yhi; v += 5 {
		ticks = append(ticks, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', 0, 64)})
	}
	p.Y.Tick.Marker = plot.ConstantTicks(ticks)
	p.Y.Min, p.Y.Max = ylo, yhi
	p.Legend.Top, p.Legend.Left = true, true
	p.Legend.XOffs, p.Legend.YOffs = vg.Points(10), vg.Points(-10)
	if err := p.Save(9*vg.Inch, 6*vg.Inch, path); err != nil {
		return fmt.Errorf("--plot: %w", err)
	}
	return nil
}
