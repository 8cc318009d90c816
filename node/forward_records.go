package node

import (
	"context"
	"time"

	"github.com/fulmen-ln/fulmen/channel"
	"github.com/fulmen-ln/fulmen/onion"
	"github.com/fulmen-ln/fulmen/store"
)

// Forwards are stored like payments (payments_records.go): the forward
// row goes into the transaction of the outgoing channel's state that
// offers the outgoing HTLC (so the incoming↔outgoing link is stored
// before update_add_htlc leaves), its outcome with the outgoing state
// that drops the HTLC (failure) or before anything else of the step that
// learns the preimage (fulfill). Only then is the incoming HTLC settled,
// on its own channel's goroutine: a restart that finds the incoming HTLC
// still pending reads the forward row and goes on from there (receive.go
// decides the HTLCs not yet removed again).

// forwardResolution is the outcome of an offered forward.
type forwardResolution struct {
	f       *store.ForwardRecord
	outcome store.ForwardOutcome
}

// resolveForward records the outcome of an offered forward's outgoing
// HTLC: the preimage, or the reason to send back upstream.
func (r *stepRecords) resolveForward(f *store.ForwardRecord, e channel.Effect, now time.Time) {
	if f.Status != store.ForwardOffered {
		return
	}
	for _, res := range r.forwards {
		if res.f == f {
			return // HTLCSettled again: the peer retransmitted its fulfill
		}
	}
	out := store.ForwardOutcome{ID: f.ID, ResolvedTime: now.UnixNano()}
	switch e := e.(type) {
	case channel.HTLCSettled:
		out.Status, out.Preimage = store.ForwardSettled, e.Preimage
	case channel.HTLCFailed:
		out.Status = store.ForwardFailed
		out.FailReason, out.FailCode = upstreamFailure(f.SharedSecret, e)
	default:
		return
	}
	r.forwards = append(r.forwards, forwardResolution{f: f, outcome: out})
	r.rows.ForwardOutcomes = append(r.rows.ForwardOutcomes, out)
}

// upstreamFailure is the reason to send back on the incoming HTLC when the
// outgoing one failed, and the failure code when we can read it.
func upstreamFailure(secret [32]byte, ev channel.HTLCFailed) ([]byte, uint16) {
	if m := ev.Malformed; m != nil {
		// BOLT #2: a receiving node which has an outgoing HTLC canceled by
		// update_fail_malformed_htlc: MUST return an error in the
		// update_fail_htlc sent to the link which originally sent the
		// HTLC, using the failure_code given and setting the data to
		// sha256_of_onion.
		failure := onion.Failure{Code: onion.FailureCode(m.FailureCode), OnionHash: m.SHA256OfOnion}
		if reason, err := onion.NewFailureOnion(secret, failure); err == nil {
			return reason, m.FailureCode
		}
		reason, _ := onion.NewFailureOnion(secret, onion.Failure{Code: onion.CodeTemporaryChannelFailure})
		return reason, uint16(onion.CodeTemporaryChannelFailure)
	}
	// BOLT #4 (intermediate nodes): Generate the node's ammag key, generate
	// the pseudo-random byte streams, and apply the result to obfuscate
	// the return packet. This is then stored as the reason field of the
	// update_htlc_fail message.
	return onion.ObfuscateFailure(secret, ev.Reason), 0
}

// resolvedForward is f with its outcome.
func resolvedForward(f store.ForwardRecord, o store.ForwardOutcome) store.ForwardRecord {
	f.Status, f.ResolvedTime = o.Status, o.ResolvedTime
	switch o.Status {
	case store.ForwardSettled:
		preimage := o.Preimage
		f.Preimage = &preimage
	default:
		f.FailReason, f.FailCode = o.FailReason, o.FailCode
	}
	return f
}

// resolveIncoming hands each resolved forward to the goroutine of its
// incoming channel.
func (rt *Channels) resolveIncoming(done []store.ForwardRecord) {
	for _, f := range done {
		rt.mu.Lock()
		w := rt.workers[f.In.ChannelIndex]
		rt.mu.Unlock()
		if w == nil {
			rt.log.Error("the incoming channel of a forward is gone", "channel", f.In.ChannelIndex, "htlc", f.In.ID)
			continue
		}
		w.inbox.push(item{kind: itemCommand, cmd: func() { w.settleIncoming(rt.ctx, f) }})
	}
}

// settleIncoming fulfills or fails an incoming HTLC as its stored forward
// says, unless it is already being removed.
func (w *worker) settleIncoming(ctx context.Context, f store.ForwardRecord) {
	if !w.incomingPending(f.In.ID) {
		return
	}
	var err error
	switch f.Status {
	case store.ForwardSettled:
		// BOLT #2: upon receiving an update_fulfill_htlc for an outgoing
		// HTLC [...]: MUST fulfill the incoming HTLC that corresponds to
		// that outgoing HTLC. (Rationale: knowledge of the preimage is, by
		// definition, irrevocable and the incoming HTLC should be
		// fulfilled as soon as possible to reduce latency; so this runs as
		// soon as the fulfill arrives, before the outgoing commitment
		// dance ends.)
		err = w.step(ctx, channel.FulfillHTLC{ID: f.In.ID, Preimage: *f.Preimage})
	case store.ForwardFailed, store.ForwardLocalFailed:
		// BOLT #2: until the removal of an outgoing HTLC is irrevocably
		// committed [...]: MUST NOT fail the incoming HTLC. HTLCFailed
		// comes once it is.
		err = w.step(ctx, channel.FailHTLC{ID: f.In.ID, Reason: f.FailReason})
	default:
		return
	}
	if err != nil {
		w.log.Warn("settling a forwarded HTLC", "id", f.In.ID, "status", string(f.Status), "err", err)
		return
	}
	w.decided[f.In.ID] = true
}

// incomingPending reports whether the peer's HTLC is committed and not
// yet being removed.
func (w *worker) incomingPending(id uint64) bool {
	for _, h := range pendingIncoming(&w.state) {
		if h.ID == id {
			return true
		}
	}
	return false
}
