package chain

import (
	"bytes"
	"encoding/binary"
	"math"
	"testing"

	"github.com/powlab/powlab/chain/daa"
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

// FuzzDifficulty: any chain of headers (raw float64 times, raw bits,
// heights in order) under any algorithm and either rule set gives a
// valid next target without panicking, and the adapter's view answers as
// the slow walk does. data: byte 0 picks the algorithm, byte 1 the rules
// and window, then 12 bytes per header (time as float64 bits, bits).
func FuzzDifficulty(f *testing.F) {
	f.Add([]byte{0, 0})
	f.Add(append([]byte{1, 3}, bytes.Repeat([]byte{0x41, 0xd9, 0, 0, 0, 0, 0, 0, 0xf0, 0, 0, 0}, 9)...))
	f.Add(append([]byte{5, 2}, bytes.Repeat([]byte{0x7f, 0xf8, 0, 0, 0, 0, 0, 1, 0x1d, 0, 0xff, 0xff}, 7)...))
	names := daa.Names()
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 2 || len(data) > 2+12*64 {
			return
		}
		name := names[int(data[0])%len(names)]
		rules := RulesPowlab
		if data[1]&1 == 1 {
			rules = RulesBitcoin
		}
		p := DefaultParams(rules)
		p.DAA, p.RetargetInterval, p.HalfLife = name, uint64(data[1]>>1)%8+2, 0
		if name == "asert" || name == "fixed" {
			p.RetargetInterval = 0
		}
		r, err := NewRules(p)
		if err != nil {
			t.Fatal(err)
		}
		nh := r.(interface{ nextHeader(HeaderCtx) Compact })
		var d *difficulty
		switch x := r.(type) {
		case *powlabRules:
			d = x.d
		case *bitcoinRules:
			d = x.d
		}
		var tip *hdr
		for i, rest := 1, data[2:]; len(rest) >= 12; i, rest = i+1, rest[12:] {
			ts := math.Float64frombits(binary.BigEndian.Uint64(rest))
			tip = &hdr{h: uint64(i), ts: ts, bits: Compact(binary.BigEndian.Uint32(rest[8:])), parent: tip}
			next := nh.nextHeader(tip)
			if rules == RulesPowlab && !next.Valid() {
				t.Fatalf("block %d: invalid target %#x", i+1, uint32(next))
			}
			if _, err := daa.BitsToTarget(uint32(next)); rules == RulesBitcoin && err != nil {
				t.Fatalf("block %d: bits %#x: %v", i+1, uint32(next), err)
			}
			v := headerView{d: d, tip: tip, last: tip}
			v.seen = []daa.Block{d.block(tip)}
			for h := d.height(uint64(i)) + 1; h > 0; h-- {
				got, ok := v.Ancestor(h - 1)
				want, wok := ancestorSlow(d, tip, h-1)
				if ok != wok || got != want {
					t.Fatalf("Ancestor(%d) = %+v %v, slow walk %+v %v", h-1, got, ok, want, wok)
				}
			}
		}
	})
}
