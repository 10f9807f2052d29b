//go:build race

package daasim

// raceEnabled shrinks the long runs under the race detector, which slows
// the simulator about tenfold.
const raceEnabled = true
