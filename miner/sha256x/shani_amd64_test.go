//go:build !purego && !noasm

package sha256x

import (
	"crypto/sha256"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func needSHANI(t testing.TB) {
	t.Helper()
	if !hasSHANI {
		t.Skip("CPU lacks SHA-NI (SHA, SSSE3, SSE4.1); shani kernel not testable here")
	}
}

// exactTarget is met only by message i of j (barring a collision).
func exactTarget(j *Job, i uint64) Target {
	d := RefDigest(j, i)
	all := ^uint32(0)
	return MaskedTarget([8]uint32{all, all, all, all, all, all, all, all}, DigestWords(&d))
}

// compareRef checks every stream variant of shani against Ref with the
// shared checkKernel over [from, from+count).
func compareRef(t *testing.T, j *Job, from, count uint64) {
	t.Helper()
	for _, st := range []int{1, 2, 4} {
		k := &Kernel{Name: fmt.Sprintf("shani/streams=%d", st), Lanes: st, Available: true,
			New: func(j *Job) Searcher { return newSHANIStreams(j, st) }}
		checkKernel(t, k, *j, from, count)
	}
}

func TestSHANIBlocksTwin(t *testing.T) {
	needSHANI(t)
	rng := rand.New(rand.NewPCG(1, 2))
	for _, st := range []int{1, 2, 4} {
		for nb := 1; nb <= 3; nb++ {
			for _, shared := range []bool{false, true} {
				t.Run(fmt.Sprintf("streams=%d/blocks=%d/shared=%v", st, nb, shared), func(t *testing.T) {
					n := 3 * 4
					tl := 64 * nb
					tmpl := make([]byte, n*tl)
					delta := make([]byte, n*tl)
					for i := range tmpl {
						tmpl[i] = byte(rng.Uint32())
						delta[i] = byte(rng.Uint32())
					}
					tstride, dstride := tl, tl
					if shared {
						tstride = 0
					}
					var mid [8]uint32
					for i := range mid {
						mid[i] = rng.Uint32()
					}
					var start [8]uint32
					for i := range start {
						start[i] = rng.Uint32()
					}
					s := &shaniSearcher{streams: st, out: make([]uint32, 8*n)}
					for skip := 0; skip < 16; skip++ {
						want := make([]uint32, 8*n)
						shaniBlocksGo(&mid, &start, skip, tmpl, tstride, delta, dstride, nb, n, want)
						clear(s.out)
						s.hash(&mid, &start, skip, tmpl, tstride, delta, dstride, nb, n)
						if fmt.Sprint(s.out) != fmt.Sprint(want) {
							t.Fatalf("skip %d: assembly and Go twin differ:\n got %x\nwant %x", skip, s.out, want)
						}
					}
				})
			}
		}
	}
}

// TestSHANITwinIsSHA256 ties the Go twin to crypto/sha256 on whole messages.
func TestSHANITwinIsSHA256(t *testing.T) {
	for _, n := range []int{0, 1, 55, 56, 63, 64, 119, 120, 200} {
		msg := testBytes(n, 0)
		tail := appendPadding(append([]byte(nil), msg...), n)
		mid := toSHANI(&iv)
		out := make([]uint32, 8)
		shaniBlocksGo(&mid, &mid, 0, tail, 0, make([]byte, len(tail)), 0, len(tail)/64, 1, out)
		h := fromSHANI(out)
		if d, want := WordsDigest(&h), sha256.Sum256(msg); d != want {
			t.Fatalf("len %d: twin digest %x, want %x", n, d, want)
		}
	}
}

func TestSHANIPrefixLengths(t *testing.T) {
	needSHANI(t)
	for _, enc := range []Encoding{Decimal, Binary} {
		for n := 0; n <= 200; n++ {
			j := &Job{Prefix: testBytes(n, 0), Encoding: enc, Start: 1_000_000 + uint64(n), Step: 1, Suffix: []byte("xy"), Target: hexPrefixTarget("0")}
			t.Run(fmt.Sprintf("%v/prefix=%d", enc, n), func(t *testing.T) {
				compareRef(t, j, 37, 150)
			})
		}
	}
}

func TestSHANIWidths(t *testing.T) {
	needSHANI(t)
	for w := 1; w <= 20; w++ {
		for _, step := range []uint64{1, 3, 7} {
			// Start a little below the first w-digit nonce so the range
			// crosses the width change (…9 → …10).
			var start uint64
			if w == 20 {
				start = math.MaxUint64 - 400*step
			} else if p := pow10(w - 1); p > 60*step {
				start = p - 60*step
			}
			for _, plen := range []int{3, 58, 64, 100} {
				j := &Job{Prefix: testBytes(plen, 0), Encoding: Decimal, Start: start, Step: step, Target: hexPrefixTarget("0")}
				t.Run(fmt.Sprintf("w=%d/step=%d/prefix=%d", w, step, plen), func(t *testing.T) {
					count := min(uint64(300), j.MaxIndex()+1)
					compareRef(t, j, 0, count)
					if w == 20 { // up to the very last nonce
						compareRef(t, j, j.MaxIndex()-20, 21)
					}
				})
			}
		}
	}
}

func TestSHANISteps(t *testing.T) {
	needSHANI(t)
	tests := []struct {
		name  string
		enc   Encoding
		start uint64
		step  uint64
	}{
		{"dec step 2", Decimal, 1, 2},
		{"dec step 100", Decimal, 5, 100},
		{"dec step 1e9", Decimal, 123, 1_000_000_000},
		{"dec step 2^60", Decimal, 9, 1 << 60},
		{"bin step 1 wrap byte", Binary, 0xfff0, 1},
		{"bin step 5", Binary, 1 << 40, 5},
		{"bin step 2^56", Binary, 3, 1 << 56},
		{"bin near max", Binary, math.MaxUint64 - 500, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, plen := range []int{0, 3, 50, 72, 130} {
				j := &Job{Prefix: testBytes(plen, 0), Encoding: tc.enc, Start: tc.start, Step: tc.step, Suffix: []byte("!"), Target: hexPrefixTarget("0")}
				count := min(uint64(400), j.MaxIndex()+1)
				compareRef(t, j, 0, count)
				compareRef(t, j, j.MaxIndex()+1-count, count)
			}
		})
	}
}

func TestSHANIRaggedCounts(t *testing.T) {
	needSHANI(t)
	// One hit in two: every group holds several hits, so the lowest must win.
	half := MaskedTarget([8]uint32{1 << 31}, [8]uint32{})
	for _, enc := range []Encoding{Decimal, Binary} {
		for _, step := range []uint64{1, 3} {
			j := &Job{Prefix: []byte("100"), Encoding: enc, Start: 999_950, Step: step, Target: hexPrefixTarget("0")}
			jh := *j
			jh.Target = half
			t.Run(fmt.Sprintf("%v/step=%d", enc, step), func(t *testing.T) {
				for from := uint64(0); from < 110; from += 7 {
					for count := uint64(1); count <= 13; count++ {
						compareRef(t, j, from, count)
						compareRef(t, &jh, from, count)
					}
				}
			})
		}
	}
}

func TestSHANIEveryPosition(t *testing.T) {
	needSHANI(t)
	tests := []struct {
		name string
		job  Job
	}{
		{"tutorial", Job{Prefix: []byte("100"), Encoding: Decimal, Start: 1_000_000, Step: 1}},
		{"header", Job{Prefix: testBytes(72, 0), Encoding: Binary, Start: 1 << 33, Step: 1}},
		{"step 3", Job{Prefix: testBytes(20, 0), Encoding: Decimal, Start: 7, Step: 3}},
		{"two blocks", Job{Prefix: testBytes(50, 0), Encoding: Decimal, Start: 123456789, Step: 1, Suffix: []byte("suffix")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			j := tc.job
			// Hits at each position of a group of streams and of a
			// template group, searched from several offsets.
			for hit := uint64(100); hit < 112; hit++ {
				j.Target = exactTarget(&j, hit)
				for _, from := range []uint64{0, 97, 99, 100, 101, hit} {
					if from > hit {
						continue
					}
					s := newSHANI(&j)
					if h, ok := s.Search(from, hit-from+9); !ok || h != hit {
						t.Fatalf("hit %d from %d: got (%d, %v)", hit, from, h, ok)
					}
					if h, ok := s.Search(hit+1, 50); ok {
						t.Fatalf("hit %d: a second hit at %d", hit, h)
					}
				}
			}
		})
	}
}

func TestSHANITargets(t *testing.T) {
	needSHANI(t)
	var max0 [8]uint32
	max0[0] = 0x0fffffff
	max0[1] = 0x12345678
	tests := []struct {
		name   string
		target Target
	}{
		{"prefix 1", hexPrefixTarget("0")},
		{"prefix 2", hexPrefixTarget("00")},
		{"suffix 1", MaskedTarget([8]uint32{7: 0xf}, [8]uint32{7: 0x5})},
		{"spread", MaskedTarget([8]uint32{0: 0x80000000, 3: 0x1, 6: 0x100}, [8]uint32{3: 1})},
		{"threshold", ThresholdTarget(max0)},
		{"threshold tie", ThresholdTarget([8]uint32{0x1fffffff, 0, 0, 0, 0, 0, 0, 0})},
	}
	// A nibble of each state word in turn, so the quick filter reads every
	// position of the SHA-NI state layout.
	for w := 0; w < 8; w++ {
		var mask, want [8]uint32
		mask[w], want[w] = 0xf<<(4*w%32), uint32(w)<<(4*w%32)
		tests = append(tests, struct {
			name   string
			target Target
		}{fmt.Sprintf("word %d", w), MaskedTarget(mask, want)})
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.target.QuickWord() >= 0 && !tc.target.IsThreshold() && tc.target.Mask()[tc.target.QuickWord()] == 0 {
				t.Fatal("quick word constrains nothing")
			}
			for _, enc := range []Encoding{Decimal, Binary} {
				j := &Job{Prefix: []byte("100"), Encoding: enc, Start: 1_000_000, Step: 1, Target: tc.target}
				compareRef(t, j, 0, 700)
			}
		})
	}
}

func TestSHANILongSuffix(t *testing.T) {
	needSHANI(t)
	// Tails past shaniMaxTail go to the generic kernel.
	j := &Job{Prefix: testBytes(10, 0), Encoding: Decimal, Start: 95, Step: 1, Suffix: testBytes(shaniMaxTail, 0), Target: hexPrefixTarget("0")}
	compareRef(t, j, 0, 100)
}

func TestSHANIRegistered(t *testing.T) {
	var k *Kernel
	for _, c := range All() {
		if c.Name == "shani" {
			k = c
		}
	}
	if k == nil {
		t.Fatal("shani is not registered")
	}
	if k.Available != hasSHANI || k.Lanes != shaniStreams || len(k.Needs) == 0 {
		t.Fatalf("registration %+v does not match hasSHANI=%v", k, hasSHANI)
	}
	if !k.Available && k.Reason == "" {
		t.Fatal("unavailable without a reason")
	}
}

func TestSHANISelfTest(t *testing.T) {
	needSHANI(t)
	k, err := ByName("shani")
	if err != nil {
		t.Fatal(err)
	}
	if err := SelfTest(k); err != nil {
		t.Fatal(err)
	}
}

func TestSHANIRandomJobs(t *testing.T) {
	needSHANI(t)
	rng := rand.New(rand.NewPCG(3, 4))
	for n := 0; n < 60; n++ {
		j := &Job{
			Prefix:   testBytes(rng.IntN(140), 0),
			Encoding: Encoding(rng.IntN(2)),
			Suffix:   testBytes(rng.IntN(70), 0),
			Start:    rng.Uint64() >> rng.IntN(64),
			Step:     1 + rng.Uint64N(4)*(rng.Uint64()>>rng.IntN(64)),
			Target:   hexPrefixTarget("0"),
		}
		if j.MaxIndex() < 300 {
			continue
		}
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			compareRef(t, j, rng.Uint64N(1000), 1+rng.Uint64N(300))
		})
	}
}

// FuzzSHANI compares shani with Ref on arbitrary jobs and ranges:
//
//	go test -run XXX -fuzz FuzzSHANI -fuzztime 30s ./miner/sha256x
func FuzzSHANI(f *testing.F) {
	if !hasSHANI {
		f.Skip("CPU lacks SHA-NI (SHA, SSSE3, SSE4.1)")
	}
	f.Add([]byte("100"), false, []byte(""), uint64(1_000_000), uint64(1), uint64(0), uint16(300), uint8(1))
	f.Add(testBytes(72, 0), true, []byte(""), uint64(1<<40), uint64(1), uint64(5), uint16(200), uint8(1))
	f.Add(testBytes(60, 0), false, []byte("sfx"), uint64(95), uint64(3), uint64(2), uint16(100), uint8(2))
	f.Add([]byte{}, false, testBytes(70, 0), uint64(math.MaxUint64-300), uint64(1), uint64(250), uint16(60), uint8(1))
	f.Fuzz(func(t *testing.T, prefix []byte, binary bool, suffix []byte, start, step, from uint64, count uint16, zeros uint8) {
		if len(prefix) > 300 || len(suffix) > 600 || step == 0 {
			return
		}
		enc := Decimal
		if binary {
			enc = Binary
		}
		j := &Job{Prefix: prefix, Encoding: enc, Suffix: suffix, Start: start, Step: step, Target: hexPrefixTarget(strings.Repeat("0", int(zeros%3)+1))}
		c := uint64(count%512) + 1
		if j.MaxIndex() < c-1 {
			return
		}
		from = min(from, j.MaxIndex()-(c-1))
		want := allHits(newRef(j), from, c, refSizes)
		got := allHits(newSHANI(j), from, c, []uint64{c})
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("hits %v, want %v", got, want)
		}
	})
}
