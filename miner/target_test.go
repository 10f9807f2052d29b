package miner

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestParseTargetErrors(t *testing.T) {
	tests := []struct {
		name   string
		parse  func(string) (Target, error)
		in     string
		errHas string
	}{
		{"bad digit", ParsePrefix, "00g0", "'g' at position 3 is not a hex digit"},
		{"empty prefix", ParsePrefix, "", "empty pattern"},
		{"too long", ParseSuffix, strings.Repeat("0", 65), "65 hex digits"},
		{"space", ParseSuffix, "0 1", "' ' at position 2"},
		{"unicode", ParsePrefix, "0é", "'é' at position 2"},
		{"bits zero", ParseBits, "0", "between 1 and 256"},
		{"bits big", ParseBits, "257", "between 1 and 256"},
		{"bits word", ParseBits, "ten", "not a whole number"},
		{"threshold bad", ParseThreshold, "0xzz", "'z'"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.parse(tc.in)
			if err == nil || !errors.Is(err, ErrBadTarget) || !strings.Contains(err.Error(), tc.errHas) {
				t.Fatalf("err %v, want ErrBadTarget mentioning %q", err, tc.errHas)
			}
		})
	}
}

func TestTargetProbability(t *testing.T) {
	tests := []struct {
		name string
		t    Target
		want float64
	}{
		{"prefix 6", MustPrefix("000000"), 1 / math.Pow(16, 6)},
		{"pattern 8", MustPrefix("00001111"), 1 / math.Pow(16, 8)},
		{"suffix 5", must(ParseSuffix("01010")), 1 / math.Pow(16, 5)},
		{"bits 24", must(ZeroBitsTarget(24)), 1 / math.Pow(2, 24)},
		{"threshold half", must(ParseThreshold("7" + strings.Repeat("f", 63))), 0.5},
		{"threshold max", must(ParseThreshold(strings.Repeat("f", 64))), 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.t.Probability(); math.Abs(got-tc.want)/tc.want > 1e-12 {
				t.Fatalf("p = %g, want %g", got, tc.want)
			}
			if got := tc.t.ExpectedAttempts(); math.Abs(got*tc.want-1) > 1e-12 {
				t.Fatalf("expected attempts %g, want %g", got, 1/tc.want)
			}
		})
	}
}

func must(t Target, err error) Target {
	if err != nil {
		panic(err)
	}
	return t
}

// slowMeets is the obviously-correct twin of Target.Meets: it works on the
// hex string (and on big-endian comparison for thresholds).
func slowMeets(t Target, d [32]byte) bool {
	h := hex.EncodeToString(d[:])
	switch t.Kind() {
	case HexPrefix:
		return strings.HasPrefix(h, t.Pattern())
	case HexSuffix:
		return strings.HasSuffix(h, t.Pattern())
	case ZeroBits:
		for i := 0; i < t.Bits(); i++ {
			if d[i/8]&(0x80>>uint(i%8)) != 0 {
				return false
			}
		}
		return true
	case Threshold:
		m := t.Max()
		return hex.EncodeToString(d[:]) <= hex.EncodeToString(m[:])
	}
	return false
}

func TestMeetsMatchesSlowTwin(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	targets := []Target{
		MustPrefix("0"), MustPrefix("00"), MustPrefix("a"), MustPrefix("0f1"),
		must(ParseSuffix("0")), must(ParseSuffix("01")), must(ParseSuffix("A")),
		must(ZeroBitsTarget(1)), must(ZeroBitsTarget(3)), must(ZeroBitsTarget(9)),
		must(ParseThreshold("1" + strings.Repeat("0", 62))), must(ParseThreshold("0" + strings.Repeat("f", 63))),
	}
	for i := 0; i < 20000; i++ {
		var buf [8]byte
		for j := range buf {
			buf[j] = byte(rng.Uint32())
		}
		d := sha256.Sum256(buf[:])
		// Force some digests to share the pattern's neighbourhood.
		if i%4 == 0 {
			d[0] &= 0x0f
		}
		for _, tg := range targets {
			if got, want := tg.Meets(d), slowMeets(tg, d); got != want {
				t.Fatalf("%s on %x: Meets %v, slow twin %v", tg, d, got, want)
			}
			c := tg.Compile()
			h := c.Mask() // touch accessors
			_ = h
			if tg.Meets(d) && !c.Quick(wordOf(d, c.QuickWord())) {
				t.Fatalf("%s: Quick rejects a digest that meets the target", tg)
			}
		}
	}
}

func wordOf(d [32]byte, i int) uint32 {
	return uint32(d[4*i])<<24 | uint32(d[4*i+1])<<16 | uint32(d[4*i+2])<<8 | uint32(d[4*i+3])
}

func FuzzParseTarget(f *testing.F) {
	for _, s := range []string{"0000", "00g0", "", "ffff", "0x12", "257", "-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, p := range []func(string) (Target, error){ParsePrefix, ParseSuffix, ParseBits, ParseThreshold} {
			tg, err := p(s)
			if err == nil {
				if pr := tg.Probability(); !(pr > 0 && pr <= 1) {
					t.Fatalf("%q: probability %g", s, pr)
				}
				_ = tg.Compile()
			}
		}
	})
}
