package results

// Attempts is the record of `powlab chart attempts`: for each difficulty,
// independent trials of the tutorial's puzzle, each on a fresh last proof,
// counting the attempts to the first solution, with their statistics and
// the geometric law's predictions.
type Attempts struct {
	Header
	// Puzzle describes what each trial hashes.
	Puzzle string `json:"puzzle"`
	// Scale is "prefix" (difficulty k: the hex digest starts with k zeros,
	// p = 16^-k) or "bits" (k leading zero bits, p = 2^-k).
	Scale string `json:"scale"`
	// Seed drives the random last proofs; the same seed gives the same
	// puzzles, hence the same attempt counts, on any machine.
	Seed                uint64 `json:"seed"`
	TrialsPerDifficulty int    `json:"trials_per_difficulty"`
	Kernel              string `json:"kernel"`
	Workers             int    `json:"workers"`
	// Confidence is the level of the confidence intervals (0.95).
	Confidence float64 `json:"confidence"`
	// PercentileMethod names the percentile definition used.
	PercentileMethod string `json:"percentile_method"`
	// AttemptsPerSec is hashed attempts / seconds over every trial.
	AttemptsPerSec float64 `json:"attempts_per_sec"`
	// Complete is false when the run was interrupted; Points then hold
	// the trials that finished.
	Complete bool            `json:"complete"`
	Points   []AttemptsPoint `json:"points"`
}

// AttemptsPoint is one difficulty: its trials and their statistics. Attempt
// counts are those of the tutorial's sequential loop (the solving nonce
// index + 1), the geometric variable the theory describes; Hashed is what
// the parallel search actually hashed, a little more.
type AttemptsPoint struct {
	Difficulty  int     `json:"difficulty"`
	Target      string  `json:"target"`
	Probability float64 `json:"probability"`
	Trials      int     `json:"trials"`

	MeanAttempts   float64 `json:"mean_attempts"`
	SDAttempts     float64 `json:"sd_attempts"`
	MedianAttempts float64 `json:"median_attempts"`
	P5Attempts     float64 `json:"p5_attempts"`
	P95Attempts    float64 `json:"p95_attempts"`
	// CILow and CIHigh bound the mean at the record's Confidence (Student t).
	CILow  float64 `json:"ci_low"`
	CIHigh float64 `json:"ci_high"`

	// ExpectedAttempts is the geometric mean 1/p.
	ExpectedAttempts float64 `json:"expected_attempts"`
	TheorySD         float64 `json:"theory_sd"`
	// TheoryMeanLow/High is where the mean of Trials draws falls with the
	// record's Confidence if the theory holds (normal approximation).
	TheoryMeanLow  float64 `json:"theory_mean_low"`
	TheoryMeanHigh float64 `json:"theory_mean_high"`
	// TheoryMedian is ln2/p; TheoryMedianExact is ⌈ln(1/2)/ln(1-p)⌉.
	TheoryMedian      float64 `json:"theory_median"`
	TheoryMedianExact float64 `json:"theory_median_exact"`
	// Ratio is MeanAttempts / ExpectedAttempts.
	Ratio float64 `json:"ratio"`

	// KSD is the Kolmogorov–Smirnov statistic of the attempts against the
	// geometric law, KSPValue its p-value (asymptotic, Stephens-corrected;
	// conservative for a discrete law) and KSCritical the D above which the
	// test rejects at 5%.
	KSD        float64 `json:"ks_d"`
	KSPValue   float64 `json:"ks_p_value"`
	KSCritical float64 `json:"ks_critical_05"`

	MeanSeconds    float64 `json:"mean_seconds"`
	HashedTotal    uint64  `json:"hashed_total"`
	SecondsTotal   float64 `json:"seconds_total"`
	AttemptsPerSec float64 `json:"attempts_per_sec"`
	// ProjectedSeconds is ExpectedAttempts at the record's AttemptsPerSec.
	ProjectedSeconds float64 `json:"projected_seconds"`

	Samples []AttemptsSample `json:"samples"`
}

// AttemptsSample is one trial.
type AttemptsSample struct {
	LastProof uint64  `json:"last_proof"`
	Nonce     uint64  `json:"nonce"`
	Attempts  uint64  `json:"attempts"`
	Hashed    uint64  `json:"hashed"`
	Seconds   float64 `json:"seconds"`
}
