package kernels

import (
	"math"
	mbits "math/bits"
)

// The fixed-point arithmetic of TensorFlow Lite's quantized kernels
// (tensorflow/lite/kernels/internal/common.h and gemmlowp's fixedpoint.h),
// written out so that the integer forward pass gives TFLite's bits: a real
// multiplier m is stored as a 31-bit significand q and a power of two,
// m = q * 2^(shift-31), and applied with two roundings, as TFLite does.

// QuantizeMultiplier splits m >= 0 into q in [2^30, 2^31) and shift, with
// m = q * 2^(shift-31), as TFLite's QuantizeMultiplier: the significand
// rounded half away from zero; a multiplier below 2^-32 becomes 0.
func QuantizeMultiplier(m float64) (q int32, shift int32) {
	if m == 0 {
		return 0, 0
	}
	frac, exp := math.Frexp(m)
	fixed := int64(math.Round(frac * (1 << 31)))
	if fixed == 1<<31 {
		fixed /= 2
		exp++
	}
	if exp < -31 {
		return 0, 0
	}
	return int32(fixed), int32(exp)
}

// SaturatingRoundingDoublingHighMul is gemmlowp's: the high 32 bits of
// 2*a*b, rounded half away from zero; the one overflowing case saturates.
func SaturatingRoundingDoublingHighMul(a, b int32) int32 {
	if a == b && a == math.MinInt32 {
		return math.MaxInt32
	}
	ab := int64(a) * int64(b)
	nudge := int64(1 << 30)
	if ab < 0 {
		nudge = 1 - 1<<30
	}
	// C's division truncates toward zero; so does Go's.
	return int32((ab + nudge) / (1 << 31))
}

// RoundingDivideByPOT is gemmlowp's: x / 2^exp rounded to nearest, ties
// away from zero.
func RoundingDivideByPOT(x int32, exp int32) int32 {
	mask := int32(1)<<exp - 1
	remainder := x & mask
	threshold := mask >> 1
	if x < 0 {
		threshold++
	}
	r := x >> exp
	if remainder > threshold {
		r++
	}
	return r
}

// MultiplyByQuantizedMultiplier is TFLite's: x times q * 2^(shift-31),
// a left shift first when shift > 0, the rounding right shift last.
func MultiplyByQuantizedMultiplier(x, q, shift int32) int32 {
	left, right := max(shift, 0), max(-shift, 0)
	return RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(x*(1<<left), q), right)
}

// Requant is how a layer's int32 accumulators become 8-bit outputs, as
// TFLite's kernels compute them: for output channel o,
//
//	out = clamp(MultiplyByQuantizedMultiplier(acc, Mult[o], Shift[o]) + Zero, Lo, Hi)
//
// The 8-bit values are unsigned: an int8 tensor is carried as q + 128, its
// zero point and clamps too, which changes no result (every formula reads
// q - zero point), and lets the u8 x s8 dot-product instructions take it.
type Requant struct {
	Mult, Shift  []int32 // per output channel; per-tensor layers repeat one value
	Zero, Lo, Hi int32   // output zero point and clamp, 0 <= Lo <= Hi <= 255
}

func (r *Requant) apply(acc int32, o int) uint8 {
	v := MultiplyByQuantizedMultiplier(acc, r.Mult[o], r.Shift[o]) + r.Zero
	return uint8(min(max(v, r.Lo), r.Hi))
}

// QAdd is TFLite's quantized ADD of two 8-bit tensors a and b: each input
// is shifted left by 20 bits and rescaled to twice the larger input scale,
// the sum rescaled to the output's.
type QAdd struct {
	AZero, AMult, AShift int32
	BZero, BMult, BShift int32
	Mult, Shift          int32
	Zero, Lo, Hi         int32

	// Each input's rescaled value depends on that input alone: a table
	// of its 256.
	a, b [256]int32

	// The three requantizations for the SIMD kernels, each as requantTable
	// has it (zero point, left shift, multiplier, 2^right-1, 2^(right-1),
	// right shift), then the output's zero point, lo and hi.
	vec [qaddVec]int32
	// vec, each repeated in 8 lanes, for the AVX2 kernel.
	vec8 [qaddVec * 8]int32
}

const qaddVec = 21

// NewQAdd derives the multipliers of an ADD from the scales of its inputs
// and output as TFLite's Prepare does, its float rounding included.
func NewQAdd(aScale float32, aZero int32, bScale float32, bZero int32, outScale float32, outZero, lo, hi int32) QAdd {
	const leftShift = 20
	twiceMax := float64(2 * max(aScale, bScale))
	p := QAdd{AZero: aZero, BZero: bZero, Zero: outZero, Lo: lo, Hi: hi}
	p.AMult, p.AShift = QuantizeMultiplier(float64(aScale) / twiceMax)
	p.BMult, p.BShift = QuantizeMultiplier(float64(bScale) / twiceMax)
	p.Mult, p.Shift = QuantizeMultiplier(twiceMax / float64(float32(1<<leftShift)*outScale))
	for i, r := range [3][3]int32{{aZero, p.AMult, p.AShift}, {bZero, p.BMult, p.BShift}, {0, p.Mult, p.Shift}} {
		right := max(-r[2], 0)
		v := p.vec[6*i:]
		v[0], v[1], v[2] = r[0], max(r[2], 0), r[1]
		v[3], v[4], v[5] = int32(1)<<right-1, 0, right
		if right > 0 {
			v[4] = int32(1) << (right - 1)
		}
	}
	p.vec[18], p.vec[19], p.vec[20] = outZero, lo, hi
	for i, v := range p.vec {
		for j := range 8 {
			p.vec8[8*i+j] = v
		}
	}
	for v := range 256 {
		p.a[v] = MultiplyByQuantizedMultiplier((int32(v)-p.AZero)<<leftShift, p.AMult, p.AShift)
		p.b[v] = MultiplyByQuantizedMultiplier((int32(v)-p.BZero)<<leftShift, p.BMult, p.BShift)
	}
	return p
}

// Add returns the sum of a and b, 8-bit values of the add's inputs.
func (p *QAdd) Add(a, b uint8) uint8 {
	const leftShift = 20
	x := MultiplyByQuantizedMultiplier((int32(a)-p.AZero)<<leftShift, p.AMult, p.AShift)
	y := MultiplyByQuantizedMultiplier((int32(b)-p.BZero)<<leftShift, p.BMult, p.BShift)
	v := MultiplyByQuantizedMultiplier(x+y, p.Mult, p.Shift) + p.Zero
	return uint8(min(max(v, p.Lo), p.Hi))
}

// QAddTensors writes the sums of a and b, len(dst) values each, to dst, as
// Add does.
func QAddTensors(dst, a, b []uint8, p *QAdd) {
	if len(a) < len(dst) || len(b) < len(dst) {
		panic("kernels: QAddTensors: bad arguments")
	}
	if len(dst) > 0 {
		active.qadd(dst, a, b, p)
	}
}

// qaddGeneric is QAddTensors with the inputs rescaled through the tables.
func qaddGeneric(dst, a, b []uint8, p *QAdd) {
	a, b = a[:len(dst)], b[:len(dst)]
	for i := range dst {
		v := MultiplyByQuantizedMultiplier(p.a[a[i]]+p.b[b[i]], p.Mult, p.Shift) + p.Zero
		dst[i] = uint8(min(max(v, p.Lo), p.Hi))
	}
}

// QSoftmax is the quantized SOFTMAX of TFLite's reference kernel, in
// gemmlowp fixed point: the input differences to the largest, scaled by
// beta*input scale into 5 integer bits, exponentials summed with 12
// integer bits, each divided by the sum and written with scale 1/256.
type QSoftmax struct {
	Mult, LeftShift int32 // beta * input scale * 2^26 as a multiplier > 1
	DiffMin         int32 // differences below it give 0
}

// NewQSoftmax derives the softmax parameters from beta and the input scale
// as TFLite's PreprocessSoftmaxScaling and CalculateInputRadius do.
func NewQSoftmax(beta, inScale float32) QSoftmax {
	const intBits = 5
	real := min(float64(beta)*float64(inScale)*(1<<(31-intBits)), 1<<31-1.0)
	q, shift := QuantizeMultiplier(real)
	radius := float64((1<<intBits)-1) * float64(int64(1)<<(31-intBits)) / float64(int64(1)<<shift)
	return QSoftmax{Mult: q, LeftShift: shift, DiffMin: -int32(math.Floor(radius))}
}

// Softmax writes the probabilities of the 8-bit logits src into dst, as
// uint8 with scale 1/256 and zero point 0 (an int8 output, zero point
// -128, is the same bits carried as unsigned).
func (p *QSoftmax) Softmax(dst, src []uint8) {
	dst = dst[:len(src)]
	// An 8-bit input differs from the top by one of 256 values, so every
	// term is a function of the input's byte: the sum is a histogram's
	// weighted sum, and each output a lookup.
	var top uint8
	var count [256]int32
	for _, x := range src {
		top = max(top, x)
		count[x]++
	}
	var exps [256]int32 // by input byte; 0 below DiffMin
	const accumBits = 12
	var sum int32 // fixed point, 12 integer bits
	for x := range int(top) + 1 {
		d := int32(x) - int32(top)
		if count[x] == 0 || d < p.DiffMin {
			continue
		}
		exps[x] = expOnNegative(SaturatingRoundingDoublingHighMul(d*(1<<p.LeftShift), p.Mult))
		sum += count[x] * RoundingDivideByPOT(exps[x], accumBits)
	}
	// GetReciprocal: 1/sum as a fixed-point value and a power of two.
	headroom := int32(mbits.LeadingZeros32(uint32(sum)))
	overUnit := accumBits - headroom
	scale := oneOverOnePlusX(int32(uint32(sum)<<headroom - 1<<31))
	var out [256]uint8
	for x, e := range exps[:int(top)+1] {
		if e != 0 {
			v := RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(scale, e), overUnit+31-8)
			out[x] = uint8(min(max(v, 0), 255))
		}
	}
	for i, x := range src {
		dst[i] = out[x]
	}
}

// mulPOT is gemmlowp's SaturatingRoundingMultiplyByPOT: x * 2^exp, a
// saturating left shift or a rounding right shift.
func mulPOT(x int32, exp int32) int32 {
	if exp <= 0 {
		return RoundingDivideByPOT(x, -exp)
	}
	threshold := int32(1)<<(31-exp) - 1
	switch {
	case x > threshold:
		return math.MaxInt32
	case x < -threshold:
		return math.MinInt32
	}
	return x << exp
}

// expOnNegative is gemmlowp's exp_on_negative_values for an input with 5
// integer bits (26 fractional): exp(a) for a <= 0, with 0 integer bits.
func expOnNegative(a int32) int32 {
	const frac = 26
	const quarter = 1 << (frac - 2)
	modQuarter := a&(quarter-1) - quarter
	result := expQuarter(mulPOT(modQuarter, 5)) // rescaled to 0 integer bits
	remainder := modQuarter - a
	// exp(-2^k) for k = -2..4, as 0-integer-bit multipliers.
	for i, m := range [...]int32{1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242} {
		if remainder&(1<<(frac-2+i)) != 0 {
			result = SaturatingRoundingDoublingHighMul(result, m)
		}
	}
	if a == 0 {
		return math.MaxInt32 // one
	}
	return result
}

// expQuarter is gemmlowp's exp_on_interval_between_negative_one_quarter_and_0_excl:
// a Taylor expansion around -1/8 in 0-integer-bit fixed point.
func expQuarter(a int32) int32 {
	const constantTerm, oneThird = 1895147668, 715827883
	mul := SaturatingRoundingDoublingHighMul
	x := a + 1<<28
	x2 := mul(x, x)
	x3 := mul(x2, x)
	x4 := mul(x2, x2)
	x4over4 := mulPOT(x4, -2)
	poly := mulPOT(mul(x4over4+x3, oneThird)+x2, -1)
	return constantTerm + mul(constantTerm, x+poly)
}

// oneOverOnePlusX is gemmlowp's one_over_one_plus_x_for_x_in_0_1: three
// Newton-Raphson steps; x has 0 integer bits, the result too.
func oneOverOnePlusX(a int32) int32 {
	mul := SaturatingRoundingDoublingHighMul
	// RoundingHalfSum(a, one), one = MaxInt32 with 0 integer bits.
	s := int64(a) + math.MaxInt32
	sign := int64(1)
	if s < 0 {
		sign = -1
	}
	half := int32((s + sign) / 2)
	// x has 2 integer bits: 48/17 - 32/17 * half.
	x := 1515870810 + mul(half, -1010580540)
	for range 3 {
		oneMinus := 1<<29 - mul(half, x)
		x += mulPOT(mul(x, oneMinus), 2)
	}
	// ExactMulByPot<-1>, then Rescale to 0 integer bits: a doubling.
	return mulPOT(x, 1)
}
