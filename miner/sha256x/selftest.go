package sha256x

import (
	"encoding/hex"
	"fmt"
)

// GenesisHeader is Bitcoin's genesis block header (height 0) with its
// nonce, 2083236893, in the last four bytes. Its sha256d, byte-reversed,
// is 000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f.
const GenesisHeader = "0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c"

// GenesisNonce is the nonce of GenesisHeader.
const GenesisNonce = 2083236893

// difficultyOne is the target of Bitcoin's compact bits 0x1d00ffff as a
// little-endian threshold: 0x00000000ffff0000…0.
var difficultyOne = [8]uint32{0, 0xffff0000}

// selfTestJobs are small known-answer searches for algorithm a. For sha256:
// both encodings, a decimal width change, a prefix longer than one block
// and a suffix. For sha256d: the genesis header found at index 1000 under
// its real target, the header shape under an easy target (hits in many
// lanes), and a decimal-nonce message.
func selfTestJobs(a Algo) []Job {
	prefix2 := func(n int) Target { // first n hex digits zero
		var mask [8]uint32
		mask[0] = ^uint32(0) << (32 - 4*n)
		return MaskedTarget(mask, [8]uint32{})
	}
	long := make([]byte, 70)
	for i := range long {
		long[i] = byte('a' + i%26)
	}
	if a == SHA256d {
		g, _ := hex.DecodeString(GenesisHeader)
		easy := LEThresholdTarget([8]uint32{0x00ffffff, ^uint32(0), ^uint32(0), ^uint32(0), ^uint32(0), ^uint32(0), ^uint32(0), ^uint32(0)})
		return []Job{
			{Algo: SHA256d, Prefix: g[:HeaderNonceOffset], Encoding: LE32, Start: GenesisNonce - 1000, Step: 1, Target: LEThresholdTarget(difficultyOne)},
			{Algo: SHA256d, Prefix: g[:HeaderNonceOffset], Encoding: LE32, Start: 0xffffffff - 1500, Step: 1, Target: easy},
			{Algo: SHA256d, Prefix: []byte("100"), Encoding: Decimal, Start: 90, Step: 1, Target: prefix2(2)},
		}
	}
	return []Job{
		{Prefix: []byte("100"), Encoding: Decimal, Start: 0, Step: 1, Target: prefix2(2)},
		{Prefix: []byte("100"), Encoding: Decimal, Start: 90, Step: 1, Target: prefix2(2)},
		{Prefix: long, Encoding: Decimal, Start: 995, Step: 7, Suffix: []byte("xyz"), Target: prefix2(2)},
		{Prefix: long[:40], Encoding: Binary, Start: 1 << 40, Step: 3, Target: prefix2(2)},
	}
}

// SelfTest checks k against the oracle on a few known-answer searches of
// its algorithm.
func SelfTest(k *Kernel) error {
	if !k.Available {
		return fmt.Errorf("%w: %s", ErrUnavailable, k.Name)
	}
	for n, j := range selfTestJobs(k.Algo) {
		count := uint64(2048)
		if m := j.MaxIndex(); m < count {
			count = m + 1
		}
		want, wok := newRef(&j).Search(0, count)
		got, gok := k.New(&j).Search(0, count)
		if want != got || wok != gok {
			return fmt.Errorf("known answer %d: got (%d, %v), want (%d, %v)", n, got, gok, want, wok)
		}
	}
	return nil
}
