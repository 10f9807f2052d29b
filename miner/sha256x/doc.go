// Package sha256x holds SHA-256 kernels specialised for proof-of-work nonce
// search.
//
// A search hashes messages of the form
//
//	prefix || encode(nonce) || suffix
//
// for nonces start, start+step, start+2·step, … and looks for the first whose
// digest meets a Target. A Job describes that family of messages; a Kernel
// turns a Job into a Searcher, which tests a contiguous range of nonce
// indexes per call and reports the lowest index that meets the target.
//
// Kernels:
//
//   - ref: the oracle. Builds each message with strconv and hashes it with
//     crypto/sha256. Slow and obviously correct; tests compare every other
//     kernel with it. Not offered for mining.
//   - generic: pure Go, specialised for the search (midstate of the whole
//     64-byte blocks before the nonce, an in-place decimal counter, no
//     allocation per attempt).
//   - stdlib: crypto/sha256.Sum256 on a reused buffer with the in-place
//     counter.
//   - SIMD kernels (amd64 only, chosen at run time from CPU features) register
//     themselves from the architecture-specific files:
//   - avx512 (16 lanes, ZMM, VPRORD + VPTERNLOGD) and avx2 (8 lanes, YMM):
//     generated with avo from _asm/avx (go generate; avx_amd64.s). A batch
//     holds nonces of one group that differ only in their last one to four
//     decimal digits (or the last binary byte), so only one or two message
//     words differ per lane: everything else (the blocks before the nonce,
//     the rounds before its first per-lane word, the schedule terms built
//     from lane-invariant words) is computed once per group in Go and
//     broadcast, and the per-lane words come from a shared table indexed by
//     the low digits. This covers every step for which a batch fits in a
//     group (up to 666 for decimal nonces with 16 lanes); larger steps take
//     a slower SIMD path that lays out every lane's message, and suffixes
//     over 4 KiB the generic kernel. The quick test on one state word runs
//     in-vector; candidates are confirmed with crypto/sha256 before being
//     reported.
//
// Every Searcher returns only hits that meet the full target: SIMD kernels
// may use a quick test on one state word, but candidates are confirmed with
// the exact 256-bit test before they are reported.
//
// Errors callers see: Job.Validate for a malformed job, ByName for an unknown
// or unavailable kernel, SelfTest for a kernel that gives a wrong answer.
package sha256x
