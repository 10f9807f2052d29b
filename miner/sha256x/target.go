package sha256x

import "math/bits"

// Target is a compiled success test on a SHA-256 digest, seen as eight
// big-endian state words h[0..7].
//
// Three forms exist: masked (every word satisfies h[i]&Mask[i] == Want[i];
// hex prefixes, hex suffixes and leading zero bits compile to this),
// threshold (the digest read as a 256-bit big-endian number is <= Max), and
// little-endian threshold (the digest read as a 256-bit little-endian
// number, as Bitcoin reads a block hash, is <= Max).
//
// Kernels may filter with the quick test on a single word (QuickTest) and
// must confirm candidates with Meets.
type Target struct {
	threshold bool
	le        bool      // threshold on the byte-reversed digest
	mask      [8]uint32 // masked form only
	want      [8]uint32 // masked form: wanted bits; threshold forms: Max
	quickWord int
	// The quick test: ((h[quickWord] & qMask) ^ qXor) <= qLimit.
	qMask, qXor, qLimit uint32
}

// MaskedTarget returns the target h[i]&mask[i] == want[i] for every i.
// Bits of want outside mask are ignored.
func MaskedTarget(mask, want [8]uint32) Target {
	t := Target{mask: mask}
	best := -1
	for i := range want {
		t.want[i] = want[i] & mask[i]
		if best < 0 || bits.OnesCount32(mask[i]) > bits.OnesCount32(mask[best]) {
			best = i
		}
	}
	t.quickWord = best
	t.qMask, t.qXor = mask[best], t.want[best]
	return t
}

// ThresholdTarget returns the target digest <= max (256-bit big-endian).
func ThresholdTarget(max [8]uint32) Target {
	return Target{threshold: true, want: max, qMask: ^uint32(0), qLimit: max[0]}
}

// LEThresholdTarget returns Bitcoin's test: the digest read as a 256-bit
// little-endian number is <= max, where max[0] is the number's most
// significant 32 bits. That word is digest bytes 31..28, the byte-reversed
// state word h[7], so the quick test reads h[7]. With z the leading zero
// bytes of max[0], the number's top z bytes, h[7]'s low z bytes, must be
// zero: the test is h[7] & (2^(8z)-1) == 0, which passes one hash in 2^8z
// (all of h[7] zero when z = 4). When max[0] has no leading zero byte, h[7]'s
// low byte must not exceed max[0]'s top byte instead.
func LEThresholdTarget(max [8]uint32) Target {
	t := Target{threshold: true, le: true, want: max, quickWord: 7}
	switch z := bits.LeadingZeros32(max[0]) / 8; z {
	case 0:
		t.qMask, t.qLimit = 0xff, max[0]>>24
	case 4:
		t.qMask = ^uint32(0)
	default:
		t.qMask = uint32(1)<<(8*uint(z)) - 1
	}
	return t
}

// IsThreshold reports whether t is a threshold target (of either byte
// order).
func (t *Target) IsThreshold() bool { return t.threshold }

// IsLE reports whether t is a little-endian threshold target.
func (t *Target) IsLE() bool { return t.le }

// Mask and Want return the masked form's words (Want is Max for a threshold).
func (t *Target) Mask() [8]uint32 { return t.mask }
func (t *Target) Want() [8]uint32 { return t.want }

// QuickWord is the index of the state word a one-word filter should test:
// for masked targets the word with the most constrained bits, for threshold
// targets word 0, for little-endian thresholds word 7.
func (t *Target) QuickWord() int { return t.quickWord }

// QuickTest returns the one-word filter in a form every kernel can run:
// h[word] passes when ((h[word] & mask) ^ xor) <= limit, unsigned. Passing
// is necessary for Meets, not sufficient.
func (t *Target) QuickTest() (word int, mask, xor, limit uint32) {
	return t.quickWord, t.qMask, t.qXor, t.qLimit
}

// Quick is a necessary condition for Meets that reads one word: v is
// h[QuickWord()].
func (t *Target) Quick(v uint32) bool {
	return (v&t.qMask)^t.qXor <= t.qLimit
}

// Meets is the exact test.
func (t *Target) Meets(h *[8]uint32) bool {
	if t.le {
		for i := 0; i < 8; i++ {
			if v := bits.ReverseBytes32(h[7-i]); v != t.want[i] {
				return v < t.want[i]
			}
		}
		return true
	}
	if t.threshold {
		for i := 0; i < 8; i++ {
			if h[i] != t.want[i] {
				return h[i] < t.want[i]
			}
		}
		return true
	}
	var diff uint32
	for i := 0; i < 8; i++ {
		diff |= (h[i] & t.mask[i]) ^ t.want[i]
	}
	return diff == 0
}

// MeetsDigest is Meets on a 32-byte digest.
func (t *Target) MeetsDigest(d *[32]byte) bool {
	h := DigestWords(d)
	return t.Meets(&h)
}
