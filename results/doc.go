// Package results is powlab's record format: every experiment writes one
// versioned JSON record holding what ran (command, puzzle, kernel, workers),
// where (Env: CPU model and features, cores, OS/arch, Go and powlab versions)
// and what came out. Charts are drawn from records, so a figure can be
// redrawn and compared across machines without rerunning.
//
// Flow: a bench function fills a record type (Bench, …) whose first field is
// the embedded Header; the CLI calls Write to save it under a directory and
// prints it; Read and ReadHeader load it back, checking the schema.
//
// Records: Bench (hashrate sweep), Attempts (attempts vs difficulty: every
// trial and each difficulty's statistics and theory), BlockTime (block
// intervals and difficulty by height), Net, Pool, DAASim (difficulty
// algorithms simulated side by side: each one's metrics, chart series and
// simulation speed).
//
// Charts (plot.go, gonum.org/v1/plot): PlotAttempts, PlotAttemptsSeconds,
// PlotBench and PlotBlockTime each take a record and a path and write a PNG
// or SVG by the path's extension (ErrFigureFormat otherwise), through a
// temporary file. Log axes plot log10 of the data with power-of-ten labels.
// WriteDAASimCharts writes a simulation's difficulty chart (with close-ups
// of a step, or one panel per algorithm in onoff) and its solve-time chart
// next to it (SolveTimesPath).
//
// Errors: Read fails with ErrSchema for a file that is not a powlab record
// or has a newer major version, and wraps I/O and JSON errors with the path.
package results
