package jpeg

import "math/bits"

// scanInfo is what a scan header says, section B.2.3.
type scanInfo struct {
	comps  []*component
	ss, se int // spectral selection
	ah, al uint
}

// scan reads a scan header and its entropy-coded data, which starts at
// data[p]; it returns where the data ends.
func (d *decoder) scan(seg []byte, p int) (int, error) {
	if len(seg) < 1 {
		return 0, formatError("short SOS")
	}
	ns := int(seg[0])
	if ns < 1 || ns > d.ncomp || len(seg) != 4+2*ns {
		return 0, formatError("bad SOS length")
	}
	var comps [4]*component
	var sc scanInfo
	blocks := 0
	for i := 0; i < ns; i++ {
		id := seg[1+2*i]
		var c *component
		for j := 0; j < d.ncomp; j++ {
			if d.comp[j].id == id {
				c = &d.comp[j]
			}
		}
		if c == nil {
			return 0, formatError("unknown component selector")
		}
		for _, o := range comps[:i] {
			if o == c {
				return 0, formatError("repeated component selector")
			}
		}
		c.td, c.ta = seg[2+2*i]>>4, seg[2+2*i]&15
		if c.td > 3 || c.ta > 3 {
			return 0, formatError("bad Huffman table selector")
		}
		if !d.qset[c.tq] {
			return 0, formatError("missing quantization table")
		}
		comps[i] = c
		blocks += c.h * c.v
	}
	if ns > 1 && blocks > 10 {
		return 0, formatError("too many blocks in an MCU") // section B.2.3
	}
	sc.comps = comps[:ns]
	sc.ss, sc.se = int(seg[1+2*ns]), int(seg[2+2*ns])
	sc.ah, sc.al = uint(seg[3+2*ns]>>4), uint(seg[3+2*ns]&15)
	if d.progressive {
		// Section G.1.1.1.1.
		if sc.ss == 0 && sc.se != 0 || sc.ss > sc.se || sc.se > 63 || sc.ss > 0 && ns != 1 {
			return 0, formatError("bad spectral selection")
		}
		if sc.al > 13 || sc.ah > 13 {
			return 0, formatError("bad successive approximation")
		}
	} else {
		sc.ss, sc.se, sc.ah, sc.al = 0, 63, 0, 0
	}
	needDC := sc.ss == 0 && sc.ah == 0
	needAC := sc.se > 0 && (!d.progressive || sc.ss > 0)
	for _, c := range sc.comps {
		if needDC && d.huff[0][c.td] == nil || needAC && d.huff[1][c.ta] == nil {
			return 0, formatError("missing Huffman table")
		}
		c.pred = 0
		if !d.progressive {
			d.huff[1][c.ta].buildSkip()
		}
	}
	d.bits = bitState{pos: p}
	d.pad = 0
	d.eobrun = 0
	if err := d.scanData(&sc); err != nil {
		return 0, err
	}
	// The data must have ended on the bits the scan used: bits read past
	// it are a truncated or corrupt file. Up to 7 bits padded the last
	// byte.
	if 8*d.pad > int(d.bits.n) {
		return 0, formatError("truncated or corrupt entropy-coded data")
	}
	return d.bits.pos, nil
}

// scanData decodes the MCUs of a scan, handling restart intervals.
func (d *decoder) scanData(sc *scanInfo) error {
	// A scan of one component is not interleaved: its MCU is one block, and
	// it covers only the blocks that hold pixels of the component
	// (section A.2.2), not those padding the frame's MCUs.
	var mx, my int
	if len(sc.comps) == 1 {
		c := sc.comps[0]
		mx = ((d.width*c.h+d.hmax-1)/d.hmax + 7) / 8
		my = ((d.height*c.v+d.vmax-1)/d.vmax + 7) / 8
	} else {
		mx, my = d.mcusX, d.mcusY
	}
	mcu := 0
	for y := 0; y < my; y++ {
		for x := 0; x < mx; x++ {
			if d.ri > 0 && mcu > 0 && mcu%d.ri == 0 {
				if err := d.restart(mcu / d.ri); err != nil {
					return err
				}
				for _, c := range sc.comps {
					c.pred = 0
				}
				d.eobrun = 0
			}
			mcu++
			if len(sc.comps) == 1 {
				if d.eobrun > 0 && d.skipEOB(sc, sc.comps[0], x, y) {
					continue
				}
				if err := d.block(sc, sc.comps[0], x, y); err != nil {
					return err
				}
				continue
			}
			for _, c := range sc.comps {
				for v := 0; v < c.v; v++ {
					for h := 0; h < c.h; h++ {
						if err := d.block(sc, c, x*c.h+h, y*c.v+v); err != nil {
							return err
						}
					}
				}
			}
		}
	}
	return nil
}

// skipEOB handles, without decoding a symbol, a block of a progressive AC
// scan inside an end-of-band run when none of the coefficients it would
// refine is kept: it reads past their correction bits. It says whether it
// did.
func (d *decoder) skipEOB(sc *scanInfo, c *component, bx, by int) bool {
	if sc.ah == 0 {
		d.eobrun--
		return true
	}
	if bx >= c.bw || by >= c.bh {
		return false
	}
	m := c.nz[by*c.bw+bx] & (^uint64(0) >> (63 - sc.se)) &^ (1<<sc.ss - 1)
	if m&(uint64(2)<<c.kmax-1) != 0 {
		return false
	}
	if n := uint(bits.OnesCount64(m)); n <= d.bits.n {
		d.bits.acc <<= n
		d.bits.n -= n
	} else {
		d.bits = d.skipBits(d.bits, int(n))
	}
	d.eobrun--
	return true
}

// restart expects the RST marker that ends restart interval i-1, section
// F.1.2.3, and starts the entropy decoder afresh after it.
func (d *decoder) restart(i int) error {
	if 8*d.pad > int(d.bits.n) {
		return formatError("truncated or corrupt entropy-coded data")
	}
	data, p := d.data, d.bits.pos
	// Skip what is left of the interval (padding, or extraneous bytes as
	// libjpeg does) up to the marker.
	for p+1 < len(data) && !(data[p] == 0xff && data[p+1] != 0 && data[p+1] != 0xff) {
		p++
	}
	if p+1 >= len(data) || data[p+1] != rst0+byte((i-1)&7) {
		return formatError("missing restart marker")
	}
	d.bits = bitState{pos: p + 2}
	d.pad = 0
	return nil
}

// block decodes block (bx, by) of component c in the current scan.
func (d *decoder) block(sc *scanInfo, c *component, bx, by int) error {
	if !d.progressive {
		return d.blockSequential(c, bx, by)
	}
	if bx >= c.bw || by >= c.bh {
		return formatError("block outside the frame")
	}
	b := by*c.bw + bx
	coef := c.coef[b*c.ncoef : (b+1)*c.ncoef]
	switch {
	case sc.ss == 0 && sc.ah == 0:
		diff, err := d.dcDiff(d.huff[0][c.td])
		if err != nil {
			return err
		}
		c.pred += diff
		coef[0] = int16(c.pred << sc.al)
		return nil
	case sc.ss == 0:
		if d.bits.n < need {
			d.bits = d.fill(d.bits)
		}
		var bit int32
		if d.bits, bit = readBits(d.bits, 1); bit != 0 {
			coef[0] |= 1 << sc.al
		}
		return nil
	case sc.ah == 0:
		return d.acFirst(c, coef, &c.nz[b], sc)
	}
	return d.acRefine(c, coef, &c.nz[b], sc)
}

// dcDiff decodes a DC difference with table t.
func (d *decoder) dcDiff(t *huffTable) (int32, error) {
	s := d.bits
	if s.n < need {
		s = d.fill(s)
	}
	if e := t.fast[s.acc>>(64-lutBits)]; e != 0 {
		nb := uint(e & 0xff)
		s.acc <<= nb
		s.n -= nb
		d.bits = s
		return e >> 16, nil
	}
	s, size := t.decodeSlow(s)
	if size < 0 || size > 15 {
		return 0, formatError("bad Huffman code")
	}
	s, diff := receive(s, uint(size))
	d.bits = s
	return diff, nil
}

// blockSequential decodes a block of a sequential scan and writes its
// reduced inverse DCT into the plane. The AC coefficients past kmax are
// decoded only as far as needed to skip them.
func (d *decoder) blockSequential(c *component, bx, by int) error {
	diff, err := d.dcDiff(d.huff[0][c.td])
	if err != nil {
		return err
	}
	c.pred += diff
	q := &d.quant[c.tq]
	dst := c.plane[by*c.sh*c.stride+bx*c.sw:]
	t := d.huff[1][c.ta]
	s := d.bits
	k := 1
	if c.kmax == 0 {
		// Only the DC is needed.
		idct1x1(dst, c.pred*q[0])
	} else {
		blk := &d.blk
		*blk = [64]int32{}
		blk[0] = c.pred * q[0]
		ac := false // a non-zero AC coefficient is kept
		for k <= c.kmax {
			if s.n < need {
				s = d.fill(s)
			}
			if e := t.fast[s.acc>>(64-lutBits)]; e != 0 {
				nb := uint(e & 0xff)
				s.acc <<= nb
				s.n -= nb
				k += int(e >> 8 & 0xff)
				if k > 63 {
					break
				}
				blk[zigzag[k]] = e >> 16 * q[k]
				ac = ac || e>>16 != 0 && k <= c.kmax
				k++
				continue
			}
			var sym int32
			if s, sym = t.decodeSlow(s); sym < 0 {
				return formatError("bad Huffman code")
			}
			r, size := int(sym>>4), uint(sym&15)
			if size == 0 {
				if r != 15 {
					k = 64
					break
				}
				k += 16
				continue
			}
			k += r
			var v int32
			s, v = receive(s, size)
			if k > 63 {
				break
			}
			blk[zigzag[k]] = v * q[k]
			ac = ac || k <= c.kmax
			k++
		}
		if ac {
			idct(dst, c.stride, blk, &d.out, c.sw, c.sh)
		} else {
			idctDC(dst, c.stride, blk[0], c.sw, c.sh)
		}
	}
	// Skip the rest of the block, several coefficients a lookup where
	// they fit.
	for k <= 63 {
		if s.n < need {
			s = d.fill(s)
		}
		if e := t.skip[s.acc>>(64-skipBits)]; e != 0 && k+int(e>>4&127) <= 64 {
			nb := uint(e & 15)
			s.acc <<= nb
			s.n -= nb
			k += int(e >> 4 & 127)
			if e&skipEOB != 0 {
				break
			}
			continue
		}
		if e := t.fast[s.acc>>(64-lutBits)]; e != 0 {
			nb := uint(e & 0xff)
			s.acc <<= nb
			s.n -= nb
			k += int(e>>8&0xff) + 1
			continue
		}
		var sym int32
		if s, sym = t.decodeSlow(s); sym < 0 {
			return formatError("bad Huffman code")
		}
		r, size := int(sym>>4), uint(sym&15)
		if size == 0 {
			if r != 15 {
				break
			}
			k += 16
			continue
		}
		s.acc <<= size
		s.n -= size
		k += r + 1
	}
	d.bits = s
	return nil
}

// acFirst decodes the first AC scan of a block's band, section G.1.2.2.
func (d *decoder) acFirst(c *component, coef []int16, nz *uint64, sc *scanInfo) error {
	if d.eobrun > 0 {
		d.eobrun--
		return nil
	}
	t := d.huff[1][c.ta]
	s := d.bits
	for k := sc.ss; k <= sc.se; k++ {
		if s.n < need {
			s = d.fill(s)
		}
		var v int32
		if e := t.fast[s.acc>>(64-lutBits)]; e != 0 {
			nb := uint(e & 0xff)
			s.acc <<= nb
			s.n -= nb
			k += int(e >> 8 & 0xff)
			v = e >> 16
		} else {
			var sym int32
			if s, sym = t.decodeSlow(s); sym < 0 {
				return formatError("bad Huffman code")
			}
			r, size := int(sym>>4), uint(sym&15)
			if size == 0 {
				if r == 15 {
					k += 15
					continue
				}
				d.eobrun = 1<<r - 1
				if r > 0 {
					var extra int32
					s, extra = readBits(s, uint(r))
					d.eobrun += int(extra)
				}
				break
			}
			k += r
			s, v = receive(s, size)
		}
		if k > sc.se {
			break // an end of block, or a run past the band
		}
		if v != 0 {
			*nz |= 1 << k
			if i := c.slot[k]; i >= 0 {
				coef[i] = int16(v << sc.al)
			}
		}
	}
	d.bits = s
	return nil
}

// acRefine decodes an AC refinement scan of a block's band, section
// G.1.2.3, as libjpeg's decode_mcu_AC_refine does, a run at a time: which
// coefficients are already non-zero comes from the block's mask, so it is
// known for the dropped ones too, and their correction bits are skipped
// together.
func (d *decoder) acRefine(c *component, coef []int16, nzp *uint64, sc *scanInfo) error {
	p1 := int16(1) << sc.al
	t := d.huff[1][c.ta]
	s := d.bits
	nz := *nzp
	band := ^uint64(0) >> (63 - sc.se) // bits 0..se
	kept := uint64(2)<<c.kmax - 1      // bits of the coefficients that may be kept
	k := sc.ss
	if d.eobrun == 0 {
		for k <= sc.se {
			if s.n < need {
				s = d.fill(s)
			}
			var sym int32
			if e := t.lut[s.acc>>(64-lutBits)]; e != 0 {
				l := uint(e >> 8)
				s.acc <<= l
				s.n -= l
				sym = int32(e & 0xff)
			} else if s, sym = t.decodeSlow(s); sym < 0 {
				return formatError("bad Huffman code")
			}
			r, size := int(sym>>4), sym&15
			var v int16
			if size != 0 {
				// The size of a newly non-zero coefficient is 1.
				var bit int32
				if s, bit = readBits(s, 1); bit != 0 {
					v = p1
				} else {
					v = -p1
				}
			} else if r != 15 {
				d.eobrun = 1 << r
				if r > 0 {
					var extra int32
					s, extra = readBits(s, uint(r))
					d.eobrun += int(extra)
				}
				break
			}
			// The coefficient the symbol is about is the (r+1)-th that is
			// still zero; the non-zero ones before it get a correction bit.
			z := ^nz & band &^ (1<<k - 1)
			for ; r > 0 && z != 0; r-- {
				z &= z - 1
			}
			target := sc.se + 1
			if z != 0 {
				target = bits.TrailingZeros64(z)
			}
			if m := nz & (1<<target - 1) &^ (1<<k - 1); m&kept == 0 {
				// No correction to apply: skip the bits.
				if n := uint(bits.OnesCount64(m)); n <= s.n {
					s.acc <<= n
					s.n -= n
				} else {
					s = d.skipBits(s, int(n))
				}
			} else {
				s = d.correct(s, c, coef, m, p1)
			}
			k = target
			if v != 0 && k <= sc.se {
				nz |= 1 << k
				if i := c.slot[k]; i >= 0 {
					coef[i] = v
				}
			}
			k++
		}
	}
	if d.eobrun > 0 {
		s = d.correct(s, c, coef, nz&band&^(1<<k-1), p1)
		d.eobrun--
	}
	*nzp = nz
	d.bits = s
	return nil
}

// correct reads a correction bit for each non-zero coefficient in the mask
// m, in zigzag order, and applies those of the coefficients kept.
func (d *decoder) correct(s bitState, c *component, coef []int16, m uint64, p1 int16) bitState {
	kept := m & (uint64(2)<<c.kmax - 1)
	for kept != 0 {
		k := bits.TrailingZeros64(kept)
		kept &= kept - 1
		if s.n < need {
			s = d.fill(s)
		}
		var bit int32
		if s, bit = readBits(s, 1); bit == 0 {
			continue
		}
		if i := c.slot[k]; i >= 0 && coef[i]&p1 == 0 {
			if coef[i] >= 0 {
				coef[i] += p1
			} else {
				coef[i] -= p1
			}
		}
	}
	return d.skipBits(s, bits.OnesCount64(m&^(uint64(2)<<c.kmax-1)))
}
