package channel

import (
	"errors"

	"github.com/fulmen-ln/fulmen/lnwire"
)

// ErrHTLCDeadline reports an HTLC past its deadline: the channel must be
// failed so the HTLC is resolved on chain in time.
var ErrHTLCDeadline = errors.New("channel: HTLC past its on-chain deadline")

// NewBlock reports the chain's new height; HTLCs past their deadline fail
// the channel.
type NewBlock struct {
	Height lnwire.BlockHeight
}

func (NewBlock) isEvent() {}

// checkDeadlines fails the channel when an HTLC must be resolved on chain.
//
// BOLT #2: An offering node: if an HTLC which it offered is in either
// node's current commitment transaction, AND is past this timeout deadline:
// SHOULD send an error to the receiving peer (if connected). MUST fail the
// channel. A fulfilling node: if an HTLC it has fulfilled is in either
// node's current commitment transaction, AND is past this fulfillment
// deadline: SHOULD send an error to the offering peer (if connected). MUST
// fail the channel.
func (s *State) checkDeadlines(env Env, height lnwire.BlockHeight) error {
	if s.Phase == Closed {
		return nil
	}
	specs := []*Spec{&s.LocalCommit.Spec, &s.RemoteCommit.Spec}
	if s.RemotePending != nil {
		specs = append(specs, &s.RemotePending.Spec)
	}
	for _, spec := range specs {
		for _, h := range spec.HTLCs {
			switch {
			// BOLT #2: the deadline for offered HTLCs: the deadline after
			// which the channel has to be failed and timed out on-chain.
			// This is G blocks after the HTLC's cltv_expiry.
			case h.Offerer == Local && height >= h.CLTVExpiry+env.Policy.OfferedGrace:
				return failf(ErrHTLCDeadline, "outgoing HTLC %d expired at %d, height %d", h.ID, h.CLTVExpiry, height)
			// BOLT #2: the deadline for received HTLCs this node has
			// fulfilled: the deadline after which the channel has to be
			// failed and the HTLC fulfilled on-chain before its
			// cltv_expiry [...] 2R+G+S blocks before cltv_expiry.
			case h.Offerer == Remote && s.fulfilling(h.ID) && height+env.Policy.FulfillMargin >= h.CLTVExpiry:
				return failf(ErrHTLCDeadline, "fulfilled incoming HTLC %d expires at %d, height %d", h.ID, h.CLTVExpiry, height)
			}
		}
	}
	return nil
}

// fulfilling reports whether we sent a fulfill for the peer's HTLC.
func (s *State) fulfilling(id uint64) bool {
	for _, u := range s.LocalChanges.all() {
		if m, ok := u.Msg.(*lnwire.UpdateFulfillHTLC); ok && m.ID == id {
			return true
		}
	}
	return false
}
