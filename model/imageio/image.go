// Package imageio turns an image file into the RGB input of a model: it
// decodes by content, applies the EXIF orientation, crops and resizes. It
// knows nothing of the network.
package imageio

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"slices"
	"strings"

	scaledjpeg "github.com/mbv2/mbv2/model/imageio/jpeg"
	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"
	"golang.org/x/image/webp"
)

// A format is an image format DecodeImage knows: its decoder, and the magic
// number its files start with ('?' matches any byte), as the decoder's
// package registers it with package image. The formats are listed here
// rather than taken from that registry, so that what counts as an image
// does not depend on what else the program imports.
type format struct {
	name   string
	magic  string
	decode func(io.Reader) (image.Image, error)
	config func(io.Reader) (image.Config, error)
}

var formats = []format{
	{"jpeg", "\xff\xd8", jpeg.Decode, jpeg.DecodeConfig},
	{"png", "\x89PNG\r\n\x1a\n", png.Decode, png.DecodeConfig},
	{"gif", "GIF8?a", gif.Decode, gif.DecodeConfig},
	{"bmp", "BM????\x00\x00\x00\x00", bmp.Decode, bmp.DecodeConfig},
	{"tiff", "II*\x00", tiff.Decode, tiff.DecodeConfig},
	{"tiff", "MM\x00*", tiff.Decode, tiff.DecodeConfig},
	{"webp", "RIFF????WEBPVP8", webp.Decode, webp.DecodeConfig},
}

// sniff returns the format whose magic number data starts with, or nil.
func sniff(data []byte) *format {
next:
	for i := range formats {
		f := &formats[i]
		if len(data) < len(f.magic) {
			continue
		}
		for j := range len(f.magic) {
			if f.magic[j] != '?' && f.magic[j] != data[j] {
				continue next
			}
		}
		return f
	}
	return nil
}

// Format returns the name of the image format that head, the first bytes
// of a file, starts as ("jpeg", "png", "gif", "bmp", "tiff" or "webp"), or
// "" if none: the files that DecodeImage tries to decode.
func Format(head []byte) string {
	if f := sniff(head); f != nil {
		return f.name
	}
	return ""
}

// Decode says how DecodeScaled decodes a JPEG.
type Decode int

const (
	// DecodeFast (the default) decodes a JPEG in the DCT domain at the
	// smallest scale n/8 whose image, oriented and cropped, still covers
	// the model's input: a 12 MP photo never exists at full size.
	DecodeFast Decode = iota
	// DecodeExact decodes every pixel, as DecodeImage does.
	DecodeExact
)

var decodeNames = [...]string{DecodeFast: "fast", DecodeExact: "exact"}

// ParseDecode parses "fast" or "exact".
func ParseDecode(s string) (Decode, error) {
	for d, name := range decodeNames {
		if strings.EqualFold(s, name) {
			return Decode(d), nil
		}
	}
	return 0, fmt.Errorf("unknown decode mode %q (choose %s)", s, strings.Join(decodeNames[:], ", "))
}

// DecodeNames lists the modes ParseDecode knows.
func DecodeNames() []string { return slices.Clone(decodeNames[:]) }

func (d Decode) String() string {
	if d >= 0 && int(d) < len(decodeNames) {
		return decodeNames[d]
	}
	return fmt.Sprintf("Decode(%d)", int(d))
}

// DecodeImage decodes an image by its content, not its name: JPEG, PNG, GIF
// (first frame), BMP, TIFF or WebP, and applies the JPEG EXIF orientation.
// If maxPixels > 0, an image whose header declares more pixels than that is
// refused before it is decoded, so a decompression bomb cannot exhaust memory.
// Errors are one line and say why.
func DecodeImage(data []byte, maxPixels int) (image.Image, error) {
	return DecodeScaled(data, maxPixels, 0, 1, DecodeExact)
}

// DecodeScaled is DecodeImage for a model whose input is size x size pixels,
// cut from the central fraction crop of the image (as PrepareRGB does). With
// DecodeFast a JPEG comes out at the smallest scale n/8 of its full size
// whose crop is still at least size x size, so that PrepareRGB still
// downscales it; a JPEG that this decoder does not cover (12-bit,
// arithmetic-coded, lossless), or that it finds corrupt, is decoded at full
// size instead, and one that image/jpeg refuses at full size is given to
// this decoder at 8/8. Other formats are always decoded at full size.
func DecodeScaled(data []byte, maxPixels, size int, crop float64, mode Decode) (image.Image, error) {
	return new(Decoder).DecodeScaled(data, maxPixels, size, crop, mode)
}

// A Decoder is DecodeScaled for one image after another, as a worker of a
// batch decodes them: it keeps the memory of the JPEGs it decodes at a
// reduced scale, and an image it returns is valid until its next call.
// Over 720p photos that made 1.08x the images a second on one worker and
// 1.16x on two, where each image's planes were garbage to collect. The
// zero value is ready.
type Decoder struct {
	jpeg scaledjpeg.Decoder
}

// DecodeScaled is the package's DecodeScaled, with dec's memory.
func (dec *Decoder) DecodeScaled(data []byte, maxPixels, size int, crop float64, mode Decode) (image.Image, error) {
	if len(data) == 0 {
		return nil, errors.New("empty file")
	}
	f := sniff(data)
	if f == nil {
		return nil, decodeError("", data, image.ErrFormat)
	}
	format := f.name
	cfg, err := f.config(bytes.NewReader(data))
	if err != nil {
		if format == "jpeg" {
			// Say which feature image/jpeg lacks, where this package knows.
			if _, _, e := scaledjpeg.DecodeConfig(data); errors.Is(e, scaledjpeg.ErrUnsupported) {
				err = e
			}
		}
		return nil, decodeError(format, data, err)
	}
	w, h := cfg.Width, cfg.Height
	if w <= 0 || h <= 0 {
		return nil, fmt.Errorf("image is %dx%d, it has no pixels", w, h)
	}
	if maxPixels > 0 && int64(w)*int64(h) > int64(maxPixels) {
		return nil, fmt.Errorf("image is %dx%d, more than the %d-pixel limit", w, h, maxPixels)
	}
	var img image.Image
	var fastErr error
	n := jpegScale(w, h, size, crop)
	scaled := func(n int) {
		img, fastErr = decode(func(io.Reader) (image.Image, error) { return dec.jpeg.Decode(data, n) }, data)
	}
	fast := format == "jpeg" && mode == DecodeFast
	if fast && n < 8 {
		scaled(n)
	}
	if img == nil {
		if img, err = decode(f.decode, data); err != nil {
			// image/jpeg refuses some valid files, progressive ones with
			// restart intervals among them.
			if fast && n == 8 {
				scaled(8)
			}
			if img == nil {
				if errors.Is(fastErr, scaledjpeg.ErrUnsupported) {
					err = fastErr // says which feature
				}
				return nil, decodeError(format, data, err)
			}
		}
	}
	if format == "jpeg" {
		if o := jpegOrientation(data); o > 1 {
			img = orient(img, o)
		}
	}
	return img, nil
}

// jpegScale is the smallest n (1..8) at which a w x h JPEG decoded at n/8
// and central-cropped to crop still covers size x size; 8 if none does or
// size is 0. Orientation need not be known: it swaps width and height, and
// crop and size are the same across and down.
func jpegScale(w, h, size int, crop float64) int {
	if size <= 0 || !(crop > 0 && crop <= 1) {
		return 8
	}
	for n := 1; n < 8; n++ {
		sw, sh := scaledjpeg.ScaledSize(w, h, n)
		if r := centralCrop(image.Rect(0, 0, sw, sh), crop); r.Dx() >= size && r.Dy() >= size {
			return n
		}
	}
	return 8
}

// decode runs a decoder. Decoders are third-party code fed untrusted
// files; a panic in one of them becomes an error on that file rather than
// the end of a whole batch.
func decode(dec func(io.Reader) (image.Image, error), data []byte) (img image.Image, err error) {
	defer func() {
		if r := recover(); r != nil {
			img, err = nil, fmt.Errorf("decoder failed: %v", r)
		}
	}()
	return dec(bytes.NewReader(data))
}

// pngEnd is the IEND chunk that closes every complete PNG.
var pngEnd = []byte("\x00\x00\x00\x00IEND\xae\x42\x60\x82")

// decodeError turns a decoder's error on data into one line that says why.
func decodeError(format string, data []byte, err error) error {
	if errors.Is(err, image.ErrFormat) {
		return errors.New("not an image (unknown format)")
	}
	name := strings.ToUpper(format)
	msg := err.Error()
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		// gif formats the io error into its own: "...: unexpected EOF".
		strings.HasSuffix(msg, io.ErrUnexpectedEOF.Error()) ||
		// png says "not enough pixel data" when the file stops in the
		// middle; a PNG that has its IEND chunk is corrupt instead.
		format == "png" && !bytes.HasSuffix(data, pngEnd) {
		return fmt.Errorf("truncated %s", name)
	}
	msg = strings.TrimPrefix(msg, format+": ")
	msg = strings.Join(strings.Fields(msg), " ")
	return fmt.Errorf("cannot decode %s: %s", name, msg)
}
