package sha256x

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
)

// leTarget is Bitcoin's test with the number's top word w0 and every lower
// bit set: about w0/2^32 of digests meet it.
func leTarget(w0 uint32) Target {
	m := [8]uint32{w0}
	for i := 1; i < 8; i++ {
		m[i] = math.MaxUint32
	}
	return LEThresholdTarget(m)
}

// displayBitsTarget is "the block hash in display order (the byte-reversed
// digest) starts with n zero bits": a masked target on the last digest
// bytes, low bits of state word 7 first.
func displayBitsTarget(n int) Target {
	var mask [8]uint32
	for i := 0; i < n; i++ {
		byteInDigest := 31 - i/8
		mask[byteInDigest/4] |= 1 << (8*(3-uint(byteInDigest%4)) + 7 - uint(i%8))
	}
	return MaskedTarget(mask, [8]uint32{})
}

// headerKinds are the easy targets (about 1 hit in 16) the header cases run
// with: Bitcoin's own order first, then the other forms (the fast kernels
// may hand those to Go, but must still answer right).
var headerKinds = []struct {
	name string
	t    Target
}{
	{"le", leTarget(0x0fffffff)},
	{"le-bytezero", leTarget(0x000fffff)},
	{"display-bits", displayBitsTarget(4)},
	{"prefix", hexPrefixTarget("0")},
	{"threshold", thresholdTarget(0x0fffffff)},
	{"suffix", hexSuffixTarget("a")},
}

// randomHeader returns a header prefix (76 bytes) drawn from r.
func randomHeader(r *rand.Rand) []byte {
	b := make([]byte, HeaderNonceOffset)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// headerJob is the header shape from start under t.
func headerJob(prefix []byte, start uint64, t Target) Job {
	return Job{Algo: SHA256d, Prefix: prefix, Encoding: LE32, Start: start, Step: 1, Target: t}
}

func TestSHA256dKernels(t *testing.T) {
	type tc struct {
		name        string
		job         Job
		from, count uint64
	}
	r := rand.New(rand.NewPCG(1, 2))
	var cases []tc
	// Random headers under every target kind, counts that are not multiples
	// of the lanes, starts anywhere in the 32-bit range.
	for n := 0; n < 24; n++ {
		kd := headerKinds[n%len(headerKinds)]
		start := uint64(r.Uint32() >> 1)
		cases = append(cases, tc{fmt.Sprintf("random=%d/%s", n, kd.name), headerJob(randomHeader(r), start, kd.t), uint64(n % 5), 300 + uint64(n)})
	}
	// The top of the 32-bit range: the last nonces up to MaxIndex, and
	// ranges that end exactly there from starts at odd offsets.
	for _, back := range []uint64{1, 15, 16, 17, 33, 100} {
		j := headerJob(randomHeader(r), math.MaxUint32-back+1, headerKinds[0].t)
		cases = append(cases, tc{fmt.Sprintf("top/back=%d", back), j, 0, j.MaxIndex() + 1})
	}
	// 2^k boundaries of the nonce inside a range (the byte-swapped word
	// changes its high bytes).
	for _, b := range []uint64{1 << 8, 1 << 16, 1 << 24, 1 << 31} {
		cases = append(cases, tc{fmt.Sprintf("cross=%#x", b), headerJob(randomHeader(r), b-40, headerKinds[n2(b)].t), 0, 90})
	}
	// Other sha256d shapes: decimal nonces, a binary nonce, a suffix, a
	// step, a prefix of other lengths (the generic path).
	cases = append(cases,
		tc{"shape=tutorial", Job{Algo: SHA256d, Prefix: []byte("100"), Encoding: Decimal, Start: 1_000_000, Step: 1, Target: kinds[0].t}, 0, 200},
		tc{"shape=binary", Job{Algo: SHA256d, Prefix: testBytes(72, 9), Encoding: Binary, Start: 1 << 40, Step: 1, Target: kinds[2].t}, 0, 200},
		tc{"shape=suffix", Job{Algo: SHA256d, Prefix: testBytes(40, 1), Encoding: LE32, Suffix: []byte("x"), Start: 7, Step: 1, Target: leTarget(0x0fffffff)}, 0, 200},
		tc{"shape=step", Job{Algo: SHA256d, Prefix: testBytes(76, 2), Encoding: LE32, Start: 7, Step: 3, Target: leTarget(0x0fffffff)}, 0, 200},
		tc{"shape=prefix75", Job{Algo: SHA256d, Prefix: testBytes(75, 3), Encoding: LE32, Start: 7, Step: 1, Target: leTarget(0x0fffffff)}, 0, 200},
		tc{"shape=prefix140", Job{Algo: SHA256d, Prefix: testBytes(140, 4), Encoding: LE32, Start: 7, Step: 1, Target: leTarget(0x0fffffff)}, 0, 200},
	)
	// Rarer hits, where the quick test's boundary matters.
	cases = append(cases,
		tc{"tight/le", headerJob(randomHeader(r), 5000, leTarget(0x00ffffff)), 0, 3000},
		tc{"tight/le-zero-word", headerJob(randomHeader(r), 5000, leTarget(0x0000ffff)), 0, 3000},
	)
	forEachKernelFor(t, SHA256d, func(t *testing.T, k *Kernel) {
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				checkKernel(t, k, c.job, c.from, c.count)
			})
		}
	})
}

func n2(b uint64) int { return bits.Len64(b) % len(headerKinds) }

// TestSHA256dEveryLane puts the first hit of a search in each of lanes
// 0..31 of the first call, for Bitcoin's target order.
func TestSHA256dEveryLane(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	j := headerJob(randomHeader(r), 1<<20, leTarget(0x00ffffff))
	hits := allHits(Ref.New(&j), 0, 40000, refSizes)
	forEachKernelFor(t, SHA256d, func(t *testing.T, k *Kernel) {
		lane := 0
		for i, h := range hits {
			if lane == 32 {
				break
			}
			if h < 32 || (i > 0 && h-hits[i-1] <= 32) {
				continue
			}
			from := h - uint64(lane)
			got, ok := k.New(&j).Search(from, 64)
			if !ok || got != h {
				t.Fatalf("search from %d: got (%d, %v), want hit %d in lane %d", from, got, ok, h, lane)
			}
			lane++
		}
		if lane < 32 {
			t.Fatalf("only found cases for %d lanes", lane)
		}
	})
}

// TestSHA256dTies builds targets whose most significant word equals a
// digest's exactly, so the quick test on word 7 passes and only the lower
// words decide: a bound one below the digest must not meet, the digest
// itself must. An early exit that decided on word 7 alone would fail here.
func TestSHA256dTies(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	prefix := randomHeader(r)
	base := headerJob(prefix, 1000, leTarget(0))
	forEachKernelFor(t, SHA256d, func(t *testing.T, k *Kernel) {
		for _, idx := range []uint64{0, 1, 7, 15, 16, 17, 31, 40} {
			d := RefDigest(&base, idx)
			var num [8]uint32 // the digest as Bitcoin's number, top word first
			for b := 0; b < 32; b++ {
				num[b/4] |= uint32(d[31-b]) << (24 - 8*uint(b%4))
			}
			// Bound = the digest itself: index idx meets it (an earlier
			// index may too; ref decides).
			exact := headerJob(prefix, 1000, LEThresholdTarget(num))
			got, ok := k.New(&exact).Search(0, 64)
			want, wok := Ref.New(&exact).Search(0, 64)
			if got != want || ok != wok || !wok || want > idx {
				t.Fatalf("bound = digest of index %d: got (%d, %v), ref (%d, %v)", idx, got, ok, want, wok)
			}
			below := num
			for w := 7; w >= 1; w-- { // subtract one, never borrowing from word 0
				if below[w] != 0 {
					below[w]--
					break
				}
				below[w] = math.MaxUint32
			}
			tight := headerJob(prefix, 1000, LEThresholdTarget(below))
			if got, ok := k.New(&tight).Search(idx, 1); ok {
				t.Fatalf("bound one below the digest of index %d: reported a hit at %d", idx, got)
			}
			if w, wok := Ref.New(&tight).Search(idx, 1); wok {
				t.Fatalf("ref reports %d meeting a bound below its own digest", w)
			}
		}
	})
}

// TestSHA256dReuse searches windows in no particular order with one
// Searcher.
func TestSHA256dReuse(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	j := headerJob(randomHeader(r), 0, leTarget(0x0fffffff))
	windows := [][2]uint64{{1000, 100}, {0, 120}, {99_990, 40}, {5, 3}, {math.MaxUint32 - 30, 31}, {1000, 17}, {10, 1}}
	forEachKernelFor(t, SHA256d, func(t *testing.T, k *Kernel) {
		s, ref := k.New(&j), Ref.New(&j)
		for _, w := range windows {
			got := allHits(s, w[0], w[1], []uint64{w[1]})
			want := allHits(ref, w[0], w[1], refSizes)
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("window %v: hits %v, ref %v", w, got, want)
			}
		}
	})
}

// mainnetHeaders reads testdata/btc_headers_1_11.txt: Bitcoin's headers at
// heights 1..11, with the genesis header (height 0) put first.
func mainnetHeaders(t *testing.T) [][]byte {
	t.Helper()
	g, _ := hex.DecodeString(GenesisHeader)
	hs := [][]byte{g}
	f, err := os.ReadFile("testdata/btc_headers_1_11.txt")
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(bytes.NewReader(f))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		h, err := hex.DecodeString(line)
		if err != nil || len(h) != HeaderLen {
			t.Fatalf("bad header line %q: %v", line, err)
		}
		hs = append(hs, h)
	}
	if len(hs) != 12 {
		t.Fatalf("read %d headers, want 12", len(hs))
	}
	return hs
}

// displayHash is a block hash as explorers show it: the digest reversed.
func displayHash(d [32]byte) string {
	slices.Reverse(d[:])
	return hex.EncodeToString(d[:])
}

// compactTarget expands Bitcoin's compact bits (positive, exponent >= 3)
// into the little-endian threshold's words.
func compactTarget(t *testing.T, bitsLE []byte) Target {
	t.Helper()
	c := uint32(bitsLE[0]) | uint32(bitsLE[1])<<8 | uint32(bitsLE[2])<<16 | uint32(bitsLE[3])<<24
	exp, mant := int(c>>24), c&0x007fffff
	if exp < 3 || exp > 32 {
		t.Fatalf("compact %#x: exponent out of this test's range", c)
	}
	var num [32]byte // big-endian number
	for i := 0; i < 3; i++ {
		num[32-exp+i] = byte(mant >> (16 - 8*uint(i)))
	}
	return LEThresholdTarget(DigestWords(&num))
}

// TestMainnetHeaders checks sha256d on real blocks: the genesis hash, each
// header's hash equal to the next header's previous-hash field and meeting
// its own bits, and each header re-mined by every kernel from below its
// nonce finding that nonce.
func TestMainnetHeaders(t *testing.T) {
	hs := mainnetHeaders(t)
	if got := displayHash(Sum256d(hs[0])); got != "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f" {
		t.Fatalf("genesis hash %s", got)
	}
	if got := displayHash(Sum256d(hs[1])); got != "00000000839a8e6886ab5951d76f411475428afc90947ee320161bbf18eb6048" {
		t.Fatalf("block 1 hash %s", got)
	}
	for i := 1; i < len(hs); i++ {
		d := Sum256d(hs[i-1])
		if !bytes.Equal(hs[i][4:36], d[:]) {
			t.Fatalf("header %d's previous hash is not the hash of header %d", i, i-1)
		}
	}
	forEachKernelFor(t, SHA256d, func(t *testing.T, k *Kernel) {
		// Fast kernels re-mine 2^20 nonces per block; the one-lane Go
		// kernels (slow under the race detector) 2^14.
		back := uint64(1 << 20)
		if k.Lanes == 1 {
			back = 1 << 14
		}
		for h, hdr := range hs {
			nonce := uint64(hdr[76]) | uint64(hdr[77])<<8 | uint64(hdr[78])<<16 | uint64(hdr[79])<<24
			start := nonce - min(nonce, back)
			prefix := append([]byte(nil), hdr[:HeaderNonceOffset]...)
			j := headerJob(prefix, start, compactTarget(t, hdr[72:76]))
			got, ok := k.New(&j).Search(0, nonce-start+1)
			if !ok || j.Nonce(got) != nonce {
				t.Fatalf("height %d: re-mined from %d: got (%d, %v), want nonce %d", h, start, j.Nonce(got), ok, nonce)
			}
		}
	})
}

func TestLEThresholdQuick(t *testing.T) {
	// The quick test must pass every word whose byte-reversed value is at
	// most the bound's top word, for bounds with 0..4 leading zero bytes.
	r := rand.New(rand.NewPCG(9, 10))
	for _, top := range []uint32{0, 0x000000ff, 0x00000001, 0x0000ffff, 0x00012345, 0x00ffffff, 0x01000000, 0x7fffffff, math.MaxUint32} {
		tg := leTarget(top)
		for n := 0; n < 20000; n++ {
			v := r.Uint32()
			switch n % 4 {
			case 0:
				v = bits.ReverseBytes32(top)
			case 1:
				v = bits.ReverseBytes32(top - min(top, uint32(n)))
			case 2:
				v = bits.ReverseBytes32(top + uint32(n))
			}
			meetsTop := bits.ReverseBytes32(v) <= top
			if meetsTop && !tg.Quick(v) {
				t.Fatalf("top %#x: h7 %#x meets the top word but fails the quick test", top, v)
			}
		}
		// And it is strong: on random words it passes at most about one in
		// 2^(8z) (z leading zero bytes of top), or the share of top bytes
		// allowed when there are none: a weak filter sends every hash to
		// the slow exact test.
		z := bits.LeadingZeros32(top) / 8
		bound := math.Ldexp(1, -8*z)
		if z == 0 {
			bound = float64(top>>24+1) / 256
		}
		pass := 0
		const n = 1 << 20
		for k := 0; k < n; k++ {
			v := r.Uint32()
			if z >= 2 {
				v &^= uint32(1)<<(8*uint(z)-8) - 1 // make passes common enough to count
				v &^= 0xff << (8 * uint(z-1))
				v |= r.Uint32() & (0xff << (8 * uint(z-1)))
			}
			if tg.Quick(v) {
				pass++
			}
		}
		rate := float64(pass) / n
		if z >= 2 {
			rate *= math.Ldexp(1, -8*(z-1)) // the bytes fixed to zero above
		}
		if rate > 1.5*bound+1e-9 {
			t.Fatalf("top %#x: the quick test passes %.3g of words, want at most about %.3g", top, rate, bound)
		}
	}
}

func TestAlgoNames(t *testing.T) {
	for _, a := range Algos {
		got, err := ParseAlgo(strings.ToUpper(a.String()))
		if err != nil || got != a {
			t.Errorf("ParseAlgo(%q) = %v, %v", a, got, err)
		}
		if len(For(a)) < 2 {
			t.Errorf("%s has %d kernels, want generic and stdlib at least", a, len(For(a)))
		}
		if _, err := ByNameFor(a, "generic"); err != nil {
			t.Errorf("ByNameFor(%s, generic): %v", a, err)
		}
	}
	if _, err := ParseAlgo("scrypt"); err == nil || !strings.Contains(err.Error(), "scrypt") {
		t.Errorf("ParseAlgo(scrypt) = %v, want an error naming it", err)
	}
	if b := BestFor(SHA256d); b.Algo != SHA256d || !b.Available {
		t.Errorf("BestFor(sha256d) = %s (%s)", b.Name, b.Algo)
	}
}

// BenchmarkKernelSHA256d is Bitcoin's genesis header under difficulty 1.
func BenchmarkKernelSHA256d(b *testing.B) {
	g, _ := hex.DecodeString(GenesisHeader)
	benchKernelsFor(b, SHA256d, headerJob(g[:HeaderNonceOffset], 0, LEThresholdTarget(difficultyOne)))
}
