// Package bench runs powlab's experiments and returns their records (package
// results). It never prints: progress goes to callbacks, and the CLI renders.
//
// Hashrate sweeps every chosen kernel × worker count on one puzzle for a fixed
// duration each, after a known-answer self-test of every kernel; a kernel
// that fails its self-test fails the sweep.
//
// Attempts runs the attempts-vs-difficulty experiment: for each difficulty
// (hex zero digits or zero bits), Trials searches of the tutorial's puzzle,
// each with a distinct last proof from a PCG generator seeded with Seed, in
// smallest-nonce mode, so the attempt count (solving index + 1, the
// sequential loop's count) depends only on the seed. Summarize computes
// each difficulty's statistics with the pure functions of stats.go (mean,
// sample SD, percentiles by Hyndman-Fan definition 7, the Student-t
// confidence interval of the mean, the geometric law's CDF, mean and exact
// median, and the Kolmogorov-Smirnov distance to it with its p-value);
// testdata/stats_vectors.py computes the same quantities independently.
// MeasureRate gives the hashrate the CLI's time guard projects with.
//
// BlockTimes turns block timestamps and difficulties into a block-time
// record; ChainBlockTimes reads them from a chain store (package chain) and
// ReadTutorialChain from the tutorial's GET /chain JSON.
//
// # Mini networks (RunNet)
//
// RunNet starts one real chain/node per MinerSpec on 127.0.0.1 and lets them
// mine against each other over HTTP and block gossip:
//
//  1. One genesis block for all: a chain is created with a fixed clock
//     (netGenesisTime) and its store copied into each node's temporary data
//     directory. The seeded RNG draws each node's reward address and one
//     latency per link of the topology (Topology.Peers). Uncapped specs are
//     calibrated alone (CalibrateSpecs), the fallback for a node whose
//     blocks come too fast for it to report a rate.
//  2. In process (default): node.New with Events counting mined blocks and
//     reorganisations, GossipDelay returning the link's latency or -1 while
//     a Partition cuts the link; Serve on an ephemeral port; AddPeers.
//     Spawned (NetConfig.Spawn): `powlab node --mine` children, one per
//     node, each with its own store (same genesis, its own address), talking
//     only through a proxy per link in this process, which delays requests,
//     answers 503 across a cut and observes every announced block; tips and
//     reorganisations are polled from /status.
//  3. All miners start at once. A loop checks the stop conditions (Blocks on
//     the best chain, Duration, ctx), samples attempts/s, calls Progress,
//     and when a partition ends makes every node resolve (gossip alone would
//     heal the fork only at the next block).
//  4. The miners stop (spawned children keep mining until closed) and the
//     nodes are given ConvergeTimeout to agree on one tip, resolving every
//     second; after 2 s without one tip (a tie of equal-work branches,
//     which no resolve breaks) they mine on until a block breaks it.
//  5. The record: the longest chain among the nodes is the best one; each of
//     its blocks is credited to the node its reward pays. Stale = mined −
//     won; mean interval = time of the last block / blocks; expected
//     interval = the target's expected attempts / the total rate.
//
// In process, a message already in flight when a cut starts (at most one
// link latency) still arrives, and a catch-up fetch it triggers can cross
// the cut; spawned networks route every request through the proxies and
// block all of it.
//
// Errors: a self-test failure (wrapping the kernel's name), a bad puzzle or
// target from package miner, and ctx.Err() when cancelled (with the record
// of the configurations, or trials, already finished). Attempts rejects a
// difficulty outside its scale (1..15 hex digits, 1..60 bits) and fewer than
// one trial. ChainBlockTimes fails when the directory holds no store or the
// store is in use; ReadTutorialChain names the block and field it could not
// read. RunNet fails with errors wrapping ErrNetConfig or ErrBadSpec for its
// configuration, with a node's or child's error when one cannot start, and
// with ctx.Err() together with the whole report (Stopped "interrupted")
// when cancelled. Every node is closed and every child killed before RunNet
// returns.
package bench
