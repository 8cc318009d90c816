package regtest

import (
	"context"
	"testing"
	"time"
)

// StartTimeout bounds Start: the first install of btcd takes about a
// minute, starting and mining the setup blocks a few seconds.
const StartTimeout = 5 * time.Minute

// Start is New for tests: it fails the test on error, and stops btcd when
// the test ends, printing the end of btcd's log if the test failed.
func Start(t testing.TB) *Harness {
	t.Helper()
	return StartWithOptions(t, Options{})
}

// StartWithOptions is Start with options.
func StartWithOptions(t testing.TB, opts Options) *Harness {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), StartTimeout)
	defer cancel()
	h, err := New(ctx, opts)
	if err != nil {
		t.Fatalf("regtest: %v", err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("regtest: end of btcd's log (%s):\n%s", h.LogPath(), h.proc.logTail(30))
		}
		if err := h.Close(); err != nil {
			t.Errorf("regtest: closing: %v", err)
		}
	})
	return h
}
