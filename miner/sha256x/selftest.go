package sha256x

import (
	"fmt"
)

// selfTestJobs are small known-answer searches covering both encodings, a
// decimal width change, a prefix longer than one block and a suffix.
func selfTestJobs() []Job {
	prefix2 := func(n int) Target { // first n hex digits zero
		var mask [8]uint32
		mask[0] = ^uint32(0) << (32 - 4*n)
		return MaskedTarget(mask, [8]uint32{})
	}
	long := make([]byte, 70)
	for i := range long {
		long[i] = byte('a' + i%26)
	}
	return []Job{
		{Prefix: []byte("100"), Encoding: Decimal, Start: 0, Step: 1, Target: prefix2(2)},
		{Prefix: []byte("100"), Encoding: Decimal, Start: 90, Step: 1, Target: prefix2(2)},
		{Prefix: long, Encoding: Decimal, Start: 995, Step: 7, Suffix: []byte("xyz"), Target: prefix2(2)},
		{Prefix: long[:40], Encoding: Binary, Start: 1 << 40, Step: 3, Target: prefix2(2)},
	}
}

// SelfTest checks k against the oracle on a few known-answer searches.
func SelfTest(k *Kernel) error {
	if !k.Available {
		return fmt.Errorf("%w: %s", ErrUnavailable, k.Name)
	}
	for n, j := range selfTestJobs() {
		const count = 2048
		want, wok := newRef(&j).Search(0, count)
		got, gok := k.New(&j).Search(0, count)
		if want != got || wok != gok {
			return fmt.Errorf("known answer %d: got (%d, %v), want (%d, %v)", n, got, gok, want, wok)
		}
	}
	return nil
}
