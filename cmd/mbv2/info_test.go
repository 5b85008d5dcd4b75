package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/mbv2/mbv2/assets"
)

func modelInfoJSON(t *testing.T, args ...string) modelInfo {
	t.Helper()
	code, stdout, stderr := runCmd(t, nil, append([]string{"model", "info", "--json"}, args...)...)
	if code != exitOK || stderr != "" {
		t.Fatalf("model info %v: exit %d, stderr %q", args, code, stderr)
	}
	var info modelInfo
	if err := json.Unmarshal([]byte(stdout), &info); err != nil {
		t.Fatalf("model info %v: %v", args, err)
	}
	return info
}

// TestModelInfoSlimTable checks --json against the published cost of all
// 22 TF-slim checkpoints, rounded down as the table rounds.
func TestModelInfoSlimTable(t *testing.T) {
	for _, c := range assets.SlimCheckpoints() {
		info := modelInfoJSON(t, "--width", fmt.Sprint(c.Width), "--res", fmt.Sprint(c.Res))
		params := fmt.Sprintf("%d.%02d", info.Params/1e6, info.Params%1e6/1e4)
		if info.MACs/1e6 != c.MMACs || params != fmt.Sprintf("%.2f", c.MParams) {
			t.Errorf("%g/%d: %d MACs, %d params; published %dM, %.2fM", c.Width, c.Res, info.MACs, info.Params, c.MMACs, c.MParams)
		}
	}
}

// TestModelInfoFormula checks, from the JSON alone, that the blocks cost
// h*w*d'*t*(d' + 9 + d”) at stride 1, that blocks and the other layers add
// up to the total, and that the peak is the largest live set; at width 1.4
// and the resolutions the table does not publish.
func TestModelInfoFormula(t *testing.T) {
	for _, res := range []int{96, 128, 160, 192, 224} {
		info := modelInfoJSON(t, "--width", "1.4", "--res", fmt.Sprint(res))
		var sum, layerSum, peak, layerwisePeak int64
		peakLayer := ""
		for _, b := range info.Blocks {
			h, d1, d2, tt := int64(b.In[0]), int64(b.In[2]), int64(b.Out[2]), int64(b.T)
			if b.Stride == 1 && b.T > 1 {
				if f := h * h * d1 * tt * (d1 + 9 + d2); f != b.MACs {
					t.Errorf("1.4/%d %s: %d MACs, formula %d", res, b.Name, b.MACs, f)
				}
			}
			sum += b.MACs
		}
		for _, l := range info.Layers {
			layerSum += l.MACs
			if !strings.HasPrefix(l.Name, "b") {
				sum += l.MACs
			}
			if l.ActivationBytes > peak {
				peak, peakLayer = l.ActivationBytes, l.Name
			}
			layerwisePeak = max(layerwisePeak, l.LayerwiseBytes)
		}
		if sum != info.MACs || layerSum != info.MACs {
			t.Errorf("1.4/%d: blocks and other layers %d MACs, layers %d, total %d", res, sum, layerSum, info.MACs)
		}
		// Streaming never needs more than layer by layer.
		if peak != info.PeakBytes || peakLayer != info.PeakLayer || layerwisePeak != info.LayerwisePeakBytes || peak > layerwisePeak {
			t.Errorf("1.4/%d: peak %d at %s, largest layer %d at %s; layer by layer %d, largest %d",
				res, info.PeakBytes, info.PeakLayer, peak, peakLayer, info.LayerwisePeakBytes, layerwisePeak)
		}
	}
}

// TestModelInfoTable2 compares the text output with the paper's Table 2.
func TestModelInfoTable2(t *testing.T) {
	code, stdout, _ := runCmd(t, nil, "model", "info")
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	want := `input       operator     t  c     n  s
224x224x3   conv2d 3x3   -  32    1  2
112x112x32  bottleneck   1  16    1  1
112x112x16  bottleneck   6  24    2  2
56x56x24    bottleneck   6  32    3  2
28x28x32    bottleneck   6  64    4  2
14x14x64    bottleneck   6  96    3  1
14x14x96    bottleneck   6  160   3  2
7x7x160     bottleneck   6  320   1  1
7x7x320     conv2d 1x1   -  1280  1  1
7x7x1280    avgpool 7x7  -  -     1  -
1x1x1280    conv2d 1x1   -  1001  -  -
`
	if !strings.Contains(stdout, want) {
		t.Errorf("no Table 2 in:\n%s", stdout)
	}
	if !strings.Contains(stdout, "layer by layer 6021120 bytes (6.02 MB) at b1/depthwise") {
		t.Errorf("no peak in:\n%s", stdout)
	}
	_, help, _ := runCmd(t, nil, "model", "info", "--help")
	if !strings.Contains(help, "h*w*d'*t*(d' + 9 + d'')") || !strings.Contains(help, "Section 5.1") {
		t.Errorf("help without the cost formula or the memory discussion:\n%s", help)
	}
}

func TestModelInfoFile(t *testing.T) {
	data, err := os.ReadFile(tinyModelPath)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	info := modelInfoJSON(t, "-m", tinyModelPath)
	f := info.File
	if f == nil || f.SHA256 != hex.EncodeToString(sum[:]) || f.Size != int64(len(data)) || f.Classes != 4 ||
		f.Labels != "embedded" || f.Weights == "" || f.NatRes != 32 {
		t.Fatalf("file %+v", f)
	}
	if info.Width != 0.35 || info.Res != 32 || info.Classes != 4 || info.Layers[len(info.Layers)-2].Out[2] != 4 {
		t.Errorf("width %g res %d classes %d", info.Width, info.Res, info.Classes)
	}
	// Any resolution of the file's network.
	if info = modelInfoJSON(t, "-m", tinyModelPath, "--res", "64"); info.Res != 64 || info.File.NatRes != 32 {
		t.Errorf("--res 64: res %d, native %d", info.Res, info.File.NatRes)
	}
}

func TestModelInfoErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--width", "0"}, exitUsage, "width"},
		{[]string{"--res", "8"}, exitUsage, "resolution"},
		{[]string{"--width", "wide"}, exitUsage, "width"},
		{[]string{"-m", tinyModelPath, "--width", "0.5"}, exitUsage, "--width"},
		{[]string{"extra"}, exitUsage, "unknown command"},
		{[]string{"-m", "no/such/model.tflite"}, exitUsage, "neither a file nor a known model"},
	} {
		code, stdout, stderr := runCmd(t, nil, append([]string{"model", "info"}, c.args...)...)
		if code != c.code || stdout != "" || !strings.Contains(stderr, c.want) || strings.Count(stderr, "\n") > 2 {
			t.Errorf("model info %v: exit %d, stdout %q, stderr %q; want exit %d and %q", c.args, code, stdout, stderr, c.code, c.want)
		}
	}
}

// TestModelInfoHelpAgrees: the figures the help of model info gives are
// those the program prints.
func TestModelInfoHelpAgrees(t *testing.T) {
	info := modelInfoJSON(t, "--width", "1", "--res", "224", "--threads", "1")
	want := fmt.Sprintf("At 1.0/224 on one thread: %.2f MB streamed, at\n%s, against %.2f MB layer by layer, at %s.",
		float64(info.PeakBytes)/1e6, info.PeakLayer, float64(info.LayerwisePeakBytes)/1e6, info.LayerwisePeakLayer)
	if _, stdout, _ := runCmd(t, nil, "help", "model", "info"); !strings.Contains(stdout, want) {
		t.Errorf("the help does not say %q:\n%s", want, stdout)
	}
}
