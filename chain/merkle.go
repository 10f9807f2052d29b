package chain

import "crypto/sha256"

// MerkleRoot is the root of the transactions' hash tree, as RFC 6962
// builds it: leaf = SHA-256(0x00 || canonical JSON of the transaction),
// node = SHA-256(0x01 || left || right), an odd node is carried up
// unchanged, and no transactions hash to SHA-256 of nothing. The prefixes
// keep a leaf from passing for an inner node, and carrying the odd node up
// (rather than pairing it with itself, as Bitcoin does) means two different
// transaction lists never share a root.
func MerkleRoot(txs []Tx) Hash {
	if len(txs) == 0 {
		return sha256.Sum256(nil)
	}
	level := make([]Hash, len(txs))
	buf := make([]byte, 0, 256)
	for i, tx := range txs {
		buf = append(buf[:0], 0)
		buf = tx.appendCanonical(buf)
		level[i] = sha256.Sum256(buf)
	}
	var pair [65]byte
	pair[0] = 1
	for len(level) > 1 {
		next := level[:0]
		for i := 0; i < len(level); i += 2 {
			if i+1 == len(level) {
				next = append(next, level[i])
				continue
			}
			copy(pair[1:33], level[i][:])
			copy(pair[33:], level[i+1][:])
			next = append(next, sha256.Sum256(pair[:]))
		}
		level = next
	}
	return level[0]
}

// merkleRootSlow is MerkleRoot written recursively from RFC 6962's
// definition (split at the largest power of two below n); tests compare the
// two.
func merkleRootSlow(txs []Tx) Hash {
	switch len(txs) {
	case 0:
		return sha256.Sum256(nil)
	case 1:
		return sha256.Sum256(append([]byte{0}, txs[0].CanonicalJSON()...))
	}
	k := 1
	for k*2 < len(txs) {
		k *= 2
	}
	l, r := merkleRootSlow(txs[:k]), merkleRootSlow(txs[k:])
	return sha256.Sum256(append(append([]byte{1}, l[:]...), r[:]...))
}
