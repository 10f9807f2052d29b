//go:build !purego && !noasm

package sha256x

import (
	"math"
	"math/rand/v2"
	"testing"
	"unsafe"
)

// TestSHA256dCtxLayout checks sha256dCtx against the offsets the generator
// uses.
func TestSHA256dCtxLayout(t *testing.T) {
	var c sha256dCtx
	for _, f := range []struct {
		name      string
		got, want uintptr
	}{
		{"kw1", unsafe.Offsetof(c.kw1), 0},
		{"inv1", unsafe.Offsetof(c.inv1), 256},
		{"kw2", unsafe.Offsetof(c.kw2), 512},
		{"inv2", unsafe.Offsetof(c.inv2), 768},
		{"st1", unsafe.Offsetof(c.st1), 1024},
		{"mid", unsafe.Offsetof(c.mid), 1056},
		{"st2", unsafe.Offsetof(c.st2), 1088},
		{"qm", unsafe.Offsetof(c.qm), 1120},
		{"qx", unsafe.Offsetof(c.qx), 1124},
		{"ql", unsafe.Offsetof(c.ql), 1128},
		{"swap", unsafe.Offsetof(c.swap), 1132},
		{"shuf", unsafe.Offsetof(c.shuf), 1152},
		{"lane", unsafe.Offsetof(c.lane), 1216},
		{"h7", unsafe.Offsetof(c.h7), 1344},
		{"ring", unsafe.Offsetof(c.ring), 1472},
		{"hand", unsafe.Offsetof(c.hand), 3520},
		{"size", unsafe.Sizeof(c), 4 * 1008},
	} {
		if f.got != f.want {
			t.Errorf("sha256dCtx.%s at %d, generator expects %d", f.name, f.got, f.want)
		}
	}
}

// TestSHA256dTwin runs the sha256d kernels on random headers, nonces and
// quick tests and compares each with its Go twin (step index, mask, word
// 7 of every lane), and the twin with Sum256d.
func TestSHA256dTwin(t *testing.T) {
	fams := []struct {
		name  string
		ok    bool
		fn    sha256dKernel
		lanes int
	}{
		{"avx512", hasAVX512, sha256dAVX512, 16},
		{"avx2", hasAVX2, sha256dAVX2, 8},
	}
	quick := []struct {
		name       string
		qm, qx, ql uint32
	}{
		{"half", 0x80000000, 0, 0},                        // about half the lanes pass
		{"sixteenth", 0xffffffff, 0x5a5a5a5a, 0x0fffffff}, // often a step with none
		{"never", 0xffffffff, 0x12345678, 0},              // (almost) never: every step runs
		{"all", 0, 0, 0},
	}
	rng := rand.New(rand.NewPCG(11, 12))
	for _, fam := range fams {
		t.Run(fam.name, func(t *testing.T) {
			if !fam.ok {
				t.Skip("CPU lacks the features")
			}
			for rep := 0; rep < 40; rep++ {
				q := quick[rep%len(quick)]
				prefix := randomHeader(rng)
				tg := leTarget(0)
				c := newSHA256dCtx(prefix, &tg)
				c.qm, c.qx, c.ql = q.qm, q.qx, q.ql
				n := rng.Uint32()
				if rep%5 == 0 {
					n = math.MaxUint32 - uint32(rng.IntN(40)) // wraps inside a step
				}
				nb := 1 + rng.IntN(4)
				twin := *c
				gi, gm := fam.fn((*[1008]uint32)(unsafe.Pointer(c)), n, nb)
				wi, wm := sha256dTwin(&twin, fam.lanes, n, nb)
				if gi != wi || gm != wm {
					t.Fatalf("rep %d (%s, n %#x, nb %d): step %d mask %#x, twin step %d mask %#x", rep, q.name, n, nb, gi, gm, wi, wm)
				}
				hdr := append(append([]byte(nil), prefix...), 0, 0, 0, 0)
				for l := 0; l < fam.lanes; l++ {
					if c.h7[l] != twin.h7[l] {
						t.Fatalf("rep %d (%s): lane %d word 7 %08x, twin %08x", rep, q.name, l, c.h7[l], twin.h7[l])
					}
					nonce := n + uint32(wi*fam.lanes+l)
					hdr[76], hdr[77], hdr[78], hdr[79] = byte(nonce), byte(nonce>>8), byte(nonce>>16), byte(nonce>>24)
					d := Sum256d(hdr)
					if h := DigestWords(&d); h[7] != twin.h7[l] {
						t.Fatalf("rep %d: lane %d: twin word 7 %08x, Sum256d %08x", rep, l, twin.h7[l], h[7])
					}
				}
			}
		})
	}
}

// BenchmarkSHA256dAVX times the bare sha256d kernels: 4096 nonces per op
// under a quick test no lane passes.
func BenchmarkSHA256dAVX(b *testing.B) {
	for _, k := range []struct {
		name  string
		ok    bool
		fn    sha256dKernel
		lanes int
	}{
		{"avx512", hasAVX512, sha256dAVX512, 16},
		{"avx2", hasAVX2, sha256dAVX2, 8},
	} {
		b.Run("kernel="+k.name, func(b *testing.B) {
			if !k.ok {
				b.Skip("CPU lacks the features")
			}
			tg := leTarget(0)
			c := newSHA256dCtx(make([]byte, HeaderNonceOffset), &tg)
			c.qm, c.qx, c.ql = ^uint32(0), 1, 0 // h7 == 1: (almost) never
			cp := (*[1008]uint32)(unsafe.Pointer(c))
			n := uint32(0)
			for i := 0; i < b.N; i++ {
				k.fn(cp, n, 4096/k.lanes)
				n += 4096
			}
			b.ReportMetric(float64(b.N)*4096/b.Elapsed().Seconds(), "attempts/s")
		})
	}
}
