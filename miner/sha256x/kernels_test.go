package sha256x

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
)

// hexPrefixTarget is the masked target "the digest's hex starts with p".
func hexPrefixTarget(p string) Target {
	var mask, want [8]uint32
	for i := 0; i < len(p); i++ {
		v, _ := strconv.ParseUint(p[i:i+1], 16, 8)
		word, sh := i/8, uint(28-4*(i%8))
		mask[word] |= 0xf << sh
		want[word] |= uint32(v) << sh
	}
	return MaskedTarget(mask, want)
}

// hexSuffixTarget is the masked target "the digest's hex ends with p".
func hexSuffixTarget(p string) Target {
	var mask, want [8]uint32
	for i := 0; i < len(p); i++ {
		v, _ := strconv.ParseUint(p[len(p)-1-i:len(p)-i], 16, 8)
		word, sh := 7-i/8, uint(4*(i%8))
		mask[word] |= 0xf << sh
		want[word] |= uint32(v) << sh
	}
	return MaskedTarget(mask, want)
}

// zeroBitsTarget is "the first n bits are zero".
func zeroBitsTarget(n int) Target {
	var mask [8]uint32
	for i := 0; i < n; i++ {
		mask[i/32] |= 1 << (31 - i%32)
	}
	return MaskedTarget(mask, [8]uint32{})
}

// thresholdTarget is "digest <= max" with max's first word w0 and all other
// bits set.
func thresholdTarget(w0 uint32) Target {
	m := [8]uint32{w0}
	for i := 1; i < 8; i++ {
		m[i] = math.MaxUint32
	}
	return ThresholdTarget(m)
}

// kinds are the easy targets (about 1 hit in 16) every case runs with.
var kinds = []struct {
	name string
	t    Target
}{
	{"prefix", hexPrefixTarget("0")},
	{"suffix", hexSuffixTarget("a")},
	{"bits", zeroBitsTarget(4)},
	{"threshold", thresholdTarget(0x0fffffff)},
	// The quick test falls on a middle word (the one with most mask bits).
	{"middle", MaskedTarget([8]uint32{0x80000000, 0, 0, 0xe0000000}, [8]uint32{0, 0, 0, 0x20000000})},
}

// independentMeets rebuilds message i of j without the package's helpers
// and tests it with crypto/sha256 and the target's exported words.
func independentMeets(j *Job, i uint64) bool {
	n := j.Start + i*j.Step
	msg := append([]byte(nil), j.Prefix...)
	switch j.Encoding {
	case Binary:
		var b [8]byte
		binary.BigEndian.PutUint64(b[:], n)
		msg = append(msg, b[:]...)
	case LE32:
		msg = append(msg, byte(n), byte(n>>8), byte(n>>16), byte(n>>24))
	default:
		msg = append(msg, fmt.Sprint(n)...)
	}
	msg = append(msg, j.Suffix...)
	d := sha256.Sum256(msg)
	if j.Algo == SHA256d {
		d = sha256.Sum256(d[:])
	}
	var h [8]uint32
	for k := range h {
		h[k] = binary.BigEndian.Uint32(d[4*k:])
	}
	t := &j.Target
	if t.IsLE() {
		// Bitcoin's order: the digest's bytes reversed, read as a number.
		max := t.Want()
		for k := 0; k < 32; k++ {
			b, m := d[31-k], byte(max[k/4]>>(24-8*uint(k%4)))
			if b != m {
				return b < m
			}
		}
		return true
	}
	if t.IsThreshold() {
		max := t.Want()
		for k := range h {
			if h[k] != max[k] {
				return h[k] < max[k]
			}
		}
		return true
	}
	mask, want := t.Mask(), t.Want()
	for k := range h {
		if h[k]&mask[k] != want[k] {
			return false
		}
	}
	return true
}

// allHits collects every hit in [from, from+count) with s, searching again
// from hit+1 after each hit (the continuation contract) and cutting the
// range into calls of the given sizes (cycled), so batch edges fall
// everywhere.
func allHits(s Searcher, from, count uint64, sizes []uint64) []uint64 {
	var hits []uint64
	k := 0
	for count > 0 {
		c := min(count, sizes[k%len(sizes)])
		k++
		if hit, ok := s.Search(from, c); ok {
			hits = append(hits, hit)
			count -= hit + 1 - from
			from = hit + 1
			continue
		}
		from += c
		count -= c
	}
	return hits
}

var refSizes = []uint64{math.MaxUint64}

// checkKernel compares k with Ref (and each hit with crypto/sha256) on
// indexes [from, from+count) of j.
func checkKernel(t *testing.T, k *Kernel, j Job, from, count uint64) {
	t.Helper()
	if err := j.Validate(); err != nil {
		t.Fatal(err)
	}
	want := allHits(Ref.New(&j), from, count, refSizes)
	for _, sizes := range [][]uint64{{count}, {1, 7, 16, 33, 5, 64, 17}} {
		got := allHits(k.New(&j), from, count, sizes)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("%s on %s from %d count %d (call sizes %v): hits %v, ref %v", k.Name, describe(&j), from, count, sizes, got, want)
		}
	}
	for _, h := range want {
		if !independentMeets(&j, h) {
			t.Fatalf("ref hit %d of %s fails the crypto/sha256 check", h, describe(&j))
		}
	}
}

func describe(j *Job) string {
	p := j.Prefix
	if len(p) > 12 {
		p = p[:12]
	}
	return fmt.Sprintf("job{%s, prefix %q… (%d bytes), %s, suffix %d bytes, start %d, step %d}", j.Algo, p, len(j.Prefix), j.Encoding, len(j.Suffix), j.Start, j.Step)
}

// testBytes returns n printable bytes.
func testBytes(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = 'a' + (seed+byte(i)*7)%26
	}
	return b
}

// forEachKernel runs f on every kernel of All(), skipping the kernels this
// CPU cannot run.
func forEachKernel(t *testing.T, f func(t *testing.T, k *Kernel)) {
	forEachKernelFor(t, SHA256, f)
}

// forEachKernelFor is forEachKernel for the kernels of algorithm a.
func forEachKernelFor(t *testing.T, a Algo, f func(t *testing.T, k *Kernel)) {
	for _, k := range For(a) {
		t.Run("kernel="+k.Name, func(t *testing.T) {
			if !k.Available {
				t.Skipf("%s not available: %s", k.Name, k.Reason)
			}
			f(t, k)
		})
	}
}

func TestKernels(t *testing.T) {
	type tc struct {
		name        string
		job         Job
		from, count uint64
	}
	var cases []tc
	// Every prefix length a puzzle can produce, both encodings, with and
	// without a suffix; counts that are not multiples of the lanes.
	for n := 0; n <= 200; n++ {
		cases = append(cases,
			tc{fmt.Sprintf("prefix=%d/decimal", n), Job{Prefix: testBytes(n, byte(n)), Encoding: Decimal, Start: 99_950, Step: 1, Target: kinds[n%len(kinds)].t}, 3, 83},
			tc{fmt.Sprintf("prefix=%d/binary", n), Job{Prefix: testBytes(n, byte(n)), Encoding: Binary, Start: 250, Step: 1, Target: kinds[(n+1)%len(kinds)].t}, 1, 45},
		)
	}
	for _, sfx := range []int{1, 9, 55, 56, 64, 130} {
		for _, pre := range []int{0, 3, 50, 61, 64, 100} {
			cases = append(cases,
				tc{fmt.Sprintf("suffix=%d/prefix=%d/decimal", sfx, pre), Job{Prefix: testBytes(pre, 1), Suffix: testBytes(sfx, 2), Encoding: Decimal, Start: 995, Step: 1, Target: kinds[0].t}, 0, 70},
				tc{fmt.Sprintf("suffix=%d/prefix=%d/binary", sfx, pre), Job{Prefix: testBytes(pre, 3), Suffix: testBytes(sfx, 4), Encoding: Binary, Start: 1<<32 - 20, Step: 1, Target: kinds[2].t}, 0, 70},
			)
		}
	}
	// A suffix too long for the SIMD plan (those kernels fall back to Go).
	cases = append(cases, tc{"suffix=5000", Job{Prefix: []byte("100"), Suffix: testBytes(5000, 7), Encoding: Decimal, Start: 7, Step: 1, Target: kinds[0].t}, 0, 40})
	// Every decimal width, starting just below its first value so the
	// width changes inside a batch (9→10, 99999→100000, …).
	for w := 1; w <= 20; w++ {
		first := uint64(1)
		for i := 1; i < w; i++ {
			first *= 10
		}
		for _, pre := range []int{3, 58} {
			start := first - min(first, 7)
			cases = append(cases, tc{fmt.Sprintf("width=%d/prefix=%d", w, pre), Job{Prefix: testBytes(pre, 5), Encoding: Decimal, Start: start, Step: 1, Target: kinds[w%len(kinds)].t}, 0, 40})
		}
	}
	// Rollovers of the low digits inside a batch at several positions.
	for _, start := range []uint64{9, 99_990, 999_999_990, 1_999_985, 123_456_789_990} {
		cases = append(cases, tc{fmt.Sprintf("rollover=%d", start), Job{Prefix: []byte("100"), Encoding: Decimal, Start: start, Step: 1, Target: kinds[0].t}, 0, 50})
	}
	// The top of uint64: the last indexes up to MaxIndex.
	for _, e := range []Encoding{Decimal, Binary} {
		for _, step := range []uint64{1, 3} {
			j := Job{Prefix: []byte("100"), Encoding: e, Start: math.MaxUint64 - 60*step, Step: step, Target: kinds[0].t}
			cases = append(cases, tc{fmt.Sprintf("top/%s/step=%d", e, step), j, 0, j.MaxIndex() + 1})
		}
	}
	// Steps above 1, both encodings, including steps that change the high
	// digits or bytes in every lane.
	for _, step := range []uint64{2, 7, 11, 17, 18, 36, 37, 666, 667, 1000, 1 << 40} {
		for _, e := range []Encoding{Decimal, Binary} {
			for _, pre := range []int{3, 62, 80} {
				cases = append(cases, tc{fmt.Sprintf("step=%d/%s/prefix=%d", step, e, pre), Job{Prefix: testBytes(pre, 6), Encoding: e, Suffix: []byte("!"), Start: 98, Step: step, Target: kinds[int(step%5)].t}, 5, 60})
			}
		}
	}
	// Every target kind on the tutorial and header shapes.
	for _, kd := range kinds {
		cases = append(cases,
			tc{"target=" + kd.name + "/tutorial", Job{Prefix: []byte("100"), Encoding: Decimal, Start: 1_000_000, Step: 1, Target: kd.t}, 0, 300},
			tc{"target=" + kd.name + "/header", Job{Prefix: testBytes(72, 9), Encoding: Binary, Start: 1 << 50, Step: 1, Target: kd.t}, 0, 300},
		)
	}
	// A harder target where hits are rare and the quick test's boundary
	// value matters (threshold with word 0 equal to the bound).
	cases = append(cases,
		tc{"target=prefix2", Job{Prefix: []byte("100"), Encoding: Decimal, Start: 0, Step: 1, Target: hexPrefixTarget("00")}, 0, 2000},
		tc{"target=threshold-tight", Job{Prefix: []byte("100"), Encoding: Decimal, Start: 0, Step: 1, Target: thresholdTarget(0x00ffffff)}, 0, 2000},
	)
	forEachKernel(t, func(t *testing.T, k *Kernel) {
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				checkKernel(t, k, c.job, c.from, c.count)
			})
		}
	})
}

// TestKernelsEveryLane builds searches whose first hit lands in each lane
// position of the first batch, for every kernel's lane count.
func TestKernelsEveryLane(t *testing.T) {
	jobs := []Job{
		{Prefix: []byte("100"), Encoding: Decimal, Start: 1_000_000, Step: 1, Target: hexPrefixTarget("00")},
		{Prefix: testBytes(72, 9), Encoding: Binary, Start: 1 << 50, Step: 1, Target: hexPrefixTarget("00")},
		{Prefix: []byte("100"), Encoding: Decimal, Start: 1_000_000, Step: 3, Target: hexPrefixTarget("00")},
	}
	forEachKernel(t, func(t *testing.T, k *Kernel) {
		for n, j := range jobs {
			// Hits with no other hit in the 16 indexes before them.
			hits := allHits(Ref.New(&j), 0, 20000, refSizes)
			lane := 0
			prev := uint64(0)
			for i, h := range hits {
				if lane == 16 {
					break
				}
				if (i > 0 && h-prev <= 16) || h < 16 {
					prev = h
					continue
				}
				prev = h
				from := h - uint64(lane)
				got, ok := k.New(&j).Search(from, 16+uint64(n))
				if !ok || got != h {
					t.Fatalf("job %d (%s): search from %d: got (%d, %v), want hit %d in lane %d", n, describe(&j), from, got, ok, h, lane)
				}
				lane++
			}
			if lane < 16 {
				t.Fatalf("job %d: only found cases for %d lanes", n, lane)
			}
		}
	})
}

// TestKernelsReuse searches windows in no particular order with one
// Searcher, so plans made for one window must not leak into another.
func TestKernelsReuse(t *testing.T) {
	windows := [][2]uint64{{1000, 100}, {0, 120}, {99_990, 40}, {5, 3}, {9_999_990, 30}, {1000, 17}, {10, 1}}
	forEachKernel(t, func(t *testing.T, k *Kernel) {
		for _, e := range []Encoding{Decimal, Binary} {
			j := Job{Prefix: []byte("100"), Encoding: e, Start: 0, Step: 1, Target: kinds[0].t}
			s, ref := k.New(&j), Ref.New(&j)
			for _, w := range windows {
				got := allHits(s, w[0], w[1], []uint64{w[1]})
				want := allHits(ref, w[0], w[1], refSizes)
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Fatalf("%s window %v: hits %v, ref %v", e, w, got, want)
				}
			}
		}
	})
}

func TestByName(t *testing.T) {
	if _, err := ByName("no-such-kernel"); !errors.Is(err, ErrUnknownKernel) || !strings.Contains(err.Error(), "no-such-kernel") {
		t.Errorf("unknown kernel: err = %v, want ErrUnknownKernel naming it", err)
	}
	fake := &Kernel{Name: "test-missing", Lanes: 1, Reason: "CPU lacks TESTFEATURE", rank: -1}
	register(fake)
	t.Cleanup(func() {
		regMu.Lock()
		defer regMu.Unlock()
		for i, k := range registry {
			if k == fake {
				registry = append(registry[:i], registry[i+1:]...)
				break
			}
		}
	})
	for _, k := range All() {
		if k.Available {
			if got, err := ByName(k.Name); err != nil || got != k {
				t.Errorf("ByName(%q) = %v, %v", k.Name, got, err)
			}
			continue
		}
		_, err := ByName(k.Name)
		if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), k.Reason) {
			t.Errorf("unavailable kernel %s: err = %v, want ErrUnavailable with reason %q", k.Name, err, k.Reason)
		}
	}
	if b := Best(); !b.Available {
		t.Errorf("Best() = %s, which is not available", b.Name)
	}
}

func TestSelfTest(t *testing.T) {
	forEachKernel(t, func(t *testing.T, k *Kernel) {
		if err := SelfTest(k); err != nil {
			t.Fatal(err)
		}
	})
	if err := SelfTest(Ref); err != nil {
		t.Fatal(err)
	}
}
