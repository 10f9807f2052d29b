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
// Errors: Read fails with ErrSchema for a file that is not a powlab record
// or has a newer major version, and wraps I/O and JSON errors with the path.
package results
