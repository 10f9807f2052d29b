package results

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Schema names the record format; the number after "/v" is its major
// version and changes only when old readers could misread a new record.
const Schema = "powlab.record/v1"

// Record kinds.
const (
	KindBench      = "bench"
	KindAttempts   = "attempts"
	KindBlockTime  = "blocktime"
	KindNet        = "net"
	KindPool       = "pool"
	KindStale      = "stale"
	KindSelfish    = "selfish"
	KindDAASim     = "daasim"
	KindDAACompare = "daacompare"
)

// ErrSchema is returned by Read for a file that is not a record this version
// of powlab can read.
var ErrSchema = errors.New("not a powlab record")

// Header starts every record.
type Header struct {
	Schema  string    `json:"schema"`
	Kind    string    `json:"kind"`
	Created time.Time `json:"created"`
	// Command is the command line that produced the record.
	Command []string `json:"command,omitempty"`
	Env     Env      `json:"env"`
}

// NewHeader fills a header for a record of the given kind made now.
func NewHeader(kind string, command []string) Header {
	return Header{Schema: Schema, Kind: kind, Created: time.Now().UTC(), Command: command, Env: CaptureEnv()}
}

// Head gives access to a record's header (every record type embeds Header).
func (h *Header) Head() *Header { return h }

// Headed is any record type.
type Headed interface{ Head() *Header }

// DefaultDir is where records go when no --out is given.
const DefaultDir = "results-out"

// Write saves rec as indented JSON in dir (created if needed) under a name
// made of its kind and creation time, and returns the path.
func Write(dir string, rec Headed) (string, error) {
	h := rec.Head()
	if h.Created.IsZero() {
		h.Created = time.Now().UTC()
	}
	name := fmt.Sprintf("%s-%s.json", h.Kind, h.Created.Format("20060102T150405.000Z"))
	name = strings.ReplaceAll(name, ".000Z", "Z")
	path := filepath.Join(dir, name)
	return path, WriteFile(path, rec)
}

// WriteFile saves rec as indented JSON at path (atomically), for records
// whose file the user names.
func WriteFile(path string, rec Headed) error {
	h := rec.Head()
	if h.Schema == "" {
		h.Schema = Schema
	}
	if h.Created.IsZero() {
		h.Created = time.Now().UTC()
	}
	b, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return fmt.Errorf("write record: %w", err)
	}
	err = writeAtomic(path, func(w io.Writer) error {
		_, err := w.Write(append(b, '\n'))
		return err
	})
	if err != nil {
		return fmt.Errorf("write record %s: %w", path, err)
	}
	return nil
}

// maxRecordBytes bounds what Read loads; records are small (kilobytes to a
// few megabytes for long trial lists).
const maxRecordBytes = 256 << 20

// ReadHeader loads only the header of the record at path.
func ReadHeader(path string) (Header, error) {
	var h Header
	err := Read(path, "", &h)
	return h, err
}

// Read loads the record at path into rec (a pointer to a record type). If
// kind is not empty the record must be of that kind.
func Read(path, kind string, rec any) error {
	st, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("read record: %w", err)
	}
	if st.Size() > maxRecordBytes {
		return fmt.Errorf("read record %s: %w: %d bytes is too large", path, ErrSchema, st.Size())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read record: %w", err)
	}
	var h Header
	if err := json.Unmarshal(b, &h); err != nil {
		return fmt.Errorf("read record %s: %w: %v", path, ErrSchema, err)
	}
	if !strings.HasPrefix(h.Schema, "powlab.record/") {
		return fmt.Errorf("read record %s: %w (schema %q)", path, ErrSchema, h.Schema)
	}
	if h.Schema != Schema {
		return fmt.Errorf("read record %s: %w: schema %s, this powlab reads %s", path, ErrSchema, h.Schema, Schema)
	}
	if kind != "" && h.Kind != kind {
		return fmt.Errorf("read record %s: it is a %q record, want %q", path, h.Kind, kind)
	}
	if err := json.Unmarshal(b, rec); err != nil {
		return fmt.Errorf("read record %s: %w", path, err)
	}
	return nil
}
