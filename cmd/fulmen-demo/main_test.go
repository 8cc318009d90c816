package main

import (
	"os"
	"testing"
)

// TestDemoComesUp runs the README's first command end to end (chain, two
// nodes, a connection, a funded channel to CHANNELD_NORMAL) and stops it.
func TestDemoComesUp(t *testing.T) {
	dir, err := os.MkdirTemp("", "fulmen-demo-test-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	if err := run(dir, true); err != nil {
		t.Fatal(err)
	}
}
