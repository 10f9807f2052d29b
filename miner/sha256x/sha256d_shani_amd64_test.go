//go:build !purego && !noasm

package sha256x

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"testing"
	"unsafe"
)

// TestSHANIDCtxLayout checks shaniDCtx against the frame offsets the
// generator copies it to.
func TestSHANIDCtxLayout(t *testing.T) {
	var c shaniDCtx
	for _, f := range []struct {
		name      string
		got, want uintptr
	}{
		{"mid", unsafe.Offsetof(c.mid), 0},
		{"st4", unsafe.Offsetof(c.st4), 32},
		{"w012", unsafe.Offsetof(c.w012), 64},
		{"qmask", unsafe.Offsetof(c.qmask), 80},
		{"qxor", unsafe.Offsetof(c.qxor), 96},
		{"qlimit", unsafe.Offsetof(c.qlimit), 112},
		{"size", unsafe.Sizeof(c), 128},
	} {
		if f.got != f.want {
			t.Errorf("shaniDCtx.%s at %d, generator expects %d", f.name, f.got, f.want)
		}
	}
}

// shaniSHA256dAsm runs the assembly kernel with the given streams.
func shaniSHA256dAsm(c *shaniDCtx, nonce uint32, groups, streams int, out *[4]uint32) int {
	cp := (*[32]uint32)(unsafe.Pointer(c))
	if streams == 2 {
		return shaniSHA256d2(cp, nonce, groups, out)
	}
	return shaniSHA256d4(cp, nonce, groups, out)
}

// TestSHANISHA256dTwin compares the kernels with their Go twin on random
// contexts (states and words that need not come from any header), random
// nonces including the wrap past 2^32-1, and random quick tests.
func TestSHANISHA256dTwin(t *testing.T) {
	needSHANI(t)
	rng := rand.New(rand.NewPCG(11, 12))
	for _, st := range []int{2, 4} {
		t.Run(fmt.Sprintf("streams=%d", st), func(t *testing.T) {
			for n := 0; n < 300; n++ {
				var c shaniDCtx
				for i := range c.mid {
					c.mid[i], c.st4[i] = rng.Uint32(), rng.Uint32()
				}
				for i := range 3 {
					c.w012[i] = rng.Uint32()
				}
				// A quick test that passes about one lane in 2^bits.
				bits := rng.IntN(8)
				m, x := uint32(1)<<bits-1, rng.Uint32()
				l := uint32(0)
				if n%7 == 0 {
					m, x, l = ^uint32(0), 0, rng.Uint32()
				}
				for i := range 4 {
					c.qmask[i], c.qxor[i], c.qlimit[i] = m, x&m, l
				}
				nonce := rng.Uint32()
				if n%5 == 0 {
					nonce = -uint32(rng.IntN(3 * st))
				}
				groups := 1 + rng.IntN(6)
				var got, want [4]uint32
				g := shaniSHA256dAsm(&c, nonce, groups, st, &got)
				w := shaniSHA256dGo(&c, nonce, groups, st, &want)
				if g != w || fmt.Sprint(got[:st]) != fmt.Sprint(want[:st]) {
					t.Fatalf("case %d (nonce %#x, %d groups): kernel (%d, %x), twin (%d, %x)", n, nonce, groups, g, got[:st], w, want[:st])
				}
			}
		})
	}
}

// TestSHANISHA256dTwinIsSum256d ties the twin to Sum256d on real headers:
// its h7 is the digest's word 7.
func TestSHANISHA256dTwinIsSum256d(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for n := 0; n < 50; n++ {
		prefix := randomHeader(rng)
		c := newSHANIDCtx(prefix, ^uint32(0), 0, 0)
		nonce := rng.Uint32()
		var out [4]uint32
		shaniSHA256dGo(&c, nonce, 1, 4, &out)
		hdr := append(append([]byte(nil), prefix...), 0, 0, 0, 0)
		for l := range 4 {
			binary.LittleEndian.PutUint32(hdr[HeaderNonceOffset:], nonce+uint32(l))
			d := Sum256d(hdr)
			if h := DigestWords(&d); out[l] != h[7] {
				t.Fatalf("header %d nonce %#x: twin h7 %08x, Sum256d %08x", n, nonce+uint32(l), out[l], h[7])
			}
		}
	}
}

// TestSHANISHA256dStreams runs the two-stream kernel through the searcher
// on the header shape with the shared checkKernel (the registered kernel,
// which sha256d_test.go covers, runs four).
func TestSHANISHA256dStreams(t *testing.T) {
	needSHANI(t)
	k := &Kernel{Name: "shani/streams=2", Algo: SHA256d, Lanes: 2, Available: true,
		New: func(j *Job) Searcher { return newSHANISHA256dStreams(j, 2) }}
	r := rand.New(rand.NewPCG(15, 16))
	for n := 0; n < 12; n++ {
		j := headerJob(randomHeader(r), uint64(r.Uint32()>>1), headerKinds[n%len(headerKinds)].t)
		if n == 0 {
			j.Start = 1<<32 - 37
		}
		checkKernel(t, k, j, 0, min(uint64(300), j.MaxIndex()+1))
	}
}

// FuzzSHANISHA256d compares the four-stream kernel with its Go twin on
// arbitrary contexts and nonces:
//
//	go test -run XXX -fuzz FuzzSHANISHA256d -fuzztime 30s ./miner/sha256x
func FuzzSHANISHA256d(f *testing.F) {
	if !hasSHANI {
		f.Skip("CPU lacks SHA-NI (SHA, SSSE3, SSE4.1)")
	}
	f.Add(make([]byte, HeaderNonceOffset), uint32(0), uint8(3), uint32(0xff), uint32(0), uint32(0))
	f.Add(make([]byte, HeaderNonceOffset), ^uint32(0)-5, uint8(2), ^uint32(0), uint32(0), uint32(1<<28))
	f.Fuzz(func(t *testing.T, prefix []byte, nonce uint32, groups uint8, m, x, l uint32) {
		if len(prefix) < HeaderNonceOffset {
			return
		}
		c := newSHANIDCtx(prefix[:HeaderNonceOffset], m, x, l)
		n := int(groups%8) + 1
		var got, want [4]uint32
		g := shaniSHA256dAsm(&c, nonce, n, 4, &got)
		w := shaniSHA256dGo(&c, nonce, n, 4, &want)
		if g != w || got != want {
			t.Fatalf("kernel (%d, %x), twin (%d, %x)", g, got, w, want)
		}
	})
}

// BenchmarkSHANISHA256dStreams times the searcher with two and four
// streams on the genesis header under difficulty 1, to choose
// shaniDStreams:
//
//	go test -run XXX -bench SHANISHA256dStreams -count 5 ./miner/sha256x/
func BenchmarkSHANISHA256dStreams(b *testing.B) {
	needSHANI(b)
	g, _ := hex.DecodeString(GenesisHeader)
	for _, st := range []int{2, 4} {
		b.Run(fmt.Sprintf("streams=%d", st), func(b *testing.B) {
			j := headerJob(g[:HeaderNonceOffset], 0, LEThresholdTarget(difficultyOne))
			s := newSHANISHA256dStreams(&j, st)
			from := uint64(0)
			for b.Loop() {
				if hit, ok := s.Search(from, benchBatch); ok {
					from = hit + 1
					continue
				}
				from += benchBatch
			}
			b.ReportMetric(float64(b.N)*benchBatch/b.Elapsed().Seconds(), "attempts/s")
		})
	}
}
