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

// CloseRequest is Core Lightning's close: a mutual close of one channel,
// or a unilateral one when the peer does not negotiate in time.
type CloseRequest struct {
	Channel ChannelRef
	// Destination is where our funds go; empty means a fresh address of
	// our wallet.
	Destination []byte
	// Timeout bounds the wait for the mutual close (Core Lightning's
	// unilateraltimeout): after it our latest commitment is broadcast.
	// Zero waits for the mutual close as long as ctx allows, as Core
	// Lightning does with unilateraltimeout 0.
	Timeout time.Duration
}

// CloseResult is the closing transaction, broadcast.
type CloseResult struct {
	ChannelID lnwire.ChannelID
	Tx        *wire.MsgTx
	// Unilateral is set when Tx is our commitment transaction rather than
	// a mutual close.
	Unilateral bool
	// Fee is the closing fee both sides signed (mutual close only).
	Fee lnwire.Satoshi
}

// CloseChannel starts a mutual close (shutdown, then the closing_signed
// negotiation) and waits until the closing transaction is signed by both
// and broadcast. A channel already closing is waited for. When the peer is
// away the shutdown goes out after channel_reestablish.
//
// When the mutual close is not done after req.Timeout, the channel is
// failed and our latest commitment broadcast (a unilateral close; its
// outputs are left to on-chain resolution), as Core Lightning's close does
// after unilateraltimeout.
func (rt *Channels) CloseChannel(ctx context.Context, req CloseRequest) (CloseResult, error) {
	w, err := rt.find(req.Channel)
	if err != nil {
		return CloseResult{}, err
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
	waitCtx, cancel := ctx, context.CancelFunc(func() {})
	if req.Timeout > 0 {
		waitCtx, cancel = context.WithTimeout(ctx, req.Timeout)
	}
	defer cancel()
	v, err = w.waitFor(waitCtx, closeDone)
	if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
		w.log.Warn("no mutual close in time: closing unilaterally", "timeout", req.Timeout, "phase", v.State.Phase)
		return rt.forceClose(ctx, w, fmt.Sprintf("no mutual close after %s: closing unilaterally", req.Timeout))
	}
	if err != nil {
		return CloseResult{}, err
	}
	return closeResult(&v, false)
}

// closeDone reports whether a close has an outcome: the mutual close
// signed and broadcast, our commitment broadcast, or a halted runtime.
func closeDone(v *View) bool {
	return v.Halted != nil || (v.State.Phase == channel.Failed && v.ClosingTx != nil) ||
		(v.State.Phase == channel.Closed && v.ClosingTx != nil)
}

// closeResult turns the view of a closed channel into the close's result;
// forced says a failed channel is our unilateral close, not a failure.
func closeResult(v *View, forced bool) (CloseResult, error) {
	switch {
	case v.Halted != nil:
		return CloseResult{}, v.Halted
	case v.State.Phase == channel.Failed && forced:
		return CloseResult{ChannelID: v.State.ChannelID, Tx: v.ClosingTx, Unilateral: true}, nil
	case v.State.Phase == channel.Failed:
		return CloseResult{}, fmt.Errorf("%w: %s", ErrChannelClosed, v.State.Failure)
	}
	return CloseResult{ChannelID: v.State.ChannelID, Tx: v.ClosingTx, Fee: v.State.Closing.FinalFee}, nil
}

// forceClose fails the channel on purpose and waits for our commitment to
// be signed and broadcast. A channel whose mutual close got signed in the
// meantime returns that close instead.
func (rt *Channels) forceClose(ctx context.Context, w *worker, reason string) (CloseResult, error) {
	err := w.do(ctx, func() error {
		if w.halted != nil {
			return w.halted
		}
		return w.step(ctx, channel.ForceClose{Reason: reason})
	})
	forced := true
	switch {
	case errors.Is(err, channel.ErrAlreadyClosed):
		forced = false // the mutual close won the race
	case errors.Is(err, channel.ErrChannelFailed):
		return CloseResult{}, fmt.Errorf("%w: %v", ErrChannelClosed, err)
	case err != nil && !errors.Is(err, channel.ErrForceClosed):
		return CloseResult{}, err
	}
	v, err := w.waitFor(ctx, closeDone)
	if err != nil {
		return CloseResult{}, err
	}
	return closeResult(&v, forced)
}
