package sha256x

import (
	"crypto/sha256"
	"encoding/binary"
)

// Sum256d is sha256(sha256(msg)), Bitcoin's double SHA-256.
func Sum256d(msg []byte) [32]byte {
	d := sha256.Sum256(msg)
	return sha256.Sum256(d[:])
}

// rehash replaces the state h, a finished first SHA-256, with the SHA-256 of
// its 32-byte digest: one compression of the digest words, the padding bit
// and the 256-bit length from the initial value.
func rehash(h *[8]uint32, w *[64]uint32) {
	copy(w[:8], h[:])
	w[8] = 0x80000000
	for i := 9; i < 15; i++ {
		w[i] = 0
	}
	w[15] = 256
	*h = iv
	compressWords(h, w)
}

// headerPlan is the part of Bitcoin's 80-byte header that the fast sha256d
// kernels prepare once per job: the midstate of the first 64 bytes and the
// second block's first three words. Of that block only word 3 (the
// byte-swapped nonce) differs between attempts; its padding (word 4 =
// 0x80000000, words 5..14 zero, word 15 = 640 bits) is fixed.
type headerPlan struct {
	mid [8]uint32 // state after the first 64 bytes
	w   [3]uint32 // words 0..2 of the second block: header bytes 64..75
}

func newHeaderPlan(prefix []byte) headerPlan {
	p := headerPlan{mid: iv}
	Compress(&p.mid, prefix[:64])
	for i := range p.w {
		p.w[i] = binary.BigEndian.Uint32(prefix[64+4*i:])
	}
	return p
}
