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
// The network lab (real nodes and the simulation) is the sub-package
// netlab.
//
// Errors: a self-test failure (wrapping the kernel's name), a bad puzzle or
// target from package miner, and ctx.Err() when cancelled (with the record
// of the configurations, or trials, already finished). Attempts rejects a
// difficulty outside its scale (1..15 hex digits, 1..60 bits) and fewer than
// one trial. ChainBlockTimes fails when the directory holds no store or the
// store is in use; ReadTutorialChain names the block and field it could not
// read.
package bench
