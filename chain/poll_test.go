package chain

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// recorder is an EventHandler that keeps what it was handed.
type recorder struct {
	mu     sync.Mutex
	chain  *fakeChain
	lock   *sync.Mutex // when set, held while reading chain labels
	events []string
	fail   error
}

func (r *recorder) handle(_ context.Context, events []Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		return r.fail
	}
	if r.lock != nil {
		r.lock.Lock()
		defer r.lock.Unlock()
	}
	r.events = append(r.events, r.chain.render(events))
	return nil
}

func (r *recorder) take() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	got := strings.Join(r.events, " | ")
	r.events = nil
	return got
}

func TestPoll(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex // guards chain between the test and Poll
		chain := newFakeChain()
		locked := &lockedSource{mu: &mu, chain: chain}
		chain.run(t, "mine a 3")
		follower, err := NewFollower(FollowerConfig{StartHeight: 1, MaxConnect: 2})
		if err != nil {
			t.Fatal(err)
		}
		rec := &recorder{chain: chain, lock: &mu}
		var logs bytes.Buffer
		wake := make(chan struct{})
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() {
			done <- Poll(ctx, PollConfig{
				Source: locked, Follower: follower, Handle: rec.handle,
				Interval: 10 * time.Second, Wake: wake,
				Logger: slog.New(slog.NewTextHandler(&logs, nil)),
			})
		}()
		synctest.Wait()
		// One catch-up at start, in batches of MaxConnect.
		if got, want := rec.take(), "+1:a1 +2:a2 | +3:a3"; got != want {
			t.Fatalf("at start: %q, want %q", got, want)
		}

		mu.Lock()
		chain.run(t, "rewind 1; mine b 2")
		mu.Unlock()
		time.Sleep(9 * time.Second)
		synctest.Wait()
		if got := rec.take(); got != "" {
			t.Fatalf("before the interval: %q", got)
		}
		time.Sleep(time.Second)
		synctest.Wait()
		if got, want := rec.take(), "-3:a3 +3:b3 +4:b4"; got != want {
			t.Fatalf("after the interval: %q, want %q", got, want)
		}

		// A wake-up syncs at once.
		mu.Lock()
		chain.run(t, "mine b 1")
		mu.Unlock()
		wake <- struct{}{}
		synctest.Wait()
		if got, want := rec.take(), "+5:b5"; got != want {
			t.Fatalf("after wake-up: %q, want %q", got, want)
		}

		// A backend error is logged and retried at the next interval.
		mu.Lock()
		chain.run(t, "mine b 1")
		chain.calls, chain.failAt = 0, 1
		mu.Unlock()
		time.Sleep(10 * time.Second)
		synctest.Wait()
		if got := rec.take(); got != "" {
			t.Fatalf("while the backend fails: %q", got)
		}
		if !strings.Contains(logs.String(), errBackend.Error()) {
			t.Fatalf("backend error not logged: %q", logs.String())
		}
		time.Sleep(10 * time.Second)
		synctest.Wait()
		if got, want := rec.take(), "+6:b6"; got != want {
			t.Fatalf("after the backend recovered: %q, want %q", got, want)
		}

		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatalf("Poll returned %v, want context.Canceled", err)
		}
	})
}

func TestPollStopsOnHandlerError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		chain := newFakeChain()
		chain.run(t, "mine a 2")
		follower, err := NewFollower(FollowerConfig{StartHeight: 1})
		if err != nil {
			t.Fatal(err)
		}
		errDisk := errors.New("disk full")
		rec := &recorder{chain: chain, fail: errDisk}
		err = Poll(t.Context(), PollConfig{Source: chain, Follower: follower, Handle: rec.handle})
		if !errors.Is(err, ErrHandler) || !errors.Is(err, errDisk) {
			t.Fatalf("Poll returned %v, want ErrHandler wrapping the handler's error", err)
		}
	})
}

func TestPollConfigValidate(t *testing.T) {
	chain := newFakeChain()
	follower, err := NewFollower(FollowerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	handle := func(context.Context, []Event) error { return nil }
	tests := []struct {
		name    string
		cfg     PollConfig
		wantErr error
	}{
		{"complete", PollConfig{Source: chain, Follower: follower, Handle: handle}, nil},
		{"no source", PollConfig{Follower: follower, Handle: handle}, ErrBadPollConfig},
		{"no follower", PollConfig{Source: chain, Handle: handle}, ErrBadPollConfig},
		{"no handler", PollConfig{Source: chain, Follower: follower}, ErrBadPollConfig},
		{"negative interval", PollConfig{Source: chain, Follower: follower, Handle: handle, Interval: -1}, ErrBadPollConfig},
	}
	for _, tt := range tests {
		if err := tt.cfg.Validate(); !errors.Is(err, tt.wantErr) {
			t.Errorf("%s: Validate() = %v, want %v", tt.name, err, tt.wantErr)
		}
	}
	if err := Poll(context.Background(), PollConfig{}); !errors.Is(err, ErrBadPollConfig) {
		t.Errorf("Poll with an empty config = %v, want ErrBadPollConfig", err)
	}
}

func TestCatchUpBlockCountError(t *testing.T) {
	chain := newFakeChain()
	chain.failAt = 1
	follower, err := NewFollower(FollowerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	err = CatchUp(context.Background(), chain, follower, func(context.Context, []Event) error {
		t.Fatal("handler called without events")
		return nil
	})
	if !errors.Is(err, errBackend) {
		t.Fatalf("CatchUp = %v, want the backend's error", err)
	}
}
