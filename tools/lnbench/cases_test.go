package main

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fulmen-ln/fulmen/lnwire"
)

// fakeLine pays instantly (after delay) with preimages it made, and fails
// on request. Its three "nodes" are this test process.
type fakeLine struct {
	delay     time.Duration
	failAt    int64 // the failAt-th Pay call fails (0: never)
	failWith  error
	wrongAt   int64 // the wrongAt-th Pay call returns a wrong preimage
	calls     atomic.Int64
	inFlight  atomic.Int64
	maxFlight atomic.Int64
	mu        sync.Mutex
	preimages map[[32]byte][32]byte
}

func (f *fakeLine) Impl() string          { return "fake" }
func (f *fakeLine) ChannelType() string   { return "test" }
func (f *fakeLine) PIDs() [3]int          { p := os.Getpid(); return [3]int{p, p, p} }
func (f *fakeLine) Method(int) string     { return "fake pay" }
func (f *fakeLine) Close(context.Context) {}
func (f *fakeLine) RestartPayer(context.Context) (restartTiming, error) {
	return restartTiming{RPCUp: time.Millisecond, Active: 2 * time.Millisecond}, nil
}

func (f *fakeLine) Invoices(_ context.Context, _, count int, amount lnwire.MilliSatoshi) ([]invoice, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.preimages == nil {
		f.preimages = map[[32]byte][32]byte{}
	}
	out := make([]invoice, count)
	for i := range out {
		var pre [32]byte
		copy(pre[:], fmt.Sprintf("preimage %d", len(f.preimages)))
		hash := sha256.Sum256(pre[:])
		f.preimages[hash] = pre
		out[i] = invoice{Bolt11: "lnbcrt-fake", Hash: hash, Amount: amount}
	}
	return out, nil
}

func (f *fakeLine) Pay(ctx context.Context, _ int, inv invoice) (paid, error) {
	n := f.calls.Add(1)
	flight := f.inFlight.Add(1)
	defer f.inFlight.Add(-1)
	for {
		top := f.maxFlight.Load()
		if flight <= top || f.maxFlight.CompareAndSwap(top, flight) {
			break
		}
	}
	select {
	case <-time.After(f.delay):
	case <-ctx.Done():
		return paid{}, ctx.Err()
	}
	if n == f.failAt {
		return paid{}, f.failWith
	}
	f.mu.Lock()
	pre := f.preimages[inv.Hash]
	f.mu.Unlock()
	if n == f.wrongAt {
		pre[0] ^= 1
	}
	return paid{Preimage: pre, Done: time.Now()}, nil
}

func testRunner(warmup int) caseRunner {
	cfg := DefaultConfig()
	cfg.Warmup, cfg.Settle, cfg.WarmupRetry = warmup, 0, 0
	return caseRunner{cfg: cfg, cpu: cpuReader{hz: clockTicks()}}
}

func TestCaseRunner(t *testing.T) {
	boom := errors.New("channel closed")
	for _, tc := range []struct {
		name            string
		line            *fakeLine
		spec            caseSpec
		warmup          int
		wantFailed      string
		wantUnsupported string
	}{
		{name: "sequential", line: &fakeLine{delay: 2 * time.Millisecond}, spec: caseSpec{Hops: 1, Payers: 1, N: 20}, warmup: 2},
		{name: "concurrent", line: &fakeLine{delay: 5 * time.Millisecond}, spec: caseSpec{Hops: 1, Payers: 8, N: 64}, warmup: 1},
		{name: "more payers than payments", line: &fakeLine{}, spec: caseSpec{Hops: 1, Payers: 16, N: 3}},
		{name: "warm-up not supported", line: &fakeLine{failAt: 1, failWith: fmt.Errorf("%w: no forwarding", errNotSupported)},
			spec: caseSpec{Hops: 2, Payers: 1, N: 5}, warmup: 1, wantUnsupported: "no forwarding"},
		{name: "not supported without warm-up", line: &fakeLine{failAt: 1, failWith: errNotSupported},
			spec: caseSpec{Hops: 2, Payers: 1, N: 5}, wantUnsupported: "not supported yet"},
		{name: "warm-up fails", line: &fakeLine{failAt: 1, failWith: boom}, spec: caseSpec{Hops: 1, Payers: 1, N: 5},
			warmup: 1, wantFailed: "warm-up payment: channel closed"},
		{name: "measured payment fails", line: &fakeLine{failAt: 4, failWith: boom}, spec: caseSpec{Hops: 1, Payers: 2, N: 10},
			warmup: 1, wantFailed: "channel closed"},
		{name: "wrong preimage", line: &fakeLine{wrongAt: 3}, spec: caseSpec{Hops: 1, Payers: 1, N: 5},
			warmup: 1, wantFailed: errWrongPreimage.Error()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := testRunner(tc.warmup).run(context.Background(), tc.line, tc.spec)
			switch {
			case tc.wantFailed != "" || tc.wantUnsupported != "":
				if !strings.Contains(res.Failed, tc.wantFailed) || !strings.Contains(res.Unsupported, tc.wantUnsupported) ||
					(tc.wantFailed == "") != (res.Failed == "") || (tc.wantUnsupported == "") != (res.Unsupported == "") {
					t.Fatalf("failed %q, unsupported %q; want %q, %q", res.Failed, res.Unsupported, tc.wantFailed, tc.wantUnsupported)
				}
				if res.Summary.N != 0 {
					t.Fatalf("a case without figures has a summary %+v", res.Summary)
				}
				return
			case res.Failed != "" || res.Unsupported != "":
				t.Fatalf("failed %q, unsupported %q", res.Failed, res.Unsupported)
			}
			s := res.Summary
			if s.N != tc.spec.N || s.Median < tc.line.delay || s.Median > s.P90 || s.P90 > s.P99 || s.PerSecond <= 0 {
				t.Fatalf("summary %+v", s)
			}
			if got := tc.line.calls.Load(); got != int64(tc.warmup+tc.spec.N) {
				t.Fatalf("%d payments, want %d", got, tc.warmup+tc.spec.N)
			}
			if top := tc.line.maxFlight.Load(); top > int64(tc.spec.Payers) || (tc.spec.Payers == 8 && top < 2) {
				t.Fatalf("%d payments in flight at once with %d payers", top, tc.spec.Payers)
			}
			// Sequential payments of d each cannot beat 1/d per second.
			if tc.spec.Payers == 1 && tc.line.delay > 0 && s.PerSecond > float64(time.Second/tc.line.delay) {
				t.Fatalf("%v payments/s with %v per payment", s.PerSecond, tc.line.delay)
			}
			for _, c := range res.CPU {
				if c < 0 {
					t.Fatalf("negative CPU %v", res.CPU)
				}
			}
			if res.Method != "fake pay" {
				t.Fatalf("method %q", res.Method)
			}
		})
	}
}
