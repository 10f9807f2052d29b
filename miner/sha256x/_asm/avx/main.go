// Command avx generates the AVX-512 and AVX2 nonce-search kernels of package
// sha256x, one instruction set per run (-isa avx512 writes avx512_amd64.s
// and its Go stubs, -isa avx2 avx2_amd64.s and its stubs).
//
// Every kernel compresses one 64-byte block for many messages at once, one
// message per 32-bit vector lane, and reads its inputs from a context laid
// out like sha256x.avxCtx (offsets below; a test in sha256x checks them).
//
// Three shapes exist:
//
//   - pair<v>: the block's words v and v+1 differ per lane (the low digits or
//     bytes of the nonce), every other word is the same in every lane. Rounds
//     0..v were run once in scalar Go code, round v without W[v] (ctx.st
//     holds the state after them); words that are the same in every lane, and the parts of the
//     message schedule built only from them, come in precomputed as kw[t]
//     (K[t]+W[t]) and ctx.inv[t].
//   - full: every word differs per lane (ctx.w), and so does the input state
//     (ctx.out). The slow, general SIMD path.
//   - chain: no word differs per lane (kw[t] = K[t]+W[t]) but the input state
//     does (ctx.out): blocks after the one holding the nonce.
//
// pair<v>x2 (AVX-512 only) runs two pair<v> batches of 16 lanes in one
// call, instruction by instruction interleaved, with the message schedule
// of each batch in ctx.ring.
//
// Each kernel leaves the chaining value of every lane in ctx.out and returns
// the lanes whose word ctx.q passes the quick test
// ((h[q] & qm) ^ qw) <= ql (unsigned).
//
// sha256d.go writes one more kernel per instruction set, Bitcoin's double
// SHA-256 of an 80-byte header, with its own context (sha256x.sha256dCtx).
package main

import (
	"flag"
	"fmt"
	"log"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// Context offsets in bytes; they mirror sha256x.avxCtx.
const (
	offInv  = 0    // [64]uint32
	offSt   = 256  // [8]uint32: state after the scalar rounds
	offInit = 288  // [8]uint32: state before the block (feed-forward)
	offBase = 320  // [2]uint32: words v, v+1 without their per-lane bytes
	offQ    = 328  // uint32: byte offset of out[q] within out
	offQM   = 332  // uint32
	offQW   = 336  // uint32
	offQL   = 340  // uint32
	offLane = 384  // [2][16]uint32: per-lane bytes of words v, v+1
	offOut  = 512  // [8][16]uint32: per-lane state
	offW    = 1024 // [16][16]uint32: per-lane words (full)
	offWS   = 2048 // [16][16]uint32: schedule scratch (AVX2)
	offOut2 = 3072 // [8][16]uint32: second batch's state (x2)
	offRing = 3584 // [2][16][16]uint32: message schedule ring per batch (x2)
)

// Shape selects which message words differ per lane.
type shape struct {
	name  string
	v     int // first round run in vector code
	lane  [16]bool
	vecIn bool // input state per lane (ctx.out) rather than ctx.st
	full  bool // words come from ctx.w
}

// varying propagates per-lane words through the message schedule. The Go
// twin is scheduleVarying in avx_amd64.go.
func varying(lane [16]bool) [64]bool {
	var v [64]bool
	copy(v[:], lane[:])
	for t := 16; t < 64; t++ {
		v[t] = v[t-2] || v[t-7] || v[t-15] || v[t-16]
	}
	return v
}

func shapes() []shape {
	var s []shape
	for v := 0; v < 16; v++ {
		sh := shape{name: fmt.Sprintf("Pair%d", v), v: v}
		sh.lane[v] = true
		if v+1 < 16 {
			sh.lane[v+1] = true
		}
		s = append(s, sh)
	}
	full := shape{name: "Full", vecIn: true, full: true}
	for i := range full.lane {
		full.lane[i] = true
	}
	s = append(s, full, shape{name: "Chain", vecIn: true})
	return s
}

var isa = flag.String("isa", "", "instruction set of the kernels to write: avx512 or avx2")

func main() {
	flag.Parse() // avo's own flags (-out, -stubs, -pkg) are on the same set
	ConstraintExpr("!purego,!noasm")
	switch *isa {
	case "avx512":
		for _, sh := range shapes() {
			gen512(sh)
		}
		for _, sh := range shapes() {
			if !sh.vecIn {
				gen512x2(sh)
			}
		}
		gen512d("sha256dAVX512")
	case "avx2":
		for _, sh := range shapes() {
			gen256(sh)
		}
		gen256d()
	default:
		log.Fatalf("-isa must be avx512 or avx2, not %q", *isa)
	}
	Generate()
}

// Ternary-logic tables: A is the destination operand, B the second, C the
// third.
const (
	tA     = 0xf0
	tB     = 0xcc
	tC     = 0xaa
	xor3   = tA ^ tB ^ tC
	chABC  = (tA & tB) | (^tA & tC) // A ? B : C
	majABC = (tA & tB) | (tA & tC) | (tB & tC)
)

func gen512(sh shape) {
	name := "avx512" + sh.name
	TEXT(name, NOSPLIT, "func(c *[768]uint32, kw *[64]uint32) uint16")
	doc(name, 16, sh)
	Pragma("noescape")
	cp := Load(Param("c"), GP64())
	kp := Load(Param("kw"), GP64())
	c := func(off int) Mem { return Mem{Base: cp, Disp: off} }
	kw := func(t int) Mem { return Mem{Base: kp, Disp: 4 * t} }

	st := [8]VecPhysical{Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7}
	t0, t1, t2 := Z8, Z9, Z10
	ring := [16]VecPhysical{Z12, Z13, Z14, Z15, Z16, Z17, Z18, Z19, Z20, Z21, Z22, Z23, Z24, Z25, Z26, Z27}
	vary := varying(sh.lane)

	Comment("Load the state.")
	for i := range st {
		if sh.vecIn {
			VMOVDQU32(c(offOut+64*i), st[i])
		} else {
			VPBROADCASTD(c(offSt+4*i), st[i])
		}
	}
	Comment("Load the per-lane message words.")
	for i := 0; i < 16; i++ {
		if !sh.lane[i] {
			continue
		}
		if sh.full {
			VMOVDQU32(c(offW+64*i), ring[i])
		} else {
			k := i - sh.v
			VMOVDQU32(c(offLane+64*k), ring[i])
			VPORD_BCST(c(offBase+4*k), ring[i], ring[i])
		}
	}

	// Register names rotate instead of values: s[0] is a, s[7] is h.
	s := st
	first := sh.v
	if !sh.vecIn {
		// Round v ran in Go without W[v]: every other input of the
		// round is the same in all lanes, and W[v] enters a and e only
		// through T1, by addition.
		Commentf("Round %d: add W[%d] to a and e.", sh.v, sh.v)
		VPADDD(ring[sh.v], s[0], s[0])
		VPADDD(ring[sh.v], s[4], s[4])
		first++
	}
	next := 16 // next message word to compute
	for t := first; t < 64; t++ {
		Commentf("Round %d.", t)
		for ; next <= min(t+scheduleAhead, 63); next++ {
			if next >= 16 && vary[next] {
				schedule512(next, vary, ring, t0, t1, t2, c)
			}
		}
		a, b, cc, d, e, f, g, h := s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]
		VPADDD_BCST(kw(t), h, h)
		if vary[t] {
			VPADDD(ring[t%16], h, h)
		}
		// Ch before Σ1: the path from e to the new e is then rotate,
		// ternlog, two adds.
		VMOVDQA32(e, t1)
		VPTERNLOGD(U8(chABC), g, f, t1)
		VPADDD(t1, h, h)
		VPRORD(U8(6), e, t0)
		VPRORD(U8(11), e, t1)
		VPRORD(U8(25), e, t2)
		VPTERNLOGD(U8(xor3), t2, t1, t0)
		VPADDD(t0, h, h)
		VPADDD(h, d, d)
		VPRORD(U8(2), a, t0)
		VPRORD(U8(13), a, t1)
		VPRORD(U8(22), a, t2)
		VPTERNLOGD(U8(xor3), t2, t1, t0)
		VPADDD(t0, h, h)
		VMOVDQA32(a, t1)
		VPTERNLOGD(U8(majABC), cc, b, t1)
		VPADDD(t1, h, h)
		s = [8]VecPhysical{h, a, b, cc, d, e, f, g}
	}

	Comment("Feed forward and store the per-lane state.")
	for i := range s {
		if sh.vecIn {
			VPADDD(c(offOut+64*i), s[i], s[i])
		} else {
			VPADDD_BCST(c(offInit+4*i), s[i], s[i])
		}
		VMOVDQU32(s[i], c(offOut+64*i))
	}

	Comment("Quick test on word q.")
	q := GP64()
	MOVL(c(offQ), q.As32())
	VMOVDQU32(Mem{Base: cp, Index: q, Scale: 1, Disp: offOut}, t0)
	VPANDD_BCST(c(offQM), t0, t0)
	VPXORD_BCST(c(offQW), t0, t0)
	VPCMPUD_BCST(U8(2), c(offQL), t0, K1)
	r := GP32()
	KMOVW(K1, r)
	VZEROUPPER()
	Store(r.As16(), ReturnIndex(0))
	RET()
}

// batch is one of the two interleaved 16-lane batches of an x2 kernel:
// its state registers, its own temporaries (so the two instruction
// streams share no register and the out-of-order core can overlap them),
// and where its lane bytes, state and schedule ring live in ctx.
type batch struct {
	st             [8]VecPhysical
	t0, t1, t2, t3 VecPhysical
	w              VecPhysical // W[t] of the current round
	lane           int         // byte offset of its lanes in the tables
	out            int
	ring           int
}

// gen512x2 writes the two-batch variant of a pair kernel: 32 lanes per
// call, lanes 0..15 into ctx.out and lanes 16..31 into ctx.out2, their
// per-lane bytes read straight from the caller's tables, with the two batches' instructions interleaved
// one by one. The message schedule of each batch lives in its ring in
// ctx (the register file holds two states and their temporaries). The
// result has lane i's quick test in bit i.
func gen512x2(sh shape) {
	name := "avx512" + sh.name + "x2"
	TEXT(name, NOSPLIT, "func(c *[1408]uint32, kw *[64]uint32, w0, w1 *uint32, n int) (i int, mask uint32)")
	Doc(fmt.Sprintf("%s is %s for two batches of 16 lanes at once, n times over:", name, "avx512"+sh.name),
		"call i reads the per-lane bytes of words v and v+1 from w0[32i:] and w1[32i:]",
		"(lanes 0..15, then 16..31), not ctx.lane. It stops at the first call whose",
		"quick-test mask is not zero and returns its index and mask (n-1 and 0 when",
		"none passes); n must be at least 1.",
		"Go twin: avxTwin (shape pair) on each batch, in avx_amd64.go.")
	Pragma("noescape")
	cp := Load(Param("c"), GP64())
	kp := Load(Param("kw"), GP64())
	lp := [2]Register{Load(Param("w0"), GP64()), Load(Param("w1"), GP64())}
	nb := Load(Param("n"), GP64())
	it := GP64()
	XORQ(it, it)
	Label(name + "_loop")
	c := func(off int) Mem { return Mem{Base: cp, Disp: off} }
	kw := func(t int) Mem { return Mem{Base: kp, Disp: 4 * t} }
	bs := [2]batch{
		{st: [8]VecPhysical{Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7}, t0: Z16, t1: Z17, t2: Z18, t3: Z19, w: Z20,
			lane: 0, out: offOut, ring: offRing},
		{st: [8]VecPhysical{Z8, Z9, Z10, Z11, Z12, Z13, Z14, Z15}, t0: Z21, t1: Z22, t2: Z23, t3: Z24, w: Z25,
			lane: 64, out: offOut2, ring: offRing + 1024},
	}
	ring := func(b *batch, t int) Mem { return c(b.ring + 64*(t%16)) }
	vary := varying(sh.lane)

	Comment("Load the state and store the per-lane words in the rings.")
	for bi := range bs {
		b := &bs[bi]
		for i := range b.st {
			VPBROADCASTD(c(offSt+4*i), b.st[i])
		}
		for i := 0; i < 16; i++ {
			if !sh.lane[i] {
				continue
			}
			k := i - sh.v
			VMOVDQU32(Mem{Base: lp[k], Disp: b.lane}, b.w)
			VPORD_BCST(c(offBase+4*k), b.w, b.w)
			VMOVDQU32(b.w, ring(b, i))
		}
		Commentf("Round %d: add W[%d] to a and e.", sh.v, sh.v)
		VPADDD(ring(b, sh.v), b.st[0], b.st[0])
		VPADDD(ring(b, sh.v), b.st[4], b.st[4])
	}

	var ss [2][8]VecPhysical
	for bi := range bs {
		ss[bi] = bs[bi].st
	}
	for t := sh.v + 1; t < 64; t++ {
		Commentf("Round %d.", t)
		var ops [2][]func()
		for bi := range bs {
			b := &bs[bi]
			s := ss[bi]
			emit := func(f func()) { ops[bi] = append(ops[bi], f) }
			var wt Op
			if t >= 16 && vary[t] {
				scheduleX2(t, vary, b, ring, c, emit)
				wt = b.w
			} else if vary[t] {
				wt = ring(b, t)
			}
			a, bb, cc, d, e, f, g, h := s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]
			t0, t1, t2 := b.t0, b.t1, b.t2
			emit(func() { VPADDD_BCST(kw(t), h, h) })
			if wt != nil {
				emit(func() { VPADDD(wt, h, h) })
			}
			emit(func() { VMOVDQA32(e, t1) })
			emit(func() { VPTERNLOGD(U8(chABC), g, f, t1) })
			emit(func() { VPADDD(t1, h, h) })
			emit(func() { VPRORD(U8(6), e, t0) })
			emit(func() { VPRORD(U8(11), e, t1) })
			emit(func() { VPRORD(U8(25), e, t2) })
			emit(func() { VPTERNLOGD(U8(xor3), t2, t1, t0) })
			emit(func() { VPADDD(t0, h, h) })
			emit(func() { VPADDD(h, d, d) })
			emit(func() { VPRORD(U8(2), a, t0) })
			emit(func() { VPRORD(U8(13), a, t1) })
			emit(func() { VPRORD(U8(22), a, t2) })
			emit(func() { VPTERNLOGD(U8(xor3), t2, t1, t0) })
			emit(func() { VPADDD(t0, h, h) })
			emit(func() { VMOVDQA32(a, t1) })
			emit(func() { VPTERNLOGD(U8(majABC), cc, bb, t1) })
			emit(func() { VPADDD(t1, h, h) })
			ss[bi] = [8]VecPhysical{h, a, bb, cc, d, e, f, g}
		}
		for i := 0; i < max(len(ops[0]), len(ops[1])); i++ {
			for bi := range ops {
				if i < len(ops[bi]) {
					ops[bi][i]()
				}
			}
		}
	}

	Comment("Feed forward and store the per-lane states.")
	for bi := range bs {
		for i, r := range ss[bi] {
			VPADDD_BCST(c(offInit+4*i), r, r)
			VMOVDQU32(r, c(bs[bi].out+64*i))
		}
	}

	Comment("Quick test on word q of both batches.")
	q := GP64()
	MOVL(c(offQ), q.As32())
	for bi, k := range []Op{K1, K2} {
		t0 := bs[bi].t0
		VMOVDQU32(Mem{Base: cp, Index: q, Scale: 1, Disp: bs[bi].out}, t0)
		VPANDD_BCST(c(offQM), t0, t0)
		VPXORD_BCST(c(offQW), t0, t0)
		VPCMPUD_BCST(U8(2), c(offQL), t0, k)
	}
	r, r2 := GP32(), GP32()
	KMOVW(K1, r)
	KMOVW(K2, r2)
	SHLL(U8(16), r2)
	ORL(r2, r)
	JNZ(LabelRef(name + "_done"))
	INCQ(it)
	CMPQ(it, nb)
	JAE(LabelRef(name + "_last"))
	ADDQ(U8(128), lp[0])
	ADDQ(U8(128), lp[1])
	JMP(LabelRef(name + "_loop"))
	Label(name + "_last")
	DECQ(it)
	Label(name + "_done")
	VZEROUPPER()
	Store(it, ReturnIndex(0))
	Store(r, ReturnIndex(1))
	RET()
}

// scheduleX2 emits the computation of message word t of batch b into b.w
// and its ring slot; the x2 twin of schedule512.
func scheduleX2(t int, vary [64]bool, b *batch, ring func(*batch, int) Mem, c func(int) Mem, emit func(func())) {
	var terms []Op
	if vary[t-15] {
		x := b.t3
		emit(func() { VMOVDQU32(ring(b, t-15), x) })
		emit(func() { VPRORD(U8(7), x, b.t0) })
		emit(func() { VPRORD(U8(18), x, b.t1) })
		emit(func() { VPSRLD(U8(3), x, b.t2) })
		emit(func() { VPTERNLOGD(U8(xor3), b.t2, b.t1, b.t0) })
		terms = append(terms, b.t0)
	}
	if vary[t-2] {
		x := b.t3
		emit(func() { VMOVDQU32(ring(b, t-2), x) })
		emit(func() { VPRORD(U8(17), x, b.t1) })
		emit(func() { VPRORD(U8(19), x, b.t2) })
		emit(func() { VPSRLD(U8(10), x, x) })
		emit(func() { VPTERNLOGD(U8(xor3), x, b.t2, b.t1) })
		terms = append(terms, b.t1)
	}
	if vary[t-7] {
		terms = append(terms, ring(b, t-7))
	}
	if vary[t-16] {
		terms = append(terms, ring(b, t-16))
	}
	constTerms := !vary[t-2] || !vary[t-7] || !vary[t-15] || !vary[t-16]
	acc := false
	dst := b.w
	for _, o := range terms {
		switch {
		case acc:
			emit(func() { VPADDD(o, dst, dst) })
		case constTerms && IsZMM(o):
			emit(func() { VPADDD_BCST(c(offInv+4*t), o, dst) })
			constTerms = false
		case IsZMM(o):
			emit(func() { VMOVDQA32(o, dst) })
		default:
			emit(func() { VMOVDQU32(o, dst) })
		}
		acc = true
	}
	if constTerms {
		emit(func() { VPADDD_BCST(c(offInv+4*t), dst, dst) })
	}
	emit(func() { VMOVDQU32(dst, ring(b, t)) })
}

// schedule512 computes message word t into its ring register from the
// per-lane terms; the terms that are the same in every lane come summed in
// ctx.inv[t].
func schedule512(t int, vary [64]bool, ring [16]VecPhysical, t0, t1, t2 VecPhysical, c func(int) Mem) {
	dst := ring[t%16]
	var terms []Op
	if vary[t-15] {
		x := ring[(t-15)%16]
		VPRORD(U8(7), x, t0)
		VPRORD(U8(18), x, t1)
		VPSRLD(U8(3), x, t2)
		VPTERNLOGD(U8(xor3), t2, t1, t0)
		terms = append(terms, t0)
	}
	if vary[t-2] {
		x := ring[(t-2)%16]
		VPRORD(U8(17), x, t1)
		VPRORD(U8(19), x, t2)
		VPSRLD(U8(10), x, x11)
		VPTERNLOGD(U8(xor3), x11, t2, t1)
		terms = append(terms, t1)
	}
	if vary[t-7] {
		terms = append(terms, ring[(t-7)%16])
	}
	constTerms := !vary[t-2] || !vary[t-7] || !vary[t-15] || !vary[t-16]
	acc := false
	if vary[t-16] {
		acc = true // dst already holds W[t-16]
	}
	for _, o := range terms {
		if acc {
			VPADDD(o, dst, dst)
		} else if constTerms {
			VPADDD_BCST(c(offInv+4*t), o, dst)
			constTerms = false
			acc = true
		} else {
			VMOVDQA32(o, dst)
			acc = true
		}
	}
	if constTerms {
		VPADDD_BCST(c(offInv+4*t), dst, dst)
	}
}

// scheduleAhead is how many rounds ahead of its use the AVX-512 kernels
// compute a message word (below 16: the ring holds 16 words). Computing
// 2 or 4 rounds ahead made no difference we could measure on a Zen 4, so
// each word is computed just before its round.
const scheduleAhead = 0

// x11 is a scratch register for sigma1's shift.
var x11 = Z11

// doc writes a kernel's doc comment.
func doc(name string, lanes int, sh shape) {
	switch {
	case sh.full:
		Doc(fmt.Sprintf("%s compresses one block for %d lanes whose words and input state all differ.", name, lanes),
			"Go twin: avxTwin (shape full) in avx_amd64.go.")
	case sh.vecIn:
		Doc(fmt.Sprintf("%s compresses one block whose words are the same in all %d lanes into per-lane states.", name, lanes),
			"Go twin: avxTwin (shape chain) in avx_amd64.go.")
	default:
		words := fmt.Sprintf("words %d and %d differ", sh.v, sh.v+1)
		if sh.v == 15 {
			words = "word 15 differs"
		}
		Doc(fmt.Sprintf("%s finishes a block for %d lanes whose %s per lane;", name, lanes, words),
			fmt.Sprintf("Go ran rounds 0..%d, round %d without W[%d].", sh.v, sh.v, sh.v),
			"Go twin: avxTwin (shape pair) in avx_amd64.go.")
	}
}

// gen256 writes the AVX2 kernel of one shape: 8 lanes in YMM registers.
// AVX2 has no rotate and no three-input logic, so rotations are two shifts
// and the xors and Ch/Maj are spelled out. With 16 registers the state
// and temporaries fill the register file; the message schedule lives in
// ctx.ws.
func gen256(sh shape) {
	name := "avx2" + sh.name
	TEXT(name, NOSPLIT, "func(c *[768]uint32, kw *[64]uint32) uint16")
	Pragma("noescape")
	doc(name, 8, sh)
	cp := Load(Param("c"), GP64())
	kp := Load(Param("kw"), GP64())
	c := func(off int) Mem { return Mem{Base: cp, Disp: off} }
	kw := func(t int) Mem { return Mem{Base: kp, Disp: 4 * t} }
	ws := func(t int) Mem { return c(offWS + 32*(t%16)) }

	st := [8]VecPhysical{Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7}
	t0, t1, t2, t3, t4, wreg := Y8, Y9, Y10, Y11, Y12, Y13
	// Maj(a,b,c) = ((a^b) & (b^c)) ^ b, and this round's a^b is the next
	// round's b^c: two registers take turns holding them.
	xab, xbc := Y14, Y15
	vary := varying(sh.lane)

	Comment("Load the state.")
	for i := range st {
		if sh.vecIn {
			VMOVDQU(c(offOut+64*i), st[i])
		} else {
			VPBROADCASTD(c(offSt+4*i), st[i])
		}
	}
	Comment("Store the per-lane message words in the schedule ring.")
	for i := 0; i < 16; i++ {
		if !sh.lane[i] {
			continue
		}
		if sh.full {
			VMOVDQU(c(offW+64*i), t0)
		} else {
			k := i - sh.v
			VMOVDQU(c(offLane+64*k), t0)
			VPBROADCASTD(c(offBase+4*k), t1)
			VPOR(t1, t0, t0)
		}
		VMOVDQU(t0, ws(i))
	}

	bigSigma, smallSigma := avx2Sigmas(t0, t1, t2)

	s := st
	first := sh.v
	if !sh.vecIn {
		Commentf("Round %d: add W[%d] to a and e.", sh.v, sh.v)
		VPADDD(ws(sh.v), s[0], s[0])
		VPADDD(ws(sh.v), s[4], s[4])
		first++
	}
	VPXOR(s[2], s[1], xbc)
	for t := first; t < 64; t++ {
		Commentf("Round %d.", t)
		if t >= 16 && vary[t] {
			// W[t] into wreg and the ring.
			acc := false
			add := func(src Op) {
				if acc {
					VPADDD(src, wreg, wreg)
				} else {
					VMOVDQU(src, wreg)
					acc = true
				}
			}
			if vary[t-16] {
				add(ws(t - 16))
			}
			if vary[t-7] {
				add(ws(t - 7))
			}
			if vary[t-15] {
				VMOVDQU(ws(t-15), t3)
				smallSigma(t3, t4, 7, 18, 3)
				add(t4)
			}
			if vary[t-2] {
				VMOVDQU(ws(t-2), t3)
				smallSigma(t3, t4, 17, 19, 10)
				add(t4)
			}
			if !vary[t-2] || !vary[t-7] || !vary[t-15] || !vary[t-16] {
				VPBROADCASTD(c(offInv+4*t), t4)
				add(t4)
			}
			VMOVDQU(wreg, ws(t))
		}
		a, b, cc, d, e, f, g, h := s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]
		VPBROADCASTD(kw(t), t1)
		VPADDD(t1, h, h)
		if vary[t] {
			if t >= 16 {
				VPADDD(wreg, h, h)
			} else {
				VPADDD(ws(t), h, h)
			}
		}
		bigSigma(e, 6, 11, 25)
		VPADDD(t0, h, h)
		VPXOR(g, f, t0)
		VPAND(e, t0, t0)
		VPXOR(g, t0, t0)
		VPADDD(t0, h, h)
		VPADDD(h, d, d)
		bigSigma(a, 2, 13, 22)
		VPADDD(t0, h, h)
		VPXOR(b, a, xab)
		VPAND(xbc, xab, t0)
		VPXOR(b, t0, t0)
		VPADDD(t0, h, h)
		xab, xbc = xbc, xab
		s = [8]VecPhysical{h, a, b, cc, d, e, f, g}
	}

	Comment("Feed forward and store the per-lane state.")
	for i := range s {
		if sh.vecIn {
			VPADDD(c(offOut+64*i), s[i], s[i])
		} else {
			VPBROADCASTD(c(offInit+4*i), t1)
			VPADDD(t1, s[i], s[i])
		}
		VMOVDQU(s[i], c(offOut+64*i))
	}

	Comment("Quick test on word q: ((h[q] & qm) ^ qw) <= ql, as max(x, ql) == ql.")
	q := GP64()
	MOVL(c(offQ), q.As32())
	VMOVDQU(Mem{Base: cp, Index: q, Scale: 1, Disp: offOut}, t0)
	r := avx2QuickMask(t0, c(offQM), c(offQW), c(offQL), t0, t1, t2)
	VZEROUPPER()
	Store(r.As16(), ReturnIndex(0))
	RET()
}

// avx2Sigmas returns emitters of SHA-256's Σ (into t0) and σ (into dst)
// for AVX2, which has no vector rotate: each rotate is a shift pair xored
// into the sum, with t1 and t2 as scratch.
func avx2Sigmas(t0, t1, t2 VecPhysical) (bigSigma func(x VecPhysical, r1, r2, r3 int), smallSigma func(x, dst VecPhysical, r1, r2, sh int)) {
	// rotXor xors ror(x, r) into acc (or sets it when first).
	rotXor := func(x, acc, tmp VecPhysical, r int, first bool) {
		if first {
			VPSRLD(U8(r), x, acc)
		} else {
			VPSRLD(U8(r), x, tmp)
			VPXOR(tmp, acc, acc)
		}
		VPSLLD(U8(32-r), x, tmp)
		VPXOR(tmp, acc, acc)
	}
	bigSigma = func(x VecPhysical, r1, r2, r3 int) {
		rotXor(x, t0, t1, r1, true)
		rotXor(x, t0, t2, r2, false)
		rotXor(x, t0, t1, r3, false)
	}
	smallSigma = func(x, dst VecPhysical, r1, r2, sh int) {
		rotXor(x, dst, t1, r1, true)
		rotXor(x, dst, t2, r2, false)
		VPSRLD(U8(sh), x, t1)
		VPXOR(t1, dst, dst)
	}
	return bigSigma, smallSigma
}

// avx2QuickMask emits the quick test ((x & qm) ^ qw) <= ql on every lane of
// x (unsigned, as max(v, ql) == ql; t0..t2 are scratch, t0 may be x) and
// returns the register holding one bit per passing lane.
func avx2QuickMask(x VecPhysical, qm, qw, ql Mem, t0, t1, t2 VecPhysical) GPVirtual {
	VPBROADCASTD(qm, t1)
	VPAND(t1, x, t0)
	VPBROADCASTD(qw, t1)
	VPXOR(t1, t0, t0)
	VPBROADCASTD(ql, t1)
	VPMAXUD(t1, t0, t2)
	VPCMPEQD(t1, t2, t2)
	r := GP32()
	VMOVMSKPS(t2, r)
	return r
}
