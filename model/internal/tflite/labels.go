package tflite

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
)

// maxLabelBytes bounds the decompressed size of a label file: ImageNet's
// 1001 labels take 21 KB, and a zip entry may claim any size.
const maxLabelBytes = 4 << 20

// Labels returns the lines of the first .txt file in the zip archive
// that TFLite metadata appends to a .tflite file. The zip reader finds the
// archive from its directory at the end of data, whatever comes before.
func Labels(data []byte) ([]string, error) {
	z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("tflite: labels: no zip archive appended to the model: %v", err)
	}
	for _, f := range z.File {
		if strings.HasSuffix(strings.ToLower(f.Name), ".txt") {
			return readLabelFile(f)
		}
	}
	return nil, errors.New("tflite: labels: the zip archive appended to the model has no .txt file")
}

func readLabelFile(f *zip.File) ([]string, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("tflite: labels: %s: %v", f.Name, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, maxLabelBytes+1))
	if err != nil {
		return nil, fmt.Errorf("tflite: labels: %s: %v", f.Name, err)
	}
	if len(b) > maxLabelBytes {
		return nil, fmt.Errorf("tflite: labels: %s is larger than %d bytes", f.Name, maxLabelBytes)
	}
	lines := ParseLabels(b)
	if lines == nil {
		return nil, fmt.Errorf("tflite: labels: %s is empty", f.Name)
	}
	return lines, nil
}

// ParseLabels returns the labels of a label file, one a line, in class
// order. Lines end with LF or CRLF; the last line end is optional. An empty
// file has no labels (nil).
func ParseLabels(b []byte) []string {
	text := strings.TrimSuffix(string(b), "\n")
	if text == "" {
		return nil
	}
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSuffix(l, "\r")
	}
	return lines
}
