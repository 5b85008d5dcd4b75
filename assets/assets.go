// Package assets holds facts embedded in the binary: the catalogue of known
// models.
package assets

import (
	_ "embed"
	"encoding/json"
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

var catalogue struct {
	Default string  `json:"default"`
	Models  []Model `json:"models"`
}

func init() {
	// models.json is part of the source: a syntax error is a build bug, and
	// the package test catches it before any release.
	if err := json.Unmarshal(modelsJSON, &catalogue); err != nil {
		panic("assets: models.json: " + err.Error())
	}
}

// Models returns the catalogue, in the order of models.json.
func Models() []Model {
	return append([]Model(nil), catalogue.Models...)
}

// DefaultModel returns the name of the model used when none is given.
func DefaultModel() string { return catalogue.Default }
