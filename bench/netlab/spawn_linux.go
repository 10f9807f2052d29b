package netlab

import (
	"os/exec"
	"syscall"
)

// setChildAttrs puts a child in its own process group, so a terminal's
// Ctrl-C reaches only powlab net (which then stops the children after its
// report), and has the kernel kill it if powlab net dies first.
func setChildAttrs(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
