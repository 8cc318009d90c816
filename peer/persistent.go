package peer

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"
)

// persistentPeer is a node we keep connected to.
type persistentPeer struct {
	id      *btcec.PublicKey
	address string // guarded by Manager.mu
	stop    context.CancelFunc
}

// SetPersistent marks id as a peer to keep connected (at address, "host:
// port" or a Unix socket path), or stops doing so. A persistent peer that is
// not connected is dialled at once, then again after every disconnection,
// with exponential back-off between failed attempts (ReconnectMin doubling
// up to ReconnectMax, plus up to half again of random jitter so that two
// nodes do not keep dialling each other at the same instant). Marking an
// already persistent peer again only updates its address.
func (m *Manager) SetPersistent(id *btcec.PublicKey, address string, persistent bool) error {
	if id == nil {
		return fmt.Errorf("%w: no node id", ErrBadAddress)
	}
	key := keyOf(id)
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return ErrManagerClosed
	}
	pp := m.persistent[key]
	if !persistent {
		if pp != nil {
			pp.stop()
			delete(m.persistent, key)
		}
		return nil
	}
	if address == "" {
		return fmt.Errorf("%w: empty address", ErrBadAddress)
	}
	if pp != nil {
		pp.address = address
		return nil
	}
	ctx, cancel := context.WithCancel(m.ctx)
	pp = &persistentPeer{id: id, address: address, stop: cancel}
	m.persistent[key] = pp
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		m.keepConnected(ctx, pp)
	}()
	return nil
}

// keepConnected dials pp whenever it is not connected, until ctx ends.
func (m *Manager) keepConnected(ctx context.Context, pp *persistentPeer) {
	var backoff time.Duration // 0: dial at once
	for {
		if p := m.connected(pp.id); p != nil {
			select {
			case <-p.Done():
			case <-ctx.Done():
				return
			}
			backoff = m.cfg.ReconnectMin
			continue
		}
		if backoff > 0 && !sleep(ctx, withJitter(backoff)) {
			return
		}
		if m.connected(pp.id) != nil {
			continue // it connected to us meanwhile
		}
		m.mu.Lock()
		address := pp.address
		m.mu.Unlock()
		_, err := m.Connect(ctx, pp.id, address)
		if err == nil {
			backoff = m.cfg.ReconnectMin
			continue
		}
		if ctx.Err() != nil {
			return
		}
		backoff = nextBackoff(backoff, m.cfg.ReconnectMin, m.cfg.ReconnectMax)
		m.cfg.Logger.Debug("reconnect failed", "address", address, "err", err, "retry_in", backoff)
		m.cfg.Events.HandlePeerEvent(Event{Kind: EventConnectFailed, Info: Info{ID: pp.id}, Err: err, RetryIn: backoff})
	}
}

// nextBackoff doubles the delay within [minDelay, maxDelay].
func nextBackoff(current, minDelay, maxDelay time.Duration) time.Duration {
	next := current * 2
	if current <= 0 || next < minDelay {
		next = minDelay
	}
	if next > maxDelay || next < current { // the second test catches overflow
		next = maxDelay
	}
	return next
}

// withJitter adds up to half of d, at random.
func withJitter(d time.Duration) time.Duration {
	if d < 2 {
		return d
	}
	return d + rand.N(d/2)
}

// sleep waits d; false if ctx ended first.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
