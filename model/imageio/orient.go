package imageio

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/draw"
)

// orient returns img as it should be displayed under EXIF orientation o
// (2..8), as a new *image.RGBA. Pixel (dx, dy) of the result is read from
// the stored image at start + dx*stepX + dy*stepY.
func orient(img image.Image, o int) image.Image {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	src := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(src, src.Rect, img, b.Min, draw.Src)

	// Stored-image coordinates of the result's first pixel, and how they
	// move one pixel right and one pixel down in the result.
	var x0, y0, xdx, ydx, xdy, ydy int
	switch o {
	case 2: // mirrored left-right
		x0, y0, xdx, ydx, xdy, ydy = w-1, 0, -1, 0, 0, 1
	case 3: // rotated 180
		x0, y0, xdx, ydx, xdy, ydy = w-1, h-1, -1, 0, 0, -1
	case 4: // mirrored top-bottom
		x0, y0, xdx, ydx, xdy, ydy = 0, h-1, 1, 0, 0, -1
	case 5: // transposed
		x0, y0, xdx, ydx, xdy, ydy = 0, 0, 0, 1, 1, 0
	case 6: // stored rotated 90 counter-clockwise: turn it 90 clockwise
		x0, y0, xdx, ydx, xdy, ydy = 0, h-1, 0, -1, 1, 0
	case 7: // transversed
		x0, y0, xdx, ydx, xdy, ydy = w-1, h-1, 0, -1, -1, 0
	case 8: // stored rotated 90 clockwise: turn it 90 counter-clockwise
		x0, y0, xdx, ydx, xdy, ydy = w-1, 0, 0, 1, -1, 0
	default:
		return img
	}
	dw, dh := w, h
	if o >= 5 {
		dw, dh = h, w
	}
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	stepX := xdx*4 + ydx*src.Stride
	stepY := xdy*4 + ydy*src.Stride
	row := x0*4 + y0*src.Stride
	for dy := 0; dy < dh; dy++ {
		s := row
		d := dst.Pix[dy*dst.Stride : dy*dst.Stride+dw*4]
		for dx := 0; dx < len(d); dx += 4 {
			copy(d[dx:dx+4], src.Pix[s:s+4])
			s += stepX
		}
		row += stepY
	}
	return dst
}

// jpegOrientation returns the EXIF orientation (1..8) of a JPEG, read from
// the first APP1 "Exif\0\0" segment before the image data; 1 if there is
// none or it cannot be read.
func jpegOrientation(data []byte) int {
	if len(data) < 4 || data[0] != 0xff || data[1] != 0xd8 {
		return 1
	}
	for p := 2; p+4 <= len(data); {
		if data[p] != 0xff {
			return 1
		}
		marker := data[p+1]
		switch {
		case marker == 0xff: // fill byte
			p++
			continue
		case marker == 0x01 || marker >= 0xd0 && marker <= 0xd7: // no payload
			p += 2
			continue
		case marker == 0xda || marker == 0xd9: // start of scan, end of image
			return 1
		}
		n := int(data[p+2])<<8 | int(data[p+3]) // includes its own two bytes
		if n < 2 || p+2+n > len(data) {
			return 1
		}
		seg := data[p+4 : p+2+n]
		if marker == 0xe1 && bytes.HasPrefix(seg, []byte("Exif\x00\x00")) {
			return exifOrientation(seg[6:])
		}
		p += 2 + n
	}
	return 1
}

// exifOrientation reads tag 0x0112 (Orientation) from IFD0 of a TIFF
// structure, in either byte order; 1 if it is missing or out of range.
func exifOrientation(t []byte) int {
	if len(t) < 8 {
		return 1
	}
	var bo binary.ByteOrder
	switch string(t[:4]) {
	case "II*\x00":
		bo = binary.LittleEndian
	case "MM\x00*":
		bo = binary.BigEndian
	default:
		return 1
	}
	ifd := bo.Uint32(t[4:])
	if ifd > uint32(len(t)-2) {
		return 1
	}
	entries := t[ifd+2:]
	for i := 0; i < int(bo.Uint16(t[ifd:])) && 12*i+12 <= len(entries); i++ {
		e := entries[12*i : 12*i+12]
		const tagOrientation, typeShort = 0x0112, 3
		if bo.Uint16(e) == tagOrientation && bo.Uint16(e[2:]) == typeShort && bo.Uint32(e[4:]) == 1 {
			if o := int(bo.Uint16(e[8:])); o >= 1 && o <= 8 {
				return o
			}
			return 1
		}
	}
	return 1
}
