//go:build !linux

package netlab

import "os/exec"

// setChildAttrs does nothing here: children share the terminal's process
// group, so Ctrl-C also stops them directly.
func setChildAttrs(*exec.Cmd) {}
