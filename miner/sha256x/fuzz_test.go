package sha256x

import (
	"fmt"
	"testing"
)

// FuzzKernels checks that every available kernel finds the same hits as Ref
// over a short range of any job: prefix, suffix, start, step, encoding and
// an easy target (kind and one or two hex digits) come from the fuzzer.
func FuzzKernels(f *testing.F) {
	f.Add([]byte("100"), []byte(""), uint64(1_000_000), uint64(1), false, uint8(0), uint8(0x10))
	f.Add(make([]byte, 72), []byte(""), uint64(1<<40), uint64(1), true, uint8(1), uint8(0x3a))
	f.Add([]byte("x"), []byte("suffix"), uint64(95), uint64(3), false, uint8(2), uint8(0x4))
	f.Add(make([]byte, 120), make([]byte, 70), uint64(18446744073709551555), uint64(1), false, uint8(3), uint8(0x0f))
	f.Fuzz(func(t *testing.T, prefix, suffix []byte, start, step uint64, binary bool, kind, digits uint8) {
		if len(prefix) > 300 || len(suffix) > 300 {
			t.Skip("long inputs add nothing but time")
		}
		j := Job{Prefix: prefix, Suffix: suffix, Start: start, Step: step%5000 + 1}
		if binary {
			j.Encoding = Binary
		}
		hex := fmt.Sprintf("%x", digits&0xf) // one hex digit: a hit in about 16 attempts
		if digits&0x10 != 0 {
			hex = fmt.Sprintf("%02x", digits&0xf)
		}
		switch kind % 4 {
		case 0:
			j.Target = hexPrefixTarget(hex)
		case 1:
			j.Target = hexSuffixTarget(hex)
		case 2:
			j.Target = zeroBitsTarget(int(digits%5) + 1)
		default:
			j.Target = thresholdTarget(uint32(digits) << 24)
		}
		count := uint64(100)
		if m := j.MaxIndex(); m < count { // MaxIndex+1 can overflow
			count = m + 1
		}
		want := allHits(Ref.New(&j), 0, count, refSizes)
		for _, k := range All() {
			if !k.Available {
				continue
			}
			if got := allHits(k.New(&j), 0, count, []uint64{count, 1, 13, 32}); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("%s on %s: hits %v, ref %v", k.Name, describe(&j), got, want)
			}
		}
	})
}

// FuzzSHA256d checks that every available sha256d kernel finds the same
// hits as Ref on Bitcoin's header shape (the fast path) and on whatever
// other shape the fuzzer builds: header bytes, start nonce, the target's
// top word and its form come from the fuzzer.
func FuzzSHA256d(f *testing.F) {
	f.Add(make([]byte, 76), uint64(0), uint32(0x0fffffff), uint8(0))
	f.Add([]byte("a header that is too short"), uint64(1<<32-50), uint32(0x00ffffff), uint8(0))
	f.Add(make([]byte, 76), uint64(1<<32-20), uint32(0x0fffffff), uint8(1))
	f.Add(make([]byte, 76), uint64(123456), uint32(0x10000000), uint8(2))
	f.Fuzz(func(t *testing.T, prefix []byte, start uint64, top uint32, form uint8) {
		if len(prefix) > 300 {
			t.Skip("long inputs add nothing but time")
		}
		j := Job{Algo: SHA256d, Prefix: prefix, Encoding: LE32, Start: start & 0xffffffff, Step: 1}
		top |= 0x0fffffff >> (form / 4 % 8 * 4) // hits within ~100 attempts
		switch form % 3 {
		case 0:
			j.Target = leTarget(top)
		case 1:
			j.Target = displayBitsTarget(int(form%5) + 1)
		default:
			j.Target = thresholdTarget(top)
		}
		count := min(uint64(100), j.MaxIndex()+1)
		want := allHits(Ref.New(&j), 0, count, refSizes)
		for _, k := range For(SHA256d) {
			if !k.Available {
				continue
			}
			if got := allHits(k.New(&j), 0, count, []uint64{count, 1, 13, 32}); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("%s on %s: hits %v, ref %v", k.Name, describe(&j), got, want)
			}
		}
	})
}
