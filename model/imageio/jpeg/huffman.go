package jpeg

import (
	"bytes"
	"encoding/binary"
	"sync"
)

// lutBits is how many bits the lookup tables decode at once: most codes
// with their magnitude bits fit, and the tables (2 KB + 4 KB) stay in L1.
const lutBits = 10

// eob is the run of a fast entry that ends the block.
const eob = 64

// A huffTable decodes one Huffman table. Looked up by the next lutBits bits
// of the stream:
//   - fast holds, where the code and the magnitude bits that follow it both
//     fit, the whole coefficient: value<<16 | run<<8 | bits consumed (0 if
//     they do not fit). For a DC table the run is 0 and the value the
//     difference; for an AC table an end of block has run eob and a ZRL run
//     15 and value 0, so that "skip run zeros, store the value" is right
//     for both.
//   - lut holds, where the code alone fits, length<<8 | symbol (0 if not).
//
// Longer codes are decoded from maxcode and delta as in figure F.16.
type huffTable struct {
	ac       bool
	def      []byte // the 16 counts and the symbols, as in DHT
	skipOnce sync.Once
	skip     []uint16 // AC tables of sequential scans: see skipEntry
	fast     [1 << lutBits]int32
	lut      [1 << lutBits]uint16
	maxcode  [17]int32 // largest code of each length, -1 if none
	delta    [17]int32 // index in vals of a code of that length, minus the code
	vals     [256]uint8
}

func newHuffTable(counts [16]int, vals []byte, ac bool) (*huffTable, error) {
	t := &huffTable{}
	copy(t.vals[:], vals)
	code, k := int32(0), 0
	for l := 1; l <= 16; l++ {
		n := counts[l-1]
		t.maxcode[l] = -1
		// Section C: the codes of each length must fit in it.
		if code+int32(n) > 1<<l {
			return nil, formatError("bad Huffman table")
		}
		if n > 0 {
			t.delta[l] = int32(k) - code
			for i := 0; i < n; i++ {
				if l <= lutBits {
					sym := vals[k]
					e := uint16(l)<<8 | uint16(sym)
					lo := code << (lutBits - l)
					for j := int32(0); j < 1<<(lutBits-l); j++ {
						t.lut[lo+j] = e
						t.fast[lo+j] = fastEntry(sym, l, lo+j, ac)
					}
				}
				code++
				k++
			}
			t.maxcode[l] = code - 1
		}
		code <<= 1
	}
	return t, nil
}

// buildSkip makes the skip table of an AC table, which sequential scans
// use, once: the table may be shared (see huffTables).
func (t *huffTable) buildSkip() {
	t.skipOnce.Do(func() {
		skip := make([]uint16, 1<<skipBits)
		for i := range skip {
			skip[i] = t.skipEntry(uint32(i))
		}
		t.skip = skip
	})
}

// huffTables keeps the tables of the files decoded last, built: photos
// from one camera or encoder share theirs (most use the example tables of
// the standard's annex K), and building a file's four tables, with their
// skip tables, took 0.14 ms of the 0.91 that decoding a 720p photo at 1/8
// did. A table is not changed once built but for its skip table, made once.
var huffTables struct {
	sync.Mutex
	recent []*huffTable // the last used last
}

// maxHuffTables bounds huffTables: a few files' worth of DC and AC tables.
const maxHuffTables = 16

// huffTableFor returns the table of class ac that DHT defines by def (its
// counts and symbols), from huffTables or built.
func huffTableFor(def []byte, counts [16]int, vals []byte, ac bool) (*huffTable, error) {
	c := &huffTables
	c.Lock()
	for i, t := range c.recent {
		if t.ac == ac && bytes.Equal(t.def, def) {
			copy(c.recent[i:], c.recent[i+1:])
			c.recent[len(c.recent)-1] = t
			c.Unlock()
			return t, nil
		}
	}
	c.Unlock()
	t, err := newHuffTable(counts, vals, ac)
	if err != nil {
		return nil, err
	}
	t.ac, t.def = ac, bytes.Clone(def)
	c.Lock()
	if len(c.recent) == maxHuffTables {
		c.recent = append(c.recent[:0], c.recent[1:]...)
	}
	c.recent = append(c.recent, t)
	c.Unlock()
	return t, nil
}

// skipBits is how many bits the skip table looks at.
const skipBits = 13

const skipEOB = 1 << 11

// skipEntry is the skip table's entry for the next skipBits bits w of a
// block's AC coefficients: every whole coefficient (code and magnitude) in
// w, up to and including an end of block. Bits 0-3 are the bits they take,
// bits 4-10 how far they move the zigzag index (one more if they end the
// block, so that "index + advance <= 64" says they all belong to it), and
// skipEOB says they end it. 0 if the first does not fit.
func (t *huffTable) skipEntry(w uint32) uint16 {
	used, adv := 0, 0
	for used < skipBits {
		e := t.lut[w<<used>>(skipBits-lutBits)&(1<<lutBits-1)]
		l := int(e >> 8)
		if l == 0 || used+l > skipBits {
			break
		}
		r, size := int(e&0xff)>>4, int(e&15)
		if used+l+size > skipBits {
			break
		}
		used += l + size
		switch {
		case size != 0:
			adv += r + 1
		case r == 15:
			adv += 16
		default: // an end of block (or, in a progressive scan, of a band)
			return skipEOB | uint16(adv+1)<<4 | uint16(used)
		}
		if adv >= 64 {
			break
		}
	}
	if adv > 64 {
		return 0
	}
	return uint16(adv)<<4 | uint16(used)
}

// fastEntry is the fast table's entry at index idx, whose first l bits are
// the code of sym.
func fastEntry(sym uint8, l int, idx int32, ac bool) int32 {
	size, run := int(sym&15), int32(sym>>4)
	if !ac {
		size, run = int(sym), 0
		if size > 16 {
			return 0
		}
	} else if size == 0 {
		switch run {
		case 0:
			return eob<<8 | int32(l)
		case 15:
			return 15<<8 | int32(l)
		}
		return 0 // an end-of-band run of a progressive scan
	}
	if l+size > lutBits {
		return 0
	}
	bits := idx >> (lutBits - l - size) & (1<<size - 1)
	return extend(bits, uint(size))<<16 | run<<8 | int32(l+size)
}

// extend turns the size low bits v of a magnitude category into the signed
// value, figure F.12.
func extend(v int32, size uint) int32 {
	if size == 0 {
		return 0
	}
	if v < 1<<(size-1) {
		return v - 1<<size + 1
	}
	return v
}

// bitState is the entropy decoder's position: the next n bits of the
// stream, left-aligned in acc (bits past n are zero), and the next byte to
// load. It is small enough that the hot loops keep it in registers.
type bitState struct {
	acc uint64
	n   uint
	pos int
}

// need is how many bits the decoder keeps ready before each symbol: the
// longest code (16) plus the longest magnitude (15).
const need = 32

// fill tops s up to more than 56 bits. Bytes are stuffed ("\xff\x00" is a
// data 0xff); at a marker or the end of the data it feeds zeros, counting
// them in d.pad, and stays put.
func (d *decoder) fill(s bitState) bitState {
	data := d.data
	for s.n <= 56 {
		if s.pos+8 <= len(data) {
			w := binary.BigEndian.Uint64(data[s.pos:])
			// No 0xff among the 8 bytes: take all whole bytes that fit.
			if x := ^w; (x-0x0101010101010101)&^x&0x8080808080808080 == 0 {
				k := (64 - s.n) >> 3
				s.acc |= w >> (64 - 8*k) << (64 - 8*k - s.n)
				s.n += 8 * k
				s.pos += int(k)
				continue
			}
		}
		if s.pos >= len(data) {
			s.n += 8
			d.pad++
			continue
		}
		b := data[s.pos]
		if b == 0xff {
			if s.pos+1 >= len(data) || data[s.pos+1] != 0 {
				s.n += 8 // a marker: the scan's data ends here
				d.pad++
				continue
			}
			s.pos++
		}
		s.pos++
		s.acc |= uint64(b) << (56 - s.n)
		s.n += 8
	}
	return s
}

// decodeSlow decodes a symbol whose code is longer than lutBits, or any
// symbol; s.n >= 16. The symbol is -1 for a code that is not in the table.
func (t *huffTable) decodeSlow(s bitState) (bitState, int32) {
	if e := t.lut[s.acc>>(64-lutBits)]; e != 0 {
		l := uint(e >> 8)
		s.acc <<= l
		s.n -= l
		return s, int32(e & 0xff)
	}
	code := int32(s.acc >> 48)
	for l := uint(lutBits + 1); l <= 16; l++ {
		c := code >> (16 - l)
		if c <= t.maxcode[l] {
			i := c + t.delta[l]
			if i < 0 || i > 255 {
				return s, -1
			}
			s.acc <<= l
			s.n -= l
			return s, int32(t.vals[i])
		}
	}
	return s, -1
}

// receive reads size (<= 16) bits as a signed magnitude, section F.2.2.1.
func receive(s bitState, size uint) (bitState, int32) {
	v := int32(s.acc >> 32 >> (32 - size))
	s.acc <<= size
	s.n -= size
	return s, extend(v, size)
}

// readBits reads size (<= 16) bits as an unsigned number.
func readBits(s bitState, size uint) (bitState, int32) {
	v := int32(s.acc >> 32 >> (32 - size))
	s.acc <<= size
	s.n -= size
	return s, v
}

// skipBits drops n bits, any number.
func (d *decoder) skipBits(s bitState, n int) bitState {
	for n > 0 {
		if s.n < need {
			s = d.fill(s)
		}
		step := uint(min(n, need))
		s.acc <<= step
		s.n -= step
		n -= int(step)
	}
	return s
}
