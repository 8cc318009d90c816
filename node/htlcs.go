package node

import (
	"context"

	"github.com/fulmen-ln/fulmen/channel"
)

// The three HTLC effects of a step, carried out after the state that
// reports them is persisted. They route HTLCs to the payment layer: an
// HTLC the peer offered is decided (received here). The outcome of an
// HTLC we offered completed or failed its payment already, written with
// the state (payments_records.go).

// htlcAccepted handles an HTLC the peer offered that is now irrevocably
// committed.
func (w *worker) htlcAccepted(ctx context.Context, next *channel.State, e channel.HTLCAccepted) {
	if p := w.rt.cfg.Payments; p != nil {
		p.HTLCAccepted(next.ChannelID, e)
		return
	}
	w.inbox.push(item{kind: itemCommand, cmd: func() { w.receiveHTLC(ctx, e.HTLC, e.DustExposureExceeded) }})
}

// htlcSettled handles an HTLC we offered that the peer fulfilled.
func (w *worker) htlcSettled(_ context.Context, next *channel.State, e channel.HTLCSettled) {
	if p := w.rt.cfg.Payments; p != nil {
		p.HTLCSettled(next.ChannelID, e)
	}
}

// htlcFailed handles an HTLC we offered that was failed back.
func (w *worker) htlcFailed(_ context.Context, next *channel.State, e channel.HTLCFailed) {
	if p := w.rt.cfg.Payments; p != nil {
		p.HTLCFailed(next.ChannelID, e)
	}
}
