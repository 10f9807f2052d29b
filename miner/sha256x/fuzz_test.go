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
		count := min(uint64(100), j.MaxIndex()+1)
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
