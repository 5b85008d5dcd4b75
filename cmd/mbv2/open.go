package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/mbv2/mbv2/model"
)

// precision is the --precision flag: "" for the model's own (int8 for a
// quantized file).
var precision model.Precision

// An openedModel is a model file loaded, with where it came from.
type openedModel struct {
	m       *model.Model
	data    []byte        // the file
	path    string        // where it was read, or builtInPath
	catalog string        // its name in the catalogue; "" for a path
	load    time.Duration // of model.Load alone, not of a first-use download
}

// name is what results call the model: its catalogue name, else its file's.
func (o *openedModel) name() string {
	if o.catalog != "" {
		return o.catalog
	}
	return strings.TrimSuffix(filepath.Base(o.path), ".tflite")
}

// modelError is a model that could not be opened: an unknown name, a file
// that cannot be read or downloaded, or one that is not a MobileNetV2 this
// program can run. Every command fails on it alike (see run).
type modelError struct{ err error }

func (e modelError) Error() string { return e.err.Error() }
func (e modelError) Unwrap() error { return e.err }

// openModel resolves the -m argument (else $MBV2_MODEL, else the default
// model), reads the file, downloading it on first use with progress on
// io.Err, and loads it. sized, when not nil, learns the model's resolution
// before the weights are unpacked, so that images can be resized meanwhile.
// Classify, bench and model info all open their model here.
func openModel(ctx context.Context, io *iostreams, arg string, sized func(res int)) (*openedModel, error) {
	data, path, catalog, err := newModelStore(io).read(ctx, arg)
	if err != nil {
		return nil, modelError{err}
	}
	start := time.Now()
	m, err := model.LoadSized(data, precision, sized)
	if errors.Is(err, model.ErrNotQuantized) {
		return nil, usageError{fmt.Errorf("--precision int8: model %s: %w", path, err)}
	}
	if err != nil {
		return nil, modelError{fmt.Errorf("model %s: %w", path, err)}
	}
	return &openedModel{m: m, data: data, path: path, catalog: catalog, load: time.Since(start)}, nil
}
