package main

import (
	"bytes"
	"cmp"
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// okabeIto is the colour-blind-safe palette of Okabe and Ito (2008), but
// for its black and its yellow, too faint on white.
var okabeIto = []color.Color{
	color.RGBA{0xE6, 0x9F, 0x00, 0xFF}, // orange
	color.RGBA{0x56, 0xB4, 0xE9, 0xFF}, // sky blue
	color.RGBA{0x00, 0x9E, 0x73, 0xFF}, // bluish green
	color.RGBA{0x00, 0x72, 0xB2, 0xFF}, // blue
	color.RGBA{0xD5, 0x5E, 0x00, 0xFF}, // vermillion
	color.RGBA{0xCC, 0x79, 0xA7, 0xFF}, // reddish purple
}

// p90s are the whiskers of a width's points: from the median to the p90.
type p90s []sweepRow

func (w p90s) Len() int                        { return len(w) }
func (w p90s) XY(i int) (float64, float64)     { return w[i].Latency.Median, *w[i].Top1 }
func (w p90s) XError(i int) (float64, float64) { return 0, w[i].Latency.P90 - w[i].Latency.Median }

// plotSweep draws median latency (x, log scale) against published top-1
// (y): one line per width through its resolutions, each point labelled with
// its resolution and with a whisker to its p90, and the Pareto frontier as
// a thick band beneath. Widths have the colours of a colour-blind-safe
// palette and their own marks; the labels of neighbouring widths sit on
// opposite sides of their points. The configurations without a published
// accuracy, which cannot be drawn, are counted in the legend. The file
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
		c := okabeIto[i%len(okabeIto)]
		line.Color = c
		line.Width = vg.Points(1.5)
		points.Color = c
		points.Shape = plotutil.Shape(i)
		points.Radius = vg.Points(3.5)
		whiskers, err := plotter.NewXErrorBars(p90s(rs))
		if err != nil {
			return err
		}
		whiskers.Color = c
		whiskers.CapWidth = vg.Points(4)
		labels, err := plotter.NewLabels(plotter.XYLabels{XYs: xys(rs), Labels: names})
		if err != nil {
			return err
		}
		labels.Offset = vg.Point{X: vg.Points(5), Y: vg.Points(-11)} // below right
		if i%2 == 1 {
			labels.Offset = vg.Point{X: vg.Points(-14), Y: vg.Points(5)} // above left
		}
		for j := range labels.TextStyle {
			labels.TextStyle[j].Font.Size = vg.Points(8)
			labels.TextStyle[j].Color = color.Gray{Y: 90}
		}
		p.Add(line, whiskers, points, labels)
		p.Legend.Add("width "+widthString(w), line, points)
	}
	if n := len(rows) - len(published); n > 0 {
		p.Legend.Add(fmt.Sprintf("not drawn: %d of %d configurations, no published accuracy", n, len(rows)))
	}
	p.Legend.Add("whiskers: median to p90")

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
	p90 := slices.MaxFunc(published, func(a, b sweepRow) int { return cmp.Compare(a.Latency.P90, b.Latency.P90) }).Latency.P90
	p.X.Min, p.X.Max = lo/1.15, max(hi*1.3, p90*1.05) // room for the labels and the whiskers

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
	format := strings.TrimPrefix(strings.ToLower(filepath.Ext(path)), ".")
	wt, err := p.WriterTo(9*vg.Inch, 6*vg.Inch, format)
	if err != nil {
		return fmt.Errorf("--plot: %w", err)
	}
	var b bytes.Buffer
	if _, err := wt.WriteTo(&b); err != nil {
		return fmt.Errorf("--plot: %w", err)
	}
	out := b.Bytes()
	if format == "svg" {
		out = svgFontFallback(out)
	}
	if err := os.WriteFile(path, out, 0o666); err != nil {
		return fmt.Errorf("--plot: %w", err)
	}
	return nil
}

// svgFontFamily is a font family as the SVG backend writes it: one name,
// a Liberation font that few machines have.
var svgFontFamily = regexp.MustCompile(`font-family:([^;"']+)`)

// svgFontFallback gives each font family of an SVG a generic fallback, so
// that a viewer without the named font uses a like one, not its default.
func svgFontFallback(svg []byte) []byte {
	return svgFontFamily.ReplaceAllFunc(svg, func(m []byte) []byte {
		name := string(m[len("font-family:"):])
		generic := "serif"
		switch {
		case strings.Contains(name, "Sans"):
			generic = "sans-serif"
		case strings.Contains(name, "Mono"):
			generic = "monospace"
		}
		return fmt.Appendf(nil, "font-family:'%s',%s", name, generic)
	})
}
