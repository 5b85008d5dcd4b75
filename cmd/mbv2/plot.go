package main

import (
	"bytes"
	"cmp"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	f26 "golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"
)

// The sweep chart is drawn here rather than with a plotting library: the
// one it used (gonum's plot, its fonts, LaTeX and PDF back ends) ran 0.6 ms
// of package init and added a few hundred page faults to every start of
// every command, for one flag of one command. The chart is laid out once,
// in points, as a list of strokes, fills and texts; SVG writes them as
// text, PNG rasterizes them with x/image's vector rasterizer and the Go
// fonts, both loaded only when a chart is drawn.

// okabeIto is the colour-blind-safe palette of Okabe and Ito (2008), but
// for its black and its yellow, too faint on white.
var okabeIto = []color.NRGBA{
	{0xE6, 0x9F, 0x00, 0xFF}, // orange
	{0x56, 0xB4, 0xE9, 0xFF}, // sky blue
	{0x00, 0x9E, 0x73, 0xFF}, // bluish green
	{0x00, 0x72, 0xB2, 0xFF}, // blue
	{0xD5, 0x5E, 0x00, 0xFF}, // vermillion
	{0xCC, 0x79, 0xA7, 0xFF}, // reddish purple
}

// The chart is 9 x 6 inches; the PNG has 2 pixels a point (144 dpi).
const (
	chartW, chartH = 9 * 72, 6 * 72
	pngScale       = 2
)

// svgFonts names the Go font the PNG is drawn with, then common sans-serif
// faces and the generic family for viewers without it.
const svgFonts = `font-family:'Go','Liberation Sans',Arial,sans-serif`

type pt struct{ x, y float64 }

// A path is a polyline in points, y down: stroked with width, or filled.
type path struct {
	pts    []pt
	closed bool
	fill   bool
	width  float64
	c      color.NRGBA
}

// A label is text whose baseline starts at (anchor 0), is centred on
// (0.5) or ends at (1) at; up turns it a quarter anticlockwise.
type label struct {
	at     pt
	s      string
	size   float64
	anchor float64
	up     bool
	c      color.NRGBA
}

type chart struct {
	items []any // path or label, in drawing order
}

func (c *chart) stroke(col color.NRGBA, width float64, pts ...pt) {
	c.items = append(c.items, path{pts: pts, width: width, c: col})
}

func (c *chart) text(at pt, s string, size, anchor float64, col color.NRGBA) {
	c.items = append(c.items, label{at: at, s: s, size: size, anchor: anchor, c: col})
}

// glyph is the mark of the i-th width: a disc, square, triangle, diamond,
// inverted triangle or hexagon of radius r.
func (c *chart) glyph(i int, at pt, r float64, col color.NRGBA) {
	shapes := []struct {
		n   int
		rot float64
		r   float64
	}{{32, 0, 1}, {4, 45, 0.9}, {3, -90, 1.2}, {4, 0, 1.2}, {3, 90, 1.2}, {6, 0, 1.05}}
	s := shapes[i%len(shapes)]
	c.items = append(c.items, path{pts: polygon(at, r*s.r, s.n, s.rot), closed: true, fill: true, c: col})
}

// polygon is the regular n-gon of radius r around at, its first vertex at
// rot degrees.
func polygon(at pt, r float64, n int, rot float64) []pt {
	pts := make([]pt, n)
	for k := range pts {
		a := (rot + 360*float64(k)/float64(n)) * math.Pi / 180
		pts[k] = pt{at.x + r*math.Cos(a), at.y + r*math.Sin(a)}
	}
	return pts
}

// plotSweep draws median latency (x, log scale) against published top-1
// (y): one line per width through its resolutions, each point labelled with
// its resolution and with a whisker to its p90, and the Pareto frontier as
// a thick band beneath. Widths have the colours of a colour-blind-safe
// palette and their own marks; the labels of neighbouring widths sit on
// opposite sides of their points. The configurations without a published
// accuracy, which cannot be drawn, are counted in the legend. The file
// extension sets the format.
func plotSweep(path string, rows []sweepRow) error {
	var published []sweepRow
	for _, r := range rows {
		if r.Top1 != nil {
			published = append(published, r)
		}
	}
	if len(published) == 0 {
		return fmt.Errorf("--plot: none of the configurations timed has a published accuracy")
	}
	var c chart
	c.layout(rows, published)
	var out []byte
	var err error
	switch format := strings.ToLower(filepath.Ext(path)); format {
	case ".svg":
		out = c.svg()
	case ".png":
		if out, err = c.png(); err != nil {
			return fmt.Errorf("--plot: %w", err)
		}
	default:
		return fmt.Errorf("--plot %s: want a .png or .svg file", path)
	}
	if err := os.WriteFile(path, out, 0o666); err != nil {
		return fmt.Errorf("--plot: %w", err)
	}
	return nil
}

// layout places the chart's axes, data and legend.
func (c *chart) layout(rows, published []sweepRow) {
	slices.SortStableFunc(published, func(a, b sweepRow) int { return cmp.Compare(a.Latency.Median, b.Latency.Median) })
	black, grey, grid := color.NRGBA{A: 0xFF}, color.NRGBA{90, 90, 90, 0xFF}, color.NRGBA{0xDD, 0xDD, 0xDD, 0xFF}
	top1 := func(r sweepRow) float64 { return *r.Top1 }

	// The data's ranges, with room for the labels and the whiskers.
	lo, hi := published[0].Latency.Median, published[len(published)-1].Latency.Median
	p90 := slices.MaxFunc(published, func(a, b sweepRow) int { return cmp.Compare(a.Latency.P90, b.Latency.P90) }).Latency.P90
	xmin, xmax := lo/1.15, max(hi*1.3, p90*1.05)
	ymin := math.Floor(top1(slices.MinFunc(published, func(a, b sweepRow) int { return cmp.Compare(*a.Top1, *b.Top1) })) - 1)
	ymax := math.Ceil(top1(slices.MaxFunc(published, func(a, b sweepRow) int { return cmp.Compare(*a.Top1, *b.Top1) })) + 1)

	// The plot area, in points from the top left.
	x0, x1, y0, y1 := 62.0, chartW-18.0, 34.0, chartH-46.0
	at := func(ms, top1 float64) pt {
		return pt{
			x0 + (x1-x0)*math.Log(ms/xmin)/math.Log(xmax/xmin),
			y1 - (y1-y0)*(top1-ymin)/(ymax-ymin),
		}
	}

	r0 := rows[0]
	c.text(pt{chartW / 2, 20}, fmt.Sprintf("MobileNetV2 on %s (kernels %s, %s)", r0.CPU, r0.Kernels, plural(r0.Threads, "thread")), 12, 0.5, black)
	c.text(pt{(x0 + x1) / 2, chartH - 10}, "median latency, ms (log scale)", 10, 0.5, black)
	c.items = append(c.items, label{at: pt{16, (y0 + y1) / 2}, s: "ImageNet top-1, % (TF-slim checkpoints)", size: 10, anchor: 0.5, up: true, c: black})

	// Ticks at 1, 2, 5 times powers of ten over the data's range, and
	// every 5 points of accuracy, with a grid line each.
	for e := math.Floor(math.Log10(lo)); e <= math.Ceil(math.Log10(hi)); e++ {
		for _, m := range []float64{1, 2, 5} {
			v := m * math.Pow(10, e)
			if v >= lo/1.3 && v <= hi*1.3 && v >= xmin && v <= xmax {
				x := at(v, ymin).x
				c.stroke(grid, 0.5, pt{x, y0}, pt{x, y1})
				c.stroke(black, 0.5, pt{x, y1}, pt{x, y1 + 4})
				c.text(pt{x, y1 + 15}, strconv.FormatFloat(v, 'g', -1, 64), 9, 0.5, black)
			}
		}
	}
	for v := math.Ceil(ymin/5) * 5; v <= ymax; v += 5 {
		y := at(xmin, v).y
		c.stroke(grid, 0.5, pt{x0, y}, pt{x1, y})
		c.stroke(black, 0.5, pt{x0 - 4, y}, pt{x0, y})
		c.text(pt{x0 - 7, y + 3}, strconv.FormatFloat(v, 'f', 0, 64), 9, 1, black)
	}
	c.stroke(black, 0.75, pt{x0, y0}, pt{x0, y1}, pt{x1, y1})

	var legend []func(at pt) // each draws its sample, its text right of at
	text := func(s string) func(pt) {
		return func(p pt) { c.text(pt{p.x + 30, p.y + 3}, s, 9, 0, black) }
	}

	// The frontier beneath the data.
	band, ring := color.NRGBA{A: 45}, color.NRGBA{A: 150}
	var frontier []pt
	for _, r := range published {
		if r.Pareto {
			frontier = append(frontier, at(r.Latency.Median, top1(r)))
		}
	}
	c.stroke(band, 8, frontier...)
	for _, p := range frontier {
		c.items = append(c.items, path{pts: polygon(p, 7, 32, 0), closed: true, width: 1, c: ring})
	}
	legend = append(legend, func(p pt) {
		c.stroke(band, 8, p, pt{p.x + 24, p.y})
		c.items = append(c.items, path{pts: polygon(pt{p.x + 12, p.y}, 7, 32, 0), closed: true, width: 1, c: ring})
		text("Pareto frontier")(p)
	})

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
		col := okabeIto[i%len(okabeIto)]
		var line []pt
		for _, r := range rs {
			line = append(line, at(r.Latency.Median, top1(r)))
		}
		c.stroke(col, 1.5, line...)
		for j, r := range rs {
			p, q := line[j], at(r.Latency.P90, top1(r))
			c.stroke(col, 1, p, q)
			c.stroke(col, 1, pt{q.x, q.y - 4}, pt{q.x, q.y + 4})
			c.glyph(i, p, 3.5, col)
			if i%2 == 0 {
				c.text(pt{p.x + 5, p.y + 11}, strconv.Itoa(r.Res), 8, 0, grey) // below right
			} else {
				c.text(pt{p.x - 5, p.y - 6}, strconv.Itoa(r.Res), 8, 1, grey) // above left
			}
		}
		legend = append(legend, func(p pt) {
			c.stroke(col, 1.5, p, pt{p.x + 24, p.y})
			c.glyph(i, pt{p.x + 12, p.y}, 3.5, col)
			text("width " + widthString(w))(p)
		})
	}
	if n := len(rows) - len(published); n > 0 {
		legend = append(legend, text(fmt.Sprintf("not drawn: %d of %d configurations, no published accuracy", n, len(rows))))
	}
	legend = append(legend, text("whiskers: median to p90"))

	// The legend in the top left corner.
	for k, draw := range legend {
		draw(pt{x0 + 16, y0 + 18 + 16*float64(k)})
	}
}

// svg writes the chart as an SVG document.
func (c *chart) svg() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="9in" height="6in" viewBox="0 0 %d %d" style="%s">
<rect width="100%%" height="100%%" fill="#ffffff"/>
`, chartW, chartH, svgFonts)
	paint := func(c color.NRGBA) string {
		return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B)
	}
	esc := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#39;")
	for _, it := range c.items {
		switch it := it.(type) {
		case path:
			tag := "polyline"
			if it.closed {
				tag = "polygon"
			}
			fmt.Fprintf(&b, `<%s points="`, tag)
			for k, p := range it.pts {
				if k > 0 {
					b.WriteByte(' ')
				}
				fmt.Fprintf(&b, "%.2f,%.2f", p.x, p.y)
			}
			if it.fill {
				fmt.Fprintf(&b, `" fill="%s" fill-opacity="%.3g"/>`+"\n", paint(it.c), float64(it.c.A)/255)
			} else {
				fmt.Fprintf(&b, `" fill="none" stroke="%s" stroke-opacity="%.3g" stroke-width="%g" stroke-linejoin="round" stroke-linecap="round"/>`+"\n",
					paint(it.c), float64(it.c.A)/255, it.width)
			}
		case label:
			anchor := map[float64]string{0: "start", 0.5: "middle", 1: "end"}[it.anchor]
			rot := ""
			if it.up {
				rot = fmt.Sprintf(` transform="rotate(-90 %.2f %.2f)"`, it.at.x, it.at.y)
			}
			fmt.Fprintf(&b, `<text x="%.2f" y="%.2f" font-size="%g" text-anchor="%s" fill="%s"%s>%s</text>`+"\n",
				it.at.x, it.at.y, it.size, anchor, paint(it.c), rot, esc.Replace(it.s))
		}
	}
	b.WriteString("</svg>\n")
	return b.Bytes()
}

// png rasterizes the chart. Strokes have round joins and caps, as in the
// SVG: a quad per segment and a disc per vertex, all wound alike, so that
// the rasterizer fills their union once and a translucent band stays even.
func (c *chart) png() ([]byte, error) {
	img := image.NewRGBA(image.Rect(0, 0, chartW*pngScale, chartH*pngScale))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	fnt, err := opentype.Parse(goregular.TTF)
	if err != nil {
		return nil, err
	}
	var z vector.Rasterizer
	fill := func(polys [][]pt, col color.NRGBA) {
		z.Reset(img.Bounds().Dx(), img.Bounds().Dy())
		for _, p := range polys {
			var area float64
			for k := range p {
				q := p[(k+1)%len(p)]
				area += p[k].x*q.y - q.x*p[k].y
			}
			if area < 0 {
				p = slices.Clone(p)
				slices.Reverse(p)
			}
			z.MoveTo(float32(p[0].x*pngScale), float32(p[0].y*pngScale))
			for _, q := range p[1:] {
				z.LineTo(float32(q.x*pngScale), float32(q.y*pngScale))
			}
			z.ClosePath()
		}
		z.Draw(img, img.Bounds(), image.NewUniform(col), image.Point{})
	}
	faces := map[float64]font.Face{}
	for _, it := range c.items {
		switch it := it.(type) {
		case path:
			if it.fill {
				fill([][]pt{it.pts}, it.c)
				continue
			}
			pts := it.pts
			if it.closed {
				pts = append(slices.Clone(pts), pts[0])
			}
			h := it.width / 2
			var polys [][]pt
			for k, p := range pts {
				polys = append(polys, polygon(p, h, 16, 0))
				if k == 0 {
					continue
				}
				q := pts[k-1]
				dx, dy := p.x-q.x, p.y-q.y
				d := math.Hypot(dx, dy)
				if d == 0 {
					continue
				}
				nx, ny := -dy/d*h, dx/d*h
				polys = append(polys, []pt{{q.x + nx, q.y + ny}, {p.x + nx, p.y + ny}, {p.x - nx, p.y - ny}, {q.x - nx, q.y - ny}})
			}
			fill(polys, it.c)
		case label:
			face, ok := faces[it.size]
			if !ok {
				var err error
				face, err = opentype.NewFace(fnt, &opentype.FaceOptions{Size: it.size * pngScale, DPI: 72, Hinting: font.HintingNone})
				if err != nil {
					return nil, err
				}
				faces[it.size] = face
			}
			adv := font.MeasureString(face, it.s)
			x, y := it.at.x*pngScale, it.at.y*pngScale
			src := image.NewUniform(it.c)
			if !it.up {
				d := font.Drawer{Dst: img, Src: src, Face: face, Dot: f26.Point26_6{
					X: f26.Int26_6(x*64) - f26.Int26_6(it.anchor*float64(adv)), Y: f26.Int26_6(y * 64)}}
				d.DrawString(it.s)
				continue
			}
			// Drawn flat into a mask, turned a quarter anticlockwise: the
			// mask's top row becomes its left column.
			m := face.Metrics()
			asc, w, h := m.Ascent.Ceil(), adv.Ceil(), m.Ascent.Ceil()+m.Descent.Ceil()
			flat := image.NewAlpha(image.Rect(0, 0, w, h))
			d := font.Drawer{Dst: flat, Src: image.Opaque, Face: face, Dot: f26.P(0, asc)}
			d.DrawString(it.s)
			up := image.NewAlpha(image.Rect(0, 0, h, w))
			for row := range h {
				for col := range w {
					up.SetAlpha(row, w-1-col, flat.AlphaAt(col, row))
				}
			}
			px, py := int(math.Round(x))-asc, int(math.Round(y-(1-it.anchor)*float64(w)))
			draw.DrawMask(img, image.Rect(px, py, px+h, py+w), src, image.Point{}, up, image.Point{}, draw.Over)
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
