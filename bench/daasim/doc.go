// Package daasim simulates difficulty-adjustment algorithms (package
// chain/daa) on a seeded hashrate scenario, without hashing, and returns a
// record (results.DAASim) with each algorithm's metrics and the series its
// charts draw. It never prints.
//
// # The model
//
// Time runs in ticks of one millisecond; the algorithms get T (the block
// time) in ticks. The first block's target expects one block per T at the
// base hashrate (2^40 hashes/s by default) and the limit is 2^240, far
// easier than any target a run reaches. For each block after the first:
//
//  1. The algorithm sets the target from the blocks before it, through
//     daa.NewStepper: its own stepper when it is daa.Incremental (fed one
//     block at a time), otherwise Next over a daa.Ring of the blocks its
//     window reads. The target is rounded through Bitcoin's compact form
//     (daa.TargetToBits, daa.BitsToTarget), as a chain stores it.
//  2. The scenario gives the hashrate H while the block is mined (by
//     height, so every algorithm meets the same schedule): steady; step
//     (×StepFactor from StepAt to StepBack−1); ramp (base × RampFactor^(h/
//     Blocks) for block h); onoff (the base, plus an attacker of
//     AttackHashrate × base whenever the block's difficulty is below the
//     mean difficulty of the AttackWindow blocks before it — it comes when
//     blocks are cheap and leaves when they are not, as profit-switching
//     pools do; with the attacker on, it finds the block with probability
//     attacker ÷ H).
//  3. The solve time is an exponential draw with mean difficulty ÷ H,
//     difficulty = 2^256/(target+1) expected hashes, rounded to whole
//     ticks; the block's time is the previous block's plus that.
//
// Floating point is used only for the clock and the statistics; every
// target is decided by the algorithm's exact integer code. Each algorithm
// runs in its own goroutine (at most GOMAXPROCS at once) on its own PCG
// stream seeded from Config.Seed and the algorithm's name, so the record
// does not depend on scheduling nor on which other algorithms run.
//
// # Metrics (results.DAAMetrics)
//
// Over the simulated blocks: the mean solve time ÷ T and the sample
// standard deviation ÷ T; delays_pct, the share of solve times above 6 T;
// difficulty_error, the mean of |difficulty ÷ (H·T) − 1|. In onoff:
// attacker_blocks_pct and stolen_pct = (1 − mean difficulty of the
// attacker's blocks ÷ mean difficulty of all blocks) × 100. In step: for
// each step, the blocks from the step to the first of 10 consecutive blocks
// whose difficulty is within ±10% of the new H·T (the run must fit before
// the next step or the end); settle_blocks is the mean of the two, null if
// either step never settled. A running tally computes them in constant
// memory; metricsOf is its slow twin over the whole block list, and the
// tests compare them.
//
// The series are bucket means of difficulty ÷ (H·T) (at most MaxPoints per
// algorithm); close-ups at a finer grain (around each step, from an eighth
// of StepDetail before it to StepDetail after; in onoff the middle
// OnOffDetail blocks one by one, with the attacker's state); the
// attacker's share of each bucket and the runs of buckets where it mined
// at least half the blocks; and a histogram of solve time ÷ T in bins of
// 0.1 up to 20. Chart values keep four decimals.
//
// Config.Windows sets algorithms' windows (DefaultWindows is what the CLI
// passes: powlab's periodic rule, which never retargets with its own
// default, every 144 blocks).
//
// # Errors
//
// Run rejects a configuration with an error wrapping ErrConfig whose
// message names the CLI flag (--blocks, --step-at, …). When ctx is
// cancelled it stops within a few thousand blocks per algorithm and
// returns ctx.Err() with the record of the blocks simulated so far
// (Complete false). An algorithm whose target rounds to zero stops the run
// with an error naming the block.
package daasim
