// Package chain is powlab's blockchain: blocks and transactions with the
// tutorial's JSON names, pluggable consensus rules, validation, fork choice,
// the mempool and a crash-safe store.
//
// # Flow
//
// Open(ctx, dir, Options) opens (or creates, with a genesis block and a node
// address) the bbolt store DIR/chain.db and rebuilds the block tree in
// memory. Chain.Mine builds a candidate from the mempool plus the reward,
// searches its proof with miner.Search (cancelled when the tip moves) and
// appends it; Chain.AddBlock takes a peer's block; Chain.ReplaceChain
// validates a whole foreign chain on all cores and adopts it when it has
// more work. Subscribers hear of every tip change.
//
// # Rules
//
// Rules say how a block is hashed, what proof it needs and what target the
// next block needs:
//
//   - tutorial: the proof depends only on the previous proof
//     (sha256(f"{last_proof}{proof}") meets a fixed target) and a block's
//     hash is SHA-256 of json.dumps(block, sort_keys=True), reproduced byte
//     for byte (CanonicalJSON, Number). The proof never commits to the
//     block's contents, so history can be rewritten for free.
//   - powlab: the proof is the nonce of a 96-byte binary header (version,
//     index, prev hash, Merkle root, timestamp, target, nonce) whose SHA-256
//     must not exceed the target, which the chain's difficulty algorithm
//     sets (below).
//   - bitcoin: Bitcoin's 80-byte header (version, previous hash, Merkle
//     root with the duplicate-last rule over the coinbase — the reward's
//     JSON, a 0 byte and an extra nonce — and the other transactions'
//     sha256d ids, 32-bit time, compact bits, nonce = the proof), hashed with sha256d and
//     shown byte-reversed as explorers do; the target comes from the bits
//     (Bitcoin Core's SetCompact), set by the chain's difficulty algorithm
//     (by default Core's CalculateNextWorkRequired every RetargetInterval
//     blocks, 2016 unless set: the window's off-by-one, ×4 clamps, the
//     limit); times are
//     whole seconds above the median of the last 11 and at most 2 hours
//     ahead. A block's Index is its Bitcoin height + 1. Mining rolls the
//     time by a second when a header's 2^32 nonces run out.
//
// # Difficulty
//
// Powlab and bitcoin rules compute each block's target with one algorithm
// of package chain/daa, named by Params.DAA (bitcoin, asert, lwma, dgw,
// ema, fixed, powlab; empty means the rules' default: powlab under powlab
// rules, whose window 0 keeps the difficulty fixed, bitcoin under bitcoin
// rules) with Params.RetargetInterval as its window or interval,
// Params.BlockTime and Params.HalfLife (asert). Tutorial rules keep one
// target. The algorithm reads the chain through an adapter from HeaderCtx
// to daa.Chain (difficulty.go): heights in the rules' numbering, times in
// integer ticks (Ticks: milliseconds under powlab rules, seconds under
// bitcoin rules), targets decoded from the block's compact form
// (CompactDAATarget, daa.BitsToTarget) and the answer encoded back
// (CompactFromDAATarget, daa.TargetToBits).
//
// ValidateHeaders checks runs of raw Bitcoin headers (real mainnet ones
// included) with the same rules, without blocks behind them.
//
// Fork choice is the most cumulative work (Better), in exact integers: a
// block's Work is 2^256 divided by the number of hashes that meet its
// target, a chain's is the exact sum (320 bits, so it never rounds), and a
// branch wins only with strictly more. At a fixed difficulty this is the
// longest chain. Floats (Work.Float64) are for display only.
//
// BlockNode is a block linked to its parent with its hash and cumulative
// work: the engine's block tree is made of them, ValidateChain walks them,
// and Tip.Node hands one out, as the HeaderCtx every rule reads.
//
// # Files
//
//   - chain.go: Open, the block tree, orphans, AddBlock, reorganisation,
//     ReplaceChain and tip subscribers.
//   - mine.go: Candidate and Mine.
//   - forkchoice.go: Better, CumulativeWork, ChainWork, Fork and BlockNode;
//     work.go: the exact Work type and TargetWork.
//   - difficulty.go: HeaderCtx, median time and the adapter to the
//     chain's difficulty algorithm; compact.go: the 4-byte target.
//   - rules.go: the rule sets (rules_bitcoin.go: bitcoin); validate.go:
//     CheckBlock and ValidateChain.
//   - block.go, number.go, pyjson.go, merkle.go: blocks and their
//     Python-compatible JSON; mempool.go; store.go: the bbolt store.
//   - btc.go: Bitcoin block headers, compact bits, Core's retarget (over
//     package daa) and ValidateHeaders.
//
// # Errors
//
// A block or chain that breaks a rule gives a *RuleError{Code, Index, Msg}
// naming the block and the numbers (hash vs target). Malformed JSON wraps
// ErrBadJSON. The mempool refuses transactions with errors wrapping
// ErrInvalidTx or ErrMempoolFull. Open fails with ErrParamsMismatch when
// asked for rules other than the stored ones (a difficulty algorithm, its
// window or half-life included), with ErrBadParams when asked to create a
// chain whose parameters do not go together, with a *RuleError (CodeBadDifficulty)
// when a store written by an older powlab holds a retarget the integer
// rule computes differently, ErrNoChain with MustExist
// when the directory holds no chain. ValidateHeaders fails with a
// *HeaderError naming the line and height. Mine returns ErrStale when the
// tip moved during the search and ctx's error when cancelled. Lookups return
// ErrNotFound. Anything else is a store or I/O failure.
package chain
