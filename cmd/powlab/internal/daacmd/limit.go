package daacmd

import "github.com/holiman/uint256"

// maxLimit is 2^256-1: list builds each algorithm with it only to read
// the defaults.
func maxLimit() *uint256.Int { return new(uint256.Int).SetAllOne() }
