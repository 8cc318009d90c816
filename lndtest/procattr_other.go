//go:build !linux

package lndtest

import "os/exec"

// setProcessGroup is a no-op where process groups are not used.
func setProcessGroup(*exec.Cmd) {}

// terminateGroup ends cmd itself; its children may outlive it.
func terminateGroup(cmd *exec.Cmd) error { return cmd.Process.Kill() }

// dieWithParent is a no-op: only Linux offers a parent-death signal.
func dieWithParent(*exec.Cmd) {}
