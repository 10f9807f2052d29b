package miner

import (
	"context"
	"encoding/hex"
	"errors"
	"math/big"
	"strings"
	"testing"

	"github.com/powlab/powlab/miner/sha256x"
)

func genesis(t *testing.T) []byte {
	t.Helper()
	h, err := hex.DecodeString(sha256x.GenesisHeader)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// TestGenesisSearch re-mines Bitcoin's genesis block from 2^20 below its
// nonce with every sha256d kernel, and with the header's nonce bytes set to
// something else (the search ignores them).
func TestGenesisSearch(t *testing.T) {
	h := genesis(t)
	copy(h[76:], []byte{1, 2, 3, 4})
	p, err := HeaderPuzzle(h, sha256x.GenesisNonce-1<<20)
	if err != nil {
		t.Fatal(err)
	}
	tg, err := CompactTarget(0x1d00ffff)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range sha256x.For(sha256x.SHA256d) {
		if !k.Available {
			continue
		}
		t.Run(k.Name, func(t *testing.T) {
			r, err := Search(context.Background(), p, tg, Options{Workers: 2, Kernel: k})
			if err != nil {
				t.Fatal(err)
			}
			hash := p.Hash(r.Digest)
			if r.Nonce != sha256x.GenesisNonce || hex.EncodeToString(hash[:]) != "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f" {
				t.Fatalf("nonce %d hash %x", r.Nonce, hash)
			}
			if r.Index+1 != 1<<20+1 {
				t.Fatalf("index %d, want 2^20", r.Index)
			}
		})
	}
}

// TestHeaderTargetsReversed checks that every target kind reads a header
// puzzle's hash in display order: Search's answer equals the sequential
// loop that reverses the digest and applies the target to it.
func TestHeaderTargetsReversed(t *testing.T) {
	h := genesis(t)
	p, err := HeaderPuzzle(h, 7)
	if err != nil {
		t.Fatal(err)
	}
	for _, tg := range []Target{MustPrefix("00"), mustBits(t, 9), mustThreshold(t, "00ffff"+strings.Repeat("f", 58)), mustSuffix(t, "a0")} {
		t.Run(tg.String(), func(t *testing.T) {
			var want uint64
			for i := uint64(0); ; i++ {
				if tg.Meets(p.Hash(p.Digest(i))) {
					want = i
					break
				}
			}
			r, err := Search(context.Background(), p, tg, Options{Workers: 2})
			if err != nil {
				t.Fatal(err)
			}
			if r.Index != want {
				t.Fatalf("index %d, sequential loop %d", r.Index, want)
			}
		})
	}
}

func mustBits(t *testing.T, n int) Target {
	tg, err := ZeroBitsTarget(n)
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

func mustThreshold(t *testing.T, s string) Target {
	tg, err := ParseThreshold(s)
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

func mustSuffix(t *testing.T, s string) Target {
	tg, err := ParseSuffix(s)
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

func TestHeaderPuzzleLength(t *testing.T) {
	for _, n := range []int{0, 79, 81, 160} {
		if _, err := HeaderPuzzle(make([]byte, n), 0); err == nil {
			t.Errorf("%d bytes: no error", n)
		}
	}
}

// TestKernelAlgoNamesake: a sha256 kernel given for a sha256d puzzle runs
// as its sha256d namesake; one with no namesake is refused.
func TestKernelAlgoNamesake(t *testing.T) {
	p, _ := HeaderPuzzle(genesis(t), sha256x.GenesisNonce-100)
	k, err := sha256x.ByName("stdlib") // the sha256 one
	if err != nil {
		t.Fatal(err)
	}
	tg, _ := CompactTarget(0x1d00ffff)
	r, err := Search(context.Background(), p, tg, Options{Kernel: k, Workers: 1})
	if err != nil || r.Nonce != sha256x.GenesisNonce || r.Kernel != "stdlib" {
		t.Fatalf("%+v %v", r, err)
	}
	lone := &sha256x.Kernel{Name: "lone", Lanes: 1, Available: true}
	if _, err := Search(context.Background(), p, tg, Options{Kernel: lone}); !errors.Is(err, ErrKernelAlgo) {
		t.Fatalf("err = %v, want ErrKernelAlgo", err)
	}
}

// TestCompactTarget compares the expansion with Bitcoin Core's documented
// examples and with an independent big.Int computation.
func TestCompactTarget(t *testing.T) {
	tests := []struct {
		name string
		bits uint32
		want string // the bound in hex, or "" for an error
	}{
		{"difficulty 1", 0x1d00ffff, "ffff" + strings.Repeat("0", 52)},
		{"block 32256", 0x1d00d86a, "d86a" + strings.Repeat("0", 52)},
		{"regtest limit", 0x207fffff, "7fffff" + strings.Repeat("0", 58)},
		{"exponent 3", 0x03123456, "123456"},
		{"exponent 2 drops a byte", 0x02123456, "1234"},
		{"exponent 1", 0x01123456, "12"},
		{"exponent 0", 0x00123456, ""},
		{"zero mantissa", 0x1d000000, ""},
		{"negative", 0x04923456, ""},
		{"overflow", 0x23000100, ""},
		{"exponent 34 with one byte", 0x22000001, "01" + strings.Repeat("0", 62)},
		{"exponent 33 with two bytes", 0x21000100, "01" + strings.Repeat("0", 62)},
		{"exponent 34 with two bytes", 0x22000100, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tg, err := CompactTarget(tc.bits)
			if tc.want == "" {
				if err == nil || !errors.Is(err, ErrBadCompact) {
					t.Fatalf("%#x: err = %v, want ErrBadCompact", tc.bits, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			max := tg.Max()
			got := new(big.Int).SetBytes(max[:])
			want, _ := new(big.Int).SetString(tc.want, 16)
			if got.Cmp(want) != 0 {
				t.Fatalf("%#x: bound %x, want %x", tc.bits, got, want)
			}
			// Independently: mantissa · 256^(exponent-3).
			e, m := int(tc.bits>>24), big.NewInt(int64(tc.bits&0x7fffff))
			ind := new(big.Int)
			if e >= 3 {
				ind.Lsh(m, uint(8*(e-3)))
			} else {
				ind.Rsh(m, uint(8*(3-e)))
			}
			if ind.Cmp(got) != 0 {
				t.Fatalf("%#x: bound %x, independent %x", tc.bits, got, ind)
			}
		})
	}
}
