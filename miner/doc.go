// Package miner is powlab's proof-of-work search.
//
// A Puzzle says what is hashed (bytes before the nonce, the nonce's
// encoding, bytes after it, and the arithmetic sequence of nonces tried) and
// how (sha256, or sha256d as Bitcoin does; HeaderPuzzle is Bitcoin's 80-byte
// header, whose targets read the digest byte-reversed); a Target says which
// digests win (CompactTarget expands a header's compact bits). Search runs W goroutine workers over one
// shared nonce cursor: each worker takes the next contiguous chunk of nonce
// indexes and hashes it with a kernel from miner/sha256x.
//
// Modes:
//   - Smallest (default): the answer is the lowest solving nonce index, the
//     same as the tutorial's sequential loop whatever the worker count.
//     Workers finish every chunk below the best hit so far and stop as soon
//     as the next chunk starts above it.
//   - Any: the first hit any worker finds; the others stop at once.
//   - Count: never stops on a hit; counts solutions until the context ends or
//     MaxAttempts is reached (hashrate measurement).
//
// Attempts are exact: a chunk reports the indexes it tested up to and
// including a hit. Result.Index+1 is the number of attempts the sequential
// loop would have made.
//
// Errors: ErrExhausted when the nonce range (or MaxAttempts) runs out with no
// hit, ErrKernelAlgo for a kernel of another algorithm than the puzzle's, ctx.Err() on cancellation (the Result still carries the attempts and
// time spent), and parse errors from the Parse* functions that name the
// offending input.
package miner
