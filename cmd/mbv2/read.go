package main

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"io"
	"math"
	"os"

	"github.com/mbv2/mbv2/model/imageio"
)

// read reads the input's bytes into buf. A file found under a directory
// is first sniffed, and passed over (errSkip) if it is not an image, so
// that a video among the photos is not read whole. A stream (stdin, a
// pipe, a device) is sniffed too, and read no further than the image its
// header declares can take.
func (w *worker) read(in input) error {
	w.buf.Reset()
	r := w.b.opts.io.In
	size := int64(-1) // unknown
	if !in.stdin {
		f, err := os.Open(in.path)
		if err != nil {
			return readError(err)
		}
		defer f.Close()
		fi, err := f.Stat()
		if err != nil {
			return readError(err)
		}
		if fi.IsDir() {
			return errors.New("is a directory (use -r to classify the images in it)")
		}
		if fi.Mode().IsRegular() {
			size = fi.Size()
		}
		r = f
	}
	limit, limitErr := w.b.fileLimit, w.b.checkSize
	switch {
	case in.found:
		var head [sniffLen]byte
		n, err := io.ReadFull(r, head[:])
		if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
			return readError(err)
		}
		if imageio.Format(head[:n]) == "" {
			return errSkip
		}
		w.buf.Write(head[:n])
	case size < 0:
		var err error
		if limit, limitErr, err = w.sniffStream(r); err != nil {
			return err
		}
	}
	if size >= 0 {
		if err := limitErr(size); err != nil {
			return err
		}
		w.buf.Grow(int(size) - w.buf.Len() + 1) // +1: ReadFrom then meets EOF without growing
		r = io.LimitReader(r, size+1-int64(w.buf.Len()))
	}
	if err := readBounded(&w.buf, r, limit); err != nil {
		return readError(err)
	}
	return limitErr(int64(w.buf.Len()))
}

// streamHead is how much of a stream is read to find its image header:
// a JPEG's may follow 64 KiB of EXIF.
const streamHead = 128 << 10

// sniffStream reads the head of a stream of unknown size into buf. It
// refuses a stream that is not an image, or whose header declares more
// than --max-pixels, before reading on; and it returns the bytes the rest
// of the stream may take and the check of that: the file limit of the
// pixels the header declares, so that an endless stream (a device, or an
// image followed by garbage) stops there even with --max-pixels 0.
func (w *worker) sniffStream(r io.Reader) (int64, func(int64) error, error) {
	head := make([]byte, streamHead)
	n, err := io.ReadFull(r, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return 0, nil, readError(err)
	}
	w.buf.Write(head[:n])
	if n == 0 {
		return 0, nil, errors.New("empty file")
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(head[:n]))
	switch {
	case errors.Is(err, image.ErrFormat):
		return 0, nil, errors.New("not an image (unknown format)")
	case err != nil || cfg.Width <= 0 || cfg.Height <= 0:
		// The header is not in the head: the decoder says what is wrong,
		// within the --max-pixels limit.
		limit := w.b.fileLimit
		if limit == 0 {
			limit = fileLimit(defaultMaxPixels)
		}
		return limit, func(n int64) error {
			if n > limit {
				return fmt.Errorf("stream longer than the %d bytes an image may take before its header is found", streamHead)
			}
			return nil
		}, nil
	}
	pixels := int64(cfg.Width) * int64(cfg.Height)
	if max := w.b.opts.maxPixels; max > 0 && pixels > int64(max) {
		return 0, nil, fmt.Errorf("image is %dx%d, more than the %d-pixel limit", cfg.Width, cfg.Height, max)
	}
	limit := fileLimit(int(pixels))
	return limit, func(n int64) error {
		if n > limit {
			return fmt.Errorf("stream larger than the %d bytes a %dx%d image can take", limit, cfg.Width, cfg.Height)
		}
		return nil
	}, nil
}

// readBounded appends r to buf until EOF or one byte past limit (0: no
// limit). Its capacity doubles but never passes limit+1, where
// bytes.Buffer's own growth would double past it.
func readBounded(buf *bytes.Buffer, r io.Reader, limit int64) error {
	const minRead = 64 << 10
	if limit > 0 {
		r = io.LimitReader(r, limit+1-int64(buf.Len()))
	}
	for {
		if buf.Available() == 0 {
			c := max(minRead, 2*buf.Cap())
			if limit > 0 {
				c = int(min(int64(c), limit+1))
			}
			b := make([]byte, buf.Len(), c)
			copy(b, buf.Bytes())
			*buf = *bytes.NewBuffer(b)
		}
		b := buf.AvailableBuffer()
		n, err := r.Read(b[:cap(b)])
		buf.Write(b[:n]) // into its own free space: no copy
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// checkSize refuses a file larger than any image within --max-pixels can
// be, before it is read: an image of 16-bit RGBA stored raw takes 8 bytes
// a pixel.
func (b *batch) checkSize(n int64) error {
	if b.fileLimit > 0 && n > b.fileLimit {
		return fmt.Errorf("file larger than the %d bytes an image within --max-pixels %d can take", b.fileLimit, b.opts.maxPixels)
	}
	return nil
}

// fileLimit is the largest file an image of maxPixels may be: 8 bytes a
// pixel, and 16 MiB of metadata and thumbnails.
func fileLimit(maxPixels int) int64 {
	if maxPixels <= 0 {
		return 0
	}
	return 8*int64(maxPixels) + 16<<20
}

// maxMaxPixels is the largest --max-pixels whose file limit fits an int.
const maxMaxPixels = (math.MaxInt - 16<<20) / 8

// defaultMaxPixels is the default of --max-pixels.
const defaultMaxPixels = 100_000_000
