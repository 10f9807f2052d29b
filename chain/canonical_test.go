package chain

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"math"
	"os"
	"testing"
)

// vectors are written by testdata/gen_vectors.py with Python's json module.
type vectors struct {
	Values []struct {
		Input     string `json:"input"`
		Canonical string `json:"canonical"`
	} `json:"values"`
	Invalid []string `json:"invalid"`
	Floats  []struct {
		Bits string `json:"bits"`
		Repr string `json:"repr"`
	} `json:"floats"`
	Blocks []struct {
		Canonical string `json:"canonical"`
		SHA256    string `json:"sha256"`
	} `json:"blocks"`
}

func loadVectors(t *testing.T) *vectors {
	t.Helper()
	data, err := os.ReadFile("testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var v vectors
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Values) == 0 || len(v.Floats) == 0 || len(v.Blocks) == 0 {
		t.Fatal("empty vectors")
	}
	return &v
}

func TestCanonicalJSONMatchesPython(t *testing.T) {
	v := loadVectors(t)
	for _, c := range v.Values {
		t.Run(c.Input[:min(len(c.Input), 40)], func(t *testing.T) {
			got, err := CanonicalJSON([]byte(c.Input))
			if err != nil {
				t.Fatalf("CanonicalJSON(%q): %v", c.Input, err)
			}
			if string(got) != c.Canonical {
				t.Fatalf("CanonicalJSON(%q)\n got %s\nwant %s", c.Input, got, c.Canonical)
			}
			// Canonical form is a fixed point.
			again, err := CanonicalJSON(got)
			if err != nil || !bytes.Equal(again, got) {
				t.Fatalf("re-encoding %s gave %s, %v", got, again, err)
			}
		})
	}
}

func TestCanonicalJSONRefusesWhatPythonRefuses(t *testing.T) {
	v := loadVectors(t)
	extra := []string{"NaN", "Infinity", "-Infinity", "1e400", `"\ud800"`, `"\udc00\ud800"`, "\xff", `"a` + "\x00" + `"`}
	for _, in := range append(v.Invalid, extra...) {
		if out, err := CanonicalJSON([]byte(in)); err == nil {
			t.Errorf("CanonicalJSON(%.50q) = %s, want an error", in, out)
		}
	}
}

func TestFloatReprMatchesPython(t *testing.T) {
	v := loadVectors(t)
	bad := 0
	for _, c := range v.Floats {
		raw, err := hex.DecodeString(c.Bits)
		if err != nil {
			t.Fatal(err)
		}
		f := math.Float64frombits(binary.BigEndian.Uint64(raw))
		if got := pyFloatRepr(f); got != c.Repr {
			t.Errorf("repr(%x) = %s, want %s", raw, got, c.Repr)
			if bad++; bad > 10 {
				t.Fatal("too many failures")
			}
		}
		// Parsing Python's text gives the same double and text back.
		n, err := ParseNumber(c.Repr)
		if err != nil || !n.IsFloat() || n.String() != c.Repr || math.Float64bits(n.Float64()) != math.Float64bits(f) {
			t.Errorf("ParseNumber(%s) = %v (%v)", c.Repr, n, err)
		}
	}
}

func TestBlockHashMatchesPython(t *testing.T) {
	v := loadVectors(t)
	r, err := NewRules(DefaultParams(RulesTutorial))
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range v.Blocks {
		b, err := DecodeBlock([]byte(c.Canonical))
		if err != nil {
			t.Fatalf("block %d: %v", i, err)
		}
		if got := string(b.CanonicalJSON()); got != c.Canonical {
			t.Fatalf("block %d re-encoded\n got %s\nwant %s", i, got, c.Canonical)
		}
		if got := r.Hash(b).String(); got != c.SHA256 {
			t.Fatalf("block %d: hash %s, want %s", i, got, c.SHA256)
		}
		// The generic encoder agrees with the typed one.
		generic, err := CanonicalJSON([]byte(c.Canonical))
		if err != nil || string(generic) != c.Canonical {
			t.Fatalf("block %d: generic encoder %s, %v", i, generic, err)
		}
		sum := sha256.Sum256([]byte(c.Canonical))
		if hex.EncodeToString(sum[:]) != c.SHA256 {
			t.Fatal("vector file is inconsistent")
		}
	}
}

func TestNumber(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		text    string
		isFloat bool
		sign    int
	}{
		{"int", "5", "5", false, 1},
		{"float integral", "5.0", "5.0", true, 1},
		{"negative zero int", "-0", "0", false, 0},
		{"negative zero float", "-0.0", "-0.0", true, 0},
		{"exponent is float", "1E2", "100.0", true, 1},
		{"small", "0.00001", "1e-05", true, 1},
		{"big int", "-123456789012345678901234567890", "-123456789012345678901234567890", false, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := ParseNumber(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if n.String() != tt.text || n.IsFloat() != tt.isFloat || n.Sign() != tt.sign {
				t.Fatalf("ParseNumber(%s) = %s float=%v sign=%d", tt.in, n, n.IsFloat(), n.Sign())
			}
		})
	}
	if _, err := NewFloat(math.NaN()); err == nil {
		t.Fatal("NaN accepted")
	}
	if !Int(0).Equal(Number{}) || Int(5).Equal(Float(5)) {
		t.Fatal("Equal")
	}
}
