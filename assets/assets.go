// Package assets holds what is embedded in the binary: the default model, the
// catalogue of known models and the published cost and accuracy of the
// TF-slim checkpoints.
package assets

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"encoding/json"
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

//go:embed models.json
var modelsJSON []byte

// The catalogue and the table are parsed when first asked for, not at
// start-up: every run of mbv2 would pay for them, most without needing
// them.

type catalogueFile struct {
	Models []Model `json:"models"`
}

var catalogue = sync.OnceValue(func() (c catalogueFile) {
	// models.json is part of the source: a syntax error is a build bug, and
	// the package test catches it before any release.
	if err := json.Unmarshal(modelsJSON, &c); err != nil {
		panic("assets: models.json: " + err.Error())
	}
	return c
})

// Models returns the catalogue, in the order of models.json.
func Models() []Model {
	return append([]Model(nil), catalogue().Models...)
}

// DefaultModel returns the name of the model used when none is given: the
// one built in. A constant, not read from models.json, because the usage
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

// parseSlim reads the table; like models.json it is source, so an error is
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
