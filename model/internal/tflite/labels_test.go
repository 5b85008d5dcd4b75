package tflite

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

func TestReadLabels(t *testing.T) {
	model := Write(tinyTFLite(), nil)
	for _, tc := range []struct {
		name  string
		files []string
		want  []string
	}{
		{"one per line", []string{"labels.txt", "background\ncat\n"}, []string{"background", "cat"}},
		{"no final newline", []string{"labels.txt", "background\ncat"}, []string{"background", "cat"}},
		{"CRLF", []string{"labels.txt", "a\r\nb, c\r\n"}, []string{"a", "b, c"}},
		{"empty label kept", []string{"l.txt", "a\n\nc\n"}, []string{"a", "", "c"}},
		{"first .txt", []string{"meta.json", "{}", "first.TXT", "x\n", "second.txt", "y\n"}, []string{"x"}},
	} {
		got, err := Labels(appendZip(slices.Clone(model), tc.files...))
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("%s: Labels = %q, %v; want %q", tc.name, got, err, tc.want)
		}
	}

	withLabels := appendLabels(slices.Clone(model), []string{"a", "b"})
	corrupt := slices.Clone(withLabels)
	// Flip a byte of the compressed labels: the checksum must catch it.
	corrupt[bytes.LastIndex(corrupt, []byte("labels.txt"))-60] ^= 0xff
	for _, tc := range []struct {
		name, error string
		data        []byte
	}{
		{"no zip", "no zip archive", model},
		{"empty file", "no zip archive", nil},
		{"cut zip", "no zip archive", withLabels[:len(withLabels)-10]},
		{"no .txt", "no .txt file", appendZip(slices.Clone(model), "labels.csv", "a\n")},
		{"empty labels", "is empty", appendZip(slices.Clone(model), "labels.txt", "\n")},
		{"too large", "larger than", appendZip(slices.Clone(model), "labels.txt", strings.Repeat("a\n", maxLabelBytes))},
		{"corrupt", "checksum", corrupt},
	} {
		got, err := Labels(tc.data)
		if err == nil || !strings.Contains(err.Error(), tc.error) || !strings.HasPrefix(err.Error(), "tflite: labels: ") {
			t.Errorf("%s: Labels = %q, %v; want an error containing %q", tc.name, got, err, tc.error)
		}
	}
}
