package chain

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// EventHandler applies a batch of events, in order. It must persist their
// effects (and the follower's Processed blocks) before returning nil; an
// error stops Poll, and the caller restarts from what was persisted.
type EventHandler func(ctx context.Context, events []Event) error

// ErrHandler wraps an error returned by an EventHandler, so that callers
// can tell it from a backend error.
var ErrHandler = errors.New("chain: event handler failed")

// CatchUp runs the follower against src until it has processed the tip
// that src reported at the start, handing each batch of events to handle.
// It returns the first backend or handler error (the latter wrapping
// ErrHandler); events produced before a backend error are still handed to
// handle.
func CatchUp(ctx context.Context, src BlockSource, f *Follower, handle EventHandler) error {
	tipHeight, err := src.BlockCount(ctx)
	if err != nil {
		return fmt.Errorf("chain: block count: %w", err)
	}
	for {
		events, syncErr := f.Sync(ctx, src, tipHeight)
		if len(events) > 0 {
			if err := handle(ctx, events); err != nil {
				return fmt.Errorf("%w: %w", ErrHandler, err)
			}
		}
		if syncErr != nil {
			return syncErr
		}
		tip, ok := f.Tip()
		if len(events) == 0 || !ok || tip.Height >= tipHeight {
			return nil
		}
	}
}

// DefaultPollInterval is how often Poll asks the backend for its tip when
// PollConfig.Interval is zero.
const DefaultPollInterval = 5 * time.Second

// PollConfig configures Poll.
type PollConfig struct {
	Source   BlockSource
	Follower *Follower
	Handle   EventHandler
	// Interval between two catch-ups; DefaultPollInterval when zero.
	Interval time.Duration
	// Wake, when not nil, triggers a catch-up at once when it receives
	// (tests send on it after mining; a ZMQ or websocket notification
	// could too).
	Wake <-chan struct{}
	// Logger receives backend errors, which Poll retries; slog.Default()
	// when nil.
	Logger *slog.Logger
}

// ErrBadPollConfig: a PollConfig lacks its source, follower or handler.
var ErrBadPollConfig = errors.New("chain: bad poll config")

// Validate checks the config.
func (c PollConfig) Validate() error {
	if c.Source == nil || c.Follower == nil || c.Handle == nil {
		return fmt.Errorf("%w: Source, Follower and Handle are required", ErrBadPollConfig)
	}
	if c.Interval < 0 {
		return fmt.Errorf("%w: negative interval", ErrBadPollConfig)
	}
	return nil
}

// Poll catches up at once, then at every interval (or wake-up), until ctx
// is done or the handler fails. Backend errors (an unreachable backend, a
// reorganisation too deep) are logged and retried at the next interval.
// It returns ctx's error, or the handler's error wrapped in ErrHandler.
func Poll(ctx context.Context, cfg PollConfig) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	interval := cfg.Interval
	if interval == 0 {
		interval = DefaultPollInterval
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		err := CatchUp(ctx, cfg.Source, cfg.Follower, cfg.Handle)
		if errors.Is(err, ErrHandler) {
			return err
		}
		if err != nil && ctx.Err() == nil {
			log.Warn("chain: catching up with the backend failed; will retry", "err", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ticker.C:
		case <-cfg.Wake:
		}
	}
}
