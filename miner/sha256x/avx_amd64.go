//go:build !purego && !noasm

package sha256x

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"math"
	"math/bits"
	"strconv"
	"strings"
	"sync"
	"unsafe"

	"github.com/klauspost/cpuid/v2"
)

// CPU features, read once. cpuid also checks that the OS saves the vector
// registers (XCR0), so a flag is only set when the kernel can really run.
var (
	hasAVX512 = cpuid.CPU.Supports(cpuid.AVX, cpuid.AVX512F)
	hasAVX2   = cpuid.CPU.Supports(cpuid.AVX, cpuid.AVX2)
)

func init() {
	register(&Kernel{
		Name: "avx512", Lanes: 16,
		Desc:      "AVX-512: 16 messages per block in ZMM lanes (VPRORD, VPTERNLOGD), per-lane work only on nonce words",
		Needs:     []string{"AVX", "AVX512F"},
		Available: hasAVX512,
		Reason:    missing(hasAVX512, "AVX", "AVX512F"),
		New:       func(j *Job) Searcher { return newAVX(j, &avx512Funcs) },
		rank:      40,
	})
	register(&Kernel{
		Name: "avx2", Lanes: 8,
		Desc:      "AVX2: 8 messages per block in YMM lanes (rotates as shift pairs), per-lane work only on nonce words",
		Needs:     []string{"AVX", "AVX2"},
		Available: hasAVX2,
		Reason:    missing(hasAVX2, "AVX", "AVX2"),
		New:       func(j *Job) Searcher { return newAVX(j, &avx2Funcs) },
		rank:      25,
	})
}

// missing explains an unavailable kernel.
func missing(ok bool, features ...string) string {
	if ok {
		return ""
	}
	var lack []string
	for _, f := range features {
		id := cpuid.ParseFeature(f)
		if !cpuid.CPU.Supports(id) {
			lack = append(lack, f)
		}
	}
	if len(lack) == 0 {
		return "CPU or OS lacks support for " + strings.Join(features, "+")
	}
	return "CPU lacks " + strings.Join(lack, ", ")
}

// avxCtx is the memory the generated kernels read and write. Its layout is
// fixed by the offsets in _asm/avx/main.go; TestAVXCtxLayout checks them.
type avxCtx struct {
	inv  [64]uint32 // schedule terms that are the same in every lane
	st   [8]uint32  // state after rounds 0..v, round v without W[v] (pair shapes)
	init [8]uint32  // state before the block (pair shapes' feed-forward)
	base [2]uint32  // words v, v+1 with the per-lane bytes cleared
	q    uint32     // byte offset of out[quick word]
	qm   uint32     // quick test: ((h[q] & qm) ^ qw) <= ql
	qw   uint32
	ql   uint32
	_    [10]uint32
	lane [2][16]uint32  // per-lane bytes of words v, v+1
	out  [8][16]uint32  // per-lane state
	w    [16][16]uint32 // per-lane words (full shape)
	ws   [16][16]uint32 // schedule scratch (AVX2)
	// The x2 pair kernels' second batch (lanes 16..31) and schedule rings.
	out2 [8][16]uint32
	ring [2][16][16]uint32
}

type avxKernel func(c *[768]uint32, kw *[64]uint32) uint16

// avxKernel2 is a pair kernel for two batches: 32 lanes per call.
// It reads the per-lane bytes of words v and v+1 from w0 and w1 rather
// than ctx.lane, so the searcher can pass its tables without a copy, and
// runs n such pairs of batches until one has a candidate.
type avxKernel2 func(c *[1408]uint32, kw *[64]uint32, w0, w1 *uint32, n int) (i int, mask uint32)

// avxFuncs is one instruction set's family of generated kernels.
type avxFuncs struct {
	lanes int
	pair  [16]avxKernel // pair[v]: words v and v+1 differ per lane
	full  avxKernel     // every word and the input state differ per lane
	chain avxKernel     // no word differs; the input state does
	// pair2[v]: pair[v] for two interleaved batches (32 lanes), used
	// when no block follows; nil where the family has none.
	pair2 [16]avxKernel2
}

var avx512Funcs = avxFuncs{
	lanes: 16,
	pair: [16]avxKernel{avx512Pair0, avx512Pair1, avx512Pair2, avx512Pair3,
		avx512Pair4, avx512Pair5, avx512Pair6, avx512Pair7,
		avx512Pair8, avx512Pair9, avx512Pair10, avx512Pair11,
		avx512Pair12, avx512Pair13, avx512Pair14, avx512Pair15},
	full:  avx512Full,
	chain: avx512Chain,
	pair2: [16]avxKernel2{avx512Pair0x2, avx512Pair1x2, avx512Pair2x2, avx512Pair3x2,
		avx512Pair4x2, avx512Pair5x2, avx512Pair6x2, avx512Pair7x2,
		avx512Pair8x2, avx512Pair9x2, avx512Pair10x2, avx512Pair11x2,
		avx512Pair12x2, avx512Pair13x2, avx512Pair14x2, avx512Pair15x2},
}

var avx2Funcs = avxFuncs{
	lanes: 8,
	pair: [16]avxKernel{avx2Pair0, avx2Pair1, avx2Pair2, avx2Pair3,
		avx2Pair4, avx2Pair5, avx2Pair6, avx2Pair7,
		avx2Pair8, avx2Pair9, avx2Pair10, avx2Pair11,
		avx2Pair12, avx2Pair13, avx2Pair14, avx2Pair15},
	full:  avx2Full,
	chain: avx2Chain,
}

// scheduleVarying propagates per-lane words through the message schedule:
// W[t] differs per lane when any word it is built from does. It is the twin
// of varying in _asm/avx/main.go and must stay identical to it.
func scheduleVarying(lane *[16]bool) [64]bool {
	var v [64]bool
	copy(v[:], lane[:])
	for t := 16; t < 64; t++ {
		v[t] = v[t-2] || v[t-7] || v[t-15] || v[t-16]
	}
	return v
}

// planConsts fills kw (K[t]+W[t] where W[t] is the same in every lane, K[t]
// elsewhere) and inv (for per-lane W[t], the sum of its terms that are the
// same in every lane) from the block's words; words marked in lane are
// ignored.
func planConsts(words *[16]uint32, lane *[16]bool, kw, inv *[64]uint32) {
	vary := scheduleVarying(lane)
	var w [64]uint32
	copy(w[:], words[:])
	for t := 16; t < 64; t++ {
		var sum uint32
		if !vary[t-2] {
			sum += sigma1(w[t-2])
		}
		if !vary[t-7] {
			sum += w[t-7]
		}
		if !vary[t-15] {
			sum += sigma0(w[t-15])
		}
		if !vary[t-16] {
			sum += w[t-16]
		}
		if vary[t] {
			inv[t] = sum
		} else {
			w[t] = sum
			inv[t] = 0
		}
	}
	for t := range kw {
		kw[t] = roundK[t]
		if !vary[t] {
			kw[t] += w[t]
		}
	}
}

// Shapes of the generated kernels, for avxTwin.
const (
	shapePair = iota
	shapeFull
	shapeChain
)

// avxTwin is the Go twin of every generated kernel: it computes, lane by
// lane and the plain way, what the kernel of the given shape (and first
// vector round v for pair shapes) computes from c and kw, and returns the
// same quick-test mask. Tests compare the two.
func avxTwin(shape, v, lanes int, c *avxCtx, kw *[64]uint32) uint16 {
	var lane [16]bool
	switch shape {
	case shapeFull:
		lane = [16]bool{true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true}
	case shapePair:
		lane[v] = true
		if v+1 < 16 {
			lane[v+1] = true
		}
	}
	var mask uint16
	q := int(c.q / 64)
	for l := 0; l < lanes; l++ {
		var w [64]uint32
		for t := 0; t < 16; t++ {
			switch {
			case shape == shapeFull:
				w[t] = c.w[t][l]
			case lane[t]:
				w[t] = c.lane[t-v][l] | c.base[t-v]
			default:
				w[t] = kw[t] - roundK[t]
			}
		}
		var s, in [8]uint32
		if shape == shapePair {
			s, in = c.st, c.init
		} else {
			for i := range s {
				s[i] = c.out[i][l]
			}
			in = s
		}
		expandSchedule(&w)
		first := 0
		if shape == shapePair {
			// c.st is the state after round v computed without W[v].
			s[0] += w[v]
			s[4] += w[v]
			first = v + 1
		}
		roundsFrom(&s, &w, first)
		for i := range s {
			s[i] += in[i]
			c.out[i][l] = s[i]
		}
		if (s[q]&c.qm)^c.qw <= c.ql {
			mask |= 1 << l
		}
	}
	return mask
}

// fastPlan is the precomputed part of the fast path: for all nonces that
// share the message bytes outside words v and v+1 of one block, the
// constants of the pair kernel; and for the current group of them, which
// differ only in their last nb bytes (decimal digits or the binary low
// byte), the rest of words v and v+1.
type fastPlan struct {
	valid  bool
	width  int          // nonce length the plan is laid out for
	nb     int          // per-lane bytes at the end of the nonce
	mod    uint64       // nonces per group: 10^nb, or 256 for binary
	first  int          // tail position of the first per-lane byte
	lo, hi uint64       // the plan serves nonces lo ≤ n < hi
	block  int          // tail block holding the per-lane bytes
	v      int          // first per-lane word in that block
	tab    *[2][]uint32 // from lowTables
	kw     [64]uint32   // pair shape constants
	chain  [][64]uint32 // K+W of each later tail block
	inv    [64]uint32   // ctx.inv
	st     [8]uint32    // ctx.st
	init   [8]uint32    // ctx.init

	// The current group: nonces slo ≤ n < shi, whose lane bytes are
	// tab[n-gbase] and whose words v and v+1 are otherwise base.
	gbase, slo, shi uint64
	base            [2]uint32
}

// maxLowDigits is how many low decimal digits differ inside a group of
// nonces. Four digits still fit in two adjacent words;
// a group of 10,000 nonces wastes at most one partial batch, for tables of
// 80 KB (shared by all searchers) that are read sequentially.
const maxLowDigits = 4

// avxSearcher runs a Job on a family of generated kernels.
type avxSearcher struct {
	job    *Job
	fn     *avxFuncs
	c      *avxCtx
	mid    [8]uint32 // state after the prefix's whole blocks
	rest   []byte    // prefix bytes after them
	hashed int
	kPlain [64]uint32
	kwTmp  [64]uint32
	wide   [2][32]uint32 // per-lane bytes of a stepped x2 batch
	plan   fastPlan
	planIn bool // plan.ctx is loaded in c
	// slowWidths has bit w set when nonces of width w take the slow path
	// (the step is too large for their group).
	slowWidths uint32
	tail       []byte
	lanes      [16][]byte
	chk        []byte
}

// maxAVXSuffix bounds the suffix the SIMD path takes: its plan keeps 256
// bytes of constants per 64-byte block after the nonce, and its slow path a
// copy of the tail per lane. Longer suffixes (never seen in practice) use
// the generic kernel.
const maxAVXSuffix = 4096

func newAVX(j *Job, fn *avxFuncs) Searcher {
	if len(j.Suffix) > maxAVXSuffix || j.Algo != SHA256 || j.Encoding == LE32 {
		return newGeneric(j)
	}
	n := len(j.Prefix) &^ 63
	s := &avxSearcher{job: j, fn: fn, c: new(avxCtx), mid: iv, rest: j.Prefix[n:], hashed: n, kPlain: roundK}
	s.chk = make([]byte, 0, len(j.Prefix)+MaxDecimalWidth+len(j.Suffix))
	Compress(&s.mid, j.Prefix[:n])
	q, qm, qw, ql := j.Target.QuickTest()
	s.c.q = uint32(64 * q)
	s.c.qm, s.c.qw, s.c.ql = qm, qw, ql
	if j.Step <= maxFastStep {
		s.makePlan(j.Start) // buffers and lane tables outside the search loop
	}
	return s
}

// layout writes prefix rest || nonce || suffix || padding for nonce n into b.
func (s *avxSearcher) layout(b []byte, n uint64) []byte {
	t := append(b[:0], s.rest...)
	t = AppendNonce(t, s.job.Encoding, n)
	t = append(t, s.job.Suffix...)
	return appendPadding(t, s.hashed+len(t))
}

// confirm runs the exact test on message i the slow, independent way.
func (s *avxSearcher) confirm(i uint64) bool {
	s.chk = s.job.AppendMessage(s.chk[:0], i)
	d := sha256.Sum256(s.chk)
	return s.job.Target.MeetsDigest(&d)
}

// report returns the lowest lane of mask whose message really meets the
// target.
func (s *avxSearcher) report(from uint64, mask uint32) (uint64, bool) {
	for mask != 0 {
		l := bits.TrailingZeros32(mask)
		mask &= mask - 1
		if s.confirm(from + uint64(l)) {
			return from + uint64(l), true
		}
	}
	return 0, false
}

func (s *avxSearcher) Search(from, count uint64) (uint64, bool) {
	lanes := uint64(s.fn.lanes)
	for count > 0 {
		var k uint64
		var mask uint32
		if s.job.Step <= maxFastStep {
			var clean uint64
			clean, k, mask = s.fastBatch(from, count)
			from += clean
			count -= clean
			if clean > 0 && k == 0 {
				continue
			}
		}
		if k == 0 {
			var m16 uint16
			k, m16 = s.slowBatch(from, min(count, lanes))
			mask = uint32(m16)
		}
		if mask &= uint32(1)<<k - 1; mask != 0 {
			if hit, ok := s.report(from, mask); ok {
				return hit, true
			}
		}
		from += k
		count -= k
	}
	return 0, false
}

// maxFastStep bounds the steps the fast path takes: a batch must fit in
// one group (lanes·step below 10^4 decimal, 256 binary), checked per plan.
const maxFastStep = 1 << 12

// fastBatch tests up to max nonces from index i that differ only in their
// last plan.nb bytes, using the pair kernels. It returns how many it tested
// (0 when the batch does not fit this path: steps too large for the
// group, or the nonce 2^64-1, which no plan holds) and the quick-test mask.
// A batch is 16 lanes, or 32 (two interleaved batches) when the family has
// x2 kernels and no block follows the one holding the nonce. Step-1 x2
// batches run several at a time in one call: clean is how many nonces
// from i were tested without a candidate before the batch returned (k is
// 0 when all were).
func (s *avxSearcher) fastBatch(i, max uint64) (clean, k uint64, mask uint32) {
	n := s.job.Nonce(i)
	p := &s.plan
	step := s.job.Step
	if !p.valid || n < p.lo || n >= p.hi {
		if step > 1 && s.slowWidths&(1<<s.job.Encoding.NonceLen(n)) != 0 {
			return 0, 0, 0
		}
		s.makePlan(n)
		if step*uint64(s.fn.lanes-1) >= p.mod {
			// A batch would span groups: this width takes the slow path.
			s.slowWidths |= 1 << p.width
			return 0, 0, 0
		}
		if n >= p.hi { // only the nonce 2^64-1
			return 0, 0, 0
		}
	}
	if n < p.slo || n >= p.shi {
		s.makeGroup(n)
	}
	if !s.planIn {
		c := s.c
		c.inv, c.st, c.init, c.base = p.inv, p.st, p.init, p.base
		s.planIn = true
	}
	low := n - p.gbase
	lanes := uint64(s.fn.lanes)
	wide := s.fn.pair2[p.v] != nil && len(p.chain) == 0
	if wide {
		lanes *= 2
	}
	cp2 := (*[1408]uint32)(unsafe.Pointer(s.c))
	if step == 1 {
		if wide {
			// Whole x2 batches in one call. The tables have 16 spare
			// entries, so a last batch of 17..31 nonces (low+16 <
			// mod) can read 32 entries too.
			avail := min(max, p.shi-n)
			nb := avail / 32
			if avail%32 > 16 {
				nb++
			}
			if nb > 0 {
				b, m := s.fn.pair2[p.v](cp2, &p.kw, &p.tab[0][low], &p.tab[1][low], int(nb))
				clean = 32 * uint64(b)
				if m == 0 && b == int(nb)-1 {
					return min(avail, clean+32), 0, 0
				}
				return clean, min(avail-clean, 32), m
			}
		}
		k = min(max, lanes, p.shi-n)
		s.c.lane[0] = [16]uint32(p.tab[0][low:])
		s.c.lane[1] = [16]uint32(p.tab[1][low:])
	} else {
		k = min(max, lanes, (p.shi-1-n)/step+1)
		w := &s.wide
		for l := range k {
			x := low + l*step
			w[0][l] = p.tab[0][x]
			w[1][l] = p.tab[1][x]
		}
		if k > 16 {
			_, m := s.fn.pair2[p.v](cp2, &p.kw, &w[0][0], &w[1][0], 1)
			return 0, k, m
		}
		s.c.lane[0] = [16]uint32(w[0][:])
		s.c.lane[1] = [16]uint32(w[1][:])
	}
	cp := (*[768]uint32)(unsafe.Pointer(s.c))
	m := s.fn.pair[p.v](cp, &p.kw)
	for b := range p.chain {
		m = s.fn.chain(cp, &p.chain[b])
	}
	return 0, k, uint32(m)
}

// makePlan prepares the fast path for the nonces that share every message
// byte outside words v and v+1 of the block holding the nonce's end.
func (s *avxSearcher) makePlan(n uint64) {
	p := &s.plan
	p.valid = false
	s.planIn = false
	j := s.job
	width := j.Encoding.NonceLen(n)
	off := len(s.rest)
	end := off + width // nonce end in the tail
	nb, mod := 1, uint64(256)
	if j.Encoding == Decimal {
		// Up to maxLowDigits digits, never across a block boundary, so
		// the per-lane bytes always sit in two adjacent words of one
		// block.
		nb = min(maxLowDigits, width)
		if r := end % 64; r != 0 {
			nb = min(nb, r)
		}
		mod = decimalPow(nb)
	}
	first := end - nb
	p.width, p.nb, p.mod, p.first = width, nb, mod, first
	p.block, p.v = first/64, first%64/4
	p.tab = lowTables(first%64, nb, mod)

	// The nonce's last m bytes lie in words v and v+1: the plan serves
	// the nonces that agree on all the others.
	m := end - max(off, 64*p.block+4*p.v)
	p.lo, p.hi = 0, math.MaxUint64 // 2^64-1 itself is left to the slow path
	if j.Encoding == Decimal {
		if width > 1 {
			p.lo = decimalPow(width - 1)
		}
		if width < MaxDecimalWidth {
			p.hi = decimalPow(width)
		}
		if m < width {
			unit := decimalPow(m)
			p.lo = max(p.lo, n-n%unit)
			if hb := n - n%unit; hb+unit > hb { // else: the top of uint64
				p.hi = hb + unit
			}
		}
	} else if m < BinaryNonceLen {
		unit := uint64(1) << (8 * m)
		p.lo, p.hi = n-n%unit, n-n%unit+unit
		if p.hi == 0 {
			p.hi = math.MaxUint64
		}
	}

	s.tail = s.layout(s.tail, n)
	st := s.mid
	Compress(&st, s.tail[:64*p.block])
	blk := s.tail[64*p.block : 64*p.block+64]
	var words [16]uint32
	for t := range words {
		words[t] = binary.BigEndian.Uint32(blk[4*t:])
	}
	var lane [16]bool
	lane[p.v] = true
	if p.v+1 < 16 {
		lane[p.v+1] = true
	}
	planConsts(&words, &lane, &p.kw, &p.inv)
	p.init = st
	// Rounds 0..v in Go: kw[v] is K[v] alone, the kernel adds W[v].
	scalarRounds(&st, &p.kw, p.v+1)
	p.st = st
	p.chain = p.chain[:0]
	var none [16]bool
	var scratch [64]uint32
	for b := p.block + 1; b < len(s.tail)/64; b++ {
		for t := range words {
			words[t] = binary.BigEndian.Uint32(s.tail[64*b+4*t:])
		}
		p.chain = append(p.chain, [64]uint32{})
		planConsts(&words, &none, &p.chain[len(p.chain)-1], &scratch)
	}
	p.slo, p.shi = 1, 0 // no group yet
	p.valid = true
}

// makeGroup prepares the group of nonce n inside the plan: the nonces that
// differ only in their last nb bytes. Between groups only words v and v+1
// change, and of them only the bytes the lane tables do not set: base.
func (s *avxSearcher) makeGroup(n uint64) {
	p := &s.plan
	p.gbase = n - n%p.mod
	p.slo, p.shi = max(p.gbase, p.lo), p.gbase+p.mod
	if p.shi > p.hi || p.shi < p.gbase {
		p.shi = p.hi
	}
	// Write nonce n into the tail makePlan laid out (same width).
	off := len(s.rest)
	if s.job.Encoding == Binary {
		binary.BigEndian.PutUint64(s.tail[off:], n)
	} else {
		var d [MaxDecimalWidth]byte
		copy(s.tail[off:], strconv.AppendUint(d[:0], n, 10))
	}
	blk := s.tail[64*p.block:]
	w0 := binary.BigEndian.Uint32(blk[4*p.v:])
	var w1 uint32
	if p.v+1 < 16 {
		w1 = binary.BigEndian.Uint32(blk[4*p.v+4:])
	}
	// Clear the per-lane bytes.
	for b := p.first % 64; b < p.first%64+p.nb; b++ {
		if b/4 == p.v {
			w0 &^= 0xff << (8 * (3 - b%4))
		} else {
			w1 &^= 0xff << (8 * (3 - b%4))
		}
	}
	p.base = [2]uint32{w0, w1}
	s.c.base = p.base
}

// laneTables maps a table key (binary flag, nb, first byte position in the
// block) to its tables. Tables are read-only once built, so every searcher
// of the process shares them.
var laneTables sync.Map

// lowTables returns the tables for the low part (nb decimal digits, or one
// binary byte when mod is 256) written at block position first: entry x
// holds the bytes of x in words first/4 and first/4+1. Each has 16 spare
// zero entries so a batch can always load 16 lanes.
func lowTables(first, nb int, mod uint64) *[2][]uint32 {
	key := first | nb<<8
	if mod == 256 {
		key |= 1 << 16
	}
	if t, ok := laneTables.Load(key); ok {
		return t.(*[2][]uint32)
	}
	tab := &[2][]uint32{make([]uint32, mod+16), make([]uint32, mod+16)}
	v := first / 4
	var digits [maxLowDigits]byte // the low part x, written out
	if mod != 256 {
		for d := range digits {
			digits[d] = '0'
		}
	}
	for x := uint64(0); x < mod; x++ {
		for d := 0; d < nb; d++ {
			pos := first + d
			tab[pos/4-v][x] |= uint32(digits[d]) << (8 * (3 - pos%4))
		}
		if mod == 256 {
			digits[0]++
			continue
		}
		for d := nb - 1; d >= 0; d-- { // decimal increment
			if digits[d]++; digits[d] <= '9' {
				break
			}
			digits[d] = '0'
		}
	}
	t, _ := laneTables.LoadOrStore(key, tab)
	return t.(*[2][]uint32)
}

// slowBatch tests up to max nonces from index i, any step and shape: the
// tail of every lane is laid out in full and blocks that differ per lane go
// through the full kernel. All lanes of a batch have the same length.
func (s *avxSearcher) slowBatch(i, max uint64) (uint64, uint16) {
	j := s.job
	n0 := j.Nonce(i)
	w := j.Encoding.NonceLen(n0)
	k := uint64(1)
	for k < max && j.Encoding.NonceLen(n0+k*j.Step) == w {
		k++
	}
	for l := uint64(0); l < k; l++ {
		s.lanes[l] = s.layout(s.lanes[l], n0+l*j.Step)
	}
	c := s.c
	cp := (*[768]uint32)(unsafe.Pointer(c))
	s.planIn = false
	st := s.mid
	vec := false
	var mask uint16
	nblk := len(s.lanes[0]) / 64
	for b := 0; b < nblk; b++ {
		blk := s.lanes[0][64*b : 64*b+64]
		same := true
		for l := uint64(1); l < k && same; l++ {
			same = bytes.Equal(blk, s.lanes[l][64*b:64*b+64])
		}
		if same && !vec {
			Compress(&st, blk)
			continue
		}
		if !vec {
			for x := range c.out {
				for l := range c.out[x] {
					c.out[x][l] = st[x]
				}
			}
			vec = true
		}
		if same {
			var words [16]uint32
			var none [16]bool
			for t := range words {
				words[t] = binary.BigEndian.Uint32(blk[4*t:])
			}
			var scratch [64]uint32
			planConsts(&words, &none, &s.kwTmp, &scratch)
			mask = s.fn.chain(cp, &s.kwTmp)
			continue
		}
		for l := uint64(0); l < k; l++ {
			lb := s.lanes[l][64*b:]
			for t := 0; t < 16; t++ {
				c.w[t][l] = binary.BigEndian.Uint32(lb[4*t:])
			}
		}
		mask = s.fn.full(cp, &s.kPlain)
	}
	if !vec {
		// Every lane had the same message: only k == 1 gets here.
		if j.Target.Quick(st[j.Target.QuickWord()]) {
			return k, 1
		}
		return k, 0
	}
	return k, mask
}

// run calls the kernel of the given shape (tests use it).
func (f *avxFuncs) run(shape, v int, c *avxCtx, kw *[64]uint32) uint16 {
	cp := (*[768]uint32)(unsafe.Pointer(c))
	switch shape {
	case shapeFull:
		return f.full(cp, kw)
	case shapeChain:
		return f.chain(cp, kw)
	}
	return f.pair[v](cp, kw)
}

// decimalPow returns 10^n for 0 ≤ n ≤ 19.
func decimalPow(n int) uint64 {
	p := uint64(1)
	for range n {
		p *= 10
	}
	return p
}
