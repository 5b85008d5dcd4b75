//go:build !noasm

package kernels

import "github.com/klauspost/cpuid/v2"

// qpackRowAVX512 packs a row of cin (a multiple of 4) weights for the VNNI
// GEMM as packVNNIWeights does, each byte less zb, a group of 4 to each
// 64 bytes from dst; and stores in stats the sum, least and greatest of
// the row's bytes XORed with flip (0x80 reads int8 as uint8 in order).
// tailBytes has a bit for each of the cin%64 last bytes, tailGroups for
// each of their groups.
//
//go:noescape
func qpackRowAVX512(dst, row *uint8, cin int, zb, flip uint8, tailBytes uint64, tailGroups uint16, stats *uint32)

func init() {
	if cpuid.CPU.Supports(cpuid.AVX512F, cpuid.AVX512BW) {
		packRow = func(dst, row []uint8, zb uint8, unsigned bool) (sum, lo, hi int32) {
			cin := len(row)
			flip := uint8(0x80)
			if unsigned {
				flip = 0
			}
			var stats [3]uint32
			qpackRowAVX512(&dst[0], &row[0], cin, zb, flip, 1<<(cin%64)-1, 1<<(cin%64/4)-1, &stats[0])
			sum, lo, hi = int32(stats[0]), int32(stats[1]), int32(stats[2])
			if !unsigned {
				sum, lo, hi = sum-128*int32(cin), lo-128, hi-128
			}
			return sum, lo, hi
		}
	}
}
