package daemon

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/fulmen-ln/fulmen/lnwire"
)

// chainBackend is what the daemon needs of the chain so far.
type chainBackend interface {
	// BlockCount returns the height of the backend's best block.
	BlockCount(ctx context.Context) (lnwire.BlockHeight, error)
	// Network returns the backend's network in Core Lightning's naming.
	Network(ctx context.Context) (string, error)
}

// waitForBackend waits (up to BackendRetryTimeout) until the backend
// answers, then checks it is on our network.
func (d *Daemon) waitForBackend(ctx context.Context) (uint32, error) {
	host := d.cfg.Bitcoin.Host
	deadline := time.Now().Add(d.cfg.BackendRetryTimeout)
	for attempt := 0; ; attempt++ {
		network, err := d.chain.Network(ctx)
		if err == nil {
			if network != string(d.cfg.Network) {
				return 0, fmt.Errorf("%w at %s is on network %q, but fulmend is configured for %q",
					errBackend, host, network, d.cfg.Network)
			}
			height, err := d.chain.BlockCount(ctx)
			if err == nil {
				return uint32(height), nil
			}
		}
		if isPermanentBackendError(err) {
			return 0, fmt.Errorf("%w at %s: %v", errBackend, host, err)
		}
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("%w at %s unreachable after %s: %v", errBackend, host,
				d.cfg.BackendRetryTimeout, err)
		}
		if attempt%10 == 0 {
			d.log.Warn("waiting for bitcoin backend", "host", host, "err", err)
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// followTip keeps the block height current.
func (d *Daemon) followTip(ctx context.Context) {
	ticker := time.NewTicker(d.cfg.TipPollInterval)
	defer ticker.Stop()
	failing := false
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
		height, err := d.chain.BlockCount(ctx)
		if err != nil {
			if !failing && !errors.Is(err, context.Canceled) {
				d.log.Warn("bitcoin backend unreachable", "host", d.cfg.Bitcoin.Host, "err", err)
			}
			failing = true
			continue
		}
		if failing {
			d.log.Info("bitcoin backend reachable again", "host", d.cfg.Bitcoin.Host)
			failing = false
		}
		if old := d.tipHeight.Swap(uint32(height)); old != uint32(height) {
			d.log.Debug("new chain tip", "height", height)
			d.wakeChannels()
		}
	}
}

// wakeChannels tells the channel runtime the tip moved, without waiting.
func (d *Daemon) wakeChannels() {
	select {
	case d.channelsWake <- struct{}{}:
	default:
	}
}
