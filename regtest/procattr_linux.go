package regtest

import "syscall"

// childProcAttr makes the kernel kill btcd when the process that started
// it dies without calling Close (a test binary killed on timeout), so no
// btcd outlives its harness.
func childProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
