package chain

import (
	"bytes"
	"testing"
)

// FuzzDecodeBlock: no input panics, and a decoded block round-trips: its
// canonical form is what Python would write for the input, and decodes to
// the same block.
func FuzzDecodeBlock(f *testing.F) {
	f.Add([]byte(`{"index": 1, "prev_hash": 1, "proof": 100, "timestamp": 1506057125.900785, "transactions": []}`))
	f.Add([]byte(`{"index": 2, "prev_hash": "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", "proof": 35293, "timestamp": 1e+16, "transactions": [{"amount": 12.5, "recipient": "\u00e9\ud83d\ude00", "sender": "0"}]}`))
	f.Add([]byte(`{"index": 1, "merkle_root": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "prev_hash": 1, "proof": 13074, "target": "0000ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", "timestamp": 1795706559.726918, "transactions": [], "version": 1}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := DecodeBlock(data)
		if err != nil {
			return
		}
		enc := b.CanonicalJSON()
		generic, err := CanonicalJSON(data)
		if err != nil {
			t.Fatalf("DecodeBlock accepted what CanonicalJSON refuses: %v", err)
		}
		if !bytes.Equal(enc, generic) {
			t.Fatalf("typed and generic encodings differ:\n%s\n%s", enc, generic)
		}
		b2, err := DecodeBlock(enc)
		if err != nil {
			t.Fatalf("re-decoding %s: %v", enc, err)
		}
		if enc2 := b2.CanonicalJSON(); !bytes.Equal(enc, enc2) {
			t.Fatalf("round trip changed the block:\n%s\n%s", enc, enc2)
		}
	})
}

// FuzzCanonicalJSON: the canonical form is a fixed point and never panics.
func FuzzCanonicalJSON(f *testing.F) {
	f.Add([]byte(`{"b": [1, 2.0, "é"], "a": null}`))
	f.Add([]byte(`1e-05`))
	f.Fuzz(func(t *testing.T, data []byte) {
		out, err := CanonicalJSON(data)
		if err != nil {
			return
		}
		again, err := CanonicalJSON(out)
		if err != nil || !bytes.Equal(out, again) {
			t.Fatalf("not a fixed point: %s -> %s (%v)", out, again, err)
		}
	})
}
