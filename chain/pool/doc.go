// Package pool is a Stratum v1 mining pool over a bitcoin-rules chain: any
// standard miner (cpuminer-opt, powlab's own client in miner/stratum) can
// connect over TCP and mine the chain's next block.
//
// # Flow
//
// New(chain, Config) makes the first job from chain.Candidate: the block's
// coinbase prefix (the reward's JSON and a 0 byte) is coinb1, coinb2 is
// empty, and the 8-byte extra nonce a bitcoin-rules coinbase carries is
// split into a 4-byte extranonce1 (unique per connection) and a 4-byte
// extranonce2 (the miner's). Serve accepts connections; each has a reader
// (bounded lines, deadlines, a per-second message bound) and a writer fed
// by a bounded queue, so a slow client never holds up a broadcast. A tip
// change sends every miner a clean job; JobInterval sends a fresh one
// (new time and transactions) that leaves older work of the same tip valid.
//
// Methods: mining.subscribe, mining.authorize (any user and password; the
// user is the worker's name), mining.extranonce.subscribe,
// mining.suggest_difficulty (within MinDiff..MaxDiff), mining.submit; the
// pool sends mining.set_difficulty and mining.notify. A submission is
// rebuilt into a block (coinbase, Merkle root from the job's branch, time,
// nonce), hashed with sha256d and compared with the share target of the
// difficulty in force for that job (ShareTarget: difficulty 1 is 2^32
// hashes) and with the block target; a block goes through the chain engine
// (full validation, stored crash-safely), and every miner then gets a
// clean job. Vardiff moves each connection's difficulty toward
// SharesPerMin. Status reports each worker's counts and hashrate estimate
// with its 95% interval (Poisson model of share arrivals).
//
// # Errors
//
// Refusals are Stratum errors with the usual codes: 20 other (bad
// parameters, unknown method, invalid JSON, time outside the job's
// window), 21 job not found or stale, 22 duplicate, 23 low difficulty,
// 24 unauthorized worker, 25 not subscribed. A line over MaxLine, a flood
// or a full write queue closes the connection; input never panics the pool
// or touches the store except through a fully validated block. New fails
// for a chain that does not follow bitcoin rules or for bad difficulty
// bounds; Serve returns the listener's error.
package pool
