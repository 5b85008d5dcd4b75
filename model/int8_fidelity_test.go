package model

import (
	"path/filepath"
	"runtime"
	"sort"
	"sync"
	"testing"

	"github.com/mbv2/mbv2/model/internal/tflite"
)

// TestInt8ReferenceEngine explains the gap between the integer pass and
// the quantized reference on every shared model and canonical input:
//
//   - interpret in TFLite's integer arithmetic gives the integer pass's
//     logits and output bit for bit, on the shipped files as on the
//     synthetic ones (TestInt8Synthetic);
//   - interpret in float requantization, the reference engine's
//     arithmetic, gives the reference's output bit for bit.
//
// So the reference differs from the integer pass by the arithmetic of its
// engine alone. And that difference is rounding: each operator, run in
// both arithmetics on the same inputs, gives outputs at most one LSB apart.
// It logs how far the two arithmetics' logits drift apart over the network,
// and per operator kind the share of outputs its two roundings split.
func TestInt8ReferenceEngine(t *testing.T) {
	dir, ref := readQuantReference(t)
	keys := make([]string, 0, len(ref.Models))
	for key := range ref.Models {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	for _, key := range keys {
		mr := ref.Models[key]
		data, m, r := loadInt8(t, dir, key, mr.File)
		tf, err := tflite.Parse(data)
		if err != nil {
			t.Fatal(err)
		}
		shift := int64(0) // the logits of an int8 file are carried as q+128
		if m.q.logits.signed {
			shift = 128
		}
		type job struct {
			name           string
			rgb            []byte
			logits, out    []int64 // the integer pass's
			raw            []int   // the reference's
			drift, refDiff int     // worst logit difference of the arithmetics; of the oracle's output
			// Each operator in both arithmetics on the same inputs: the
			// worst difference, how many outputs differ, of how many.
			opWorst           [nKinds]int64
			opDiffer, opTotal [nKinds]int
		}
		var jobs []*job
		for name, ir := range mr.Images {
			rgb := canonicalRGB(t, r, filepath.Join(dir, "reference", ir.Input))
			j := &job{name: name, rgb: rgb, raw: ir.QuantRef.Raw}
			for _, p := range r.Forward(rgb) {
				j.out = append(j.out, int64(p*256))
			}
			for _, v := range r.q.logits {
				j.logits = append(j.logits, int64(v)-shift)
			}
			jobs = append(jobs, j)
		}
		r.Close()
		// Two passes of the int64 interpreter an image: the images' share
		// of the CPUs.
		var wg sync.WaitGroup
		next := make(chan *job)
		for range runtime.GOMAXPROCS(0) {
			wg.Go(func() {
				for j := range next {
					li, oi := interpret(tf, j.rgb, tfliteInteger, func(k opKind, y, alt []int64) {
						for i := range y {
							d := max(y[i]-alt[i], alt[i]-y[i])
							j.opWorst[k] = max(j.opWorst[k], d)
							if d != 0 {
								j.opDiffer[k]++
							}
						}
						j.opTotal[k] += len(y)
					})
					lf, of := interpret(tf, j.rgb, floatRequant, nil)
					for i := range li {
						if li[i] != j.logits[i] || oi[i] != j.out[i] {
							t.Errorf("%s/%s: class %d: logit %d output %d, TFLite's formulas give %d and %d", key, j.name, i, j.logits[i], j.out[i], li[i], oi[i])
							break
						}
					}
					for i := range lf {
						j.drift = max(j.drift, int(max(li[i]-lf[i], lf[i]-li[i])))
						j.refDiff = max(j.refDiff, int(max(of[i]-int64(j.raw[i]), int64(j.raw[i])-of[i])))
					}
				}
			})
		}
		for _, j := range jobs {
			next <- j
		}
		close(next)
		wg.Wait()
		drift := 0
		var opWorst [nKinds]int64
		var opDiffer, opTotal [nKinds]int
		for _, j := range jobs {
			drift = max(drift, j.drift)
			for k := range nKinds {
				opWorst[k] = max(opWorst[k], j.opWorst[k])
				opDiffer[k] += j.opDiffer[k]
				opTotal[k] += j.opTotal[k]
			}
			if j.refDiff != 0 {
				t.Errorf("%s/%s: float requantization differs from the reference by up to %d LSB; want 0", key, j.name, j.refDiff)
			}
		}
		t.Logf("%s: float requantization gives the reference's %d outputs exactly; its logits differ from the integer pass's by up to %d LSB", key, len(jobs), drift)
		for k := range nKinds {
			t.Logf("%s: %-10s on the same inputs: %.3f%% of %d outputs differ, by up to %d LSB", key, k, 100*float64(opDiffer[k])/float64(max(opTotal[k], 1)), opTotal[k], opWorst[k])
			if opWorst[k] > 1 {
				t.Errorf("%s: %s: the two arithmetics differ by %d LSB on the same inputs; rounding alone gives at most 1", key, k, opWorst[k])
			}
		}
	}
}
