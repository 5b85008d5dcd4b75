package imageio

import (
	"bytes"
	"image"
	"testing"
)

// TestFormat checks the magic numbers of the formats against the registry
// of package image, which the decoder packages fill when imported: each
// format is recognised as its decoder would have it, and nothing else is.
func TestFormat(t *testing.T) {
	files := encodeAll(t, testPattern(5, 3))
	files["tiff (big-endian)"] = []byte("MM\x00\x2a\x00\x00\x00\x08")
	for name, data := range files {
		_, registered, _ := image.DecodeConfig(bytes.NewReader(data))
		if got := Format(data); got != registered || registered == "" {
			t.Errorf("%s: Format = %q, package image says %q", name, got, registered)
		}
	}
	for _, data := range []string{"", "\xff", "GIF8", "GIF87b", "BM\x00\x00\x00\x00\x01\x00\x00\x00", "RIFF\x00\x00\x00\x00WAVEfmt ", "MM\x2a\x00", "hello, world"} {
		_, _, err := image.DecodeConfig(bytes.NewReader([]byte(data)))
		if got := Format([]byte(data)); got != "" || err != image.ErrFormat {
			t.Errorf("%q: Format = %q, package image says %v; want neither to know it", data, got, err)
		}
	}
}
