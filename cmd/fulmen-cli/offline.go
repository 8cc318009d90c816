package main

import "io"

// runOffline handles the methods that need no daemon. It reports whether
// it handled the method, and the exit code.
func runOffline(method string, params []string, opts options, stdout, stderr io.Writer) (bool, int) {
	return false, 0
}
