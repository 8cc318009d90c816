package main

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// errTimeout: a condition did not come true in time.
var errTimeout = errors.New("lnbench: timed out")

// waitUntil calls check every interval until it reports true, returns an
// error that is not retryable, or timeout passes. check's last error is
// kept for the timeout message.
func waitUntil(ctx context.Context, timeout, interval time.Duration, what string, check func() (bool, error)) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var last error
	for {
		ok, err := check()
		if ok {
			return nil
		}
		if err != nil {
			last = err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w after %s waiting for %s (last error: %v)", errTimeout, timeout, what, last)
		case <-time.After(interval):
		}
	}
}
