package results

// Bench is the record of `powlab bench`: a hashrate sweep over kernels and
// worker counts on one puzzle.
type Bench struct {
	Header
	Algo             string     `json:"algo"` // sha256 or sha256d
	Puzzle           string     `json:"puzzle"`
	Target           string     `json:"target"`
	Probability      float64    `json:"probability"`
	ExpectedAttempts float64    `json:"expected_attempts"`
	DurationSeconds  float64    `json:"duration_seconds"` // per configuration
	Runs             []BenchRun `json:"runs"`
}

// BenchRun is one kernel × workers configuration.
type BenchRun struct {
	Kernel         string  `json:"kernel"`
	Lanes          int     `json:"lanes"`
	Workers        int     `json:"workers"`
	Attempts       uint64  `json:"attempts"`
	Solutions      uint64  `json:"solutions"`
	Seconds        float64 `json:"seconds"`
	AttemptsPerSec float64 `json:"attempts_per_sec"`
	// SpeedupVsStdlib is this run's rate over the stdlib kernel's at one
	// worker in the same sweep (0 when stdlib was not run).
	SpeedupVsStdlib float64 `json:"speedup_vs_stdlib,omitempty"`
	// Efficiency is rate / (workers × this kernel's one-worker rate).
	Efficiency float64 `json:"scaling_efficiency,omitempty"`
	// ExpectedSecondsToSolution is expected attempts / rate.
	ExpectedSecondsToSolution float64 `json:"expected_seconds_to_solution"`
}
