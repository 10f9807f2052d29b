// Package cmdtest helps the verbs' tests check flag parsing: it runs a
// command on argv with a run function that only captures the options.
package cmdtest

import (
	"bytes"
	"context"
	"strings"

	"github.com/spf13/cobra"

	"github.com/powlab/powlab/cmd/powlab/internal/cmdutil"
)

// Options parses argv with the command newCmd builds and returns the options
// its run function would have been called with (nil if parsing failed).
func Options[T any](newCmd func(cmdutil.IO, func(context.Context, *T) error) *cobra.Command, argv []string) (*T, error) {
	var got *T
	io := cmdutil.IO{In: strings.NewReader(""), Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}}
	cmd := newCmd(io, func(_ context.Context, o *T) error {
		got = o
		return nil
	})
	cmd.SetArgs(argv)
	cmd.SetOut(io.Out)
	cmd.SetErr(io.ErrOut)
	err := cmd.Execute()
	return got, err
}
