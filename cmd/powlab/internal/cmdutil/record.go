package cmdutil

import (
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"github.com/powlab/powlab/results"
)

// RecordFlags are the flags shared by the verbs that run an experiment,
// save its record and draw it (or redraw a saved record with --from).
type RecordFlags struct {
	Out       string // --out/-o: the chart file, .png or .svg
	JSON      bool   // --json: print the record instead of a table
	From      string // --from: a saved record to redraw instead of running
	RecordDir string // --record-dir: where the record is written
	NoSave    bool   // --no-save: do not write the record
}

// RecordFlagOptions say which record flags a verb takes and how its help
// describes them.
type RecordFlagOptions struct {
	// Out is --out's default chart file, e.g. "attempts.png".
	Out string
	// OutNote, if set, ends --out's help after "chart file, .png or .svg; ",
	// e.g. to say where a second chart goes.
	OutNote string
	// From says what --from reads, for its help text: "a saved attempts
	// record".
	From string
	// Instead says what --from replaces, for its help text: "reading a
	// chain". Empty means "running".
	Instead string
	// Kind is the record kind --from must hold (results.KindAttempts, …).
	Kind string
	// RedrawOnly is for the verbs that only redraw a record made elsewhere
	// (chart net, chart pool): --from is required, and --record-dir and
	// --no-save are not bound.
	RedrawOnly bool
	// Maker names what writes the record of a RedrawOnly verb, for --from's
	// help and its error when missing: "powlab pool --record".
	Maker string
}

// AddRecordFlags binds them to fs; o says which to bind and their defaults/help.
// It binds --out/-o, --json and --from, and unless o.RedrawOnly also
// --record-dir (default results.DefaultDir) and --no-save.
func AddRecordFlags(fs *pflag.FlagSet, r *RecordFlags, o RecordFlagOptions) {
	outHelp := "chart file, .png or .svg"
	if o.OutNote != "" {
		outHelp += "; " + o.OutNote
	}
	fs.StringVarP(&r.Out, "out", "o", o.Out, outHelp)
	fs.BoolVar(&r.JSON, "json", false, "print the record as JSON instead of a table")
	if o.RedrawOnly {
		fs.StringVar(&r.From, "from", "", fmt.Sprintf("redraw %s (required; %s writes one)", o.From, o.Maker))
		return
	}
	instead := o.Instead
	if instead == "" {
		instead = "running"
	}
	fs.StringVar(&r.From, "from", "", "redraw "+o.From+" instead of "+instead)
	fs.StringVar(&r.RecordDir, "record-dir", results.DefaultDir, "directory the record is written to")
	fs.BoolVar(&r.NoSave, "no-save", false, "do not write the record")
}

// CheckChartOut checks that --out names a .png or .svg file. The error is
// a usage error naming --out.
func CheckChartOut(path string) error {
	if err := results.CheckFigurePath(path); err != nil {
		return FlagErrorf("--out %v", err)
	}
	return nil
}

// RejectWithFrom returns a usage error naming every flag in experiment that
// was set on fs: --from redraws a saved record, so a flag that would change
// the experiment cannot go with it. A nil fs (options built by a test)
// checks nothing.
func RejectWithFrom(fs *pflag.FlagSet, experiment ...string) error {
	if fs == nil {
		return nil
	}
	var bad []string
	for _, n := range experiment {
		if fs.Changed(n) {
			bad = append(bad, "--"+n)
		}
	}
	if len(bad) > 0 {
		return FlagErrorf("--from redraws a saved record; %s would change the experiment, so it cannot be combined with --from", strings.Join(bad, ", "))
	}
	return nil
}

// Check is the first step of a verb that runs or redraws: --out must be a
// chart file and, with --from, no flag in experiment may be set on fs.
// Errors are usage errors.
func (r *RecordFlags) Check(fs *pflag.FlagSet, experiment ...string) error {
	if err := CheckChartOut(r.Out); err != nil {
		return err
	}
	if r.From != "" {
		return RejectWithFrom(fs, experiment...)
	}
	return nil
}

// ReadFromRecord loads the --from record at path into rec (a pointer to a
// record type), which must be of kind. Errors name --from and the file and
// are runtime errors (exit 1): a missing file, not a powlab record, or a
// record of another kind.
func ReadFromRecord(path, kind string, rec any) error {
	if err := results.Read(path, kind, rec); err != nil {
		return fmt.Errorf("--from %s: %w", path, err)
	}
	return nil
}

// Save writes rec under --record-dir unless --no-save, returning the path
// ("" when not saved).
func (r *RecordFlags) Save(rec results.Headed) (string, error) {
	if r.NoSave {
		return "", nil
	}
	return results.Write(r.RecordDir, rec)
}

// PrintRecord prints rec to io.Out: as JSON with --json, else with render
// (a table).
func PrintRecord[R any](io IO, r RecordFlags, rec *R, render func(IO, *R)) error {
	if r.JSON {
		return PrintJSON(io.Out, rec)
	}
	render(io, rec)
	return nil
}

// ReportWritten tells io.ErrOut where the record (saved: "" when it was
// not written) and the charts went.
func ReportWritten(io IO, saved string, charts ...string) {
	if saved != "" {
		fmt.Fprintf(io.ErrOut, "record written to %s\n", saved)
	}
	switch len(charts) {
	case 0:
	case 1:
		fmt.Fprintf(io.ErrOut, "chart written to %s\n", charts[0])
	default:
		fmt.Fprintf(io.ErrOut, "charts written to %s and %s\n", strings.Join(charts[:len(charts)-1], ", "), charts[len(charts)-1])
	}
}

// ShowRecord is the last step of a verb with one chart: print rec (see
// PrintRecord), draw it to --out with draw, then report where the record
// (saved, "" if not written) and the chart went.
func ShowRecord[R any](io IO, r RecordFlags, rec *R, saved string, render func(IO, *R), draw func(*R, string) error) error {
	if err := PrintRecord(io, r, rec, render); err != nil {
		return err
	}
	if err := draw(rec, r.Out); err != nil {
		return err
	}
	ReportWritten(io, saved, r.Out)
	return nil
}

// Redraw is the whole flow of a verb that only redraws (o.RedrawOnly):
// --from is required, --out checked, the record (of kind o.Kind) read into
// rec, printed and drawn.
func Redraw[R any](io IO, r RecordFlags, o RecordFlagOptions, rec *R, render func(IO, *R), draw func(*R, string) error) error {
	if r.From == "" {
		return FlagErrorf("--from: give a record written by %s", o.Maker)
	}
	if err := CheckChartOut(r.Out); err != nil {
		return err
	}
	if err := ReadFromRecord(r.From, o.Kind, rec); err != nil {
		return err
	}
	return ShowRecord(io, r, rec, "", render, draw)
}
