// Package jpeg decodes baseline and progressive JPEGs at a reduced scale n/8
// (n = 1..8) in the DCT domain, as libjpeg's scale_num/scale_denom and PIL's
// draft mode do: the inverse DCT of each 8x8 block keeps only its lowest
// frequencies and produces n x n pixels. A 12 MP photo decoded for a 224 x 224
// network never exists at full size, and a progressive one keeps only the
// coefficients that the reduced transform reads.
//
// It covers 8-bit Huffman-coded files, sequential (SOF0, SOF1) and
// progressive (SOF2), grayscale, YCbCr with any integer subsampling (4:4:4,
// 4:2:2, 4:2:0, 4:4:0, 4:1:1, ...), RGB, and Adobe CMYK and YCCK, with or
// without restart intervals. Other files (12-bit, arithmetic-coded, lossless,
// hierarchical) give an error that wraps ErrUnsupported, so that the caller
// can decode them another way.
package jpeg

import (
	"errors"
	"fmt"
	"image"
)

// ErrUnsupported is wrapped by the error on a valid file that this decoder
// does not handle.
var ErrUnsupported = errors.New("unsupported JPEG feature")

func unsupported(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrUnsupported, fmt.Sprintf(format, a...))
}

// formatError is a file that breaks the format.
type formatError string

func (e formatError) Error() string { return "invalid JPEG format: " + string(e) }

// ScaledSize is the size of a w x h image decoded at n/8, rounded up as
// libjpeg rounds it.
func ScaledSize(w, h, n int) (int, int) {
	return (w*n + 7) / 8, (h*n + 7) / 8
}

// Markers, section B.1.1.3 and table B.1.
const (
	sof0  = 0xc0 // baseline
	sof1  = 0xc1 // extended sequential, Huffman
	sof2  = 0xc2 // progressive, Huffman
	sof3  = 0xc3 // lossless
	dht   = 0xc4
	sof15 = 0xcf
	dac   = 0xcc // arithmetic conditioning
	rst0  = 0xd0
	rst7  = 0xd7
	soi   = 0xd8
	eoi   = 0xd9
	sos   = 0xda
	dqt   = 0xdb
	dnl   = 0xdc
	dri   = 0xdd
	app0  = 0xe0
	app14 = 0xee
	app15 = 0xef
	com   = 0xfe
)

// Adobe APP14 colour transforms.
const (
	adobeUnknown = 0 // RGB or CMYK
	adobeYCbCr   = 1
	adobeYCCK    = 2
)

// component is one colour channel of the frame, and where its reduced
// samples go.
type component struct {
	id     uint8
	h, v   int // sampling factors
	tq     uint8
	td, ta uint8 // Huffman tables of the current scan

	bw, bh   int // blocks across and down, padded to whole MCUs
	sw, sh   int // pixels the reduced inverse DCT makes of a block, across and down
	upH, upV int // each of those pixels then stands for upH x upV output pixels
	stride   int // of plane: bw*sw
	plane    []byte
	kmax     int // last zigzag index the reduced inverse DCT reads
	pred     int32

	// Progressive files only: the coefficients the reduced inverse DCT
	// reads (ncoef a block, at slot[k] for zigzag index k; -1 if dropped),
	// and for every block a bit per zigzag index that is not zero, which
	// AC refinement scans need even for the dropped coefficients.
	ncoef int
	slot  [64]int8
	coef  []int16
	nz    []uint64
}

type decoder struct {
	mem  *Decoder // nil for DecodeConfig
	data []byte
	bits bitState
	pad  int // zero bytes the entropy decoder was fed past a marker or the end

	width, height int
	n             int // scale n/8
	progressive   bool
	ncomp         int
	comp          [4]component
	hmax, vmax    int
	mcusX, mcusY  int
	ri            int // restart interval in MCUs, 0 if none

	quant   [4][64]int32 // zigzag order
	qset    [4]bool
	huff    [2][4]*huffTable // [class: DC, AC][id]
	eobrun  int
	config  bool // stop after the frame header
	jfif    bool
	adobe   bool
	adobeTr uint8
	sawSOF  bool
	sawSOS  bool
	scans   int

	// The block being transformed and its pixels, kept here rather than
	// on the stack: the arguments of kernels.InverseDCT, called through
	// the kernel set's table, escape.
	blk [64]int32
	out [8][8]byte
}

// maxScans bounds the scans of a file, as libjpeg-turbo's scan limit does:
// each scan visits every block, so a small hostile file of many empty
// scans could otherwise take minutes. Real progressive files have about ten.
const maxScans = 500

// Decode decodes a JPEG at scale n/8, 1 <= n <= 8: an image of
// ScaledSize(width, height, n) pixels, *image.YCbCr, *image.Gray,
// *image.RGBA or *image.CMYK as image/jpeg would return at full size.
// The caller bounds the image's size (from its header) before calling:
// memory grows with the reduced image.
func Decode(data []byte, n int) (image.Image, error) {
	return new(Decoder).Decode(data, n)
}

// A Decoder decodes one JPEG after another into planes it keeps, so that a
// batch reuses their memory rather than the garbage collector's: an image
// it returns is valid until its next Decode. The zero value is ready.
type Decoder struct {
	planes []byte
}

// Decode is the package's Decode, into dec's planes.
func (dec *Decoder) Decode(data []byte, n int) (image.Image, error) {
	if n < 1 || n > 8 {
		return nil, fmt.Errorf("jpeg: scale %d/8, want 1/8 to 8/8", n)
	}
	d := &decoder{data: data, n: n, mem: dec}
	if err := d.decode(); err != nil {
		return nil, err
	}
	return d.image()
}

// take returns n zeroed bytes of dec's planes.
func (dec *Decoder) take(n int) []byte {
	if cap(dec.planes) < n {
		dec.planes = make([]byte, n)
		return dec.planes
	}
	dec.planes = dec.planes[:n]
	clear(dec.planes)
	return dec.planes
}

// DecodeConfig returns the width and height of a JPEG from its frame
// header, or why this package cannot decode it.
func DecodeConfig(data []byte) (width, height int, err error) {
	d := &decoder{data: data, n: 8, config: true}
	if err := d.decode(); err != nil {
		return 0, 0, err
	}
	return d.width, d.height, nil
}

func (d *decoder) decode() error {
	data := d.data
	if len(data) < 2 || data[0] != 0xff || data[1] != soi {
		return formatError("missing SOI marker")
	}
	p := 2
	for {
		// Skip to the next marker: libjpeg and image/jpeg ignore
		// extraneous bytes between segments, and fill bytes 0xff.
		for p < len(data) && data[p] != 0xff {
			p++
		}
		for p < len(data) && data[p] == 0xff {
			p++
		}
		if p >= len(data) {
			if d.sawSOS {
				return nil // libjpeg accepts a missing EOI
			}
			return formatError("missing SOS marker")
		}
		marker := data[p]
		p++
		switch {
		case marker == 0: // a stuffed 0xff in stray data
			continue
		case marker == eoi:
			if !d.sawSOS {
				return formatError("missing SOS marker")
			}
			return nil
		case marker >= rst0 && marker <= rst7, marker == 0x01:
			continue // no payload
		}
		if p+2 > len(data) {
			return formatError("truncated segment")
		}
		length := int(data[p])<<8 | int(data[p+1])
		if length < 2 || p+length > len(data) {
			return formatError("bad segment length")
		}
		seg := data[p+2 : p+length]
		p += length
		var err error
		switch {
		case marker == sof0 || marker == sof1 || marker == sof2:
			if err = d.sof(seg, marker == sof2); err == nil && d.config {
				return nil
			}
		case marker == sof3 || marker > dht && marker <= sof15 && marker != dac:
			if marker >= 0xc9 {
				return unsupported("arithmetic coding")
			}
			return unsupported("lossless or hierarchical coding")
		case marker == dac:
			return unsupported("arithmetic coding")
		case marker == dht:
			err = d.dht(seg)
		case marker == dqt:
			err = d.dqt(seg)
		case marker == dri:
			if len(seg) != 2 {
				return formatError("bad DRI length")
			}
			d.ri = int(seg[0])<<8 | int(seg[1])
		case marker == dnl:
			return unsupported("DNL marker")
		case marker == app0:
			if len(seg) >= 5 && string(seg[:5]) == "JFIF\x00" {
				d.jfif = true
			}
		case marker == app14:
			if len(seg) >= 12 && string(seg[:5]) == "Adobe" {
				d.adobe, d.adobeTr = true, seg[11]
			}
		case marker == sos:
			if !d.sawSOF {
				return formatError("SOS before SOF")
			}
			d.sawSOS = true
			if d.scans++; d.scans > maxScans {
				return formatError("more than 500 scans")
			}
			p, err = d.scan(seg, p)
		case marker >= app0 && marker <= app15, marker == com:
			// ignored
		case marker < 0xc0:
			return formatError("unknown marker")
		default:
			return unsupported("marker %#02x", marker)
		}
		if err != nil {
			return err
		}
	}
}

// sof reads a frame header, section B.2.2, and lays out the reduced planes.
func (d *decoder) sof(seg []byte, progressive bool) error {
	if d.sawSOF {
		return formatError("multiple SOF markers")
	}
	d.sawSOF = true
	d.progressive = progressive
	if len(seg) < 6 {
		return formatError("short SOF")
	}
	if seg[0] != 8 {
		return unsupported("%d-bit precision", seg[0])
	}
	d.height = int(seg[1])<<8 | int(seg[2])
	d.width = int(seg[3])<<8 | int(seg[4])
	if d.height == 0 {
		return unsupported("image height given by a DNL marker")
	}
	if d.width == 0 {
		return formatError("zero width")
	}
	d.ncomp = int(seg[5])
	if d.ncomp != 1 && d.ncomp != 3 && d.ncomp != 4 {
		return unsupported("%d components", d.ncomp)
	}
	if len(seg) != 6+3*d.ncomp {
		return formatError("bad SOF length")
	}
	d.hmax, d.vmax = 1, 1
	for i := 0; i < d.ncomp; i++ {
		c := &d.comp[i]
		c.id = seg[6+3*i]
		for j := 0; j < i; j++ {
			if d.comp[j].id == c.id {
				return formatError("repeated component identifier")
			}
		}
		c.h, c.v = int(seg[7+3*i]>>4), int(seg[7+3*i]&15)
		if c.h < 1 || c.h > 4 || c.v < 1 || c.v > 4 {
			return formatError("bad sampling factor")
		}
		if d.ncomp == 1 {
			// A single component is never interleaved: its MCU is one
			// block whatever its sampling factors say (section A.2).
			c.h, c.v = 1, 1
		}
		c.tq = seg[8+3*i]
		if c.tq > 3 {
			return formatError("bad quantization table selector")
		}
		d.hmax, d.vmax = max(d.hmax, c.h), max(d.vmax, c.v)
	}
	d.mcusX = (d.width + 8*d.hmax - 1) / (8 * d.hmax)
	d.mcusY = (d.height + 8*d.vmax - 1) / (8 * d.vmax)
	for i := 0; i < d.ncomp; i++ {
		c := &d.comp[i]
		if d.hmax%c.h != 0 || d.vmax%c.v != 0 {
			return unsupported("sampling factors %dx%d beside %dx%d", c.h, c.v, d.hmax, d.vmax)
		}
		c.bw, c.bh = d.mcusX*c.h, d.mcusY*c.v
		// A block of this component covers 8*hmax/h by 8*vmax/v full-size
		// pixels: n*hmax/h by n*vmax/v reduced ones. The inverse DCT makes
		// at most 8 of them a side; what is left is replicated, as
		// libjpeg scales chroma up in the DCT where it can and upsamples
		// otherwise.
		c.sw, c.upH = split(d.n * d.hmax / c.h)
		c.sh, c.upV = split(d.n * d.vmax / c.v)
		c.stride = c.bw * c.sw
		c.kmax = 0
		c.ncoef = 0
		for k := 0; k < 64; k++ {
			c.slot[k] = -1
			if int(zigzag[k]&7) < c.sw && int(zigzag[k]>>3) < c.sh {
				c.slot[k] = int8(c.ncoef)
				c.ncoef++
				c.kmax = k
			}
		}
	}
	if d.config {
		return nil
	}
	// The planes (and a progressive file's coefficients) are allocated now:
	// the caller bounded width x height, and they are the reduced size.
	size := 0
	for i := 0; i < d.ncomp; i++ {
		c := &d.comp[i]
		size += c.stride * c.bh * c.sh
	}
	planes := d.mem.take(size)
	for i := 0; i < d.ncomp; i++ {
		c := &d.comp[i]
		n := c.stride * c.bh * c.sh
		c.plane, planes = planes[:n:n], planes[n:]
		if progressive {
			c.coef = make([]int16, c.bw*c.bh*c.ncoef)
			c.nz = make([]uint64, c.bw*c.bh)
		}
	}
	return nil
}

// split returns the inverse DCT size s <= 8 and the replication factor up
// with s*up = t, preferring the factors image.YCbCr can express.
func split(t int) (s, up int) {
	for _, up := range [...]int{1, 2, 4} {
		if t%up == 0 && t/up <= 8 {
			return t / up, up
		}
	}
	for up = 3; t/up > 8 || t%up != 0; up++ {
	}
	return t / up, up
}

// dqt reads quantization tables, section B.2.4.1.
func (d *decoder) dqt(seg []byte) error {
	for len(seg) > 0 {
		pq, tq := seg[0]>>4, seg[0]&15
		if tq > 3 {
			return formatError("bad Tq value")
		}
		switch pq {
		case 0:
			if len(seg) < 65 {
				return formatError("short DQT")
			}
			for k := 0; k < 64; k++ {
				d.quant[tq][k] = int32(seg[1+k])
			}
			seg = seg[65:]
		case 1:
			if len(seg) < 129 {
				return formatError("short DQT")
			}
			for k := 0; k < 64; k++ {
				d.quant[tq][k] = int32(seg[1+2*k])<<8 | int32(seg[2+2*k])
			}
			seg = seg[129:]
		default:
			return formatError("bad Pq value")
		}
		d.qset[tq] = true
	}
	return nil
}

// dht reads Huffman tables, section B.2.4.2.
func (d *decoder) dht(seg []byte) error {
	for len(seg) > 0 {
		if len(seg) < 17 {
			return formatError("short DHT")
		}
		tc, th := seg[0]>>4, seg[0]&15
		if tc > 1 || th > 3 {
			return formatError("bad Tc or Th value")
		}
		var counts [16]int
		total := 0
		for i := range counts {
			counts[i] = int(seg[1+i])
			total += counts[i]
		}
		if total == 0 || total > 256 || len(seg) < 17+total {
			return formatError("bad DHT lengths")
		}
		t, err := huffTableFor(seg[1:17+total], counts, seg[17:17+total], tc == 1)
		if err != nil {
			return err
		}
		d.huff[tc][th] = t
		seg = seg[17+total:]
	}
	return nil
}

// zigzag[k] is the natural-order index (8*row + column) of the k-th
// coefficient in zigzag order, figure A.6.
var zigzag = [64]uint8{
	0, 1, 8, 16, 9, 2, 3, 10,
	17, 24, 32, 25, 18, 11, 4, 5,
	12, 19, 26, 33, 40, 48, 41, 34,
	27, 20, 13, 6, 7, 14, 21, 28,
	35, 42, 49, 56, 57, 50, 43, 36,
	29, 22, 15, 23, 30, 37, 44, 51,
	58, 59, 52, 45, 38, 31, 39, 46,
	53, 60, 61, 54, 47, 55, 62, 63,
}
