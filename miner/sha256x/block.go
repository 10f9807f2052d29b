package sha256x

import (
	"encoding/binary"
	"math/bits"
)

// iv is SHA-256's initial hash value (FIPS 180-4, 5.3.3).
var iv = [8]uint32{
	0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
	0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
}

// roundK are SHA-256's round constants (FIPS 180-4, 4.2.2).
var roundK = [64]uint32{
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
}

// IV returns SHA-256's initial state.
func IV() [8]uint32 { return iv }

// RoundConstants returns SHA-256's 64 round constants.
func RoundConstants() [64]uint32 { return roundK }

// Compress runs the SHA-256 compression function over every whole 64-byte
// block of p, updating s. Trailing bytes that do not fill a block are ignored.
func Compress(s *[8]uint32, p []byte) {
	var w [64]uint32
	for len(p) >= 64 {
		for i := 0; i < 16; i++ {
			w[i] = binary.BigEndian.Uint32(p[4*i:])
		}
		compressWords(s, &w)
		p = p[64:]
	}
}

// compressWords runs one compression on the message words w[0:16]; w[16:64]
// is used as scratch for the message schedule.
func compressWords(s *[8]uint32, w *[64]uint32) {
	expandSchedule(w)
	in := *s
	roundsFrom(s, w, 0)
	for i := range s {
		s[i] += in[i]
	}
}

// expandSchedule fills w[16:64], SHA-256's message schedule, from w[0:16].
func expandSchedule(w *[64]uint32) {
	for i := 16; i < 64; i++ {
		v1 := w[i-2]
		t1 := bits.RotateLeft32(v1, -17) ^ bits.RotateLeft32(v1, -19) ^ (v1 >> 10)
		v2 := w[i-15]
		t2 := bits.RotateLeft32(v2, -7) ^ bits.RotateLeft32(v2, -18) ^ (v2 >> 3)
		w[i] = t1 + w[i-7] + t2 + w[i-16]
	}
}

// roundsFrom runs rounds first..63 on s with the schedule w, without the
// feed-forward: the plain rounds the kernels' Go twins start part way.
func roundsFrom(s *[8]uint32, w *[64]uint32, first int) {
	a, b, c, d, e, f, g, h := s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]
	for i := first; i < 64; i++ {
		t1 := h + (bits.RotateLeft32(e, -6) ^ bits.RotateLeft32(e, -11) ^ bits.RotateLeft32(e, -25)) +
			((e & f) ^ (^e & g)) + roundK[i] + w[i]
		t2 := (bits.RotateLeft32(a, -2) ^ bits.RotateLeft32(a, -13) ^ bits.RotateLeft32(a, -22)) +
			((a & b) ^ (a & c) ^ (b & c))
		h, g, f, e, d, c, b, a = g, f, e, d+t1, c, b, a, t1+t2
	}
	*s = [8]uint32{a, b, c, d, e, f, g, h}
}

// DigestWords converts a 32-byte digest to its eight big-endian state words.
func DigestWords(d *[32]byte) [8]uint32 {
	var h [8]uint32
	for i := range h {
		h[i] = binary.BigEndian.Uint32(d[4*i:])
	}
	return h
}

// WordsDigest converts eight state words to the 32-byte digest.
func WordsDigest(h *[8]uint32) [32]byte {
	var d [32]byte
	for i, v := range h {
		binary.BigEndian.PutUint32(d[4*i:], v)
	}
	return d
}

// padLen returns the length of a message of n bytes after SHA-256 padding.
func padLen(n int) int { return (n + 8 + 1 + 63) &^ 63 }

// appendPadding appends SHA-256 padding for a message whose total length is
// total bytes to b (which holds the message's last, partial block).
func appendPadding(b []byte, total int) []byte {
	b = append(b, 0x80)
	for (len(b)+8)%64 != 0 {
		b = append(b, 0)
	}
	return binary.BigEndian.AppendUint64(b, uint64(total)*8)
}

func sigma0(x uint32) uint32 {
	return bits.RotateLeft32(x, -7) ^ bits.RotateLeft32(x, -18) ^ (x >> 3)
}

func sigma1(x uint32) uint32 {
	return bits.RotateLeft32(x, -17) ^ bits.RotateLeft32(x, -19) ^ (x >> 10)
}

// scalarRounds runs rounds 0..n-1 on s with the message words already added
// to the constants (kw[t] = K[t]+W[t]).
func scalarRounds(s *[8]uint32, kw *[64]uint32, n int) {
	a, b, c, d, e, f, g, h := s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]
	for t := 0; t < n; t++ {
		t1 := h + (bits.RotateLeft32(e, -6) ^ bits.RotateLeft32(e, -11) ^ bits.RotateLeft32(e, -25)) +
			((e & f) ^ (^e & g)) + kw[t]
		t2 := (bits.RotateLeft32(a, -2) ^ bits.RotateLeft32(a, -13) ^ bits.RotateLeft32(a, -22)) +
			((a & b) ^ (a & c) ^ (b & c))
		h, g, f, e, d, c, b, a = g, f, e, d+t1, c, b, a, t1+t2
	}
	*s = [8]uint32{a, b, c, d, e, f, g, h}
}
