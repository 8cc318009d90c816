package node

import (
	"context"
	"errors"
	"time"

	"github.com/fulmen-ln/fulmen/channel"
	"github.com/fulmen-ln/fulmen/lnwire"
	"github.com/fulmen-ln/fulmen/onion"
	"github.com/fulmen-ln/fulmen/store"
)

// forwardHTLC relays an HTLC whose onion does not end here: it runs on the
// incoming channel's goroutine, checks the BOLT #4 forwarding rules, and
// hands the HTLC to the outgoing channel's goroutine (never waiting for
// it, so two channels forwarding to each other cannot block).
func (w *worker) forwardHTLC(ctx context.Context, h channel.HTLC, peeled *onion.Peeled) {
	rt := w.rt
	ref := store.HTLCRef{ChannelIndex: w.index, ID: h.ID}
	temporary := onion.Failure{Code: onion.CodeTemporaryNodeFailure}
	_, hs, err := rt.book(ctx)
	var prior []store.ForwardRecord
	if err == nil {
		prior, err = hs.Forwards(ctx, store.ForwardFilter{In: &ref})
	}
	if err != nil {
		w.log.Warn("reading forwards", "err", err)
		w.failHTLC(ctx, h.ID, &peeled.SharedSecret, temporary)
		return
	}
	// A restart decides again the incoming HTLCs not yet removed: a stored
	// forward goes on from where it is. An offered one waits for its
	// outgoing HTLC, whose outcome settles this one.
	if len(prior) > 0 {
		if prior[0].Status == store.ForwardOffered {
			w.decided[h.ID] = true
			return
		}
		w.settleIncoming(ctx, prior[0])
		return
	}
	if h.PathKey != nil {
		// BOLT #4: A forwarding node MUST: if path_key is set in the
		// incoming update_add_htlc: return an invalid_onion_blinding
		// error. (We do not relay inside blinded routes.)
		w.failMalformed(ctx, h.ID, &onion.BadOnionError{Code: onion.CodeInvalidOnionBlinding, OnionHash: sha256Of(h.Onion)})
		return
	}
	payload, err := onion.DecodeHopPayload(peeled.Payload, onion.HopContext{})
	var invalid *onion.InvalidPayloadError
	switch {
	case errors.As(err, &invalid):
		w.failHTLC(ctx, h.ID, &peeled.SharedSecret, invalid.Failure())
		return
	case err != nil || payload.ShortChannelID == nil || payload.AmountToForward == nil || payload.OutgoingCLTV == nil:
		w.failHTLC(ctx, h.ID, &peeled.SharedSecret, onion.Failure{Code: onion.CodeInvalidOnionPayload})
		return
	case payload.CurrentPathKey != nil || payload.EncryptedRecipientData != nil:
		// BOLT #4: A forwarding node MUST: if current_path_key is set in
		// the onion payload and it is not the final node: return an
		// invalid_onion_blinding error.
		w.failHTLC(ctx, h.ID, &peeled.SharedSecret, onion.Failure{Code: onion.CodeInvalidOnionBlinding, OnionHash: sha256Of(h.Onion)})
		return
	}
	height, err := rt.cfg.Chain.BlockCount(ctx)
	if err != nil {
		w.failHTLC(ctx, h.ID, &peeled.SharedSecret, temporary)
		return
	}
	f := &store.ForwardRecord{
		In: ref, InScid: w.state.ShortChannelID.ToUint64(), InMsat: uint64(h.Amount), InCLTV: uint32(h.CLTVExpiry),
		PaymentHash: h.PaymentHash, OutScid: payload.ShortChannelID.ToUint64(), OutMsat: uint64(*payload.AmountToForward),
		OutCLTV: uint32(*payload.OutgoingCLTV), SharedSecret: peeled.SharedSecret, Status: store.ForwardOffered,
		ReceivedTime: time.Now().UnixNano(),
	}
	out, policy, usable := rt.outgoingChannel(*payload.ShortChannelID)
	failure, ok := checkForward(forwardHop{In: h, AmountToForward: *payload.AmountToForward,
		OutgoingCLTV: *payload.OutgoingCLTV, Height: height}, policy)
	if ok && !usable {
		// BOLT #4: if an otherwise unspecified, permanent error occurs
		// during forwarding to its receiving peer (e.g. channel recently
		// closed): return a permanent_channel_failure error.
		failure, ok = onion.Failure{Code: onion.CodePermanentChannelFailure}, false
	}
	if !ok {
		w.log.Info("refusing to forward", "id", h.ID, "failure", failure.String())
		w.settleIncoming(ctx, rt.refuseForward(ctx, f, failure))
		return
	}
	w.decided[h.ID] = true
	// BOLT #2: until an incoming HTLC has been irrevocably committed: MUST
	// NOT offer the corresponding outgoing HTLC (update_add_htlc) in
	// response to that incoming HTLC. (HTLCAccepted comes once it is.)
	next := peeled.Next
	out.inbox.push(item{kind: itemCommand, cmd: func() { out.offerForward(rt.ctx, f, next) }})
}

// outgoingChannel finds the channel a forward asks for and our policy on
// it; usable is false when it no longer carries new HTLCs.
func (rt *Channels) outgoingChannel(scid lnwire.ShortChannelID) (*worker, *forwardPolicy, bool) {
	if scid == (lnwire.ShortChannelID{}) {
		return nil, nil, false
	}
	w, err := rt.find(ChannelRef{ShortChannelID: &scid})
	if err != nil {
		return nil, nil, false
	}
	v := w.snapshot()
	r := rt.cfg.Routing
	policy := &forwardPolicy{FeeBase: r.FeeBase, FeeProportional: r.FeeProportional,
		CLTVDelta: uint32(r.CLTVExpiryDelta), HTLCMinimum: max(v.State.Remote.HTLCMinimum, 1)}
	return w, policy, v.State.Phase == channel.Normal && v.Halted == nil
}

// offerForward offers the outgoing HTLC of a forward, on the outgoing
// channel's goroutine. The forward row is stored with the state that
// offers it; if the channel refuses the HTLC, the incoming one is failed.
func (w *worker) offerForward(ctx context.Context, f *store.ForwardRecord, next *onion.Packet) {
	if w.halted == nil {
		f.Out = &store.HTLCRef{ChannelIndex: w.index, ID: w.state.NextHTLCID[channel.Local]}
		add := channel.AddHTLC{Amount: lnwire.MilliSatoshi(f.OutMsat), PaymentHash: f.PaymentHash,
			CLTVExpiry: lnwire.BlockHeight(f.OutCLTV)}
		copy(add.Onion[:], next.Bytes())
		w.relaying = f
		err := w.step(ctx, add)
		w.relaying = nil
		if f.ID != 0 {
			if err != nil {
				w.log.Warn("forward offered, then the channel step failed", "id", f.Out.ID, "err", err)
			}
			return
		}
		w.log.Info("the outgoing channel refused a forward", "err", err)
	}
	f.Out = nil
	// BOLT #4: if during forwarding to its receiving peer, an otherwise
	// unspecified, transient error occurs in the outgoing channel (e.g.
	// channel capacity reached, too many in-flight HTLCs, etc.): return a
	// temporary_channel_failure error.
	refused := w.rt.refuseForward(ctx, f, onion.Failure{Code: onion.CodeTemporaryChannelFailure})
	w.rt.resolveIncoming([]store.ForwardRecord{refused})
}

// refuseForward stores a forward we refused, with the failure onion to
// send back, and returns it.
func (rt *Channels) refuseForward(ctx context.Context, f *store.ForwardRecord, failure onion.Failure) store.ForwardRecord {
	reason, err := onion.NewFailureOnion(f.SharedSecret, failure)
	if err != nil {
		rt.log.Error("building a failure onion", "err", err)
		reason = make([]byte, onion.MinFailurePaddedLen)
	}
	f.Status, f.FailReason, f.FailCode, f.ResolvedTime = store.ForwardLocalFailed, reason, uint16(failure.Code), time.Now().UnixNano()
	_, hs, err := rt.book(ctx)
	if err == nil {
		err = hs.SaveHTLCRecords(ctx, &store.HTLCRecords{NewForwards: []*store.ForwardRecord{f}})
	}
	if err != nil {
		// The refusal stands: it moves no money, and a restart decides
		// the incoming HTLC again if its failure was not stored either.
		rt.log.Warn("storing a refused forward", "err", err)
	}
	return *f
}
