// Package assets holds what is embedded in the binary: the default model, the
// catalogue of known models and the published cost and accuracy of the
// TF-slim checkpoints.
package assets

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"strconv"
	"sync"
)

// Model is one entry of the catalogue: a pretrained MobileNetV2 file and
// what is needed to download and verify it.
type Model struct {
	Name   string `json:"name"`   // what -m accepts
	File   string `json:"file"`   // file name, in the cache and on a mirror
	URL    string `json:"url"`    // public download address
	SHA256 string `json:"sha256"` // lowercase hex
	Size   int64  `json:"size"`   // bytes
	Notes  string `json:"notes"`  // one line: data set, classes, quantization
}

// The catalogue: a Go table, not a parsed file, so that a run that
// needs none of it (the built-in model) pays nothing for it.
var catalogue = []Model{
	{
		Name:   "mobilenet_v2_1.0_224_quant",
		File:   "mobilenet_v2_1.0_224_quant.tflite",
		URL:    "https://github.com/google-coral/test_data/raw/master/mobilenet_v2_1.0_224_quant.tflite",
		SHA256: "7aad0c74c5e3c06e5eb3c827e13304fdd68a83da6087d92ee169c24ff9fd4776",
		Size:   3610798,
		Notes:  "ImageNet, 1001 classes (0 = background); TF1 quantization-aware trained, uint8 per-tensor",
	},
	{
		Name:   "tf2_mobilenet_v2_1.0_224_ptq",
		File:   "tf2_mobilenet_v2_1.0_224_ptq.tflite",
		URL:    "https://github.com/google-coral/test_data/raw/master/tf2_mobilenet_v2_1.0_224_ptq.tflite",
		SHA256: "5d3137241276e79c86d14a74fe43581398ae0e815191d3dba45495b810840e8c",
		Size:   4070174,
		Notes:  "ImageNet, 1001 classes (0 = background); TF2 Keras post-training quantized, int8 per-channel weights",
	},
	{
		Name:   "mobilenet_v2_1.0_224_inat_bird_quant",
		File:   "mobilenet_v2_1.0_224_inat_bird_quant.tflite",
		URL:    "https://github.com/google-coral/test_data/raw/master/mobilenet_v2_1.0_224_inat_bird_quant.tflite",
		SHA256: "350fcd8cf1df1560060d464595dfed8b174b05792788052896004848d9ad04f9",
		Size:   3579500,
		Notes:  "iNaturalist birds, 965 classes (964 = background); TF1 quantization-aware trained, uint8 per-tensor",
	},
	{
		Name:   "mobilenet_v2_1.0_224_inat_insect_quant",
		File:   "mobilenet_v2_1.0_224_inat_insect_quant.tflite",
		URL:    "https://github.com/google-coral/test_data/raw/master/mobilenet_v2_1.0_224_inat_insect_quant.tflite",
		SHA256: "0ebaeb474dccf56b8b818b014f0d6a8e22b35a45b491a659f0b5405c9c838282",
		Size:   3655867,
		Notes:  "iNaturalist insects, 1022 classes (1021 = background); TF1 quantization-aware trained, uint8 per-tensor",
	},
}

// Models returns the catalogue.
func Models() []Model {
	return append([]Model(nil), catalogue...)
}

// DefaultModel returns the name of the model used when none is given: the
// one built in. A constant, apart from the catalogue, because the usage
// of classify names it and every start of mbv2 builds that usage.
func DefaultModel() string { return defaultModel }

const defaultModel = "mobilenet_v2_1.0_224_quant"

// The default model, byte for byte as Google published it (Apache-2.0: see
// mobilenet_v2_1.0_224_quant.NOTICE), so that mbv2 works out of the box,
// offline. Embedded as a []byte, not a string or an embed.FS, both of which
// would be copied to be read as bytes: these bytes are used in place, paged
// in from the executable as the loader reads them.
//
//go:embed mobilenet_v2_1.0_224_quant.tflite
var defaultModelFile []byte

// BuiltIn returns the bytes of the model of the catalogue named name if the
// binary holds them, else nil. They are the binary's own: never write to them.
func BuiltIn(name string) []byte {
	if name == defaultModel {
		return defaultModelFile
	}
	return nil
}

// Checkpoint is one row of the TF-slim MobileNetV2 table: a configuration
// trained on ImageNet, its cost as published (rounded down) and its accuracy.
type Checkpoint struct {
	Width      float64 // width multiplier
	Res        int     // input resolution
	MMACs      int64   // millions of multiply-adds
	MParams    float64 // millions of weights, two decimals
	Top1, Top5 float64 // ImageNet accuracy, percent
}

//go:embed slim_checkpoints.csv
var slimCSV []byte

var slim = sync.OnceValue(func() []Checkpoint { return parseSlim(slimCSV) })

// parseSlim reads the table; it is source, so an error is
// a build bug that the package test catches.
func parseSlim(b []byte) []Checkpoint {
	r := csv.NewReader(bytes.NewReader(b))
	r.Comment = '#'
	rows, err := r.ReadAll()
	if err != nil {
		panic("assets: slim_checkpoints.csv: " + err.Error())
	}
	var cs []Checkpoint
	for _, row := range rows[1:] {
		var c Checkpoint
		var errs [6]error
		c.Width, errs[0] = strconv.ParseFloat(row[0], 64)
		c.Res, errs[1] = strconv.Atoi(row[1])
		c.MMACs, errs[2] = strconv.ParseInt(row[2], 10, 64)
		c.MParams, errs[3] = strconv.ParseFloat(row[3], 64)
		c.Top1, errs[4] = strconv.ParseFloat(row[4], 64)
		c.Top5, errs[5] = strconv.ParseFloat(row[5], 64)
		for _, err := range errs {
			if err != nil {
				panic("assets: slim_checkpoints.csv: " + err.Error())
			}
		}
		cs = append(cs, c)
	}
	return cs
}

// SlimCheckpoints returns the TF-slim table, widest first.
func SlimCheckpoints() []Checkpoint {
	return append([]Checkpoint(nil), slim()...)
}

// SlimCheckpoint returns the published row of a configuration, if any.
func SlimCheckpoint(width float64, res int) (Checkpoint, bool) {
	for _, c := range slim() {
		if c.Width == width && c.Res == res {
			return c, true
		}
	}
	return Checkpoint{}, false
}
