package cmdutil

import (
	"fmt"
	"io"
	"os"
	"sync"
)

// Status writes a one-line, self-overwriting status to a terminal. On a
// pipe or file it writes nothing, so logs and captured output stay clean.
type Status struct {
	mu   sync.Mutex
	w    io.Writer
	tty  bool
	last int
}

// NewStatus returns a status line on w (usually IO.ErrOut).
func NewStatus(w io.Writer) *Status {
	return &Status{w: w, tty: IsTerminal(w)}
}

// IsTerminal reports whether w is a character device.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// Set replaces the status line.
func (s *Status) Set(format string, args ...any) {
	if s == nil || !s.tty {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	line := fmt.Sprintf(format, args...)
	pad := s.last - len(line)
	if pad < 0 {
		pad = 0
	}
	fmt.Fprintf(s.w, "\r%s%*s", line, pad, "")
	s.last = len(line)
}

// Clear erases the status line.
func (s *Status) Clear() {
	if s == nil || !s.tty {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.last > 0 {
		fmt.Fprintf(s.w, "\r%*s\r", s.last, "")
		s.last = 0
	}
}
