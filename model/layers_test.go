package model

import (
	"encoding/csv"
	"fmt"
	"os"
	"strconv"
	"testing"
)

// layersFile is the one table of MobileNetV2's layer shapes that the
// kernel tests and benchmarks run; the model must lay out exactly these.
const layersFile = "../testdata/mobilenet_v2_layers.csv"

// TestLayersMatchTable checks that NewArch, at every published width
// multiplier and resolution, lays out the layers of the table line for line:
// names, kinds, shapes, strides, fused activations and residual adds.
func TestLayersMatchTable(t *testing.T) {
	f, err := os.Open(layersFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comment = '#'
	recs, err := r.ReadAll()
	if err != nil || len(recs) < 2 {
		t.Fatalf("%s: %v", layersFile, err)
	}
	header := fmt.Sprint(recs[0])
	if header != "[width res layer kind in_h in_w in_c out_h out_w out_c stride act residual]" {
		t.Fatalf("%s: columns %s", layersFile, header)
	}
	want := map[Config][]string{}
	var order []Config
	for _, rec := range recs[1:] {
		width, err1 := strconv.ParseFloat(rec[0], 64)
		res, err2 := strconv.Atoi(rec[1])
		if err1 != nil || err2 != nil {
			t.Fatalf("%s: bad line %v", layersFile, rec)
		}
		cfg := Config{Width: width, Res: res, Classes: 1001}
		if want[cfg] == nil {
			order = append(order, cfg)
		}
		want[cfg] = append(want[cfg], fmt.Sprint(rec[2:]))
	}
	for _, w := range Widths {
		for _, res := range []int{96, 128, 160, 192, 224} {
			if want[Config{Width: w, Res: res, Classes: 1001}] == nil {
				t.Errorf("%s has no MobileNetV2 %g/%d", layersFile, w, res)
			}
		}
	}
	for _, cfg := range order {
		a, err := NewArch(cfg)
		if err != nil {
			t.Fatal(err)
		}
		got := tableLines(a)
		for i := range max(len(got), len(want[cfg])) {
			g, w := "(none)", "(none)"
			if i < len(got) {
				g = got[i]
			}
			if i < len(want[cfg]) {
				w = want[cfg][i]
			}
			if g != w {
				t.Errorf("%g/%d layer %d: model %s, table %s", cfg.Width, cfg.Res, i, g, w)
			}
		}
	}
}

// tableLines writes a's layers as the table's columns from layer on.
func tableLines(a *Arch) []string {
	var lines []string
	for _, l := range a.Layers() {
		stride, act, residual := 1, "none", false
		var block int
		switch l.Kind {
		case "stem":
			stride, act = 2, "relu6"
		case "expand", "head":
			act = "relu6"
		case "depthwise":
			fmt.Sscanf(l.Name, "b%d/", &block)
			stride, act = a.Bottlenecks[block].Stride, "relu6"
		case "project":
			fmt.Sscanf(l.Name, "b%d/", &block)
			act, residual = "linear", a.Bottlenecks[block].Residual
		case "classifier":
			act = "linear"
		}
		lines = append(lines, fmt.Sprint([]string{l.Name, l.Kind,
			strconv.Itoa(l.In[0]), strconv.Itoa(l.In[1]), strconv.Itoa(l.In[2]),
			strconv.Itoa(l.Out[0]), strconv.Itoa(l.Out[1]), strconv.Itoa(l.Out[2]),
			strconv.Itoa(stride), act, strconv.FormatBool(residual)}))
	}
	return lines
}
