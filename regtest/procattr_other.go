//go:build !linux

package regtest

import "syscall"

// childProcAttr: outside Linux there is no parent-death signal; Close
// stops btcd.
func childProcAttr() *syscall.SysProcAttr { return nil }
