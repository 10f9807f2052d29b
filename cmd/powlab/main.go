// Command powlab is a parallel proof-of-work mining benchmark and difficulty
// lab. Run `powlab --help` for the verbs.
package main

import (
	"os"

	"github.com/powlab/powlab/cmd/powlab/internal/root"
)

func main() { os.Exit(root.Main()) }
