package node

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/btcsuite/btcd/wire"

	"github.com/fulmen-ln/fulmen/channel"
	"github.com/fulmen-ln/fulmen/lnwire"
)

// CloseRequest is Core Lightning's close: a mutual close of one channel.
type CloseRequest struct {
	Channel ChannelRef
	// Destination is where our funds go; empty means a fresh address of
	// our wallet.
	Destination []byte
	// Timeout bounds the wait for the mutual close (Core Lightning's
	// unilateraltimeout); DefaultUnilateralTimeout when zero.
	Timeout time.Duration
}

// CloseResult is the mutual close transaction, broadcast.
type CloseResult struct {
	ChannelID lnwire.ChannelID
	Tx        *wire.MsgTx
	// Fee is the closing fee both sides signed.
	Fee lnwire.Satoshi
}

// CloseChannel starts a mutual close (shutdown, then the closing_signed
// negotiation) and waits until the closing transaction is signed by both
// and broadcast. A channel already closing is waited for. When the peer is
// away the shutdown goes out after channel_reestablish.
//
// A unilateral close after the timeout is not implemented: the call then
// fails with ErrCloseTimeout and the channel stays as it is.
func (rt *Channels) CloseChannel(ctx context.Context, req CloseRequest) (CloseResult, error) {
	w, err := rt.find(req.Channel)
	if err != nil {
		return CloseResult{}, err
	}
	if req.Timeout == 0 {
		req.Timeout = DefaultUnilateralTimeout
	}
	script := req.Destination
	v := w.snapshot()
	if script == nil && v.State.Shutdown.LocalScript == nil && len(v.State.Local.UpfrontShutdownScript) == 0 {
		if script, err = rt.walletScript(ctx); err != nil {
			return CloseResult{}, err
		}
	}
	err = w.do(ctx, func() error {
		if w.halted != nil {
			return w.halted
		}
		switch w.state.Phase {
		case channel.Closed:
			return nil
		case channel.Failed:
			return fmt.Errorf("%w: %s", ErrChannelClosed, w.state.Failure)
		}
		if w.state.Shutdown.LocalScript != nil {
			return nil // already closing: wait for it
		}
		return w.step(ctx, channel.Shutdown{Script: script})
	})
	if err != nil {
		return CloseResult{}, err
	}
	waitCtx, cancel := context.WithTimeout(ctx, req.Timeout)
	defer cancel()
	v, err = w.waitFor(waitCtx, func(v *View) bool {
		return v.Halted != nil || v.State.Phase == channel.Failed || (v.State.Phase == channel.Closed && v.ClosingTx != nil)
	})
	switch {
	case errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil:
		return CloseResult{}, fmt.Errorf("%w after %s (channel %s)", ErrCloseTimeout, req.Timeout, v.State.Phase)
	case err != nil:
		return CloseResult{}, err
	case v.Halted != nil:
		return CloseResult{}, v.Halted
	case v.State.Phase == channel.Failed:
		return CloseResult{}, fmt.Errorf("%w: %s", ErrChannelClosed, v.State.Failure)
	}
	return CloseResult{ChannelID: v.State.ChannelID, Tx: v.ClosingTx, Fee: v.State.Closing.FinalFee}, nil
}
