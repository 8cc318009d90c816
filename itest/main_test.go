package itest

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/fulmen-ln/fulmen/devnet"
)

// TestMain builds fulmend once for all tests into a directory it removes
// afterwards.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "fulmen-itest-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if _, err := devnet.Build(context.Background(), dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
