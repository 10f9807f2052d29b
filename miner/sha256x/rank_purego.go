//go:build purego || noasm

package sha256x

// stdlibRank orders the stdlib kernel for Best. Under purego crypto/sha256
// has no assembly either, and the generic kernel, which skips the prefix's
// whole blocks and formats no nonce, measures faster (3.7 vs 3.1 M/s on the
// tutorial puzzle: go test -tags purego -bench 'Kernel$' ./miner/sha256x).
const stdlibRank = 5
