package main

import (
	"fmt"
	"math/bits"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// The sha256d kernels hash Bitcoin's 80-byte header for consecutive nonces.
// Per nonce they run the header's second block from round 4 and the SHA-256
// of its digest from round 1 to round 60, 30 SHA256RNDS2 each:
//
//   - Block 2 is W0..W2 (header bytes 64..75, fixed per job), W3 (the
//     byte-swapped nonce) and fixed padding. Rounds 0..2 do not depend on
//     the nonce, and round 3 adds W3 to a and e and changes nothing else, so
//     the caller passes the state after round 3 with W3 = 0 and the kernel
//     adds W3 to its a and e words. W+K of rounds 4..15 are constants.
//   - The second hash starts from the IV, so its round 0 likewise only adds
//     W0 (the first digest word) to fixed a and e values. Its words 8..15
//     are fixed padding.
//   - Only digest word 7 is tested: h7 = IV[7] + h after round 63, which is
//     e after round 60, so rounds 61..63 are not run.
//
// SHA256RNDS2 (one every 2 cycles) is the bottleneck: 60 per nonce, run at
// about 94% of that rate. Computing rounds on SSE2 vectors instead (one
// stream per dword) cuts the count to 59 but measured slower each way it was
// tried: the second hash's rounds 1 and 60 (about 3% slower: round 1 needs
// every stream's first digest, so the SHA unit idles while it runs), the
// same with the streams in two halves one hash apart to hide that, and e of
// rounds 59 and 60 alone (no faster).
//
// Starting the second hash at round 1 makes its SHA256RNDS2 pairs straddle
// the schedule's quads: the pair of rounds 4q+1, 4q+2 is dwords 1, 2 of quad
// q (PSHUFD), the pair 4q+3, 4q+4 is dword 3 of quad q and dword 0 of quad
// q+1 (PALIGNR).

// Constant rows of the sha256d kernels.
var (
	d1W, d1WK   Mem // block 2: W and W+K of quads 1..3
	d2W, d2WK   Mem // second hash: W and W+K of quads 2..3
	d2Init      Mem // second hash: ABEF after round 0 with W0 = 0, CDGH after round 0, a/e lane mask
	dIV7        Mem // IV[7] in every dword
	dLane       Mem // per stream k: PSHUFB mask giving {0, W3_k, 0, W3_k} from the nonce vector
	dNonceSteps Mem // {0, 1, 2, 3}, then {2, 2, 2, 2}, then {4, 4, 4, 4}
)

var iv = [8]uint32{
	0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
	0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
}

// round runs SHA-256 round t on s (a..h) with message word w.
func round(s *[8]uint32, t int, w uint32) {
	a, b, c, d, e, f, g, h := s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]
	t1 := h + (bits.RotateLeft32(e, -6) ^ bits.RotateLeft32(e, -11) ^ bits.RotateLeft32(e, -25)) +
		((e & f) ^ (^e & g)) + roundK[t] + w
	t2 := (bits.RotateLeft32(a, -2) ^ bits.RotateLeft32(a, -13) ^ bits.RotateLeft32(a, -22)) +
		((a & b) ^ (a & c) ^ (b & c))
	*s = [8]uint32{t1 + t2, a, b, c, d + t1, e, f, g}
}

func dataWords(off int, ws ...uint32) {
	for i, w := range ws {
		DATA(off+4*i, U32(w))
	}
}

func sha256dConsts() {
	pad1 := [16]uint32{4: 0x80000000, 15: 640} // words 4..15 of the header's second block
	pad2 := [16]uint32{8: 0x80000000, 15: 256} // words 8..15 of a 32-byte message
	d1W = GLOBL("shaniD1W", RODATA|NOPTR)
	dataWords(0, pad1[4:16]...)
	d1WK = GLOBL("shaniD1WK", RODATA|NOPTR)
	for t := 4; t < 16; t++ {
		DATA(4*(t-4), U32(pad1[t]+roundK[t]))
	}
	d2W = GLOBL("shaniD2W", RODATA|NOPTR)
	dataWords(0, pad2[8:16]...)
	d2WK = GLOBL("shaniD2WK", RODATA|NOPTR)
	for t := 8; t < 16; t++ {
		DATA(4*(t-8), U32(pad2[t]+roundK[t]))
	}
	s := iv
	round(&s, 0, 0)
	d2Init = GLOBL("shaniD2Init", RODATA|NOPTR)
	// SHA-NI layout: ABEF is {F, E, B, A}, CDGH is {H, G, D, C}.
	dataWords(0, s[5], s[4], s[1], s[0], s[7], s[6], s[3], s[2], 0, ^uint32(0), 0, ^uint32(0))
	dIV7 = GLOBL("shaniDIV7", RODATA|NOPTR)
	dataWords(0, iv[7], iv[7], iv[7], iv[7])
	dLane = GLOBL("shaniDLane", RODATA|NOPTR)
	for k := 0; k < 4; k++ {
		var m [16]byte
		for i := range m {
			m[i] = 0x80 // PSHUFB writes zero
		}
		for _, d := range []int{1, 3} {
			for b := 0; b < 4; b++ {
				m[4*d+b] = byte(4*k + 3 - b) // big-endian: the nonce's bytes reversed
			}
		}
		for i, v := range m {
			DATA(16*k+i, U8(v))
		}
	}
	dNonceSteps = GLOBL("shaniDNonceSteps", RODATA|NOPTR)
	dataWords(0, 0, 1, 2, 3, 2, 2, 2, 2, 4, 4, 4, 4)
}

// Frame of the sha256d kernels, from a 16-byte aligned base (legacy SSE
// memory operands must be aligned).
const (
	dfMid    = 0   // ctx: midstate, SHA-NI layout
	dfSt4    = 32  // ctx: block-2 state after round 3 with W3 = 0
	dfW012   = 64  // ctx: W0, W1, W2, 0
	dfQMask  = 80  // ctx: quick test, each in every dword
	dfQXor   = 96  //
	dfQLimit = 112 //
	dfNonce  = 128 // the group's nonces
	dfW      = 144 // per stream: 16 schedule quads W, then 16 quads W+K
)

// sha256d emits shaniSHA256d<s>.
func sha256d(s int) {
	name := fmt.Sprintf("shaniSHA256d%d", s)
	TEXT(name, 0, "func(c *[32]uint32, nonce uint32, groups int, out *[4]uint32) int")
	Pragma("noescape")
	Doc(
		name+" runs sha256d on Bitcoin's header for the nonces nonce, nonce+1, …,",
		fmt.Sprintf("nonce+%d·groups-1 (mod 2^32), %d interleaved streams per group.", s, s),
		"c is the job's shaniDCtx: the midstate, the second block's state after",
		"round 3 with W3 = 0, its words W0..W2 and the quick test on digest word",
		"7 (pass: ((h7 & mask) ^ xor) <= limit). It stops at the first group with",
		"a lane that passes and returns that group's index (groups if none); out",
		"holds the last group's h7 per lane. Its Go twin is shaniSHA256dGo.",
	)
	frame := AllocLocal(dfW + 512*s + 16)
	base := RBX
	LEAQ(frame, base)
	ADDQ(Imm(15), base)
	ANDQ(I32(-16), base)
	fm := func(off int) Mem { return Mem{Base: base, Disp: off} }
	wArea := func(k, q int) Mem { return fm(dfW + 512*k + 16*q) }
	wkArea := func(k, q int) Mem { return fm(dfW + 512*k + 256 + 16*q) }

	cp := Load(Param("c"), RSI)
	for off := 0; off < dfNonce; off += 16 {
		MOVOU(Mem{Base: cp, Disp: off}, X9)
		MOVOU(X9, fm(off))
	}
	Load(Param("nonce"), EAX)
	MOVQ(RAX, X9)
	PSHUFD(Imm(0), X9, X9)
	PADDD(dNonceSteps, X9)
	MOVOU(X9, fm(dfNonce))
	groups := Load(Param("groups"), RCX)
	out := Load(Param("out"), RDI)
	i := RDX
	XORQ(i, i)
	TESTQ(groups, groups)
	JZ(LabelRef(name + "_done"))

	abef := []VecPhysical{X1, X3, X5, X7}[:s]
	cdgh := []VecPhysical{X2, X4, X6, X8}[:s]

	pcalign(64)
	Label(name + "_group")
	Comment("block 2 enters round 4: a and e get W3, the schedule's quad 0 is W0..W3")
	for k := 0; k < s; k++ {
		MOVOU(fm(dfNonce), X9)
		PSHUFB(dLane.Offset(16*k), X9)
		MOVOU(fm(dfSt4), abef[k])
		PADDD(X9, abef[k])
		MOVOU(fm(dfSt4+16), cdgh[k])
		MOVOU(fm(dfW012), X10)
		PBLENDW(Imm(0xc0), X9, X10)
		MOVOU(X10, wArea(k, 0))
	}
	h1 := dHash{
		first: 4,
		stack: func(q int) bool { return q == 0 || q >= 4 },
		w: func(k, q int) Mem {
			if q >= 1 && q <= 3 {
				return d1W.Offset(16 * (q - 1))
			}
			return wArea(k, q)
		},
		wk: func(k, q int) Mem {
			if q >= 1 && q <= 3 {
				return d1WK.Offset(16 * (q - 1))
			}
			return wkArea(k, q)
		},
	}
	h1.emit(s, abef, cdgh)

	Comment("feed-forward, then the digest words are the second hash's W0..W7")
	for k := 0; k < s; k++ {
		PADDD(fm(dfMid), abef[k])
		PADDD(fm(dfMid+16), cdgh[k])
		MOVO(abef[k], X9)
		PUNPCKHQDQ(cdgh[k], X9) // {B, A, D, C}
		PSHUFD(Imm(0xb1), X9, X9)
		MOVOU(X9, wArea(k, 0))
		PADDD(kTable, X9)
		MOVO(X9, dPrev[k]) // W+K of rounds 0..3, read by the first two pairs only
		MOVO(abef[k], X10)
		PUNPCKLQDQ(cdgh[k], X10) // {F, E, H, G}
		PSHUFD(Imm(0xb1), X10, X10)
		MOVOU(X10, wArea(k, 1))
		PADDD(kTable.Offset(16), X10)
		MOVOU(X10, wkArea(k, 1))
		Comment("round 0 from the IV: a and e get W0")
		PSHUFD(Imm(0xff), abef[k], abef[k])
		PAND(d2Init.Offset(32), abef[k])
		PADDD(d2Init, abef[k])
		MOVOU(d2Init.Offset(16), cdgh[k])
	}
	h2 := dHash{
		first: 1,
		stack: func(q int) bool { return q <= 1 || q >= 4 },
		w: func(k, q int) Mem {
			if q == 2 || q == 3 {
				return d2W.Offset(16 * (q - 2))
			}
			return wArea(k, q)
		},
		wk: func(k, q int) Mem {
			if q == 2 || q == 3 {
				return d2WK.Offset(16 * (q - 2))
			}
			return wkArea(k, q)
		},
	}
	h2.emit(s, abef, cdgh)

	Comment("h7 = IV[7] + e after round 60, one lane per stream")
	MOVO(abef[0], X9)
	PUNPCKLLQ(abef[1], X9) // {F0, F1, E0, E1}
	if s == 4 {
		MOVO(abef[2], X10)
		PUNPCKLLQ(abef[3], X10)
		PUNPCKHQDQ(X10, X9)
	} else {
		PUNPCKHQDQ(X9, X9)
	}
	PADDD(dIV7, X9)
	MOVOU(X9, Mem{Base: out})
	PAND(fm(dfQMask), X9)
	PXOR(fm(dfQXor), X9)
	MOVO(X9, X10)
	PMINUD(fm(dfQLimit), X10)
	PCMPEQL(X9, X10)
	PMOVMSKB(X10, EAX)
	TESTL(EAX, EAX)
	JNZ(LabelRef(name + "_done"))
	MOVOU(fm(dfNonce), X9)
	PADDD(dNonceSteps.Offset(8*s), X9)
	MOVOU(X9, fm(dfNonce))
	INCQ(i)
	CMPQ(i, groups)
	JNE(LabelRef(name + "_group"))

	Label(name + "_done")
	Store(i, ReturnIndex(0))
	RET()
}

// dHash is one compression of the sha256d kernel: SHA256RNDS2 from round
// first (4 or 1) to round first+59, with the message schedule computed
// alongside. w and wk locate quad q of stream k's words and words plus
// constants: the stack, or a constant row when the quad is the same for
// every nonce.
type dHash struct {
	first int
	w, wk func(k, q int) Mem
	stack func(q int) bool // quad q is per stream (else a constant row)
}

func (h *dHash) emit(s int, abef, cdgh []VecPhysical) {
	// The schedule's newest quad of each stream stays in a register, off
	// the store-to-load path of the quad after it.
	prev := dPrev[:s]
	done := map[int]bool{}
	sched := func(q int) {
		if q < 4 || q > 15 || done[q] {
			return
		}
		done[q] = true
		Commentf("schedule: quad %d of every stream", q)
		x, t := X9, X10
		for k := 0; k < s; k++ {
			p := prev[k]
			if !h.stack(q - 1) {
				MOVOU(h.w(k, q-1), p)
			}
			MOVOU(h.w(k, q-4), x)
			SHA256MSG1(h.w(k, q-3), x)
			MOVO(p, t)
			PALIGNR(Imm(4), h.w(k, q-2), t)
			PADDD(t, x)
			SHA256MSG2(p, x)
			MOVO(x, p)
			if q <= 13 { // later quads read it as W[q'-2], W[q'-3], W[q'-4]
				MOVOU(x, h.w(k, q))
			}
			PADDD(kTable.Offset(16*q), x)
			MOVOU(x, h.wk(k, q))
		}
	}
	for q := 4; q < h.first/4+dLookahead; q++ {
		sched(q)
	}
	cur := -1
	for p := 0; p < 30; p++ {
		r := h.first + 2*p
		if q := r / 4; q != cur {
			cur = q
			sched(q + dLookahead)
			Commentf("rounds %d.., streams interleaved", r)
		}
		for k := 0; k < s; k++ {
			q := r / 4
			// Quad 0 of the second hash is in a register (dPrev) until
			// the schedule needs those registers.
			var wk Op = h.wk(k, q)
			if h.first == 1 && q == 0 {
				wk = dPrev[k]
			}
			switch r % 4 {
			case 0, 2:
				MOVQ(h.wk(k, q).Offset(4*(r%4)), X0)
			case 1:
				PSHUFD(Imm(0x39), wk, X0)
			case 3:
				MOVOU(h.wk(k, q+1), X0)
				PALIGNR(Imm(12), wk, X0)
			}
			if p%2 == 0 {
				SHA256RNDS2(X0, abef[k], cdgh[k])
			} else {
				SHA256RNDS2(X0, cdgh[k], abef[k])
			}
		}
	}
}

// dPrev holds each stream's newest schedule quad.
var dPrev = []VecPhysical{X12, X13, X14, X15}

// dLookahead is how many quads of the schedule run ahead of the rounds.
const dLookahead = 2
