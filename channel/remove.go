package channel

import (
	"crypto/sha256"

	"github.com/fulmen-ln/fulmen/lnwire"
)

// badOnion is the BADONION bit of a BOLT #4 failure code.
const badOnion = 0x8000

// removedID returns the HTLC id a removal message names.
func removedID(m lnwire.Message) uint64 {
	id, _ := Update{Msg: m}.removes()
	return id
}

// sendRemoval fulfills or fails an HTLC the peer offered (the FulfillHTLC,
// FailHTLC and FailMalformedHTLC commands). While the peer is not connected
// the update waits in the log and goes out after channel_reestablish.
func (s *State) sendRemoval(env Env, msg lnwire.Message, o *outbox) error {
	if err := s.requireOperating(); err != nil {
		return err
	}
	id := removedID(msg)
	// BOLT #2: until the corresponding HTLC is irrevocably committed in
	// both sides' commitment transactions: MUST NOT send an
	// update_fulfill_htlc, update_fail_htlc, or update_fail_malformed_htlc.
	h, ok := s.irrevocablyCommitted(Remote, id)
	if !ok {
		return rejectf(ErrHTLCNotCommitted, "incoming HTLC %d", id)
	}
	if s.LocalChanges.removing(id) {
		return rejectf(ErrUnknownHTLC, "incoming HTLC %d is already being removed", id)
	}
	switch m := msg.(type) {
	case *lnwire.UpdateFulfillHTLC:
		if sha256.Sum256(m.PaymentPreimage[:]) != h.PaymentHash {
			return rejectf(ErrWrongPreimage, "incoming HTLC %d", id)
		}
	case *lnwire.UpdateFailMalformedHTLC:
		if m.FailureCode&badOnion == 0 {
			return rejectf(ErrNotBadOnion, "failure_code %#04x", m.FailureCode)
		}
	}
	s.LocalChanges.Proposed = append(s.LocalChanges.Proposed, Update{Msg: msg})
	o.save()
	if s.Link == LinkUp {
		o.send(msg)
	}
	return nil
}

// receiveRemoval takes the peer's fulfill or fail of an HTLC we offered.
func (s *State) receiveRemoval(msg lnwire.Message, o *outbox) error {
	if err := s.requireUpdatesFromPeer(msg.MsgType()); err != nil {
		return err
	}
	id := removedID(msg)
	// BOLT #2: if the id does not correspond to an HTLC in its current
	// commitment transaction: MUST send a warning and close the connection,
	// or send an error and fail the channel.
	i := s.LocalCommit.Spec.find(Local, id)
	if i < 0 {
		return failf(ErrUnknownHTLC, "%s for outgoing HTLC %d", msg.MsgType(), id)
	}
	if s.RemoteChanges.removing(id) {
		return failf(ErrUnknownHTLC, "%s for outgoing HTLC %d already removed", msg.MsgType(), id)
	}
	h := &s.LocalCommit.Spec.HTLCs[i]
	switch m := msg.(type) {
	case *lnwire.UpdateFulfillHTLC:
		// BOLT #2: if the payment_preimage value in update_fulfill_htlc
		// doesn't SHA256 hash to the corresponding HTLC payment_hash: MUST
		// send a warning and close the connection, or send an error and
		// fail the channel.
		if sha256.Sum256(m.PaymentPreimage[:]) != h.PaymentHash {
			return failf(ErrWrongPreimage, "outgoing HTLC %d", id)
		}
		// The preimage is known now, whatever happens to the update.
		o.notify(HTLCSettled{ID: id, Preimage: m.PaymentPreimage})
	case *lnwire.UpdateFailMalformedHTLC:
		// BOLT #2: if the BADONION bit in failure_code is not set for
		// update_fail_malformed_htlc: MUST send a warning and close the
		// connection, or send an error and fail the channel.
		if m.FailureCode&badOnion == 0 {
			return failf(ErrNotBadOnion, "failure_code %#04x", m.FailureCode)
		}
	}
	s.RemoteChanges.Proposed = append(s.RemoteChanges.Proposed, Update{Msg: msg})
	return nil
}
