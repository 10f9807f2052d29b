package sha256x

import "math/bits"

// Target is a compiled success test on a SHA-256 digest, seen as eight
// big-endian state words h[0..7].
//
// Two forms exist: masked (every word satisfies h[i]&Mask[i] == Want[i]; hex
// prefixes, hex suffixes and leading zero bits compile to this) and threshold
// (the digest read as a 256-bit big-endian number is <= Max).
//
// Kernels may filter with the quick test on a single word (QuickWord) and must
// confirm candidates with Meets.
type Target struct {
	threshold bool
	mask      [8]uint32
	want      [8]uint32 // masked form: wanted bits; threshold form: Max
	quickWord int
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
	return t
}

// ThresholdTarget returns the target digest <= max (256-bit big-endian).
func ThresholdTarget(max [8]uint32) Target {
	return Target{threshold: true, want: max}
}

// IsThreshold reports whether t is a threshold target.
func (t *Target) IsThreshold() bool { return t.threshold }

// Mask and Want return the masked form's words (Want is Max for a threshold).
func (t *Target) Mask() [8]uint32 { return t.mask }
func (t *Target) Want() [8]uint32 { return t.want }

// QuickWord is the index of the state word a one-word filter should test:
// for masked targets the word with the most constrained bits, for threshold
// targets word 0.
func (t *Target) QuickWord() int { return t.quickWord }

// Quick is a necessary condition for Meets that reads one word: v is
// h[QuickWord()].
func (t *Target) Quick(v uint32) bool {
	if t.threshold {
		return v <= t.want[0]
	}
	return v&t.mask[t.quickWord] == t.want[t.quickWord]
}

// Meets is the exact test.
func (t *Target) Meets(h *[8]uint32) bool {
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
