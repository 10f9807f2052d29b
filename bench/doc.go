// Package bench runs powlab's experiments and returns their records (package
// results). It never prints: progress goes to callbacks, and the CLI renders.
//
// Hashrate sweeps every chosen kernel × worker count on one puzzle for a fixed
// duration each, after a known-answer self-test of every kernel; a kernel
// that fails its self-test fails the sweep.
//
// Errors: a self-test failure (wrapping the kernel's name), a bad puzzle or
// target from package miner, and ctx.Err() when cancelled (with the record
// of the configurations already finished).
package bench
