//go:build !race

package daasim

const raceEnabled = false
